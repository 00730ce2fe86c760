"""Intent export benchmark: writing and reading the F3548-21 intents of a busy day.

On the dispatch benchmark day (:func:`bench_dispatch.benchmark_day`: the College Station site,
10,000 orders, 50 drones) it plans the day, then measures ``write_intents`` (volumes to
outline polygons, W84 altitudes, RFC 3339 times, intents.json and intents.geojson) and
``read_intents`` (parsing and checking every field): wall time, the process's peak RSS after
each (tracemalloc would slow the many small allocations several times over), file sizes, intents, volumes and vertices (mean and largest per intent against
F3548's 10,000).

Run from the repository root (a minute or two; be kind to shared machines)::

    nice python bench/bench_intents.py [--orders 10000] [--drones 50]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_dispatch import EXAMPLE, benchmark_day
from dronedel.airspace import site_airspace
from dronedel.config import load_site
from dronedel.dispatch import plan_day
from dronedel.intent.f3548 import MAX_VERTICES, write_intents
from dronedel.intent.geoid import geoid_undulation
from dronedel.intent.intentfile import read_intents


def measured(call):
    """``call()``'s result, wall seconds and the process's peak RSS (MB) after it."""
    t = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - t
    return result, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--drones", type=int, default=50)
    args = parser.parse_args()
    config = load_site(EXAMPLE / "site.toml")
    book = benchmark_day(config, args.orders, seed=1)
    plan = plan_day(config, book, site_airspace(config), drones=args.drones)
    undulation = geoid_undulation(config)
    with tempfile.TemporaryDirectory() as folder:
        (json_path, geojson_path), write_s, write_mb = measured(lambda: write_intents(plan, folder, undulation))
        intents, read_s, read_mb = measured(lambda: read_intents(json_path))
        sizes = [Path(p).stat().st_size / 1e6 for p in (json_path, geojson_path)]
    volumes = np.array([len(i.volumes) for i in intents.intents])
    vertices = np.array([sum(len(v.outline.exterior.coords) - 1 for v in i.volumes) for i in intents.intents])
    print(f"{args.orders} orders, {args.drones} drones: {len(intents.intents)} intents, {volumes.sum()} volumes "
          f"({volumes.mean():.1f} per intent), {vertices.sum()} vertices ({vertices.mean():.0f} per intent, "
          f"largest {vertices.max()} of {MAX_VERTICES}); geoid {undulation.value_m} m from {undulation.source}")
    print(f"write_intents: {write_s:.1f} s, process peak {write_mb:.0f} MB; intents.json {sizes[0]:.1f} MB, "
          f"intents.geojson {sizes[1]:.1f} MB")
    print(f"read_intents: {read_s:.1f} s, process peak {read_mb:.0f} MB")


if __name__ == "__main__":
    main()
