"""The regression scenarios flown in SITL: every flight passes every check, flown time within 5 % of plan."""

import numpy as np
import pytest
import shapely

from dronedel.geo import LocalFrame
from dronedel.sitl.plan import mission_route

pytestmark = pytest.mark.sitl


def _explain(result) -> str:
    report = result.report
    lines = [f"{result.flight.name}: {report.outcome}"]
    if report.record.fault is not None:
        lines.append(f"fault {report.record.fault.kind}: {report.record.fault.message}")
    lines += [f"{c.name}: {c.message}" for c in report.checks if c.passed is False]
    return "\n".join(lines)


def _assert_passed(results) -> None:
    assert results, "scenario flew no flights"
    for result in results:
        assert result.report.outcome == "passed", _explain(result)
        error = result.report.check("flight_time").value
        assert abs(error) <= 0.05, _explain(result)


def test_demo_first_flights(regression):
    results = regression["demo-first-flights"]
    assert len(results) == 2
    _assert_passed(results)


@pytest.mark.parametrize(("scenario", "evidence"), [
    ("payload-place", "PayloadPlace"),
    ("land", "Delaying"),
    ("winch", "Winch"),
    ("drop", "Gripper"),
])
def test_each_delivery_action(regression, scenario, evidence):
    (result,) = regression[scenario]
    _assert_passed([result])
    assert result.report.check("delivery").passed
    texts = " ".join(s.text for s in result.report.record.statustexts)
    assert evidence in texts, texts


def test_land_delivery_touches_down_at_the_door_and_flies_on(regression):
    (result,) = regression["land"]
    record = result.report.record
    on_ground = [t for t, state in record.landed if state == 1 and record.armed_s < t < record.disarmed_s]
    assert on_ground, "never on the ground between take-off and the landing at home"
    lon, lat, _ = record.track.at(on_ground[0])
    door = result.report.check("delivery").lonlat
    assert LocalFrame(*door).to_local(lon, lat, check=False)[0] ** 2 < 25.0**2


def test_wind_does_not_change_the_ground_speed(regression):
    (result,) = regression["wind-drop"]
    _assert_passed([result])
    assert result.report.to_dict()["sitl"]["wind"]["speed_ms"] == 8.0
    track = result.report.record.track
    data = track.data
    ground_speed = np.hypot(data[:, 5], data[:, 6])
    cruising = (track.alt_rel_m > 55.0) & (ground_speed > 5.0)
    # out with the wind and back against it, both at WPNAV_SPEED over the ground
    assert abs(np.median(ground_speed[cruising]) - 15.0) < 0.5


def test_route_goes_around_the_no_fly_zone(regression):
    (result,) = regression["no-fly-detour"]
    _assert_passed([result])
    zones = {zone.id: zone for zone in result.flight.expectations.zones}
    zone = zones["detention-center"]
    route = mission_route(result.flight.mission)
    assert len(route.outbound) >= 3, "the straight line crosses the zone: the route must bend around it"
    frame = route.frame
    straight = shapely.LineString([route.outbound[0], route.outbound[-1]])
    footprint = frame.geometry_to_local(zone.geometry)
    assert straight.intersects(footprint)
    track = result.report.record.track
    x, y = frame.to_local(track.lon, track.lat, check=False)
    clearance = shapely.distance(footprint, shapely.points(x, y)).min()
    assert clearance > 20.0  # the planner keeps 30 m; the track follows the route to within a few metres
