"""QGroundControl ``.plan`` files: mission, geofence and rally points in one JSON document.

The layout follows QGroundControl's plan format (file version 1; mission version 2 with
``firmwareType`` 3 = ArduPilot, ``vehicleType`` 2 = quadrotor; geoFence version 2 with
polygons and circles version 1; rallyPoints version 2). Positions are ``[lat, lon]`` or
``[lat, lon, alt]`` — latitude first, unlike GeoJSON. Each mission item is a SimpleItem whose
``params`` are MAVLink's param1..param7 (null for an unset parameter), with ``doJumpId``
counting from 1; seq 0 (home) is ``plannedHomePosition`` (altitude AMSL). Keys are written
sorted with four-space indentation, as QGroundControl writes them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fileio import read_text, write_text
from ..mission.fence import Fence, FenceCircle, FencePolygon
from ..mission.items import (
    FRAME_HOME, FRAME_RELATIVE, RALLY, Mission, MissionItem, has_location, mavlink, renumber,
)

__all__ = ["plan_document", "format_plan", "write_plan", "parse_plan", "read_plan", "GROUND_STATION"]

GROUND_STATION = "dronedel"
_FILE_VERSION, _MISSION_VERSION, _FENCE_VERSION, _SHAPE_VERSION, _RALLY_VERSION = 1, 2, 2, 1, 2
_FIRMWARE = mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA
_VEHICLE = mavlink.MAV_TYPE_QUADROTOR
# QGroundControl's altitude modes (QGroundControlQmlGlobal::AltMode) for the frames dronedel writes.
_ALTITUDE_MODE = {
    mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT: 1, mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT: 1,
    mavlink.MAV_FRAME_GLOBAL: 2, mavlink.MAV_FRAME_GLOBAL_INT: 2,
    mavlink.MAV_FRAME_GLOBAL_TERRAIN_ALT: 4, mavlink.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT: 4,
}
_RELATIVE_MODE = 1


def _json_number(value: float) -> float | int | None:
    """A parameter as QGroundControl writes it: null for NaN, an integer when whole."""
    if math.isnan(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _simple_item(item: MissionItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "autoContinue": bool(item.autocontinue), "command": item.command, "doJumpId": item.seq,
        "frame": item.frame, "params": [_json_number(v) for v in item.params], "type": "SimpleItem",
    }
    if has_location(item.command) and item.frame in _ALTITUDE_MODE:
        out.update({"AMSLAltAboveTerrain": None, "Altitude": _json_number(item.z),
                    "AltitudeMode": _ALTITUDE_MODE[item.frame]})
    return out


def plan_document(mission: Mission, source: str = "") -> dict[str, Any]:
    """The ``.plan`` JSON document of ``mission`` (a dict ready for :func:`json.dumps`)."""
    lon, lat, amsl = mission.home
    body: dict[str, Any] = {
        "firmwareType": _FIRMWARE, "globalPlanAltitudeMode": _RELATIVE_MODE,
        "items": [_simple_item(i) for i in mission.items[1:]],
        "plannedHomePosition": [lat, lon, _json_number(amsl)], "vehicleType": _VEHICLE, "version": _MISSION_VERSION,
    }
    if mission.cruise_speed_ms is not None:
        body["cruiseSpeed"] = body["hoverSpeed"] = _json_number(mission.cruise_speed_ms)
    fence = Fence.from_items(mission.fence, source=source)
    geofence: dict[str, Any] = {
        "circles": [{"circle": {"center": [c.lat, c.lon], "radius": _json_number(c.radius_m)},
                     "inclusion": c.inclusion, "version": _SHAPE_VERSION} for c in fence.circles],
        "polygons": [{"inclusion": p.inclusion, "polygon": [[la, lo] for lo, la in p.vertices],
                      "version": _SHAPE_VERSION} for p in fence.polygons],
        "version": _FENCE_VERSION,
    }
    if fence.return_point is not None:
        geofence["breachReturn"] = [fence.return_point[1], fence.return_point[0], 0]
    points = []
    for item in mission.rally:
        if item.frame not in (mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT, mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT):
            raise InputError(f"rally altitude in frame {item.frame}; a .plan holds altitudes above home only",
                             source, f"rally item {item.seq}")
        points.append([item.x, item.y, _json_number(item.z)])
    return {
        "fileType": "Plan", "geoFence": geofence, "groundStation": GROUND_STATION, "mission": body,
        "rallyPoints": {"points": points, "version": _RALLY_VERSION}, "version": _FILE_VERSION,
    }


def format_plan(mission: Mission, source: str = "") -> str:
    """The ``.plan`` text of ``mission`` (:func:`plan_document` as QGroundControl writes JSON)."""
    return json.dumps(plan_document(mission, source), indent=4, sort_keys=True, allow_nan=False) + "\n"


def write_plan(path: str | Path, mission: Mission) -> Path:
    """Write ``mission`` (items, fence, rally) to ``path`` as a QGroundControl plan, atomically."""
    return write_text(path, format_plan(mission, str(path)))


class _Reader:
    """Typed access to a decoded plan, raising :class:`InputError` that names the JSON path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> InputError:
        return InputError(problem, self.source, where)

    def get(self, obj: Any, key: str, kind: type | tuple[type, ...], where: str, required: bool = True) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(where, "must be a JSON object")
        if key not in obj:
            if required:
                raise self.fail(where, f"missing key {key!r}")
            return None
        value = obj[key]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(f"{where}.{key}", f"must be {_kind_name(kind)}, not a boolean")
        if not isinstance(value, kind):
            raise self.fail(f"{where}.{key}", f"must be {_kind_name(kind)}, not {type(value).__name__}")
        return value

    def version(self, obj: Any, expected: int, where: str) -> None:
        version = self.get(obj, "version", int, where)
        if version != expected:
            raise self.fail(f"{where}.version", f"version {version} is not supported (expected {expected})")

    def number(self, value: Any, where: str, allow_null: bool = False) -> float:
        if value is None and allow_null:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(where, f"{value!r} is not a finite number")
        return float(value)

    def position(self, value: Any, where: str, size: int) -> list[float]:
        if not isinstance(value, list) or len(value) != size:
            raise self.fail(where, f"must be a list of {size} numbers ([lat, lon{', alt' if size == 3 else ''}])")
        lat, lon, *rest = (self.number(v, f"{where}[{k}]") for k, v in enumerate(value))
        if not (abs(lat) <= 90 and abs(lon) <= 180):
            swapped = " (a .plan lists latitude first)" if abs(lon) <= 90 < abs(lat) <= 180 else ""
            raise self.fail(where, f"latitude {lat:g} / longitude {lon:g} out of range{swapped}")
        return [lat, lon, *rest]


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {dict: "an object", list: "a list", int: "an integer", float: "a number", str: "a string", bool: "true or false"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def _read_item(r: _Reader, raw: Any, seq: int) -> MissionItem:
    where = f"mission.items[{seq - 1}]"
    kind = r.get(raw, "type", str, where)
    if kind != "SimpleItem":
        raise r.fail(where, f"{kind} items (surveys, scans, landing patterns) are not supported; "
                            "only SimpleItem")
    command = r.get(raw, "command", int, where)
    if command not in mavlink.enums["MAV_CMD"] or mavlink.enums["MAV_CMD"][command].name.endswith("ENUM_END"):
        raise r.fail(f"{where}.command", f"unknown command {command} (not a MAVLink MAV_CMD)")
    frame = r.get(raw, "frame", int, where)
    autocontinue = r.get(raw, "autoContinue", bool, where)
    r.get(raw, "doJumpId", int, where, required=False)
    params = r.get(raw, "params", list, where)
    if len(params) != 7:
        raise r.fail(f"{where}.params", f"must hold 7 values (param1-4, lat, lon, alt), not {len(params)}")
    values = [r.number(v, f"{where}.params[{k}]", allow_null=True) for k, v in enumerate(params)]
    if has_location(command):
        for k, name in ((4, "latitude"), (5, "longitude"), (6, "altitude")):
            if math.isnan(values[k]):
                raise r.fail(f"{where}.params[{k}]", f"{name} must be a number for {mavlink.enums['MAV_CMD'][command].name}")
        r.position(values[4:6], f"{where}.params[4:6]", 2)
    else:
        values[4:] = [0.0 if math.isnan(v) else v for v in values[4:]]
    return MissionItem(seq, frame, command, 0, int(autocontinue), *values)


def _read_fence(r: _Reader, raw: Any) -> Fence:
    where = "geoFence"
    r.version(raw, _FENCE_VERSION, where)
    polygons, circles = [], []
    for k, polygon in enumerate(r.get(raw, "polygons", list, where, required=False) or []):
        at = f"{where}.polygons[{k}]"
        r.version(polygon, _SHAPE_VERSION, at)
        inclusion = r.get(polygon, "inclusion", bool, at)
        vertices = r.get(polygon, "polygon", list, at)
        if len(vertices) < 3:
            raise r.fail(f"{at}.polygon", f"a polygon needs at least 3 vertices, not {len(vertices)}")
        points = [r.position(v, f"{at}.polygon[{j}]", 2) for j, v in enumerate(vertices)]
        polygons.append(FencePolygon(tuple((lon, lat) for lat, lon in points), inclusion))
    for k, circle in enumerate(r.get(raw, "circles", list, where, required=False) or []):
        at = f"{where}.circles[{k}]"
        r.version(circle, _SHAPE_VERSION, at)
        inclusion = r.get(circle, "inclusion", bool, at)
        body = r.get(circle, "circle", dict, at)
        lat, lon = r.position(r.get(body, "center", list, f"{at}.circle"), f"{at}.circle.center", 2)
        radius = r.number(r.get(body, "radius", (int, float), f"{at}.circle"), f"{at}.circle.radius")
        if radius <= 0:
            raise r.fail(f"{at}.circle.radius", "radius must be positive")
        circles.append(FenceCircle(lon, lat, radius, inclusion))
    breach = r.get(raw, "breachReturn", list, where, required=False)
    return_point = None
    if breach is not None:
        lat, lon, _ = r.position(breach, f"{where}.breachReturn", 3)
        return_point = (lon, lat)
    return Fence(tuple(polygons), tuple(circles), return_point=return_point)


def parse_plan(text: str, source: str = "") -> Mission:
    """Read a QGroundControl plan into a :class:`Mission`; :class:`InputError` names the line or JSON path."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", source, f"line {exc.lineno} column {exc.colno}") from None
    r = _Reader(source)
    if r.get(doc, "fileType", str, "plan") != "Plan":
        raise r.fail("fileType", f"must be 'Plan', not {doc['fileType']!r}")
    r.version(doc, _FILE_VERSION, "plan")
    body = r.get(doc, "mission", dict, "plan")
    r.version(body, _MISSION_VERSION, "mission")
    firmware = r.get(body, "firmwareType", int, "mission")
    if firmware not in (_FIRMWARE, mavlink.MAV_AUTOPILOT_GENERIC):
        raise r.fail("mission.firmwareType", f"firmware type {firmware} is not ArduPilot ({_FIRMWARE})")
    lat, lon, amsl = r.position(r.get(body, "plannedHomePosition", list, "mission"), "mission.plannedHomePosition", 3)
    items = [MissionItem(0, FRAME_HOME, mavlink.MAV_CMD_NAV_WAYPOINT, current=1, x=lat, y=lon, z=amsl)]
    items += [_read_item(r, raw, seq) for seq, raw in enumerate(r.get(body, "items", list, "mission"), start=1)]
    speed = r.get(body, "hoverSpeed", (int, float), "mission", required=False)
    if speed is None:
        speed = r.get(body, "cruiseSpeed", (int, float), "mission", required=False)

    fence_raw = r.get(doc, "geoFence", dict, "plan", required=False)
    fence = _read_fence(r, fence_raw) if fence_raw is not None else Fence()
    rally = []
    rally_raw = r.get(doc, "rallyPoints", dict, "plan", required=False)
    if rally_raw is not None:
        r.version(rally_raw, _RALLY_VERSION, "rallyPoints")
        for k, point in enumerate(r.get(rally_raw, "points", list, "rallyPoints")):
            p_lat, p_lon, p_alt = r.position(point, f"rallyPoints.points[{k}]", 3)
            rally.append(MissionItem(k, FRAME_RELATIVE, mavlink.MAV_CMD_NAV_RALLY_POINT, autocontinue=0,
                                     x=p_lat, y=p_lon, z=p_alt, mission_type=RALLY))
    return Mission(tuple(items), fence.items(), renumber(rally),
                   cruise_speed_ms=None if speed is None else float(speed), name=Path(source).stem if source else "")


def read_plan(path: str | Path) -> Mission:
    """Read a QGroundControl ``.plan`` file: mission, fence and rally items."""
    return parse_plan(read_text(path), str(path))
