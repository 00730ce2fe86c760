"""A plan window flown as a fleet, judged without SITL: plan.json read back, time placement of flown
tracks, conformance to the intent against F3548's limits, pairwise approaches, the report, figures, CLI."""

import csv
import dataclasses
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.airspace import site_airspace
from dronedel.cli import main
from dronedel.config import load_site
from dronedel.data import example_path
from dronedel.dispatch import plan_day
from dronedel.dispatch.output import write_plan
from dronedel.errors import InputError
from dronedel.formats import write_missions
from dronedel.geo import LocalFrame
from dronedel.intent import Track, Volumes, audit_separation
from dronedel.mission.flights import plan_missions
from dronedel.orders import load_orders
from dronedel.sitl.checks import Expectations
from dronedel.intent.conformance import Conformance, Excursion, conformance, excursions
from dronedel.sitl.fleetscenario import load_fleet_scenario
from dronedel.sitl.fleet import FlownFlight, judge, load_missions, pair_approaches, place_track, separation_series
from dronedel.sitl.flight import FlightRecord
from dronedel.sitl.flight import Track as FlownTrack
from dronedel.sitl.planfile import PlanFlight, busiest_window, read_plan_dir
from dronedel.sitl.report import build_report
from dronedel.sitl.scenario import find_scenarios

CONFIG = load_site(example_path("site.toml"))
FRAME = LocalFrame(CONFIG.site.lon, CONFIG.site.lat)
GROUND = CONFIG.site.elevation_m


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The example day's first 60 orders planned with ``dronedel plan``'s parts: (plan, plan folder)."""
    folder = tmp_path_factory.mktemp("plan")
    with example_path("orders.csv").open() as handle:
        rows = list(csv.reader(handle))[:61]
    orders = folder / "orders.csv"
    with orders.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    airspace = site_airspace(CONFIG)
    plan = plan_day(CONFIG, load_orders(orders, CONFIG.site.tz, CONFIG.planning.start), airspace)
    write_plan(plan, folder)
    write_missions(folder / "missions", (m for _, m in plan_missions(plan, airspace)))
    return plan, folder


def _flown(plan, decision, *, offset=None, rate_hz=4.0, armed_s=41.7, late_s=0.0):
    """A SITL record flying ``decision``'s planned path exactly (``late_s`` later than planned, and
    pushed ``offset(t_plan) -> (dx, dy, dz)`` metres off it)."""
    f = decision.flight
    path = f.path(CONFIG.aircraft)
    tau = np.arange(0.0, f.land_s - f.takeoff_s, 1.0 / rate_hz)
    xyz = path.positions(f.takeoff_s + tau - late_s)
    xyz = np.where(np.isnan(xyz), path.positions([f.takeoff_s])[0], xyz)
    if offset is not None:
        xyz = xyz + np.array([offset(t) for t in f.takeoff_s + tau])
    lon, lat = FRAME.to_lonlat(xyz[:, 0], xyz[:, 1])
    data = np.column_stack([armed_s + tau, lon, lat, GROUND + xyz[:, 2], xyz[:, 2], np.zeros((len(tau), 3))])
    return FlightRecord(decision.order_id, FlownTrack(data), armed_s=armed_s, disarmed_s=armed_s + float(tau[-1]))


def _judged(fleet, folder, records):
    """FlownFlights for ``records`` ({order_id: FlightRecord}) as :func:`fly_window` makes them."""
    by_id = {f.order_id: f for f in fleet.flights}
    flights = [by_id[k] for k in records]
    out = []
    for flight, mission in zip(flights, load_missions(flights)):
        record = records[flight.order_id]
        report = build_report(record, mission, Expectations(planned_time_s=flight.flight_s))
        track = place_track(flight.order_id, record.track, record.armed_s, record.disarmed_s, flight.takeoff_s,
                            FRAME, GROUND)
        out.append(FlownFlight(flight, report, track, conformance(track, flight.volumes)))
    return out


# -- plan.json ----------------------------------------------------------------------------------------

def test_plan_folder_read_back(planned):
    plan, folder = planned
    fleet = read_plan_dir(folder)
    accepted = plan.accepted
    assert len(fleet.flights) == len(accepted) > 10
    assert fleet.wind == plan.wind and fleet.elevation_m == GROUND
    assert (fleet.horizontal_m, fleet.vertical_m) == (50.0, 15.0)
    assert fleet.start == plan.start
    for got, d in zip(fleet.flights, accepted):
        f = d.flight
        assert got.order_id == d.order_id and got.drone == f.drone
        assert got.pad == CONFIG.separation.pads[f.pad].name and got.layers == f.layers
        assert got.takeoff_s == pytest.approx(f.takeoff_s, abs=0.005)
        assert got.flight_s == pytest.approx(f.land_s - f.takeoff_s, abs=0.06)
        want = f.volumes(CONFIG.aircraft, CONFIG.separation)
        assert np.allclose(got.volumes.t_lo, want.t_lo, atol=0.005) and np.array_equal(got.volumes.kind, want.kind)
        assert got.mission == folder / "missions" / f"{d.order_id}.plan"
    missions = load_missions(fleet.flights[:3])
    for flight, mission in zip(fleet.flights, missions):  # each mission homed at its pad
        x, y = LocalFrame(*flight.pad_lonlat).to_local(*mission.home[:2])
        assert math.hypot(x, y) < 0.5


def _plan_json(folder: Path, tmp_path: Path, change) -> Path:
    data = json.loads((folder / "plan.json").read_text())
    change(data)
    out = tmp_path / "bad"
    out.mkdir(exist_ok=True)
    (out / "plan.json").write_text(json.dumps(data))
    return out


def _first_flight(data):
    return next(d for d in data["decisions"] if d["flight"])["flight"]


@pytest.mark.parametrize(("change", "where"), [
    (lambda d: d.update(schema="dronedel-plan/1"), "$.schema"),
    (lambda d: d["site"].pop("elevation_m"), "$.site"),
    (lambda d: d["site"].update(timezone="Mars/Olympus"), "$.site.timezone"),
    (lambda d: _first_flight(d).pop("takeoff_s"), "].flight"),
    (lambda d: _first_flight(d).update(drone="zero"), "].flight.drone"),
    (lambda d: _first_flight(d)["intent"]["volumes"][0].__setitem__(0, "hover"), "].flight.intent.volumes"),
    (lambda d: _first_flight(d)["intent"].update(volumes=[]), "].flight.intent.volumes"),
])
def test_bad_plan_json_names_the_place(planned, tmp_path, change, where):
    _, folder = planned
    bad = _plan_json(folder, tmp_path, change)
    with pytest.raises(InputError, match=r"plan\.json") as err:
        read_plan_dir(bad)
    assert where in str(err.value)


def test_missing_plan_and_missions(planned, tmp_path):
    with pytest.raises(InputError, match="no plan.json"):
        read_plan_dir(tmp_path)
    _, folder = planned
    bad = _plan_json(folder, tmp_path, lambda d: None)  # no missions folder beside it
    with pytest.raises(InputError, match="mission file not found"):
        load_missions(read_plan_dir(bad).flights[:1])
    moved = read_plan_dir(folder).flights[0]
    moved = dataclasses.replace(moved, pad_lonlat=(moved.pad_lonlat[0] + 0.001, moved.pad_lonlat[1]))
    with pytest.raises(InputError, match=r"the mission's home is 96 m from the flight's pad"):
        load_missions([moved])


def _flights_at(takeoffs):
    empty = Volumes(*[np.zeros(0)] * 10)
    return [PlanFlight(f"F{k}", 0, "pad", (0.0, 0.0), t, t + 600.0, (45.0, 60.0), empty, Path("x"))
            for k, t in enumerate(takeoffs)]


def test_busiest_window():
    flights = _flights_at([0, 100, 2000, 2100, 2200, 3700, 3900])
    assert busiest_window(flights, 1800) == (2000.0, 3800.0)
    assert busiest_window(flights, 150) == (0.0, 150.0)  # the earliest of equally busy windows
    with pytest.raises(InputError, match="no accepted flights"):
        busiest_window([], 1800)


# -- time placement -----------------------------------------------------------------------------------

def test_flown_track_placed_at_its_planned_takeoff():
    armed, takeoff = 37.3, 1000.4
    t = np.arange(0.0, 80.0, 0.1) + 30.0  # simulated seconds since boot, from before arming
    x, y = 3.0 * (t - armed), -2.0 * (t - armed)
    z = np.clip(t - armed - 2.0, -0.03, None)  # 3 cm below the ground on the pad for 2 s
    lon, lat = FRAME.to_lonlat(x, y)
    data = np.column_stack([t, lon, lat, GROUND + z, z, np.zeros((len(t), 3))])
    track = place_track("A", FlownTrack(data), armed, armed + 45.55, takeoff, FRAME, GROUND)
    assert track.t0 == 1001 and track.t1 == 1045  # whole plan seconds from take-off to disarming
    tau = np.arange(track.t0, track.t1 + 1) - takeoff  # seconds since arming
    assert np.allclose(track.xyz, np.column_stack([3.0 * tau, -2.0 * tau, np.maximum(tau - 2.0, 0.0)]), atol=0.01)
    assert track.xyz[0, 2] == 0.0  # on the ground, not below it


# -- conformance --------------------------------------------------------------------------------------

def test_excursions_are_runs_outside():
    inside = np.array([1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0], bool)
    assert excursions(inside, 100.0) == (Excursion(102.0, 3.0), Excursion(106.0, 1.0), Excursion(109.0, 2.0))
    assert excursions(np.ones(5, bool), 0.0) == ()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), max_size=300), st.integers(0, 10_000))
def test_excursions_cover_every_sample_outside(flags, t0):
    inside = np.array(flags, bool)
    runs = excursions(inside, float(t0))
    assert sum(e.duration_s for e in runs) == (~inside).sum()
    for e in runs:
        k = int(e.start_s) - t0
        assert not inside[k:k + int(e.duration_s)].any()
        assert (k == 0 or inside[k - 1]) and (k + int(e.duration_s) == len(inside) or inside[k + int(e.duration_s)])
    assert all(a.start_s + a.duration_s < b.start_s for a, b in zip(runs, runs[1:]))


@pytest.mark.parametrize(("runs", "flight_s", "state"), [
    ([], 600, "conforming"),
    ([10, 10, 10], 600, "conforming"),      # 10 s each is allowed; 3 in 10 minutes (18 an hour)
    ([11], 600, "nonconforming"),           # one excursion too long
    ([2, 2, 2, 2], 600, "nonconforming"),   # one excursion too many for 10 minutes
    ([2, 2, 2, 2], 800, "conforming"),      # 4 allowed in 13.3 minutes (rounded up)
    ([70], 3600, "nonconforming"),          # 60 s nonconforming: still recoverable
    ([71], 3600, "contingent"),
])
def test_conformance_state_against_f3548_limits(runs, flight_s, state):
    c = Conformance(flight_s, flight_s - sum(runs), tuple(Excursion(100.0 * k, d) for k, d in enumerate(runs)),
                    float(flight_s))
    assert c.state == state
    assert c.conforming == (state == "conforming")
    assert c.nonconforming_s == sum(max(d - 10, 0) for d in runs)


def test_planned_path_conforms_and_excursions_are_found(planned):
    plan, folder = planned
    fleet = read_plan_dir(folder)
    d = plan.accepted[0]
    f = d.flight
    exact = _judged(fleet, folder, {d.order_id: _flown(plan, d)})[0]
    assert exact.conformance.share == 1.0 and exact.conformance.conforming
    # four seconds late everywhere is within the time buffer
    assert _judged(fleet, folder, {d.order_id: _flown(plan, d, late_s=4.0)})[0].conformance.conforming
    # 40 m to the side for 12 s in cruise: one excursion of 12 s, nonconforming
    mid = f.takeoff_s + f.phases_s[0] + 30.0  # 30 s into the outbound leg
    push = lambda t: (40.0, 0.0, 0.0) if mid <= t < mid + 12 else (0.0, 0.0, 0.0)  # noqa: E731
    off = _judged(fleet, folder, {d.order_id: _flown(plan, d, offset=push)})[0].conformance
    assert len(off.excursions) == 1 and off.state == "nonconforming"
    assert off.first.duration_s == pytest.approx(12.0, abs=1.0)
    assert off.first.start_s == pytest.approx(mid, abs=1.0)
    assert off.share == pytest.approx(1 - off.first.duration_s / off.samples)
    # 20 m too high for 5 s: outside, but a short excursion
    climb = lambda t: (0.0, 0.0, 20.0) if mid <= t < mid + 5 else (0.0, 0.0, 0.0)  # noqa: E731
    high = _judged(fleet, folder, {d.order_id: _flown(plan, d, offset=climb)})[0].conformance
    assert len(high.excursions) == 1 and high.longest.duration_s == pytest.approx(5.0, abs=1.0)
    assert high.conforming


# -- separation between flown tracks ------------------------------------------------------------------

def _line(name, t0, start, velocity, n):
    tau = np.arange(n)[:, None]
    return Track(name, t0, np.asarray(start, float) + tau * np.asarray(velocity, float))


def test_pair_approaches_and_series_agree_with_the_audit():
    a = _line("A", 0, (0, 0, 60), (10, 0, 0), 100)        # east along y = 0
    b = _line("B", 20, (500, -300, 60), (0, 10, 0), 60)    # north along x = 500: at (500, 0) at t = 50
    c = _line("C", 10, (0, 40, 90), (10, 0, 0), 100)       # 100 m behind A, 40 m beside, 30 m higher
    pairs = {(p.a, p.b): p for p in pair_approaches([a, b, c], 15.0)}
    ab = pairs[("A", "B")]
    assert ab.overlap_s == 60 and ab.closest_m == pytest.approx(0.0) and ab.at_s == 50.0
    ac = pairs[("A", "C")]
    assert math.isinf(ac.closest_m) and ac.at_s is None and ac.closest_3d_m == pytest.approx(math.hypot(100, 40, 30))
    audit = audit_separation([a, b, c], 50.0, 15.0)
    assert audit.closest_m == min(p.closest_m for p in pairs.values()) and audit.losses == 1
    series = separation_series([a, b, c], 15.0)
    assert series["t_s"][0] == 0 and series["t_s"][-1] == 109
    assert list(series["airborne"][[0, 15, 30, 95, 105]]) == [1, 2, 3, 2, 1]
    assert series["closest_m"][50] == pytest.approx(0.0)
    assert np.nanmin(series["closest_3d_m"]) == pytest.approx(min(p.closest_3d_m for p in pairs.values()))
    assert math.isinf(series["closest_3d_m"][0])  # one drone airborne: nothing to be close to


# -- the report, its figures and the command ----------------------------------------------------------

def test_report_of_a_window(planned, tmp_path):
    plan, folder = planned
    fleet = read_plan_dir(folder)
    t0, t1 = busiest_window(fleet.flights, 1800)
    window = fleet.window(t0, t1)
    assert len(window) >= 3
    ids = {f.order_id for f in window}
    decisions = [d for d in plan.accepted if d.order_id in ids]
    late = decisions[1]
    lift = late.flight.takeoff_s + 200.0  # 30 m above its band for 20 s
    push = lambda t: (0.0, 0.0, 30.0) if lift <= t < lift + 20.0 else (0.0, 0.0, 0.0)  # noqa: E731
    records = {d.order_id: _flown(plan, d, offset=push if d is late else None) for d in decisions}
    report = judge(fleet, t0, t1, _judged(fleet, folder, records), wall_s=12.0)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["schema"] == "dronedel-sitl-fleet/1" and data["flights_flown"] == len(window)
    assert data["separation"]["losses_of_separation"] == 0
    assert data["separation"]["closest_approach_m"] >= 50.0
    assert len(data["pairs"]) == data["separation"]["pairs_airborne_together"]
    rows = {r["order_id"]: r for r in data["flights"]}
    assert rows[late.order_id]["conformance"]["state"] == "nonconforming"
    assert all(r["conformance"]["state"] == "conforming" for k, r in rows.items() if k != late.order_id)
    assert data["conformance"]["conforming_flights"] == len(window) - 1
    assert not data["passed"] and any(late.order_id in line for line in data["failures"])

    from dronedel.plot.fleet_window import plot_fleet_separation, plot_fleet_tracks

    for path in (plot_fleet_tracks(report, tmp_path / "map.png", airspace=site_airspace(CONFIG), site=CONFIG.site),
                 plot_fleet_separation(report, tmp_path / "sep.png")):
        assert path.stat().st_size > 20_000


@pytest.mark.parametrize(("args", "message"), [
    ([], "--from TIME --to TIME, or --busiest"),
    (["--from", "13:00", "--to", "12:00"], "--to: '12:00' is not after"),
    (["--from", "noon", "--to", "13:00"], "--from:"),
    (["--busiest", "30", "--from", "13:00"], "either --busiest or --from"),
    (["--busiest", "0"], "--busiest: must be a positive"),
    (["--from", "2026-06-14T01:00", "--to", "2026-06-14T02:00"], "no flight takes off"),
    (["--busiest", "30", "--instances", "0"], "--instances: must be at least 1"),
])
def test_fleet_command_errors(planned, tmp_path, capsys, args, message):
    _, folder = planned
    assert main(["sitl", "fleet", str(folder), "-o", str(tmp_path / "out"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# -- fleet scenarios ----------------------------------------------------------------------------------

SCENARIO = Path(__file__).resolve().parents[1] / "sitl" / "scenarios" / "fleet-busiest-30min"


def test_the_fleet_scenario_loads_and_finds_its_window(planned, tmp_path):
    scenario = load_fleet_scenario(SCENARIO)
    assert scenario.site == example_path("site.toml") and scenario.orders == example_path("orders.csv")
    assert scenario.busiest_minutes == 30 and scenario.wind is None
    fleet = read_plan_dir(planned[1])
    assert scenario.window(fleet) == busiest_window(fleet.flights, 1800.0)
    file = tmp_path / "fleet.toml"
    file.write_text('site = "example"\nfrom = "2026-06-13T08:00"\nto = 09:30:00\nwind = "6@90"\n')
    explicit = load_fleet_scenario(file)
    assert explicit.window(fleet) == (8 * 3600.0, 9.5 * 3600.0) and str(explicit.wind) == "6@90"
    assert find_scenarios(SCENARIO.parent) and SCENARIO not in find_scenarios(SCENARIO.parent)


@pytest.mark.parametrize(("text", "message"), [
    ("busiest_minutes = 30\nfrom = \"13:00\"\n", "busiest_minutes, or from and to"),
    ("from = \"13:00\"\n", "busiest_minutes, or from and to"),
    ("busiest_minutes = -5\n", "busiest_minutes must be a positive number"),
    ("busiest_minutes = 30\nflights = 3\n", "flights"),
    ("busiest_minutes = 30\nwind = \"strong\"\n", "wind"),
])
def test_bad_fleet_scenarios(tmp_path, text, message):
    file = tmp_path / "fleet.toml"
    file.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        load_fleet_scenario(tmp_path)
    assert "fleet.toml" in str(err.value)


def test_fleet_scenario_window_errors(planned, tmp_path):
    fleet = read_plan_dir(planned[1])
    file = tmp_path / "fleet.toml"
    for text, message in (('from = "13:00"\nto = "12:00"\n', "is not after"), ('from = "noon"\nto = "13:00"\n',
                                                                               "from/to")):
        file.write_text(text)
        with pytest.raises(InputError, match=message):
            load_fleet_scenario(file).window(fleet)


def test_fleet_command_reports_flights_that_break_off(planned, tmp_path, monkeypatch, capsys):
    """End to end against a fake arducopter that crashes once commanded: every flight is a fault,
    the report, the flight reports and the figures are written, the exit code is 1."""
    from test_sitl_process import FAKE

    binary = tmp_path / "arducopter"
    binary.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n')
    binary.chmod(0o755)
    monkeypatch.setenv("FAKE_ARDUCOPTER", "crash_on=COMMAND_LONG")
    _, folder = planned
    out = tmp_path / "out"
    code = main(["sitl", "fleet", str(folder), "--busiest", "30", "-o", str(out), "--sitl-binary", str(binary),
                 "--site", str(example_path("site.toml"))])
    assert code == 1
    report = json.loads((out / "fleet.json").read_text())
    fleet = read_plan_dir(folder)
    window = fleet.window(*busiest_window(fleet.flights, 1800.0))
    assert [r["order_id"] for r in report["flights"]] == [f.order_id for f in window]
    assert report["completed"] == 0 and not report["passed"]
    assert all(r["outcome"] == "fault" and r["conformance"] is None for r in report["flights"])
    assert len(report["failures"]) >= len(window)
    assert all((out / "flights" / f"{f.order_id}.json").is_file() for f in window)
    assert (out / "fleet_map.png").is_file() and (out / "fleet_separation.png").is_file()
    printed = capsys.readouterr().out
    assert f"[{len(window)}/{len(window)}]" in printed and "FAIL" in printed
