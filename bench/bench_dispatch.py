"""Dispatch benchmark: planning throughput and memory, quality against bounds, simulation speed.

The benchmark day: the bundled College Station site and airspace (with 12 pads for its 50
drones, :func:`benchmark_site`), 10,000 orders (seeded)
placed 07:00-23:00 with lunch and dinner peaks (the hourly shape of the example day), doors
in neighbourhood clusters and scattered over the operating area, parcels of about 1 kg
(a few above the 2.5 kg limit), 50 drones. It measures

- throughput: wall time of ``plan_day`` (doors projected, routes, flights, every decision)
  and decisions per second; peak Python memory (tracemalloc) and the process's peak RSS;
- quality: orders served by the online policy (with and without admission control), by the
  batch policy (decisions every 60 s, and every 30 s and 120 s), and by the
  first-come-first-served baseline (an idle drone at once, or reject), against two
  upper bounds on the orders servable: the fleet's drone-time over the day filled with
  the shortest feasible cycles (``capacity_bound``) and the same capacity counted per
  10-minute slot of each order's window (``window_bound``, a linear programme);
- simulation speed: replayed days per wall second (routes cached, as in a fleet sweep),
  with a diurnal wind and random delivery times;
- a fleet sweep of the benchmark day (figure ``dispatch_fleet.png``), and the example day's
  figures for docs/planning.md (``plan_example_*.png``).

Run from the repository root (about a minute; be kind to shared machines)::

    nice python bench/bench_dispatch.py
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import shapely

from dronedel.airspace import site_airspace
from dronedel.config import load_site
from dronedel.dispatch import plan_day, prepare_day
from dronedel.dispatch.bound import capacity_bound, order_windows, window_bound
from dronedel.geo import LocalFrame
from dronedel.orders import Order, OrderBook, load_orders
from dronedel.simulate import SimOptions, WindSchedule, simulate_day, sweep_fleet

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "dronedel" / "data" / "example"
FIGURES = ROOT / "docs" / "figures"

#: Relative order rate per local hour 0..23 (the example day's shape: lunch and dinner peaks).
HOURLY = np.array([0, 0, 0, 0, 0, 0, 0, 6, 11, 11, 17, 31, 36, 27, 14, 13, 14, 24, 35, 30, 17, 7, 3, 0], float)


def benchmark_site(config, pads: int = 12):
    """The example site with ``pads`` launch pads in a grid 60 m apart around the depot (the 50-drone
    benchmark fleet needs more pads than the example's 4: each pad launches or lands one drone at a time)."""
    from dataclasses import replace

    from dronedel.config import Pad

    columns = int(np.ceil(np.sqrt(pads)))
    rows = int(np.ceil(pads / columns))
    grid = [Pad(f"pad-{k + 1}", 60.0 * (c - (columns - 1) / 2), 60.0 * (r - (rows - 1) / 2))
            for k, (r, c) in enumerate((r, c) for r in range(rows) for c in range(columns)) if k < pads]
    return replace(config, separation=replace(config.separation, pads=tuple(grid)))


def benchmark_day(config, n: int, seed: int) -> OrderBook:
    """``n`` orders on the site's day: diurnal times, clustered and scattered doors, ~1 kg parcels."""
    rng = np.random.default_rng(seed)
    frame = LocalFrame(config.site.lon, config.site.lat)
    airspace = site_airspace(config)
    area = frame.geometry_to_local(airspace.operating_area)
    hours = rng.choice(24, n, p=HOURLY / HOURLY.sum())
    seconds = np.sort(hours * 3600 + rng.uniform(0, 3600, n))
    x0, y0, x1, y1 = area.bounds

    def inside(m: int) -> np.ndarray:
        out = np.empty((0, 2))
        while len(out) < m:
            p = rng.uniform((x0, y0), (x1, y1), (2 * m, 2))
            out = np.vstack([out, p[shapely.contains_xy(area, p[:, 0], p[:, 1])]])
        return out[:m]

    centres = inside(40)
    clustered = rng.uniform(size=n) < 0.7
    doors = inside(n)
    pick = rng.integers(0, len(centres), clustered.sum())
    doors[clustered] = centres[pick] + rng.normal(0, 600, (clustered.sum(), 2))
    lon, lat = frame.to_lonlat(doors[:, 0], doors[:, 1])
    weight = np.round(rng.lognormal(np.log(1.0), 0.45, n), 2)
    start = config.planning.start or datetime(2026, 6, 13, tzinfo=config.site.tz)
    orders = tuple(Order(f"B{i:05d}", start + timedelta(seconds=float(seconds[i])), float(lon[i]), float(lat[i]),
                         float(weight[i]), i + 2) for i in range(n))
    return OrderBook(orders, start)


def throughput(config, book, drones: int) -> dict:
    airspace = site_airspace(config)
    t0 = time.perf_counter()
    plan = plan_day(config, book, airspace, drones=drones)
    wall = time.perf_counter() - t0
    tracemalloc.start()
    plan_day(config, book, airspace, drones=drones)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"plan": plan, "wall_s": wall, "per_s": len(book) / wall, "traced_mb": peak / 2**20, "rss_mb": rss}


def quality(config, book, drones: int) -> tuple[dict, object]:
    ctx = prepare_day(config, book, site_airspace(config))
    served = {
        "online": len(plan_day(config, book, context=ctx, drones=drones).accepted),
        "online, no admission control": len(plan_day(config, book, context=ctx, drones=drones,
                                                     admission=False).accepted),
        **{f"batch, {b:g} s": len(plan_day(config, book, context=ctx, drones=drones, policy="batch",
                                            batch_s=b).accepted) for b in (60.0, 30.0, 120.0)},
        "batch 60 s, no admission control": len(plan_day(config, book, context=ctx, drones=drones, policy="batch",
                                                         admission=False).accepted),
        "fcfs": len(plan_day(config, book, context=ctx, drones=drones, policy="fcfs").accepted),
    }
    w = order_windows(ctx)
    t0 = time.perf_counter()
    slots = window_bound(w, drones)
    lp_s = time.perf_counter() - t0
    return {"served": served, "feasible": len(w.index), "capacity": capacity_bound(w, drones),
            "window": slots, "lp_s": lp_s}, ctx


def simulation_speed(ctx, drones: int, days: int) -> dict:
    wind = WindSchedule.diurnal(ctx.config.planning.wind)
    first = simulate_day(ctx, SimOptions(drones, wind=wind, seed=0))
    t0 = time.perf_counter()
    runs = [simulate_day(ctx, SimOptions(drones, wind=wind, seed=s)) for s in range(1, days + 1)]
    wall = time.perf_counter() - t0
    m = runs[0].metrics()
    return {"cold_s": first.wall_s, "days_per_s": days / wall, "on_time": m["on_time_share"],
            "delivered": m["delivered"], "utilisation": m["drone_utilisation"]}


def fleet_figure(ctx, sizes: list[int], path: Path) -> list[tuple]:
    from dronedel.plot.fleet import plot_service_vs_fleet

    w = order_windows(ctx)
    runs = {policy: sweep_fleet(ctx, sizes, SimOptions(policy=policy)) for policy in ("online", "batch", "fcfs")}
    bound = {n: window_bound(w, n) for n in sizes}
    plot_service_vs_fleet(runs, path, bound=bound)
    return [(n, *(runs[p][k].metrics()["delivered"] for p in runs), capacity_bound(w, n), bound[n])
            for k, n in enumerate(sizes)]


def example_figures(config) -> dict:
    from dronedel.plot.fleet import plot_door_times, plot_gantt, plot_service_map, plot_service_vs_fleet
    from dronedel.zone import DispatchZone

    airspace = site_airspace(config)
    book = load_orders(EXAMPLE / "orders.csv", config.site.tz, config.planning.start)
    ctx = prepare_day(config, book, airspace, source="orders.csv")
    plan = plan_day(config, book, context=ctx)
    sim = simulate_day(ctx, SimOptions(wind=WindSchedule.diurnal(config.planning.wind)))
    zone = DispatchZone.build(ctx.table.router(ctx.activity.always), config.aircraft,
                              promise_s=config.planning.promise_s, loading_s=config.fleet.loading_s,
                              wind=config.planning.wind)
    plot_service_map(sim, airspace, FIGURES / "plan_example_map.png", site=config.site, zone_lonlat=zone.lonlat,
                     authorisations=config.airspace.authorisations)
    plot_gantt(sim, book.start.astimezone(config.site.tz), FIGURES / "plan_example_timeline.png")
    plot_door_times(sim, FIGURES / "plan_example_door_times.png")
    sizes = [2, 4, 6, 8, 10, 12, 16]
    w = order_windows(ctx)
    runs = {"online": sweep_fleet(ctx, sizes), "fcfs": sweep_fleet(ctx, sizes, SimOptions(policy="fcfs"))}
    plot_service_vs_fleet(runs, FIGURES / "plan_example_fleet.png", bound={n: window_bound(w, n) for n in sizes})
    return {"plan": plan, "sim": sim.metrics(), "sweep": [(n, runs["online"][k].metrics(), runs["fcfs"][k].metrics())
                                                          for k, n in enumerate(sizes)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000, help="orders in the benchmark day (default 10000)")
    parser.add_argument("--drones", type=int, default=50, help="fleet size (default 50)")
    parser.add_argument("--days", type=int, default=5, help="replays timed for the simulation speed (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-figures", action="store_true", help="skip the figures")
    args = parser.parse_args()
    example = load_site(EXAMPLE / "site.toml")
    config = benchmark_site(example)
    book = benchmark_day(config, args.orders, args.seed)

    t = throughput(config, book, args.drones)
    print(f"## Planning {len(book)} orders with {args.drones} drones (online policy)\n")
    print(f"wall time {t['wall_s']:.2f} s (routes, flights and decisions), {t['per_s']:,.0f} decisions/s")
    print(f"peak traced Python memory {t['traced_mb']:.0f} MB; process peak RSS {t['rss_mb']:.0f} MB")
    print(f"accepted {len(t['plan'].accepted)}; rejections: {dict(t['plan'].reasons().most_common())}\n")

    q, ctx = quality(config, book, args.drones)
    print(f"## Quality ({q['feasible']} orders feasible for an idle drone)\n")
    print("| policy | served | / capacity bound | / window bound |")
    print("|---|---|---|---|")
    print(f"| upper bounds | | {q['capacity']} | {q['window']:.1f} |")
    for name, served in q["served"].items():
        print(f"| {name} | {served} | {served / q['capacity']:.3f} | {served / q['window']:.3f} |")
    print(f"\n(window bound LP solved in {q['lp_s']:.1f} s)\n")

    s = simulation_speed(ctx, args.drones, args.days)
    print("## Simulation\n")
    print(f"first replay (routes cached by planning) {s['cold_s']:.2f} s; {s['days_per_s']:.2f} simulated days per "
          f"wall second; delivered {s['delivered']}, on time {100 * s['on_time']:.1f} %, utilisation "
          f"{100 * s['utilisation']:.1f} %\n")

    if args.no_figures:
        return
    sizes = [10, 20, 30, 40, 50, 60, 80]
    print("## Fleet sweep of the benchmark day\n")
    print("| drones | online | batch | fcfs | capacity bound | window bound | online / window | batch / window |")
    print("|---|---|---|---|---|---|---|---|")
    for n, on, ba, fc, cap, win in fleet_figure(ctx, sizes, FIGURES / "dispatch_fleet.png"):
        print(f"| {n} | {on} | {ba} | {fc} | {cap} | {win:.0f} | {on / win:.3f} | {ba / win:.3f} |")
    ex = example_figures(example)
    m = ex["sim"]
    print("\n## Example day (8 drones)\n")
    print(f"planned: {len(ex['plan'].accepted)} of {len(ex['plan'])} accepted, {dict(ex['plan'].reasons())}")
    print(f"replayed (diurnal wind): delivered {m['delivered']}, on time {100 * m['on_time_share']:.1f} %, door "
          f"minutes mean {m['minutes_to_door']['mean']} p90 {m['minutes_to_door']['p90']}, utilisation "
          f"{100 * m['drone_utilisation']:.1f} %, {m['energy_wh_per_delivery']['mean']} Wh per delivery")
    print("\n| drones | online delivered | fcfs delivered | online door p90 min | fcfs door p90 min |")
    print("|---|---|---|---|---|")
    for n, on, fc in ex["sweep"]:
        print(f"| {n} | {on['delivered']} | {fc['delivered']} | {on['minutes_to_door']['p90']} | "
              f"{fc['minutes_to_door']['p90']} |")


if __name__ == "__main__":
    main()
