"""Upload and download mission, fence and rally against a real ArduPilot Copter SITL.

Skipped without the ``arducopter`` binary (see dronedel.sitl.binary for how to provide it).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from dronedel.formats import read_mission
from dronedel.link import MissionRejected, download_all, get_param, stored_as_sent, upload_all, upload_mission
from dronedel.mission.items import FENCE, MissionItem, mavlink

pytestmark = pytest.mark.sitl

GOLDEN = Path(__file__).resolve().parent.parent / "missions"


@pytest.fixture(scope="module")
def vehicle():
    from dronedel.sitl import (
        Home, SitlNotFound, SitlOptions, SitlProcess, Vehicle, default_frame_file, default_param_file,
        find_arducopter, reserve_instance,
    )

    try:
        binary = find_arducopter()
    except SitlNotFound as exc:
        pytest.skip(str(exc))
    home = read_mission(GOLDEN / "CS0001.plan").home
    options = SitlOptions(binary, Home(*home), (default_param_file(),), frame_file=default_frame_file(),
                          speedup=10.0, instance=reserve_instance(20).number)
    with SitlProcess(options) as process:
        vehicle = Vehicle.connect(process)
        try:
            vehicle.request_rates()
            vehicle.wait_ready_to_arm(120.0)  # uploads right after boot may be refused (NO_SPACE)
            yield vehicle
        finally:
            vehicle.close()


@pytest.mark.parametrize("name", ["CS0001", "CS0001-winch", "CS0001-land"])
def test_golden_mission_round_trip(vehicle, name):
    mission = read_mission(GOLDEN / f"{name}.plan")
    upload_all(vehicle.conn, mission, verify=True)
    back = download_all(vehicle.conn)
    for sent, got in ((mission.items[1:], back.items[1:]), (mission.fence, back.fence), (mission.rally, back.rally)):
        assert len(sent) == len(got)
        assert all(stored_as_sent(s, g) for s, g in zip(sent, got))
    for param, value in mission.params.items():
        assert get_param(vehicle.conn, param) == pytest.approx(value)


def test_vehicle_refuses_fence_beyond_its_storage(vehicle):
    lat, lon = 30.55, -96.27
    ring = [MissionItem(k, 0, mavlink.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION, param1=100,
                        x=lat + 0.001 * (k % 10), y=lon + 0.001 * (k // 10), mission_type=FENCE) for k in range(100)]
    with pytest.raises(MissionRejected, match="MAV_MISSION_NO_SPACE"):
        upload_mission(vehicle.conn, ring, FENCE)


def test_vehicle_refuses_bad_latitude(vehicle):
    mission = read_mission(GOLDEN / "CS0001.plan")
    items = list(mission.items)
    items[3] = replace(items[3], x=95.0)
    with pytest.raises(MissionRejected, match=r"latitude \(x\) of item 3 \(NAV_PAYLOAD_PLACE\) is invalid"):
        upload_mission(vehicle.conn, items)
