"""Obstacles and operating area in local metres, with the lateral safety margin applied.

Blocking zones grow by the margin with a mitre join: every offset edge lies exactly one
margin out and corners are sharp, bevelled no closer than ``MITRE_LIMIT`` margins from the
vertex, so the grown polygon contains every point within the margin of the zone (the
round buffer) while adding no vertices. The operating area shrinks by removing a mitred
band of the margin's width along its boundary, which for the same reason leaves only
points at least one margin inside.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from datetime import datetime

import numpy as np
import shapely

from ..airspace.model import Airspace
from ..errors import InputError, InputWarning
from ..geo import LocalFrame

__all__ = ["MITRE_LIMIT", "grow", "shrink", "site_obstacles"]

#: Mitre limit (in margins) of grown corners; >= 1 keeps the grown polygon outside the margin.
MITRE_LIMIT = 2.0


def grow(geoms: Iterable[shapely.Geometry], margin_m: float) -> list[shapely.Geometry]:
    """Polygons grown by ``margin_m`` metres (mitre joins: a conservative outer bound)."""
    geoms = list(geoms)
    if margin_m <= 0 or not geoms:
        return geoms
    return list(shapely.buffer(np.array(geoms, dtype=object), margin_m, join_style="mitre",
                               mitre_limit=MITRE_LIMIT))


def shrink(area: shapely.Geometry, margin_m: float) -> shapely.Geometry:
    """``area`` with a band of ``margin_m`` metres along its boundary removed (mitred, conservative)."""
    if margin_m <= 0:
        return area
    band = shapely.buffer(area.boundary, margin_m, join_style="mitre", mitre_limit=MITRE_LIMIT)
    return shapely.difference(area, band)


def _window(airspace: Airspace, frame: LocalFrame) -> shapely.Geometry:
    """The (lon, lat) region whose zones can matter: the operating area, else the frame's range."""
    if airspace.operating_area is not None:
        return airspace.operating_area
    r = frame.max_radius_m
    ring = np.linspace(0, 2 * np.pi, 65)
    lon, lat = frame.to_lonlat(r * np.cos(ring), r * np.sin(ring))
    return shapely.Polygon(np.column_stack([lon, lat])).envelope


def site_obstacles(
    airspace: Airspace,
    frame: LocalFrame,
    *,
    band: tuple[float, float],
    at: datetime | None = None,
    until: datetime | None = None,
    authorisations: Iterable[str] = (),
    margin_m: float = 30.0,
) -> tuple[list[shapely.Geometry], shapely.Geometry | None]:
    """Obstacles (grown zones) and boundary (shrunk area) in ``frame``'s metres for a flight.

    Zones blocking the band ``(lo, hi)`` m AGL at ``at`` (to ``until``), except the
    ``authorisations`` held, grow by ``margin_m``; the operating area shrinks by it. The
    site (the frame's origin) must lie outside every blocking zone and inside the area;
    when it is closer than the margin to either, the margin is relaxed within one margin
    of the site (the departure climbs there) and an :class:`InputWarning` says so.
    """
    if not margin_m >= 0:
        raise InputError(f"the safety margin must be a non-negative number of metres, not {margin_m!r}")
    lo, hi = band
    site = shapely.Point(0.0, 0.0)
    window = _window(airspace, frame)
    blocking = [z for z in airspace.blocking(lo, hi, at, until, authorisations)
                if shapely.intersects(z.geometry, window)]
    zones = [frame.geometry_to_local(z.geometry, check=False) for z in blocking]
    for zone, geom in zip(blocking, zones):
        if geom.contains(site):
            raise InputError(f"the site lies inside blocking zone {zone.id!r} ({zone.name or zone.kind})",
                             zone.source, zone.where)
    area = None
    if airspace.operating_area is not None:
        area = frame.geometry_to_local(airspace.operating_area, check=False)
        if not area.contains(site):
            gap = area.boundary.distance(site)
            raise InputError(f"the site lies {gap:.0f} m outside the operating area")
    obstacles = grow(zones, margin_m)
    boundary = shrink(area, margin_m) if area is not None else None

    edges = [g.boundary for g in zones] + ([area.boundary] if area is not None else [])
    clearance = min((e.distance(site) for e in edges), default=np.inf)
    if clearance < margin_m:
        relief = site.buffer(margin_m, quad_segs=16)
        if area is not None:
            relief = relief.intersection(area)
        if zones:
            relief = relief.difference(shapely.union_all(zones))
        obstacles = [g.difference(relief) for g in obstacles]
        if boundary is not None:
            boundary = boundary.union(relief)
        warnings.warn(f"the site is {clearance:.1f} m from a blocking zone or the edge of the operating area, "
                      f"closer than the {margin_m:g} m safety margin: the margin is relaxed within "
                      f"{margin_m:g} m of the site", InputWarning, stacklevel=3)
    return [g for g in obstacles if not g.is_empty], boundary
