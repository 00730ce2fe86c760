"""The JSON report of a SITL flight."""

import json
import math

import numpy as np
from test_sitl_checks import _delivery_flight, _mission, _record

from dronedel.config import Wind
from dronedel.sitl.checks import Expectations
from dronedel.sitl.flight import Fault
from dronedel.sitl.process import Home, SitlOptions
from dronedel.sitl.report import build_report, write_report


def _report(**record_changes):
    record = _record(_delivery_flight())
    record.reached = [(20.0, 1), (100.0, 2), (200.0, 3), (230.0, 4), (300.0, 5)]
    record.battery = [(5.0, 0.0, 0.0), (record.disarmed_s, 900.0, math.nan)]
    record.wall_s = 5.0
    planned = record.flight_time_s * 1.01
    for name, value in record_changes.items():
        setattr(record, name, value)
    options = SitlOptions(binary="arducopter", home=Home(-96.3344, 30.628, 96.0), param_files=("sitl/quad.parm",),
                          speedup=40.0, wind=Wind(8.0, 270.0))
    return build_report(record, _mission(), Expectations(planned_time_s=planned), options)


def test_report_is_strict_json_with_outcome_checks_and_timing(tmp_path):
    report = _report()
    assert report.outcome == "passed" and report.passed
    path = write_report(report, tmp_path / "out" / "report.json")
    data = json.loads(path.read_text())
    assert data["outcome"] == "passed" and data["fault"] is None
    assert [c["name"] for c in data["checks"]] == ["completed", "items_reached", "delivery", "area", "fence_status",
                                                   "flight_time", "energy"]
    assert abs(data["timing"]["error"] + 0.0099) < 1e-3
    assert data["timing"]["realtime_factor"] > 30
    assert data["energy"]["sitl_wh"] is None  # NaN becomes null
    assert data["sitl"]["wind"] == {"speed_ms": 8.0, "from_deg": 270.0, "turbulence_ms": 0.0}
    assert data["sitl"]["param_files"] == ["quad.parm"]
    rows = np.array(data["track"]["rows"])
    assert np.all(np.diff(rows[:, 0]) > 0) and np.diff(rows[:, 0]).max() <= 1.0 + 1e-9
    assert rows[-1, 0] == report.record.track.t_s[-1]


def test_a_fault_is_the_outcome_and_is_described():
    report = _report(fault=Fault("arming_refused", "vehicle refused to arm: PreArm: Fence requires position", 30.0),
                     disarmed_s=None)
    data = report.to_dict()
    assert data["outcome"] == "fault"
    assert data["fault"] == {"kind": "arming_refused", "t_s": 30.0,
                             "message": "vehicle refused to arm: PreArm: Fence requires position"}
    assert data["timing"]["flown_s"] is None


def test_a_failed_check_fails_the_report():
    report = _report()
    report.record.fence = [(100.0, 1, 1, 3)]
    report = build_report(report.record, report.mission, report.expectations)
    assert report.outcome == "failed"
    assert report.check("fence_status").passed is False


def test_flight_figure_is_written(tmp_path):
    from dronedel.airspace import site_airspace
    from dronedel.config import load_site
    from dronedel.data import example_path
    from dronedel.plot.track import plot_flight

    config = load_site(example_path("site.toml"))
    path = plot_flight(_report(), tmp_path / "flight.png", airspace=site_airspace(config), site=config.site,
                       authorisations=config.airspace.authorisations)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000
