"""``dronedel mission``: convert, check, build and regenerate missions (.plan / .waypoints)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..airspace import site_airspace
from ..config import DELIVERY_METHODS, SiteConfig, load_site
from ..data import example_path
from ..errors import InputError
from ..formats import read_mission, write_mission, write_missions
from ..intent.f3548 import intents_document, pads_lonlat
from ..intent.intentfile import IntentFile, OperationalIntent, parse_intents, read_intents
from ..mission import Fence, Mission, fence_storage_bytes, validate_mission
from ..mission.fence import FENCE_STORAGE_BYTES
from .common import add_orders_argument, add_site_argument, print_table, read_orders, site_from_args

if TYPE_CHECKING:
    from ..dispatch import Plan

__all__ = ["register", "run", "golden_missions", "GOLDEN_FLIGHTS"]

#: How many of the example day's flights ``mission golden`` writes (and, for the first, one
#: variant per other delivery method).
GOLDEN_FLIGHTS = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "mission",
        help="convert, check, build or regenerate MAVLink missions (.plan, .waypoints)",
        description="Work with mission files: QGroundControl .plan (mission, fence and rally in one file) and "
        "QGC WPL 110 .waypoints (fence in NAME.fence.waypoints, rally in NAME.rally.waypoints); vehicle "
        "parameters the mission needs travel in NAME.param.",
    )
    sub = parser.add_subparsers(title="actions", dest="action", metavar="ACTION", required=True)

    convert = sub.add_parser("convert", help="convert between .plan and .waypoints",
                             description="Read IN (with its fence, rally and parameter companions) and write OUT in "
                             "the format of its suffix.")
    convert.add_argument("input", type=Path, metavar="IN", help="mission file to read (.plan or .waypoints)")
    convert.add_argument("output", type=Path, metavar="OUT", help="mission file to write (.plan or .waypoints)")

    check = sub.add_parser("check", help="validate a mission file and summarise it",
                           description="Check a mission before flight: values, commands, order, altitudes, every "
                           "position and leg inside the fence with FENCE_MARGIN, fence storage.")
    check.add_argument("input", type=Path, metavar="FILE", help="mission file (.plan or .waypoints)")
    check.add_argument("--plot", type=Path, metavar="PNG", help="also draw the mission and its fence on a map")
    check.add_argument("--intents", type=Path, metavar="JSON",
                       help="with --plot: the intents.json of the plan the mission comes from, to draw the flight's "
                       "operational intent and the depot's pads")
    add_site_argument(check, required=False)

    build = sub.add_parser("build", help="plan a day of orders and write each accepted flight's mission",
                           description="Plan ORDERS for SITE (as `dronedel plan` does) and write the missions of the "
                           "accepted flights, in take-off order, as ORDER.plan and ORDER.waypoints in DIR.")
    add_site_argument(build)
    add_orders_argument(build)
    build.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="folder for the mission files")
    build.add_argument("--first", type=int, metavar="N", help="only the first N flights (default: all)")
    build.add_argument("--delivery", choices=DELIVERY_METHODS,
                       help="delivery method for the missions (default: the site file's)")
    build.add_argument("--plot", action="store_true",
                       help="also draw each mission as ORDER.png, with its operational intent and the pads")

    golden = sub.add_parser("golden", help="regenerate the missions/ golden files from the bundled example",
                            description=f"Plan the bundled example day and write its first {GOLDEN_FLIGHTS} flights, "
                            "plus the first flight with each other delivery method (ORDER-METHOD), in both formats.")
    golden.add_argument("output", type=Path, metavar="DIR", help="folder to write (e.g. missions)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    actions = {"convert": run_convert, "check": run_check, "build": run_build, "golden": run_golden}
    return actions[args.action](args)


def run_convert(args: argparse.Namespace) -> int:
    mission = read_mission(args.input)
    for path in write_mission(args.output, mission):
        print(path)
    return 0


def _summary(mission: Mission) -> list[list[object]]:
    fence = Fence.from_items(mission.fence, mission.params)
    return [
        ["items", len(mission.items)], ["delivery", mission.delivery or "-"],
        ["fence polygons (in/ex)", f"{len(fence.inclusions)}/{len(fence.exclusions)}"],
        ["fence circles", len(fence.circles)], ["fence points", fence.point_count],
        ["fence storage", f"{fence_storage_bytes(fence) if mission.fence else 0} of {FENCE_STORAGE_BYTES} bytes"],
        ["rally points", len(mission.rally)],
        *[[name, f"{value:g}"] for name, value in mission.params.items()],
    ]


def run_check(args: argparse.Namespace) -> int:
    if args.intents and not args.plot:
        raise InputError("draws the flight's intent on the map: give --plot too", "--intents")
    mission = read_mission(args.input)
    validate_mission(mission, str(args.input))
    print(f"{args.input}: ok")
    print_table(["property", "value"], _summary(mission))
    if args.plot:
        from ..plot.mission import plot_mission

        config = site_from_args(args) if args.site else None
        airspace = site_airspace(config) if config else None
        intents = read_intents(args.intents) if args.intents else None
        pads = intents.pads if intents else pads_lonlat(config) if config else None
        print(plot_mission(mission, args.plot, airspace=airspace, site=config.site if config else None,
                           authorisations=config.airspace.authorisations if config else (),
                           intent=_intent_of(intents, mission, args.intents) if intents else None, pads=pads))
    return 0


def _intent_of(intents: IntentFile, mission: Mission, source: Path) -> OperationalIntent:
    """The intent of the flight ``mission`` flies (named after its order)."""
    try:
        return intents.intent(mission.name)
    except KeyError:
        raise InputError(f"has no operational intent for order {mission.name!r} (the mission's name)",
                         str(source)) from None


def _planned(config: SiteConfig, orders: Path, first: int | None) -> tuple[Plan, list[tuple[str, Mission, object]]]:
    """The plan of ``orders`` and its first flights' (order id, mission, take-off time)."""
    from ..dispatch import plan_day
    from ..mission.flights import plan_missions

    airspace = site_airspace(config)
    plan = plan_day(config, read_orders(config, orders), airspace, source=str(orders))
    return plan, [(d.order_id, m, plan.at(d.flight.takeoff_s)) for d, m in plan_missions(plan, airspace, first)]


def run_build(args: argparse.Namespace) -> int:
    config = site_from_args(args)
    if args.delivery:
        config = replace(config, aircraft=replace(config.aircraft, delivery=args.delivery))
    plan, planned = _planned(config, args.orders, args.first)
    written = write_missions(args.output, [m for _, m, _ in planned])
    if args.plot:
        from ..plot.mission import plot_mission

        airspace = site_airspace(config)
        intents = parse_intents(intents_document(plan), "the plan")
        for order_id, mission, takeoff in planned:
            written.append(plot_mission(mission, args.output / f"{order_id}.png", airspace=airspace,
                                        site=config.site, at=takeoff,
                                        authorisations=config.airspace.authorisations,
                                        intent=intents.intent(order_id), pads=intents.pads))
    print(f"{len(planned)} mission(s), {len(written)} file(s) in {args.output}")
    return 0


def golden_missions(config: SiteConfig | None = None) -> list[Mission]:
    """The golden missions: the example day's first flights, then the first flight with each other method."""
    config = config or load_site(example_path("site.toml"))
    missions = [m for _, m, _ in _planned(config, example_path("orders.csv"), GOLDEN_FLIGHTS)[1]]
    first = missions[0].name
    for method in DELIVERY_METHODS:
        if method == config.aircraft.delivery:
            continue
        variant = replace(config, aircraft=replace(config.aircraft, delivery=method))
        mission = _planned(variant, example_path("orders.csv"), 1)[1][0][1]
        missions.append(mission.replace(name=f"{first}-{method}"))
    return missions


def run_golden(args: argparse.Namespace) -> int:
    written = write_missions(args.output, golden_missions())
    print(f"{len(written)} file(s) in {args.output}")
    return 0
