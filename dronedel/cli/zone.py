"""``dronedel zone``: the dispatch zone of a site as GeoJSON, and its map."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..airspace import site_airspace
from ..errors import InputError
from ..fileio import write_json
from ..geo import LocalFrame
from ..routing import Router
from ..zone import DispatchZone
from .common import add_site_argument, add_wind_argument, site_from_args, time_from_args, wind_from_args

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "zone",
        help="compute the dispatch zone: where doors can be served within the promise",
        description="Compute the region whose doors an idle drone reaches within the promise (loading "
        "included) and returns from with the energy reserve, routing around the blocking airspace with the "
        "safety margin. Writes GeoJSON in (lon, lat) degrees.",
    )
    add_site_argument(parser)
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="ZONE.geojson",
                        help="GeoJSON file to write (written atomically)")
    parser.add_argument("--minutes", type=float, metavar="MIN",
                        help="the promise in minutes from order to door (default: the site file's promise_min)")
    add_wind_argument(parser, "steady wind", "the site file's wind")
    parser.add_argument("--at", metavar="ISO_TIME",
                        help="time whose active zones block (ISO 8601, site local time without an offset; "
                        "default: every zone counts as active)")
    parser.add_argument("--margin", type=float, metavar="M",
                        help="lateral safety margin from zones and the area edge, m (default: the site file's)")
    parser.add_argument("--payload", type=float, metavar="KG",
                        help="parcel mass, kg (default: the aircraft's maximum payload)")
    parser.add_argument("--sectors", type=int, default=72, metavar="N",
                        help="heading sectors used with wind (default 72, 5 degrees each)")
    parser.add_argument("--tolerance", type=float, default=1.0, metavar="M",
                        help="largest chord error of the reach circles, m (default 1; the zone errs inside)")
    parser.add_argument("--plot", type=Path, metavar="MAP.png", help="also draw the zone over the airspace map")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = site_from_args(args)
    site, plan = config.site, config.planning
    at = time_from_args(args, site.tz)
    wind = wind_from_args(args, plan.wind)
    promise_s = args.minutes * 60.0 if args.minutes is not None else plan.promise_s
    margin = plan.margin_m if args.margin is None else args.margin
    if not promise_s > 0:
        raise InputError("must be a positive number of minutes", "--minutes")
    if args.sectors < 1:
        raise InputError("must be at least 1", "--sectors")
    if not args.tolerance > 0:
        raise InputError("must be a positive number of metres", "--tolerance")

    airspace = site_airspace(config)
    frame = LocalFrame(site.lon, site.lat)
    band = (0.0, config.aircraft.cruise_alt_m)
    router = Router.for_airspace(airspace, frame, band=band, at=at, authorisations=config.airspace.authorisations,
                                 margin_m=margin)
    zone = DispatchZone.build(router, config.aircraft, promise_s=promise_s, loading_s=config.fleet.loading_s,
                              payload_kg=args.payload, wind=wind, at=at, sectors=args.sectors,
                              tolerance_m=args.tolerance)
    write_json(args.output, zone.to_geojson())
    spread = float(zone.reach_m.max() - zone.reach_m.min())
    reach = (f"{zone.reach_m[0] / 1000:.2f} km" if spread < 1.0 else
             f"{zone.reach_m.min() / 1000:.2f}-{zone.reach_m.max() / 1000:.2f} km by heading "
             f"(within {zone.heading_error_m:.0f} m)")
    print(f"dispatch zone: {zone.area_km2:.1f} km², reach {reach}, {len(router.obstacles)} blocking zone(s) "
          f"with {margin:g} m margin, wind {wind}, {promise_s / 60:g} min promise")
    print(f"zone: {args.output}")
    if args.plot:
        from ..plot.zone import plot_zone

        path = plot_zone(zone, airspace, args.plot, site=site, at=at, authorisations=config.airspace.authorisations,
                         band_agl=band)
        print(f"map: {path}")
    return 0
