"""The dispatch planner: invariants on generated days, reasons, outputs and the plan command."""

import csv
import itertools
import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.airspace import site_airspace
from dronedel.cli import main
from dronedel.config import Pad, load_site
from dronedel.dispatch import POLICIES, REASONS, AdmissionLimit, ZoneActivity, plan_day, prepare_day
from dronedel.dispatch.bound import capacity_bound, order_windows, window_bound
from dronedel.dispatch.output import CSV_COLUMNS, SCHEMA, write_plan
from dronedel.errors import InputWarning
from dronedel.geo import LocalFrame
from dronedel.orders import load_orders

from orderfiles import write_orders_file

DATA = Path(__file__).parent / "data" / "dispatch"
CONFIG = load_site(DATA / "site.toml")
AIRSPACE = site_airspace(CONFIG)
FRAME = LocalFrame(CONFIG.site.lon, CONFIG.site.lat)


def write_day(path: Path, seed: int, n: int, *, bad_rows: bool = False) -> Path:
    """A day of ``n`` random orders 06:00-23:30 around the test site (some outside the area,
    in the tower, overweight), optionally followed by invalid rows."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(6 * 3600, 23.5 * 3600, n))
    x, y = rng.uniform(-9500, 9500, (2, n))
    lon, lat = FRAME.to_lonlat(x, y)
    write_orders_file(path, datetime(2026, 6, 13), t, lon, lat, rng.uniform(0.1, 3.2, n), "T")
    with path.open("a", newline="") as handle:
        w = csv.writer(handle)
        if bad_rows:
            w.writerow(["BAD1", "2026-06-13T12:00:00", "50.0", "10.0x", "1.0"])
            w.writerow(["T00000", "2026-06-13T12:00:00", "10.0", "50.0", "1.0"])
            w.writerow(["BAD3", "noon", "10.0", "50.0", "1.0"])
            w.writerow(["FAR", "2026-06-13T12:00:00", "12.5", "50.0", "1.0"])
    return path


def plan_for(tmp_path, seed, n, **kwargs):
    path = write_day(tmp_path / f"day{seed}.csv", seed, n, bad_rows=kwargs.pop("bad_rows", False))
    book = load_orders(path, CONFIG.site.tz, CONFIG.planning.start)
    return book, plan_day(CONFIG, book, AIRSPACE, source=str(path), **kwargs)


def local_zones(at_s: float, until_s: float, start: datetime) -> list[shapely.Geometry]:
    at = start + timedelta(seconds=at_s)
    until = start + timedelta(seconds=until_s)
    return [FRAME.geometry_to_local(z.geometry) for z in AIRSPACE.blocking(0, 60, at, until)]


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), drones=st.integers(1, 6), policy=st.sampled_from(POLICIES),
       batch_s=st.sampled_from([30.0, 60.0, 300.0]))
def test_plan_invariants(tmp_path_factory, seed, drones, policy, batch_s):
    tmp = tmp_path_factory.mktemp("day")
    book, plan = plan_for(tmp, seed, 120, drones=drones, policy=policy, batch_s=batch_s)
    cfg, profile = CONFIG, CONFIG.aircraft
    # one decision per order and per invalid row
    assert len(plan.decisions) == len(book.orders) + len(book.problems)
    assert len({d.order_id for d in plan.decisions if d.reason != "invalid_input"}) == len(book.orders)
    assert all(d.reason is None or d.reason in REASONS for d in plan.decisions)
    usable = profile.battery_wh * (1 - profile.reserve_fraction)
    by_drone: dict[int, list] = {}
    for d in plan.decisions:
        if d.reason != "invalid_input":  # decided when placed, or at most one interval later in batches
            wait = d.decided_s - d.placed_s
            assert 0 < wait <= batch_s if policy == "batch" else wait == 0
        f = d.flight
        if f is None:
            continue
        by_drone.setdefault(f.drone, []).append(f)
        assert 0 <= f.drone < drones
        assert f.loading_s >= d.decided_s - 1e-9
        assert f.takeoff_s == pytest.approx(f.loading_s + cfg.fleet.loading_s)
        assert f.door_s - d.placed_s <= cfg.planning.promise_s + 1e-6
        assert f.takeoff_s < f.door_s < f.land_s < f.ready_s
        assert f.energy_wh <= usable + 1e-9
        assert f.reserve_wh >= profile.battery_wh * profile.reserve_fraction - 1e-9
        if policy == "fcfs":
            assert f.loading_s == pytest.approx(d.placed_s)
        # the route runs from the flight's pad to the door and keeps clear of the zones active in flight
        assert np.allclose(f.route[0], cfg.separation.pads[f.pad].xy)
        assert set(f.layers) <= set(cfg.separation.layers_m)
        assert len(cfg.separation.layers_m) == 1 or f.layers[0] != f.layers[1]
        door = FRAME.to_local(*d.door)
        assert np.allclose(f.route[-1], door, atol=1e-6)
        if len(f.route) > 1:
            line = shapely.LineString(f.route)
            for zone in local_zones(f.takeoff_s, f.land_s, plan.start):
                assert line.distance(zone) >= cfg.planning.margin_m * (1 - 1e-6)
    # never double-booked: each flight starts loading after the previous one's turnaround
    for flights in by_drone.values():
        flights.sort(key=lambda f: f.loading_s)
        for a, b in itertools.pairwise(flights):
            assert b.loading_s >= a.ready_s - 1e-9
            assert a.ready_s == pytest.approx(a.land_s + cfg.fleet.turnaround_s)


def _orders_file(path: Path, orders: list[tuple[str, float, float]]) -> Path:
    """An orders file of 1 kg parcels: (time of day, x east m, y north m of the site) each."""
    rows = ["order_id,placed_at,lon,lat,weight_kg"]
    for k, (t, x, y) in enumerate(orders):
        lon, lat = FRAME.to_lonlat(x, y)
        rows.append(f"O{k},2026-06-13T{t},{lon:.6f},{lat:.6f},1.0")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_batch_serves_short_flights_the_online_policy_loses(tmp_path):
    # one drone; a far door, then two near ones, within the same minute: online books the far door
    # at once and the drone is back too late for the others; the batch flies both near doors
    path = _orders_file(tmp_path / "craft.csv", [("12:00:05", 0.0, 7500.0), ("12:00:15", 0.0, 1500.0),
                                                 ("12:00:25", 0.0, 1500.0)])
    book = load_orders(path, CONFIG.site.tz, CONFIG.planning.start)
    online = plan_day(CONFIG, book, AIRSPACE, drones=1)
    batch = plan_day(CONFIG, book, AIRSPACE, drones=1, policy="batch", batch_s=60.0)
    assert [d.accepted for d in online.decisions] == [True, False, False]
    assert [d.accepted for d in batch.decisions] == [False, True, True]
    far, first, second = batch.decisions
    assert far.reason == "fleet_saturated" and "its batch" in far.detail
    noon = 12 * 3600.0
    assert {d.decided_s for d in batch.decisions} == {noon + 60.0}
    assert first.flight.loading_s == noon + 60.0  # loading waits for the decision
    assert second.flight.loading_s >= first.flight.ready_s
    assert second.flight.door_s <= second.placed_s + CONFIG.planning.promise_s
    assert batch.batch_s == 60.0 and online.batch_s is None


@pytest.mark.parametrize("layers", [(60.0,), (45.0, 75.0)])
def test_flight_table_pairs_of_layers(tmp_path, layers):
    book, _ = plan_for(tmp_path, 3, 40)
    config = replace(CONFIG, separation=replace(CONFIG.separation, layers_m=layers))
    ctx = prepare_day(config, book, AIRSPACE)
    table, zones, wind = ctx.table, ctx.activity.always, CONFIG.planning.wind
    cruise = (CONFIG.aircraft.cruise_alt_m,) * 2
    # every two different layers (the one layer twice), and cruise_alt_m twice
    expected = [(o, r) for o in layers for r in layers if o != r] or [(layers[0], layers[0])]
    assert set(table.pairs) == {*expected, cruise}
    i = next(k for k in range(len(ctx.orders)) if table.leg(zones, wind, k).reason is None)
    asked = [expected[0], cruise]
    times, door_s, reason = table.phases(zones, wind, i, 0, asked)
    for k, pair in enumerate(asked):
        leg = table.leg(zones, wind, i, 0, pair)
        assert tuple(times[k]) == leg.phases_s and door_s[k] == leg.door_s and reason[k] is None
    assert np.array_equal(table.phases(zones, wind, i, 0, asked[:1])[0], times[:1])
    # a pair the table was not made for is added, and its flights are what a table made with it computes
    before = table.leg(zones, wind, i, 0, expected[0])
    odd = (layers[0] + 5.0, layers[-1])
    added = table.leg(zones, wind, i, 0, odd)
    assert odd in table.pairs and added.layers == odd and added.phases_s != before.phases_s
    fresh = prepare_day(replace(CONFIG, separation=replace(CONFIG.separation, layers_m=odd)), book, AIRSPACE).table
    assert fresh.leg(zones, wind, i, 0, odd).phases_s == added.phases_s
    assert table.leg(zones, wind, i, 0, expected[0]).phases_s == before.phases_s


def test_flight_table_route_from_a_pad(tmp_path):
    # asked first, before any flight from the pad is computed: the table finds where the pad sees the route
    book, _ = plan_for(tmp_path, 3, 40)
    config = replace(CONFIG, separation=replace(CONFIG.separation, pads=(Pad("site"), Pad("east", 30.0, 0.0))))
    ctx = prepare_day(config, book, AIRSPACE)
    zones = ctx.activity.always
    i = next(k for k in range(len(ctx.orders)) if ctx.table.route(zones, k).reachable)
    site, pad = ctx.table.route(zones, i), ctx.table.route(zones, i, 1)
    assert tuple(pad.points[0]) == (30.0, 0.0) and np.array_equal(pad.points[-1], site.points[-1])
    assert ctx.table.route(zones, i, 1) is pad
    assert ctx.table.leg(zones, CONFIG.planning.wind, i, 1).route is pad


def test_batch_rounds_and_bad_interval(tmp_path):
    book, _ = plan_for(tmp_path, 3, 40)
    ctx = prepare_day(CONFIG, book, AIRSPACE)
    rounds = ctx.dispatcher(2, "batch", batch_s=600.0).rounds()
    assert np.array_equal(np.concatenate([i for _, i in rounds]), np.arange(len(ctx.orders)))
    for now, index in rounds:
        assert now % 600.0 == 0 and np.all((ctx.placed_s[index] < now) & (ctx.placed_s[index] >= now - 600.0))
    with pytest.raises(ValueError, match="batch_s"):
        ctx.dispatcher(2, "batch", batch_s=0.0)


def test_reasons_on_a_day_with_bad_rows(tmp_path):
    with pytest.warns(InputWarning, match="row 305: the door lies 179 km"):
        _, plan = plan_for(tmp_path, 7, 300, bad_rows=True)
    reasons = plan.reasons()
    for code in ("invalid_input", "overweight", "outside_area", "no_fly_zone", "no_drone_in_time"):
        assert reasons[code] > 0, code
    invalid = [d for d in plan.decisions if d.reason == "invalid_input"]
    assert len(invalid) == 4
    assert all("row" in d.detail for d in invalid)
    assert any("beyond the planning frame" in d.detail for d in invalid)
    tower = [d for d in plan.decisions if d.reason == "no_fly_zone"]
    assert all("'tower'" in d.detail for d in tower)
    heavy = [d for d in plan.decisions if d.reason == "overweight"]
    assert all(d.weight_kg > CONFIG.aircraft.max_payload_kg for d in heavy)
    rows = [d.row for d in plan.decisions]
    assert rows == sorted(rows) and len(set(rows)) == len(rows)


def _behind_arena_day(tmp_path: Path, times: list[str]) -> Path:
    """Orders 4 km west of the site, behind the arena (closed 17:00-23:00), at ``times``."""
    lon, lat = FRAME.to_lonlat(-4000.0, 100.0)
    inside_lon, inside_lat = FRAME.to_lonlat(-2500.0, 0.0)
    path = tmp_path / "arena.csv"
    with path.open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["order_id", "placed_at", "lon", "lat", "weight_kg"])
        for k, t in enumerate(times):
            w.writerow([f"A{k}", f"2026-06-13T{t}", f"{lon:.6f}", f"{lat:.6f}", "1.0"])
            w.writerow([f"I{k}", f"2026-06-13T{t}:30", f"{inside_lon:.6f}", f"{inside_lat:.6f}", "1.0"])
    return path


def test_scheduled_zone_closes_routes_only_while_active(tmp_path):
    path = _behind_arena_day(tmp_path, ["12:00", "16:55", "18:00", "23:30"])
    book = load_orders(path, CONFIG.site.tz, CONFIG.planning.start)
    plan = plan_day(CONFIG, book, AIRSPACE, drones=8)
    d = {x.order_id: x for x in plan.decisions}
    straight = [d["A0"], d["A3"]]
    assert all(len(x.flight.route) == 2 for x in straight)  # arena closed: straight across
    assert "arena" not in d["A0"].flight.zones
    # 16:55 take-off: the flight window reaches 17:00, so the arena counts and is flown around
    assert "arena" in d["A1"].flight.zones and len(d["A1"].flight.route) > 2
    assert len(d["A2"].flight.route) > 2
    # a door inside the arena: served at noon, closed in the evening
    assert d["I0"].accepted and d["I3"].accepted
    assert d["I2"].reason == "airspace_closed_at_that_time" and "arena" in d["I2"].detail


def test_takeoff_waits_for_a_zone_to_open(tmp_path):
    # a door inside the arena ordered at 22:50: the closure ends at 23:00, still within the promise
    path = tmp_path / "late.csv"
    lon, lat = FRAME.to_lonlat(-2500.0, 0.0)
    path.write_text(f"order_id,placed_at,lon,lat,weight_kg\nL1,2026-06-13T22:50:00,{lon:.6f},{lat:.6f},1.0\n")
    plan = plan_day(CONFIG, load_orders(path, CONFIG.site.tz, CONFIG.planning.start), AIRSPACE)
    f = plan.decisions[0].flight
    assert f is not None and plan.at(f.takeoff_s).hour == 23 and "arena" not in f.zones


def test_zone_activity_matches_schedule_active_during():
    zone = AIRSPACE["arena"]
    start = datetime.fromisoformat("2026-06-13T00:00:00").replace(tzinfo=CONFIG.site.tz)
    act = ZoneActivity([zone, AIRSPACE["tower"]], start, (0.0, 3 * 86400.0))
    assert act.always == frozenset({"tower"})
    rng = np.random.default_rng(3)
    for a, span in zip(rng.uniform(0, 2.5 * 86400, 300), rng.choice([0.0, 60.0, 1800.0, 7200.0], 300)):
        at, until = start + timedelta(seconds=float(a)), start + timedelta(seconds=float(a + span))
        assert ("arena" in act.during(a, a + span)) == zone.schedule.active_during(at, until)
    closing = act.changes(0, 86400)
    assert [(start + timedelta(seconds=float(s))).hour for s in closing] == [17, 23]


def test_admission_limit():
    lim = AdmissionLimit(2, window_s=3600, min_window_s=600, utilisation=1.0, refresh_s=0)
    for k in range(10):  # 10 orders in 10 min needing 6 min each: 60 drone-min < 2 drones x 10 min? no
        lim.observe(60.0 * k, 360.0)
    assert lim.limit(599.0) == np.inf  # not enough history yet
    lim.observe(600.0, 100.0)
    # 11 orders over 600 s need 3700 s of drone time; the fleet has 1200 s: the 100 s and 3 x 360 s fit
    assert lim.limit(600.0) == 360.0
    light = AdmissionLimit(50, min_window_s=0, refresh_s=0)
    for k in range(10):
        light.observe(60.0 * k, 600.0)
    assert light.limit(600.0) == np.inf


def test_bounds_hold(tmp_path):
    book, plan = plan_for(tmp_path, 11, 400, drones=2)
    ctx = prepare_day(CONFIG, book, AIRSPACE)
    w = order_windows(ctx)
    served = len(plan.accepted)
    assert served <= window_bound(w, 2) + 1e-6
    assert served <= capacity_bound(w, 2)
    assert capacity_bound(w, 1000) == len(w.index)


def test_write_plan(tmp_path):
    with pytest.warns(InputWarning, match="beyond the planning frame"):
        _, plan = plan_for(tmp_path, 5, 80, bad_rows=True)
    json_path, csv_path = write_plan(plan, tmp_path / "out")
    doc = json.loads(json_path.read_text())
    assert doc["schema"] == SCHEMA
    assert len(doc["decisions"]) == len(plan.decisions)
    assert doc["summary"]["accepted"] == len(plan.accepted)
    flown = [x for x in doc["decisions"] if x["flight"]]
    f = flown[0]["flight"]
    assert f["outbound"]["lonlat"][0] == pytest.approx([CONFIG.site.lon, CONFIG.site.lat])
    assert f["return"]["local_m"] == f["outbound"]["local_m"][::-1]
    assert datetime.fromisoformat(f["door_at"]) > datetime.fromisoformat(flown[0]["placed_at"])
    rows = list(csv.DictReader(csv_path.open()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(plan.decisions)
    assert {r["status"] for r in rows} == {"accepted", "rejected"}


def test_plan_command(tmp_path, capsys):
    orders = write_day(tmp_path / "orders.csv", 2, 60, bad_rows=True)
    code = main(["plan", "--site", str(DATA / "site.toml"), "--orders", str(orders), "-o", str(tmp_path / "p"),
                 "--fleet", "2", "--wind", "5@90"])
    assert code == 0
    captured = capsys.readouterr()
    assert "accepted" in captured.out and "invalid_input" in captured.out
    for row in (62, 63, 64, 65):  # every invalid row is named on stderr
        assert f"orders.csv: row {row}:" in captured.err
    doc = json.loads((tmp_path / "p" / "plan.json").read_text())
    assert doc["fleet"]["drones"] == 2 and doc["wind"] == {"speed_ms": 5.0, "from_deg": 90.0}
    assert doc["policy"] == "online" and doc["batch_s"] is None
    decided = [x for x in doc["decisions"] if x["decided_at"]]
    assert decided and all(x["decided_at"] == x["placed_at"] for x in decided)
    code = main(["plan", "--site", str(DATA / "site.toml"), "--orders", str(orders), "-o", str(tmp_path / "b"),
                 "--fleet", "2", "--policy", "batch", "--batch-s", "120"])
    assert code == 0
    doc = json.loads((tmp_path / "b" / "plan.json").read_text())
    assert doc["policy"] == "batch" and doc["batch_s"] == 120.0
    waits = [datetime.fromisoformat(x["decided_at"]) - datetime.fromisoformat(x["placed_at"])
             for x in doc["decisions"] if x["decided_at"]]
    assert waits and all(timedelta(0) < w <= timedelta(seconds=120) for w in waits)


def test_plan_command_errors(tmp_path, capsys):
    code = main(["plan", "--site", str(DATA / "site.toml"), "--orders", str(tmp_path / "missing.csv"),
                 "-o", str(tmp_path)])
    assert code == 2
    assert "missing.csv" in capsys.readouterr().err
    orders = write_day(tmp_path / "orders.csv", 2, 5)
    assert main(["plan", "--site", str(DATA / "site.toml"), "--orders", str(orders), "-o", str(tmp_path),
                 "--fleet", "0"]) == 2
    capsys.readouterr()
    assert main(["plan", "--site", str(DATA / "site.toml"), "--orders", str(orders), "-o", str(tmp_path),
                 "--policy", "batch", "--batch-s", "0"]) == 2
    assert "--batch-s" in capsys.readouterr().err
