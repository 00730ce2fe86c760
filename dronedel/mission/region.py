"""A fence as planar shapes in a site's local frame, and where a vehicle may fly inside it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from ..geo import LocalFrame
from .fence import Fence

__all__ = ["frame_at", "FenceShape", "local_shapes", "allowed_region", "breach"]

_CIRCLE_SEGMENTS = 64  # per quarter circle


@lru_cache(maxsize=32)
def frame_at(lon: float, lat: float) -> LocalFrame:
    """The local frame centred on ``(lon, lat)`` degrees, built once per place (pyproj setup is slow)."""
    return LocalFrame(lon, lat)


@dataclass(frozen=True)
class FenceShape:
    """One fence polygon or circle in local metres; ``label`` names it in messages."""

    geometry: BaseGeometry
    inclusion: bool
    label: str


def _circle(frame: LocalFrame, lon: float, lat: float, radius: float, outside: bool) -> BaseGeometry:
    """A polygon inscribed in the circle, or circumscribing it when ``outside``."""
    x, y = frame.to_local(lon, lat, check=False)
    if outside:
        radius /= math.cos(math.pi / (4 * _CIRCLE_SEGMENTS))
    return Point(float(x), float(y)).buffer(radius, quad_segs=_CIRCLE_SEGMENTS)


def local_shapes(fence: Fence, frame: LocalFrame) -> list[FenceShape]:
    """The fence's polygons and circles in ``frame``: inclusions shrunk, exclusions grown to be safe."""
    shapes = [FenceShape(frame.geometry_to_local(p, check=False), True, f"inclusion polygon {k + 1}")
              for k, p in enumerate(fence.inclusions)]
    shapes += [FenceShape(frame.geometry_to_local(p, check=False), False, f"exclusion polygon {k + 1}")
               for k, p in enumerate(fence.exclusions)]
    for k, c in enumerate(fence.circles):
        kind = "inclusion" if c.inclusion else "exclusion"
        shapes.append(FenceShape(_circle(frame, c.lon, c.lat, c.radius_m, not c.inclusion), c.inclusion,
                                 f"{kind} circle {k + 1} (radius {c.radius_m:g} m)"))
    return shapes


def allowed_region(fence: Fence, frame: LocalFrame, margin_m: float | None = None) -> BaseGeometry | None:
    """Where the fence lets the vehicle fly, keeping ``margin_m`` (default FENCE_MARGIN) from every edge.

    Local metres; ``None`` when the fence has no inclusion area and no exclusions (anywhere goes).
    """
    margin = fence.margin_m if margin_m is None else margin_m
    shapes = local_shapes(fence, frame)
    if not shapes:
        return None
    inside = [s.geometry.buffer(-margin) for s in shapes if s.inclusion]
    outside = [s.geometry.buffer(margin) for s in shapes if not s.inclusion]
    if inside:
        region = shapely.intersection_all(inside)
    else:
        region = shapely.union_all(outside).envelope.buffer(frame.max_radius_m)
    return region.difference(shapely.union_all(outside)) if outside else region


def breach(shapes: list[FenceShape], geometry: BaseGeometry, margin_m: float) -> str | None:
    """How ``geometry`` (local metres) breaks the fence with ``margin_m``, or None if it keeps clear."""
    for shape in shapes:
        if shape.inclusion:
            if not shape.geometry.contains(geometry):
                return f"outside {shape.label}"
            if not shape.geometry.buffer(-margin_m).contains(geometry):
                return f"within {margin_m:g} m (FENCE_MARGIN) of the edge of {shape.label}"
        else:
            if shape.geometry.intersects(geometry):
                return f"inside {shape.label}"
            if shape.geometry.distance(geometry) < margin_m:
                return f"within {margin_m:g} m (FENCE_MARGIN) of {shape.label}"
    return None
