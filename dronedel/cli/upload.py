"""``dronedel upload``: send a mission, its fence, rally points and parameters to a vehicle."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..formats import read_mission, read_params, read_waypoints
from ..link import Timing, connect, load_signing_key, upload_all
from ..mission.items import FENCE, MISSION_TYPE_NAMES, RALLY
from ..mission.validate import validate_mission

__all__ = ["register", "run", "add_connection_arguments", "open_connection", "timing_from_args"]


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """``--connect``, ``--baud``, ``--signing-key``, ``--timeout``, ``--retries``."""
    parser.add_argument("--connect", required=True, metavar="DEVICE",
                        help="tcp:HOST:PORT (SITL: tcp:127.0.0.1:5760), udp:HOST:PORT (listen), udpout:HOST:PORT, "
                        "or a serial port such as /dev/ttyACM0")
    parser.add_argument("--baud", type=int, default=115200, help="serial baud rate (default 115200)")
    parser.add_argument("--signing-key", type=Path, metavar="FILE",
                        help="sign messages (MAVLink 2) with this key: 32 bytes, or 64 hex digits; the vehicle "
                        "must hold the same key")
    parser.add_argument("--timeout", type=float, default=1.5, metavar="S",
                        help="seconds to wait for each answer before sending again (default 1.5)")
    parser.add_argument("--retries", type=int, default=5, metavar="N",
                        help="times to send again before giving up (default 5)")
    parser.add_argument("--heartbeat-timeout", type=float, default=30.0, metavar="S",
                        help="seconds to wait for the vehicle's heartbeat (default 30)")


def timing_from_args(args: argparse.Namespace) -> Timing:
    """The transfer timing ``--timeout`` (s) and ``--retries`` ask for."""
    if not args.timeout > 0 or args.retries < 0:
        raise InputError("--timeout must be positive and --retries at least 0", "--timeout/--retries")
    return Timing(args.timeout, args.retries)


def open_connection(args: argparse.Namespace) -> Any:
    """Connect to ``--connect`` (signing with ``--signing-key`` if given) and wait for the vehicle's heartbeat."""
    key = load_signing_key(args.signing_key) if args.signing_key else None
    conn = connect(args.connect, baud=args.baud, signing_key=key, heartbeat_timeout_s=args.heartbeat_timeout)
    print(f"connected to system {conn.target_system} component {conn.target_component} on {args.connect}")
    return conn


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "upload",
        help="upload a mission with its fence, rally points and parameters to a vehicle",
        description="Validate MISSION, then upload mission, fence and rally (each list replaced, empty ones "
        "cleared) over MAVLink 2 and set the parameters it needs (FENCE_*, MIS_OPTIONS). The fence, rally and "
        "parameter files next to MISSION are used unless given here. Exits non-zero unless every list was "
        "acknowledged and every parameter confirmed.",
    )
    parser.add_argument("mission", type=Path, metavar="MISSION", help="mission file (.plan or .waypoints)")
    add_connection_arguments(parser)
    parser.add_argument("--fence", type=Path, metavar="FILE", help="fence list (.waypoints), replacing the mission's")
    parser.add_argument("--rally", type=Path, metavar="FILE", help="rally list (.waypoints), replacing the mission's")
    parser.add_argument("--params", type=Path, metavar="FILE", help="parameter file, replacing the mission's")
    parser.add_argument("--no-params", action="store_true", help="do not set any parameter")
    parser.add_argument("--verify", action="store_true", help="download each list again and compare")
    parser.set_defaults(func=run)


def _list(path: Path, expected: int) -> tuple:
    kind, items = read_waypoints(path)
    if items and kind != expected:
        raise InputError(f"expected a {MISSION_TYPE_NAMES[expected]} list, found a {MISSION_TYPE_NAMES[kind]} list",
                         str(path))
    return tuple(items)


def run(args: argparse.Namespace) -> int:
    mission = read_mission(args.mission)
    if args.fence:
        mission = mission.replace(fence=_list(args.fence, FENCE))
    if args.rally:
        mission = mission.replace(rally=_list(args.rally, RALLY))
    if args.params:
        mission = mission.replace(params=read_params(args.params))
    validate_mission(mission, str(args.mission))
    timing = timing_from_args(args)
    conn = open_connection(args)
    try:
        upload_all(conn, mission, with_params=not args.no_params, verify=args.verify, timing=timing)
    finally:
        conn.close()
    print(f"uploaded {len(mission.items)} mission items, {len(mission.fence)} fence items, "
          f"{len(mission.rally)} rally points"
          + ("" if args.no_params or not mission.params else f"; set {', '.join(mission.params)}")
          + ("; verified" if args.verify else ""))
    return 0
