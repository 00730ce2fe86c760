"""Reading intents.json (:mod:`dronedel.intent.f3548`) back, checked against ASTM F3548-21's rules.

Every problem is an :class:`~dronedel.errors.InputError` naming the file and the JSON path
of the value at fault (``$.intents[3].details.volumes[2].time_end.value``): not JSON, a
missing or extra field, a wrong type, a latitude or longitude out of range, an outline
with fewer than 3 vertices or a repeated one, an altitude not ``W84``/``M`` or a lower
bound not below the upper, a time not RFC 3339 UTC (``Z``) or a start not before the end,
off-nominal volumes in an ``Accepted`` intent, more than ``OiMaxVertices`` vertices.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from ..errors import InputError
from ..fileio import read_text
from .f3548 import MAX_VERTICES, SCHEMA
from .geoid import Undulation
from .volumes import KINDS

__all__ = ["Volume4D", "OperationalIntent", "IntentFile", "read_intents", "parse_intents"]

#: States of an operational intent (F3548-21 ``OperationalIntentState``).
STATES = ("Accepted", "Activated", "Nonconforming", "Contingent")

_RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


@dataclass(frozen=True)
class Volume4D:
    """One exported volume: ``outline`` (shapely Polygon in (lon, lat) degrees), ``lower_m``/``upper_m``
    (m above the WGS84 ellipsoid), ``start``/``end`` (aware UTC datetimes) and its ``kind``."""

    outline: shapely.Polygon
    lower_m: float
    upper_m: float
    start: datetime
    end: datetime
    kind: str


@dataclass(frozen=True)
class OperationalIntent:
    """One flight's intent as read: who flies it, from which pad, on which layers (m AGL), its F3548
    ``state`` and ``priority``, its ``volumes`` and the ``details`` object as it stands in the file."""

    order_id: str
    drone: int
    pad: str
    layers_m_agl: tuple[float, float]
    state: str
    priority: int
    volumes: tuple[Volume4D, ...]
    details: dict[str, Any]


@dataclass(frozen=True)
class IntentFile:
    """intents.json as read: the site (``site`` dict), ``pads`` by name ((lon, lat) degrees), the geoid
    undulation the altitudes used, the plan's start and every intent."""

    source: str
    site: dict[str, Any]
    pads: dict[str, tuple[float, float]]
    geoid: Undulation
    plan_start: datetime
    intents: tuple[OperationalIntent, ...]

    def intent(self, order_id: str) -> OperationalIntent:
        """The intent of order ``order_id``; :class:`KeyError` if it has none."""
        for i in self.intents:
            if i.order_id == order_id:
                return i
        raise KeyError(order_id)


class _Checker:
    """Typed access to parsed JSON that raises :class:`InputError` at the JSON path of a bad value."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str) -> InputError:
        return InputError(problem, self.source, path)

    def obj(self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be an object, not {_kind(value)}")
        for key in required:
            if key not in value:
                raise self.fail(path, f"missing field {key!r}")
        extra = sorted(set(value) - set(required) - set(optional))
        if extra:
            raise self.fail(f"{path}.{extra[0]}", f"unknown field {extra[0]!r}")
        return value

    def array(self, value: Any, path: str) -> list:
        if not isinstance(value, list):
            raise self.fail(path, f"must be an array, not {_kind(value)}")
        return value

    def number(self, value: Any, path: str, lo: float = -math.inf, hi: float = math.inf) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(path, f"must be a finite number, not {_show(value)}")
        if not lo <= value <= hi:
            raise self.fail(path, f"{value!r} is outside [{lo:g}, {hi:g}]")
        return float(value)

    def integer(self, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"must be an integer, not {_show(value)}")
        return value

    def string(self, value: Any, path: str, choices: tuple[str, ...] = ()) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"must be a string, not {_show(value)}")
        if choices and value not in choices:
            raise self.fail(path, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def time(self, value: Any, path: str) -> datetime:
        """An F3548 ``Time``: ``{"value": RFC 3339 UTC, "format": "RFC3339"}``."""
        t = self.obj(value, path, ("value",), ("format",))
        if "format" in t:
            self.string(t["format"], f"{path}.format", ("RFC3339",))
        return self.timestamp(t["value"], f"{path}.value")

    def timestamp(self, value: Any, path: str) -> datetime:
        """An RFC 3339 UTC time string (ending in ``Z``)."""
        text = self.string(value, path)
        if not _RFC3339_UTC.fullmatch(text):
            raise self.fail(path, f"{text!r} is not an RFC 3339 UTC time such as 2026-06-13T17:05:00Z")
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise self.fail(path, f"{text!r} is not a valid date and time") from None

    def altitude(self, value: Any, path: str) -> float:
        """An F3548 ``Altitude`` in metres above the WGS84 ellipsoid."""
        a = self.obj(value, path, ("value",), ("reference", "units"))
        if "reference" in a:
            self.string(a["reference"], f"{path}.reference", ("W84",))
        if "units" in a:
            self.string(a["units"], f"{path}.units", ("M",))
        return self.number(a["value"], f"{path}.value", -8000.0, 100000.0)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fast_points(vertices: list) -> NDArray | None:
    """(lng, lat) of well-formed vertices in range as an (n, 2) array, or None if any is not."""
    try:
        points = [(v["lng"], v["lat"]) for v in vertices if len(v) == 2]
    except (TypeError, KeyError):
        return None
    if len(points) != len(vertices) or not all(type(a) in (int, float) and type(b) in (int, float)
                                               for a, b in points):
        return None
    xy = np.asarray(points, float)
    if not (np.isfinite(xy).all() and (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()):
        return None
    return xy


def _outline(c: _Checker, value: Any, path: str) -> tuple[shapely.Polygon, int]:
    """An F3548 ``Polygon``: its shapely (lon, lat) polygon and vertex count."""
    vertices = c.array(c.obj(value, path, ("vertices",))["vertices"], f"{path}.vertices")
    if len(vertices) < 3:
        raise c.fail(f"{path}.vertices", f"a polygon needs at least 3 vertices, not {len(vertices)}")
    xy = _fast_points(vertices)
    if xy is None:  # something is wrong: find it
        points = []
        for k, vertex in enumerate(vertices):
            where = f"{path}.vertices[{k}]"
            p = c.obj(vertex, where, ("lat", "lng"))
            points.append((c.number(p["lng"], f"{where}.lng", -180, 180),
                           c.number(p["lat"], f"{where}.lat", -90, 90)))
        xy = np.asarray(points, float)
    _, first, inverse = np.unique(xy, axis=0, return_index=True, return_inverse=True)
    if len(first) < len(xy):
        k = int(np.flatnonzero(first[inverse.ravel()] != np.arange(len(xy)))[0])
        earlier = int(first[inverse.ravel()[k]])
        what = "the first vertex" if earlier == 0 and k == len(xy) - 1 else f"vertex {earlier}"
        raise c.fail(f"{path}.vertices[{k}]", f"repeats {what}: F3548 polygons list each vertex once")
    polygon = shapely.polygons(xy)
    if not polygon.is_valid:
        raise c.fail(f"{path}.vertices", f"the outline is not a simple polygon ({shapely.is_valid_reason(polygon)})")
    return polygon, len(xy)


def _volume(c: _Checker, value: Any, path: str, kind: str) -> tuple[Volume4D, int]:
    """An F3548 ``Volume4D`` with an outline polygon, both altitudes and both times."""
    v = c.obj(value, path, ("volume", "time_start", "time_end"))
    where = f"{path}.volume"
    shape = c.obj(v["volume"], where, ("outline_polygon", "altitude_lower", "altitude_upper"))
    outline, count = _outline(c, shape["outline_polygon"], f"{where}.outline_polygon")
    lower = c.altitude(shape["altitude_lower"], f"{where}.altitude_lower")
    upper = c.altitude(shape["altitude_upper"], f"{where}.altitude_upper")
    if not lower < upper:
        raise c.fail(f"{where}.altitude_upper", f"{upper:g} m is not above altitude_lower {lower:g} m")
    start = c.time(v["time_start"], f"{path}.time_start")
    end = c.time(v["time_end"], f"{path}.time_end")
    if not start < end:
        raise c.fail(f"{path}.time_end", f"{end.isoformat()} is not after time_start {start.isoformat()}")
    return Volume4D(outline, lower, upper, start, end, kind), count


def _intent(c: _Checker, value: Any, path: str) -> OperationalIntent:
    i = c.obj(value, path, ("order_id", "drone", "pad", "layers_m_agl", "state", "volume_kinds", "details"))
    state = c.string(i["state"], f"{path}.state", STATES)
    layers = c.obj(i["layers_m_agl"], f"{path}.layers_m_agl", ("outbound", "return"))
    details = c.obj(i["details"], f"{path}.details", ("volumes", "priority"), ("off_nominal_volumes",))
    where = f"{path}.details"
    raw = c.array(details["volumes"], f"{where}.volumes")
    if state in ("Accepted", "Activated", "Nonconforming") and not raw:
        raise c.fail(f"{where}.volumes", f"an {state} intent needs at least one volume")
    off = c.array(details.get("off_nominal_volumes", []), f"{where}.off_nominal_volumes")
    if state in ("Accepted", "Activated") and off:
        raise c.fail(f"{where}.off_nominal_volumes", f"an {state} intent has no off-nominal volumes")
    kinds = c.array(i["volume_kinds"], f"{path}.volume_kinds")
    if len(kinds) != len(raw):
        raise c.fail(f"{path}.volume_kinds", f"{len(kinds)} kinds for {len(raw)} volumes")
    volumes, vertices = [], 0
    for k, item in enumerate(raw):
        kind = c.string(kinds[k], f"{path}.volume_kinds[{k}]", KINDS)
        volume, count = _volume(c, item, f"{where}.volumes[{k}]", kind)
        volumes.append(volume)
        vertices += count
    for k, item in enumerate(off):
        vertices += _volume(c, item, f"{where}.off_nominal_volumes[{k}]", "off_nominal")[1]
    if vertices > MAX_VERTICES:
        raise c.fail(where, f"{vertices} vertices, more than ASTM F3548-21 allows in one intent ({MAX_VERTICES})")
    return OperationalIntent(
        c.string(i["order_id"], f"{path}.order_id"), c.integer(i["drone"], f"{path}.drone"),
        c.string(i["pad"], f"{path}.pad"),
        (c.number(layers["outbound"], f"{path}.layers_m_agl.outbound"),
         c.number(layers["return"], f"{path}.layers_m_agl.return")),
        state, c.integer(details["priority"], f"{where}.priority"), tuple(volumes), details)


def _geoid(c: _Checker, value: Any, path: str) -> Undulation:
    g = c.obj(value, path, ("model", "undulation_m", "source"), ("grid",))
    source = c.string(g["source"], f"{path}.source", ("grid", "site file"))
    grid = g.get("grid")
    if grid is not None:
        c.string(grid, f"{path}.grid")
    return Undulation(c.number(g["undulation_m"], f"{path}.undulation_m", -200, 200), source, grid,
                      c.string(g["model"], f"{path}.model"))


def parse_intents(data: Any, source: str = "") -> IntentFile:
    """An intents.json document already parsed from JSON; ``source`` names it in errors."""
    c = _Checker(source)
    schema = c.string(c.obj(data, "$", ("schema",), tuple(data) if isinstance(data, dict) else ())["schema"],
                      "$.schema")
    if schema != SCHEMA:
        raise c.fail("$.schema", f"{schema!r} is not {SCHEMA!r}, the intent file this dronedel reads")
    doc = c.obj(data, "$", ("schema", "plan_start", "site", "altitude", "intents"), ("standard", "generator"))
    site = c.obj(doc["site"], "$.site", ("name", "lon", "lat", "elevation_m_amsl", "timezone", "pads"))
    c.number(site["lon"], "$.site.lon", -180, 180)
    c.number(site["lat"], "$.site.lat", -90, 90)
    c.number(site["elevation_m_amsl"], "$.site.elevation_m_amsl")
    pads = {}
    for k, pad in enumerate(c.array(site["pads"], "$.site.pads")):
        p = c.obj(pad, f"$.site.pads[{k}]", ("name", "lon", "lat"))
        pads[c.string(p["name"], f"$.site.pads[{k}].name")] = (c.number(p["lon"], f"$.site.pads[{k}].lon", -180, 180),
                                                             c.number(p["lat"], f"$.site.pads[{k}].lat", -90, 90))
    altitude = c.obj(doc["altitude"], "$.altitude", ("reference", "units", "geoid"))
    c.string(altitude["reference"], "$.altitude.reference", ("W84",))
    c.string(altitude["units"], "$.altitude.units", ("M",))
    geoid = _geoid(c, altitude["geoid"], "$.altitude.geoid")
    start = c.timestamp(doc["plan_start"], "$.plan_start")
    intents = tuple(_intent(c, item, f"$.intents[{k}]") for k, item in enumerate(c.array(doc["intents"], "$.intents")))
    for k, intent in enumerate(intents):
        if intent.pad not in pads:
            raise c.fail(f"$.intents[{k}].pad", f"{intent.pad!r} is not one of the site's pads")
    return IntentFile(source, site, pads, geoid, start, intents)


def read_intents(path: str | Path) -> IntentFile:
    """Read and check the intents.json at ``path``."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", str(path), f"line {exc.lineno} column {exc.colno}") from None
    return parse_intents(data, str(path))
