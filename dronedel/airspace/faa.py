"""FAA UAS data as the FAA's ArcGIS open-data GeoJSON exports give it.

**UAS Facility Map grid** (``FAA_UAS_FacilityMap_Data``): square cells of one arc-minute
around controlled airports, each a Feature with properties ``CEILING`` (the most the FAA may
authorise there through LAANC, in ``UNIT`` ``"Feet"`` AGL: 0 to 400 in steps of 50),
``LATITUDE``/``LONGITUDE`` (the cell centre), ``MAP_EFF`` (effective date), ``ARPT_COUNT``
and, for n = 1..5, ``APTn_FAAID``, ``APTn_ICAO``, ``APTn_NAME``, ``APTn_LAANC`` (1 where the
airport takes LAANC requests), ``AIRS_COUNT`` and ``AIRSPACE_n`` (the class, e.g. ``D``),
``REGION``, ``OBJECTID``, ``GLOBALID``. A cell is a requires-authorisation zone from the
ground up (controlled airspace, 14 CFR 107.41). An authorisation naming the cell (its id,
an id pattern such as ``uasfm-kcll-*``, or an airport it belongs to by ICAO or FAA id,
e.g. ``KCLL`` or ``CLL``) lets a flight through only wholly below ``CEILING``; above it, or
without one, the cell blocks; a 0 ft cell blocks whatever is held. Cell ids are
``uasfm-<airport>-<lat>n-<lon>w`` from the first airport and the cell centre.

**National Security UAS Flight Restrictions** (``DoD_Mar_13`` and the part-time layer):
polygons with ``Facility``, ``Base``, ``Branch``, ``Reason``, ``FAA_ID``, ``State``,
``OBJECTID`` and, where published, ``Floor``/``Ceiling`` (feet AGL as a number or text such
as ``"400 ft AGL"``; by default the ground to 400 ft AGL, as the FAA publishes them) and, for
part-time restrictions, ``ACTIVETIME``/``ENDTIME`` (epoch milliseconds or ISO 8601 UTC).
They prohibit UAS flight (14 CFR 99.7): no authorisation in the site file opens them.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone, tzinfo
from typing import Any

from shapely.geometry.base import BaseGeometry

from ..errors import InputError
from .geojson import feature_list, polygonal_footprint, read_features
from .heights import FOOT_M, check_limits, parse_height
from .model import GROUND, UNLIMITED, Height, Restriction, VerticalReference, Zone
from .parsing import feature_where, located, parse_when, slugify
from .problems import ProblemLog
from .schedule import Schedule
from .shapes import DEFAULT_MAX_ERROR_M

__all__ = ["looks_like_uasfm", "looks_like_nsufr", "zones_from_uasfm", "zones_from_nsufr", "NSUFR_CEILING"]

#: Ceiling of a National Security UAS Flight Restriction without a ``Ceiling`` field: 400 ft AGL.
NSUFR_CEILING = Height(400 * FOOT_M, VerticalReference.AGL)
_AIRPORTS = range(1, 6)


def _first_properties(data: Any) -> dict:
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    first = features[0] if isinstance(features, list) and features else None
    props = first.get("properties") if isinstance(first, dict) else None
    return props if isinstance(props, dict) else {}


def looks_like_uasfm(data: Any) -> bool:
    """True if parsed JSON is a FeatureCollection of UAS Facility Map cells (``CEILING``, ``APT1_FAAID``)."""
    props = _first_properties(data)
    return "CEILING" in props and ("APT1_FAAID" in props or "APT1_ICAO" in props)


def looks_like_nsufr(data: Any) -> bool:
    """True if parsed JSON is a FeatureCollection of National Security UAS Flight Restrictions."""
    props = _first_properties(data)
    return ("Facility" in props or "Base" in props) and ("Reason" in props or "FAA_ID" in props)


def zones_from_uasfm(
    data: Any,
    source: str = "<uasfm>",
    *,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
    planning_range: BaseGeometry | None = None,
    strict: bool = False,
) -> list[Zone]:
    """Zones of a UAS Facility Map grid (fields in the module docstring); ``tz`` and ``max_error_m`` unused."""
    log = ProblemLog(source, planning_range, strict)
    return read_features(feature_list(data, source), log, lambda feature, i: _cell(feature, i, source))


def _text(props: dict, key: str) -> str:
    value = props.get(key)
    return "" if value is None else str(value).strip()


def _cell(feature: Any, index: int, source: str) -> Zone:
    where = feature_where(index)
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise InputError("is not a GeoJSON Feature with properties", source, where)
    props = feature["properties"]
    ceiling_ft = props.get("CEILING")
    if isinstance(ceiling_ft, bool) or not isinstance(ceiling_ft, (int, float)) or not (
            math.isfinite(ceiling_ft) and ceiling_ft >= 0):
        raise InputError(f"CEILING {ceiling_ft!r} is not a height of 0 feet or more", source, where)
    unit = _text(props, "UNIT") or "Feet"
    if unit.lower() not in ("feet", "foot", "ft"):
        raise InputError(f"UNIT {unit!r} is not Feet", source, where)
    listed = [(_text(props, f"APT{n}_ICAO"), _text(props, f"APT{n}_FAAID"), _text(props, f"APT{n}_NAME"),
               props.get(f"APT{n}_LAANC") == 1) for n in _AIRPORTS]
    airports = [a for a in listed if a[0] or a[1]]
    if not airports:
        raise InputError("names no airport (APT1_ICAO or APT1_FAAID)", source, where)
    geometry = polygonal_footprint(feature.get("geometry"), source, where)
    lat, lon = props.get("LATITUDE"), props.get("LONGITUDE")
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lat, lon)):
        lon, lat = geometry.centroid.x, geometry.centroid.y
    primary = airports[0][0] or airports[0][1]
    ident = (f"uasfm-{primary.lower()}-{abs(lat):.4f}{'n' if lat >= 0 else 's'}"
             f"-{abs(lon):.4f}{'e' if lon >= 0 else 'w'}")
    classes = [_text(props, f"AIRSPACE_{n}") for n in _AIRPORTS if _text(props, f"AIRSPACE_{n}")]
    laanc = [a[0] or a[1] for a in airports if a[3]]
    return Zone(
        id=ident, name=f"{airports[0][2] or primary} grid {ceiling_ft:g} ft",
        restriction=Restriction.REQUIRES_AUTHORISATION, geometry=geometry, floor=GROUND, ceiling=UNLIMITED,
        kind="UAS facility map cell" + (f", class {'/'.join(classes)}" if classes else ""),
        source=source, where=feature_where(index, ident),
        groups=tuple(sorted({code.upper() for a in airports for code in a[:2] if code})),
        authorised_ceiling=Height(float(ceiling_ft) * FOOT_M, VerticalReference.AGL),
        properties={"ceiling_ft": f"{ceiling_ft:g}", "airports": ", ".join(a[0] or a[1] for a in airports),
                    "laanc": ", ".join(laanc), "map_effective": _text(props, "MAP_EFF")},
    )


def zones_from_nsufr(
    data: Any,
    source: str = "<nsufr>",
    *,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
    planning_range: BaseGeometry | None = None,
    strict: bool = False,
) -> list[Zone]:
    """Zones of National Security UAS Flight Restrictions (fields in the module docstring)."""
    log = ProblemLog(source, planning_range, strict)
    return read_features(feature_list(data, source), log,
                         lambda feature, i: _restriction(feature, i, source, ground_amsl_m))


def _nsufr_height(value: Any, default: Height) -> Height:
    if value in (None, ""):
        return default
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"height {value!r} is not a finite number of feet")
        return Height(float(value) * FOOT_M, VerticalReference.AGL)
    text = str(value).replace("'", " ft").replace(",", "")
    return parse_height(text, default_unit="ft", default_reference=VerticalReference.AGL)


def _moment(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000.0, timezone.utc)
    return parse_when(value, timezone.utc)


def _restriction(feature: Any, index: int, source: str, ground: float) -> Zone:
    where = feature_where(index)
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise InputError("is not a GeoJSON Feature with properties", source, where)
    props = feature["properties"]
    name = _text(props, "Facility") or _text(props, "Base") or f"restriction {index}"
    ident = slugify(f"nsufr {_text(props, 'FAA_ID') or _text(props, 'OBJECTID') or index} {name}")
    where = feature_where(index, ident)
    with located(source, where):
        floor = _nsufr_height(props.get("Floor"), GROUND)
        ceiling = _nsufr_height(props.get("Ceiling"), NSUFR_CEILING)
        check_limits(floor, ceiling, ground)
        start, end = _moment(props.get("ACTIVETIME")), _moment(props.get("ENDTIME"))
    schedule = Schedule(valid_from=start, valid_until=end) if start or end else Schedule()
    return Zone(
        id=ident, name=name, restriction=Restriction.PROHIBITED,
        geometry=polygonal_footprint(feature.get("geometry"), source, where), floor=floor, ceiling=ceiling,
        schedule=schedule, kind="national security UAS flight restriction", reason=_text(props, "Reason"),
        source=source, where=where,
        properties={k: _text(props, k) for k in ("Base", "Branch", "State", "FAA_ID") if _text(props, k)},
    )
