"""``dronedel study``: run a network study on Dask; rows, summary, sizing and figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputError
from ..fileio import write_json
from ..study import load_study, run_study, sizing, summarise, write_rows
from ..study.summary import write_table
from .common import print_table, progress_printer

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "study",
        help="network study on Dask: how many drones each site needs over many days, demands and weathers",
        description="Run every cell of a study file (sites x fleet sizes x demand levels x promises x policies x "
        "weather draws x seeds): each plans and replays one synthetic site-day. Writes DIR/rows.parquet, "
        "DIR/rows.csv, DIR/summary.csv (means and confidence intervals over the draws), DIR/sizing.csv (the "
        "smallest fleet reaching the target at the weather percentile), DIR/errors.csv for failed cells and "
        "figures. Finished cells are cached in DIR/cells: a re-run computes only new or failed cells.",
    )
    parser.add_argument("study", type=Path, metavar="STUDY.toml", help="study file (TOML, see docs/studies.md)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                        help="folder for the results and the cell cache (created if missing)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
    where.add_argument("--workers", type=int, metavar="N",
                       help="worker processes of the local cluster (default: the machine's cores)")
    parser.add_argument("--fresh", action="store_true", help="ignore cached cells and compute every cell again")
    parser.add_argument("--no-figures", action="store_true", help="write the tables only")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise InputError("must be at least 1 worker", "--workers")
    study = load_study(args.study)
    out = Path(args.output)
    result = run_study(study, out, scheduler=args.scheduler, workers=args.workers, fresh=args.fresh,
                       progress=progress_printer("cells", 1))
    parquet, csv_path = write_rows(result.rows, out)
    summary = summarise(study, result.rows)
    answer = sizing(study, summary)
    columns = list(summary[0]) if summary else ["site"]
    write_table(out / "summary.csv", summary, columns)
    write_table(out / "sizing.csv", answer, list(answer[0]) if answer else ["site"])
    write_json(out / "summary.json", {"study": study.name, "file": str(study.path), "cells": len(study.cells()),
                                      "computed": result.computed, "cached": result.cached,
                                      "failed": len(result.errors), "sizing": answer, "summary": summary})
    if result.errors:
        write_table(out / "errors.csv", result.errors, list(result.errors[0]))
    print(f"{study.name}: {len(study.cells())} cells, {result.computed} computed, {result.cached} from the cache, "
          f"{len(result.errors)} failed")
    print()
    print_table(["site", "orders/day", "promise min", "policy", "drones needed", f"{study.metric} reached"],
                [[a["site"], f"{a['orders_per_day']:g}", "site" if a["promise_min"] is None else f"{a['promise_min']:g}",
                  a["policy"], a["required_fleet"] if a["required_fleet"] is not None else f"> {max(study.fleets)}",
                  "-" if a["reached"] is None else f"{a['reached']:.1%}"] for a in answer])
    print(f"\n(target {study.target:.0%} at weather percentile {study.weather_percentile:g}: reached on "
          f"{100 - study.weather_percentile:g} % of days)")
    for e in result.errors[:10]:
        inputs = ", ".join(f"{k}={v}" for k, v in e.items() if k != "error")
        print(f"failed cell ({inputs}): {e['error']}")
    print(f"\nrows: {parquet}, {csv_path}\nsummary: {out / 'summary.csv'}\nsizing: {out / 'sizing.csv'}")
    if result.errors:
        print(f"errors: {out / 'errors.csv'}")
    if not args.no_figures and summary:
        from ..plot.study import plot_metric_vs_fleet, plot_required_fleet

        print(f"figure: {plot_metric_vs_fleet(summary, study.metric, study.weather_percentile, study.target, out / 'served_vs_fleet.png')}")
        print(f"figure: {plot_required_fleet(answer, out / 'required_fleet.png')}")
    return 0 if not result.errors else 1
