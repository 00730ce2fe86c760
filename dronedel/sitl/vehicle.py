"""Drive a Copter over MAVLink: message rates, readiness, arming, modes, the current item.

Every wait watches two faults besides its own timeout: the SITL process exiting
(:class:`~dronedel.sitl.errors.SitlCrashed`) and the vehicle falling silent
(:class:`~dronedel.sitl.errors.LinkLost`, no HEARTBEAT for ``link_timeout_s`` wall seconds).
Times the vehicle reports (``time_boot_ms``) are simulated seconds since boot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pymavlink import mavutil

from ..link import connect
from ..mission.items import mavlink
from .errors import ArmingRefused, CommandFailed, LinkLost, SitlTimeout
from .process import SitlProcess

__all__ = ["Vehicle", "StatusText", "RECORD_RATES_HZ", "TRANSIENT_ARMING_REASONS"]

#: Messages the harness asks for and their rates in Hz of simulated time.
RECORD_RATES_HZ: dict[str, float] = {
    "GLOBAL_POSITION_INT": 5.0,
    "SYS_STATUS": 1.0,
    "MISSION_CURRENT": 2.0,
    "EXTENDED_SYS_STATE": 2.0,
    "FENCE_STATUS": 1.0,
    "BATTERY_STATUS": 1.0,
    "HOME_POSITION": 0.5,
}

#: Arming refusals that clear by themselves while the EKF and GPS settle; others are final.
TRANSIENT_ARMING_REASONS = ("Need Position Estimate", "waiting for", "EKF", "AHRS", "GPS", "Gyros", "Accels")

_READY_SENSORS = mavlink.MAV_SYS_STATUS_SENSOR_GPS | mavlink.MAV_SYS_STATUS_AHRS
_PREARM = mavlink.MAV_SYS_STATUS_PREARM_CHECK
_ACCEPTED = mavlink.MAV_RESULT_ACCEPTED
_MODES = mavutil.mode_mapping_byname(mavlink.MAV_TYPE_QUADROTOR)


@dataclass(frozen=True)
class StatusText:
    """A STATUSTEXT: simulated time ``t_s`` since boot it arrived at, MAV_SEVERITY and text."""

    t_s: float
    severity: int
    text: str


class Vehicle:
    """A pymavlink connection to one vehicle, optionally tied to the SITL process behind it.

    ``listeners`` are called with every message :meth:`recv` returns, in order;
    ``statustexts`` keeps every STATUSTEXT it saw; ``time_s`` is the latest simulated time
    since boot seen. ``conn`` may also be used by :mod:`dronedel.link` in between.
    """

    def __init__(self, conn: Any, process: SitlProcess | None = None, link_timeout_s: float = 10.0) -> None:
        self.conn = conn
        self.process = process
        self.link_timeout_s = link_timeout_s
        self.listeners: list[Callable[[Any], None]] = []
        self.statustexts: list[StatusText] = []
        self.time_s = 0.0
        self._created = time.time()
        self._text_id = 0

    def latest(self, kind: str) -> Any:
        """The vehicle's latest message of type ``kind`` however it was read (pymavlink keeps it), or ``None``."""
        state = self.conn.sysid_state.get(self.conn.target_system)
        return None if state is None else state.messages.get(kind)

    @classmethod
    def connect(
        cls, process: SitlProcess, *, timeout_s: float = 60.0, link_timeout_s: float = 10.0
    ) -> "Vehicle":
        """Connect to a started SITL process and wait for its first HEARTBEAT."""
        process.wait_listening(timeout_s)
        conn = connect(process.address, heartbeat_timeout_s=timeout_s)
        return cls(conn, process, link_timeout_s)

    def close(self) -> None:
        """Close the MAVLink connection."""
        self.conn.close()

    # -- receiving ---------------------------------------------------------------------
    def _check_faults(self) -> None:
        if self.process is not None:
            self.process.check_alive()
        heartbeat = self.latest("HEARTBEAT")
        silence = time.time() - (self._created if heartbeat is None else heartbeat._timestamp)
        if silence > self.link_timeout_s:
            raise LinkLost(silence)

    def _note(self, msg: Any) -> None:
        boot_ms = getattr(msg, "time_boot_ms", None)
        if boot_ms is not None:
            self.time_s = max(self.time_s, boot_ms / 1000.0)
        if msg.get_type() == "STATUSTEXT":
            text_id = int(getattr(msg, "id", 0) or 0)
            if text_id and getattr(msg, "chunk_seq", 0) and text_id == self._text_id and self.statustexts:
                last = self.statustexts[-1]  # a long text arrives in chunks sharing an id
                self.statustexts[-1] = replace(last, text=last.text + str(msg.text))
            else:
                self.statustexts.append(StatusText(self.time_s, int(msg.severity), str(msg.text)))
            self._text_id = text_id
        for listener in self.listeners:
            listener(msg)

    def recv(self, timeout_s: float = 1.0) -> Any:
        """The next message (any type), or ``None`` after ``timeout_s`` wall seconds; checks faults."""
        deadline = time.monotonic() + timeout_s
        while True:
            msg = self.conn.recv_msg()
            if msg is not None:
                if msg.get_type() != "BAD_DATA":
                    self._note(msg)
                    return msg
                continue
            self._check_faults()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.conn.select(min(remaining, 0.05))

    def wait(
        self, types: Collection[str], condition: Callable[[Any], bool], timeout_s: float, what: str
    ) -> Any:
        """Receive until a message of one of ``types`` satisfies ``condition``; :class:`SitlTimeout` names ``what``."""
        deadline = time.monotonic() + timeout_s
        while (remaining := deadline - time.monotonic()) > 0:
            msg = self.recv(min(remaining, 1.0))
            if msg is not None and msg.get_type() in types and condition(msg):
                return msg
        raise SitlTimeout(f"timed out after {timeout_s:g} s waiting for {what}")

    # -- commands ----------------------------------------------------------------------
    def command(self, command: int, *params: float, timeout_s: float = 10.0) -> int:
        """Send COMMAND_LONG ``command`` with up to 7 params and return the COMMAND_ACK result."""
        values = (list(params) + [0.0] * 7)[:7]
        self.conn.mav.command_long_send(self.conn.target_system, self.conn.target_component, command, 0, *values)
        ack = self.wait(
            ("COMMAND_ACK",), lambda m: m.command == command, timeout_s, f"the answer to command {command}"
        )
        return int(ack.result)

    def request_rates(self, rates_hz: Mapping[str, float] = RECORD_RATES_HZ) -> None:
        """Stop the default telemetry streams and ask for each message at its own rate (Hz, simulated)."""
        self.conn.mav.request_data_stream_send(
            self.conn.target_system, self.conn.target_component, mavlink.MAV_DATA_STREAM_ALL, 0, 0
        )
        for name, hz in rates_hz.items():
            msg_id = getattr(mavlink, f"MAVLINK_MSG_ID_{name}")
            result = self.command(mavlink.MAV_CMD_SET_MESSAGE_INTERVAL, msg_id, 1e6 / hz)
            if result != _ACCEPTED:
                raise CommandFailed(f"vehicle refused to send {name} at {hz:g} Hz (MAV_RESULT {result})")

    def wait_ready_to_arm(self, timeout_s: float = 60.0) -> None:
        """Wait until SYS_STATUS shows GPS, AHRS/EKF and the pre-arm checks healthy and home is known."""
        def ready(_: Any) -> bool:
            status = self.latest("SYS_STATUS")
            if status is None or self.latest("HOME_POSITION") is None:
                return False
            health = status.onboard_control_sensors_health
            return bool(health & _PREARM) and (health & _READY_SENSORS) == _READY_SENSORS

        self.wait(("SYS_STATUS", "HOME_POSITION"), ready, timeout_s,
                  "the vehicle to be ready to arm (EKF, GPS, pre-arm checks, home)")

    @property
    def armed(self) -> bool:
        """True if the latest heartbeat says the motors are armed."""
        heartbeat = self.latest("HEARTBEAT")
        return bool(heartbeat is not None and heartbeat.base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED)

    @property
    def mode(self) -> str:
        """Flight mode name from the latest HEARTBEAT."""
        heartbeat = self.latest("HEARTBEAT")
        if heartbeat is None:
            return ""
        return mavutil.mode_mapping_acm.get(heartbeat.custom_mode, str(heartbeat.custom_mode))

    def arm(self, timeout_s: float = 60.0, retry_sim_s: float = 2.0) -> None:
        """Arm, retrying every ``retry_sim_s`` simulated seconds while the refusal is transient.

        Transient refusals are those naming one of :data:`TRANSIENT_ARMING_REASONS`, or
        giving no reason at all. Raises
        :class:`ArmingRefused` with the vehicle's reasons (its "PreArm:"/"Arm:" STATUSTEXTs)
        when the refusal is final or after ``timeout_s`` wall seconds.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            first = len(self.statustexts)
            result = self.command(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1)
            if result == _ACCEPTED:
                self.wait(("HEARTBEAT",), lambda m: self.armed, 10.0, "the vehicle to report armed")
                return
            # The reasons arrive as STATUSTEXT around the COMMAND_ACK.
            self.wait_sim(0.5, deadline - time.monotonic())
            reasons = [s.text for s in self.statustexts[first:] if s.text.startswith(("PreArm", "Arm"))]
            # a refusal without a reason is taken as transient too
            transient = not reasons or any(key in r for r in reasons for key in TRANSIENT_ARMING_REASONS)
            if not transient or time.monotonic() > deadline:
                raise ArmingRefused(sorted(set(reasons)) or [f"MAV_RESULT {result}"])
            self.wait_sim(retry_sim_s, deadline - time.monotonic())

    def wait_sim(self, duration_s: float, timeout_s: float = 60.0) -> None:
        """Keep receiving (and checking faults) until ``duration_s`` simulated seconds have passed.

        Returns early, without error, after ``timeout_s`` wall seconds.
        """
        until = self.time_s + duration_s
        deadline = time.monotonic() + max(timeout_s, 0.0)
        while self.time_s < until and (remaining := deadline - time.monotonic()) > 0:
            self.recv(min(remaining, 1.0))

    def set_mode(self, name: str, timeout_s: float = 10.0) -> None:
        """Switch to Copter mode ``name`` (e.g. ``"AUTO"``) and wait until the HEARTBEAT shows it."""
        number = _MODES[name]
        result = self.command(mavlink.MAV_CMD_DO_SET_MODE, mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, number)
        if result != _ACCEPTED:
            raise CommandFailed(f"vehicle refused mode {name} (MAV_RESULT {result})")
        self.wait(("HEARTBEAT",), lambda m: self.mode == name, timeout_s, f"mode {name}")

    def set_current_item(self, seq: int, timeout_s: float = 10.0) -> None:
        """Make mission item ``seq`` the current one and wait for MISSION_CURRENT to say so."""
        result = self.command(mavlink.MAV_CMD_DO_SET_MISSION_CURRENT, seq)
        if result != _ACCEPTED:
            raise CommandFailed(f"vehicle refused to make item {seq} current (MAV_RESULT {result})")
        self.wait(("MISSION_CURRENT",), lambda m: m.seq == seq, timeout_s, f"item {seq} to become current")
