"""Obstacle fields for the routing and dispatch-zone property tests (local metres, x east, y north)."""

import math
import warnings

import numpy as np
import shapely
from hypothesis import strategies as st

from dronedel.errors import InputWarning
from dronedel.routing import Router


def clearance(polygon: shapely.Polygon) -> float:
    """GEOS's minimum clearance of ``polygon`` (how thin its thinnest part is), quietly."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(shapely.minimum_clearance(polygon))


@st.composite
def convex_fields(
    draw: st.DrawFn,
    count: tuple[int, int],
    centre: float,
    radius: tuple[float, float],
    vertices: tuple[int, int],
    min_clearance: float,
) -> list[shapely.Polygon]:
    """Up to ``count`` convex polygons: hulls of ``vertices`` points on a circle.

    Centres lie in ``[-centre, centre]`` on both axes, radii in ``radius``; hulls thinner than
    ``min_clearance`` (slivers, where GEOS as the oracle rounds) are left out.
    """
    polygons = []
    for _ in range(draw(st.integers(*count))):
        cx, cy = draw(st.floats(-centre, centre)), draw(st.floats(-centre, centre))
        r = draw(st.floats(*radius))
        k = draw(st.integers(*vertices))
        angles = np.sort(np.array(draw(st.lists(st.floats(0, 2 * math.pi), min_size=k, max_size=k))))
        hull = shapely.MultiPoint(np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)])).convex_hull
        if hull.geom_type == "Polygon" and clearance(hull) > min_clearance:
            polygons.append(hull)
    return polygons


def quiet_router(obstacles, boundary, origin) -> Router:
    """A :class:`Router` built with its repair warnings (the field's own business) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        return Router(obstacles, boundary, origin)
