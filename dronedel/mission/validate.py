"""Checks a mission must pass before it is written or uploaded.

Each problem raises :class:`~dronedel.errors.InputError` naming the mission (``source``),
the item (``where``: "item 5", "fence item 3", "rally item 0") and what is wrong.
"""

from __future__ import annotations

import math

from shapely.geometry import LineString, Point

from ..errors import InputError
from .fence import FENCE_STORAGE_BYTES, MAX_POLYGON_VERTICES, Fence, fence_storage_bytes
from .items import FENCE, FINAL_COMMANDS, MISSION, RALLY, Mission, MissionItem, has_location, mavlink, nav_items
from .region import breach, frame_at, local_shapes

__all__ = ["ACCEPTED_COMMANDS", "validate_mission", "check_item_values"]

#: Commands a mission, fence or rally list may hold: what ArduPilot Copter accepts and runs.
ACCEPTED_COMMANDS = {
    MISSION: frozenset({
        mavlink.MAV_CMD_NAV_WAYPOINT, mavlink.MAV_CMD_NAV_TAKEOFF, mavlink.MAV_CMD_NAV_LAND,
        mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH, mavlink.MAV_CMD_NAV_DELAY, mavlink.MAV_CMD_NAV_PAYLOAD_PLACE,
        mavlink.MAV_CMD_NAV_LOITER_TIME, mavlink.MAV_CMD_NAV_LOITER_UNLIM, mavlink.MAV_CMD_NAV_SPLINE_WAYPOINT,
        mavlink.MAV_CMD_DO_CHANGE_SPEED, mavlink.MAV_CMD_DO_GRIPPER, mavlink.MAV_CMD_DO_WINCH,
        mavlink.MAV_CMD_DO_SET_SERVO, mavlink.MAV_CMD_DO_SET_RELAY, mavlink.MAV_CMD_DO_JUMP,
        mavlink.MAV_CMD_CONDITION_YAW, mavlink.MAV_CMD_CONDITION_DELAY, mavlink.MAV_CMD_CONDITION_DISTANCE,
        mavlink.MAV_CMD_DO_LAND_START,
    }),
    FENCE: frozenset({
        mavlink.MAV_CMD_NAV_FENCE_RETURN_POINT, mavlink.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION,
        mavlink.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION, mavlink.MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION,
        mavlink.MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION,
    }),
    RALLY: frozenset({mavlink.MAV_CMD_NAV_RALLY_POINT}),
}
_LIST_NAME = {MISSION: "item", FENCE: "fence item", RALLY: "rally item"}
_RELATIVE_FRAMES = {mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT, mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT}
_FLOWN_FRAMES = _RELATIVE_FRAMES | {mavlink.MAV_FRAME_GLOBAL, mavlink.MAV_FRAME_GLOBAL_INT}
_RALLY_ALT_LIMIT = 32767  # ArduPilot stores rally altitudes as int16 metres


def _where(item: MissionItem, mission_type: int) -> str:
    return f"{_LIST_NAME[mission_type]} {item.seq} ({item.name})"


def check_item_values(item: MissionItem, mission_type: int, source: str = "") -> None:
    """Raise :class:`InputError` if ``item`` has an unknown command or a value out of range.

    Position and altitude must be finite; param1-4 may be NaN, MAVLink's "unset".
    """
    where = _where(item, mission_type)
    if item.command not in ACCEPTED_COMMANDS[mission_type]:
        kind = {MISSION: "a mission", FENCE: "a fence", RALLY: "a rally"}[mission_type]
        raise InputError(f"command {item.command} ({item.name}) is not one dronedel accepts in {kind} list",
                         source, where)
    for name in ("param1", "param2", "param3", "param4"):
        value = getattr(item, name)
        if math.isinf(value):  # NaN is MAVLink's "unset"
            raise InputError(f"{name} is {value!r}, not a number or unset (NaN)", source, where)
    for name in ("x", "y", "z"):
        value = getattr(item, name)
        if not math.isfinite(value):
            raise InputError(f"{name} is {value!r}, not a finite number", source, where)
    if has_location(item.command) and not (abs(item.x) <= 90 and abs(item.y) <= 180):
        swapped = " (latitude and longitude look swapped)" if abs(item.y) <= 90 and abs(item.x) <= 180 else ""
        raise InputError(f"latitude {item.x:g} / longitude {item.y:g} out of range{swapped}", source, where)


def _check_sequence(mission: Mission, source: str) -> None:
    if not mission.items:
        raise InputError("mission has no items (item 0 must be home)", source)
    home = mission.items[0]
    if home.frame != mavlink.MAV_FRAME_GLOBAL or not has_location(home.command):
        raise InputError("item 0 must be home: a position in frame 0 (altitude AMSL)", source, "item 0")
    nav = nav_items(mission)
    if not nav or nav[0].command != mavlink.MAV_CMD_NAV_TAKEOFF:
        raise InputError("the first navigation item after home must be NAV_TAKEOFF", source,
                         _where(nav[0], MISSION) if nav else "")
    if nav[-1].command not in FINAL_COMMANDS:
        raise InputError("the mission must end with NAV_LAND or NAV_RETURN_TO_LAUNCH", source,
                         _where(nav[-1], MISSION))


def _check_altitudes(mission: Mission, alt_max: float | None, margin: float, source: str) -> None:
    for item in nav_items(mission):
        if not has_location(item.command):
            continue
        where = _where(item, MISSION)
        if item.frame not in _FLOWN_FRAMES:
            raise InputError(f"frame {item.frame} is not a global frame dronedel flies in", source, where)
        if item.frame not in _RELATIVE_FRAMES:
            continue
        if item.command == mavlink.MAV_CMD_NAV_TAKEOFF and not item.z > 0:
            raise InputError(f"take-off altitude {item.z:g} m must be above home", source, where)
        if item.z < 0:
            raise InputError(f"altitude {item.z:g} m is below home", source, where)
        if alt_max is not None and item.z > alt_max - margin:
            raise InputError(f"altitude {item.z:g} m is above FENCE_ALT_MAX {alt_max:g} m minus the "
                             f"{margin:g} m margin", source, where)


def _check_fence(mission: Mission, source: str) -> Fence:
    for item in mission.fence:
        check_item_values(item, FENCE, source)
    fence = Fence.from_items(mission.fence, mission.params, source)
    for label, polygons in (("inclusion", fence.inclusions), ("exclusion", fence.exclusions)):
        for k, polygon in enumerate(polygons):
            if not polygon.is_valid:
                raise InputError(f"{label} polygon {k + 1} crosses itself", source, "fence")
            if len(polygon.exterior.coords) - 1 > MAX_POLYGON_VERTICES:
                raise InputError(f"{label} polygon {k + 1} has more than {MAX_POLYGON_VERTICES} vertices",
                                 source, "fence")
    needed = fence_storage_bytes(fence)
    if mission.fence and needed > FENCE_STORAGE_BYTES:
        raise InputError(f"fence needs {needed} bytes; ArduPilot Copter stores {FENCE_STORAGE_BYTES}", source, "fence")
    return fence


def validate_mission(mission: Mission, source: str = "") -> None:
    """Raise :class:`InputError` for the first problem that would stop ``mission`` from flying safely.

    Checks: every value finite and in range; commands from :data:`ACCEPTED_COMMANDS`; home
    first, NAV_TAKEOFF first, NAV_LAND/RTL last; altitudes above home and below
    FENCE_ALT_MAX minus FENCE_MARGIN; every position and every leg between consecutive
    positions inside each inclusion and outside each exclusion with FENCE_MARGIN to spare;
    rally points likewise; fence polygons well-formed and within ArduPilot's storage.
    """
    source = source or mission.name
    for item in mission.items:
        check_item_values(item, MISSION, source)
    for item in mission.rally:
        check_item_values(item, RALLY, source)
        if abs(item.z) > _RALLY_ALT_LIMIT:
            raise InputError(f"altitude {item.z:g} m does not fit ArduPilot's rally storage", source,
                             _where(item, RALLY))
    _check_sequence(mission, source)
    fence = _check_fence(mission, source)
    margin = fence.margin_m
    _check_altitudes(mission, fence.alt_max_m, margin, source)
    if not mission.fence:
        return

    lon0, lat0, _ = mission.home
    frame = frame_at(lon0, lat0)
    shapes = local_shapes(fence, frame)
    positioned = [i for i in mission.items if has_location(i.command) and not (i.x == 0 and i.y == 0)]
    xs, ys = frame.to_local([i.y for i in positioned], [i.x for i in positioned], check=False)
    previous = None
    for item, x, y in zip(positioned, xs, ys):
        point = Point(float(x), float(y))
        problem = breach(shapes, point, margin)
        if problem:
            raise InputError(f"position is {problem}", source, _where(item, MISSION))
        if previous is not None and previous[1] != point:
            problem = breach(shapes, LineString([previous[1], point]), margin)
            if problem:
                raise InputError(f"the leg from item {previous[0].seq} is {problem}", source, _where(item, MISSION))
        previous = (item, point)
    for item in mission.rally:
        x, y = frame.to_local(item.y, item.x, check=False)
        problem = breach(shapes, Point(float(x), float(y)), margin)
        if problem:
            raise InputError(f"rally point is {problem}", source, _where(item, RALLY))
