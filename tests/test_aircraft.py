"""The aircraft model: power, wind triangle, S-curve kinematics and whole flights."""

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.aircraft import (
    GRAVITY, PHASES, accel_time, corner_overlap, cruise_many, finish, finish_at, fixed_powers, fly, fly_many,
    hover_power_w, induced_velocity, leg_time, max_reach, power_w, scurve_jerk, straight, vertical_phases,
    wind_triangle, wind_vector,
)
from dronedel.config import AircraftProfile, Wind

PROFILE = AircraftProfile()
AIR = replace(PROFILE, speed_reference="air")


def test_hover_power_matches_momentum_theory_by_hand():
    mass = 11.0
    thrust = mass * 9.80665
    area = 4 * math.pi * 0.35**2
    ideal = thrust**1.5 / math.sqrt(2 * 1.225 * area)
    expected = ideal / PROFILE.hover_efficiency + PROFILE.avionics_power_w
    assert hover_power_w(PROFILE, mass) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("airspeed, climb", [(0, 0), (5, 0), (15, 0), (30, 0), (0, 3), (0, -2), (15, 3), (10, -2)])
def test_induced_velocity_solves_glauert(airspeed, climb):
    thrust, rho, area = 110.0, 1.225, 1.5
    vi = float(induced_velocity(thrust, rho, area, airspeed, climb))
    vh2 = thrust / (2 * rho * area)
    assert vi == pytest.approx(vh2 / math.hypot(airspeed, climb + vi), rel=1e-9)


def test_induced_velocity_limits():
    vh = math.sqrt(110 / (2 * 1.225 * 1.5))
    assert float(induced_velocity(110, 1.225, 1.5)) == pytest.approx(vh)
    fast = float(induced_velocity(110, 1.225, 1.5, 40.0))
    assert fast == pytest.approx(vh * vh / 40.0, rel=0.01)


def test_forward_flight_has_a_power_bucket_and_climbing_costs_more():
    speeds = np.array([0.0, 5, 10, 15, 25])
    p = power_w(PROFILE, 11.0, speeds)
    assert p[2] < p[0] and p[4] > p[3] > p[2]
    assert power_w(PROFILE, 11.0, 0, 3.0) > p[0] > power_w(PROFILE, 11.0, 0, -2.0)
    climb_extra = power_w(PROFILE, 11.0, 0, 3.0) - p[0]
    assert climb_extra < 11.0 * GRAVITY * 3.0 / PROFILE.hover_efficiency


def test_wind_vector_is_where_the_air_goes():
    assert wind_vector(Wind(8, 270)) == pytest.approx((8.0, 0.0))
    assert wind_vector(Wind(5, 0)) == pytest.approx((0.0, -5.0), abs=1e-12)
    assert wind_vector(None) == (0.0, 0.0)


def test_wind_triangle_constant_airspeed():
    wind = Wind(5, 270)  # from the west, blowing east
    tri = wind_triangle([90, 270, 0], AIR, wind)
    assert tri.groundspeed_ms == pytest.approx([20.0, 10.0, math.sqrt(15**2 - 5**2)])
    assert tri.airspeed_ms == pytest.approx([15.0, 15.0, 15.0])
    # flying north with a wind from the west the nose points into the wind, west of north
    crab = math.degrees(math.asin(5 / 15))
    assert tri.heading_deg[2] == pytest.approx(360 - crab)
    assert tri.feasible.all()


def test_wind_triangle_infeasible_headwind_and_crosswind():
    tri = wind_triangle([270, 0, 250], AIR, Wind(16, 270))
    assert not tri.feasible[0]  # straight into a wind faster than the airspeed
    assert not tri.feasible[1]  # crosswind above the airspeed
    assert not tri.feasible[2]
    assert wind_triangle([270], AIR, Wind(15, 90)).feasible.all()  # tailwind is fine


def test_wind_triangle_constant_groundspeed():
    tri = wind_triangle([270, 90, 0], PROFILE, Wind(8, 270))
    assert tri.groundspeed_ms == pytest.approx([15, 15, 15])
    assert tri.airspeed_ms == pytest.approx([23.0, 7.0, math.hypot(15, 8)])
    assert tri.feasible.all()
    assert not wind_triangle([270], PROFILE, Wind(11, 270)).feasible[0]  # needs 26 m/s airspeed


def test_s_curve_legs():
    a, j = PROFILE.accel_ms2, PROFILE.jerk_ms3
    assert float(accel_time(15, a, j)) == pytest.approx(15 / a + a / j)
    t, peak = leg_time([1000.0, 0.0], 15.0, a, j)
    assert t[0] == pytest.approx(1000 / 15 + 15 / a + a / j) and peak[0] == 15
    assert t[1] == 0
    # short legs: peak below cruise, continuous at the threshold, time increasing with length
    lengths = np.linspace(0.5, 400, 400)
    t, peak = leg_time(lengths, 15.0, a, j)
    assert np.all(np.diff(t) > 0) and np.all(peak <= 15 + 1e-12)
    threshold = 15 * float(accel_time(15, a, j))
    below, above = leg_time([threshold - 1e-6, threshold + 1e-6], 15.0, a, j)[0]
    assert below == pytest.approx(above, abs=1e-5)


def test_scurve_jerk_times_ardupilots_raised_cosine_ramps():
    # SCurve reaches full acceleration in a/WPNAV_JERK + 2 ATC_INPUT_TC: 15 m/s takes 6 + 2.5 + 0.3 s
    a = PROFILE.accel_ms2
    assert float(accel_time(15, a, scurve_jerk(a, PROFILE))) == pytest.approx(15 / a + a / PROFILE.jerk_ms3 + 0.3)
    assert scurve_jerk(a, replace(PROFILE, input_tc_s=0.0)) == pytest.approx(PROFILE.jerk_ms3)


def test_corner_overlap_shrinks_with_the_turn():
    angles = np.radians([0, 10, 30, 60, 90, 135, 180])
    tau = corner_overlap(np.cos(angles), 15, 15, 15, 15, PROFILE)
    a = PROFILE.accel_ms2
    assert tau[0] == pytest.approx(float(accel_time(15, a, scurve_jerk(a, PROFILE))), rel=1e-6)
    assert np.all(np.diff(tau) <= 1e-9) and tau[-1] > 0
    wider = corner_overlap(np.cos(angles), 15, 15, 15, 15, replace(PROFILE, wp_radius_m=10.0))
    assert np.all(wider >= tau - 1e-9)


def test_flight_phases_add_up():
    route = np.array([[0.0, 0.0], [3000.0, 0.0], [3000.0, 2000.0]])
    f = fly(route, 2.0, PROFILE)
    assert f.feasible and f.reason is None
    assert [ph.name for ph in f.phases] == list(PHASES)
    assert f.duration_s == pytest.approx(sum(ph.duration_s for ph in f.phases))
    assert f.energy_wh == pytest.approx(sum(ph.energy_wh for ph in f.phases))
    assert f.reserve_wh == pytest.approx(PROFILE.battery_wh - f.energy_wh)
    assert f.outbound_m == pytest.approx(5000.0)
    before = sum(f.phase(n).duration_s for n in ("takeoff", "outbound", "descent"))
    assert f.door_s == pytest.approx(before + 0.5)  # payload place: released 0.5 s after touchdown
    # NAV_PAYLOAD_PLACE descends the whole 60 m at LAND_SPEED (PLDP_SPEED_DN 0), reaching it at
    # 1 m/s^2 with PSC_JERK_Z 5 m/s^3 in 0.5 / 1 + 1 / 5 = 0.7 s
    assert f.phase("descent").duration_s == pytest.approx(60 / 0.5 + 0.7 / 2)
    assert f.phase("outbound").mass_kg == 11.0 and f.phase("return").mass_kg == 9.0
    # 2 s arming delay and 1.3 s spool-up, then the climb to 60 m at 3 m/s: 3.2 s to reach it
    # (4.8 m), 5.5 s to slow to 0.3 m/s at half the 1 m/s^2 (9.075 m), the rest at 3 m/s
    climb = 3.2 + 5.5 + (60 - 4.8 - 9.075) / 3
    assert f.phase("takeoff").duration_s == pytest.approx(2.0 + 1.3 + climb)
    assert f.phase("ascent").duration_s == pytest.approx(climb)  # payload place climbs back the same way
    # NAV_LAND: 2.2 s to reach 2 m/s (2.2 m), 1.7 s slowing to 0.5 m/s at 10 m (2.125 m), 0.5 m/s
    # below, 2 s from touchdown to disarmed
    land = 2.2 + 1.7 + (50 - 2.2 - 2.125) / 2 + 10 / 0.5
    assert f.phase("landing").duration_s == pytest.approx(land + 2.0)
    assert f.phase("return").energy_wh < f.phase("outbound").energy_wh


def test_no_blend_into_a_landing():
    # ArduPilot blends waypoint to waypoint but stops before a NAV_LAND leg: the return's last
    # corner (into the landing at home) is a full stop, and so is the outbound's for a land delivery
    route = np.array([[0.0, 0.0], [3000.0, 0.0], [3000.0, 2000.0]])
    a, j = PROFILE.accel_ms2, scurve_jerk(PROFILE.accel_ms2, PROFILE)
    stops = float(leg_time([3000.0, 2000.0], 15.0, a, j)[0].sum())
    tau = float(corner_overlap(0.0, 15, 15, 15, 15, PROFILE))
    placed = fly(route, 1.0, PROFILE)
    assert placed.phase("outbound").duration_s == pytest.approx(stops - tau)
    assert placed.phase("return").duration_s == pytest.approx(stops)
    landed = fly(route, 1.0, replace(PROFILE, delivery="land"))
    assert landed.phase("outbound").duration_s == pytest.approx(stops)


@pytest.mark.parametrize("method, height", [("drop", 4.0), ("winch", 7.0)])
def test_waypoint_legs_down_and_up_blend_at_the_door(method, height):
    profile = replace(PROFILE, delivery=method)
    vertical = (1.0, scurve_jerk(1.0, profile))
    down, up = (float(leg_time([60 - height], v, *vertical)[0][0]) for v in (2.0, 3.0))
    assert down == pytest.approx((60 - height) / 2 + 2 / 1 + 1 / 1 + 0.3)  # WPNAV_JERK and ATC_INPUT_TC
    # the blend ends where the vertical acceleration would reach WPNAV_ACCEL_Z: 2 (1 / 1 + 0.3) s
    tau = 2.6
    straight_out = np.array([[0.0, 0.0], [2000.0, 0.0]])
    f, placed = fly(straight_out, 1.0, profile), fly(straight_out, 1.0, PROFILE)
    assert f.phase("descent").duration_s == pytest.approx(down - tau / 2, abs=1e-5)
    assert f.phase("outbound").duration_s == pytest.approx(placed.phase("outbound").duration_s - tau / 2, abs=1e-5)
    assert f.phase("ascent").duration_s == pytest.approx(up)  # straight home is NAV_LAND: no blend
    bent = np.array([[0.0, 0.0], [2000.0, 0.0], [2000.0, 1000.0]])
    assert fly(bent, 1.0, profile).phase("ascent").duration_s == pytest.approx(up - tau / 2, abs=1e-5)


def test_realistic_energy_per_km():
    b = straight(5000.0, 0.0, 2.0, PROFILE)
    per_km = float(b.energy_wh[0]) / 10
    assert 15 < per_km < 35


@pytest.mark.parametrize("method", ["payload_place", "land", "winch", "drop"])
def test_delivery_methods(method):
    profile = replace(PROFILE, delivery=method)
    f = fly(np.array([[0.0, 0.0], [2000.0, 0.0]]), 1.0, profile)
    assert f.feasible
    dwell = f.phase("delivery")
    before = sum(f.phase(n).duration_s for n in ("takeoff", "outbound", "descent"))
    assert before <= f.door_s <= before + dwell.duration_s
    if method == "land":
        assert f.door_s == pytest.approx(before)  # delivered at touchdown
        assert dwell.duration_s == pytest.approx(profile.land_detect_s + profile.land_dwell_s)
        assert profile.avionics_power_w < dwell.power_w < float(hover_power_w(profile, 10.0))
        # NAV_TAKEOFF from the door spools up again but has no arming delay
        assert f.phase("ascent").duration_s == pytest.approx(f.phase("takeoff").duration_s - profile.arming_delay_s)
    elif method == "winch":
        assert dwell.duration_s == pytest.approx(7.0 / 1.0 + profile.delivery_hover_s)
        assert f.door_s == pytest.approx(before + 7.0)
    elif method == "drop":
        assert f.door_s == pytest.approx(before + profile.delivery_hover_s)
    else:
        assert dwell.power_w == pytest.approx(float(hover_power_w(profile, 10.0)))
        assert dwell.duration_s == pytest.approx(0.5 + profile.delivery_hover_s)


def test_infeasible_flights_say_why():
    route = np.array([[0.0, 0.0], [1000.0, 0.0]])
    assert fly(route, 3.0, PROFILE).reason == "overweight"
    assert fly(None, 1.0, PROFILE).reason == "no_route"
    assert fly(np.empty((0, 2)), 1.0, PROFILE).reason == "no_route"
    assert fly(np.array([[0.0, 0.0], [60_000.0, 0.0]]), 1.0, PROFILE).reason == "energy"
    assert fly(route, 1.0, AIR, Wind(16, 90)).reason == "wind"
    assert fly(route, 1.0, PROFILE, Wind(30, 0)).reason == "wind"  # cannot even hover
    f = fly(np.array([[0.0, 0.0], [60_000.0, 0.0]]), 1.0, PROFILE)
    assert not f.feasible and math.isfinite(f.energy_wh)


def test_route_objects_with_infinite_length_are_no_route():
    class Unreachable:
        points = np.empty((0, 2))
        length_m = math.inf

    assert fly(Unreachable(), 1.0, PROFILE).reason == "no_route"


def test_batch_equals_one_by_one():
    routes = [np.array([[0.0, 0.0], [1500.0, 200.0]]), np.array([[0.0, 0.0], [0.0, 800.0], [900.0, 900.0]]),
              np.array([[0.0, 0.0]]), None]
    payloads = [0.5, 2.0, 1.0, 1.0]
    wind = Wind(6, 200)
    batch = fly_many(routes, payloads, PROFILE, wind)
    for i, route in enumerate(routes):
        one = fly(route, payloads[i], PROFILE, wind)
        assert batch.profile(i) == one


@pytest.mark.parametrize("method", ["payload_place", "land", "winch", "drop"])
def test_flights_at_several_pairs_of_layers_are_each_pairs_flights(method):
    # pair (7, 60) puts the winch or drop height at the outbound layer: no leg down, so no blend at the door
    profile = replace(PROFILE, delivery=method)
    routes = [np.array([[0.0, 0.0], [1500.0, 200.0]]), np.array([[0.0, 0.0], [0.0, 800.0], [900.0, 900.0]]), None,
              np.array([[0.0, 0.0], [40_000.0, 0.0]])]
    wind = Wind(6, 200)
    cruise = cruise_many(routes, [0.5, 2.0, 1.0, 3.0], profile, wind)
    pairs = [(45.0, 75.0), (7.0, 60.0), (90.0, 45.0)]
    together = finish_at(cruise, profile, wind, pairs)
    assert len(together) == len(pairs) * len(routes)
    for k, pair in enumerate(pairs):
        alone = finish(cruise, profile, wind, pair)
        rows = slice(k * len(routes), (k + 1) * len(routes))
        for name in ("times_s", "energies_wh", "masses_kg", "release_s", "outbound_m"):
            assert np.array_equal(getattr(together, name)[rows], getattr(alone, name)), (pair, name)
        assert list(together.reason[rows]) == list(alone.reason)
    assert len(set(map(tuple, together.times_s[[0, 4, 8]].round(6)))) == 3  # the pairs do differ
    # the vertical phases of a larger fleet's doors, made once and taken for these flights, give the same flights
    payload = np.array([1.0, 0.5, 2.0, 1.0, 3.0])
    mine = np.array([1, 2, 3, 4])
    known = [vertical_phases(payload, profile, wind, pair, fixed_powers(payload, profile, wind)).take(mine)
             for pair in pairs]
    again = finish_at(cruise_many(routes, payload[mine], profile, wind), profile, wind, pairs, known)
    assert np.array_equal(again.times_s, together.times_s) and np.array_equal(again.energies_wh, together.energies_wh)


def test_wind_makes_out_and_back_differ_and_still_air_does_not():
    route = np.array([[0.0, 0.0], [4000.0, 0.0]])
    calm = fly(route, 1.0, AIR)
    assert calm.phase("outbound").duration_s == pytest.approx(calm.phase("return").duration_s)
    windy = fly(route, 1.0, AIR, Wind(6, 270))  # tailwind out, headwind back
    assert windy.phase("outbound").duration_s < windy.phase("return").duration_s
    ground = fly(route, 1.0, PROFILE, Wind(6, 270))
    assert ground.phase("outbound").duration_s == pytest.approx(ground.phase("return").duration_s)
    assert ground.phase("outbound").power_w < ground.phase("return").power_w


def test_max_reach_is_tight():
    budget = 1500.0
    reach = max_reach(PROFILE, 2.0, budget_s=budget, headings_deg=[0.0, 90.0])
    inside = straight(reach, [0.0, 90.0], 2.0, PROFILE)
    outside = straight(reach + 1.0, [0.0, 90.0], 2.0, PROFILE)
    assert np.all(inside.feasible & (inside.door_s <= budget))
    assert not np.any(outside.feasible & (outside.door_s <= budget))
    energy_only = max_reach(PROFILE, 2.0)
    assert straight(energy_only + 1.0, 0.0, 2.0, PROFILE).reason[0] == "energy"


def test_max_reach_downwind_beats_upwind_at_constant_airspeed():
    reach = max_reach(AIR, 1.0, Wind(6, 270), budget_s=900.0, headings_deg=[90.0, 270.0])
    assert reach[0] > reach[1] > 0
    assert max_reach(AIR, 1.0, Wind(16, 270), budget_s=900.0, headings_deg=[270.0])[0] == 0.0


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0, 20_000), st.floats(0, 5_000), st.floats(0, 2.4), st.floats(0, 1.0),
    st.floats(0, 359), st.floats(0, 10), st.sampled_from(["ground", "air"]),
    st.sampled_from(["payload_place", "land", "winch", "drop"]),
)
def test_energy_grows_with_distance_and_payload(distance, extra, payload, extra_payload, heading, wind_speed, ref,
                                                method):
    profile = replace(PROFILE, speed_reference=ref, delivery=method)
    wind = Wind(wind_speed, 200.0)
    base = straight(distance, heading, payload, profile, wind)
    farther = straight(distance + extra, heading, payload, profile, wind)
    heavier = straight(distance, heading, min(payload + extra_payload, 2.5), profile, wind)
    assert farther.energy_wh[0] >= base.energy_wh[0] - 1e-9
    assert farther.door_s[0] >= base.door_s[0] - 1e-9
    assert heavier.energy_wh[0] >= base.energy_wh[0] - 1e-9
