"""SITL fleet window benchmark: the busiest 30 minutes of the example day flown at once.

Plans the day of ``sitl/scenarios/fleet-busiest-30min`` with ``dronedel plan``, flies its window
with ``dronedel sitl fleet`` (``--instances`` SITL instances at a time) and prints what
docs/sitl.md reports: flights flown, simulated flight time, wall time, closest approach,
losses of separation and conformance; the figures go to docs/figures/sitl_fleet_map.png and
docs/figures/sitl_fleet_separation.png.

Needs the arducopter binary (DRONEDEL_ARDUCOPTER or on PATH). Run from the repository root::

    python bench/bench_sitl_fleet.py [--instances 2] [--speedup 60]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from dronedel.cli import main
from dronedel.sitl.fleetscenario import load_fleet_scenario

TOP = Path(__file__).resolve().parents[1]
FIGURES = TOP / "docs" / "figures"
SCENARIO = TOP / "sitl" / "scenarios" / "fleet-busiest-30min"


def run(instances: int, speedup: float, keep: Path | None) -> dict:
    scenario = load_fleet_scenario(SCENARIO)
    work = keep or Path(tempfile.mkdtemp(prefix="bench-sitl-fleet-"))
    plan_args = ["plan", "--site", str(scenario.site), "--orders", str(scenario.orders), "-o", str(work / "plan")]
    began = time.monotonic()
    assert main(plan_args + (["--wind", str(scenario.wind)] if scenario.wind else [])) == 0
    planned = time.monotonic() - began
    code = main(["sitl", "fleet", str(work / "plan"), "--busiest", f"{scenario.busiest_minutes:g}", "-o",
                 str(work / "fleet"), "--instances", str(instances), "--speedup", f"{speedup:g}",
                 "--site", str(scenario.site)])
    report = json.loads((work / "fleet" / "fleet.json").read_text())
    for name in ("fleet_map", "fleet_separation"):
        shutil.copyfile(work / "fleet" / f"{name}.png", FIGURES / f"sitl_{name}.png")
    flights = report["flights"]
    return {
        "exit_code": code, "planning_wall_s": round(planned, 1), "flights_flown": report["flights_flown"],
        "simulated_flight_s": round(sum(f["flown_s"] or 0 for f in flights)), "wall_s": report["wall_s"],
        "window": report["window"], "closest_approach_m": report["separation"]["closest_approach_m"],
        "closest_approach_3d_m": report["separation"]["closest_approach_3d_m"],
        "losses": report["separation"]["losses_of_separation"],
        "pairs_airborne_together": report["separation"]["pairs_airborne_together"],
        "conforming": report["conformance"]["conforming_flights"],
        "share_inside": report["conformance"]["share_inside"],
        "max_abs_time_error": max(abs(f["time_error"]) for f in flights if f["time_error"] is not None),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--speedup", type=float, default=60.0)
    parser.add_argument("--keep", type=Path, help="folder for the plan and the fleet results (default: temporary)")
    options = parser.parse_args()
    print(json.dumps(run(options.instances, options.speedup, options.keep), indent=2))
