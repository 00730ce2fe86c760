"""Faults of a MAVLink transfer, each with a message a user can act on."""

from __future__ import annotations

from ..errors import DronedelError
from ..mission.items import MISSION_TYPE_NAMES, command_name, mavlink

__all__ = ["LinkError", "LinkTimeout", "MissionRejected", "ParamRejected", "result_message"]

_RESULT = mavlink.enums["MAV_MISSION_RESULT"]

# Plain-language meaning of each MAV_MISSION_RESULT; ``{item}`` names the item concerned.
_RESULT_TEXT = {
    mavlink.MAV_MISSION_ERROR: "the vehicle reported a generic error (it may not accept mission "
    "commands right now, e.g. just after boot, or the list failed its own checks)",
    mavlink.MAV_MISSION_UNSUPPORTED_FRAME: "the coordinate frame of {item} is not supported",
    mavlink.MAV_MISSION_UNSUPPORTED: "the command of {item} is not supported by this vehicle",
    mavlink.MAV_MISSION_NO_SPACE: "the items do not fit in the vehicle's storage (for a fence: "
    "lower the point budget; right after boot: wait until the vehicle is ready)",
    mavlink.MAV_MISSION_INVALID: "a parameter of {item} is invalid",
    mavlink.MAV_MISSION_INVALID_PARAM1: "param1 of {item} is invalid",
    mavlink.MAV_MISSION_INVALID_PARAM2: "param2 of {item} is invalid",
    mavlink.MAV_MISSION_INVALID_PARAM3: "param3 of {item} is invalid",
    mavlink.MAV_MISSION_INVALID_PARAM4: "param4 of {item} is invalid",
    mavlink.MAV_MISSION_INVALID_PARAM5_X: "the latitude (x) of {item} is invalid",
    mavlink.MAV_MISSION_INVALID_PARAM6_Y: "the longitude (y) of {item} is invalid",
    mavlink.MAV_MISSION_INVALID_PARAM7: "the altitude (z) of {item} is invalid",
    mavlink.MAV_MISSION_INVALID_SEQUENCE: "{item} arrived out of sequence",
    mavlink.MAV_MISSION_DENIED: "the vehicle refuses transfers from this ground station "
    "(another transfer may be in progress)",
    mavlink.MAV_MISSION_OPERATION_CANCELLED: "the vehicle cancelled the transfer (it waited too long for us)",
}


def result_message(result: int, item: str = "an item") -> str:
    """Plain-language text for a MAV_MISSION_RESULT code, with its enum name."""
    entry = _RESULT.get(int(result))
    name = entry.name if entry is not None else f"MAV_MISSION_RESULT {int(result)}"
    text = _RESULT_TEXT.get(int(result), entry.description.strip() if entry is not None else "unknown result")
    return f"{text.format(item=item)} ({name})"


class LinkError(DronedelError):
    """A MAVLink exchange with the vehicle failed; nothing partial counts as done."""


class LinkTimeout(LinkError):
    """The vehicle did not answer within the timeouts and retries."""


class MissionRejected(LinkError):
    """The vehicle answered a transfer with an error.

    ``result`` is the MAV_MISSION_RESULT code (or ``None`` when the vehicle broke the
    protocol, e.g. asked for an item that does not exist), ``seq`` the item concerned.
    """

    def __init__(self, message: str, mission_type: int, result: int | None = None, seq: int | None = None) -> None:
        self.result = result
        self.seq = seq
        self.mission_type = mission_type
        super().__init__(f"{MISSION_TYPE_NAMES.get(mission_type, mission_type)} transfer failed: {message}")

    @classmethod
    def from_ack(cls, result: int, mission_type: int, seq: int | None, command: int | None) -> "MissionRejected":
        """The error for a MISSION_ACK ``result`` (MAV_MISSION_RESULT) about item ``seq`` (``None``: the list)."""
        item = "an item" if seq is None else f"item {seq}" + (f" ({command_name(command)})" if command is not None else "")
        return cls(result_message(result, item), mission_type, result, seq)


class ParamRejected(LinkError):
    """A PARAM_SET was not confirmed with the value asked for."""
