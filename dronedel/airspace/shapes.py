"""Zone footprints in WGS84 ``(lon, lat)`` degrees: geodesic circles and arcs, ring checks, repair.

Circles and arcs are computed with ``pyproj.Geod`` on the WGS84 ellipsoid, so radii are
true ground distances. They become polygons approximated from *outside*: the polygon
always contains the true circle, so a no-fly zone is never under-estimated. With a
maximum error ``e`` (default :data:`DEFAULT_MAX_ERROR_M`, 1 m) the polygon boundary lies
between ``0.46 e`` and ``e`` outside the true circle: the segment count ``n`` is the
smallest (at least 8) with ``r (1/cos(pi/n) - 1) <= e/2``, and vertices sit at
``r / cos(pi/n) + e/2`` so every edge clears the circle by at least ``e/2 cos(pi/n)``.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Geod, Proj
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ..errors import InputError, InputWarning
from ..geo import check_lon_lat

__all__ = [
    "DEFAULT_MAX_ERROR_M", "segment_count", "circle_polygon", "arc_points", "azimuth_distance",
    "ring_is_clockwise", "closed_ring", "footprint", "buffer_line",
]

#: Default largest distance (m) between a circle or arc and the polygon that replaces it.
DEFAULT_MAX_ERROR_M = 1.0
_MIN_SEGMENTS = 8
_GEOD = Geod(ellps="WGS84")


def segment_count(radius_m: float, max_error_m: float = DEFAULT_MAX_ERROR_M) -> int:
    """Segments of a full circle of ``radius_m`` so its outside polygon is within ``max_error_m``."""
    if not radius_m > 0 or not math.isfinite(radius_m):
        raise ValueError(f"circle radius {radius_m!r} m must be a positive number")
    if not max_error_m > 0:
        raise ValueError("max_error_m must be positive")
    half_step = math.acos(1.0 / (1.0 + max_error_m / (2.0 * radius_m)))
    return max(_MIN_SEGMENTS, math.ceil(math.pi / half_step))


def _ring_at(lon: float, lat: float, azimuths_deg: NDArray, distance_m: float) -> NDArray:
    lons, lats, _ = _GEOD.fwd(
        np.full(azimuths_deg.shape, lon), np.full(azimuths_deg.shape, lat), azimuths_deg,
        np.full(azimuths_deg.shape, distance_m),
    )
    return np.column_stack([lons, lats])


def circle_polygon(lon: float, lat: float, radius_m: float, max_error_m: float = DEFAULT_MAX_ERROR_M) -> Polygon:
    """A polygon containing the geodesic circle of ``radius_m`` around (``lon``, ``lat``).

    Its boundary lies between ``0.46 max_error_m`` and ``max_error_m`` outside the circle.
    """
    check_lon_lat(lon, lat)
    n = segment_count(radius_m, max_error_m)
    vertex_distance = radius_m / math.cos(math.pi / n) + max_error_m / 2.0
    azimuths = np.arange(n) * (360.0 / n)
    return shapely.geometry.polygon.orient(Polygon(_ring_at(lon, lat, azimuths, vertex_distance)), 1.0)


def arc_points(
    lon: float,
    lat: float,
    radius_m: float,
    start_deg: float,
    end_deg: float,
    clockwise: bool,
    *,
    outside: bool,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
) -> NDArray:
    """Interior vertices (k, 2) of a geodesic arc, from azimuth ``start_deg`` to ``end_deg``.

    Azimuths are degrees clockwise from true north around the centre (``lon``, ``lat``);
    equal azimuths mean a full turn. The end points themselves are not included. With
    ``outside`` the vertices lie outside the circle (tangent polygon, for an arc that bulges
    out of its zone); otherwise on it (chords, for an arc that bulges into its zone). Either
    way the zone is never under-estimated and the error stays within ``max_error_m``.
    """
    n_full = segment_count(radius_m, max_error_m)
    sweep = ((end_deg - start_deg) if clockwise else (start_deg - end_deg)) % 360.0 or 360.0
    k = max(1, math.ceil(sweep * n_full / 360.0))
    step = (sweep / k) * (1.0 if clockwise else -1.0)
    if outside:
        azimuths = start_deg + (np.arange(k) + 0.5) * step
        distance = radius_m / math.cos(math.radians(abs(step)) / 2.0) + max_error_m / 2.0
    else:
        azimuths = start_deg + np.arange(1, k) * step
        distance = radius_m
    return _ring_at(lon, lat, np.mod(azimuths, 360.0), distance)


def azimuth_distance(lon: float, lat: float, lon2: float, lat2: float) -> tuple[float, float]:
    """Azimuth (degrees clockwise from north) and geodesic distance (m) from the first point to the second."""
    azimuth, _, distance = _GEOD.inv(lon, lat, lon2, lat2)
    return float(azimuth) % 360.0, float(distance)


def ring_is_clockwise(coords: NDArray) -> bool:
    """True if the (lon, lat) ring runs clockwise as seen on a map (north up)."""
    lon, lat = coords[:, 0], coords[:, 1]
    x = (lon - lon[0]) * math.cos(math.radians(float(np.mean(lat))))
    y = lat - lat[0]
    return float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)) < 0


def closed_ring(coords: NDArray) -> NDArray:
    """``coords`` (n, 2) without a repeated closing point and without consecutive duplicates."""
    coords = np.asarray(coords, float)
    if len(coords) > 1 and np.array_equal(coords[0], coords[-1]):
        coords = coords[:-1]
    keep = np.ones(len(coords), bool)
    keep[1:] = np.any(np.diff(coords, axis=0) != 0, axis=1)
    return coords[keep]


def _is_keyhole(ring: BaseGeometry, repaired: BaseGeometry) -> bool:
    """True if an invalid single ring is a hole joined to its shell by a zero-width cut."""
    return (
        isinstance(ring, Polygon) and not ring.interiors and isinstance(repaired, Polygon)
        and len(repaired.interiors) > 0
        and math.isclose(repaired.area, ring.area, rel_tol=1e-9)
    )


def footprint(
    geometry: BaseGeometry, source: str, where: str, *, keyhole_holes: bool = False
) -> Polygon | MultiPolygon:
    """Check a zone's (Multi)Polygon: coordinates in range, some area, valid (or repaired).

    An invalid polygon (self-intersecting ring, bow-tie) is repaired with
    ``shapely.make_valid``, keeping its polygonal parts, with an :class:`InputWarning` that
    names it. With ``keyhole_holes`` (OpenAir, which has no holes) a ring that reaches a hole
    through a zero-width cut is read as a polygon with that hole, without a warning.
    """
    coords = shapely.get_coordinates(geometry)
    check_lon_lat(coords[:, 0], coords[:, 1], source, where)
    if geometry.is_valid:
        repaired = geometry
    else:
        reason = shapely.is_valid_reason(geometry)
        fixed = shapely.make_valid(geometry)
        parts = [p for p in shapely.get_parts(fixed) if isinstance(p, (Polygon, MultiPolygon))]
        repaired = shapely.union_all(parts) if parts else Polygon()
        if not repaired.is_empty and not (keyhole_holes and _is_keyhole(geometry, repaired)):
            warnings.warn(
                InputWarning(f"{source}: {where}: invalid polygon ({reason}) repaired with shapely.make_valid"),
                stacklevel=3,
            )
    if repaired.is_empty or not repaired.area > 0:
        raise InputError("polygon has no area (its points are repeated or on one line)", source, where)
    return repaired


#: Longest edge (m) of a buffered line: a 1 km chord bows about 2 cm between two local frames.
_LINE_EDGE_M = 1000.0


@functools.lru_cache(maxsize=1024)
def _projection_near(lon_tenths: int, lat_tenths: int) -> Proj:
    """Azimuthal equidistant projection (m) centred on the 0.1-degree grid point nearest a line.

    A bare ``Proj`` takes a fraction of a millisecond to set up where a CRS-to-CRS
    transformer takes tens, which counts for a national file of thousands of wires.
    """
    return Proj(f"+proj=aeqd +lat_0={lat_tenths / 10.0!r} +lon_0={lon_tenths / 10.0!r} +ellps=WGS84 +units=m")


def buffer_line(
    coords: NDArray, half_width_m: float, *, flat_ends: bool = False, max_error_m: float = DEFAULT_MAX_ERROR_M
) -> Polygon | MultiPolygon:
    """The (lon, lat) polygon of the points within ``half_width_m`` metres of a (lon, lat) polyline.

    Buffered in a local azimuthal equidistant frame near the line; the polygon contains the
    true buffer (round joins and ends drawn from outside, within ``max_error_m``). Its edges
    are at most :data:`_LINE_EDGE_M` long, so that read as straight in another local frame
    (the site's) they stay within a few centimetres of where they are drawn. With
    ``flat_ends`` the ends are cut square at the end points (an airway segment).
    """
    coords = np.asarray(coords, float)
    if not half_width_m > 0 or not math.isfinite(half_width_m):
        raise ValueError(f"line width {2 * half_width_m!r} m must be a positive number")
    centre = coords.mean(axis=0)
    projection = _projection_near(round(float(centre[0]) * 10), round(float(centre[1]) * 10))
    x, y = projection(coords[:, 0], coords[:, 1])
    # drawn max_error_m / 2 wide of the true buffer, with chords that stay outside it. GEOS cuts a
    # round join or end of angle a into round(a / q) chords, q = (pi / 2) / quad_segs
    # (OffsetSegmentGenerator::addDirectedFillet), so a chord spans up to 1.5 q: quad_segs is chosen
    # so that such a chord's sag on the wider circle is at most max_error_m / 2
    radius = half_width_m + max_error_m / 2.0
    chord = 2.0 * math.acos(1.0 - max_error_m / 2.0 / radius)  # the widest chord angle allowed (rad)
    quad_segs = max(2, math.ceil(1.5 * (math.pi / 2.0) / chord))
    local = shapely.LineString(np.column_stack([x, y])).buffer(
        radius, quad_segs=quad_segs, cap_style="flat" if flat_ends else "round",
        join_style="round",
    )
    local = shapely.segmentize(local, _LINE_EDGE_M)
    lonlat = shapely.transform(local, lambda xy: np.column_stack(projection(xy[:, 0], xy[:, 1], inverse=True)))
    return shapely.geometry.polygon.orient(lonlat, 1.0)
