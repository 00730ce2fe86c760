"""GeoJSON airspace: a FeatureCollection of zones, and operating-area polygons.

Each Feature is one zone. Geometry: ``Polygon`` or ``MultiPolygon`` (``(lon, lat)``, holes
allowed, rings closed), or a circle: a ``Point`` with ``properties.radius_m`` or, as in
ED-318, ``geometry.extent = {"subType": "Circle", "radius": metres}``. Properties:

``id`` (or the Feature's ``id``; required, unique), ``name``, ``restriction`` (required:
prohibited | requires_authorisation | conditional | no_restriction), ``kind``, ``reason``,
``floor`` (default GND) and ``ceiling`` (default UNL), each ``{"value", "unit", "reference"}``
or text such as ``"400 ft AGL"``/``"FL55"``; ``schedule``: a list of periods, each weekly
``{"days": ["SAT"], "start": "17:00", "end": "23:00"}`` or one-off
``{"from": ISO, "until": ISO}``; ``valid_from``/``valid_until`` (ISO 8601) bound them all;
``timezone`` (IANA) for local times, by default the site's. Other properties are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ..errors import InputError
from ..geo import check_lon_lat
from .heights import check_limits, height_from_parts, parse_height
from .model import GROUND, UNLIMITED, Circle, Height, Restriction, Zone
from .parsing import feature_where, load_json, located, parse_clock, parse_days, parse_when
from .problems import ProblemLog, points_near
from .schedule import Schedule, WeeklyPeriod
from .shapes import DEFAULT_MAX_ERROR_M, circle_polygon, footprint

__all__ = [
    "parse_geojson", "zones_from_geojson", "parse_area", "polygon_from_coordinates", "polygonal_footprint",
    "parse_geojson_height", "feature_list", "read_features",
]

_WEEKLY_KEYS = {"days", "start", "end"}
_ONE_OFF_KEYS = {"from", "until"}
_HEIGHT_EXAMPLE = '{"value": 120, "unit": "m", "reference": "AGL"}'


def parse_geojson(
    text: str,
    source: str = "<geojson>",
    *,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
    planning_range: BaseGeometry | None = None,
    strict: bool = False,
) -> list[Zone]:
    """Zones of a GeoJSON FeatureCollection given as text (schema in the module docstring)."""
    return zones_from_geojson(
        load_json(text, source), source, ground_amsl_m=ground_amsl_m, tz=tz, max_error_m=max_error_m,
        planning_range=planning_range, strict=strict,
    )


def zones_from_geojson(
    data: Any,
    source: str = "<geojson>",
    *,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
    planning_range: BaseGeometry | None = None,
    strict: bool = False,
) -> list[Zone]:
    """Zones of an already parsed GeoJSON FeatureCollection.

    Features that cannot be read are judged together at the end (see :func:`read_features`).
    """
    log = ProblemLog(source, planning_range, strict)
    return read_features(feature_list(data, source), log,
                         lambda feature, i: _zone(feature, i, source, ground_amsl_m, tz, max_error_m))


def feature_list(data: Any, source: str) -> list[Any]:
    """The ``features`` of a GeoJSON FeatureCollection; :class:`InputError` if it is not one."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError("not a GeoJSON FeatureCollection", source)
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError("FeatureCollection has no features list", source)
    return features


def read_features(features: list[Any], log: ProblemLog, read: Callable[[Any, int], Zone | list[Zone]]) -> list[Zone]:
    """Zones ``read(feature, index)`` gives for each feature; a feature it cannot read is a problem
    placed by its coordinates, and the file's problems are judged together (:meth:`ProblemLog.finish`)."""
    zones: list[Zone] = []
    for index, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        with log.attempt(feature_where(index), lambda g=geometry: points_near([g])):
            got = read(feature, index)
            zones.extend(got if isinstance(got, list) else [got])
    log.finish()
    return zones


def _zone(feature: Any, index: int, source: str, ground: float, tz: tzinfo, max_error_m: float) -> Zone:
    where = feature_where(index)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InputError("is not a GeoJSON Feature", source, where)
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise InputError("properties is not an object", source, where)
    ident = props.get("id", feature.get("id"))
    if ident in (None, ""):
        raise InputError("has no id (properties.id)", source, where)
    where = feature_where(index, ident)
    if "restriction" not in props:
        raise InputError(
            "has no restriction (prohibited, requires_authorisation, conditional or no_restriction)", source, where
        )
    with located(source, where):
        restriction = Restriction.parse(props["restriction"])
        floor = parse_geojson_height(props.get("floor"), GROUND, "floor")
        ceiling = parse_geojson_height(props.get("ceiling"), UNLIMITED, "ceiling")
        check_limits(floor, ceiling, ground)
        zone_tz = _timezone(props.get("timezone"), tz)
        schedule = _schedule(props.get("schedule"), props.get("valid_from"), props.get("valid_until"), zone_tz)
    geometry, circle = _footprint(feature.get("geometry"), props, source, where, max_error_m)
    return Zone(
        id=str(ident), name=str(props.get("name", ident)), restriction=restriction, geometry=geometry,
        floor=floor, ceiling=ceiling, schedule=schedule, kind=str(props.get("kind", "")),
        reason=str(props.get("reason", "")), circle=circle, source=source, where=where,
    )


def parse_geojson_height(value: Any, default: Height, what: str) -> Height:
    """A floor or ceiling: ``{"value", "unit", "reference"}``, text like ``"400 ft AGL"``, or ``default`` if None."""
    if value is None:
        return default
    if isinstance(value, dict):
        missing = [k for k in ("value", "unit", "reference") if k not in value]
        if missing:
            raise ValueError(f"{what} lacks {', '.join(missing)} (e.g. {_HEIGHT_EXAMPLE})")
        return height_from_parts(value["value"], value["unit"], value["reference"])
    if isinstance(value, str):
        return parse_height(value)
    raise ValueError(f"{what} {value!r} needs a unit and a reference, e.g. \"120 m AGL\" or {_HEIGHT_EXAMPLE}")


def _timezone(name: Any, default: tzinfo) -> tzinfo:
    if name is None:
        return default
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def _schedule(periods: Any, valid_from: Any, valid_until: Any, tz: tzinfo) -> Schedule:
    if periods is None:
        periods = []
    elif not isinstance(periods, list) or not periods:
        raise ValueError("schedule must be a non-empty list of periods (omit it for a permanent zone)")
    weekly: list[WeeklyPeriod] = []
    windows = []
    for n, period in enumerate(periods):
        keys = set(period) if isinstance(period, dict) else set()
        if keys and keys <= _WEEKLY_KEYS and "days" in keys:
            weekly.append(WeeklyPeriod(
                parse_days(period["days"]), parse_clock(period.get("start", "00:00")),
                parse_clock(period.get("end", "00:00")),
            ))
        elif keys == _ONE_OFF_KEYS:
            start, end = parse_when(period["from"], tz), parse_when(period["until"], tz)
            if not end > start:
                raise ValueError(f"schedule[{n}] ends ({period['until']}) before it starts ({period['from']})")
            windows.append((start, end))
        else:
            raise ValueError(
                f"schedule[{n}] {period!r} is neither {{\"days\", \"start\", \"end\"}} nor {{\"from\", \"until\"}}"
            )
    lo = parse_when(valid_from, tz) if valid_from is not None else None
    hi = parse_when(valid_until, tz) if valid_until is not None else None
    if lo is not None and hi is not None and not hi > lo:
        raise ValueError(f"valid_until ({valid_until}) is not after valid_from ({valid_from})")
    return Schedule(lo, hi, tuple(weekly), tz, tuple(windows))


def polygon_from_coordinates(rings: Any, source: str, where: str, label: str = "polygon") -> Polygon:
    """A shapely Polygon from GeoJSON Polygon coordinates (closed rings of [lon, lat(, alt)])."""
    if not isinstance(rings, list) or not rings:
        raise InputError(f"{label} has no rings", source, where)
    parsed = []
    for r, ring in enumerate(rings):
        name = f"{label} ring {r}"
        try:
            coords = np.array(ring, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"{name} is not a list of [lon, lat] positions", source, where) from None
        if coords.ndim != 2 or coords.shape[1] not in (2, 3):
            raise InputError(f"{name} is not a list of [lon, lat] positions", source, where)
        check_lon_lat(coords[:, 0], coords[:, 1], source, f"{where} {name}")
        if len(coords) < 4:
            raise InputError(
                f"{name} has {len(coords)} positions; a closed ring needs at least 4 (3 corners and the first again)",
                source, where,
            )
        if not np.array_equal(coords[0, :2], coords[-1, :2]):
            raise InputError(
                f"{name} is not closed: first position {coords[0, :2].tolist()} differs from last "
                f"{coords[-1, :2].tolist()}", source, where,
            )
        parsed.append(coords[:, :2])
    return Polygon(parsed[0], parsed[1:])


def _footprint(
    geometry: Any, props: dict, source: str, where: str, max_error_m: float
) -> tuple[Polygon | MultiPolygon, Circle | None]:
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise InputError("has no geometry", source, where)
    kind = geometry["type"]
    coords = geometry.get("coordinates")
    if kind in ("Polygon", "MultiPolygon"):
        return polygonal_footprint(geometry, source, where), None
    if kind == "Point":
        return _circle(coords, geometry, props, source, where, max_error_m)
    raise InputError(
        f"geometry type {kind!r} is not a zone (Polygon, MultiPolygon, or Point with radius_m)", source, where
    )


def polygonal_footprint(geometry: Any, source: str, where: str) -> Polygon | MultiPolygon:
    """A checked (Multi)Polygon from a GeoJSON Polygon or MultiPolygon geometry object."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        return footprint(polygon_from_coordinates(coords, source, where), source, where)
    if kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise InputError("MultiPolygon has no polygons", source, where)
        parts = [polygon_from_coordinates(p, source, where, f"polygon {i}") for i, p in enumerate(coords)]
        return footprint(MultiPolygon(parts), source, where)
    raise InputError(f"geometry type {kind!r} is not a Polygon or MultiPolygon", source, where)


def _circle(
    coords: Any, geometry: dict, props: dict, source: str, where: str, max_error_m: float
) -> tuple[Polygon, Circle]:
    extent = geometry.get("extent") or {}
    radius = props.get("radius_m", extent.get("radius") if isinstance(extent, dict) else None)
    if radius is None:
        raise InputError("circle (Point) without a radius (properties.radius_m)", source, where)
    if isinstance(radius, bool) or not isinstance(radius, (int, float)) or not (math.isfinite(radius) and radius > 0):
        raise InputError(f"circle radius {radius!r} is not a positive number of metres", source, where)
    if not (isinstance(coords, list) and len(coords) in (2, 3) and all(isinstance(c, (int, float)) for c in coords)):
        raise InputError("Point coordinates are not [lon, lat]", source, where)
    lon, lat = float(coords[0]), float(coords[1])
    check_lon_lat(lon, lat, source, where)
    return circle_polygon(lon, lat, float(radius), max_error_m), Circle(lon, lat, float(radius))


def parse_area(data: Any, source: str) -> Polygon | MultiPolygon:
    """The union of the Polygons/MultiPolygons in a GeoJSON geometry, Feature or FeatureCollection."""
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        items = [(feature_where(i), f.get("geometry") if isinstance(f, dict) else None)
                 for i, f in enumerate(data.get("features") or [])]
    elif isinstance(data, dict) and data.get("type") == "Feature":
        items = [("feature", data.get("geometry"))]
    else:
        items = [("geometry", data)]
    parts: list[BaseGeometry] = []
    for where, geometry in items:
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind == "Polygon":
            polygon = polygon_from_coordinates(geometry.get("coordinates"), source, where)
        elif kind == "MultiPolygon":
            polygon = MultiPolygon([
                polygon_from_coordinates(p, source, where, f"polygon {i}")
                for i, p in enumerate(geometry.get("coordinates") or [])
            ])
        else:
            raise InputError(f"operating area must be a Polygon or MultiPolygon, not {kind!r}", source, where)
        parts.append(footprint(polygon, source, where))
    if not parts:
        raise InputError("no operating-area polygon found", source)
    return shapely.union_all(parts)
