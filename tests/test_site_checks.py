"""Site file checks: non-finite numbers anywhere, and the cruise altitude against the authorised limit."""

from pathlib import Path

import pytest

from dronedel.cli import main
from dronedel.config import ALTITUDE_LIMIT_M, load_site
from dronedel.errors import InputError
from dronedel.sitl.scenario import load_scenario

SITE = "[site]\nlon = -96.27\nlat = 30.555\n"


def write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, where, value", [
    (SITE + "[aircraft]\nbattery_wh = inf\n", "[aircraft] battery_wh", "inf"),
    (SITE + "[aircraft]\nbattery_wh = +inf\n", "[aircraft] battery_wh", "inf"),
    (SITE + "[fleet]\nturnaround_s = nan\n", "[fleet] turnaround_s", "nan"),
    (SITE + "[planning]\nmargin_m = -inf\n", "[planning] margin_m", "-inf"),
    ("[site]\nlon = nan\nlat = 30.555\n", "[site] lon", "nan"),
    (SITE + "[extra]\nvalues = [1.0, 2.0, inf]\n", "[extra] values[2]", "inf"),
    (SITE + "[a.b]\nc = nan\n", "[a.b] c", "nan"),
])
def test_non_finite_numbers_are_an_error_naming_the_key(tmp_path, text, where, value):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_site(path)
    assert str(info.value).startswith(f"{path}: {where}: ")
    assert f" is {value}: numbers must be finite" in str(info.value)


def test_infinite_battery_fails_on_the_command_line_without_a_traceback(tmp_path, capsys):
    path = write(tmp_path, SITE + "[aircraft]\nbattery_wh = inf\n")
    assert main(["zone", "--site", str(path), "-o", str(tmp_path / "zone.geojson")]) == 2
    err = capsys.readouterr().err
    assert err == f"dronedel zone: error: {path}: [aircraft] battery_wh: battery_wh is inf: numbers must be finite\n"


def test_scenario_files_are_checked_the_same_way(tmp_path):
    site = write(tmp_path, SITE)
    scenario = write(tmp_path, f'site = "{site}"\n[aircraft]\ncruise_speed_ms = nan\n', "scenario.toml")
    with pytest.raises(InputError, match=r"scenario\.toml: \[aircraft\] cruise_speed_ms: .* numbers must be finite"):
        load_scenario(scenario)


def test_cruise_above_120_m_needs_the_site_to_say_it_is_authorised(tmp_path):
    assert ALTITUDE_LIMIT_M == 120.0
    assert load_site(write(tmp_path, SITE + "[aircraft]\ncruise_alt_m = 120.0\n")).aircraft.cruise_alt_m == 120.0
    path = write(tmp_path, SITE + "[aircraft]\ncruise_alt_m = 121.0\n")
    with pytest.raises(InputError) as info:
        load_site(path)
    assert str(info.value) == (f"{path}: [aircraft] cruise_alt_m: cruise_alt_m 121 m AGL is above 120 m AGL; if the "
                               "operation is authorised to fly higher, say so with [airspace] altitude_limit_m")
    authorised = load_site(write(tmp_path, SITE + "[aircraft]\ncruise_alt_m = 150.0\n"
                                 "[airspace]\naltitude_limit_m = 150.0\n"))
    assert authorised.airspace.altitude_limit_m == 150.0


@pytest.mark.parametrize("limit", ["0.0", "-5.0", "true", '"high"'])
def test_altitude_limit_must_be_a_positive_number(tmp_path, limit):
    with pytest.raises(InputError, match=r"\[airspace\] altitude_limit_m: altitude_limit_m must be a positive"):
        load_site(write(tmp_path, SITE + f"[airspace]\naltitude_limit_m = {limit}\n"))
