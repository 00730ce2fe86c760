"""Set vehicle parameters with PARAM_SET and wait for the PARAM_VALUE that confirms each."""

from __future__ import annotations

import struct
import time
from collections.abc import Mapping
from typing import Any

from ..mission.items import mavlink
from .errors import LinkTimeout, ParamRejected
from .transfer import DEFAULT_TIMING, Timing

__all__ = ["set_params", "get_param"]

_NAME_LENGTH = 16  # PARAM_SET.param_id is char[16]


def _f32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", float(value)))[0]


def _await_value(conn: Any, name: str, timeout_s: float) -> Any:
    deadline = time.monotonic() + timeout_s
    while (remaining := deadline - time.monotonic()) > 0:
        msg = conn.recv_match(type="PARAM_VALUE", blocking=True, timeout=remaining)
        if msg is None:
            return None
        if conn.target_system and msg.get_srcSystem() != conn.target_system:
            continue
        if msg.param_id == name:
            return msg
    return None


def set_params(conn: Any, params: Mapping[str, float], *, timing: Timing = DEFAULT_TIMING) -> dict[str, float]:
    """Set each ``{name: value}`` on the vehicle and return the values it confirmed.

    Each PARAM_SET is repeated until a PARAM_VALUE for that name arrives (up to
    ``timing.retries`` times); a confirmed value that differs from the one asked for (as a
    float32) raises :class:`ParamRejected`, no answer at all :class:`LinkTimeout` (an unknown
    name also goes unanswered). Values are sent as REAL32; ArduPilot converts to each
    parameter's own type.
    """
    confirmed: dict[str, float] = {}
    for name, value in params.items():
        if not name or len(name) > _NAME_LENGTH or not name.isascii():
            raise ValueError(f"parameter name {name!r} must be 1-{_NAME_LENGTH} ASCII characters")
        wanted = _f32(value)
        for _ in range(timing.retries + 1):
            conn.mav.param_set_send(conn.target_system, conn.target_component, name.encode("ascii"),
                                    wanted, mavlink.MAV_PARAM_TYPE_REAL32)
            msg = _await_value(conn, name, timing.item_timeout_s)
            if msg is not None:
                break
        else:
            raise LinkTimeout(f"parameter {name}: no PARAM_VALUE after {timing.retries + 1} attempts "
                              "(unknown parameter, or the vehicle is not answering)")
        got = _f32(msg.param_value)
        if got != wanted:
            raise ParamRejected(f"parameter {name}: asked for {value:g}, the vehicle kept {got:g}")
        confirmed[name] = got
    return confirmed


def get_param(conn: Any, name: str, *, timing: Timing = DEFAULT_TIMING) -> float:
    """Read one parameter with PARAM_REQUEST_READ; :class:`LinkTimeout` if it never arrives."""
    for _ in range(timing.retries + 1):
        conn.mav.param_request_read_send(conn.target_system, conn.target_component, name.encode("ascii"), -1)
        msg = _await_value(conn, name, timing.item_timeout_s)
        if msg is not None:
            return float(msg.param_value)
    raise LinkTimeout(f"parameter {name}: no PARAM_VALUE after {timing.retries + 1} requests")
