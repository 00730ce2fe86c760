"""Check a flown track against its mission, fence, airspace and planned time.

Each check gives a :class:`Check`: ``passed`` is ``True``/``False`` (``None`` for figures
reported without a pass mark, such as energy on SITL's own airframe) with a message, the
measured value and its limit, and for a failure when (simulated seconds since boot) and
where (``(lon, lat)`` degrees) it happened. Geometry is tested in the local metric frame
centred on home, vectorised over the whole track with shapely.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from ..airspace.model import Zone
from ..geo import LocalFrame
from ..mission import Mission
from ..mission.fence import Fence
from ..mission.delivery import delivery_point
from ..mission.items import FINAL_COMMANDS, mavlink, nav_items
from .flight import FlightRecord, Track

__all__ = [
    "Check", "Expectations",
    "check_completed", "check_items_reached", "check_delivery", "check_fence_status", "check_area",
    "check_time", "check_energy", "check_flight",
]



@dataclass(frozen=True)
class Check:
    """The outcome of one check; ``t_s`` simulated seconds since boot, ``lonlat`` degrees."""

    name: str
    passed: bool | None
    message: str
    value: float | None = None
    limit: float | None = None
    t_s: float | None = None
    lonlat: tuple[float, float] | None = None


@dataclass(frozen=True)
class Expectations:
    """What a flight must show.

    ``planned_time_s`` (arming to disarming) and ``planned_energy_wh`` come from the aircraft
    model; ``max_time_error`` is the allowed relative difference of the flown time;
    ``delivery_tolerance_m`` the horizontal distance allowed from the delivery point, at a
    height within ``delivery_alt_tolerance_m`` of the delivery height. ``zones`` must not be entered (within their
    floor and ceiling, heights above ``ground_amsl_m``); the track must stay inside
    ``operating_area`` ((lon, lat) polygon) when given.
    """

    planned_time_s: float | None = None
    planned_energy_wh: float | None = None
    max_time_error: float = 0.05
    delivery_tolerance_m: float = 5.0
    delivery_alt_tolerance_m: float = 1.5
    zones: Sequence[Zone] = field(default_factory=tuple)
    operating_area: BaseGeometry | None = None
    ground_amsl_m: float = 0.0


def _first(mask: NDArray[np.bool_]) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _where(track: Track, i: int) -> tuple[float, float]:
    return float(track.lon[i]), float(track.lat[i])


def check_completed(record: FlightRecord) -> Check:
    """The vehicle armed, flew and disarmed without a fault."""
    if record.fault is not None:
        return Check("completed", False, f"{record.fault.kind}: {record.fault.message}", t_s=record.fault.t_s)
    if record.armed_s is None:
        return Check("completed", False, "the vehicle never armed")
    if record.disarmed_s is None:
        return Check("completed", False, "the vehicle did not land and disarm")
    return Check("completed", True, "armed, flew, landed and disarmed", value=record.flight_time_s)


def check_items_reached(record: FlightRecord, mission: Mission) -> Check:
    """Every navigation item reached, in order.

    An item counts as reached when MISSION_ITEM_REACHED names it or MISSION_CURRENT moved
    past it while armed: ArduPilot queues one MISSION_ITEM_REACHED at a time, so one item
    completing right after another (a take-off, then a DO command) hides the first. A final
    NAV_LAND or RTL, which reports no MISSION_ITEM_REACHED, counts as reached when the
    flight ended landed and disarmed. The order is that of MISSION_ITEM_REACHED.
    """
    navs = nav_items(mission)
    expected = [item.seq for item in navs]
    order = [seq for _, seq in record.reached]
    reached = set(order)
    if record.armed_s is not None:
        end = record.disarmed_s if record.disarmed_s is not None else np.inf
        flown = [seq for t, seq in record.current if record.armed_s <= t <= end]
        if flown:
            reached.update(seq for seq in expected if seq < max(flown))
    if navs and navs[-1].command in FINAL_COMMANDS and record.disarmed_s is not None and record.fault is None:
        reached.add(navs[-1].seq)
    missing = [seq for seq in expected if seq not in reached]
    if missing:
        names = ", ".join(f"{seq} ({mission.items[seq].name})" for seq in missing)
        return Check("items_reached", False, f"item(s) never reached: {names}", value=len(expected) - len(missing),
                     limit=len(expected))
    backwards = [(a, b) for a, b in zip(order, order[1:]) if b < a]
    if backwards:
        a, b = backwards[0]
        return Check("items_reached", False, f"items reached out of order: {b} after {a}")
    return Check("items_reached", True, f"all {len(expected)} navigation items reached in order",
                 value=len(expected), limit=len(expected))


def check_delivery(record: FlightRecord, mission: Mission, frame: LocalFrame, expect: Expectations) -> Check:
    """The aircraft was at the delivery height within the horizontal tolerance of the delivery point."""
    point = delivery_point(mission)
    if point is None:
        return Check("delivery", None, "the mission has no delivery item")
    track = record.track
    low = np.abs(track.alt_rel_m - point.alt_rel_m) <= expect.delivery_alt_tolerance_m
    x, y = frame.to_local(track.lon, track.lat, check=False)
    px, py = frame.to_local(point.lon, point.lat, check=False)
    distance = np.where(low, np.hypot(x - px, y - py), np.inf)
    if not np.isfinite(distance).any():
        return Check("delivery", False, f"never within {expect.delivery_alt_tolerance_m:g} m of the delivery "
                     f"height, {point.alt_rel_m:g} m above home, of item {point.seq}",
                     limit=expect.delivery_tolerance_m, lonlat=(point.lon, point.lat))
    i = int(np.argmin(distance))
    passed = bool(distance[i] <= expect.delivery_tolerance_m)
    text = (f"closest {distance[i]:.1f} m from the delivery point (item {point.seq}) "
            f"at {track.alt_rel_m[i]:.1f} m above home")
    if point.line_m and abs(point.alt_rel_m - point.line_m) > expect.delivery_alt_tolerance_m:
        passed = False
        text += (f", but a {point.line_m:g} m winch line from {point.alt_rel_m:g} m does not bring the package "
                 "to the ground")
    return Check("delivery", passed, text, value=float(distance[i]),
                 limit=expect.delivery_tolerance_m, t_s=float(track.t_s[i]), lonlat=_where(track, i))


def check_fence_status(record: FlightRecord) -> Check:
    """The vehicle reported no fence breach (FENCE_STATUS)."""
    for t, status, count, kind in record.fence:
        if status or count:
            entry = mavlink.enums["FENCE_BREACH"].get(kind)
            what = entry.name.removeprefix("FENCE_BREACH_").lower() if entry is not None else str(kind)
            where = record.track.at(t)[:2] if len(record.track) else None
            return Check("fence_status", False, f"the vehicle reported a fence breach ({what})",
                         value=float(count), limit=0.0, t_s=t, lonlat=where)
    return Check("fence_status", True, "no fence breach reported", value=0.0, limit=0.0)


def _segments(x: NDArray, y: NDArray) -> NDArray:
    coords = np.stack([np.column_stack([x[:-1], y[:-1]]), np.column_stack([x[1:], y[1:]])], axis=1)
    return shapely.linestrings(coords)


def _first_entry(geometry: BaseGeometry, x: NDArray, y: NDArray, in_band: NDArray) -> int | None:
    """Index of the first sample inside ``geometry`` within the band, or starting a segment crossing it."""
    inside = shapely.contains_xy(geometry, x, y) & in_band
    crossing = np.zeros_like(inside)
    if len(x) > 1:
        crossing[:-1] = shapely.intersects(_segments(x, y), geometry) & in_band[:-1] & in_band[1:]
    return _first(inside | crossing)


def check_area(record: FlightRecord, mission: Mission, frame: LocalFrame, expect: Expectations) -> Check:
    """The track never entered a fence exclusion or a zone, nor left a fence inclusion or the operating area."""
    track = record.track
    if not len(track):
        return Check("area", None, "no track recorded")
    x, y = frame.to_local(track.lon, track.lat, check=False)
    alt = track.alt_rel_m
    everywhere = np.ones(len(track), bool)
    fence = Fence.from_items(mission.fence, mission.params)
    keep_out: list[tuple[str, BaseGeometry, NDArray]] = []
    keep_in: list[tuple[str, BaseGeometry]] = []
    for n, polygon in enumerate(fence.exclusions):
        keep_out.append((f"fence exclusion {n + 1}", frame.geometry_to_local(polygon, check=False), everywhere))
    for n, polygon in enumerate(fence.inclusions):
        keep_in.append((f"fence inclusion {n + 1}", frame.geometry_to_local(polygon, check=False)))
    for n, circle in enumerate(fence.circles):
        cx, cy = frame.to_local(circle.lon, circle.lat, check=False)
        disc = shapely.Point(float(cx), float(cy)).buffer(circle.radius_m, quad_segs=32)
        if circle.inclusion:
            keep_in.append((f"fence circle {n + 1}", disc))
        else:
            keep_out.append((f"fence circle {n + 1}", disc, everywhere))
    for zone in expect.zones:
        floor, ceiling = zone.floor.agl(expect.ground_amsl_m), zone.ceiling.agl(expect.ground_amsl_m)
        band = (alt > floor) & (alt < ceiling)
        keep_out.append((f"zone {zone.id} ({zone.name})", frame.geometry_to_local(zone.geometry, check=False), band))
    if expect.operating_area is not None:
        keep_in.append(("operating area", frame.geometry_to_local(expect.operating_area, check=False)))

    events: list[tuple[int, str]] = []
    for name, geometry, band in keep_out:
        shapely.prepare(geometry)
        i = _first_entry(geometry, x, y, band)
        if i is not None:
            events.append((i, f"entered {name}"))
    for name, geometry in keep_in:
        shapely.prepare(geometry)
        i = _first(~shapely.contains_xy(geometry, x, y))
        if i is not None:
            events.append((i, f"left {name}"))
    tested = len(keep_out) + len(keep_in)
    if events:
        i, what = min(events)
        return Check("area", False, f"{what} at {alt[i]:.0f} m above home", t_s=float(track.t_s[i]),
                     lonlat=_where(track, i), value=float(len(events)), limit=0.0)
    return Check("area", True, f"stayed clear of {len(keep_out)} keep-out and inside {len(keep_in)} keep-in "
                 f"area(s)" if tested else "no fence, zones or operating area to test against",
                 value=0.0, limit=0.0)


def check_time(record: FlightRecord, expect: Expectations) -> Check:
    """Flown time (arming to disarming) within ``max_time_error`` of the planned time."""
    flown = record.flight_time_s
    if expect.planned_time_s is None or flown is None:
        return Check("flight_time", None, "no planned time" if flown is not None else "no flight time",
                     value=flown)
    error = (flown - expect.planned_time_s) / expect.planned_time_s
    return Check("flight_time", bool(abs(error) <= expect.max_time_error),
                 f"flew {flown:.1f} s, planned {expect.planned_time_s:.1f} s ({100 * error:+.1f} %)",
                 value=float(error), limit=expect.max_time_error)


def check_energy(record: FlightRecord, expect: Expectations) -> Check:
    """Energy SITL's battery monitor counted, beside the planned energy (reported, not judged).

    SITL's battery belongs to its own simulated airframe, not the planner's aircraft.
    """
    used = record.energy_wh
    if used is None or not np.isfinite(used):
        return Check("energy", None, "SITL reported no battery energy")
    planned = expect.planned_energy_wh
    text = f"SITL counted {used:.1f} Wh" + (f", the plan {planned:.1f} Wh" if planned is not None else "")
    return Check("energy", None, text + " (SITL's own airframe; not compared)", value=float(used), limit=planned)


def check_flight(record: FlightRecord, mission: Mission, expect: Expectations) -> list[Check]:
    """All checks of one flight, in a fixed order."""
    lon, lat, _ = mission.home
    frame = LocalFrame(lon, lat)
    return [
        check_completed(record),
        check_items_reached(record, mission),
        check_delivery(record, mission, frame, expect),
        check_area(record, mission, frame, expect),
        check_fence_status(record),
        check_time(record, expect),
        check_energy(record, expect),
    ]
