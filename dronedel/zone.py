"""The dispatch zone: where an idle drone can deliver within the promise and fly home.

Geometry first: :func:`dispatch_zone` is the set of points whose shortest obstacle-free path
from the site is at most ``reach_m`` long, in local metres. It is built from the router's
shortest-path tree, not by sampling: the union, over the site and every corner ``v`` of
the tree with ``dist[v] < reach``, of the disk of radius ``reach - dist[v]`` around ``v``
clipped to what ``v`` sees. A corner's view is its disk minus the shadow of every boundary
edge facing it and minus the obstacle wedge at the corner itself, so the region is exact
up to the disks, which are polygons inscribed in the circles (chord error at most
``tolerance_m``): the zone errs on the inside.

The union of many views leaves numerical debris where their edges nearly meet: holes and
parts of zero or sub-millimetre width. :func:`clean_zone` removes what is narrower than the
tolerance (width measured as twice the area over the perimeter): such holes are filled (they
are gaps between inscribed chords, not obstacles: a grown obstacle is at least two margins
wide) and such parts dropped (which errs on the inside). The zone GeoJSON is valid, its
rings oriented as RFC 7946 asks (outer counter-clockwise), with coordinates rounded to
1e-7 degrees (about a centimetre) and no repeated or collinear vertices.

Then time and energy: :func:`reach_for` turns the promise (less loading) and the battery
into a reach along each heading with the aircraft model (:func:`dronedel.aircraft.max_reach`:
straight flights out and back, wind triangle per leg, energy reserve). With wind the reach
depends on the direction, and :func:`dispatch_zone` takes one reach per heading sector: the
zone is the union over sectors of (region at that sector's reach) within that sector, the
sector's reach being the smallest over its headings, so the zone stays on the inside by at
most the spread of reach within a sector (``heading_error_m``). A route that bends around
obstacles is charged its length at the reach of the door's bearing from the site, and its
corners are not charged the stop-and-go time of the aircraft model: the dispatcher checks
each order with the full model; the zone is the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import shapely
import shapely.affinity
import shapely.geometry
from numpy.typing import ArrayLike, NDArray

from .aircraft import max_reach
from .config import AircraftProfile, Wind
from .errors import InputError
from .geo import LocalFrame
from .routing import Router
from .routing.visibility import cross

__all__ = ["DispatchZone", "clean_zone", "disk_segments", "dispatch_zone", "reach_for"]

#: Far points per edge shadow (4 gaps over < 180 degrees: chords stay beyond 0.92 of the radius).
_EDGE_ARC = 5
#: Far points per corner wedge (18 gaps over < 360 degrees: chords beyond 0.98 of the radius).
_WEDGE_ARC = 19
#: Shadows reach this many times the disk radius (beyond the disk even along their chords).
_FAR = 1.1
#: Grid (m) an overlay snaps to when GEOS cannot compute it exactly (a topology conflict
#: from nearly coincident edges); far below the zone's chord tolerance.
_SNAP_M = 1e-3
#: Grid (degrees) the zone's (lon, lat) coordinates are rounded to: about 1 cm.
_LONLAT_GRID_DEG = 1e-7


def disk_segments(radius_m: float, tolerance_m: float) -> int:
    """Segments of a polygon inscribed in a circle of ``radius_m`` whose chords stay within
    ``tolerance_m`` of the circle (a multiple of 4, at least 8)."""
    if radius_m <= tolerance_m:
        return 8
    step = 2 * math.acos(1 - tolerance_m / radius_m)
    return max(8, 4 * math.ceil(2 * math.pi / step / 4))


def _overlay(operation, *geometries: ArrayLike) -> shapely.Geometry:
    """``operation`` (a shapely set operation) exactly, or snapped to a 1 mm grid if GEOS gives up."""
    try:
        return operation(*geometries)
    except shapely.errors.GEOSException:
        return operation(*geometries, grid_size=_SNAP_M)


def _fan(v: NDArray, start: NDArray, sweep: NDArray, radius: ArrayLike, count: int) -> NDArray:
    """(m, count, 2) points at ``radius`` around ``v`` from angle ``start`` over ``sweep`` (rad)."""
    ang = start[:, None] + sweep[:, None] * np.linspace(0.0, 1.0, count)[None, :]
    return v + radius * np.stack([np.cos(ang), np.sin(ang)], axis=-1)


def _valid(polygons: NDArray) -> NDArray:
    """Shadow polygons, the few made invalid by rounding repaired."""
    bad = ~shapely.is_valid(polygons)
    if bad.any():
        polygons = polygons.copy()
        polygons[bad] = shapely.make_valid(polygons[bad])
    return polygons


def _view(router: Router, node: int, radius: float, tolerance_m: float) -> shapely.Geometry:
    """What node ``node`` sees within ``radius`` metres (closed free space, local metres)."""
    v = router.nodes[node]
    disk = shapely.Point(v).buffer(radius, quad_segs=disk_segments(radius, tolerance_m) // 4)
    space = router.space
    a = space.points
    b = space.points[space.next]
    ab = b - a
    far = _FAR * radius
    # edges facing v (v strictly on their free, left side) that come within the radius
    side = cross(ab, v - a)
    t = np.clip(np.einsum("ij,ij->i", v - a, ab) / np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-300), 0, 1)
    near = np.hypot(*(a + t[:, None] * ab - v).T) < radius
    e = np.flatnonzero((side > 1e-12 * np.hypot(*ab.T) * np.hypot(*(v - a).T)) & near)
    shadows = []
    if e.size:
        da, db = a[e] - v, b[e] - v
        start = np.arctan2(da[:, 1], da[:, 0])
        sweep = np.arctan2(cross(da, db), np.einsum("ij,ij->i", da, db))
        keep = sweep > 1e-9  # an edge seen exactly edge-on hides nothing its neighbours do not
        e, start, sweep = e[keep], start[keep], sweep[keep]
        reach = _FAR * np.maximum(radius, np.maximum(np.hypot(*da[keep].T), np.hypot(*db[keep].T)))
        arc = _fan(v, start, sweep, reach[:, None, None], _EDGE_ARC)[:, ::-1]
        ring = np.concatenate([a[e][:, None], b[e][:, None], arc], axis=1)
        shadows.append(_valid(shapely.polygons(ring)))
    corner = router.node_vertex[node]
    if corner >= 0:  # the obstacle wedge at the corner itself: CCW from the incoming to the outgoing edge
        u = space.points[space.prev[corner]] - v
        w = space.points[space.next[corner]] - v
        start = np.array([math.atan2(u[1], u[0])])
        sweep = np.array([math.atan2(cross(u, w), float(u @ w)) % (2 * math.pi)])
        arc = _fan(v, start, sweep, far, _WEDGE_ARC)
        shadows.append(_valid(shapely.polygons(np.concatenate([v[None, None], arc], axis=1))))
    if not shadows:
        return disk
    return _overlay(shapely.difference, disk, _overlay(shapely.union_all, np.concatenate(shadows)))


def _sector(centre_deg: float, width_deg: float, radius: float) -> shapely.Polygon:
    """The wedge of headings ``centre_deg`` +- ``width_deg``/2 (degrees true) out to ``radius`` m."""
    if width_deg >= 360:
        return shapely.box(-radius, -radius, radius, radius)
    n = max(2, math.ceil(width_deg / 5) + 1)
    headings = np.radians(np.linspace(centre_deg - width_deg / 2, centre_deg + width_deg / 2, n))
    r = radius / math.cos(math.radians(width_deg / (n - 1) / 2))
    arc = np.column_stack([r * np.sin(headings), r * np.cos(headings)])
    return shapely.Polygon(np.vstack([[0.0, 0.0], arc]))


def dispatch_zone(router: Router, reach_m: ArrayLike, *, tolerance_m: float = 1.0) -> shapely.Geometry:
    """Points (local metres) whose shortest path from the router's origin is at most ``reach_m``.

    ``reach_m`` is one distance, or one per heading sector: ``k`` values for ``k`` equal
    sectors centred on headings ``0, 360/k, ...`` degrees true, each applied to the points
    whose bearing from the origin falls in its sector. Disks are inscribed polygons with
    chord error at most ``tolerance_m``. An empty polygon when the reach is not positive.
    """
    reach = np.atleast_1d(np.asarray(reach_m, float))
    if reach.ndim != 1 or not np.all(np.isfinite(reach)) or not tolerance_m > 0:
        raise InputError("reach must be finite metres (one value or one per heading) and tolerance positive")
    top = float(reach.max())
    if top <= 0:
        return shapely.Polygon()
    dist = router.node_distances
    nodes = np.flatnonzero(dist < top)
    views = [_view(router, int(k), top - dist[k], tolerance_m) for k in nodes]
    ox, oy = router.origin
    if len(reach) == 1:
        zone = _overlay(shapely.union_all, views)
    else:
        views = np.array(views, dtype=object)
        centres = shapely.points(router.nodes[nodes])
        quad_segs = disk_segments(top, tolerance_m) // 4  # fine enough for every smaller disk too
        width = 360.0 / len(reach)
        pieces = []
        for k, r in enumerate(reach):
            use = np.flatnonzero(dist[nodes] < r)
            if not use.size:
                continue
            disks = shapely.buffer(centres[use], r - dist[nodes[use]], quad_segs=quad_segs)
            sector = shapely.affinity.translate(_sector(k * width, width, _FAR * top), ox, oy)
            seen = _overlay(shapely.intersection, _overlay(shapely.intersection, views[use], sector), disks)
            pieces.append(_overlay(shapely.union_all, seen))
        zone = _overlay(shapely.union_all, pieces) if pieces else shapely.Polygon()
    zone = _overlay(shapely.intersection, zone, router.free)
    return clean_zone(zone, tolerance_m)


def _width(rings: NDArray) -> NDArray:
    """Twice the area over the perimeter of each ring (m): the width of a thin strip, 0 for a flat ring."""
    polygons = shapely.polygons(rings)
    return 2.0 * shapely.area(polygons) / np.maximum(shapely.length(rings), 1e-300)


def clean_zone(geom: shapely.Geometry, tolerance_m: float) -> shapely.Geometry:
    """The polygonal parts of ``geom`` (local metres) without holes or parts narrower than ``tolerance_m``.

    Holes narrower than the tolerance are filled, parts narrower than it dropped, repeated
    and collinear vertices removed; the result is a valid Polygon or MultiPolygon (empty
    Polygon if nothing is left).
    """
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]
    kept = []
    for part in parts:
        shell = part.exterior
        if not _width(np.array([shell], dtype=object))[0] >= tolerance_m:
            continue
        holes = np.array(part.interiors, dtype=object)
        if holes.size:
            holes = holes[_width(holes) >= tolerance_m]
        kept.append(shapely.Polygon(shell, list(holes)))
    if not kept:
        return shapely.Polygon()
    zone = kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)
    zone = shapely.simplify(zone, 0.0)
    return zone if zone.is_valid else shapely.make_valid(zone)


def reach_for(
    profile: AircraftProfile,
    promise_s: float,
    loading_s: float = 0.0,
    *,
    payload_kg: float | None = None,
    wind: Wind | None = None,
    sectors: int = 72,
    samples: int = 4,
) -> tuple[NDArray, NDArray, float]:
    """Reach (m of path) per heading sector for deliveries within ``promise_s`` seconds.

    The flight starts ``loading_s`` after the order and must reach the door within the
    promise and come home with the energy reserve, carrying ``payload_kg`` out (default
    the aircraft's maximum payload: the zone then holds for every parcel). Without wind one
    sector is returned. With wind, ``sectors`` equal sectors: each sector's reach is the
    least of ``samples`` + 1 straight-flight reaches across it. Returns (sector centre
    headings in degrees true, reach in metres, the largest spread of reach within a sector
    in metres: how far inside the exact directional boundary the zone may fall).
    """
    budget = promise_s - loading_s
    if not budget > 0:
        raise InputError(f"the promise ({promise_s:g} s) leaves no time after loading ({loading_s:g} s)")
    payload = profile.max_payload_kg if payload_kg is None else float(payload_kg)
    if payload > profile.max_payload_kg:
        raise InputError(f"payload {payload:g} kg is above the aircraft's maximum {profile.max_payload_kg:g} kg")
    if wind is None or wind.speed_ms == 0:
        reach = np.asarray(max_reach(profile, payload, None, budget_s=budget), float).reshape(1)
        if not reach[0] > 0:
            raise InputError(f"no door can be served: a flight does not fit {budget:g} s and the battery")
        return np.zeros(1), reach, 0.0
    if wind.speed_ms >= profile.max_airspeed_ms:
        raise InputError(f"wind {wind.speed_ms:g} m/s is not below the aircraft's maximum airspeed "
                         f"{profile.max_airspeed_ms:g} m/s")
    width = 360.0 / sectors
    centres = np.arange(sectors) * width
    offsets = np.linspace(-width / 2, width / 2, samples + 1)
    headings = (centres[:, None] + offsets[None, :]) % 360.0
    reach = max_reach(profile, payload, wind, budget_s=budget, headings_deg=headings.ravel()).reshape(headings.shape)
    if not reach.max() > 0:
        raise InputError(f"no door can be served: in a wind of {wind.speed_ms:g} m/s from {wind.from_deg:g} degrees "
                         "no flight fits the promise and the battery")
    return centres, reach.min(axis=1), float((reach.max(axis=1) - reach.min(axis=1)).max())


@dataclass(frozen=True)
class DispatchZone:
    """The dispatch zone of a site: polygons in local metres and in (lon, lat) degrees.

    ``headings_deg``/``reach_m``: sector centre headings (degrees true) and reach (m of
    path) per sector (one sector without wind); ``heading_error_m`` the largest reach
    spread within a sector; ``tolerance_m`` the disks' chord error. Point tests are
    prepared: :meth:`contains_lonlat` checks 100,000 doors in a few tens of milliseconds.
    """

    local: shapely.Geometry
    lonlat: shapely.Geometry
    headings_deg: NDArray
    reach_m: NDArray
    promise_s: float
    loading_s: float
    payload_kg: float
    wind: Wind
    at: datetime | None
    heading_error_m: float
    tolerance_m: float
    frame: LocalFrame = field(repr=False)

    def __post_init__(self) -> None:
        shapely.prepare(self.local)
        shapely.prepare(self.lonlat)

    @property
    def area_km2(self) -> float:
        """The zone's area, square kilometres."""
        return float(self.local.area) / 1e6

    def contains_xy(self, x: ArrayLike, y: ArrayLike) -> NDArray:
        """True where local (x, y) metres lie in the zone (its boundary included)."""
        return shapely.intersects_xy(self.local, np.asarray(x, float), np.asarray(y, float))

    def contains_lonlat(self, lon: ArrayLike, lat: ArrayLike) -> NDArray:
        """True where (lon, lat) degrees lie in the zone (its boundary included)."""
        return shapely.intersects_xy(self.lonlat, np.asarray(lon, float), np.asarray(lat, float))

    def to_geojson(self) -> dict:
        """A GeoJSON FeatureCollection: the zone, (lon, lat) degrees, with its parameters."""
        props = {
            "kind": "dispatch_zone",
            "promise_s": self.promise_s,
            "loading_s": self.loading_s,
            "payload_kg": self.payload_kg,
            "wind": str(self.wind),
            "at": self.at.isoformat() if self.at else None,
            "reach_min_m": round(float(self.reach_m.min()), 1),
            "reach_max_m": round(float(self.reach_m.max()), 1),
            "heading_error_m": round(self.heading_error_m, 1),
            "tolerance_m": self.tolerance_m,
            "area_km2": round(self.area_km2, 3),
        }
        geometry = None
        if not self.lonlat.is_empty:
            rounded = shapely.set_precision(self.lonlat, _LONLAT_GRID_DEG)
            geometry = shapely.geometry.mapping(shapely.orient_polygons(rounded))
        return {"type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": props, "geometry": geometry}]}

    @classmethod
    def build(
        cls,
        router: Router,
        profile: AircraftProfile,
        *,
        promise_s: float = 1800.0,
        loading_s: float = 0.0,
        payload_kg: float | None = None,
        wind: Wind | None = None,
        at: datetime | None = None,
        sectors: int = 72,
        tolerance_m: float = 1.0,
    ) -> DispatchZone:
        """The zone of ``router``'s site (a router built by :meth:`Router.for_airspace`).

        See :func:`reach_for` for the time budget and wind, :func:`dispatch_zone` for the geometry.
        """
        if router.frame is None:
            raise InputError("the router has no site frame: build it with Router.for_airspace")
        wind = wind or Wind()
        headings, reach, spread = reach_for(profile, promise_s, loading_s, payload_kg=payload_kg, wind=wind,
                                            sectors=sectors)
        local = dispatch_zone(router, reach, tolerance_m=tolerance_m)
        lonlat = router.frame.geometry_to_lonlat(local) if not local.is_empty else shapely.Polygon()
        payload = profile.max_payload_kg if payload_kg is None else float(payload_kg)
        return cls(local, lonlat, headings, reach, float(promise_s), float(loading_s), payload, wind, at,
                   spread, float(tolerance_m), router.frame)
