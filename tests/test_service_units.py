"""Pieces of the live service in-process: the live dispatcher against the offline plan, the planned
trajectories, the F3548 conformance monitor, the clock."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.airspace import site_airspace
from dronedel.config import load_site
from dronedel.data import example_path
from dronedel.dispatch import plan_day
from dronedel.orders import OrderBook, load_orders
from dronedel.service.booking import LiveDispatcher
from dronedel.service.clock import ServiceClock
from dronedel.intent.conformance import Conformance, Excursion, allowed_excursions
from dronedel.service.conformance import MAX_EXCURSION_S, MAX_RECOVERABLE_S, ConformanceMonitor
from dronedel.service.trajectory import delay_factor, planned_trajectory


@pytest.fixture(scope="module")
def example():
    config = load_site(example_path("site.toml"))
    book = load_orders(example_path("orders.csv"), config.site.tz, config.planning.start)
    busy = OrderBook(book.orders[60:120], book.start)  # a busy morning
    return config, site_airspace(config), busy


@pytest.fixture(scope="module")
def live_day(example):
    """The example day decided order by order by the live dispatcher, and by plan_day."""
    config, airspace, book = example
    live = LiveDispatcher(config, airspace, book.start)
    decided = []
    for o, t in zip(book.orders, book.seconds()):
        decided += live.decide([o], float(t), config.planning.wind)
    return decided, plan_day(config, book, airspace)


def test_live_decisions_are_the_offline_plans(live_day):
    decided, plan = live_day
    offline = {d.order_id: d for d in plan.decisions}
    assert len(decided) == len(offline)
    for d in decided:
        ref = offline[d.order_id]
        assert d.reason == ref.reason
        if d.flight is not None:
            assert (d.flight.drone, d.flight.pad, d.flight.layers) == (ref.flight.drone, ref.flight.pad,
                                                                       ref.flight.layers)
            assert d.flight.door_s == pytest.approx(ref.flight.door_s, abs=1e-6)


def test_trajectory_flies_the_planned_path(live_day, example):
    config = example[0]
    flight = next(d.flight for d in live_day[0] if d.flight is not None)
    traj = planned_trajectory(flight, config.aircraft, flight.takeoff_s)
    assert traj.land_s == pytest.approx(flight.land_s, abs=1e-6)
    assert traj.door_s == pytest.approx(flight.door_s, abs=1e-6)
    pad = np.asarray(flight.route[0])
    assert traj.at(flight.takeoff_s) == pytest.approx([*pad, 0.0])
    assert traj.at(flight.land_s + 100) == pytest.approx([*pad, 0.0])
    assert traj.at(traj.door_s)[:2] == pytest.approx(flight.route[-1], abs=1e-6)
    assert traj.phase(flight.takeoff_s - 1) is None and traj.phase(traj.door_s) == "delivery"
    late = planned_trajectory(flight, config.aircraft, flight.takeoff_s + 60, delivery_factor=2.0)
    assert late.land_s > traj.land_s + 60 and late.door_s > traj.door_s + 60
    # the path stays inside the flight's own intent all the way
    t = np.linspace(flight.takeoff_s, flight.land_s, 400)
    assert flight.volumes(config.aircraft, config.separation).contains(traj.at(t), t).all()


def test_delay_factor_is_seeded_and_lognormal():
    draws = np.array([delay_factor(k, 0.25) for k in range(4000)])
    assert delay_factor(7, 0.25) == delay_factor(7, 0.25)
    assert np.median(draws) == pytest.approx(1.0, abs=0.03)
    assert np.log(draws).std() == pytest.approx(0.25, abs=0.02)
    assert delay_factor(3, 0.0) == 1.0


class Box:
    """An intent that is a box: |x|, |y| <= 100 m, 0-100 m high, times 0-3600 s."""

    def contains(self, xyz, t):
        xyz = np.asarray(xyz, float)
        return (np.abs(xyz[:, 0]) <= 100) & (np.abs(xyz[:, 1]) <= 100) & (xyz[:, 2] >= 0) & (xyz[:, 2] <= 100) & (
            (np.asarray(t) >= 0) & (np.asarray(t) <= 3600))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-99, 99), st.floats(-99, 99), st.floats(0, 100)), min_size=1, max_size=50))
def test_a_flight_inside_its_intent_never_raises(points):
    monitor = ConformanceMonitor(Box(), 3600.0)
    for k, (x, y, z) in enumerate(points):
        assert monitor.update(float(k), x, y, z) == []
    assert monitor.state == "conforming" and monitor.excursions == 0


@settings(max_examples=40, deadline=None)
@given(st.floats(0.5, 30.0))
def test_an_excursion_longer_than_10_s_is_nonconforming(out_s):
    monitor = ConformanceMonitor(Box(), 3600.0)
    changes = []
    for t in np.append(np.arange(0.0, out_s, 0.5), out_s):
        changes += monitor.update(100.0 + t, 500.0, 0.0, 50.0)
    changes += monitor.update(100.0 + out_s + 0.5, 0.0, 0.0, 50.0)
    states = [c[0] for c in changes]
    if out_s <= MAX_EXCURSION_S:
        assert states == []
    else:
        assert states[0] == "nonconforming" and states[-1] == "conforming"


def test_too_many_short_excursions_and_no_recovery():
    monitor = ConformanceMonitor(Box(), 3600.0)
    states = []
    for k in range(19):  # 19 excursions of 2 s within an hour
        states += [c[0] for c in monitor.update(k * 60.0, 500.0, 0.0, 50.0)]
        states += [c[0] for c in monitor.update(k * 60.0 + 2, 0.0, 0.0, 50.0)]
    assert states[:1] == ["nonconforming"] and monitor.excursions == 19
    stuck = ConformanceMonitor(Box(), 3600.0)
    for t in np.arange(0, MAX_EXCURSION_S + MAX_RECOVERABLE_S + 5, 1.0):
        stuck.update(float(t), 0.0, 0.0, 500.0)  # far above the intent
    assert stuck.state == "contingent"


def test_excursions_allowed_are_18_an_hour_pro_rata():
    assert [allowed_excursions(s) for s in (60.0, 600.0, 1800.0, 3600.0, 7200.0)] == [1, 3, 9, 18, 36]


@settings(max_examples=40, deadline=None)
@given(st.floats(60.0, 3500.0), st.integers(1, 40))
def test_short_excursions_are_counted_pro_rata_as_after_the_flight(flight_s, count):
    """Live and after the flight, the same excursions of a flight of the same length get the same verdict."""
    live = ConformanceMonitor(Box(), flight_s)
    step = flight_s / (count + 1)
    states = [s for s, _ in live.update(0.0, 0.0, 0.0, 50.0)]
    for k in range(1, count + 1):  # 1 s outside, then back inside
        states += [s for s, _ in live.update(k * step, 500.0, 0.0, 50.0) + live.update(k * step + 1, 0, 0, 50.0)]
    after = Conformance(int(flight_s), int(flight_s) - count,
                        tuple(Excursion(k * step, 1.0) for k in range(1, count + 1)), flight_s)
    assert live.excursions == count == len(after.excursions)
    assert ("nonconforming" in states) == (after.state == "nonconforming")
    assert ("nonconforming" in states) == (count > allowed_excursions(flight_s))  # 18 an hour, pro rata


def test_clock_runs_at_its_speedup_and_survives_a_restart():
    at = datetime(2026, 6, 13, 12, 0, tzinfo=timezone.utc)
    clock = ServiceClock.begin(at, timezone.utc, speedup=100.0)
    assert clock.start == datetime(2026, 6, 13, tzinfo=timezone.utc)
    first = clock.now_s()
    assert first == pytest.approx(12 * 3600, abs=1.0)
    time.sleep(0.05)
    assert clock.now_s() - first == pytest.approx(5.0, abs=2.0)
    again = ServiceClock(clock.start, clock.anchor_wall, clock.anchor_s, clock.speedup)
    assert again.now_s() == pytest.approx(clock.now_s(), abs=0.5)
    slower = clock.respeed(1.0)
    assert slower.now_s() == pytest.approx(clock.now_s(), abs=1.0)
    with pytest.raises(ValueError):
        ServiceClock(clock.start, 0.0, 0.0, 0.0)
