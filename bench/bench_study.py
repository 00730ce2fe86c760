"""Study benchmark: cells per minute on Dask with 1 and 2 local workers, Dask's overhead per cell
against a plain loop, for docs/studies.md.

It runs the bundled example study (the example site, fleets 4-16, 150 and 300 orders a day,
10 weather draws: 140 cells in 20 site-days) three ways, each from an empty cache:

- a plain loop in this process calling :func:`dronedel.study.run_day` day by day (no Dask);
- :func:`dronedel.study.run_study` on a LocalCluster of 1 worker process;
- the same on 2 worker processes.

Cluster start-up is timed apart from the run (a LocalCluster is started once per study).
Parallel efficiency = (cells/min with 2 workers) / (2 x cells/min with 1 worker). Dask's
overhead per cell is read within one run, so that other load on the machine cancels: the
1-worker run's wall time from the first task's start less the time its worker spent
computing tasks (Dask's task stream), per cell; the loop-against-1-worker difference is
printed too, but it compares runs at different moments. It prints the per-site-day and
per-cell costs that docs/studies.md scales up on paper, and the sizing answer.

Run from the repository root (a few minutes on 2 cores; be kind to shared machines)::

    nice python bench/bench_study.py                       # the whole example study
    nice python bench/bench_study.py --draws 2 --repeat 2  # 28 cells, each way twice, best kept
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from dronedel.study import dask_client, load_study, run_day, run_study, sizing, summarise
from dronedel.study.cells import day_options, prepare_sites
from dronedel.study.run import day_groups

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "dronedel" / "data" / "example"


def loop(study) -> tuple[float, float, list[float]]:
    """Wall and CPU time of the study as a plain loop (inputs read once, as run_study does); seconds per
    site-day."""
    began, cpu = time.perf_counter(), time.process_time()
    sites, options = prepare_sites(study), day_options(study)
    per_day = []
    for group in day_groups(study.cells()):
        t = time.perf_counter()
        results = run_day(sites[group[0].site], options, group)
        assert all("row" in r for r in results), results
        per_day.append(time.perf_counter() - t)
    return time.perf_counter() - began, time.process_time() - cpu, per_day


def on_dask(study, workers: int) -> tuple[float, float, float, float, list]:
    """Start-up time of a LocalCluster of ``workers`` processes, the study's wall time on it, the time its
    workers spent computing tasks (Dask's task stream), the time before the first task started (reading the
    inputs, scattering them), and its rows."""
    from dask.distributed import get_task_stream

    began = time.perf_counter()
    with dask_client(workers=workers) as client:
        client.wait_for_workers(workers)
        up = time.perf_counter() - began
        with tempfile.TemporaryDirectory() as out, get_task_stream(client) as stream:
            t, epoch = time.perf_counter(), time.time()
            result = run_study(study, Path(out), client=client)
            wall = time.perf_counter() - t
    assert not result.errors, result.errors[:3]
    spans = [s for task in stream.data for s in task["startstops"] if s["action"] == "compute"]
    computing = sum(s["stop"] - s["start"] for s in spans)
    return up, wall, computing, min(s["start"] for s in spans) - epoch, result.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, default=EXAMPLE / "study.toml", help="study file (default: the example)")
    parser.add_argument("--draws", type=int, help="weather draws (default: the study's)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration, best kept (default 1)")
    args = parser.parse_args()
    study = load_study(args.study)
    if args.draws:
        study = replace(study, weather_draws=args.draws)
    cells = len(study.cells())
    days = len(day_groups(study.cells()))
    print(f"study {study.name}: {cells} cells in {days} site-days")

    best: dict[str, float] = {}
    rows: dict[int, list] = {}
    for k in range(args.repeat):  # interleaved, best of each: other load on a shared machine only slows a run
        loop_s, loop_cpu, per_day = loop(study)
        best["loop"] = min(best.get("loop", loop_s), loop_s)
        print(f"[{k + 1}] plain loop: {loop_s:.1f} s ({loop_cpu:.1f} s CPU); per site-day "
              f"mean {sum(per_day) / len(per_day):.2f} s (min {min(per_day):.2f}, max {max(per_day):.2f})")
        for workers in (1, 2):
            up, wall, computing, before, rows[workers] = on_dask(study, workers)
            best[f"dask{workers}"] = min(best.get(f"dask{workers}", wall), wall)
            print(f"[{k + 1}] dask, {workers} worker(s): start-up {up:.1f} s, study {wall:.1f} s (inputs read and "
                  f"scattered {before:.1f} s, tasks computing {computing:.1f} s)")
            occupancy = computing / (workers * (wall - before))
            best[f"occupancy{workers}"] = max(best.get(f"occupancy{workers}", 0.0), occupancy)
            print(f"[{k + 1}]   workers busy computing {occupancy:.0%} of the time after the first task started")
            if workers == 1:  # one worker runs its tasks one after another: the rest is Dask's between and after
                outside = wall - before - computing
                best["outside"] = min(best.get("outside", outside), outside)
    loop_s = best["loop"]
    rates = {w: 60 * cells / best[f"dask{w}"] for w in (1, 2)}
    print(f"best of {args.repeat}: loop {60 * cells / loop_s:.1f} cells/min, dask 1 worker {rates[1]:.1f}, "
          f"2 workers {rates[2]:.1f} cells/min")
    assert rows[1] == rows[2], "rows differ between 1 and 2 workers"
    print(f"parallel efficiency at 2 workers: {rates[2] / (2 * rates[1]):.2f}; workers busy at best "
          f"{best['occupancy2']:.0%} of the time (a shortfall from efficiency 1 that occupancy does not show is "
          f"other load slowing the tasks themselves)")
    one = 60 * cells / rates[1]
    print(f"1 worker against the loop (best runs): {1000 * (one - loop_s) / cells:+.1f} ms per cell "
          f"({100 * (one - loop_s) / loop_s:+.1f} %)")
    print(f"Dask overhead per cell, 1 worker (wall between and after its tasks, best run): "
          f"{1000 * best['outside'] / cells:.1f} ms ({1000 * best['outside'] / days:.1f} ms per site-day task)")
    print(f"per cell on one core: {loop_s / cells:.3f} s ({loop_cpu / cells:.3f} s CPU in the last loop); per "
          f"site-day of {len(study.fleets)} fleet sizes: {loop_s / days:.2f} s ({loop_cpu / days:.2f} s CPU)")

    summary = summarise(study, rows[2])
    for a in sizing(study, summary):
        print(f"sizing: {a['site']} {a['orders_per_day']:g}/day -> {a['required_fleet']} "
              f"(reached {a['reached']}) {a['note']}")

if __name__ == "__main__":
    main()
