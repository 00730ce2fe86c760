"""The geofence of a flight: inclusion area, exclusion zones, altitude limit, as ArduPilot stores it.

ArduPilot keeps the fence as MAV_MISSION_TYPE_FENCE items: one item per polygon vertex
(MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION/EXCLUSION, param1 = that polygon's vertex count),
one per circle (MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION/EXCLUSION, param1 = radius in metres)
and an optional return point. Copter stores them in a small area (``FENCE_STORAGE_BYTES``),
so :func:`build_fence` simplifies polygons to a point budget — conservatively: an exclusion
polygon only grows, an inclusion polygon only shrinks, and neither comes closer to the
route than the fence margin.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.polygon import orient

from ..airspace.model import Airspace, Zone
from ..errors import InputError
from ..geo import LocalFrame
from .errors import MissionError
from .items import FENCE, MissionItem, mavlink, quantise_degrees, renumber

__all__ = [
    "FENCE_STORAGE_BYTES", "MAX_POLYGON_VERTICES", "FENCE_ACTIONS", "FenceOptions", "FenceCircle", "FencePolygon",
    "Fence",
    "FenceWarning", "build_fence", "fence_storage_bytes",
]

#: Bytes of fence storage in ArduPilot Copter on boards with 32 KiB of storage, SITL
#: included (StorageManager: 48 + 256 + 256).
FENCE_STORAGE_BYTES = 560
#: A polygon's vertex count travels in one byte (AC_PolyFence_loader).
MAX_POLYGON_VERTICES = 255
#: FENCE_ACTION values of ArduPilot Copter.
FENCE_ACTIONS = {
    0: "report only", 1: "RTL or land", 2: "always land", 3: "SmartRTL or RTL or land",
    4: "brake or land", 5: "SmartRTL or land",
}
#: FENCE_TYPE bits (Copter) dronedel uses: maximum altitude, and polygons and circles (the other
#: bits, 2 and 8, are the circle around home and the minimum altitude).
FENCE_TYPE_ALT_MAX, FENCE_TYPE_POLYGON = 1, 4

_POLYGON_CMDS = {
    mavlink.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION: True,
    mavlink.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION: False,
}
_CIRCLE_CMDS = {
    mavlink.MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION: True,
    mavlink.MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION: False,
}
# Tolerances (m) tried in turn until the fence fits its budget.
_TOLERANCES_M = (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
# Extra growth (m) so that rounding to 1e-7 degrees (about 1 cm) cannot undo containment.
_QUANTISATION_PAD_M = 0.05


class FenceWarning(UserWarning):
    """A zone was left out of the fence to keep it within its budget (the route still avoids it)."""


@dataclass(frozen=True)
class FenceOptions:
    """How the fence is made.

    ``point_budget``: fence items at most (vertices + circles); ``storage_bytes``: what the
    vehicle can store; ``margin_m``: FENCE_MARGIN, the distance every route leg keeps from
    every fence edge; ``corridor_m``: zones within this distance of the route go into the
    fence; ``alt_margin_m``: FENCE_ALT_MAX is the cruise altitude plus this, capped by the
    ceiling; ``ceiling_m``: the highest altitude allowed (m above home; 400 ft, Part 107);
    ``action``: FENCE_ACTION (Copter, see :data:`FENCE_ACTIONS`).
    """

    point_budget: int = 64
    storage_bytes: int = FENCE_STORAGE_BYTES
    margin_m: float = 5.0
    corridor_m: float = 2000.0
    alt_margin_m: float = 15.0
    ceiling_m: float = 121.92
    action: int = 3

    def __post_init__(self) -> None:
        if self.point_budget < 3:
            raise ValueError("point_budget must be at least 3")
        if not 1.0 <= self.margin_m <= 10.0:
            raise ValueError("margin_m (FENCE_MARGIN) must be within ArduPilot's range of 1-10 m")
        if self.action not in FENCE_ACTIONS:
            raise ValueError(f"action must be one of {sorted(FENCE_ACTIONS)}")
        if min(self.corridor_m, self.alt_margin_m, self.ceiling_m) <= 0:
            raise ValueError("corridor_m, alt_margin_m and ceiling_m must be positive")


@dataclass(frozen=True)
class FenceCircle:
    """A fence circle: centre ``(lon, lat)`` degrees, ``radius_m``, and whether it is an inclusion."""

    lon: float
    lat: float
    radius_m: float
    inclusion: bool = False


@dataclass(frozen=True)
class FencePolygon:
    """A fence polygon: ``vertices`` as (lon, lat) degrees in upload order (not closed)."""

    vertices: tuple[tuple[float, float], ...]
    inclusion: bool = False

    @property
    def polygon(self) -> Polygon:
        """The shapely polygon in (lon, lat) degrees."""
        return Polygon(self.vertices)

    @classmethod
    def from_polygon(cls, polygon: Polygon, inclusion: bool) -> "FencePolygon":
        """Vertices of ``polygon``'s exterior ((lon, lat) degrees, on MAVLink's 1e-7 grid), clockwise
        as QGroundControl draws them."""
        coords = list(orient(polygon, sign=-1.0).exterior.coords)[:-1]
        return cls(tuple((quantise_degrees(lon), quantise_degrees(lat)) for lon, lat in coords), inclusion)


@dataclass(frozen=True)
class Fence:
    """A vehicle fence: polygons and circles in (lon, lat) degrees, limits and return point.

    ``alt_max_m`` is FENCE_ALT_MAX (m above home) or ``None`` for no altitude limit;
    ``return_point`` is ``(lon, lat)`` or ``None``; ``dropped`` names zones left out.
    """

    polygons: tuple[FencePolygon, ...] = ()
    circles: tuple[FenceCircle, ...] = ()
    alt_max_m: float | None = None
    margin_m: float = 5.0
    action: int = 3
    return_point: tuple[float, float] | None = None
    dropped: tuple[str, ...] = field(default=(), compare=False)

    @property
    def inclusions(self) -> tuple[Polygon, ...]:
        """The inclusion polygons, (lon, lat) degrees."""
        return tuple(p.polygon for p in self.polygons if p.inclusion)

    @property
    def exclusions(self) -> tuple[Polygon, ...]:
        """The exclusion polygons, (lon, lat) degrees."""
        return tuple(p.polygon for p in self.polygons if not p.inclusion)

    @property
    def point_count(self) -> int:
        """Number of fence items: vertices, circles and the return point."""
        return sum(len(p.vertices) for p in self.polygons) + len(self.circles) + (self.return_point is not None)

    def items(self) -> tuple[MissionItem, ...]:
        """Fence items in upload order: return point, polygons vertex by vertex, circles (coordinates as held).

        Frame 0 (MAV_FRAME_GLOBAL) and altitude 0, as ArduPilot reports them back.
        """
        out: list[MissionItem] = []
        frame = mavlink.MAV_FRAME_GLOBAL

        def item(command: int, lon: float, lat: float, p1: float = 0.0) -> MissionItem:
            return MissionItem(0, frame, command, autocontinue=0, param1=float(p1), x=lat, y=lon, mission_type=FENCE)

        if self.return_point is not None:
            out.append(item(mavlink.MAV_CMD_NAV_FENCE_RETURN_POINT, *self.return_point))
        for polygon in self.polygons:
            command = (mavlink.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION if polygon.inclusion
                       else mavlink.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION)
            out.extend(item(command, lon, lat, len(polygon.vertices)) for lon, lat in polygon.vertices)
        for circle in self.circles:
            command = (mavlink.MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION if circle.inclusion
                       else mavlink.MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION)
            out.append(item(command, circle.lon, circle.lat, circle.radius_m))
        return renumber(out)

    def params(self) -> dict[str, float]:
        """The vehicle parameters this fence needs: FENCE_ENABLE, FENCE_TYPE, FENCE_ACTION, ..."""
        fence_type = FENCE_TYPE_POLYGON if (self.polygons or self.circles) else 0
        params = {"FENCE_ENABLE": 1.0, "FENCE_ACTION": float(self.action), "FENCE_MARGIN": float(self.margin_m)}
        if self.alt_max_m is not None:
            fence_type |= FENCE_TYPE_ALT_MAX
            params["FENCE_ALT_MAX"] = float(self.alt_max_m)
        params["FENCE_TYPE"] = float(fence_type)
        return dict(sorted(params.items()))

    @classmethod
    def from_items(cls, items: Sequence[MissionItem], params: dict[str, float] | None = None,
                   source: str = "") -> "Fence":
        """Read fence items back into polygons and circles; :class:`InputError` names a bad item.

        ``params`` (FENCE_ALT_MAX, FENCE_MARGIN, FENCE_ACTION, FENCE_TYPE) fill the limits.
        """
        polygons: list[FencePolygon] = []
        circles: list[FenceCircle] = []
        return_point = None
        i = 0
        while i < len(items):
            item = items[i]
            if item.command in _POLYGON_CMDS:
                count = item.param1
                if count != int(count) or not 3 <= count <= MAX_POLYGON_VERTICES:
                    raise InputError(f"polygon vertex count (param1) {count:g} is not a whole number from 3 to "
                                     f"{MAX_POLYGON_VERTICES}", source, f"fence item {item.seq}")
                group = items[i:i + int(count)]
                if len(group) < count or any(g.command != item.command or g.param1 != count for g in group):
                    raise InputError(f"polygon of {int(count)} vertices is followed by fewer items of the same "
                                     "kind and count", source, f"fence item {item.seq}")
                polygons.append(FencePolygon(tuple((g.y, g.x) for g in group), _POLYGON_CMDS[item.command]))
                i += int(count)
                continue
            if item.command in _CIRCLE_CMDS:
                if not item.param1 > 0:
                    raise InputError("circle radius (param1) must be positive", source, f"fence item {item.seq}")
                circles.append(FenceCircle(item.y, item.x, item.param1, _CIRCLE_CMDS[item.command]))
            elif item.command == mavlink.MAV_CMD_NAV_FENCE_RETURN_POINT:
                if return_point is not None:
                    raise InputError("a second return point", source, f"fence item {item.seq}")
                return_point = (item.y, item.x)
            else:
                raise InputError(f"{item.name} is not a fence command", source, f"fence item {item.seq}")
            i += 1
        params = params or {}
        fence_type = int(params.get("FENCE_TYPE", FENCE_TYPE_ALT_MAX))
        alt_max = params.get("FENCE_ALT_MAX") if fence_type & FENCE_TYPE_ALT_MAX else None
        return cls(tuple(polygons), tuple(circles), alt_max, float(params.get("FENCE_MARGIN", 5.0)),
                   int(params.get("FENCE_ACTION", 3)), return_point)


def fence_storage_bytes(fence: Fence) -> int:
    """Bytes ArduPilot needs to store ``fence`` (AC_PolyFence_loader's format, end marker included)."""
    return (4 + sum(2 + 8 * len(p.vertices) for p in fence.polygons) + 13 * len(fence.circles)
            + (9 if fence.return_point is not None else 0) + 1)


def _vertex_count(polygon: Polygon) -> int:
    return len(polygon.exterior.coords) - 1


def _outer(polygon: Polygon, tolerance: float) -> Polygon:
    """A polygon with fewer vertices that contains ``polygon`` (exterior only)."""
    filled = Polygon(polygon.exterior)
    if tolerance <= 0:
        return filled
    for grow in (1.0, 1.5, 2.0):
        grown = filled.buffer(grow * tolerance + _QUANTISATION_PAD_M, join_style="mitre", mitre_limit=2.0)
        simple = shapely.simplify(grown, tolerance, preserve_topology=True)
        if simple.geom_type == "Polygon":
            simple = Polygon(simple.exterior)
            if simple.contains(filled):
                return simple
    return filled.convex_hull


def _inner(polygon: Polygon, tolerance: float, keep: Point) -> Polygon | None:
    """A polygon with fewer vertices inside ``polygon`` that contains ``keep``, or None."""
    if tolerance <= 0:
        return Polygon(polygon.exterior)
    shrunk = Polygon(polygon.exterior).buffer(-(tolerance + _QUANTISATION_PAD_M), join_style="mitre", mitre_limit=2.0)
    simple = shapely.simplify(shrunk, tolerance, preserve_topology=True)
    for part in shapely.get_parts(simple):
        part = Polygon(part.exterior)
        if part.contains(keep) and Polygon(polygon.exterior).contains(part):
            return part
    return None


@dataclass
class _Shape:
    """A polygon to place in the fence, in local metres, with how far the route is from it."""

    polygon: Polygon
    inclusion: bool
    clearance_m: float
    label: str


def _fit(shapes: list[_Shape], circles: list[FenceCircle], route: LineString, home: Point,
         opts: FenceOptions) -> list[Polygon] | None:
    """Simplify every shape with the smallest common tolerance that fits the budget, or None."""
    fixed_points = len(circles)
    for tolerance in _TOLERANCES_M:
        out = []
        for shape in shapes:
            # Simplifying moves an edge by up to about twice the tolerance; stay clear of the route.
            t = min(tolerance, max(0.0, (shape.clearance_m - opts.margin_m) / 2.5))
            simple = _inner(shape.polygon, t, home) if shape.inclusion else _outer(shape.polygon, t)
            if simple is None or not _clear(simple, shape.inclusion, route, opts.margin_m):
                simple = Polygon(shape.polygon.exterior)
            out.append(simple)
        counts = [_vertex_count(p) for p in out]
        storage = 4 + sum(2 + 8 * n for n in counts) + 13 * fixed_points + 1
        if (max(counts, default=0) <= MAX_POLYGON_VERTICES and sum(counts) + fixed_points <= opts.point_budget
                and storage <= opts.storage_bytes):
            return out
    return None


def _clear(polygon: Polygon, inclusion: bool, route: LineString, margin: float) -> bool:
    if inclusion:
        return polygon.buffer(-margin).contains(route)
    return route.distance(polygon) >= margin


def build_fence(
    frame: LocalFrame,
    route_lonlat: Sequence[tuple[float, float]],
    airspace: Airspace | None,
    cruise_alt_m: float,
    *,
    options: FenceOptions = FenceOptions(),
    at: datetime | None = None,
    until: datetime | None = None,
    authorisations: Sequence[str] = (),
) -> Fence:
    """The fence of a flight along ``route_lonlat`` ((lon, lat) degrees, home first) at ``cruise_alt_m``.

    Inclusion: the airspace's operating area (its holes become exclusions), or without one a
    circle around home reaching ``options.corridor_m`` beyond the farthest route point.
    Exclusions: zones that block the band from the ground to FENCE_ALT_MAX between ``at``
    and ``until`` (all zones when ``at`` is None) and lie within ``options.corridor_m`` of
    the route; circular zones become fence circles. FENCE_ALT_MAX is the cruise altitude
    plus ``options.alt_margin_m``, capped by ``options.ceiling_m`` and by the floor of any
    zone above the route. Raises :class:`MissionError` when the route itself breaks the fence,
    and warns (:class:`FenceWarning`) for each zone dropped to meet the budget.
    """
    xs, ys = frame.to_local([p[0] for p in route_lonlat], [p[1] for p in route_lonlat])
    route = LineString(list(zip(xs, ys))) if len(xs) > 1 else Point(xs[0], ys[0]).buffer(0.01).exterior
    home = Point(xs[0], ys[0])
    ground = airspace.ground_amsl_m if airspace is not None else 0.0

    alt_max = min(cruise_alt_m + options.alt_margin_m, options.ceiling_m)
    overhead: list[Zone] = []
    if airspace is not None:
        near = {z.id for z in airspace.touching(frame.geometry_to_lonlat(route.buffer(options.margin_m)))}
        overhead = [z for z in airspace.blocking(cruise_alt_m, math.inf, at, until, authorisations)
                    if z.id in near and z.floor.agl(ground) >= cruise_alt_m]
    for zone in overhead:
        alt_max = min(alt_max, zone.floor.agl(ground))
    if alt_max < cruise_alt_m + 1.0:
        limit = "ceiling" if not overhead else f"floor of zone {overhead[0].id!r}"
        raise MissionError(f"FENCE_ALT_MAX would be {alt_max:g} m ({limit}), not above the cruise altitude "
                         f"of {cruise_alt_m:g} m plus 1 m")

    shapes: list[_Shape] = []
    circles: list[FenceCircle] = []
    area = airspace.operating_area if airspace is not None else None
    if area is not None:
        local_area = frame.geometry_to_local(area)
        parts = [p for p in shapely.get_parts(local_area) if p.contains(home)]
        if not parts:
            raise MissionError("home lies outside the operating area")
        outer = parts[0]
        if not outer.buffer(-options.margin_m).contains(route):
            raise MissionError(f"the route leaves the operating area or comes within {options.margin_m:g} m "
                             "(FENCE_MARGIN) of its edge")
        shapes.append(_Shape(outer, True, route.distance(outer.exterior), "operating area"))
        for k, hole in enumerate(outer.interiors):
            hole_polygon = Polygon(hole)
            if route.distance(hole_polygon) <= options.corridor_m:
                shapes.append(_Shape(hole_polygon, False, route.distance(hole_polygon), f"operating area hole {k + 1}"))
        clip = outer.buffer(options.margin_m + 10.0)
    else:
        reach = max(home.distance(Point(x, y)) for x, y in zip(xs, ys)) + options.corridor_m
        circles.append(FenceCircle(quantise_degrees(route_lonlat[0][0]), quantise_degrees(route_lonlat[0][1]),
                                   math.ceil(reach), True))
        clip = None

    blocking = [] if airspace is None else airspace.blocking(0.0, alt_max, at, until, authorisations)
    polygons_by_zone = []
    for zone in blocking:
        local = frame.geometry_to_local(zone.geometry, check=False)
        distance = route.distance(local)
        if distance > options.corridor_m:
            continue
        if distance < options.margin_m:
            raise MissionError(f"the route passes within {options.margin_m:g} m (FENCE_MARGIN) of zone {zone.id!r}")
        if zone.circle is not None:
            c = zone.circle
            circles.append(FenceCircle(quantise_degrees(c.lon), quantise_degrees(c.lat),
                                       math.ceil(c.radius_m * 10) / 10, False))
            continue
        if clip is not None:
            local = local.intersection(clip)
        polygons_by_zone.append((zone.id, local))

    # Overlapping zones become one polygon: fewer vertices, same area.
    merged = shapely.union_all([g for _, g in polygons_by_zone]) if polygons_by_zone else None
    for part in ([] if merged is None else shapely.get_parts(merged)):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        ids = [zid for zid, g in polygons_by_zone if g.intersects(part)]
        shapes.append(_Shape(Polygon(part.exterior), False, route.distance(part), ", ".join(ids)))

    dropped: list[str] = []
    while True:
        fitted = _fit(shapes, circles, route, home, options)
        if fitted is not None:
            break
        candidates = [s for s in shapes if not s.inclusion]
        if not candidates:
            raise MissionError(f"the operating area does not fit the fence budget of {options.point_budget} points "
                             f"and {options.storage_bytes} bytes even simplified")
        farthest = max(candidates, key=lambda s: s.clearance_m)
        shapes.remove(farthest)
        dropped.append(farthest.label)
        warnings.warn(f"zone(s) {farthest.label} ({farthest.clearance_m:.0f} m from the route) left out of the "
                      f"fence to fit {options.point_budget} points", FenceWarning, stacklevel=2)

    polygons = tuple(FencePolygon.from_polygon(frame.geometry_to_lonlat(p), s.inclusion)
                     for p, s in sorted(zip(fitted, shapes), key=lambda ps: not ps[1].inclusion))
    return Fence(polygons, tuple(circles), round(alt_max, 2), options.margin_m, options.action,
                 dropped=tuple(dropped))
