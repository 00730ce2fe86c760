"""ArduPilot SITL benchmark: speed at each speed-up, one and two instances, and flown against planned time.

- wall time per simulated flight-minute, and the real-time factor, at speed-ups 1-100 for one
  instance and for two instances flying at once (measured in flight, from arming on);
- boot to ready-to-arm wall time;
- the regression scenarios (sitl/scenarios) flown two at a time: flown against planned time;
- figures ``sitl_speed.png``, ``sitl_time_error.png`` and ``sitl_flight.png`` (the no-fly
  detour flown) in docs/figures.

Needs the arducopter binary (DRONEDEL_ARDUCOPTER or on PATH). Run from the repository root::

    python bench/bench_sitl.py
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dronedel.link import upload_all
from dronedel.plot.sitl import plot_speedup, plot_time_errors
from dronedel.plot.track import plot_flight
from dronedel.sitl import RunOptions, SitlOptions, SitlProcess, Vehicle, find_arducopter, regress, summary
from dronedel.sitl.regress import sitl_options
from dronedel.sitl.scenario import load_scenario

TOP = Path(__file__).resolve().parents[1]
FIGURES = TOP / "docs" / "figures"
PARAMS = (TOP / "sitl" / "delivery_quad.parm",)
FRAME = TOP / "sitl" / "delivery_quad.json"


def measure(options: SitlOptions, mission, sim_s: float) -> dict[str, float]:
    """Boot, get ready, start the mission and time ``sim_s`` simulated seconds of flight."""
    started = time.monotonic()
    with SitlProcess(options) as process:
        vehicle = Vehicle.connect(process)
        vehicle.request_rates()
        vehicle.wait_ready_to_arm()
        ready = time.monotonic() - started
        upload_all(vehicle.conn, mission)
        vehicle.set_current_item(1)
        vehicle.set_mode("AUTO")
        vehicle.arm()
        sim0, wall0 = vehicle.time_s, time.monotonic()
        vehicle.wait_sim(sim_s, timeout_s=10 * sim_s)
        wall = time.monotonic() - wall0
        sim = vehicle.time_s - sim0
        vehicle.close()
    return {"speedup": options.speedup, "ready_s": ready, "sim_s": sim, "wall_s": wall, "factor": sim / wall,
            "wall_per_sim_min": 60.0 * wall / sim}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speedups", type=float, nargs="+", default=[1, 10, 20, 30, 40, 50, 60, 80, 100])
    parser.add_argument("--parallel", type=float, nargs="+", default=[20, 30, 40, 50, 60, 80])
    parser.add_argument("--no-regression", action="store_true")
    parser.add_argument("--no-figures", action="store_true")
    args = parser.parse_args()
    binary = find_arducopter()
    scenario = load_scenario(TOP / "sitl" / "scenarios" / "drop")
    mission = scenario.flights()[0].mission
    run = RunOptions(binary, PARAMS, FRAME)

    def options(speedup: float) -> SitlOptions:
        base = sitl_options(scenario, run)
        return SitlOptions(base.binary, base.home, base.param_files, speedup=speedup, frame_file=FRAME)

    def sim_window(speedup: float) -> float:  # about 10 s of wall time, at least a minute simulated
        return min(300.0, max(60.0, 10.0 * speedup))

    print("## One instance\n")
    print("| speed-up | ready (wall s) | simulated s | wall s | real-time factor | wall s per flight-minute |")
    print("|---:|---:|---:|---:|---:|---:|")
    single = []
    for speedup in args.speedups:
        m = measure(options(speedup), mission, sim_window(speedup))
        single.append(m)
        print(f"| {speedup:g} | {m['ready_s']:.1f} | {m['sim_s']:.0f} | {m['wall_s']:.1f} | {m['factor']:.1f} | "
              f"{m['wall_per_sim_min']:.2f} |", flush=True)

    print("\n## Two instances at once\n")
    print("| speed-up | real-time factor, each | wall s per flight-minute, each |")
    print("|---:|---:|---:|")
    parallel = []
    for speedup in args.parallel:
        with ThreadPoolExecutor(2) as pool:
            pair = list(pool.map(lambda _: measure(options(speedup), mission, sim_window(speedup)), range(2)))
        parallel.append((speedup, min(m["factor"] for m in pair)))
        factors = " / ".join(f"{m['factor']:.1f}" for m in pair)
        minutes = " / ".join(f"{m['wall_per_sim_min']:.2f}" for m in pair)
        print(f"| {speedup:g} | {factors} | {minutes} |", flush=True)

    if not args.no_figures:
        print(plot_speedup({"1 instance": [(m["speedup"], m["factor"]) for m in single],
                            "2 instances at once (slower of the two)": parallel}, FIGURES / "sitl_speed.png"))

    if args.no_regression:
        return
    print("\n## Regression scenarios, flown two at a time at speed-up 60\n")
    started = time.monotonic()
    results = regress(TOP / "sitl" / "scenarios", RunOptions(binary, PARAMS, FRAME, 60.0, 2))
    wall = time.monotonic() - started
    data = summary(results)
    print("| flight | delivery | outcome | flown s | planned s | error | failed checks |")
    print("|---|---|---|---:|---:|---:|---|")
    for r in data["flights"]:
        error = "-" if r["error"] is None else f"{100 * r['error']:+.1f} %"
        print(f"| {r['flight']} | {r['delivery']} | {r['outcome']} | {r['flown_s'] or 0:.0f} | "
              f"{r['planned_s'] or 0:.0f} | {error} | {', '.join(r['failed_checks']) or '-'} |")
    print(f"\n{data['passed']} of {data['total']} passed in {wall:.0f} s wall; largest |error| "
          f"{100 * (data['max_abs_time_error'] or 0):.1f} %")
    if not args.no_figures:
        print(plot_time_errors([r["flight"] for r in data["flights"]], [r["error"] for r in data["flights"]],
                               FIGURES / "sitl_time_error.png"))
        detour = next(r for r in results if r.scenario.name == "no-fly-detour")
        print(plot_flight(detour.report, FIGURES / "sitl_flight.png", airspace=detour.scenario.airspace,
                          site=detour.scenario.config.site, at=detour.flight.takeoff))


if __name__ == "__main__":
    main()
