"""The fleet the service flies: what every kind of vehicle tells the service, and virtual drones.

A fleet is given each flight twice: :meth:`Fleet.prepare` when loading begins (a real vehicle
gets its mission, fence and rally then) and :meth:`Fleet.launch` at take-off. :meth:`Fleet.poll`
returns what happened since the last call as :class:`Report` items: telemetry, lift-off,
landing, a refusal with the vehicle's reason. :class:`VirtualFleet` moves drones along their
planned trajectories (:mod:`dronedel.service.trajectory`), with the simulator's delay noise
in the delivery action, so the service runs on any machine; :mod:`dronedel.service.mavfleet`
flies MAVLink vehicles (SITL or real).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..config import SiteConfig
from ..errors import InputError
from ..geo import LocalFrame
from ..mission.items import Mission
from .clock import ServiceClock
from .store import FlightRow
from .trajectory import Trajectory

__all__ = ["Report", "Fleet", "VirtualFleet", "fleet_factory"]


@dataclass(frozen=True)
class Report:
    """Something a vehicle said at service time ``t_s``.

    ``kind`` is ``telemetry`` (``lon``, ``lat`` degrees, ``alt_m`` above home, ``battery`` 0-1 or
    None), ``airborne`` (armed and flying ``flight_id``), ``landed`` (disarmed after ``flight_id``) or
    ``failed`` (``flight_id`` refused, ``detail`` the vehicle's reason).
    """

    kind: str
    drone: int
    t_s: float
    flight_id: int | None = None
    lon: float = float("nan")
    lat: float = float("nan")
    alt_m: float = float("nan")
    battery: float | None = None
    detail: str = ""


class Fleet(Protocol):
    """What the service needs of a fleet of ``count`` vehicles (drone numbers 0 to count - 1)."""

    count: int
    #: True if the vehicles fly on by themselves while the service is down (they keep their missions).
    persistent: bool
    #: True if the vehicles fly their planned trajectories exactly (virtual), so planned instants are flown ones.
    exact: bool
    #: Each vehicle's pad (index into the site's pads) where vehicles cannot move between pads, else None.
    home_pads: tuple[int, ...] | None

    def prepare(self, flight: FlightRow, mission: Callable[[], Mission]) -> None:
        """Loading has begun: get the vehicle ready to fly ``flight`` (upload the mission ``mission()`` builds)."""

    def launch(self, flight: FlightRow, trajectory: Trajectory) -> None:
        """Take-off time: fly ``flight`` (planned as ``trajectory`` from now)."""

    def resume(self, flight: FlightRow, trajectory: Trajectory) -> None:
        """After a restart: ``flight`` was airborne; follow it again."""

    def poll(self, now_s: float) -> list[Report]:
        """What happened since the last call."""

    def silent_s(self, drone: int, now_s: float) -> float:
        """Service seconds since the vehicle was last heard from."""

    def close(self) -> None:
        """Stop every vehicle the fleet started."""


class VirtualFleet:
    """``count`` drones flying their planned trajectories exactly; positions in the site's ``frame``.

    Battery is drawn down linearly over the flight by its planned energy (``battery_wh`` full).
    """

    persistent = True
    exact = True
    home_pads = None

    def __init__(self, count: int, frame: LocalFrame, battery_wh: float) -> None:
        self.count = count
        self.frame = frame
        self.battery_wh = battery_wh
        self._flying: dict[int, tuple[FlightRow, Trajectory, bool]] = {}
        self._battery = np.ones(count)

    def prepare(self, flight: FlightRow, mission: Callable[[], Mission]) -> None:
        """Nothing to upload to a virtual drone."""

    def launch(self, flight: FlightRow, trajectory: Trajectory) -> None:
        """Start moving along ``trajectory``."""
        self._flying[flight.drone] = (flight, trajectory, False)
        self._battery[flight.drone] = 1.0

    resume = launch

    def poll(self, now_s: float) -> list[Report]:
        """Lift-off, positions and landings of the flying drones up to ``now_s``."""
        out: list[Report] = []
        for drone, (flight, traj, up) in list(self._flying.items()):
            if now_s < traj.takeoff_s:
                continue
            if not up:
                out.append(Report("airborne", drone, traj.takeoff_s, flight.flight_id))
                self._flying[drone] = (flight, traj, True)
            t = min(now_s, traj.land_s)
            x, y, z = traj.at(t)
            lon, lat = self.frame.to_lonlat(x, y)
            used = (t - traj.takeoff_s) / max(traj.land_s - traj.takeoff_s, 1e-9) * flight.energy_wh
            self._battery[drone] = max(0.0, 1.0 - used / self.battery_wh)
            out.append(Report("telemetry", drone, t, flight.flight_id, float(lon), float(lat), float(z),
                              float(self._battery[drone])))
            if now_s >= traj.land_s:
                out.append(Report("landed", drone, traj.land_s, flight.flight_id))
                del self._flying[drone]
        return out

    def silent_s(self, drone: int, now_s: float) -> float:
        """Virtual drones never fall silent."""
        return 0.0

    def battery(self, drone: int) -> float:
        """Charge left (0-1); a fresh battery is fitted at each take-off."""
        return float(self._battery[drone])

    def close(self) -> None:
        """Nothing to stop."""


def fleet_factory(kind: str, spec: Any, config: SiteConfig, speedup: float,
                  binary: Path | None = None) -> Callable[[int, LocalFrame, ServiceClock], Fleet]:
    """What ``dronedel serve --vehicles`` names, as the callable :class:`~dronedel.service.DispatchService` takes
    (fleet size, site frame, service clock): ``none`` virtual drones, ``sitl`` (``spec`` SITL vehicles started
    at ``speedup``, ``binary`` the arducopter) or ``list`` (``spec`` MAVLink endpoints)."""
    def build(count: int, frame: LocalFrame, clock: ServiceClock) -> Fleet:
        if kind == "none":
            return VirtualFleet(count, frame, config.aircraft.battery_wh)
        from . import mavfleet  # pymavlink and the SITL harness only when there are MAVLink vehicles

        if kind == "sitl":
            return mavfleet.sitl_fleet(int(spec), config, speedup, binary, clock.now_s)
        if kind == "list":
            from ..link import connect
            from ..sitl import Vehicle

            openers = [lambda e=e: Vehicle(connect(e)) for e in spec]
            return mavfleet.MavlinkFleet(openers, clock.now_s, speedup, persistent=True)
        raise InputError(f"unknown vehicles {kind!r}", "--vehicles")
    return build
