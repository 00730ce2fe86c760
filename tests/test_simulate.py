"""The fleet-day simulator: replay invariants, wind schedules, randomness, and the command."""

import itertools
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.airspace import site_airspace
from dronedel.cli import main
from dronedel.config import Wind, load_site
from dronedel.dispatch import plan_day, prepare_day
from dronedel.errors import InputError
from dronedel.orders import load_orders
from dronedel.simulate import SimOptions, WindSchedule, simulate_day, sweep_fleet
from test_dispatch import write_day

DATA = Path(__file__).parent / "data" / "dispatch"
CONFIG = load_site(DATA / "site.toml")
AIRSPACE = site_airspace(CONFIG)


def context(tmp_path, seed=1, n=150, config=CONFIG):
    path = write_day(tmp_path / f"day{seed}.csv", seed, n)
    return prepare_day(config, load_orders(path, config.site.tz, config.planning.start), AIRSPACE)


def test_wind_schedule():
    start = datetime(2026, 6, 13, tzinfo=CONFIG.site.tz)
    w = WindSchedule.parse("06:00=2@180, 13:30=8@200,19:00=4@220", start)
    assert w.times_s == (6 * 3600.0, 13.5 * 3600.0, 19 * 3600.0)
    assert w.at(0) == Wind(2, 180) and w.at(13.5 * 3600) == Wind(8, 200) and w.at(86000) == Wind(4, 220)
    for bad in ("6=2@180", "25:00=2@180", "08:00=fast", "10:00=2@180,09:00=3@180"):
        with pytest.raises(InputError):
            WindSchedule.parse(bad, start)
    d = WindSchedule.diurnal(Wind(5, 270), swing=0.5, peak_hour=15)
    speeds = [x.speed_ms for x in d.winds]
    assert len(speeds) == 24 and int(np.argmax(speeds)) in (14, 15) and min(speeds) == pytest.approx(2.5, abs=0.1)
    assert {x.from_deg for x in d.winds} == {270}


@pytest.mark.parametrize("policy", ["online", "batch"])
def test_replay_as_planned_keeps_every_promise(tmp_path, policy):
    ctx = context(tmp_path)
    result = simulate_day(ctx, SimOptions(drones=3, policy=policy, delivery_sigma=0.0, batch_s=120.0))
    plan = plan_day(CONFIG, ctx.book, context=ctx, drones=3, policy=policy, batch_s=120.0)
    def booked(decisions):
        return [(d.order_id, d.decided_s) + ((d.flight.drone, d.flight.takeoff_s) if d.flight else ()) for d in decisions]

    assert booked(result.decisions) == booked(plan.decisions)  # the replay decides as the plan does
    m = result.metrics()
    assert len(result.decisions) == len(ctx.orders)
    assert m["delivered"] == m["promised"] == len(result.flights) > 0
    assert m["on_time_share"] == 1.0 and m["cancelled_at_takeoff"] == 0
    for f in result.flights:
        planned = result.decisions[f.order].flight
        assert (f.drone, f.takeoff_s, f.land_s) == (planned.drone, planned.takeoff_s, pytest.approx(planned.land_s))
        assert f.door_s == pytest.approx(f.planned_door_s) == pytest.approx(planned.door_s)


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 1000), drones=st.integers(1, 4), sigma=st.sampled_from([0.3, 1.0]))
def test_replay_never_overlaps_a_drone(tmp_path_factory, seed, drones, sigma):
    ctx = context(tmp_path_factory.mktemp("sim"), seed, 120)
    result = simulate_day(ctx, SimOptions(drones=drones, delivery_sigma=sigma, seed=seed))
    by_drone: dict[int, list] = {}
    for f in result.flights:
        by_drone.setdefault(f.drone, []).append(f)
        assert f.loading_s < f.takeoff_s < f.door_s < f.land_s < f.ready_s
    for flights in by_drone.values():
        flights.sort(key=lambda f: f.loading_s)
        for a, b in itertools.pairwise(flights):
            assert b.loading_s >= a.ready_s - 1e-9
    assert len(result.flights) + len(result.cancelled) == sum(d.flight is not None for d in result.decisions)


def test_random_delivery_times_are_seeded(tmp_path):
    ctx = context(tmp_path, 4, 200)
    slow = replace(CONFIG.aircraft, delivery="drop", delivery_hover_s=120.0)
    ctx_drop = context(tmp_path, 4, 200, replace(CONFIG, aircraft=slow))
    a = simulate_day(ctx_drop, SimOptions(drones=1, delivery_sigma=0.8, seed=5)).metrics()
    b = simulate_day(ctx_drop, SimOptions(drones=1, delivery_sigma=0.8, seed=5)).metrics()
    c = simulate_day(ctx_drop, SimOptions(drones=1, delivery_sigma=0.8, seed=6)).metrics()
    assert {k: v for k, v in a.items() if k != "wall_s"} == {k: v for k, v in b.items() if k != "wall_s"}
    assert a["minutes_to_door"] != c["minutes_to_door"]
    assert a["on_time_share"] < 1.0  # long, random drops on one drone push promises over
    assert simulate_day(ctx, SimOptions(drones=2, seed=1)).metrics()["delivered"] > 0


def test_wind_at_takeoff_can_cancel_a_flight(tmp_path):
    air = replace(CONFIG, aircraft=replace(CONFIG.aircraft, speed_reference="air"))
    ctx = context(tmp_path, 2, 300, air)
    calm = simulate_day(ctx, SimOptions(drones=1, delivery_sigma=0.0))
    waited = max(calm.flights, key=lambda f: f.takeoff_s - f.placed_s)
    assert waited.takeoff_s - waited.placed_s > 300
    # the storm (stronger than the airspeed) rises just after that order was promised
    storm = WindSchedule((0.0, waited.placed_s + 1.0), (Wind(0.0, 0.0), Wind(17.0, 90.0)))
    result = simulate_day(ctx, SimOptions(drones=1, wind=storm, delivery_sigma=0.0))
    assert result.cancelled and {reason for _, reason in result.cancelled} == {"wind"}
    assert result.metrics()["cancelled_at_takeoff"] == len(result.cancelled)


def test_sweep_serves_more_with_more_drones(tmp_path):
    ctx = context(tmp_path, 3, 300)
    runs = sweep_fleet(ctx, [1, 2, 4])
    delivered = [r.metrics()["delivered"] for r in runs]
    assert [r.drones for r in runs] == [1, 2, 4]
    assert delivered[0] < delivered[1] <= delivered[2]


def test_simulate_command(tmp_path, capsys):
    orders = write_day(tmp_path / "orders.csv", 8, 100)
    out = tmp_path / "sim"
    code = main(["simulate", "--site", str(DATA / "site.toml"), "--orders", str(orders), "-o", str(out),
                 "--fleet", "2,1", "--wind-day", "06:00=2@180,15:00=6@200", "--seed", "3"])
    assert code == 0
    doc = json.loads((out / "metrics.json").read_text())
    assert [(r["policy"], r["drones"]) for r in doc["runs"]] == [("online", 2), ("online", 1), ("fcfs", 2),
                                                                  ("fcfs", 1)]
    assert all(r["delivered"] <= r["capacity_bound"] for r in doc["runs"])
    for name in ("service_map.png", "timeline.png", "door_times.png", "service_vs_fleet.png"):
        assert (out / name).stat().st_size > 10_000
    assert "delivered" in capsys.readouterr().out
    assert main(["simulate", "--site", str(DATA / "site.toml"), "--orders", str(orders), "-o", str(out),
                 "--fleet", "2,x"]) == 2
