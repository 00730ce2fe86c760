"""Dispatch-zone benchmark: accuracy against a dense Monte-Carlo estimate, build time, door tests.

For random fields of disjoint convex no-fly polygons (bench/fields.py) and several
reaches, the zone (:func:`dronedel.zone.dispatch_zone`) is compared with the router
itself on ``--samples`` random points of the reach's bounding square:

- area: the zone's area against the Monte-Carlo estimate of {path length <= reach}
  (with its standard error);
- boundary: how many sample points the zone classifies differently from the router,
  and how far the worst of them lies from the zone's boundary (should stay within the
  disks' chord tolerance).

Then: 100,000 doors (lon, lat) tested against a prepared zone, and the spread of reach
within a heading sector for a few winds and sector counts (the zone's accuracy in wind).
Figure ``zone_accuracy.png``.

Run from the repository root::

    nice python bench/bench_zone.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import shapely
import shapely.affinity

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fields import SIDE_M, random_field

from dronedel.config import AircraftProfile, Wind
from dronedel.geo import LocalFrame
from dronedel.routing import Router
from dronedel.zone import DispatchZone, dispatch_zone, reach_for

ORIGIN = (SIDE_M / 2, SIDE_M / 2)
TOLERANCE_M = 1.0


def accuracy(router: Router, reach: float, samples: int, seed: int):
    t0 = time.perf_counter()
    zone = dispatch_zone(router, reach, tolerance_m=TOLERANCE_M)
    build = time.perf_counter() - t0
    rng = np.random.default_rng(seed)
    box = np.array(ORIGIN) + rng.uniform(-reach, reach, (samples, 2))
    lengths, _ = router.distances(box)
    within = lengths <= reach
    inside = shapely.intersects_xy(zone, box[:, 0], box[:, 1])
    square = (2 * reach) ** 2
    p = within.mean()
    wrong = np.flatnonzero(within != inside)
    worst = float(shapely.distance(zone.boundary, shapely.points(box[wrong])).max()) if wrong.size else 0.0
    return {
        "reach": reach, "build": build, "vertices": len(shapely.get_coordinates(zone)),
        "area": zone.area / 1e6, "mc": p * square / 1e6, "mc_se": np.sqrt(p * (1 - p) / samples) * square / 1e6,
        "wrong": wrong.size, "in_far": int(np.sum(inside & ~within)), "worst": worst,
    }, zone, box, within


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100], help="obstacle counts")
    parser.add_argument("--reaches", type=float, nargs="+", default=[3000.0, 6000.0, 9000.0], help="reach, m")
    parser.add_argument("--samples", type=int, default=200_000, help="Monte-Carlo points per zone")
    parser.add_argument("--figures", type=Path, default=Path("docs/figures"), help="folder for figures")
    args = parser.parse_args()

    boundary = shapely.box(0, 0, SIDE_M, SIDE_M)
    print("| polygons | reach km | zone build s | zone vertices | zone area km² | Monte-Carlo km² (± s.e.) "
          "| points classified differently | of which inside the zone but too far | farthest from boundary m |")
    print("|---|---|---|---|---|---|---|---|---|")
    keep = None
    for n in args.sizes:
        router = Router(random_field(n, seed=n), boundary, ORIGIN)
        for reach in args.reaches:
            row, zone, box, within = accuracy(router, reach, args.samples, seed=int(reach) + n)
            print(f"| {n} | {reach / 1000:g} | {row['build']:.2f} | {row['vertices']} | {row['area']:.3f} "
                  f"| {row['mc']:.3f} ± {row['mc_se']:.3f} | {row['wrong']} | {row['in_far']} "
                  f"| {row['worst']:.2f} |", flush=True)
            if n == 30 and reach == 6000.0:
                keep = (router, zone, box, within)

    # doors against a prepared zone, in (lon, lat)
    frame = LocalFrame(-96.27, 30.555)
    router = Router([shapely.affinity.translate(p, -ORIGIN[0], -ORIGIN[1]) for p in random_field(100, seed=100)],
                    shapely.box(-SIDE_M / 2, -SIDE_M / 2, SIDE_M / 2, SIDE_M / 2), (0.0, 0.0))
    router.frame = frame
    zone = DispatchZone.build(router, AircraftProfile(), promise_s=1200.0, loading_s=120.0, wind=Wind(8, 270))
    rng = np.random.default_rng(5)
    xy = rng.uniform(-SIDE_M / 2, SIDE_M / 2, (100_000, 2))
    lon, lat = frame.to_lonlat(xy[:, 0], xy[:, 1])
    zone.contains_lonlat(lon[:10], lat[:10])
    t0 = time.perf_counter()
    inside = zone.contains_lonlat(lon, lat)
    doors = time.perf_counter() - t0
    print(f"\n100,000 doors against a prepared zone ({len(shapely.get_coordinates(zone.lonlat))} vertices, "
          f"{inside.mean():.0%} inside): {doors * 1000:.1f} ms")

    print("\nreach spread within a heading sector (m): how far inside the exact boundary the zone may fall")
    print("| wind | 36 sectors | 72 sectors | 144 sectors |")
    print("|---|---|---|---|")
    profile = AircraftProfile()
    for wind in (Wind(4, 200), Wind(8, 270), Wind(12, 0)):
        spreads = [reach_for(profile, 1800.0, 120.0, wind=wind, sectors=k)[2] for k in (36, 72, 144)]
        print(f"| {wind.speed_ms:g} m/s from {wind.from_deg:g}° | " + " | ".join(f"{s:.0f}" for s in spreads) + " |")

    if keep is not None:
        plot(*keep, args.figures / "zone_accuracy.png")


def plot(router: Router, zone, box, within, path: Path) -> None:
    from matplotlib.figure import Figure

    from dronedel.fileio import save_figure
    from dronedel.plot.basemap import add_geometry

    fig = Figure(figsize=(6.5, 6.5))
    ax = fig.add_subplot()
    for p in router.obstacles:
        ax.fill(*p.exterior.xy, color="#d62728", alpha=0.6, linewidth=0)
    add_geometry(ax, zone, facecolor="#1f77b4", alpha=0.2, edgecolor="#1f77b4", linewidth=1.0)
    sample = np.random.default_rng(0).choice(len(box), 6000, replace=False)
    ax.scatter(*box[sample][within[sample]].T, s=0.6, color="#1f77b4", label="router: length <= reach")
    ax.scatter(*box[sample][~within[sample]].T, s=0.6, color="#bbbbbb", label="router: length > reach")
    ax.plot(*router.origin, marker="*", markersize=14, color="black")
    ax.set_aspect("equal")
    ax.set_title("6 km zone (outline) against Monte-Carlo points from the router", fontsize=9)
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.legend(loc="upper right", fontsize=7, markerscale=8)
    save_figure(fig, path)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
