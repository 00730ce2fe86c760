"""Random no-fly fields for the routing benchmarks: convex obstacles in a square, site at the centre."""

from __future__ import annotations

import numpy as np
import shapely

SIDE_M = 20_000.0
#: Fraction of the square the obstacles cover (before rejection of overlaps).
COVER = 0.15


def random_field(n: int, seed: int = 0, side: float = SIDE_M, vertices: int = 7) -> list[shapely.Polygon]:
    """``n`` disjoint convex polygons (the hull of ``vertices`` random points: about 6 corners) in the square [0, side]^2.

    Sizes scale so the obstacles cover about :data:`COVER` of the square whatever ``n``;
    none comes within 100 m of the centre (the site) or of another obstacle.
    """
    rng = np.random.default_rng(seed)
    radius = np.sqrt(COVER * side**2 / (n * np.pi * 0.7))
    centre = shapely.Point(side / 2, side / 2).buffer(100.0)
    kept: list[shapely.Polygon] = []
    others = [centre]
    boxes = np.array([centre.bounds])
    while len(kept) < n:
        cx, cy = rng.uniform(radius, side - radius, 2)
        ang = np.sort(rng.uniform(0, 2 * np.pi, vertices))
        r = radius * rng.uniform(0.5, 1.0, vertices)
        poly = shapely.MultiPoint(np.column_stack([cx + r * np.cos(ang), cy + r * np.sin(ang)])).convex_hull
        if poly.geom_type != "Polygon":
            continue
        x0, y0, x1, y1 = poly.bounds
        near = np.flatnonzero((boxes[:, 0] < x1 + 100) & (boxes[:, 2] > x0 - 100) & (boxes[:, 1] < y1 + 100)
                              & (boxes[:, 3] > y0 - 100))
        if any(poly.distance(others[i]) < 100.0 for i in near):
            continue
        kept.append(shapely.orient_polygons(poly))
        others.append(poly)
        boxes = np.vstack([boxes, poly.bounds])
    return kept


def free_targets(obstacles: list[shapely.Polygon], m: int, seed: int = 1, side: float = SIDE_M) -> np.ndarray:
    """``m`` random points (x, y metres) in the square outside every obstacle."""
    rng = np.random.default_rng(seed)
    union = shapely.union_all(obstacles)
    shapely.prepare(union)
    out = np.empty((0, 2))
    while len(out) < m:
        pts = rng.uniform(0, side, (2 * m, 2))
        pts = pts[~shapely.intersects_xy(union, pts[:, 0], pts[:, 1])]
        out = np.vstack([out, pts])
    return out[:m]
