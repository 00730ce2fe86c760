"""OpenAir airspace text: OpenAir 1 as openAIP and XCSoar write it, and OpenAir 2 (Naviter's
SeeYou specification 2.1, 2025).

One record per ``AC`` line, up to the next ``AC``:

- ``AC class`` (A-G, ``UNC`` unclassified; OpenAir 1 files also put the type here: ``R``,
  ``Q``, ``P``, ``CTR``, ``GP``, ``W``), ``AY type`` (OpenAir 2: ``P``, ``R``, ``Q``, ``CTR``,
  ``TMZ``, ``RMZ``, ``TRA``, ``TSA``, ``TFR``, ...), ``AN name``, ``AL``/``AH`` floor/ceiling
  (``GND``, ``SFC``, ``UNL``, ``FL95``, ``1500ft AMSL``, ``500ft AGL``, ``300m AGL``; a bare
  number is feet, a missing reference is AMSL/MSL);
- ``AA start/end`` activation intervals, ISO 8601 UTC (``2026-06-13T12:00Z/2026-06-13T24:00Z``;
  ``start/NONE`` and ``NONE/end`` leave one end open; ``AA NONE`` alone means inactive until
  announced and overrides every other ``AA``): they become the zone's
  :class:`~dronedel.airspace.schedule.Schedule`; without ``AA`` a zone is permanent;
- ``AX`` transponder code, ``AF`` frequency, ``AG`` station name: kept in the zone's
  ``properties`` (``transponder``, ``frequency``, ``station``), as are the file's
  ``*VERSION:`` and ``*WRITTEN_BY:`` header comments (``openair_version``, ``written_by``);
- ``DP coord`` polygon point; ``V X=coord`` centre; ``V D=+`` (clockwise, the default) or
  ``V D=-``; ``DC r`` circle; ``DA r, a1, a2`` arc from bearing ``a1`` to ``a2`` (degrees
  true from the centre); ``DB coord1, coord2`` arc between two points; ``V W=w`` airway
  width and ``DY coord`` airway centreline points. Radii and widths are nautical miles;
  coordinates ``DD:MM:SS N DDD:MM:SS E`` or ``DD:MM.mmm N DDD:MM.mmm E``;
- ``*`` starts a comment. ``* dronedel: restriction=prohibited, id=my-zone, shape=line``
  inside a record sets its restriction, id and shape (``line`` or ``polygon``) explicitly.
  ``SP``, ``SB``, ``AT``, ``AI``, ``TO``, ``TC`` and ``V Z=`` only style or label a map and
  are skipped; any other command is skipped with one warning per command and file.

The restriction comes from the explicit comment, else ``AY``, else ``AC``, by
:data:`CLASS_RESTRICTIONS` (types that say nothing about a drone's access, such as ``AWY``,
``FIR`` or ``NONE``, defer to the class). The zone id is the slugified name
(``AN Kyle Field`` -> ``kyle-field``), with ``-L<line>`` added when a name repeats.

Shapes. A record of points (and arcs) is a closed ring; OpenAir has no holes, so a ring
that reaches a hole through a zero-width cut (a keyhole) is read as a polygon with that
hole. A record of plain points is a *line obstacle* (a cable, power line or ropeway as
national exports give them) when it has two distinct points, when its points lie on one
line, or when it is open (last point not the first) and is a wire: floor equal to ceiling,
or ``AY`` one of :data:`LINE_TYPES`. A line obstacle's footprint is the line buffered by
:data:`LINE_HAZARD_M` on each side (the planner adds its safety margin on top); ``DY``
airways are their centreline buffered by half the ``V W=`` width, cut square at the ends.
A record whose floor equals its ceiling (a cable at one height) becomes a layer
:data:`LINE_VERTICAL_BUFFER_M` below and above that height (not below the ground).

Problems. Every record that cannot be read is noted and the next one read; the file's
problems are judged together (:mod:`dronedel.airspace.problems`): an error where the record
could matter to the site's planning range, else a warning naming the skipped record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Geod
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from ..errors import InputError
from ..geo import check_lon_lat
from .heights import NAUTICAL_MILE_M, check_limits, parse_height
from .model import GROUND, Circle, Height, Restriction, VerticalReference, Zone
from .parsing import located, slugify
from .problems import ProblemLog
from .schedule import OPEN_END, OPEN_START, Schedule
from .shapes import (
    DEFAULT_MAX_ERROR_M, arc_points, azimuth_distance, buffer_line, circle_polygon, closed_ring, footprint,
    ring_is_clockwise,
)

__all__ = [
    "parse_openair", "looks_like_openair", "parse_coordinate", "parse_activation", "CLASS_RESTRICTIONS",
    "LINE_TYPES", "LINE_HAZARD_M", "LINE_VERTICAL_BUFFER_M",
]

_P, _R, _C, _N = (
    Restriction.PROHIBITED, Restriction.REQUIRES_AUTHORISATION, Restriction.CONDITIONAL, Restriction.NO_RESTRICTION,
)

#: Restriction of each OpenAir class (``AC``) or type (``AY``), upper case.
#: Prohibited areas prohibit; controlled airspace (US 14 CFR 107.41), restricted areas and
#: temporary flight restrictions need an authorisation; danger, alert, warning and military
#: areas, mandatory-transponder/radio zones, reserved and segregated areas, glider, wave and
#: sporting areas carry conditions, as does unclassified airspace (``UNC``) whose type says
#: nothing more; classes F and G and information areas are uncontrolled.
CLASS_RESTRICTIONS: dict[str, Restriction] = {
    "P": _P, "PROHIBITED": _P,
    "R": _R, "RESTRICTED": _R, "A": _R, "B": _R, "C": _R, "D": _R, "E": _R, "TFR": _R, "OFR": _R,
    "CTR": _R, "CTA": _R, "TMA": _R, "ATZ": _R, "HTZ": _R, "MATZ": _R,
    "Q": _C, "DANGER": _C, "W": _C, "WARNING": _C, "ALERT": _C, "ADIZ": _C, "MTA": _C, "MTR": _C,
    "GP": _C, "GSEC": _C, "ASRA": _C, "TMZ": _C, "RMZ": _C, "TRZ": _C, "TRA": _C, "TSA": _C, "TRAFR": _C,
    "N": _C, "UNC": _C,
    "F": _N, "G": _N, "TIA": _N, "TIZ": _N, "FIS": _N, "ACCSEC": _N, "VFRR": _N, "VFRSEC": _N,
}

#: ``AY`` types read as wires: an open polyline of theirs is a line obstacle, not a ring.
LINE_TYPES = frozenset({"CABLE", "WIRE", "POWERLINE", "POWER LINE", "ROPEWAY", "CABLEWAY", "OBSTACLE"})

#: Hazard half-width (m) each side of a line obstacle: the cable's sway and its pylons.
LINE_HAZARD_M = 25.0

#: Vertical buffer (m) below and above a record whose floor equals its ceiling (cable sag, pylons).
LINE_VERTICAL_BUFFER_M = 15.0

_GEOD = Geod(ellps="WGS84")
_PART = r"(\d{1,3})\s*:\s*(\d{1,2}(?:\.\d+)?)(?:\s*:\s*(\d{1,2}(?:\.\d+)?))?\s*([NSEWnsew])"
_COORDINATE = re.compile(rf"^\s*{_PART}\s*,?\s*{_PART}\s*$")
_DIRECTIVE = re.compile(r"^\*\s*dronedel\s*:(.*)$", re.IGNORECASE)
_HEADER = re.compile(r"^\*\s*(VERSION|WRITTEN_BY)\s*:\s*(.*)$", re.IGNORECASE)
_TRANSPONDER = re.compile(r"^[0-7]{4}$")
#: Largest relative difference between the radii of a DB arc's end points read without a warning.
_DB_RADIUS_TOLERANCE = 0.02
_SKIPPED = {"SP", "SB", "AT", "AI", "TO", "TC"}
_PROPERTY_COMMANDS = {"AF": "frequency", "AG": "station"}


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
    shape: str = ""
    width_m: float | None = None
    airway: list[tuple[float, float]] = field(default_factory=list)
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)
    until_announced: bool = False
    properties: dict[str, str] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)

    @property
    def broken(self) -> bool:
        """True if a line of the record could not be read (``failed`` names their commands)."""
        return bool(self.failed)

    def near(self) -> BaseGeometry | None:
        """The (lon, lat) points read so far (a problem's place), or None when there are none."""
        points = [e if isinstance(e, tuple) else e.start for e in self.elements] + self.airway
        points += [p for p in (self.centre,) if p is not None]
        points = [p for p in points if abs(p[0]) <= 180 and abs(p[1]) <= 90]
        return shapely.MultiPoint(points) if points else None


def parse_activation(text: str) -> tuple[datetime, datetime] | None:
    """An ``AA`` interval as aware UTC ``(start, end)`` (open ends :data:`OPEN_START`/:data:`OPEN_END`),
    or None for ``AA NONE`` (inactive until announced). ``T24:00`` is the end of that day."""
    value = text.split(";", 1)[0].strip()
    if value.upper() == "NONE":
        return None
    start_text, sep, end_text = value.partition("/")
    if not sep:
        raise ValueError(f"AA {value!r} is not an ISO 8601 interval 'start/end' (or NONE)")
    start = OPEN_START if start_text.strip().upper() == "NONE" else _utc(start_text)
    end = OPEN_END if end_text.strip().upper() == "NONE" else _utc(end_text)
    if start is OPEN_START and end is OPEN_END:
        raise ValueError("AA NONE/NONE gives neither a start nor an end (write AA NONE for inactive)")
    if not end > start:
        raise ValueError(f"AA interval {value!r} ends before it starts")
    return start, end


def _utc(text: str) -> datetime:
    raw = text.strip()
    midnight = re.search(r"T24(:00){1,2}(?=Z|$|[+-])", raw)
    try:
        when = datetime.fromisoformat(raw[:midnight.start()] + "T00:00" + raw[midnight.end():] if midnight else raw)
    except ValueError:
        raise ValueError(f"AA time {raw!r} is not ISO 8601 (e.g. 2026-06-13T12:00Z)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    elif when.utcoffset() != timedelta(0):
        raise ValueError(f"AA time {raw!r} is not UTC: OpenAir activation times are Zulu (Z) only")
    return when + timedelta(days=1) if midnight else when


def parse_openair(
    text: str,
    source: str = "<openair>",
    *,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
    planning_range: BaseGeometry | None = None,
    strict: bool = False,
) -> list[Zone]:
    """Zones of an OpenAir file given as text (format in the module docstring).

    ``tz`` is unused (OpenAir times are UTC). Records that cannot be read are errors where
    they could lie within ``planning_range`` ((lon, lat); None: anywhere) and skipped with a
    warning elsewhere; ``strict`` makes every problem an error. All errors of the file are
    raised together (:class:`~dronedel.airspace.problems.InputErrors`).
    """
    log = ProblemLog(source, planning_range, strict)
    records: list[_Record] = []
    record: _Record | None = None
    header: dict[str, str] = {}
    unknown: dict[str, list[int]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        where = f"line {number}"
        if not line:
            continue
        if line.startswith("*"):
            directive = _DIRECTIVE.match(line)
            heading = _HEADER.match(line)
            if directive:
                if record is None:
                    log.add(where, "'* dronedel:' comment before the first AC record")
                    continue
                with log.attempt(where, record.near) as attempt:
                    _apply_directive(record, directive.group(1))
                if not attempt.ok:
                    record.failed.add("*")
            elif heading and record is None:
                header["openair_version" if heading.group(1).upper() == "VERSION" else "written_by"] = (
                    heading.group(2).strip())
            continue
        keyword, _, rest = line.replace("\t", " ").partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "AC":
            record = _Record(number, rest.split("*", 1)[0].strip().upper(), properties=header)
            records.append(record)
            continue
        if keyword in _SKIPPED:
            continue
        if keyword not in _KNOWN:
            unknown.setdefault(keyword, []).append(number)
            continue
        if record is None:
            log.add(where, f"{keyword} before the first AC record")
            continue
        with log.attempt(where, record.near) as attempt:
            _apply_line(record, keyword, rest, log, where, max_error_m)
        if not attempt.ok:
            record.failed.add(keyword)
    _check_version(header, log)
    for keyword, lines in unknown.items():
        log.warn(f"unknown OpenAir command {keyword!r} skipped on {len(lines)} line(s), first line {lines[0]}")
    zones = _zones(records, log, ground_amsl_m, max_error_m)
    log.finish()
    return zones


def _check_version(header: dict[str, str], log: ProblemLog) -> None:
    version = header.get("openair_version")
    if version and not re.match(r"^[12](\.\d+)*$", version):
        log.warn(f"*VERSION: {version} is not an OpenAir version this reader knows (1 or 2); read as 2")


def _apply_directive(record: _Record, text: str) -> None:
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep or not value:
            raise ValueError(f"'* dronedel:' item {item!r} is not key=value")
        if key == "restriction":
            record.restriction = Restriction.parse(value)
        elif key == "id":
            record.ident = value
        elif key == "shape":
            if value not in ("line", "polygon"):
                raise ValueError(f"'* dronedel:' shape={value} must be line or polygon")
            record.shape = value
        else:
            raise ValueError(f"unknown '* dronedel:' key {key!r} (known: id, restriction, shape)")


def _apply_line(record: _Record, keyword: str, rest: str, log: ProblemLog, where: str, max_error_m: float) -> None:
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
    elif keyword == "AA":
        window = parse_activation(value)
        if window is None:
            record.until_announced = True
        else:
            record.windows.append(window)
    elif keyword == "AX":
        if not _TRANSPONDER.match(value):
            log.warn(f"AX {value!r} is not a 4-digit transponder code (octal digits 0-7); kept as written", where)
        record.properties = {**record.properties, "transponder": value}
    elif keyword in _PROPERTY_COMMANDS:
        record.properties = {**record.properties, _PROPERTY_COMMANDS[keyword]: value}
    elif keyword == "V":
        _apply_variable(record, value)
    elif keyword == "DP":
        _check_not_circle(record, "DP")
        _check_not_airway(record, "DP")
        record.elements.append(parse_coordinate(value))
    elif keyword == "DY":
        if record.elements or record.circle:
            raise ValueError("DY airway point in a record that already has points, arcs or a circle")
        if record.width_m is None:
            raise ValueError("DY without an airway width: set 'V W=width_nm' first")
        record.airway.append(parse_coordinate(value))
    elif keyword == "DC":
        if record.elements or record.circle or record.airway:
            raise ValueError("DC circle in a record that already has points, arcs or a circle")
        centre = _centre(record, "DC")
        record.circle = Circle(centre[0], centre[1], _radius_nm(value, "DC"))
    elif keyword == "DA":
        _check_not_circle(record, "DA")
        _check_not_airway(record, "DA")
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
        _check_not_airway(record, "DB")
        halves = _split_points(value)
        centre = _centre(record, "DB")
        start, end = parse_coordinate(halves[0]), parse_coordinate(halves[1])
        a1, radius = azimuth_distance(*centre, *start)
        a2, radius_end = azimuth_distance(*centre, *end)
        if not radius > 0:
            raise ValueError("DB arc starts at its centre")
        if abs(radius_end - radius) > max(_DB_RADIUS_TOLERANCE * radius, max_error_m):
            log.warn(f"DB end point is {radius_end:.0f} m from the centre but the start {radius:.0f} m; "
                     "the arc keeps the start's radius", where)
        record.elements.append(_Arc(centre, radius, a1, a2, record.clockwise, start, end))


#: Commands :func:`_apply_line` reads.
_KNOWN = {"AN", "AY", "AL", "AH", "AA", "AX", "V", "DP", "DY", "DC", "DA", "DB", *_PROPERTY_COMMANDS}


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
    elif name == "W":
        try:
            width = float(setting)
        except ValueError:
            raise ValueError(f"V W={setting} is not an airway width in nautical miles") from None
        if not 0 < width < 1000:
            raise ValueError(f"V W={setting} must be a positive airway width in nautical miles")
        record.width_m = width * NAUTICAL_MILE_M
    elif name != "Z":
        raise ValueError(f"unknown variable V {name}= (known: X, D, W; Z is skipped)")


def _check_not_airway(record: _Record, keyword: str) -> None:
    if record.airway:
        raise ValueError(f"{keyword} in a record that is already an airway (DY)")


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



def _zones(records: list[_Record], log: ProblemLog, ground: float, max_error_m: float) -> list[Zone]:
    zones: list[Zone] = []
    used: set[str] = set()
    for record in records:
        with log.attempt(f"line {record.line}", record.near):
            if record.broken:  # its bad lines are noted; say what else it lacks, build nothing
                _check_parts(record, log.source)
                continue
            zone = _zone(record, log.source, ground, max_error_m, used)
            used.add(zone.id)
            zones.append(zone)
    return zones


def _check_parts(record: _Record, source: str) -> None:
    """:class:`InputError` if the record has no name, floor or ceiling (other than on a line that failed)."""
    where = f"line {record.line}"
    if not record.name and "AN" not in record.failed:
        raise InputError(f"AC {record.ac} record has no name (AN)", source, where)
    for keyword, value in (("AL", record.floor), ("AH", record.ceiling)):
        if value is None and keyword not in record.failed:
            what = "floor" if keyword == "AL" else "ceiling"
            raise InputError(f"record {record.name!r} has no {keyword} ({what})", source, where)


def _zone(record: _Record, source: str, ground: float, max_error_m: float, used: set[str]) -> Zone:
    where = f"line {record.line}"
    _check_parts(record, source)
    floor, ceiling = _layer(record.floor, record.ceiling, ground)
    with located(source, where):
        check_limits(floor, ceiling, ground)
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
    line = None
    if record.circle is not None:
        c = record.circle
        check_lon_lat(c.lon, c.lat, source, where)
        geometry = circle_polygon(c.lon, c.lat, c.radius_m, max_error_m)
    elif record.airway:
        geometry, line = _airway(record, source, where, max_error_m)
    else:
        geometry, line = _outline(record, source, where, max_error_m)
    kind = f"class {record.ac}" + (f" {record.ay}" if record.ay else "")
    if line is not None:
        kind += " airway" if record.airway else " line obstacle"
    schedule = Schedule(windows=tuple(record.windows) if not record.until_announced else (),
                        until_announced=record.until_announced)
    return Zone(
        id=ident, name=record.name, restriction=restriction, geometry=geometry, floor=floor, ceiling=ceiling,
        schedule=schedule, kind=kind, circle=record.circle, source=source, where=where, line=line,
        properties=record.properties,
    )


def _layer(floor: Height, ceiling: Height, ground: float) -> tuple[Height, Height]:
    """Floor and ceiling; equal ones become a layer :data:`LINE_VERTICAL_BUFFER_M` each way."""
    if ceiling.agl(ground) != floor.agl(ground):
        return floor, ceiling
    lower = Height(floor.metres - LINE_VERTICAL_BUFFER_M, floor.reference)
    if lower.agl(ground) < 0:
        lower = GROUND
    return lower, Height(ceiling.metres + LINE_VERTICAL_BUFFER_M, ceiling.reference)


def _airway(record: _Record, source: str, where: str, max_error_m: float) -> tuple[BaseGeometry, BaseGeometry]:
    points = closed_ring(np.array(record.airway))
    check_lon_lat(points[:, 0], points[:, 1], source, where)
    if len(points) < 2:
        raise InputError(f"airway {record.name!r} has {len(points)} distinct DY point; it needs at least 2",
                         source, where)
    with located(source, where):
        geometry = buffer_line(points, record.width_m / 2.0, flat_ends=True, max_error_m=max_error_m)
    return geometry, shapely.LineString(points)


def _is_line(record: _Record, points: NDArray, open_ring: bool) -> bool:
    """True if a record of plain points is a line obstacle (rules in the module docstring)."""
    if record.shape:
        return record.shape == "line"
    if len(points) == 2:
        return True
    ring = Polygon(points)
    if not (ring.area if ring.is_valid else shapely.make_valid(ring).area) > 0:
        return True
    wire = record.ay in LINE_TYPES or (record.floor is not None and record.floor == record.ceiling)
    return open_ring and wire


def _outline(record: _Record, source: str, where: str, max_error_m: float) -> tuple[BaseGeometry, BaseGeometry | None]:
    if not record.elements:
        raise InputError(f"record {record.name!r} has no geometry (DP, DA, DB, DC or DY)", source, where)
    plain = all(not isinstance(e, _Arc) for e in record.elements)
    first = _ring(record.elements, None, max_error_m)
    check_lon_lat(first[:, 0], first[:, 1], source, where)
    if plain and len(first) >= 2:
        open_ring = record.elements[0] != record.elements[-1]
        if _is_line(record, first, open_ring):
            points = np.array(record.elements) if open_ring else np.vstack([first, first[:1]])
            points = points[np.r_[True, np.any(np.diff(points, axis=0) != 0, axis=1)]]
            with located(source, where):
                geometry = buffer_line(points, LINE_HAZARD_M, max_error_m=max_error_m)
            return geometry, shapely.LineString(points)
    if len(first) < 3:
        raise InputError(
            f"record {record.name!r} has {len(first)} distinct points; a polygon needs at least 3 "
            "(a line obstacle 2)", source, where
        )
    ring = _ring(record.elements, ring_is_clockwise(first), max_error_m) if not plain else first
    return footprint(Polygon(ring), source, where, keyhole_holes=True), None
