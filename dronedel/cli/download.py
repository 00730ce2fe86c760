"""``dronedel download``: read a vehicle's mission, fence and rally points into a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..formats import write_mission
from ..link import download_all
from .upload import add_connection_arguments, open_connection, timing_from_args

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "download",
        help="download a vehicle's mission, fence and rally points",
        description="Download mission, fence and rally over MAVLink 2 and write them to OUT (.plan, or "
        ".waypoints with NAME.fence.waypoints and NAME.rally.waypoints beside it). Item 0 is the vehicle's home.",
    )
    parser.add_argument("output", type=Path, metavar="OUT", help="file to write (.plan or .waypoints)")
    add_connection_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    timing = timing_from_args(args)
    conn = open_connection(args)
    try:
        mission = download_all(conn, timing=timing)
    finally:
        conn.close()
    if not mission.items:
        print("the vehicle has no mission (not even home); nothing written")
        return 1
    for path in write_mission(args.output, mission.replace(name=args.output.stem)):
        print(path)
    return 0
