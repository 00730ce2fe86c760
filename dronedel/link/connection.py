"""Open a MAVLink 2 connection to a vehicle with pymavlink, optionally signed.

``device`` uses pymavlink's syntax: ``tcp:HOST:PORT`` (SITL listens on 5760 + 10 * instance),
``udp:HOST:PORT`` / ``udpin:HOST:PORT`` (listen), ``udpout:HOST:PORT`` (send), or a serial
port such as ``/dev/ttyACM0`` (with ``baud``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fileio import read_bytes
from ..mission.items import mavlink
from .errors import LinkError, LinkTimeout

__all__ = ["connect", "wait_vehicle", "load_signing_key", "enable_signing", "GCS_SYSTEM_ID", "GCS_COMPONENT_ID"]

#: System id a ground station uses (ArduPilot's SYSID_MYGCS default) and its component id.
GCS_SYSTEM_ID = 255
GCS_COMPONENT_ID = mavlink.MAV_COMP_ID_MISSIONPLANNER

_NETWORK_PREFIXES = ("tcp:", "tcpin:", "udp:", "udpin:", "udpout:", "udpbcast:")


def _use_mavlink2() -> Any:
    """Make pymavlink speak MAVLink 2 with the ardupilotmega dialect; return ``mavutil``."""
    os.environ["MAVLINK20"] = "1"
    from pymavlink import mavutil

    if mavutil.current_dialect != "ardupilotmega" or not mavutil.mavlink20():
        mavutil.set_dialect("ardupilotmega")
    return mavutil


def connect(
    device: str,
    *,
    baud: int = 115200,
    signing_key: bytes | None = None,
    heartbeat_timeout_s: float = 30.0,
    source_system: int = GCS_SYSTEM_ID,
    source_component: int = GCS_COMPONENT_ID,
) -> Any:
    """Open ``device``, wait for the vehicle's HEARTBEAT and return the pymavlink connection.

    The connection speaks MAVLink 2 (needed for fence and rally transfers) and targets the
    first autopilot that sends a heartbeat. With ``signing_key`` (32 bytes) every outgoing
    message is signed; the vehicle must hold the same key. Raises :class:`LinkError` if the
    device cannot be opened and :class:`LinkTimeout` if no autopilot is heard.
    """
    if ":" in device and not device.startswith(_NETWORK_PREFIXES) and not device.startswith("/"):
        raise InputError(
            f"unknown connection {device!r}: use tcp:HOST:PORT, udp:HOST:PORT, udpout:HOST:PORT "
            "or a serial device path", "--connect",
        )
    mavutil = _use_mavlink2()
    try:
        conn = mavutil.mavlink_connection(
            device, baud=baud, source_system=source_system, source_component=source_component,
            dialect="ardupilotmega", autoreconnect=False, retries=3,
        )
    except (OSError, ValueError) as exc:
        raise LinkError(f"cannot open {device}: {exc}") from None
    if signing_key is not None:
        enable_signing(conn, signing_key)
    try:
        wait_vehicle(conn, heartbeat_timeout_s)
    except LinkTimeout:
        conn.close()
        raise LinkTimeout(f"no heartbeat from an autopilot on {device} within {heartbeat_timeout_s:g} s") from None
    return conn


def wait_vehicle(conn: Any, timeout_s: float = 30.0) -> Any:
    """Wait for an autopilot's HEARTBEAT (not a ground station's) and target that vehicle."""
    deadline = time.monotonic() + timeout_s
    while (remaining := deadline - time.monotonic()) > 0:
        msg = conn.recv_match(type="HEARTBEAT", blocking=True, timeout=min(remaining, 1.0))
        if msg is None:
            continue
        if msg.autopilot == mavlink.MAV_AUTOPILOT_INVALID or msg.type == mavlink.MAV_TYPE_GCS:
            continue
        conn.target_system = msg.get_srcSystem()
        conn.target_component = msg.get_srcComponent()
        return msg
    raise LinkTimeout(f"no autopilot heartbeat within {timeout_s:g} s")


def load_signing_key(path: str | Path) -> bytes:
    """Read a MAVLink 2 signing key: a file of exactly 32 bytes, or of 64 hex digits."""
    data = read_bytes(path)
    if len(data) == 32:
        return data
    text = data.decode("ascii", errors="replace").strip()
    if len(text) == 64:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    raise InputError(
        f"a signing key must be 32 bytes or 64 hex digits; this file has {len(data)} bytes", str(path)
    )


def enable_signing(conn: Any, key: bytes) -> None:
    """Sign every message ``conn`` sends with ``key`` (32 bytes); MAVLink 2 only."""
    if len(key) != 32:
        raise InputError(f"signing key must be 32 bytes, not {len(key)}", "signing key")
    if float(conn.WIRE_PROTOCOL_VERSION) < 2:
        raise LinkError("message signing needs a MAVLink 2 connection")
    conn.setup_signing(key, sign_outgoing=True)
