"""``dronedel demand``: a synthetic day of orders for a site, written as the orders CSV the planner reads."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

from ..airspace import site_airspace
from ..demand import DemandArea, DemandModel, PackageWeights, Uniform, order_day, read_density, write_orders
from ..errors import InputError
from .common import add_site_argument, site_from_args

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demand",
        help="draw a synthetic day of orders for a site (doors over the reachable area, lunch and dinner peaks)",
        description="Draw a day of orders: doors from a spatial density over the site's reachable area (uniform, "
        "or weighted points lon,lat,weight in a CSV, or a population GeoTIFF), times from an hourly profile with "
        "lunch and dinner peaks, lognormal package masses. Writes the orders CSV that plan and simulate read.",
    )
    add_site_argument(parser)
    parser.add_argument("--orders-per-day", type=float, required=True, metavar="N", help="orders in the day")
    parser.add_argument("--density", type=Path, metavar="FILE",
                        help="CSV of lon,lat,weight points or a GeoTIFF population raster (default: uniform)")
    parser.add_argument("--beyond-m", type=float, default=0.0, metavar="M",
                        help="let demand reach this far beyond the reachable area, m (default 0)")
    parser.add_argument("--date", metavar="YYYY-MM-DD",
                        help="the day (default: the date of the site file's [planning] start, else today)")
    parser.add_argument("--poisson", action="store_true",
                        help="draw the number of orders from a Poisson distribution of mean N")
    parser.add_argument("--weight-median-kg", type=float, default=1.0, metavar="KG",
                        help="median package mass, kg (lognormal; default 1.0)")
    parser.add_argument("--weight-sigma", type=float, default=0.7, metavar="S",
                        help="log-space spread of package masses (default 0.7)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="ORDERS.csv", help="orders file to write")
    parser.set_defaults(func=run)


def _day(args: argparse.Namespace, start: datetime | None, tz) -> date:
    if args.date:
        try:
            return date.fromisoformat(args.date)
        except ValueError:
            raise InputError(f"{args.date!r} is not a date (YYYY-MM-DD)", "--date") from None
    return start.astimezone(tz).date() if start is not None else datetime.now(tz).date()


def run(args: argparse.Namespace) -> int:
    config = site_from_args(args)
    if not args.orders_per_day >= 0:
        raise InputError("must be a non-negative number", "--orders-per-day")
    if not args.beyond_m >= 0:
        raise InputError("must be a non-negative number of metres", "--beyond-m")
    try:
        weights = PackageWeights(args.weight_median_kg, args.weight_sigma)
    except ValueError as exc:
        raise InputError(str(exc), "--weight-median-kg/--weight-sigma") from None
    day = _day(args, config.planning.start, config.site.tz)
    density = read_density(args.density) if args.density else Uniform()
    area = DemandArea.reachable(config, site_airspace(config), args.beyond_m)
    model = DemandModel(args.orders_per_day, density, weights=weights, poisson=args.poisson)
    book = order_day(model, area, day, config.site.tz, args.seed)
    path = write_orders(args.output, book)
    print(f"{len(book)} orders on {day.isoformat()} over {area.area_km2:.1f} km² "
          f"({'uniform' if args.density is None else args.density}): {path}")
    return 0
