"""``dronedel airspace``: read airspace files, print the zone table, draw the map."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from ..airspace import FORMATS, Airspace, Exemption, Zone, format_height, planning_range, read_airspace
from ..config import SiteConfig
from ..errors import InputError
from ..plot.basemap import plot_airspace
from .common import add_site_argument, print_table, site_from_args, time_from_args

__all__ = ["register", "run", "zone_rows"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "airspace",
        help="read airspace files, print the zone table and draw the map",
        description="Read airspace files (GeoJSON, ED-269 JSON, OpenAir 1 or 2, the FAA UAS facility map grid or "
        "national security UAS flight restrictions; format detected from the content), print one line per zone "
        "and optionally draw a map. With --site only the zones within the site's planning range are kept, and a "
        "record that cannot be read is an error only where it could lie within that range.",
    )
    parser.add_argument(
        "files", nargs="*", type=Path, metavar="FILE",
        help="airspace file(s); default: the files the --site file lists",
    )
    parser.add_argument("--format", choices=FORMATS, help="read every FILE as this format instead of detecting it")
    parser.add_argument("--encoding", metavar="NAME",
                        help="text encoding of every FILE (e.g. utf-8, cp1252, latin-1); default: detected")
    parser.add_argument("--strict", action="store_true",
                        help="every record that cannot be read is an error, even outside the planning range")
    add_site_argument(parser, required=False)
    parser.add_argument(
        "--at", metavar="ISO_TIME",
        help="also say which zones are active at this time (ISO 8601; without an offset it is the site's local "
        "time, or UTC without --site)",
    )
    parser.add_argument(
        "--plot", type=Path, metavar="MAP.png", help="draw the map (site, operating area, zones) to this file"
    )
    parser.set_defaults(func=run)


def _blocks(zone: Zone, airspace: Airspace, config: SiteConfig, at: datetime | None) -> str:
    """Whether the zone blocks a flight from the ground to cruise altitude, and why not."""
    top = config.aircraft.cruise_alt_m
    why = zone.exemption(0.0, top, airspace.ground_amsl_m, at, authorisations=config.airspace.authorisations)
    if why is None:
        return "yes"
    return f"no (outside 0-{top:g} m AGL)" if why is Exemption.OUTSIDE_BAND else f"no ({why.value})"


def zone_rows(
    airspace: Airspace, at: datetime | None = None, config: SiteConfig | None = None
) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the zone table; ``active`` with ``at``, ``blocks`` with a site config."""
    headers = ["id", "name", "restriction", "floor", "ceiling", "schedule"]
    if at is not None:
        headers.append("active")
    if config is not None:
        headers.append("blocks")
    headers.append("source")
    rows = []
    for zone in airspace:
        row = [zone.id, zone.name, zone.restriction.value, format_height(zone.floor), format_height(zone.ceiling),
               zone.schedule.describe()]
        if at is not None:
            row.append("yes" if zone.is_active(at) else "no")
        if config is not None:
            row.append(_blocks(zone, airspace, config, at))
        row.append(f"{Path(zone.source).name} {zone.where}".strip())
        rows.append(row)
    return headers, rows


def run(args: argparse.Namespace) -> int:
    config = site_from_args(args) if args.site else None
    if not args.files and config is None:
        raise InputError("give airspace FILE(s) or a --site file that lists them", "dronedel airspace")
    tz = config.site.tz if config else timezone.utc
    at = time_from_args(args, tz)
    airspace = read_airspace(
        args.files or config.airspace.files, args.format,
        config.site.elevation_m if config else 0.0, tz,
        operating_area=config.airspace.operating_area if config else None,
        encoding=args.encoding, planning_range=planning_range(config) if config else None, strict=args.strict,
    )
    headers, rows = zone_rows(airspace, at, config)
    print_table(headers, rows)
    where = " within the site's planning range" if config else ""
    print(f"\n{len(airspace)} zone(s){where}; heights in metres (feet in brackets); AGL over ground at "
          f"{airspace.ground_amsl_m:g} m AMSL")
    if args.plot:
        path = plot_airspace(
            airspace, args.plot, site=config.site if config else None, at=at,
            authorisations=config.airspace.authorisations if config else (),
            band_agl=(0.0, config.aircraft.cruise_alt_m) if config else None,
        )
        print(f"map: {path}")
    return 0
