"""``dronedel plan``: decide every order of a day; write plan.json, plan.csv and a summary."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from ..airspace import site_airspace
from ..config import SiteConfig, parse_wind
from ..dispatch import POLICIES, REASONS, Plan, plan_day
from ..dispatch.output import summary, write_plan
from ..errors import InputError, InputWarning
from ..formats import write_missions
from ..mission.flights import plan_missions
from ..orders import OrderBook, load_orders
from .common import add_site_argument, print_table, site_from_args

__all__ = ["register", "run", "read_orders", "progress_printer", "print_plan_summary"]

#: Invalid rows listed one by one on stderr; beyond that only counted.
_MAX_LISTED = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="decide every order: which drone, when it takes off, when it is at the door, or why not",
        description="Plan a day of orders for the site's fleet: each order, in arrival order, is accepted "
        "(drone, take-off, door and landing times, route, energy) or rejected with a reason. Writes "
        "DIR/plan.json, DIR/plan.csv and each accepted flight's mission (.plan and .waypoints with fence, rally "
        "and parameter companions) in DIR/missions/, and prints a summary.",
    )
    add_site_argument(parser)
    parser.add_argument("--orders", type=Path, required=True, metavar="ORDERS.csv",
                        help="orders file: order_id,placed_at,lon,lat,weight_kg")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                        help="folder for plan.json, plan.csv and missions/ (created if missing)")
    parser.add_argument("--fleet", type=int, metavar="N", help="number of drones (default: the site file's fleet)")
    parser.add_argument("--wind", metavar="SPEED@FROM",
                        help="planning wind in m/s from degrees true, e.g. 8@270 (default: the site file's)")
    parser.add_argument("--policy", choices=POLICIES, default="online",
                        help="online: earliest drone that keeps the promise, with admission control when the "
                        "fleet is saturated (default); fcfs: baseline taking only a drone idle at arrival")
    parser.set_defaults(func=run)


def read_orders(config: SiteConfig, path: Path) -> OrderBook:
    """Load the orders file for ``config``'s site; each invalid row becomes an InputWarning."""
    book = load_orders(path, config.site.tz, config.planning.start)
    for problem in book.problems[:_MAX_LISTED]:
        warnings.warn(f"{problem} (rejected as invalid_input)", InputWarning, stacklevel=2)
    if len(book.problems) > _MAX_LISTED:
        warnings.warn(f"{path}: {len(book.problems) - _MAX_LISTED} more invalid rows (see plan.csv)", InputWarning,
                      stacklevel=2)
    return book


def progress_printer(label: str, min_total: int = 2000) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback drawing a one-line bar on stderr for long runs."""
    began = time.perf_counter()

    def show(done: int, total: int) -> None:
        if total < min_total or not sys.stderr.isatty():
            return
        width = 30
        filled = int(width * done / total)
        rate = done / max(time.perf_counter() - began, 1e-9)
        end = "\n" if done >= total else ""
        print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {rate:,.0f}/s", end=end,
              file=sys.stderr, flush=True)

    return show


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
    if s["rejected_by_reason"]:
        print()
        print_table(["rejected", "reason", "meaning"],
                    [[n, code, REASONS[code]] for code, n in sorted(s["rejected_by_reason"].items(),
                                                                    key=lambda kv: -kv[1])])


def run(args: argparse.Namespace) -> int:
    config = site_from_args(args)
    if args.fleet is not None and args.fleet < 1:
        raise InputError("must be at least 1 drone", "--fleet")
    wind = parse_wind(args.wind) if args.wind else None
    book = read_orders(config, args.orders)
    airspace = site_airspace(config)
    plan = plan_day(config, book, airspace, drones=args.fleet, policy=args.policy, wind=wind,
                    progress=progress_printer("planning"), source=str(args.orders))
    json_path, csv_path = write_plan(plan, args.output)
    missions = write_missions(args.output / "missions", (m for _, m in plan_missions(plan, airspace)))
    print_plan_summary(plan)
    print(f"\nplan: {json_path}\ntable: {csv_path}\nmissions: {args.output / 'missions'} ({len(missions)} files)")
    return 0
