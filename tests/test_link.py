"""Mission/fence/rally transfer and parameters against an in-process fake vehicle with faults."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.link import (
    LinkError, LinkTimeout, MissionRejected, ParamRejected, Timing, clear_mission, connect, download_mission,
    get_param, result_message, set_params, upload_all, upload_mission,
)
from dronedel.mission.items import FENCE, MISSION, RALLY, Mission, MissionItem, home_item, items_equal, mavlink
from fake_vehicle import FakeVehicle, Faults, drop_all, drop_every, drop_first, lossy, repeat_all

FAST = Timing(item_timeout_s=0.3, retries=3)
HOME = (-96.3344, 30.6280, 100.0)


def mission_items(n: int = 6) -> list[MissionItem]:
    items = [home_item(*HOME),
             MissionItem(1, 3, mavlink.MAV_CMD_NAV_TAKEOFF, z=60.0),
             MissionItem(2, 2, mavlink.MAV_CMD_DO_CHANGE_SPEED, param1=1, param2=15.0, param3=-1)]
    for k in range(3, n):
        items.append(MissionItem(k, 3, mavlink.MAV_CMD_NAV_WAYPOINT, x=30.6280 + 0.001 * k, y=-96.3344, z=60.0))
    return items


def fence_items() -> list[MissionItem]:
    square = [(30.62, -96.34), (30.62, -96.32), (30.64, -96.32), (30.64, -96.34)]
    items = [MissionItem(i, 0, mavlink.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION, param1=4, x=la, y=lo,
                         mission_type=FENCE) for i, (la, lo) in enumerate(square)]
    items.append(MissionItem(4, 0, mavlink.MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION, param1=120.5, x=30.63, y=-96.33,
                             mission_type=FENCE))
    return items


def stored(vehicle: FakeVehicle, mission_type: int) -> list[MissionItem]:
    return [MissionItem.from_message(m) for m in vehicle.lists[mission_type]]


@pytest.fixture
def vehicle_factory():
    started = []

    def make(faults: Faults | None = None, gcs_key: bytes | None = None, **kwargs) -> tuple[FakeVehicle, object]:
        vehicle = FakeVehicle(faults, **kwargs).__enter__()
        started.append(vehicle)
        conn = connect(vehicle.address, heartbeat_timeout_s=5, signing_key=gcs_key)
        started.append(conn)
        return vehicle, conn

    yield make
    for thing in reversed(started):
        (thing.close() if hasattr(thing, "close") else thing.__exit__(None, None, None))


def eventually(condition, timeout_s: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("legacy", [True, False])
def test_upload_then_download_round_trip(vehicle_factory, legacy):
    vehicle, conn = vehicle_factory(legacy_requests=legacy)
    items = mission_items()
    upload_mission(conn, items, timing=FAST)
    assert items_equal(stored(vehicle, MISSION), items)
    assert items_equal(download_mission(conn, timing=FAST), items)
    assert eventually(lambda: [a.type for a in vehicle.acks_received] == [mavlink.MAV_MISSION_ACCEPTED])


def test_clear_mission(vehicle_factory):
    vehicle, conn = vehicle_factory()
    upload_mission(conn, fence_items(), FENCE, timing=FAST)
    clear_mission(conn, FENCE, timing=FAST)
    assert vehicle.lists[FENCE] == [] and download_mission(conn, FENCE, timing=FAST) == []


def test_fence_and_rally_keep_their_type_and_values(vehicle_factory):
    vehicle, conn = vehicle_factory()
    fence = fence_items()
    rally = [MissionItem(0, 3, mavlink.MAV_CMD_NAV_RALLY_POINT, x=30.63, y=-96.33, z=40, mission_type=RALLY)]
    upload_mission(conn, fence, FENCE, timing=FAST)
    upload_mission(conn, rally, RALLY, timing=FAST)
    assert vehicle.lists[MISSION] == []
    assert items_equal(download_mission(conn, FENCE, timing=FAST), fence)
    assert items_equal(download_mission(conn, RALLY, timing=FAST), rally)


@pytest.mark.parametrize("faults", [
    Faults(incoming=drop_every("MISSION_ITEM_INT", 3)),
    Faults(incoming=drop_first("MISSION_COUNT")),
    Faults(incoming=repeat_all("MISSION_ITEM_INT")),
    Faults(outgoing=repeat_all("MISSION_REQUEST")),
    Faults(outgoing=drop_every("MISSION_REQUEST", 2)),
], ids=["items-dropped", "count-dropped", "items-repeated", "requests-repeated", "requests-dropped"])
def test_upload_survives_lossy_link(vehicle_factory, faults):
    vehicle, conn = vehicle_factory(faults)
    items = mission_items(12)
    upload_mission(conn, items, timing=FAST)
    assert items_equal(stored(vehicle, MISSION), items)


@settings(max_examples=8, deadline=None)
@given(st.floats(0.0, 0.5), st.integers(0, 2**16), st.integers(1, 12))
def test_upload_on_a_lossy_link_is_all_or_error(probability, seed, count):
    """Whatever is lost either way, an upload that returns left exactly the list on the vehicle."""
    items = mission_items(count + 1)
    faults = Faults(incoming=lossy(probability, seed), outgoing=lossy(probability, seed + 1))
    with FakeVehicle(faults) as vehicle:
        conn = connect(vehicle.address, heartbeat_timeout_s=5)
        try:
            upload_mission(conn, items, timing=Timing(item_timeout_s=0.2, retries=4))
        except LinkError:
            return
        finally:
            conn.close()
        assert items_equal(stored(vehicle, MISSION), items)


def test_download_survives_dropped_items(vehicle_factory):
    vehicle, conn = vehicle_factory(Faults(outgoing=drop_every("MISSION_ITEM_INT", 2)))
    vehicle.lists[MISSION] = [i.to_message() for i in mission_items(10)]
    assert items_equal(download_mission(conn, timing=FAST), mission_items(10))


def test_nacked_item_names_item_and_problem(vehicle_factory):
    vehicle, conn = vehicle_factory(Faults(nack_item=(3, mavlink.MAV_MISSION_INVALID_PARAM7)))
    with pytest.raises(MissionRejected, match=r"item 3 \(NAV_WAYPOINT\).*MAV_MISSION_INVALID_PARAM7") as info:
        upload_mission(conn, mission_items(), timing=FAST)
    assert info.value.seq == 3 and info.value.result == mavlink.MAV_MISSION_INVALID_PARAM7
    assert vehicle.lists[MISSION] == []


def test_no_space_is_explained(vehicle_factory):
    _, conn = vehicle_factory(Faults(nack_count=mavlink.MAV_MISSION_NO_SPACE))
    with pytest.raises(MissionRejected, match="storage.*MAV_MISSION_NO_SPACE"):
        upload_mission(conn, fence_items(), FENCE, timing=FAST)


def test_silent_vehicle_times_out(vehicle_factory):
    _, conn = vehicle_factory(Faults(incoming=drop_all("MISSION_COUNT")))
    with pytest.raises(LinkTimeout, match="first item request.*0 of 6 items"):
        upload_mission(conn, mission_items(), timing=FAST)


def test_lost_final_ack_then_list_read_back(vehicle_factory):
    vehicle, conn = vehicle_factory(Faults(outgoing=drop_all("MISSION_ACK")))
    upload_mission(conn, mission_items(), timing=FAST)
    assert items_equal(stored(vehicle, MISSION), mission_items())


def test_lost_final_ack_without_the_list_is_not_success(vehicle_factory):
    _, conn = vehicle_factory(Faults(outgoing=drop_all("MISSION_ACK"), discard_upload=True))
    with pytest.raises(LinkError, match="final acknowledgement.*not complete"):
        upload_mission(conn, mission_items(), timing=FAST)


def test_vehicle_asking_beyond_count(vehicle_factory):
    _, conn = vehicle_factory(Faults(request_beyond=True))
    with pytest.raises(MissionRejected, match="asked for item 6 of a 6-item list"):
        upload_mission(conn, mission_items(), timing=FAST)


def test_early_acceptance_is_partial(vehicle_factory):
    _, conn = vehicle_factory(Faults(accept_early=2))
    with pytest.raises(MissionRejected, match="only 2 of 6"):
        upload_mission(conn, mission_items(), timing=FAST)


def test_stalled_upload_cancelled_by_vehicle(vehicle_factory):
    _, conn = vehicle_factory(Faults(incoming=drop_all("MISSION_ITEM_INT")), upload_timeout_s=0.4)
    with pytest.raises(LinkError, match="OPERATION_CANCELLED|keeps asking"):
        upload_mission(conn, mission_items(), timing=Timing(item_timeout_s=0.3, retries=20))


def test_download_with_wrong_count(vehicle_factory):
    vehicle, conn = vehicle_factory(Faults(count_offset=1))
    vehicle.lists[MISSION] = [i.to_message() for i in mission_items(4)]
    with pytest.raises(MissionRejected, match="counted 5 items but refused item 4"):
        download_mission(conn, timing=FAST)


def test_download_from_silent_vehicle(vehicle_factory):
    _, conn = vehicle_factory(Faults(incoming=drop_all("MISSION_REQUEST_LIST")))
    with pytest.raises(LinkTimeout, match="no MISSION_COUNT"):
        download_mission(conn, timing=FAST)


def test_set_params_confirms_each(vehicle_factory):
    vehicle, conn = vehicle_factory(Faults(incoming=drop_first("PARAM_SET")))
    assert set_params(conn, {"FENCE_ENABLE": 1, "FENCE_ALT_MAX": 75.5}, timing=FAST) == {
        "FENCE_ENABLE": 1.0, "FENCE_ALT_MAX": 75.5}
    assert vehicle.params["FENCE_ALT_MAX"] == 75.5
    assert get_param(conn, "FENCE_ENABLE", timing=FAST) == 1.0


def test_set_params_rejected_or_unknown(vehicle_factory):
    _, conn = vehicle_factory(Faults(reject_params={"FENCE_ACTION"}))
    with pytest.raises(ParamRejected, match="FENCE_ACTION: asked for 2, the vehicle kept 1"):
        set_params(conn, {"FENCE_ACTION": 2}, timing=FAST)
    with pytest.raises(LinkTimeout, match="NO_SUCH_PARAM"):
        set_params(conn, {"NO_SUCH_PARAM": 1}, timing=FAST)


def test_upload_all_with_verify_and_params(vehicle_factory):
    vehicle, conn = vehicle_factory(Faults(incoming=drop_every("MISSION_ITEM_INT", 4)))
    mission = Mission(tuple(mission_items()), tuple(fence_items()),
                      (MissionItem(0, 3, mavlink.MAV_CMD_NAV_RALLY_POINT, x=30.63, y=-96.33, z=40, mission_type=RALLY),),
                      params={"FENCE_ENABLE": 1, "FENCE_TYPE": 5})
    upload_all(conn, mission, verify=True, timing=FAST)
    assert items_equal(stored(vehicle, FENCE), list(mission.fence))
    assert vehicle.params["FENCE_ENABLE"] == 1 and vehicle.params["FENCE_TYPE"] == 5


def test_signed_link(vehicle_factory):
    key = bytes(range(32))
    vehicle, conn = vehicle_factory(signing_key=key, gcs_key=key)
    upload_mission(conn, mission_items(), timing=FAST)
    assert all(m.get_signed() for m in vehicle.received)


def test_unsigned_gcs_is_ignored_by_signing_vehicle(vehicle_factory):
    _, conn = vehicle_factory(signing_key=bytes(range(32)))
    with pytest.raises(LinkTimeout):
        upload_mission(conn, mission_items(), timing=FAST)


@pytest.mark.parametrize("code", [e for e in mavlink.enums["MAV_MISSION_RESULT"] if e < 16])
def test_every_result_code_has_a_message(code):
    text = result_message(code, "item 7")
    assert mavlink.enums["MAV_MISSION_RESULT"][code].name in text
    assert len(text) > 30
