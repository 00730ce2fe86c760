"""OpenAir airspace text (Naviter OpenAir 2.1 subset, as openAIP, XCSoar and SeeYou write it).

One record per ``AC`` line, up to the next ``AC``:

- ``AC class``, ``AY type`` (optional), ``AN name``, ``AL``/``AH`` floor/ceiling (``GND``,
  ``SFC``, ``UNL``, ``FL95``, ``1500ft AMSL``, ``500ft AGL``, ``300m AGL``; a bare number is
  feet, a missing reference is AMSL/MSL);
- ``DP coord`` polygon point; ``V X=coord`` centre; ``V D=+`` (clockwise, the default) or
  ``V D=-``; ``DC r`` circle; ``DA r, a1, a2`` arc from bearing ``a1`` to ``a2`` (degrees
  true from the centre); ``DB coord1, coord2`` arc between two points. Radii are nautical
  miles; coordinates ``DD:MM:SS N DDD:MM:SS E`` or ``DD:MM.mmm N DDD:MM.mmm E``;
- ``*`` starts a comment. ``* dronedel: restriction=prohibited, id=my-zone`` inside a record
  sets its restriction and id explicitly. ``SP``, ``SB``, ``AT``, ``AF``, ``AG``, ``AI``
  and ``V Z=``/``V W=`` only style or label a map, and are skipped.

The restriction comes from the explicit comment, else ``AY``, else ``AC``, by
:data:`CLASS_RESTRICTIONS`. The zone id is the slugified name (``AN Kyle Field`` ->
``kyle-field``), with ``-L<line>`` added when a name repeats. Records are closed rings;
OpenAir has no holes, so a ring that reaches a hole through a zero-width cut (a keyhole)
is read as a polygon with that hole. OpenAir has no schedules: every zone is permanent.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import timezone, tzinfo

import numpy as np
from numpy.typing import NDArray
from pyproj import Geod
from shapely.geometry import Polygon

from ..errors import InputError, InputWarning
from ..geo import check_lon_lat
from .heights import NAUTICAL_MILE_M, check_limits, parse_height
from .model import Circle, Height, Restriction, VerticalReference, Zone
from .parsing import located, slugify
from .shapes import (
    DEFAULT_MAX_ERROR_M, arc_points, azimuth_distance, circle_polygon, closed_ring, footprint, ring_is_clockwise,
)

__all__ = ["parse_openair", "looks_like_openair", "parse_coordinate", "CLASS_RESTRICTIONS"]

_P, _R, _C, _N = (
    Restriction.PROHIBITED, Restriction.REQUIRES_AUTHORISATION, Restriction.CONDITIONAL, Restriction.NO_RESTRICTION,
)

#: Restriction of each OpenAir class (``AC``) or type (``AY``), upper case.
#: Prohibited areas prohibit; controlled airspace (US 14 CFR 107.41) and restricted areas
#: need an authorisation; danger areas, mandatory-transponder/radio zones, glider and
#: wave areas carry conditions; classes F and G are uncontrolled.
CLASS_RESTRICTIONS: dict[str, Restriction] = {
    "P": _P, "PROHIBITED": _P,
    "R": _R, "RESTRICTED": _R, "A": _R, "B": _R, "C": _R, "D": _R, "E": _R,
    "CTR": _R, "CTA": _R, "TMA": _R, "ATZ": _R,
    "Q": _C, "DANGER": _C, "W": _C, "GP": _C, "GSEC": _C, "TMZ": _C, "RMZ": _C, "TRA": _C, "TSA": _C,
    "F": _N, "G": _N,
}

_GEOD = Geod(ellps="WGS84")
_PART = r"(\d{1,3})\s*:\s*(\d{1,2}(?:\.\d+)?)(?:\s*:\s*(\d{1,2}(?:\.\d+)?))?\s*([NSEWnsew])"
_COORDINATE = re.compile(rf"^\s*{_PART}\s*,?\s*{_PART}\s*$")
_DIRECTIVE = re.compile(r"^\*\s*dronedel\s*:(.*)$", re.IGNORECASE)
#: Largest relative difference between the radii of a DB arc's end points read without a warning.
_DB_RADIUS_TOLERANCE = 0.02
_SKIPPED = {"SP", "SB", "AT", "AF", "AG", "AI", "TO", "TC"}


def looks_like_openair(text: str) -> bool:
    """True if ``text`` has an OpenAir ``AC`` record line."""
    return re.search(r"^\s*AC\s+\S", text, re.MULTILINE) is not None


def _angle(degrees: str, minutes: str, seconds: str | None, limit: int, text: str) -> float:
    m, s = float(minutes), float(seconds or 0.0)
    if seconds is not None and "." in minutes:
        raise ValueError(f"coordinate {text!r} has decimal minutes and seconds")
    if m >= 60 or s >= 60:
        raise ValueError(f"coordinate {text!r} has minutes or seconds of 60 or more")
    value = int(degrees) + m / 60.0 + s / 3600.0
    if value > limit:
        raise ValueError(f"coordinate {text!r} is out of range (more than {limit} degrees)")
    return value


def parse_coordinate(text: str) -> tuple[float, float]:
    """``(lon, lat)`` degrees from ``DD:MM:SS N DDD:MM:SS W`` or ``DD:MM.mmm N DDD:MM.mmm W``."""
    match = _COORDINATE.match(text)
    if not match:
        raise ValueError(f"coordinate {text.strip()!r} is not DD:MM:SS N DDD:MM:SS E (or DD:MM.mmm)")
    first, second = match.groups()[:4], match.groups()[4:]
    hemispheres = first[3].upper() + second[3].upper()
    if hemispheres not in ("NE", "NW", "SE", "SW"):
        raise ValueError(f"coordinate {text.strip()!r} must give latitude (N/S) first, then longitude (E/W)")
    lat = _angle(*first[:3], 90, text.strip()) * (1 if hemispheres[0] == "N" else -1)
    lon = _angle(*second[:3], 180, text.strip()) * (1 if hemispheres[1] == "E" else -1)
    return lon, lat


@dataclass
class _Arc:
    """An arc around ``centre`` from ``start`` to ``end`` (lon, lat), ``clockwise`` or not."""

    centre: tuple[float, float]
    radius_m: float
    start_az: float
    end_az: float
    clockwise: bool
    start: tuple[float, float]
    end: tuple[float, float]


@dataclass
class _Record:
    """One ``AC`` record as read so far; ``line`` is the ``AC`` line's number."""

    line: int
    ac: str
    ay: str = ""
    name: str = ""
    floor: Height | None = None
    ceiling: Height | None = None
    elements: list[tuple[float, float] | _Arc] = field(default_factory=list)
    circle: Circle | None = None
    centre: tuple[float, float] | None = None
    clockwise: bool = True
    restriction: Restriction | None = None
    ident: str = ""


def parse_openair(
    text: str,
    source: str = "<openair>",
    *,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
) -> list[Zone]:
    """Zones of an OpenAir file given as text; ``tz`` is unused (OpenAir has no schedules)."""
    records: list[_Record] = []
    record: _Record | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        where = f"line {number}"
        if not line:
            continue
        if line.startswith("*"):
            directive = _DIRECTIVE.match(line)
            if directive:
                if record is None:
                    raise InputError("'* dronedel:' comment before the first AC record", source, where)
                with located(source, where):
                    _apply_directive(record, directive.group(1))
            continue
        keyword, _, rest = line.replace("\t", " ").partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "AC":
            record = _Record(number, rest.split("*", 1)[0].strip().upper())
            records.append(record)
            continue
        if keyword in _SKIPPED:
            continue
        if record is None:
            raise InputError(f"{keyword} before the first AC record", source, where)
        with located(source, where):
            _apply_line(record, keyword, rest, source, number, max_error_m)
    return _zones(records, source, ground_amsl_m, max_error_m)


def _apply_directive(record: _Record, text: str) -> None:
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep or not value:
            raise ValueError(f"'* dronedel:' item {item!r} is not key=value")
        if key == "restriction":
            record.restriction = Restriction.parse(value)
        elif key == "id":
            record.ident = value
        else:
            raise ValueError(f"unknown '* dronedel:' key {key!r} (known: id, restriction)")


def _apply_line(record: _Record, keyword: str, rest: str, source: str, number: int, max_error_m: float) -> None:
    value = rest.split("*", 1)[0].strip() if keyword != "AN" else rest
    if keyword == "AN":
        record.name = value
    elif keyword == "AY":
        record.ay = value.upper()
    elif keyword in ("AL", "AH"):
        height = parse_height(value, default_unit="ft", default_reference=VerticalReference.AMSL)
        if keyword == "AL":
            record.floor = height
        else:
            record.ceiling = height
    elif keyword == "V":
        _apply_variable(record, value)
    elif keyword == "DP":
        _check_not_circle(record, "DP")
        record.elements.append(parse_coordinate(value))
    elif keyword == "DC":
        if record.elements or record.circle:
            raise ValueError("DC circle in a record that already has points, arcs or a circle")
        centre = _centre(record, "DC")
        record.circle = Circle(centre[0], centre[1], _radius_nm(value, "DC"))
    elif keyword == "DA":
        _check_not_circle(record, "DA")
        parts = [p.strip() for p in value.split(",")]
        if len(parts) != 3:
            raise ValueError(f"DA {value!r} is not 'radius_nm, start_bearing, end_bearing'")
        centre = _centre(record, "DA")
        radius = _radius_nm(parts[0], "DA")
        try:
            a1, a2 = float(parts[1]) % 360.0, float(parts[2]) % 360.0
        except ValueError:
            raise ValueError(f"DA bearings {parts[1]!r}, {parts[2]!r} are not numbers") from None
        ends = _GEOD.fwd([centre[0]] * 2, [centre[1]] * 2, [a1, a2], [radius] * 2)
        record.elements.append(_Arc(centre, radius, a1, a2, record.clockwise,
                                    (ends[0][0], ends[1][0]), (ends[0][1], ends[1][1])))
    elif keyword == "DB":
        _check_not_circle(record, "DB")
        halves = _split_points(value)
        centre = _centre(record, "DB")
        start, end = parse_coordinate(halves[0]), parse_coordinate(halves[1])
        a1, radius = azimuth_distance(*centre, *start)
        a2, radius_end = azimuth_distance(*centre, *end)
        if not radius > 0:
            raise ValueError("DB arc starts at its centre")
        if abs(radius_end - radius) > max(_DB_RADIUS_TOLERANCE * radius, max_error_m):
            warnings.warn(InputWarning(
                f"{source}: line {number}: DB end point is {radius_end:.0f} m from the centre but the start "
                f"{radius:.0f} m; the arc keeps the start's radius"
            ), stacklevel=4)
        record.elements.append(_Arc(centre, radius, a1, a2, record.clockwise, start, end))
    elif keyword == "DY":
        raise ValueError("airways (DY) are not supported")
    else:
        raise ValueError(f"unknown OpenAir record {keyword!r}")


def _apply_variable(record: _Record, value: str) -> None:
    name, sep, setting = (s.strip() for s in value.partition("="))
    name = name.upper()
    if not sep:
        raise ValueError(f"V {value!r} is not 'V name=value'")
    if name == "X":
        record.centre = parse_coordinate(setting)
    elif name == "D":
        if setting not in ("+", "-"):
            raise ValueError(f"V D={setting} must be + (clockwise) or - (counter-clockwise)")
        record.clockwise = setting == "+"
    elif name not in ("Z", "W"):
        raise ValueError(f"unknown variable V {name}= (known: X, D; Z and W are skipped)")


def _split_points(value: str) -> list[str]:
    match = re.match(rf"^({_PART}\s*,?\s*{_PART})\s*,\s*({_PART}\s*,?\s*{_PART})$", value.strip())
    if not match:
        raise ValueError(f"DB {value!r} is not 'coordinate, coordinate'")
    return [match.group(1), match.group(10)]


def _check_not_circle(record: _Record, keyword: str) -> None:
    if record.circle:
        raise ValueError(f"{keyword} in a record that is already a circle (DC)")


def _centre(record: _Record, keyword: str) -> tuple[float, float]:
    if record.centre is None:
        raise ValueError(f"{keyword} without a centre: set 'V X=coordinate' first")
    return record.centre


def _radius_nm(text: str, keyword: str) -> float:
    if not text.strip():
        raise ValueError(f"{keyword} without a radius (nautical miles)")
    try:
        radius = float(text)
    except ValueError:
        raise ValueError(f"{keyword} radius {text!r} is not a number of nautical miles") from None
    if not radius > 0:
        raise ValueError(f"{keyword} radius {text!r} must be positive (nautical miles)")
    return radius * NAUTICAL_MILE_M


def _ring(elements: list, clockwise_ring: bool | None, max_error_m: float) -> NDArray:
    points: list[NDArray] = []
    for element in elements:
        if isinstance(element, _Arc):
            bulges_out = clockwise_ring is not None and element.clockwise == clockwise_ring
            inner = arc_points(*element.centre, element.radius_m, element.start_az, element.end_az,
                               element.clockwise, outside=bulges_out, max_error_m=max_error_m)
            points.extend([np.array([element.start]), inner, np.array([element.end])])
        else:
            points.append(np.array([element]))
    return closed_ring(np.concatenate(points))


def _zones(records: list[_Record], source: str, ground: float, max_error_m: float) -> list[Zone]:
    zones: list[Zone] = []
    used: set[str] = set()
    for record in records:
        where = f"line {record.line}"
        if not record.name:
            raise InputError(f"AC {record.ac} record has no name (AN)", source, where)
        for keyword, value in (("AL", record.floor), ("AH", record.ceiling)):
            if value is None:
                what = "floor" if keyword == "AL" else "ceiling"
                raise InputError(f"record {record.name!r} has no {keyword} ({what})", source, where)
        with located(source, where):
            check_limits(record.floor, record.ceiling, ground)
        restriction = record.restriction or CLASS_RESTRICTIONS.get(record.ay) or CLASS_RESTRICTIONS.get(record.ac)
        if restriction is None:
            raise InputError(
                f"unknown airspace class {record.ac!r}" + (f" / type {record.ay!r}" if record.ay else "")
                + f" (known: {', '.join(CLASS_RESTRICTIONS)}); set it with '* dronedel: restriction=...'",
                source, where,
            )
        ident = record.ident or slugify(record.name) or f"zone-L{record.line}"
        if ident in used:
            if record.ident:
                raise InputError(f"zone id {ident!r} is used twice in this file", source, where)
            ident = f"{ident}-L{record.line}"
        used.add(ident)
        if record.circle is not None:
            c = record.circle
            check_lon_lat(c.lon, c.lat, source, where)
            geometry = circle_polygon(c.lon, c.lat, c.radius_m, max_error_m)
        else:
            geometry = _polygon(record, source, where, max_error_m)
        zones.append(Zone(
            id=ident, name=record.name, restriction=restriction, geometry=geometry, floor=record.floor,
            ceiling=record.ceiling, kind=f"class {record.ac}" + (f" {record.ay}" if record.ay else ""),
            circle=record.circle, source=source, where=where,
        ))
    return zones


def _polygon(record: _Record, source: str, where: str, max_error_m: float) -> Polygon:
    if not record.elements:
        raise InputError(f"record {record.name!r} has no geometry (DP, DA, DB or DC)", source, where)
    first = _ring(record.elements, None, max_error_m)
    if len(first) < 3:
        raise InputError(
            f"record {record.name!r} has {len(first)} distinct points; a polygon needs at least 3", source, where
        )
    check_lon_lat(first[:, 0], first[:, 1], source, where)
    ring = _ring(record.elements, ring_is_clockwise(first), max_error_m) if any(
        isinstance(e, _Arc) for e in record.elements) else first
    return footprint(Polygon(ring), source, where, keyhole_holes=True)
