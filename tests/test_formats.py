"""QGC WPL 110 and QGroundControl .plan: round trips, pymavlink's loaders as oracle, bad input."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.errors import InputError
from dronedel.formats import (
    companion_paths, format_waypoints, parse_params, parse_plan, parse_waypoints, plan_document, read_mission,
    write_mission,
)
from dronedel.mission import validate_mission
from dronedel.mission.items import FENCE, RALLY, Mission, MissionItem, mavlink

DATA = Path(__file__).parent / "data" / "formats"


@pytest.fixture(scope="module")
def mavwp():
    """pymavlink's mavwp, speaking MAVLink 2 as its fence and rally loaders require."""
    os.environ["MAVLINK20"] = "1"
    from pymavlink import mavutil, mavwp

    mavutil.set_dialect("ardupilotmega")
    return mavwp


def test_reads_mission_with_companions():
    mission = read_mission(DATA / "delivery.waypoints")
    assert mission.name == "delivery"
    assert [i.command for i in mission.items] == [16, 22, 178, 16, 94, 16, 21]
    assert mission.home == (-96.3344, 30.628, 100.5)
    assert [i.mission_type for i in mission.fence] == [FENCE] * 8
    assert mission.fence[4].command == mavlink.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION
    assert [i.mission_type for i in mission.rally] == [RALLY, RALLY]
    assert mission.params == {"FENCE_ACTION": 3, "FENCE_ALT_MAX": 75, "FENCE_ENABLE": 1, "FENCE_MARGIN": 5,
                              "FENCE_TYPE": 5}


@pytest.mark.parametrize("suffix", [".waypoints", ".plan"])
def test_round_trip_is_exact(tmp_path, suffix):
    mission = read_mission(DATA / "delivery.waypoints")
    out = tmp_path / f"copy{suffix}"
    written = write_mission(out, mission)
    assert written[0] == out and all(p.exists() for p in written)
    back = read_mission(out)
    assert (back.items, back.fence, back.rally, back.params) == (mission.items, mission.fence, mission.rally,
                                                                 mission.params)


def test_waypoints_text_is_byte_identical_after_round_trip(tmp_path):
    for name in ("delivery.waypoints", "delivery.fence.waypoints", "delivery.rally.waypoints"):
        _, items = parse_waypoints((DATA / name).read_text())
        text = format_waypoints(items)
        assert parse_waypoints(text)[1] == items
        assert format_waypoints(parse_waypoints(text)[1]) == text


def test_plan_to_waypoints_and_back(tmp_path):
    mission = read_mission(DATA / "delivery.waypoints").replace(cruise_speed_ms=12.5)
    write_mission(tmp_path / "a.plan", mission)
    via_plan = read_mission(tmp_path / "a.plan")
    assert via_plan.cruise_speed_ms == 12.5
    write_mission(tmp_path / "b.waypoints", via_plan)
    back = read_mission(tmp_path / "b.waypoints")
    assert (back.items, back.fence, back.rally, back.params) == (mission.items, mission.fence, mission.rally,
                                                                 mission.params)
    assert back.cruise_speed_ms is None  # a .waypoints file has no place for it


def test_mavwp_loaders_read_what_we_write(tmp_path, mavwp):
    mission = read_mission(DATA / "delivery.waypoints")
    write_mission(tmp_path / "m.waypoints", mission)
    paths = companion_paths(tmp_path / "m.waypoints")
    for loader, path, ours in ((mavwp.MAVWPLoader(), tmp_path / "m.waypoints", mission.items),
                               (mavwp.MissionItemProtocol_Fence(), paths["fence"], mission.fence),
                               (mavwp.MissionItemProtocol_Rally(), paths["rally"], mission.rally)):
        assert loader.load(str(path)) == len(ours)
        theirs = [MissionItem.from_message(w) for w in loader.wpoints]
        assert theirs == list(ours), path.name
        assert all(w.mission_type == o.mission_type for w, o in zip(loader.wpoints, ours))


def test_plan_schema(tmp_path):
    mission = read_mission(DATA / "delivery.waypoints").replace(cruise_speed_ms=15.0)
    doc = plan_document(mission)
    assert (doc["fileType"], doc["version"], doc["groundStation"]) == ("Plan", 1, "dronedel")
    body = doc["mission"]
    assert (body["version"], body["firmwareType"], body["vehicleType"]) == (2, 3, 2)
    assert body["plannedHomePosition"] == [30.628, -96.3344, 100.5]  # lat, lon, AMSL
    assert body["cruiseSpeed"] == body["hoverSpeed"] == 15
    first = body["items"][0]
    assert set(first) == {"AMSLAltAboveTerrain", "Altitude", "AltitudeMode", "autoContinue", "command",
                          "doJumpId", "frame", "params", "type"}
    assert first["AMSLAltAboveTerrain"] is None and first["AltitudeMode"] == 1 and first["doJumpId"] == 1
    assert first["type"] == "SimpleItem" and first["autoContinue"] is True and len(first["params"]) == 7
    speed = body["items"][1]
    assert speed["command"] == 178 and "Altitude" not in speed
    fence = doc["geoFence"]
    assert fence["version"] == 2
    assert [(p["inclusion"], p["version"], len(p["polygon"])) for p in fence["polygons"]] == [(True, 1, 4), (False, 1, 3)]
    assert fence["polygons"][0]["polygon"][0] == [30.60, -96.36]
    assert fence["circles"] == [{"circle": {"center": [30.64, -96.345], "radius": 150}, "inclusion": False,
                                 "version": 1}]
    assert doc["rallyPoints"] == {"points": [[30.628, -96.3344, 60], [30.631, -96.315, 60]], "version": 2}
    text = (write_mission(tmp_path / "x.plan", mission)[0]).read_text()
    assert json.loads(text) == doc and text.startswith('{\n    "fileType": "Plan",')


def test_reads_qgroundcontrol_plan_with_nulls_and_breach_return(tmp_path):
    mission = read_mission(DATA / "qgc_style.plan")
    assert mission.cruise_speed_ms == 12  # hoverSpeed: the multicopter's
    assert math.isnan(mission.items[1].param4)
    assert mission.fence[0].command == mavlink.MAV_CMD_NAV_FENCE_RETURN_POINT
    assert (mission.fence[0].x, mission.fence[0].y) == (30.629, -96.333)
    assert mission.fence[-1].param1 == 150.5
    doc = plan_document(mission)
    assert doc["mission"]["items"][0]["params"][3] is None
    assert doc["geoFence"]["breachReturn"] == [30.629, -96.333, 0]
    validate_mission(mission)  # unset (null) parameters are fine to fly
    with pytest.raises(InputError, match="param4 is nan.*cannot hold"):
        write_mission(tmp_path / "x.waypoints", mission)


def test_stale_companions_removed(tmp_path):
    mission = read_mission(DATA / "delivery.waypoints")
    write_mission(tmp_path / "m.waypoints", mission)
    write_mission(tmp_path / "m.waypoints", mission.replace(fence=(), rally=(), params={}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.waypoints"]


@pytest.mark.parametrize("name, where, message", [
    ("bad_header.waypoints", "line 1", "first line must be 'QGC WPL 110', found 'QGC WPL 100'"),
    ("field_count.waypoints", "line 3", "expected 12 tab-separated fields, found 11"),
    ("unknown_command.waypoints", "line 4", "unknown command 31337"),
    ("nan.waypoints", "line 4", "latitude 'nan' is not a finite number"),
    ("bad_json.plan", "line 5 column 22", "not valid JSON"),
    ("complex_item.plan", "mission.items[0]", "ComplexItem items"),
    ("swapped.plan", "mission.plannedHomePosition", "latitude -96.3344 / longitude 30.628 out of range"),
    ("null_latitude.plan", "mission.items[0].params[4]", "latitude must be a number"),
])
def test_bad_files_name_file_and_place(name, where, message):
    with pytest.raises(InputError) as info:
        read_mission(DATA / name)
    assert info.value.source == str(DATA / name)
    assert info.value.where == where
    assert message in info.value.problem


def test_fence_file_is_not_a_mission(tmp_path):
    shutil.copy(DATA / "delivery.fence.waypoints", tmp_path / "f.waypoints")
    with pytest.raises(InputError, match="holds a fence list, not a mission"):
        read_mission(tmp_path / "f.waypoints")


def test_mixed_list_and_seq_order():
    text = (DATA / "delivery.rally.waypoints").read_text() + "2\t0\t3\t16\t0\t0\t0\t0\t30.6\t-96.3\t60\t1\n"
    with pytest.raises(InputError, match="a mission command in a rally list") as info:
        parse_waypoints(text, "r.waypoints")
    assert info.value.where == "line 4"
    with pytest.raises(InputError, match="seq 5 out of order: expected 2"):
        parse_waypoints((DATA / "delivery.rally.waypoints").read_text() + "5\t0\t3\t5100\t0\t0\t0\t0\t30.6\t-96.3\t60\t0\n")


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="unknown mission file type '.kml'"):
        read_mission(tmp_path / "a.kml")
    with pytest.raises(InputError, match="file not found"):
        read_mission(tmp_path / "a.plan")


def test_params_file():
    assert parse_params("# fence\nFENCE_ENABLE,1\nFENCE_ALT_MAX 75.5  # m\n") == {"FENCE_ENABLE": 1, "FENCE_ALT_MAX": 75.5}
    with pytest.raises(InputError, match="value 'x' of A is not a finite number") as info:
        parse_params("A 1\nA x\n", "p.param")
    assert info.value.where == "line 2"


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, finite, finite, st.floats(-90, 90), st.floats(-180, 180), finite), min_size=1,
                max_size=6))
def test_any_finite_values_survive_both_formats(values):
    items = [MissionItem(0, 0, 16, 1, 1, x=30.0, y=-96.0, z=100.0)]
    items += [MissionItem(k, 3, mavlink.MAV_CMD_NAV_WAYPOINT, 0, 1, p1, p2, p3, 0.0, lat, lon, alt)
              for k, (p1, p2, p3, lat, lon, alt) in enumerate(values, start=1)]
    assert parse_waypoints(format_waypoints(items))[1] == items
    mission = Mission(tuple(items))
    assert parse_plan(json.dumps(plan_document(mission))).items == mission.items
