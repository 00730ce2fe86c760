from datetime import datetime
from pathlib import Path

import pytest

from dronedel.config import AircraftProfile, Wind, load_site, parse_wind
from dronedel.errors import InputError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text)
    return path


def test_minimal_site_gets_documented_defaults(tmp_path):
    config = load_site(write(tmp_path, "[site]\nlon = -96.27\nlat = 30.555\n"))
    assert (config.site.lon, config.site.lat) == (-96.27, 30.555)
    assert config.aircraft == AircraftProfile()
    assert config.planning.promise_s == 1800.0
    assert config.planning.margin_m == 30.0
    assert config.fleet.drones == 8


def test_full_site_file(tmp_path):
    config = load_site(
        write(
            tmp_path,
            """
[site]
name = "Depot"
lon = -96.27
lat = 30.555
elevation_m = 90
timezone = "America/Chicago"
[fleet]
drones = 4
turnaround_s = 240
[aircraft]
cruise_speed_ms = 12
delivery = "winch"
[airspace]
files = ["zones.geojson"]
authorisations = ["KCLL"]
operating_area = "area.geojson"
[planning]
promise_min = 45
wind = "8@270"
start = "2026-06-13T00:00:00"
""",
        )
    )
    assert config.site.elevation_m == 90.0
    assert config.fleet.drones == 4 and config.fleet.turnaround_s == 240.0
    assert config.aircraft.cruise_speed_ms == 12.0 and config.aircraft.delivery == "winch"
    assert config.airspace.files == (tmp_path / "zones.geojson",)
    assert config.airspace.operating_area == tmp_path / "area.geojson"
    assert config.airspace.authorisations == ("KCLL",)
    assert config.planning.promise_s == 45 * 60
    assert config.planning.wind == Wind(8.0, 270.0)
    assert config.planning.start == datetime.fromisoformat("2026-06-13T00:00:00-05:00")


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("[site]\nlat = 30\n", "[site]", "missing lon"),
        ("[site]\nlon = 30.5\nlat = -96.2\n", "[site]", "look swapped"),
        ("[site]\nlon = 1\nlat = 2\ntimezone = 'Mars/Olympus'\n", "[site]", "unknown time zone"),
        ("[site]\nlon = 1\nlat = 2\n[aircraft]\ncruise_speed = 3\n", "[aircraft]", "unknown key(s) cruise_speed"),
        ("[site]\nlon = 1\nlat = 2\n[aircraft]\ndelivery = 'parachute'\n", "[aircraft]", "delivery must be one of"),
        ("[site]\nlon = 1\nlat = 2\n[aircraft]\nbattery_wh = -5\n", "[aircraft]", "battery_wh must be"),
        ("[site]\nlon = 1\nlat = 2\n[fleet]\ndrones = 2.5\n", "[fleet]", "drones must be an integer"),
        ("[site]\nlon = 1\nlat = 2\n[planning]\nwind = 'strong'\n", "--wind", "not SPEED@FROM_DEG"),
        ("[site]\nlon = 1\nlat = 2\n[weather]\n", "", "unknown section(s) weather"),
        ("[site\nlon = 1\n", "", "not valid TOML"),
        ("fleet = 3\n[site]\nlon = 1\nlat = 2\n", "[fleet]", "fleet must be a table"),
        ("[site]\nlon = 1\nlat = 2\n[airspace]\nfile = []\n", "[airspace]", "unknown key(s) file (known: files,"),
    ],
)
def test_bad_site_files_are_named(tmp_path, text, where, message):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_site(path)
    assert message in str(info.value)
    assert where in str(info.value)


def test_missing_site_file(tmp_path):
    with pytest.raises(InputError, match="nothere.toml: file not found"):
        load_site(tmp_path / "nothere.toml")


def test_parse_wind():
    assert parse_wind("8@270") == Wind(8.0, 270.0)
    assert parse_wind("5@-90") == Wind(5.0, 270.0)
    with pytest.raises(InputError, match="must not be negative"):
        parse_wind("-3@10")
