"""The flights of a ``dronedel plan`` folder, as a SITL fleet run needs them.

Reads ``DIR/plan.json`` (schema ``dronedel-plan/2``): the plan start and time zone, the site
point and ground elevation, the planning wind, the separation standard, and for every
accepted flight its drone, pad, layers, planned take-off and landing (seconds after the plan
start) and its intent volumes; the mission is ``DIR/missions/ORDER.plan``. A window of the
plan is the flights taking off within it; :func:`busiest_window` finds the one of a given
length with the most take-offs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from ..airspace.parsing import parse_when
from ..config import Wind
from ..errors import InputError
from ..intent import KINDS, Volumes

__all__ = ["SCHEMA", "PlanFlight", "FleetPlan", "read_plan_dir", "busiest_window"]

#: The plan.json schema this module reads.
SCHEMA = "dronedel-plan/2"


@dataclass(frozen=True)
class PlanFlight:
    """One accepted flight: ``takeoff_s``/``land_s`` seconds after the plan start, ``layers``
    (outbound, return) m AGL, ``pad`` name at ``pad_lonlat`` degrees, ``volumes`` its intent
    (local metres, m AGL, plan seconds), ``mission`` the ``.plan`` file flown."""

    order_id: str
    drone: int
    pad: str
    pad_lonlat: tuple[float, float]
    takeoff_s: float
    land_s: float
    layers: tuple[float, float]
    volumes: Volumes
    mission: Path

    @property
    def flight_s(self) -> float:
        """Planned seconds from take-off (arming) to landing (disarming)."""
        return self.land_s - self.takeoff_s


@dataclass(frozen=True)
class FleetPlan:
    """What a fleet run needs of a plan: its clock, site, wind, separation standard and flights."""

    path: Path
    start: datetime
    site_lonlat: tuple[float, float]
    elevation_m: float
    wind: Wind
    horizontal_m: float
    vertical_m: float
    flights: tuple[PlanFlight, ...]

    def at(self, seconds: float) -> datetime:
        """The instant ``seconds`` after the plan start, in the plan's time zone."""
        return self.start + timedelta(seconds=float(seconds))

    def seconds(self, when: datetime) -> float:
        """Seconds after the plan start of an aware ``when``."""
        return (when - self.start).total_seconds()

    def parse_time(self, text: str) -> float:
        """Plan seconds of ``HH:MM[:SS]`` on the plan's first day or of an ISO 8601 date-time, both in
        the plan's time zone unless an offset is given; ``ValueError`` for anything else."""
        tz = self.start.tzinfo
        try:
            return self.seconds(datetime.combine(self.start.date(), time.fromisoformat(text.strip()), tz))
        except ValueError:
            try:
                return self.seconds(parse_when(text, tz))
            except ValueError as exc:
                raise ValueError(f"{exc} (or HH:MM[:SS] on the plan's first day)") from None

    def window(self, t0_s: float, t1_s: float) -> list[PlanFlight]:
        """The flights taking off in ``[t0_s, t1_s)`` plan seconds, by take-off; :class:`InputError` if none."""
        flights = sorted((f for f in self.flights if t0_s <= f.takeoff_s < t1_s), key=lambda f: f.takeoff_s)
        if not flights:
            raise InputError(f"no flight takes off between {self.at(t0_s):%Y-%m-%d %H:%M:%S} and "
                             f"{self.at(t1_s):%Y-%m-%d %H:%M:%S}", str(self.path / "plan.json"))
        return flights


def busiest_window(flights: list[PlanFlight] | tuple[PlanFlight, ...], length_s: float) -> tuple[float, float]:
    """``(t0, t0 + length_s)`` plan seconds holding the most take-offs; windows start at a take-off,
    the earliest of equally busy ones wins. :class:`InputError` without flights."""
    if not flights:
        raise InputError("the plan has no accepted flights", "plan.json")
    t = np.sort([f.takeoff_s for f in flights])
    counts = np.searchsorted(t, t + length_s, side="left") - np.arange(len(t))
    t0 = float(t[int(np.argmax(counts))])
    return t0, t0 + length_s


class _Reader:
    """Typed access to plan.json values; errors name the file and the JSON path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def get(self, obj: Any, key: str, path: str, kind: type | tuple[type, ...]) -> Any:
        if not isinstance(obj, dict) or key not in obj:
            raise InputError(f"missing {key!r}", self.source, path)
        value = obj[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InputError(f"{key!r} has the wrong type ({type(value).__name__})", self.source, f"{path}.{key}")
        return value

    def number(self, obj: Any, key: str, path: str) -> float:
        value = float(self.get(obj, key, path, (int, float)))
        if not np.isfinite(value):
            raise InputError(f"{key!r} is not a finite number", self.source, f"{path}.{key}")
        return value

    def time(self, obj: Any, key: str, path: str) -> datetime:
        text = self.get(obj, key, path, str)
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(f"{text!r} is not an ISO 8601 date-time", self.source, f"{path}.{key}") from None
        if when.tzinfo is None:
            raise InputError(f"{text!r} has no UTC offset", self.source, f"{path}.{key}")
        return when


def _volumes(r: _Reader, intent: Any, path: str) -> Volumes:
    columns = r.get(intent, "columns", path, list)
    rows = r.get(intent, "volumes", path, list)
    try:
        kinds = np.array([KINDS.index(row[columns.index("kind")]) for row in rows], np.int8)
        table = np.array([[float(row[columns.index(c)]) for c in
                           ("ax_m", "ay_m", "bx_m", "by_m", "radius_m", "alt_lower_m_agl", "alt_upper_m_agl",
                            "time_start_s", "time_end_s")] for row in rows], float).reshape(-1, 9)
    except (ValueError, IndexError, TypeError):
        raise InputError("bad volume rows (columns: kind, ax_m, ..., time_end_s)", r.source,
                         f"{path}.volumes") from None
    if not len(table) or not np.isfinite(table).all():
        raise InputError("no volumes, or a value that is not a finite number", r.source, f"{path}.volumes")
    return Volumes(*table.T, kinds)


def _flight(r: _Reader, decision: Any, path: str, missions: Path) -> PlanFlight:
    order = r.get(decision, "order_id", path, str)
    f = r.get(decision, "flight", path, dict)
    path = f"{path}.flight"
    pad = r.get(f, "pad", path, dict)
    layers = r.get(f, "layers_m_agl", path, dict)
    lonlat = r.get(pad, "lonlat", f"{path}.pad", list)
    takeoff = r.number(f, "takeoff_s", path)
    land = takeoff + r.number(f, "flight_s", path)
    return PlanFlight(order, int(r.number(f, "drone", path)), r.get(pad, "name", f"{path}.pad", str),
                      (float(lonlat[0]), float(lonlat[1])), takeoff, land,
                      (r.number(layers, "outbound", f"{path}.layers_m_agl"), r.number(layers, "return",
                                                                                         f"{path}.layers_m_agl")),
                      _volumes(r, r.get(f, "intent", path, dict), f"{path}.intent"), missions / f"{order}.plan")


def read_plan_dir(directory: str | Path) -> FleetPlan:
    """Read ``directory``/plan.json; :class:`InputError` names the file and JSON path of a problem.

    The missions are not read here (a window needs only its own); a missing one is reported
    when its flight is flown.
    """
    directory = Path(directory)
    file = directory / "plan.json"
    source = str(file)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no plan.json here (write one with dronedel plan -o DIR)", str(directory)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", source) from None
    r = _Reader(source)
    schema = r.get(data, "schema", "$", str)
    if schema != SCHEMA:
        raise InputError(f"schema {schema!r}, expected {SCHEMA!r} (plan it again with this dronedel)", source,
                         "$.schema")
    site = r.get(data, "site", "$", dict)
    try:
        tz = ZoneInfo(r.get(site, "timezone", "$.site", str))
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("unknown time zone", source, "$.site.timezone") from None
    start = r.time(data, "start", "$").astimezone(tz)
    wind = r.get(data, "wind", "$", dict)
    sep = r.get(data, "separation", "$", dict)
    decisions = r.get(data, "decisions", "$", list)
    flights = tuple(_flight(r, d, f"$.decisions[{k}]", directory / "missions")
                    for k, d in enumerate(decisions) if isinstance(d, dict) and d.get("flight"))
    return FleetPlan(directory, start, (r.number(site, "lon", "$.site"), r.number(site, "lat", "$.site")),
                     r.number(site, "elevation_m", "$.site"),
                     Wind(r.number(wind, "speed_ms", "$.wind"), r.number(wind, "from_deg", "$.wind")),
                     r.number(sep, "horizontal_m", "$.separation"), r.number(sep, "vertical_m", "$.separation"),
                     flights)
