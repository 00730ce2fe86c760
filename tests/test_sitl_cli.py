"""``dronedel sitl``: errors a user can act on, and a fault reported without SITL (fake arducopter)."""

import json
import sys

import pytest
from test_sitl_checks import _mission
from test_sitl_process import FAKE

from dronedel.cli import main
from dronedel.errors import InputError
from dronedel.formats import write_mission
from dronedel.sitl.scenario import load_scenario


def test_fly_without_a_binary_says_how_to_provide_one(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DRONEDEL_ARDUCOPTER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("ARDUPILOT_HOME", raising=False)
    write_mission(tmp_path / "m.plan", _mission())
    assert main(["sitl", "fly", str(tmp_path / "m.plan")]) == 2
    assert "DRONEDEL_ARDUCOPTER=/path/to/arducopter" in capsys.readouterr().err


def test_fly_with_a_bad_wind_names_the_option(tmp_path, capsys):
    write_mission(tmp_path / "m.plan", _mission())
    assert main(["sitl", "fly", str(tmp_path / "m.plan"), "--sitl-binary", sys.executable, "--wind", "strong"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--wind: wind 'strong' is not SPEED@FROM_DEG" in err


def test_fly_reports_a_crash_as_a_fault(tmp_path, monkeypatch, capsys):
    binary = tmp_path / "arducopter"
    binary.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n')
    binary.chmod(0o755)
    monkeypatch.setenv("FAKE_ARDUCOPTER", "crash_on=COMMAND_LONG")
    write_mission(tmp_path / "m.plan", _mission())
    code = main(["sitl", "fly", str(tmp_path / "m.plan"), "--sitl-binary", str(binary), "--report",
                 str(tmp_path / "report.json")])
    assert code == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["outcome"] == "fault" and report["fault"]["kind"] == "crash"
    assert report["timing"]["planned_s"] > 0
    assert "outcome: fault" in capsys.readouterr().out


def test_regress_on_a_folder_without_scenarios_is_an_input_error(tmp_path, capsys):
    assert main(["sitl", "regress", str(tmp_path), "-o", str(tmp_path / "out"), "--sitl-binary", sys.executable]) == 2
    assert "no scenario.toml" in capsys.readouterr().err


def test_bad_scenario_names_file_and_key(tmp_path):
    (tmp_path / "scenario.toml").write_text('site = "example"\n[expect]\nmax_time_eror = 0.05\n')
    with pytest.raises(InputError, match=r"scenario\.toml: \[expect\]: unknown key\(s\) max_time_eror"):
        load_scenario(tmp_path)


@pytest.mark.parametrize("aircraft, message", [
    ("delivery = 'parachute'", "delivery must be one of"),
    ("cruise_speed = 12.0", "unknown key(s) cruise_speed"),
    ("rotor_count = 4.5", "rotor_count must be an integer"),
])
def test_bad_aircraft_override_names_the_scenario(tmp_path, aircraft, message):
    (tmp_path / "scenario.toml").write_text(f'site = "example"\n[aircraft]\n{aircraft}\n')
    with pytest.raises(InputError, match=r"scenario\.toml: \[aircraft\]: ") as info:
        load_scenario(tmp_path)
    assert message in str(info.value)
