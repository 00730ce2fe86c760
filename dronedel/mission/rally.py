"""Rally points: places along the route where a vehicle can go to land instead of flying home."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from shapely.geometry import LineString, Point

from ..geo import LocalFrame
from .fence import Fence
from .items import RALLY, FRAME_RELATIVE, MissionItem, mavlink, quantise_degrees, renumber
from .region import allowed_region

__all__ = ["rally_points"]


def rally_points(
    frame: LocalFrame,
    route_lonlat: Sequence[tuple[float, float]],
    fence: Fence,
    alt_m: float,
    *,
    spacing_m: float = 2000.0,
    max_points: int = 10,
) -> tuple[MissionItem, ...]:
    """Home, then points every ``spacing_m`` along the route that lie inside the fence with its margin.

    ``route_lonlat`` is (lon, lat) degrees starting at home; ``alt_m`` the rally altitude
    above home, rounded to whole metres as ArduPilot stores it. Points closer than half the
    spacing to one already chosen are skipped; at most ``max_points`` are returned.
    """
    if spacing_m <= 0 or max_points < 1:
        raise ValueError("spacing_m must be positive and max_points at least 1")
    xs, ys = frame.to_local([p[0] for p in route_lonlat], [p[1] for p in route_lonlat])
    chosen = [(float(xs[0]), float(ys[0]))]
    if len(xs) > 1:
        line = LineString(list(zip(xs, ys)))
        allowed = allowed_region(fence, frame)
        for distance in np.arange(spacing_m, line.length, spacing_m):
            if len(chosen) >= max_points:
                break
            point = line.interpolate(distance)
            if min(point.distance(Point(c)) for c in chosen) < spacing_m / 2:
                continue
            if allowed is None or allowed.contains(point):
                chosen.append((point.x, point.y))
    lon, lat = frame.to_lonlat([c[0] for c in chosen], [c[1] for c in chosen])
    alt = float(round(alt_m))
    return renumber(
        MissionItem(0, FRAME_RELATIVE, mavlink.MAV_CMD_NAV_RALLY_POINT, autocontinue=0,
                    x=quantise_degrees(la), y=quantise_degrees(lo), z=alt, mission_type=RALLY)
        for lo, la in zip(lon, lat)
    )
