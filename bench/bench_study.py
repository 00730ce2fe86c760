"""Study benchmark: cells per minute on Dask with 1 and 2 local workers, Dask's overhead per cell
against a plain loop, and the figures for docs/studies.md.

It runs the bundled example study (the example site, fleets 4-16, 150 and 300 orders a day,
10 weather draws: 140 cells in 20 site-days) three ways, each from an empty cache:

- a plain loop in this process calling :func:`dronedel.study.run_day` day by day (no Dask);
- :func:`dronedel.study.run_study` on a LocalCluster of 1 worker process;
- the same on 2 worker processes.

Cluster start-up is timed apart from the run (a LocalCluster is started once per study).
Parallel efficiency = (cells/min with 2 workers) / (2 x cells/min with 1 worker); the
overhead per cell = (1-worker time - loop time) / cells. It then writes the example study's
figures (``study_served_vs_fleet.png``, ``study_required_fleet.png``) into docs/figures and
prints the per-site-day and per-cell costs that docs/studies.md scales up on paper.

Run from the repository root (a few minutes on 2 cores; be kind to shared machines)::

    nice python bench/bench_study.py
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
FIGURES = ROOT / "docs" / "figures"


def loop(study) -> tuple[float, list[float]]:
    """Wall time of the study as a plain loop (inputs read once, as run_study does); seconds per site-day."""
    began = time.perf_counter()
    sites, options = prepare_sites(study), day_options(study)
    per_day = []
    for group in day_groups(study.cells()):
        t = time.perf_counter()
        results = run_day(sites[group[0].site], options, group)
        assert all("row" in r for r in results), results
        per_day.append(time.perf_counter() - t)
    return time.perf_counter() - began, per_day


def on_dask(study, workers: int) -> tuple[float, float, list]:
    """Start-up time of a LocalCluster of ``workers`` processes, the study's wall time on it, and its rows."""
    began = time.perf_counter()
    with dask_client(workers=workers) as client:
        client.wait_for_workers(workers)
        up = time.perf_counter() - began
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            result = run_study(study, Path(out), client=client)
            wall = time.perf_counter() - t
    assert not result.errors, result.errors[:3]
    return up, wall, result.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, default=EXAMPLE / "study.toml", help="study file (default: the example)")
    parser.add_argument("--draws", type=int, help="weather draws (default: the study's)")
    parser.add_argument("--no-figures", action="store_true")
    args = parser.parse_args()
    study = load_study(args.study)
    if args.draws:
        study = replace(study, weather_draws=args.draws)
    cells = len(study.cells())
    days = len(day_groups(study.cells()))
    print(f"study {study.name}: {cells} cells in {days} site-days")

    loop_s, per_day = loop(study)
    print(f"plain loop: {loop_s:.1f} s, {60 * cells / loop_s:.0f} cells/min; per site-day "
          f"mean {sum(per_day) / len(per_day):.2f} s (min {min(per_day):.2f}, max {max(per_day):.2f})")
    rates, rows = {}, {}
    for workers in (1, 2):
        up, wall, rows[workers] = on_dask(study, workers)
        rates[workers] = 60 * cells / wall
        print(f"dask, {workers} worker(s): start-up {up:.1f} s, study {wall:.1f} s, {rates[workers]:.0f} cells/min")
    assert rows[1] == rows[2], "rows differ between 1 and 2 workers"
    print(f"parallel efficiency at 2 workers: {rates[2] / (2 * rates[1]):.2f}")
    one = 60 * cells / rates[1]
    print(f"Dask overhead per cell (1 worker against the loop): {1000 * (one - loop_s) / cells:+.1f} ms "
          f"({100 * (one - loop_s) / loop_s:+.1f} %)")
    print(f"per cell on one core: {loop_s / cells:.3f} s; per site-day of {len(study.fleets)} fleet sizes: "
          f"{loop_s / days:.2f} s")

    if not args.no_figures:
        from dronedel.plot.study import plot_metric_vs_fleet, plot_required_fleet

        summary = summarise(study, rows[2])
        answer = sizing(study, summary)
        plot_metric_vs_fleet(summary, study.metric, study.weather_percentile, study.target,
                             FIGURES / "study_served_vs_fleet.png")
        plot_required_fleet(answer, FIGURES / "study_required_fleet.png")
        for a in answer:
            print(f"sizing: {a['site']} {a['orders_per_day']:g}/day -> {a['required_fleet']} "
                  f"(reached {a['reached']}) {a['note']}")


if __name__ == "__main__":
    main()
