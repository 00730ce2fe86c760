"""``dronedel demo``: the whole pipeline on the bundled College Station example."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from ..airspace import site_airspace
from ..config import load_site
from ..data import EXAMPLE_FILES, example_path
from ..plot.basemap import plot_airspace
from .airspace import zone_rows
from .common import print_table

__all__ = ["register", "run", "copy_example"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on the bundled example site",
        description="Copy the bundled example (site file, orders, airspace in three formats) into OUT so it can be "
        "edited and rerun, then read the airspace, compute the dispatch zone, plan the day, write missions "
        "and simulate the fleet, writing maps and reports into OUT.",
    )
    parser.add_argument("--out", type=Path, default=Path("demo"), metavar="DIR",
                        help="output folder (default: ./demo); existing example inputs there are kept, not overwritten")
    parser.set_defaults(func=run)


def copy_example(out: Path) -> Path:
    """Copy the example's input files into ``out/input`` (keeping files a user already edited); return it."""
    folder = out / "input"
    folder.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        target = folder / name
        if not target.exists():
            shutil.copyfile(example_path(name), target)
    return folder


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    inputs = copy_example(out)
    config = load_site(inputs / "site.toml")
    print(f"dronedel demo: {config.site.name} ({config.site.lon:.4f}, {config.site.lat:.4f}); inputs in {inputs}")

    airspace = site_airspace(config)
    print(f"\nAirspace: {len(airspace)} zone(s)")
    print_table(*zone_rows(airspace, config=config))
    map_path = plot_airspace(
        airspace, out / "map.png", site=config.site, authorisations=config.airspace.authorisations,
        band_agl=(0.0, config.aircraft.cruise_alt_m), title=f"{config.site.name}: operating area and airspace",
    )
    print(f"map: {map_path}")
    return 0
