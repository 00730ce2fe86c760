"""The busiest 30 minutes of the example day flown as a fleet in SITL (sitl/scenarios/fleet-busiest-30min):
every flight completes as planned, no two drones lose separation, every flight conforms to its intent."""

import numpy as np
import pytest
from conftest import FRAME, JOBS, PARAMS, SCENARIOS, SPEEDUP

from dronedel.cli import main
from dronedel.fileio import write_json
from dronedel.sitl import RunOptions
from dronedel.sitl.fleet import run_window
from dronedel.sitl.fleetscenario import load_fleet_scenario
from dronedel.sitl.planfile import read_plan_dir

pytestmark = pytest.mark.sitl


@pytest.fixture(scope="module")
def fleet(arducopter, tmp_path_factory):
    """The scenario's day planned with ``dronedel plan``, its window flown: (plan, report)."""
    scenario = load_fleet_scenario(SCENARIOS / "fleet-busiest-30min")
    out = tmp_path_factory.mktemp("sitl-fleet")
    args = ["plan", "--site", str(scenario.site), "--orders", str(scenario.orders), "-o", str(out / "plan")]
    assert main(args + (["--wind", str(scenario.wind)] if scenario.wind else [])) == 0
    plan = read_plan_dir(out / "plan")
    report = run_window(plan, *scenario.window(plan), RunOptions(arducopter, (PARAMS,), FRAME, SPEEDUP, JOBS))
    print(write_json(out / "fleet.json", report.to_dict()))
    return plan, report


def test_the_busiest_window_is_flown_whole(fleet):
    plan, report = fleet
    takeoffs = np.sort([f.takeoff_s for f in plan.flights])
    busiest = max(int(np.sum((takeoffs >= t) & (takeoffs < t + 1800.0))) for t in takeoffs)
    assert len(report.flown) == busiest >= 10
    assert report.t1_s - report.t0_s == 1800.0
    for f in report.flown:
        assert f.report.outcome == "passed", [c.message for c in f.report.checks if c.passed is False]
        assert abs(f.report.check("flight_time").value) <= 0.01
        # placed in plan time: from its planned take-off to its disarming, a sample a second
        assert f.track.t0 == int(np.ceil(f.flight.takeoff_s - 1e-9))
        assert abs(f.track.t1 - f.flight.land_s) <= 0.01 * f.flight.flight_s + 1


def test_no_two_drones_lose_separation(fleet):
    plan, report = fleet
    audit = report.audit
    assert audit.pairs >= len(report.flown), "the window's flights hardly overlap: nothing was shown"
    assert audit.losses == 0 and audit.loss_seconds == 0, audit.loss_pairs
    assert audit.closest_m >= plan.horizontal_m
    assert min(p.closest_m for p in report.pairs) == audit.closest_m


def test_every_flight_conforms_to_its_intent(fleet):
    _, report = fleet
    for f in report.flown:
        c = f.conformance
        assert c.conforming, (f.flight.order_id, c.as_dict())
        assert c.samples == len(f.track.xyz)
    assert report.share_inside() >= 0.95
    assert report.passed, report.failures
