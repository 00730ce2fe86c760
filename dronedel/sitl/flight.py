"""Fly a :class:`~dronedel.mission.Mission` in SITL and record what the vehicle did.

The flight: wait until ready to arm, upload mission, fence and rally (with the fence
parameters) through :mod:`dronedel.link`, make item 1 current, switch to AUTO, arm, then
record until the vehicle has landed and disarmed or a timeout. A fault on the way (crash,
lost link, refusal to arm, timeout) ends the recording and is kept in the record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import DronedelError
from ..link import upload_all
from ..mission import Mission
from .errors import ArmingRefused, SitlCrashed, SitlTimeout
from .process import SitlOptions, SitlProcess
from .vehicle import StatusText, Vehicle

__all__ = ["Track", "Fault", "FlightRecord", "Recorder", "fly", "fly_mission"]

#: Columns of :attr:`Track.data`.
TRACK_COLUMNS = ("t_s", "lon", "lat", "alt_amsl_m", "alt_rel_m", "vn_ms", "ve_ms", "vd_ms")


@dataclass(frozen=True)
class Track:
    """Positions from GLOBAL_POSITION_INT: one row per sample, columns :data:`TRACK_COLUMNS`.

    ``t_s`` is simulated seconds since boot; ``(lon, lat)`` degrees; altitude AMSL and
    relative to home in metres; velocity north/east/down in m/s.
    """

    data: NDArray[np.float64]

    def __post_init__(self) -> None:
        data = np.asarray(self.data, float).reshape(-1, len(TRACK_COLUMNS))
        object.__setattr__(self, "data", data)

    def __len__(self) -> int:
        return len(self.data)

    def column(self, name: str) -> NDArray[np.float64]:
        """One column of :data:`TRACK_COLUMNS` over all samples."""
        return self.data[:, TRACK_COLUMNS.index(name)]

    @property
    def t_s(self) -> NDArray[np.float64]:
        """Sample times, simulated seconds since boot."""
        return self.column("t_s")

    @property
    def lon(self) -> NDArray[np.float64]:
        """Longitudes, degrees WGS84."""
        return self.column("lon")

    @property
    def lat(self) -> NDArray[np.float64]:
        """Latitudes, degrees WGS84."""
        return self.column("lat")

    @property
    def alt_rel_m(self) -> NDArray[np.float64]:
        """Altitudes, metres above home."""
        return self.column("alt_rel_m")

    def at(self, t_s: float) -> tuple[float, float, float]:
        """``(lon, lat, alt_rel_m)`` of the last sample at or before ``t_s`` (the first if none)."""
        if not len(self):
            raise ValueError("empty track")
        i = max(int(np.searchsorted(self.t_s, t_s, side="right")) - 1, 0)
        return float(self.lon[i]), float(self.lat[i]), float(self.alt_rel_m[i])


@dataclass(frozen=True)
class Fault:
    """What stopped a flight early: ``kind`` (crash, link_lost, arming_refused, timeout, ...), text, when."""

    kind: str
    message: str
    t_s: float


@dataclass
class FlightRecord:
    """Everything recorded during one flight; times are simulated seconds since boot.

    ``reached``/``current`` are ``(t_s, seq)`` from MISSION_ITEM_REACHED / MISSION_CURRENT
    (changes only); ``fence`` holds FENCE_STATUS changes ``(t_s, breach_status, breach_count,
    breach_type)``; ``battery`` ``(t_s, consumed_mah, consumed_wh)``; ``modes`` ``(t_s, mode,
    armed)`` changes; ``landed`` ``(t_s, MAV_LANDED_STATE)`` changes.
    """

    mission_name: str = ""
    track: Track = field(default_factory=lambda: Track(np.empty((0, len(TRACK_COLUMNS)))))
    reached: list[tuple[float, int]] = field(default_factory=list)
    current: list[tuple[float, int]] = field(default_factory=list)
    statustexts: list[StatusText] = field(default_factory=list)
    fence: list[tuple[float, int, int, int]] = field(default_factory=list)
    battery: list[tuple[float, float, float]] = field(default_factory=list)
    modes: list[tuple[float, str, bool]] = field(default_factory=list)
    landed: list[tuple[float, int]] = field(default_factory=list)
    armed_s: float | None = None
    disarmed_s: float | None = None
    wall_s: float = 0.0
    fault: Fault | None = None

    @property
    def completed(self) -> bool:
        """True if the vehicle armed, then disarmed again (landed), without a fault."""
        return self.fault is None and self.armed_s is not None and self.disarmed_s is not None

    @property
    def flight_time_s(self) -> float | None:
        """Simulated seconds from arming to disarming, or ``None`` if the flight did not complete."""
        if self.armed_s is None or self.disarmed_s is None:
            return None
        return self.disarmed_s - self.armed_s

    @property
    def energy_wh(self) -> float | None:
        """Energy SITL's battery monitor counted from arming to the end, or ``None`` without one."""
        if len(self.battery) < 2:
            return None
        start = self.armed_s if self.armed_s is not None else self.battery[0][0]
        before = [wh for t, _, wh in self.battery if t <= start] or [self.battery[0][2]]
        return self.battery[-1][2] - before[-1]


class Recorder:
    """A :class:`Vehicle` listener that builds a :class:`FlightRecord` from the messages it sees."""

    def __init__(self, vehicle: Vehicle, mission_name: str = "") -> None:
        self.vehicle = vehicle
        self.record = FlightRecord(mission_name)
        self._rows: list[tuple[float, ...]] = []
        self._mode: tuple[str, bool] | None = None
        self._first_text = len(vehicle.statustexts)

    def __call__(self, msg: Any) -> None:
        kind = msg.get_type()
        t = self.vehicle.time_s
        rec = self.record
        if kind == "GLOBAL_POSITION_INT":
            self._rows.append((msg.time_boot_ms / 1000.0, msg.lon / 1e7, msg.lat / 1e7, msg.alt / 1000.0,
                               msg.relative_alt / 1000.0, msg.vx / 100.0, msg.vy / 100.0, msg.vz / 100.0))
        elif kind == "MISSION_ITEM_REACHED":
            rec.reached.append((t, int(msg.seq)))
        elif kind == "MISSION_CURRENT":
            if not rec.current or rec.current[-1][1] != msg.seq:
                rec.current.append((t, int(msg.seq)))
        elif kind == "FENCE_STATUS":
            state = (int(msg.breach_status), int(msg.breach_count), int(msg.breach_type))
            if not rec.fence or rec.fence[-1][1:] != state:
                rec.fence.append((t, *state))
        elif kind == "BATTERY_STATUS" and msg.id == 0:
            wh = msg.energy_consumed * 100.0 / 3600.0 if msg.energy_consumed >= 0 else float("nan")
            rec.battery.append((t, float(msg.current_consumed), wh))
        elif kind == "EXTENDED_SYS_STATE":
            if not rec.landed or rec.landed[-1][1] != msg.landed_state:
                rec.landed.append((t, int(msg.landed_state)))
        elif kind == "HEARTBEAT" and msg.get_srcSystem() == self.vehicle.conn.target_system:
            mode = (self.vehicle.mode, self.vehicle.armed)
            if mode != self._mode:
                self._mode = mode
                rec.modes.append((t, *mode))
                if mode[1] and rec.armed_s is None:
                    rec.armed_s = t
                elif not mode[1] and rec.armed_s is not None and rec.disarmed_s is None:
                    rec.disarmed_s = t

    def finish(self) -> FlightRecord:
        """The record with the track as an array (samples before a position fix left out) and the texts."""
        rows = np.array(self._rows, float).reshape(-1, len(TRACK_COLUMNS))
        fixed = (rows[:, 1] != 0) | (rows[:, 2] != 0)
        self.record.track = Track(rows[fixed])
        self.record.statustexts = self.vehicle.statustexts[self._first_text:]
        return self.record


def _fault(exc: BaseException, process: SitlProcess | None, t_s: float) -> Fault:
    """A :class:`Fault` for ``exc``; a lost or broken link to a SITL that exited or panicked is a crash."""
    if process is not None and not isinstance(exc, (SitlCrashed, SitlTimeout, ArmingRefused)):
        if not process.alive():
            try:
                process.check_alive()
            except SitlCrashed as crash:
                exc = crash
        elif process.panicked():
            exc = SitlCrashed(None, process.output_tail())
    return Fault(getattr(exc, "kind", "link_error"), str(exc), t_s)


def fly(
    vehicle: Vehicle, mission: Mission, *, timeout_s: float = 3600.0, ready_timeout_s: float = 120.0,
) -> FlightRecord:
    """Fly ``mission`` on a connected ``vehicle`` and return the record; never raises for a fault.

    ``timeout_s`` limits the flight in simulated seconds after arming (a vehicle that stops
    talking is a lost link, so no wall-clock limit is needed); ``ready_timeout_s`` the wait
    until it is ready to arm, in wall seconds. A fault —
    :class:`~dronedel.sitl.errors.SitlError` or a link failure — ends the flight and is kept
    in :attr:`FlightRecord.fault`.
    """
    started = time.monotonic()
    recorder = Recorder(vehicle, mission.name)
    vehicle.listeners.append(recorder)
    record = recorder.record
    try:
        vehicle.request_rates()
        vehicle.wait_ready_to_arm(ready_timeout_s)
        upload_all(vehicle.conn, mission)
        vehicle.set_current_item(1)
        vehicle.set_mode("AUTO")
        vehicle.arm()
        while record.disarmed_s is None:
            vehicle.recv(1.0)
            armed_at = record.armed_s if record.armed_s is not None else vehicle.time_s
            if vehicle.time_s - armed_at > timeout_s:
                raise SitlTimeout(f"the flight did not end within {timeout_s:g} simulated seconds")
    except (DronedelError, OSError) as exc:
        record.fault = _fault(exc, vehicle.process, vehicle.time_s)
    finally:
        vehicle.listeners.remove(recorder)
        record.wall_s = time.monotonic() - started
    return recorder.finish()


def fly_mission(mission: Mission, options: SitlOptions, **fly_options: Any) -> FlightRecord:
    """Start SITL with ``options``, fly ``mission`` (see :func:`fly`) and always stop SITL.

    A SITL that cannot start or be connected to is a fault of the record too.
    """
    started = time.monotonic()
    with SitlProcess(options) as process:
        try:
            vehicle = Vehicle.connect(process)
        except (DronedelError, OSError) as exc:
            return FlightRecord(mission.name, wall_s=time.monotonic() - started, fault=_fault(exc, process, 0.0))
        try:
            return fly(vehicle, mission, **fly_options)
        finally:
            vehicle.close()
