"""``dronedel simulate``: replay a day of orders for one or several fleet sizes; metrics and figures."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..airspace import Airspace, site_airspace
from ..config import SiteConfig
from ..dispatch import POLICIES, DayContext, audit_decisions, prepare_day
from ..dispatch.bound import capacity_bound, order_windows
from ..errors import InputError
from ..fileio import write_json
from ..simulate import DayResult, SimOptions, WindSchedule, sweep_fleet
from ..zone import DispatchZone
from .common import (
    add_batch_argument, add_orders_argument, add_site_argument, add_wind_argument, batch_from_args, print_table,
    progress_printer, read_orders, separation_line, site_from_args, wind_from_args,
)

__all__ = ["register", "run", "parse_fleet_sizes"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="replay a day of orders: service, door times, drone use, and how they change with fleet size",
        description="Replay a day as discrete events: orders arrive and are decided (as they arrive, or in "
        "batches), drones fly with the wind at take-off and random delivery times, late drones push their next "
        "flights. Writes "
        "DIR/metrics.json and figures (service map, drone timeline, door-time histogram, service vs fleet size).",
    )
    add_site_argument(parser)
    add_orders_argument(parser)
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                        help="folder for metrics.json and the figures (created if missing)")
    parser.add_argument("--fleet", metavar="N[,N...]",
                        help="fleet size, or several to sweep, e.g. 4,8,12,16 (default: the site file's); the "
                        "map, timeline and histogram show the first")
    parser.add_argument("--policy", choices=POLICIES, default="online",
                        help="dispatch policy (default online; batch decides the orders of each --batch-s "
                        "interval together); the fleet sweep also runs the fcfs baseline")
    add_batch_argument(parser)
    wind = parser.add_mutually_exclusive_group()
    add_wind_argument(wind, "steady wind", "the site file's planning wind")
    wind.add_argument("--wind-day", metavar="HH:MM=SPEED@FROM,...",
                      help="wind changing through the day, e.g. 06:00=2@180,13:00=8@200,19:00=4@220")
    wind.add_argument("--diurnal", action="store_true",
                      help="hourly daily cycle around the site's wind: +-50 %% speed, strongest at 15:00")
    parser.add_argument("--delivery-sigma", type=float, default=0.25, metavar="S",
                        help="lognormal spread of the delivery action's duration (default 0.25; 0 = as planned)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--no-figures", action="store_true", help="write metrics.json only")
    parser.set_defaults(func=run)


def parse_fleet_sizes(text: str | None, default: int) -> list[int]:
    """``"4,8,12"`` -> [4, 8, 12]; None -> [default]. InputError unless each is a positive integer."""
    if text is None:
        return [default]
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"{text!r} is not a comma-separated list of drone counts, e.g. 4,8,12", "--fleet") from None
    if not sizes or min(sizes) < 1:
        raise InputError("each fleet size must be at least 1 drone", "--fleet")
    return sizes


def run(args: argparse.Namespace) -> int:
    config = site_from_args(args)
    sizes = parse_fleet_sizes(args.fleet, config.fleet.drones)
    if not args.delivery_sigma >= 0:
        raise InputError("must be a non-negative number", "--delivery-sigma")
    batch_s = batch_from_args(args)
    book = read_orders(config, args.orders)
    if args.wind_day:
        winds = WindSchedule.parse(args.wind_day, book.start.astimezone(config.site.tz))
    elif args.diurnal:
        winds = WindSchedule.diurnal(config.planning.wind)
    else:
        winds = WindSchedule.steady(wind_from_args(args, config.planning.wind))
    airspace = site_airspace(config)
    ctx = prepare_day(config, book, airspace, source=str(args.orders))
    options = SimOptions(None, args.policy, winds, args.delivery_sigma, args.seed, batch_s)
    runs = {args.policy: sweep_fleet(ctx, sizes, options, progress_printer("simulating", 2))}
    if len(sizes) > 1 and args.policy != "fcfs":
        runs["fcfs"] = sweep_fleet(ctx, sizes, replace(options, policy="fcfs"))
    windows = order_windows(ctx, winds.at(0.0))
    bound = {n: capacity_bound(windows, n) for n in sizes}

    metrics = {"site": config.site.name, "orders_file": str(args.orders), "start": book.start.isoformat(),
               "wind": [{"from_s": t, "speed_ms": w.speed_ms, "from_deg": w.from_deg}
                        for t, w in zip(winds.times_s, winds.winds)],
               "delivery_sigma": args.delivery_sigma, "seed": args.seed,
               "batch_s": batch_s if args.policy == "batch" else None,
               "runs": [dict(r.metrics(), capacity_bound=bound[r.drones],
                             separation=audit_decisions(r.decisions, config).as_dict())
                        for rs in runs.values() for r in rs]}
    out = Path(args.output)
    write_json(out / "metrics.json", metrics)
    rows = [[m["policy"], m["drones"], m["delivered"], f"{m['delivered_share']:.1%}",
             f"{m['on_time_share']:.1%}" if m["on_time_share"] is not None else "-", m["minutes_to_door"]["p90"],
             f"{(m['drone_utilisation'] or 0):.1%}", m["flights_per_drone"]["mean"], m["energy_wh_per_delivery"]["mean"],
             m["capacity_bound"]] for m in metrics["runs"]]
    print_table(["policy", "drones", "delivered", "share", "on time", "door p90 min", "utilisation",
                 "flights/drone", "Wh/delivery", "bound"], rows)
    first = runs[args.policy][0]
    print(f"\n{first.policy}, {first.drones} drones, planned flights: "
          f"{separation_line(audit_decisions(first.decisions, config))}")
    print(f"\nmetrics: {out / 'metrics.json'}")
    if not args.no_figures:
        for path in _figures(config, airspace, ctx, runs, bound, book.start, out):
            print(f"figure: {path}")
    return 0


def _figures(config: SiteConfig, airspace: Airspace, ctx: DayContext, runs: dict[str, list[DayResult]],
             bound: dict[int, int], start: datetime, out: Path) -> list[Path]:
    """Service map, timeline and door-time histogram of the first run; service vs fleet for a sweep."""
    from ..intent.f3548 import pads_lonlat
    from ..plot.fleet import plot_door_times, plot_gantt, plot_service_map, plot_service_vs_fleet

    first = next(iter(runs.values()))
    router = ctx.table.router(ctx.activity.always)
    zone = DispatchZone.build(router, config.aircraft, promise_s=config.planning.promise_s,
                              loading_s=config.fleet.loading_s, wind=config.planning.wind)
    paths = [
        plot_service_map(first[0], airspace, out / "service_map.png", site=config.site, zone_lonlat=zone.lonlat,
                         authorisations=config.airspace.authorisations, pads=pads_lonlat(config)),
        plot_gantt(first[0], start.astimezone(config.site.tz), out / "timeline.png"),
        plot_door_times(first[0], out / "door_times.png"),
    ]
    if len(first) > 1:
        paths.append(plot_service_vs_fleet(runs, out / "service_vs_fleet.png", bound=bound))
    return paths
