"""Separation benchmark: what deconfliction costs and what it buys, on the example and benchmark days.

For the example day (8 drones, 300 orders) and the dispatch benchmark day
(:func:`bench_dispatch.benchmark_day`: 10,000 orders, 50 drones, 12 pads) it plans with the online
policy twice, with strategic deconfliction and without (every flight booked as if alone in
the sky, pads and layers still assigned), and reports

- orders served and the share of valid orders, and the points of share deconfliction costs;
- the separation audit of each plan (planned paths sampled at 1 s): closest approach and
  losses of separation against the site's standard (50 m horizontally or 15 m vertically);
- planning wall time with and without deconfliction, and deconflicted without the look-ahead
  process (``dronedel plan --no-look-ahead``): the median and range of ``--repeat`` fresh
  processes each, alternately, each planning the day and nothing else, as ``dronedel plan``
  does; the peak RSS of such a process and of its look-ahead process; and intent-index queries
  per second on the day's final index;
- a figure (``docs/figures/separation_costs.png``): served share and losses, with and without.

Run from the repository root (a few minutes; be kind to shared machines)::

    nice python bench/bench_separation.py
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from pathlib import Path

import numpy as np

from bench_dispatch import EXAMPLE, FIGURES, benchmark_day, benchmark_site
from dronedel.airspace import site_airspace
from dronedel.config import load_site
from dronedel.dispatch import audit_decisions, prepare_day
from dronedel.orders import load_orders


def plan(config, book, drones: int, deconflict: bool, audit: bool = True, look_ahead: bool = False) -> dict:
    """Decide the day; served figures, audit (unless ``audit`` is False), wall time and the dispatcher
    (for its index). ``look_ahead`` computes the flight table in a second process, as ``dronedel plan``
    does (:meth:`~dronedel.dispatch.Dispatcher.look_ahead`)."""
    t0 = time.perf_counter()
    ctx = prepare_day(config, book, site_airspace(config))
    dispatcher = ctx.dispatcher(drones, deconflict=deconflict)
    started = look_ahead and ctx.look_ahead(dispatcher, config.planning.wind)
    try:
        decisions = [d for now, index in dispatcher.rounds()
                     for d in dispatcher.decide_round(now, index, config.planning.wind)]
    finally:
        ctx.table.close()
    wall = time.perf_counter() - t0
    audit = audit_decisions(decisions, config) if audit else None
    served = sum(d.flight is not None for d in decisions)
    reasons = {}
    for d in decisions:
        if d.reason:
            reasons[d.reason] = reasons.get(d.reason, 0) + 1
    return {"served": served, "share": served / len(decisions), "audit": audit, "wall_s": wall,
            "dispatcher": dispatcher, "reasons": reasons, "valid": len(decisions), "look_ahead": started}


def _fresh_plan(config, book, drones: int, deconflict: bool, look_ahead: bool, results) -> None:
    planned = plan(config, book, drones, deconflict=deconflict, audit=False, look_ahead=look_ahead)
    # the high-water mark of this process's own memory (ru_maxrss can carry the parent's over the exec)
    status = Path("/proc/self/status").read_text()
    own = float(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if planned["look_ahead"] else 0.0
    results.put((planned["wall_s"], own, children))


def fresh_plan(config, book, drones: int, deconflict: bool, look_ahead: bool = True) -> tuple[float, float, float]:
    """Planning wall time (s), peak resident memory (MB) of a fresh process that plans the day and nothing
    else, as ``dronedel plan`` does (a process holding other plans and their audits plans more slowly: its
    garbage collector walks them all), and that of its look-ahead process (MB, 0 without one; the pages
    it shares with its parent count in both)."""
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    # a process of its own, not a pool's (a pool's workers are daemons, which may not start a look-ahead)
    process = spawn.Process(target=_fresh_plan, args=(config, book, drones, deconflict, look_ahead, results))
    process.start()
    out = results.get()
    process.join()
    return out


def queries_per_second(dispatcher, config, decisions_sample: int = 500) -> tuple[float, float]:
    """Conflict queries per second against the day's final index, with accepted flights' own volumes
    shifted by a random 0-120 s (so that most queries meet something): whole flights per second, and
    the volumes of those flights per second."""
    index = dispatcher.intents
    volumes = index.volumes
    owners = index.owners
    rng = np.random.default_rng(0)
    flights = rng.choice(np.unique(owners), size=min(decisions_sample, len(np.unique(owners))), replace=False)
    queries = [volumes.take(np.flatnonzero(owners == f)).shifted(float(rng.uniform(0, 120))) for f in flights]
    t0 = time.perf_counter()
    for q in queries:
        index.conflicts(q)
    elapsed = time.perf_counter() - t0
    return len(queries) / elapsed, sum(map(len, queries)) / elapsed


def measure(name: str, config, book, drones: int, repeat: int = 3) -> dict:
    off = plan(config, book, drones, deconflict=False)
    on = plan(config, book, drones, deconflict=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    serial = {"walls": []}  # deconflicted, in one process (dronedel plan --no-look-ahead)
    for r in (off, on):
        r["walls"] = []
    for _ in range(repeat):  # alternately, so that a slow spell of a shared machine falls on all
        off["walls"].append(fresh_plan(config, book, drones, deconflict=False)[0])
        wall, planning_rss, ahead_rss = fresh_plan(config, book, drones, deconflict=True)
        on["walls"].append(wall)
        serial["walls"].append(fresh_plan(config, book, drones, deconflict=True, look_ahead=False)[0])
    for r in (off, on, serial):
        r["wall_s"] = float(np.median(r["walls"]))
    qps, vps = queries_per_second(on["dispatcher"], config)
    print(f"## {name}: {len(book)} orders, {drones} drones\n")
    print("| plan | served | share of valid | closest approach m | losses of separation | loss seconds | "
          "pairs airborne together | planning s (median, range) |")
    print("|---|---|---|---|---|---|---|---|")
    for label, r in (("without deconfliction", off), ("deconflicted", on)):
        a = r["audit"]
        print(f"| {label} | {r['served']} | {r['share']:.3f} | {a.closest_m:.1f} | {a.losses} | {a.loss_seconds} | "
              f"{a.pairs} | {r['wall_s']:.1f} ({min(r['walls']):.1f}-{max(r['walls']):.1f}) |")
    print(f"\ndeconfliction costs {100 * (off['share'] - on['share']):.2f} points of served share; "
          f"rejected as airspace_conflict: {on['reasons'].get('airspace_conflict', 0)}")
    print(f"deconflicted in one process (--no-look-ahead): {serial['wall_s']:.1f} s "
          f"({min(serial['walls']):.1f}-{max(serial['walls']):.1f})")
    ahead = f", of its look-ahead process {ahead_rss:.0f} MB" if ahead_rss else " (no look-ahead: a day of one block)"
    print(f"peak RSS of a process planning the day deconflicted and nothing else {planning_rss:.0f} MB{ahead} "
          f"(this process, with both plans and their audits, {rss:.0f} MB so far); "
          f"{len(on['dispatcher'].intents):,} volumes in the index, {qps:,.0f} whole-flight conflict queries/s "
          f"({vps:,.0f} volumes/s)\n")
    return {"name": name, "off": off, "on": on}


def figure(results: list[dict], path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    x = np.arange(len(results))
    for k, (key, label, colour) in enumerate((("off", "without deconfliction", "#c44e52"),
                                              ("on", "deconflicted", "#4c72b0"))):
        left.bar(x + (k - 0.5) * 0.38, [r[key]["share"] for r in results], 0.38, label=label, color=colour)
        right.bar(x + (k - 0.5) * 0.38, [r[key]["audit"].losses for r in results], 0.38, label=label, color=colour)
    for ax, title in ((left, "share of valid orders served"), (right, "losses of separation (pairs of flights)")):
        ax.set_xticks(x, [r["name"] for r in results])
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    right.set_yscale("symlog")
    left.legend(fontsize=8, loc="lower right")
    fig.suptitle("Strategic deconfliction: service kept, losses of separation removed", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000, help="orders in the benchmark day (default 10000)")
    parser.add_argument("--drones", type=int, default=50, help="fleet size of the benchmark day (default 50)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="fresh-process plans timed per day and mode (default 3)")
    parser.add_argument("--no-figures", action="store_true")
    args = parser.parse_args()
    config = load_site(EXAMPLE / "site.toml")
    example = load_orders(EXAMPLE / "orders.csv", config.site.tz, config.planning.start)
    results = [measure("example day", config, example, config.fleet.drones, args.repeat),
               measure("benchmark day (12 pads)", benchmark_site(config),
                       benchmark_day(config, args.orders, args.seed), args.drones, args.repeat)]
    if not args.no_figures:
        figure(results, FIGURES / "separation_costs.png")
        print(f"figure: {FIGURES / 'separation_costs.png'}")


if __name__ == "__main__":
    main()
