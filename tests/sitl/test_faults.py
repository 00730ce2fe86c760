"""The harness survives and reports each fault: SITL crash, lost link, refusal to arm, fence breach."""

import os
import signal

import pytest

from dronedel.geo import LocalFrame
from dronedel.mission.fence import Fence, FencePolygon
from dronedel.mission.items import FRAME_RELATIVE, Mission, MissionItem, home_item, mavlink
from dronedel.sitl import fly, fly_mission
from dronedel.sitl.checks import Expectations
from dronedel.sitl.report import build_report

pytestmark = pytest.mark.sitl


def _mission(frame: LocalFrame, ground_m: float, fence: Fence = Fence(), north_m: float = 300.0) -> Mission:
    """Take off to 20 m, fly ``north_m`` north, land there."""
    lon, lat = (float(v) for v in frame.to_lonlat(0.0, north_m))

    def nav(command, lon_, lat_, alt):
        return MissionItem(0, FRAME_RELATIVE, command, x=lat_, y=lon_, z=alt)

    items = (home_item(frame.lon0, frame.lat0, ground_m),
             nav(mavlink.MAV_CMD_NAV_TAKEOFF, frame.lon0, frame.lat0, 20.0),
             nav(mavlink.MAV_CMD_NAV_WAYPOINT, lon, lat, 20.0), nav(mavlink.MAV_CMD_NAV_LAND, lon, lat, 0.0))
    return Mission(items, fence.items(), (), fence.params() if fence.polygons else {}, name="fault")


def _square(frame: LocalFrame, cx: float, cy: float, half: float, inclusion: bool) -> Fence:
    corners = [(cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half), (cx - half, cy + half)]
    lon, lat = frame.to_lonlat([c[0] for c in corners], [c[1] for c in corners])
    vertices = tuple(zip(map(float, lon), map(float, lat)))
    return Fence(polygons=(FencePolygon(vertices, inclusion),), action=0, margin_m=2.0)


def _when_flying(vehicle, action, after_s: float = 10.0) -> None:
    """Call ``action`` once, ``after_s`` simulated seconds after the vehicle armed."""
    armed_at = []

    def listener(msg) -> None:
        if not armed_at and vehicle.armed:
            armed_at.append(vehicle.time_s)
        if len(armed_at) == 1 and vehicle.time_s > armed_at[0] + after_s:
            armed_at.append(vehicle.time_s)
            action()

    vehicle.listeners.append(listener)


@pytest.fixture
def frame(example_site):
    return LocalFrame(example_site.site.lon, example_site.site.lat)


def test_crash_mid_flight_is_reported(vehicle, frame, example_site):
    _when_flying(vehicle, lambda: os.kill(vehicle.process.pid, signal.SIGKILL))
    record = fly(vehicle, _mission(frame, example_site.site.elevation_m))
    assert record.fault is not None and record.fault.kind == "crash", record.fault
    assert "-9" in record.fault.message
    assert not record.completed


def test_lost_link_is_reported(vehicle, frame, example_site):
    vehicle.link_timeout_s = 2.0
    pid = vehicle.process.pid
    _when_flying(vehicle, lambda: os.kill(pid, signal.SIGSTOP))
    try:
        record = fly(vehicle, _mission(frame, example_site.site.elevation_m))
    finally:
        os.kill(pid, signal.SIGCONT)
    assert record.fault is not None and record.fault.kind == "link_lost", record.fault
    assert "no heartbeat" in record.fault.message


def test_refusal_to_arm_names_the_reason(vehicle, frame, example_site):
    # an inclusion fence 1 km north that leaves home outside
    fence = _square(frame, 0.0, 1000.0, 100.0, inclusion=True)
    record = fly(vehicle, _mission(frame, example_site.site.elevation_m, fence))
    assert record.fault is not None and record.fault.kind == "arming_refused", record.fault
    assert "fence" in record.fault.message.lower()
    assert record.armed_s is None


def test_breach_is_reported_with_where_and_when(sitl_options, frame, example_site):
    # an exclusion square across the route, FENCE_ACTION 0: the vehicle reports the breach and flies on
    fence = _square(frame, 0.0, 150.0, 40.0, inclusion=False)
    mission = _mission(frame, example_site.site.elevation_m, fence)
    record = fly_mission(mission, sitl_options)
    assert record.completed, record.fault
    report = build_report(record, mission, Expectations())
    breach = report.check("fence_status")
    assert breach.passed is False and breach.t_s is not None
    x, y = frame.to_local(*breach.lonlat)
    assert abs(float(x)) < 20.0 and 100.0 < float(y) < 200.0
    area = report.check("area")
    assert area.passed is False and "fence exclusion 1" in area.message
    assert area.t_s <= breach.t_s + 1.0
