"""Checks of flown tracks against mission, fence, zones and plan, on synthetic tracks."""

import dataclasses

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.airspace.model import Height, Restriction, Zone
from dronedel.geo import LocalFrame
from dronedel.mission.delivery import delivery_point
from dronedel.mission.fence import Fence, FenceCircle, FencePolygon
from dronedel.mission.items import FRAME_RELATIVE, Mission, MissionItem, home_item, mavlink
from dronedel.sitl.checks import (
    Expectations,
    check_area,
    check_delivery,
    check_fence_status,
    check_flight,
    check_items_reached,
    check_time,
)
from dronedel.sitl.flight import Fault, FlightRecord, Track

SITE = (-96.3344, 30.628)
FRAME = LocalFrame(*SITE)
DOOR = (300.0, 1200.0)  # local metres east, north


def _lonlat(x, y):
    lon, lat = FRAME.to_lonlat(x, y)
    return float(lon), float(lat)


def _item(command, x=0.0, y=0.0, z=0.0, **params):
    lon, lat = _lonlat(x, y)
    return MissionItem(0, FRAME_RELATIVE, command, x=lat, y=lon, z=z, **params)


def _mission(delivery="payload_place", fence=None):
    nav = mavlink
    door = {
        "payload_place": [_item(nav.MAV_CMD_NAV_PAYLOAD_PLACE, *DOOR, param1=70.0)],
        "land": [_item(nav.MAV_CMD_NAV_LAND, *DOOR)],
        "winch": [_item(nav.MAV_CMD_NAV_WAYPOINT, *DOOR, 7.0),
                  MissionItem(0, 2, nav.MAV_CMD_DO_WINCH, param2=1, param3=7.0)],
        "drop": [_item(nav.MAV_CMD_NAV_WAYPOINT, *DOOR, 4.0), MissionItem(0, 2, nav.MAV_CMD_NAV_DELAY, param1=15.0),
                 MissionItem(0, 2, nav.MAV_CMD_DO_GRIPPER, param2=0)],
    }[delivery]
    items = [home_item(*SITE, 96.0), _item(nav.MAV_CMD_NAV_TAKEOFF, z=60.0),
             _item(nav.MAV_CMD_NAV_WAYPOINT, *DOOR, 60.0),
             *door, _item(nav.MAV_CMD_NAV_WAYPOINT, *DOOR, 60.0), _item(nav.MAV_CMD_NAV_WAYPOINT, 0, 0, 60.0),
             _item(nav.MAV_CMD_NAV_LAND)]
    fence = fence or Fence()
    return Mission(tuple(items), fence.items(), (), fence.params(), delivery=delivery, name=delivery)


def _record(points, speed=15.0, rate_hz=5.0, armed_s=10.0):
    """A record flying straight lines through ``points`` ((x, y, alt) local metres) at ``speed``."""
    pts = np.asarray(points, float)
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.arange(0.0, s[-1] / speed + 1 / rate_hz, 1 / rate_hz)
    along = np.minimum(t * speed, s[-1])
    xyz = np.column_stack([np.interp(along, s, pts[:, k]) for k in range(3)])
    lon, lat = FRAME.to_lonlat(xyz[:, 0], xyz[:, 1])
    data = np.column_stack([t + armed_s, lon, lat, 96.0 + xyz[:, 2], xyz[:, 2], np.zeros((len(t), 3))])
    return FlightRecord("test", Track(data), armed_s=armed_s, disarmed_s=armed_s + float(t[-1]))


def _delivery_flight(through=None, door_alt=0.0):
    via = [through] if through is not None else []
    return [(0, 0, 0), (0, 0, 60), *via, (*DOOR, 60), (*DOOR, door_alt), (*DOOR, 60), (0, 0, 60), (0, 0, 0)]


def test_delivery_point_of_each_method():
    assert delivery_point(_mission("payload_place")).seq == 3
    assert delivery_point(_mission("land")).alt_rel_m == 0.0
    winch = delivery_point(_mission("winch"))
    assert (winch.seq, winch.alt_rel_m) == (3, 7.0)
    lon, lat = _lonlat(*DOOR)
    assert winch.lon == pytest.approx(lon) and winch.lat == pytest.approx(lat)
    assert delivery_point(_mission("drop")).alt_rel_m == 4.0


def test_a_good_flight_passes_every_check():
    mission = _mission()
    record = _record(_delivery_flight())
    record.reached = [(20.0, 1), (100.0, 2), (200.0, 3), (230.0, 4), (300.0, 5)]
    expect = Expectations(planned_time_s=record.flight_time_s * 1.02)
    checks = {c.name: c for c in check_flight(record, mission, expect)}
    assert all(c.passed is not False for c in checks.values()), checks
    assert checks["items_reached"].passed and checks["delivery"].value < 1.0
    assert checks["energy"].passed is None


def test_items_missing_or_out_of_order_fail():
    mission = _mission()
    record = _record(_delivery_flight())
    record.reached = [(20.0, 1), (100.0, 2), (300.0, 5)]
    check = check_items_reached(record, mission)
    assert not check.passed and "3 (NAV_PAYLOAD_PLACE)" in check.message and "4 (NAV_WAYPOINT)" in check.message
    record.reached = [(20.0, 1), (100.0, 3), (120.0, 2), (230.0, 4), (300.0, 5)]
    assert "out of order" in check_items_reached(record, mission).message
    # the final NAV_LAND counts only when the flight ended landed and disarmed
    record.reached = [(20.0, 1), (100.0, 2), (200.0, 3), (230.0, 4), (300.0, 5)]
    assert check_items_reached(record, mission).passed
    record.disarmed_s = None
    assert "6 (NAV_LAND)" in check_items_reached(record, mission).message


def test_items_passed_by_mission_current_count_as_reached():
    """ArduPilot may report only the later of two items completed at once; MISSION_CURRENT shows both."""
    mission = _mission()
    record = _record(_delivery_flight())
    record.reached = [(100.0, 2), (200.0, 3), (230.0, 4), (300.0, 5)]
    assert "1 (NAV_TAKEOFF)" in check_items_reached(record, mission).message
    # current before arming (seq 1), the flight, and the reset to 1 around disarming
    record.current = [(5.0, 1), (40.0, 2), (120.0, 3), (220.0, 4), (250.0, 5), (310.0, 6), (record.disarmed_s, 1)]
    assert check_items_reached(record, mission).passed
    record.current = [(5.0, 0), (6.0, 1)]  # current never moved while armed
    assert not check_items_reached(record, mission).passed


def test_delivery_missed_by_more_than_the_tolerance_fails():
    mission = _mission()
    off = (DOOR[0] + 8.0, DOOR[1])
    record = _record([(0, 0, 0), (0, 0, 60), (*off, 60), (*off, 0), (*off, 60), (0, 0, 60), (0, 0, 0)])
    check = check_delivery(record, mission, FRAME, Expectations(delivery_tolerance_m=5.0))
    assert check.passed is False and check.value == pytest.approx(8.0, abs=0.05)
    assert check_delivery(record, mission, FRAME, Expectations(delivery_tolerance_m=10.0)).passed


def test_winch_delivery_must_come_down_to_the_winch_height():
    mission = _mission("winch")
    high = _record(_delivery_flight(door_alt=20.0))
    assert check_delivery(high, mission, FRAME, Expectations()).passed is False
    short_line = _mission("winch").replace(items=tuple(
        dataclasses.replace(i, param3=3.0) if i.command == mavlink.MAV_CMD_DO_WINCH else i for i in mission.items))
    check = check_delivery(_record(_delivery_flight(door_alt=7.0)), short_line, FRAME, Expectations())
    assert check.passed is False and "does not bring the package to the ground" in check.message
    hover = _record([(0, 0, 20), (*DOOR, 20), (0, 0, 20)])
    assert "never within 1.5 m of the delivery height" in check_delivery(hover, mission, FRAME, Expectations()).message
    assert check_delivery(_record(_delivery_flight(door_alt=7.0)), mission, FRAME, Expectations()).passed


def _fence(exclusions=(), inclusions=(), circles=()):
    polygons = [FencePolygon.from_polygon(p, False) for p in exclusions]
    polygons += [FencePolygon.from_polygon(p, True) for p in inclusions]
    return Fence(polygons=tuple(polygons), circles=tuple(circles))


def _square(cx, cy, half):
    return FRAME.geometry_to_lonlat(shapely.box(cx - half, cy - half, cx + half, cy + half))


def test_entering_a_fence_exclusion_is_found_with_time_and_place():
    fence = _fence(exclusions=(_square(-150, 600, 60),))
    mission = _mission(fence=fence)
    clear = _record(_delivery_flight())
    assert check_area(clear, mission, FRAME, Expectations()).passed
    through = _record(_delivery_flight(through=(-150, 600, 60)))
    check = check_area(through, mission, FRAME, Expectations())
    assert check.passed is False and "fence exclusion 1" in check.message
    x, y = FRAME.to_local(*check.lonlat)
    assert abs(float(x) + 150) <= 64 and abs(float(y) - 600) <= 64  # within one sample (3 m) of the square
    assert through.track.t_s[0] < check.t_s < through.track.t_s[-1]


def test_a_segment_cutting_a_corner_counts_even_between_samples():
    fence = _fence(exclusions=(_square(0, 600, 2),))  # 4 m square, smaller than the 15 m between samples
    record = _record([(0, 0, 60), (0, 1200, 60)], rate_hz=1.0)
    assert check_area(record, _mission(fence=fence), FRAME, Expectations()).passed is False


def test_fence_circles_and_inclusions():
    lon, lat = _lonlat(-200, 600)
    circle = _fence(circles=(FenceCircle(lon, lat, 80.0),))
    assert check_area(_record(_delivery_flight(through=(-200, 600, 60))), _mission(fence=circle), FRAME,
                      Expectations()).passed is False
    inclusion = _fence(inclusions=(_square(0, 600, 700),))
    assert check_area(_record(_delivery_flight()), _mission(fence=inclusion), FRAME, Expectations()).passed
    check = check_area(_record(_delivery_flight(through=(-800, 600, 60))), _mission(fence=inclusion), FRAME,
                       Expectations())
    assert check.passed is False and "left fence inclusion 1" in check.message


def test_zones_count_only_between_floor_and_ceiling():
    low_zone = Zone("Z1", "stadium", Restriction.PROHIBITED, _square(-150, 600, 60), ceiling=Height(40.0))
    high_zone = Zone("Z2", "heliport", Restriction.PROHIBITED, _square(-150, 600, 60), floor=Height(50.0))
    record = _record(_delivery_flight(through=(-150, 600, 60)))
    assert check_area(record, _mission(), FRAME, Expectations(zones=[low_zone])).passed
    check = check_area(record, _mission(), FRAME, Expectations(zones=[high_zone]))
    assert check.passed is False and "zone Z2 (heliport)" in check.message


def test_leaving_the_operating_area_fails():
    area = _square(0, 600, 700)
    record = _record(_delivery_flight(through=(-900, 600, 60)))
    check = check_area(record, _mission(), FRAME, Expectations(operating_area=area))
    assert check.passed is False and "operating area" in check.message


def test_reported_breach_fails_with_where_and_when():
    record = _record(_delivery_flight())
    assert check_fence_status(record).passed
    record.fence = [(5.0, 0, 0, 0), (120.0, 1, 1, mavlink.FENCE_BREACH_BOUNDARY)]
    check = check_fence_status(record)
    assert check.passed is False and "boundary" in check.message and check.t_s == 120.0
    assert check.lonlat == record.track.at(120.0)[:2]


@pytest.mark.parametrize(("ratio", "passed"), [(1.0, True), (1.049, True), (0.951, True), (1.06, False), (0.94, False)])
def test_flight_time_within_five_percent(ratio, passed):
    record = _record(_delivery_flight())
    check = check_time(record, Expectations(planned_time_s=record.flight_time_s / ratio))
    assert check.passed is passed
    assert check.value == pytest.approx(ratio - 1.0, abs=1e-9)


def test_a_fault_fails_completion():
    record = _record(_delivery_flight())
    record.fault = Fault("link_lost", "no heartbeat from the vehicle for 10.0 s", 42.0)
    checks = {c.name: c for c in check_flight(record, _mission(), Expectations())}
    assert checks["completed"].passed is False and "link_lost" in checks["completed"].message


@settings(max_examples=40, deadline=None)
@given(
    cx=st.floats(-800, 800), cy=st.floats(0, 1200), half=st.floats(5, 200),
    wx=st.floats(-900, 900), wy=st.floats(-100, 1300),
)
def test_area_check_agrees_with_testing_each_segment(cx, cy, half, wx, wy):
    """The vectorised check finds an entry exactly when some track segment meets the exclusion."""
    fence = _fence(exclusions=(_square(cx, cy, half),))
    record = _record([(0, 0, 60), (wx, wy, 60), (*DOOR, 60)], rate_hz=2.0)
    x, y = FRAME.to_local(record.track.lon, record.track.lat)
    polygon = FRAME.geometry_to_local(fence.exclusions[0])
    brute = any(shapely.LineString([(x[i], y[i]), (x[i + 1], y[i + 1])]).intersects(polygon) for i in range(len(x) - 1))
    assert (check_area(record, _mission(fence=fence), FRAME, Expectations()).passed is False) == brute
