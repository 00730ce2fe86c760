"""``dronedel demo``: the whole pipeline on the bundled College Station example.

The demo is the commands a user would type, run in order on a copy of the example:
``airspace``, ``zone``, ``plan`` (which writes every flight's mission), ``mission check``
on one of them and ``simulate``; the outputs land under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from ..config import load_site
from ..data import EXAMPLE_FILES, example_path
from ..errors import DronedelError

__all__ = ["register", "run", "copy_example", "demo_steps"]

def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on the bundled example site",
        description="Copy the bundled example (site file, orders, airspace in three formats) into OUT/input so it "
        "can be edited and rerun, then read the airspace, compute the dispatch zone, plan the day and write every "
        "flight's mission, check and draw one, and simulate the fleet, writing maps and reports into OUT.",
    )
    parser.add_argument("--out", type=Path, default=Path("demo"), metavar="DIR",
                        help="output folder (default: ./demo); example inputs already in DIR/input are kept, so "
                        "edit them and rerun")
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


def _first_detour(out: Path) -> str:
    """Order id of the day's first accepted flight whose route bends around a zone (else the first flight)."""
    decisions = json.loads((out / "plan" / "plan.json").read_text())["decisions"]
    flights = sorted((d for d in decisions if d["flight"]), key=lambda d: d["flight"]["takeoff_at"])
    if not flights:
        raise DronedelError("the demo's plan accepted no order")
    bending = [d for d in flights if len(d["flight"]["outbound"]["lonlat"]) > 2]
    return (bending or flights)[0]["order_id"]


def demo_steps(out: Path) -> Iterator[tuple[str, list[str]]]:
    """The demo's steps, a title and the ``dronedel`` arguments of each (later ones read earlier outputs)."""
    site = str(out / "input" / "site.toml")
    orders = str(out / "input" / "orders.csv")
    yield "Airspace", ["airspace", "--site", site, "--plot", str(out / "map.png")]
    yield ("Dispatch zone (30 minutes from order to door, planning wind)",
           ["zone", "--site", site, "-o", str(out / "zone.geojson"), "--plot", str(out / "zone.png")])
    yield "Plan of the day", ["plan", "--site", site, "--orders", orders, "-o", str(out / "plan")]
    order = _first_detour(out)
    yield (f"Mission of order {order}, the day's first route around a zone",
           ["mission", "check", str(out / "plan" / "missions" / f"{order}.plan"), "--site", site,
            "--intents", str(out / "plan" / "intents.json"), "--plot", str(out / f"mission-{order}.png")])
    drones = load_site(site).fleet.drones
    sizes = sorted({drones, max(1, drones // 2), drones * 3 // 2, drones * 2} - {drones})
    yield (f"Fleet-day simulation: {drones} drones, and {', '.join(map(str, sizes))} to compare",
           ["simulate", "--site", site, "--orders", orders, "-o", str(out / "simulation"),
            "--fleet", ",".join(map(str, [drones, *sizes]))])


def _headline(out: Path) -> str:
    document = json.loads((out / "plan" / "plan.json").read_text())
    plan = document["summary"]
    door = plan["minutes_to_door"]
    return (f"{plan['accepted']} of {plan['orders']} orders promised within {document['promise_s'] / 60:g} minutes "
            f"({plan['accepted_share']:.0%}); door in {door['mean']:.1f} min on average, {door['max']:.1f} at most; "
            f"{plan['energy_wh_per_delivery']['mean']:.0f} Wh per delivery; {_separation(plan['separation'])}")


def _separation(audit: dict) -> str:
    standard = f"{audit['standard']['horizontal_m']:g} m / {audit['standard']['vertical_m']:g} m"
    closest = audit["closest_approach_m"]
    near = f"closest approach {closest:.0f} m" if closest is not None else "no two drones ever at one level"
    return f"{near}, {audit['losses_of_separation']} losses of separation ({standard} standard)"


def run(args: argparse.Namespace) -> int:
    from . import build_parser

    out: Path = args.out
    inputs = copy_example(out)
    print(f"dronedel demo: example inputs in {inputs}, outputs in {out}")
    parser = build_parser()
    for title, argv in demo_steps(out):
        print(f"\n== {title}\n$ dronedel {' '.join(argv)}\n")
        step = parser.parse_args(argv)
        code = step.func(step)
        if code:
            return code
    print(f"\n== Headline\n{_headline(out)}")
    return 0
