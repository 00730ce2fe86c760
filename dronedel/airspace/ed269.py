"""ED-269 (EUROCAE UAS geographical zones) JSON: the subset dronedel reads.

``{"features": [...]}``, each feature with ``identifier`` (the zone id), ``name``,
``restriction`` (PROHIBITED | REQ_AUTHORISATION | CONDITIONAL | NO_RESTRICTION), ``reason[]``,
``otherReasonInfo``, ``applicability[]`` and ``geometry[]`` volumes. A volume has
``uomDimensions`` (M | FT), ``lowerLimit``/``upperLimit`` (absent: GND/UNL),
``lowerVerticalReference``/``upperVerticalReference`` (AGL | AMSL | WGS84; WGS84 ellipsoid
heights are read as AMSL, ignoring the geoid separation, with a warning) and a
``horizontalProjection``: a GeoJSON ``Polygon`` ((lon, lat)) or
``{"type": "Circle", "center": [lon, lat], "radius": metres}``.

Applicability is UTC: an entry with ``permanent: "YES"`` makes the zone permanent; one with
``schedule[]`` (``day`` MON..SUN or ANY, ``startTime``, ``endTime``) gives weekly periods,
bounded by its ``startDateTime``/``endDateTime`` if present; one with only the date-times is
a one-off window. Volumes with equal limits form one zone; a feature whose volumes differ in
limits becomes one zone per limit pair, with ids ``IDENT#1``, ``IDENT#2``, ...
``extendedProperties.kind``, if present, is the zone's kind (e.g. "stadium").
"""

from __future__ import annotations

import warnings
from datetime import datetime, timezone, tzinfo
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ..errors import InputError, InputWarning
from ..geo import check_lon_lat
from .geojson import polygon_from_coordinates, read_features
from .heights import check_limits, height_from_parts
from .model import GROUND, UNLIMITED, Circle, Height, Restriction, Zone
from .parsing import feature_where, load_json, located, parse_clock, parse_days, parse_when
from .problems import ProblemLog
from .schedule import Schedule, WeeklyPeriod
from .shapes import DEFAULT_MAX_ERROR_M, circle_polygon, footprint

__all__ = ["parse_ed269", "zones_from_ed269", "looks_like_ed269"]


def looks_like_ed269(data: Any) -> bool:
    """True if parsed JSON has ED-269's shape: ``features[]`` whose entries carry ``geometry[]`` volumes."""
    features = data.get("features") if isinstance(data, dict) else None
    return (
        isinstance(features, list) and data.get("type") != "FeatureCollection"
        and all(isinstance(f, dict) and isinstance(f.get("geometry"), list) for f in features)
    )


def parse_ed269(
    text: str,
    source: str = "<ed269>",
    *,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
    planning_range: BaseGeometry | None = None,
    strict: bool = False,
) -> list[Zone]:
    """Zones of an ED-269 JSON document given as text; ``tz`` is unused (ED-269 times are UTC)."""
    return zones_from_ed269(load_json(text, source), source, ground_amsl_m=ground_amsl_m, max_error_m=max_error_m,
                            planning_range=planning_range, strict=strict)


def zones_from_ed269(
    data: Any,
    source: str = "<ed269>",
    *,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
    planning_range: BaseGeometry | None = None,
    strict: bool = False,
) -> list[Zone]:
    """Zones of an already parsed ED-269 document; features that cannot be read are judged
    together (see :func:`~dronedel.airspace.geojson.read_features`)."""
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InputError("not an ED-269 document (no features list)", source)
    ellipsoid_heights: list[str] = []
    zones = read_features(features, ProblemLog(source, planning_range, strict), lambda feature, index: _feature_zones(
        feature, index, source, ground_amsl_m, max_error_m, ellipsoid_heights))
    if ellipsoid_heights:
        warnings.warn(InputWarning(
            f"{source}: WGS84 (ellipsoid) heights read as AMSL, ignoring the geoid separation, in "
            + ", ".join(ellipsoid_heights)
        ), stacklevel=2)
    return zones


def _feature_zones(
    feature: Any, index: int, source: str, ground: float, max_error_m: float, ellipsoid_heights: list[str]
) -> list[Zone]:
    where = feature_where(index)
    if not isinstance(feature, dict):
        raise InputError("is not an object", source, where)
    ident = feature.get("identifier")
    if ident in (None, ""):
        raise InputError("has no identifier", source, where)
    where = feature_where(index, ident)
    if "restriction" not in feature:
        raise InputError(
            "has no restriction (PROHIBITED, REQ_AUTHORISATION, CONDITIONAL, NO_RESTRICTION)", source, where
        )
    with located(source, where):
        restriction = Restriction.parse(feature["restriction"])
        schedule = _schedule(feature.get("applicability"))
    volumes = feature.get("geometry")
    if not isinstance(volumes, list) or not volumes:
        raise InputError("has no geometry volumes", source, where)

    groups: dict[tuple[Height, Height], list[tuple[Polygon, Circle | None]]] = {}
    for v, volume in enumerate(volumes):
        vwhere = f"{where} geometry[{v}]"
        if not isinstance(volume, dict):
            raise InputError("volume is not an object", source, vwhere)
        with located(source, vwhere):
            floor, ceiling = _limits(volume, ellipsoid_heights, vwhere)
            check_limits(floor, ceiling, ground)
        groups.setdefault((floor, ceiling), []).append(
            _projection(volume.get("horizontalProjection"), source, vwhere, max_error_m)
        )

    reasons = feature.get("reason") or []
    reason = ", ".join(str(r) for r in (reasons if isinstance(reasons, list) else [reasons]))
    if feature.get("otherReasonInfo"):
        reason = f"{reason}: {feature['otherReasonInfo']}" if reason else str(feature["otherReasonInfo"])
    extended = feature.get("extendedProperties")
    kind = str(extended.get("kind", "")) if isinstance(extended, dict) else ""
    zones = []
    for n, ((floor, ceiling), shapes) in enumerate(groups.items(), start=1):
        zone_id = str(ident) if len(groups) == 1 else f"{ident}#{n}"
        geometry = shapes[0][0] if len(shapes) == 1 else footprint(
            shapely.union_all([s for s, _ in shapes]), source, where
        )
        zones.append(Zone(
            id=zone_id, name=str(feature.get("name", ident)), restriction=restriction, geometry=geometry,
            floor=floor, ceiling=ceiling, schedule=schedule, kind=kind,
            reason=reason, circle=shapes[0][1] if len(shapes) == 1 else None, source=source, where=where,
        ))
    return zones


def _limits(volume: dict, ellipsoid_heights: list[str], where: str) -> tuple[Height, Height]:
    limits = []
    for side, default in (("lower", GROUND), ("upper", UNLIMITED)):
        value = volume.get(f"{side}Limit")
        if value is None:
            limits.append(default)
            continue
        if "uomDimensions" not in volume:
            raise ValueError("volume has limits but no uomDimensions (M or FT)")
        reference = volume.get(f"{side}VerticalReference")
        if reference is None:
            raise ValueError(f"{side}Limit has no {side}VerticalReference (AGL, AMSL or WGS84)")
        if str(reference).upper() == "WGS84":
            reference = "AMSL"
            if where not in ellipsoid_heights:
                ellipsoid_heights.append(where)
        limits.append(height_from_parts(value, volume["uomDimensions"], reference))
    return limits[0], limits[1]


def _projection(
    projection: Any, source: str, where: str, max_error_m: float
) -> tuple[Polygon | MultiPolygon, Circle | None]:
    kind = projection.get("type") if isinstance(projection, dict) else None
    if kind == "Polygon":
        polygon = polygon_from_coordinates(projection.get("coordinates"), source, where, "horizontalProjection")
        return footprint(polygon, source, where), None
    if kind == "Circle":
        center, radius = projection.get("center"), projection.get("radius")
        if radius is None:
            raise InputError("Circle without radius", source, where)
        if isinstance(radius, bool) or not isinstance(radius, (int, float)) or not radius > 0:
            raise InputError(f"Circle radius {radius!r} is not a positive number of metres", source, where)
        if not (isinstance(center, list) and len(center) == 2 and all(isinstance(c, (int, float)) for c in center)):
            raise InputError("Circle center is not [lon, lat]", source, where)
        check_lon_lat(center[0], center[1], source, where)
        lon, lat = float(center[0]), float(center[1])
        return circle_polygon(lon, lat, float(radius), max_error_m), Circle(lon, lat, float(radius))
    raise InputError(f"horizontalProjection type {kind!r} is not Polygon or Circle", source, where)


def _schedule(applicability: Any) -> Schedule:
    if applicability is None:
        return Schedule()
    if not isinstance(applicability, list):
        raise ValueError("applicability is not a list")
    utc = timezone.utc
    bounded: dict[tuple[datetime | None, datetime | None], list[WeeklyPeriod]] = {}
    windows: list[tuple[datetime, datetime]] = []
    for n, entry in enumerate(applicability):
        if not isinstance(entry, dict):
            raise ValueError(f"applicability[{n}] is not an object")
        if str(entry.get("permanent", "NO")).upper() == "YES":
            return Schedule()
        lo = parse_when(entry["startDateTime"], utc) if entry.get("startDateTime") else None
        hi = parse_when(entry["endDateTime"], utc) if entry.get("endDateTime") else None
        if lo is not None and hi is not None and not hi > lo:
            raise ValueError(f"applicability[{n}] endDateTime is not after startDateTime")
        periods = entry.get("schedule") or []
        if not isinstance(periods, list):
            raise ValueError(f"applicability[{n}] schedule is not a list")
        if not all(isinstance(p, dict) for p in periods):
            raise ValueError(f"applicability[{n}] schedule entries must be objects with day, startTime, endTime")
        weekly = [
            WeeklyPeriod(parse_days(p.get("day", "ANY")), parse_clock(p.get("startTime", "00:00")),
                         parse_clock(p.get("endTime", "00:00")))
            for p in periods
        ]
        if weekly:
            bounded.setdefault((lo, hi), []).extend(weekly)
        elif lo is not None and hi is not None:
            windows.append((lo, hi))
        elif lo is not None or hi is not None:
            bounded.setdefault((lo, hi), [])
        else:
            raise ValueError(f"applicability[{n}] is not permanent and has neither dates nor schedule")
    if len(bounded) > 1 or (windows and any(lo or hi for lo, hi in bounded)):
        raise ValueError(
            "applicability entries with different date ranges and schedules cannot be combined; "
            "split the feature into one per date range"
        )
    (lo, hi), weekly = next(iter(bounded.items())) if bounded else ((None, None), [])
    return Schedule(lo, hi, tuple(weekly), utc, tuple(windows))
