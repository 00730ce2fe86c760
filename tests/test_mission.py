"""Mission builder: items per delivery method, conservative fence within budget, rally points, validation."""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from dronedel.airspace.model import Airspace, Circle, Height, Restriction, Zone
from dronedel.airspace.schedule import Schedule
from dronedel.config import AircraftProfile
from dronedel.errors import InputError
from dronedel.geo import LocalFrame
from dronedel.mission import (
    Fence, FenceOptions, FenceWarning, Mission, MissionError, MissionItem,
    build_fence, build_mission, fence_storage_bytes, validate_mission,
)
from dronedel.mission.fence import FENCE_STORAGE_BYTES
from dronedel.mission.items import mavlink

HOME = (-96.3344, 30.6280)
FRAME = LocalFrame(*HOME)
WAYPOINTS_M = [(0, 0), (1000, -150), (2200, -300), (3000, 800)]


def lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = FRAME.to_lonlat(x, y)
    return float(lon), float(lat)


def zone(zone_id: str, geometry_m, **kwargs) -> Zone:
    return Zone(zone_id, zone_id, Restriction.PROHIBITED, FRAME.geometry_to_lonlat(geometry_m), **kwargs)


@pytest.fixture(scope="module")
def airspace() -> Airspace:
    heliport = lonlat(-1500, 0)
    zones = [
        zone("stadium", Point(1500, 300).buffer(400, quad_segs=32)),
        zone("hospital", box(500, -800, 900, -350)),
        zone("heliport", Point(-1500, 0).buffer(200), circle=Circle(heliport[0], heliport[1], 200.0)),
        zone("far", box(20000, 20000, 20500, 20500)),
    ]
    return Airspace(zones, FRAME.geometry_to_lonlat(Point(0, 0).buffer(6000, quad_segs=64)), 100.0)


def route() -> tuple[list, list]:
    out = [lonlat(*p) for p in WAYPOINTS_M]
    return out, out[::-1]


def build(method: str, airspace: Airspace | None, **kwargs) -> Mission:
    out, back = route()
    return build_mission(HOME, 100.0, out, back, AircraftProfile(delivery=method), airspace=airspace, **kwargs)


C = mavlink
EXPECTED = {
    "payload_place": [C.MAV_CMD_NAV_PAYLOAD_PLACE],
    "land": [C.MAV_CMD_NAV_LAND, C.MAV_CMD_NAV_DELAY, C.MAV_CMD_NAV_TAKEOFF],
    "winch": [C.MAV_CMD_NAV_WAYPOINT, C.MAV_CMD_NAV_WAYPOINT, C.MAV_CMD_DO_WINCH, C.MAV_CMD_NAV_DELAY,
              C.MAV_CMD_DO_WINCH, C.MAV_CMD_NAV_WAYPOINT],
    "drop": [C.MAV_CMD_NAV_WAYPOINT, C.MAV_CMD_NAV_WAYPOINT, C.MAV_CMD_NAV_DELAY, C.MAV_CMD_DO_GRIPPER,
             C.MAV_CMD_NAV_WAYPOINT],
}


@pytest.mark.parametrize("method", sorted(EXPECTED))
def test_items_per_delivery_method(airspace, method):
    mission = build(method, airspace)
    commands = [i.command for i in mission.items]
    wp = C.MAV_CMD_NAV_WAYPOINT
    assert commands == [wp, C.MAV_CMD_NAV_TAKEOFF, C.MAV_CMD_DO_CHANGE_SPEED, wp, wp, *EXPECTED[method], wp, wp,
                        C.MAV_CMD_NAV_LAND]
    assert [i.seq for i in mission.items] == list(range(len(commands)))
    home, takeoff, speed = mission.items[:3]
    assert (home.frame, home.z, home.x, home.y) == (C.MAV_FRAME_GLOBAL, 100.0, HOME[1], HOME[0])
    assert takeoff.frame == C.MAV_FRAME_GLOBAL_RELATIVE_ALT and takeoff.z == 60
    assert (speed.param1, speed.param2) == (C.SPEED_TYPE_GROUNDSPEED, 15.0)
    land = mission.items[-1]
    assert (land.x, land.y, land.z) == (HOME[1], HOME[0], 0.0)
    door = lonlat(*WAYPOINTS_M[-1])
    at_door = [i for i in mission.items if i.command in (C.MAV_CMD_NAV_PAYLOAD_PLACE, C.MAV_CMD_NAV_LAND)
               and i.seq < len(commands) - 1]
    assert all(abs(i.y - door[0]) < 1e-7 and abs(i.x - door[1]) < 1e-7 for i in at_door)
    assert mission.delivery == method and mission.cruise_speed_ms == 15.0
    assert ("MIS_OPTIONS" in mission.params) == (method == "land")


def test_delivery_parameters(airspace):
    profile = AircraftProfile()
    place = next(i for i in build("payload_place", airspace).items if i.command == C.MAV_CMD_NAV_PAYLOAD_PLACE)
    assert place.param1 == profile.cruise_alt_m + 10 and place.z == profile.cruise_alt_m
    winch = build("winch", airspace).items
    lower, raise_ = [i for i in winch if i.command == C.MAV_CMD_DO_WINCH]
    assert (lower.param1, lower.param2, lower.param3, lower.param4) == (1, C.WINCH_RELATIVE_LENGTH_CONTROL, 7.0, 1.0)
    assert (raise_.param3, raise_.param4) == (-7.0, -1.0)
    delay = next(i for i in winch if i.command == C.MAV_CMD_NAV_DELAY)
    assert delay.param1 == 7.0 / 1.0 + profile.delivery_hover_s
    assert next(i.z for i in winch if i.seq == lower.seq - 1) == profile.winch_height_m  # hover as high as the line is long
    drop = build("drop", airspace).items
    gripper = next(i for i in drop if i.command == C.MAV_CMD_DO_GRIPPER)
    assert gripper.param2 == C.GRIPPER_ACTION_RELEASE
    assert drop[gripper.seq - 1].command == C.MAV_CMD_NAV_DELAY  # released after the hover
    assert drop[gripper.seq - 2].z == profile.drop_height_m
    land = build("land", airspace)
    assert land.params["MIS_OPTIONS"] == 4
    assert next(i for i in land.items if i.command == C.MAV_CMD_NAV_DELAY).param1 == profile.land_dwell_s


def test_fence_from_airspace(airspace):
    mission = build("payload_place", airspace)
    fence = Fence.from_items(mission.fence, mission.params)
    assert len(fence.inclusions) == 1 and len(fence.exclusions) == 2  # stadium, hospital; "far" is not near
    assert [(c.radius_m, c.inclusion) for c in fence.circles] == [(200.0, False)]
    assert mission.params == {"FENCE_ACTION": 3, "FENCE_ALT_MAX": 75, "FENCE_ENABLE": 1, "FENCE_MARGIN": 5,
                              "FENCE_TYPE": 5}
    assert fence.point_count <= 64 and fence_storage_bytes(fence) <= FENCE_STORAGE_BYTES
    stadium = FRAME.geometry_to_local(airspace["stadium"].geometry)
    hospital = FRAME.geometry_to_local(airspace["hospital"].geometry)
    local = [FRAME.geometry_to_local(p) for p in fence.exclusions]
    assert any(p.contains(stadium) for p in local) and any(p.contains(hospital) for p in local)
    area = FRAME.geometry_to_local(airspace.operating_area)
    assert area.contains(FRAME.geometry_to_local(fence.inclusions[0]))


def test_no_operating_area_gives_inclusion_circle():
    mission = build("drop", None)
    fence = Fence.from_items(mission.fence, mission.params)
    assert not fence.polygons and len(fence.circles) == 1 and fence.circles[0].inclusion
    reach = max(np.hypot(*p) for p in WAYPOINTS_M)
    assert fence.circles[0].radius_m >= reach + 2000


def test_rally_points(airspace):
    mission = build("payload_place", airspace, rally_spacing_m=1000)
    assert mission.rally[0].x == HOME[1] and mission.rally[0].y == HOME[0]
    assert len(mission.rally) > 2
    assert all(i.command == C.MAV_CMD_NAV_RALLY_POINT and i.z == 60 and i.frame == 3 for i in mission.rally)
    local = [Point(*(float(v) for v in FRAME.to_local(i.y, i.x))) for i in mission.rally]
    assert min(a.distance(b) for k, a in enumerate(local) for b in local[k + 1:]) >= 500


def test_route_through_zone_is_refused(airspace):
    out = [lonlat(0, 0), lonlat(1500, 300), lonlat(3000, 800)]
    with pytest.raises(MissionError, match="within 5 m .* of zone 'stadium'"):
        build_mission(HOME, 100.0, out, out[::-1], AircraftProfile(), airspace=airspace)


def test_route_must_start_and_end_at_home():
    out, back = route()
    with pytest.raises(MissionError, match="outbound route starts .* at home"):
        build_mission(HOME, 100.0, out[1:], back, AircraftProfile())
    with pytest.raises(MissionError, match="inbound route starts .* at the door"):
        build_mission(HOME, 100.0, out, back[1:], AircraftProfile())


def test_zone_inactive_at_flight_time_stays_out_of_fence(airspace):
    noon = datetime(2025, 6, 1, 12, tzinfo=timezone.utc)
    evening = Schedule(windows=((noon + timedelta(hours=6), noon + timedelta(hours=10)),))
    out = [lonlat(0, 0), lonlat(1500, -50), lonlat(3000, 800)]  # through the event zone
    event = Airspace([zone("event", Point(1500, 0).buffer(100), schedule=evening)], airspace.operating_area, 100.0)
    mission = build_mission(HOME, 100.0, out, out[::-1], AircraftProfile(), airspace=event, at=noon,
                            until=noon + timedelta(minutes=20))
    assert not Fence.from_items(mission.fence).exclusions
    with pytest.raises(MissionError, match="zone 'event'"):
        build_mission(HOME, 100.0, out, out[::-1], AircraftProfile(), airspace=event,
                      at=noon + timedelta(hours=7), until=noon + timedelta(hours=7, minutes=20))


def test_ceiling_from_zone_above_route(airspace):
    out, back = route()

    def over(floor: float) -> Airspace:
        return Airspace([zone("tfr", LineString(WAYPOINTS_M).buffer(50), floor=Height(floor))],
                        airspace.operating_area, 100.0)

    mission = build_mission(HOME, 100.0, out, back, AircraftProfile(), airspace=over(70.0))
    assert mission.params["FENCE_ALT_MAX"] == 70.0
    with pytest.raises(MissionError, match="FENCE_ALT_MAX would be 60.5 m .*floor of zone 'tfr'"):
        build_mission(HOME, 100.0, out, back, AircraftProfile(), airspace=over(60.5))


def _star(cx: float, cy: float, radii: list[float]) -> Polygon:
    angles = np.linspace(0, 2 * np.pi, len(radii), endpoint=False)
    return Polygon(np.column_stack([cx + np.cos(angles) * radii, cy + np.sin(angles) * radii]))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(-4000, 4000), st.floats(1500, 4000),
                          st.lists(st.floats(100, 600), min_size=12, max_size=60)), min_size=1, max_size=6),
       st.integers(24, 80))
def test_fence_is_conservative_and_within_budget(zones, budget):
    """Exclusions only grow, the inclusion only shrinks, the route keeps the margin, the budget holds."""
    out = [lonlat(0, 0), lonlat(0, -3000), lonlat(2000, -3500)]
    polygons = [_star(x, y, r) for x, y, r in zones]
    area_m = Point(0, 0).buffer(7000, quad_segs=64)
    air = Airspace([zone(f"z{k}", p) for k, p in enumerate(polygons)], FRAME.geometry_to_lonlat(area_m), 100.0)
    options = FenceOptions(point_budget=budget)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fence = build_fence(FRAME, [*out, *out[-2::-1]], air, 60.0, options=options)
    dropped = {w.message.args[0].split()[1] for w in caught if issubclass(w.category, FenceWarning)}
    assert fence.point_count <= budget and fence_storage_bytes(fence) <= FENCE_STORAGE_BYTES
    inclusion = FRAME.geometry_to_local(fence.inclusions[0])
    assert area_m.buffer(1e-6).contains(inclusion)
    excluded = shapely.union_all([FRAME.geometry_to_local(p) for p in fence.exclusions]).buffer(1e-6)
    line = LineString([FRAME.to_local(*p) for p in out])
    for k, polygon in enumerate(polygons):
        near = polygon.distance(line) < options.corridor_m - 0.5
        if near and not any(f"z{k}" in d.split(", ") for d in dropped):
            assert excluded.contains(polygon.intersection(inclusion)), f"zone z{k} not covered"
    assert inclusion.buffer(-options.margin_m).contains(line)
    assert excluded.is_empty or line.distance(excluded) >= options.margin_m - 1e-6


def _mission(airspace) -> Mission:
    return build("payload_place", airspace)


def _with_item(mission: Mission, seq: int, **changes) -> Mission:
    items = list(mission.items)
    items[seq] = replace(items[seq], **changes)
    return mission.replace(items=tuple(items))


def test_validation_names_item_and_problem(airspace):
    mission = _mission(airspace)
    stadium = lonlat(1500, 300)
    cases = [
        (_with_item(mission, 3, x=stadium[1], y=stadium[0]), "item 3 (NAV_WAYPOINT)", "inside exclusion polygon"),
        (_with_item(mission, 3, z=80.0), "item 3 (NAV_WAYPOINT)", "above FENCE_ALT_MAX 75 m"),
        (_with_item(mission, 3, x=float("nan")), "item 3 (NAV_WAYPOINT)", "x is nan"),
        (_with_item(mission, 3, x=-96.3, y=30.6), "item 3 (NAV_WAYPOINT)", "out of range"),
        (_with_item(mission, 2, command=C.MAV_CMD_DO_DIGICAM_CONTROL), "item 2 (DO_DIGICAM_CONTROL)", "not one"),
        (_with_item(mission, 1, command=C.MAV_CMD_NAV_WAYPOINT), "item 1 (NAV_WAYPOINT)", "NAV_TAKEOFF"),
        (_with_item(mission, 0, frame=3), "item 0", "home"),
        (_with_item(mission, 1, z=0.0), "item 1 (NAV_TAKEOFF)", "above home"),
    ]
    for bad, where, problem in cases:
        with pytest.raises(InputError) as info:
            validate_mission(bad, "m.plan")
        assert info.value.where == where and problem in info.value.problem, (where, info.value)


def test_validation_checks_legs_not_only_points(airspace):
    mission = _mission(airspace)
    # Move waypoint 4 so that the leg 3 -> 4 cuts through the hospital while both ends stay clear.
    a, b = lonlat(300, -575), lonlat(1100, -575)
    bad = _with_item(_with_item(mission, 3, x=a[1], y=a[0]), 4, x=b[1], y=b[0])
    with pytest.raises(InputError, match="the leg from item 3 is inside exclusion polygon") as info:
        validate_mission(bad)
    assert info.value.where == "item 4 (NAV_WAYPOINT)"


def test_validation_of_fence_and_rally(airspace):
    mission = _mission(airspace)
    fence = list(mission.fence)
    fence[0] = replace(fence[0], param1=fence[0].param1 + 1)
    with pytest.raises(InputError, match="followed by fewer items") as info:
        validate_mission(mission.replace(fence=tuple(fence)))
    assert info.value.where == "fence item 0"
    stadium = lonlat(1500, 300)
    rally = (replace(mission.rally[0], x=stadium[1], y=stadium[0]),)
    with pytest.raises(InputError, match="rally point is inside") as info:
        validate_mission(mission.replace(rally=rally))
    assert info.value.where == "rally item 0 (NAV_RALLY_POINT)"


def test_item_message_round_trip():
    item = MissionItem(4, 3, C.MAV_CMD_NAV_WAYPOINT, 0, 1, 2.5, 0, 0, 0, 30.6280123, -96.3344567, 60.25)
    msg = item.to_message(1, 1)
    assert (msg.x, msg.y, msg.get_type()) == (306280123, -963344567, "MISSION_ITEM_INT")
    assert MissionItem.from_message(msg) == item
    do = MissionItem(5, 2, C.MAV_CMD_DO_CHANGE_SPEED, param1=1, param2=15, param3=-1)
    assert do.to_message().x == 0 and MissionItem.from_message(do.to_message()) == do
