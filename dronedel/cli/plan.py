"""``dronedel plan``: decide every order of a day; write plan.json, plan.csv, intents.json and a summary."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..airspace import site_airspace
from ..dispatch import POLICIES, REASONS, Plan, plan_day
from ..dispatch.output import summary, write_plan
from ..errors import InputError
from ..formats import write_missions
from ..intent.f3548 import write_intents
from ..intent.geoid import geoid_undulation
from ..mission.flights import plan_missions
from .common import (
    add_batch_argument, add_orders_argument, add_site_argument, add_wind_argument, batch_from_args, print_table,
    progress_printer, read_orders, separation_line, site_from_args, wind_from_args,
)

__all__ = ["register", "run", "print_plan_summary"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="decide every order: which drone, when it takes off, when it is at the door, or why not",
        description="Plan a day of orders for the site's fleet: each order, in arrival order, is accepted "
        "(drone, take-off, door and landing times, route, energy) or rejected with a reason. Writes "
        "DIR/plan.json, DIR/plan.csv, the flights' ASTM F3548-21 operational intents (DIR/intents.json, "
        "DIR/intents.geojson) and each accepted flight's mission (.plan and .waypoints with fence, rally "
        "and parameter companions) in DIR/missions/, and prints a summary.",
    )
    add_site_argument(parser)
    add_orders_argument(parser)
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                        help="folder for plan.json, plan.csv, intents.json, intents.geojson and missions/ (created if "
                        "missing)")
    parser.add_argument("--fleet", type=int, metavar="N", help="number of drones (default: the site file's fleet)")
    add_wind_argument(parser, "planning wind", "the site file's")
    parser.add_argument("--policy", choices=POLICIES, default="online",
                        help="online: earliest drone that keeps the promise, with admission control when the "
                        "fleet is saturated (default); batch: the orders of each --batch-s interval decided "
                        "together at its end, shortest flights first; fcfs: baseline taking only a drone idle at "
                        "arrival")
    add_batch_argument(parser)
    parser.add_argument("--no-look-ahead", dest="look_ahead", action="store_false",
                        help="compute the flights in this process only, instead of ahead in a second one while "
                        "deciding (the same decisions; slower where there are several CPUs)")
    parser.set_defaults(func=run)


def print_plan_summary(plan: Plan) -> None:
    """The plan's headline figures and rejections by reason as tables on stdout."""
    s = summary(plan)
    door = s["minutes_to_door"]
    energy = s["energy_wh_per_delivery"]
    print_table(["orders", "accepted", "share", "door min (mean/p90/max)", "Wh/delivery", "drones",
                 "flights/drone", "utilisation"],
                [[s["orders"], s["accepted"], f"{(s['accepted_share'] or 0):.1%}",
                  f"{door['mean']}/{door['p90']}/{door['max']}", energy["mean"], plan.drones,
                  s["flights_per_drone"]["mean"], f"{(s['drone_utilisation'] or 0):.1%}"]])
    print()
    print(separation_line(plan.separation))
    if s["rejected_by_reason"]:
        print()
        print_table(["rejected", "reason", "meaning"],
                    [[n, code, REASONS[code]] for code, n in sorted(s["rejected_by_reason"].items(),
                                                                    key=lambda kv: -kv[1])])


def run(args: argparse.Namespace) -> int:
    config = site_from_args(args)
    if args.fleet is not None and args.fleet < 1:
        raise InputError("must be at least 1 drone", "--fleet")
    wind = wind_from_args(args, None)
    batch_s = batch_from_args(args)
    book = read_orders(config, args.orders)
    undulation = geoid_undulation(config)  # before planning: a missing geoid fails at once
    airspace = site_airspace(config)
    plan = plan_day(config, book, airspace, drones=args.fleet, policy=args.policy, wind=wind, batch_s=batch_s,
                    progress=progress_printer("planning"), source=str(args.orders), look_ahead=args.look_ahead)
    json_path, csv_path = write_plan(plan, args.output)
    intents_path, geojson_path = write_intents(plan, args.output, undulation)
    missions = write_missions(args.output / "missions", (m for _, m in plan_missions(plan, airspace)))
    print_plan_summary(plan)
    print(f"\nplan: {json_path}\ntable: {csv_path}\nintents (ASTM F3548-21): {intents_path}\n"
          f"intent volumes (GeoJSON): {geojson_path}\nmissions: {args.output / 'missions'} ({len(missions)} files)")
    return 0
