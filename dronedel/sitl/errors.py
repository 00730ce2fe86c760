"""Faults of a SITL run. Each carries a short ``kind`` used in reports."""

from __future__ import annotations

from ..errors import DronedelError

__all__ = ["SitlError", "SitlNotFound", "SitlCrashed", "LinkLost", "ArmingRefused", "SitlTimeout", "CommandFailed"]


class SitlError(DronedelError):
    """Something went wrong running ArduPilot SITL."""

    kind = "sitl_error"


class SitlNotFound(SitlError):
    """No ``arducopter`` binary; the message says how to provide one."""

    kind = "not_found"


class SitlCrashed(SitlError):
    """The SITL process exited on its own or panicked (``returncode`` ``None``); the end of its output is kept."""

    kind = "crash"

    def __init__(self, returncode: int | None, output_tail: str = "") -> None:
        self.returncode = returncode
        self.output_tail = output_tail
        tail = f"; last output:\n{output_tail}" if output_tail else ""
        what = "panicked" if returncode is None else f"exited with code {returncode}"
        super().__init__(f"SITL process {what}{tail}")


class LinkLost(SitlError):
    """No HEARTBEAT from the vehicle for ``silence_s`` seconds of wall time."""

    kind = "link_lost"

    def __init__(self, silence_s: float) -> None:
        self.silence_s = silence_s
        super().__init__(f"no heartbeat from the vehicle for {silence_s:.1f} s")


class ArmingRefused(SitlError):
    """The vehicle would not arm; ``reasons`` are its STATUSTEXT messages about it."""

    kind = "arming_refused"

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("vehicle refused to arm: " + ("; ".join(self.reasons) or "no reason given"))


class SitlTimeout(SitlError):
    """A wait for the vehicle ran out of time; the message says what was awaited."""

    kind = "timeout"


class CommandFailed(SitlError):
    """A MAVLink command was rejected (COMMAND_ACK result other than accepted)."""

    kind = "command_failed"
