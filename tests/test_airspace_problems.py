"""A whole file at once: every bad record reported in one pass, judged against the site's planning range."""

import json
import warnings
from pathlib import Path

import pytest
import shapely

from dronedel.airspace import InputErrors, parse_openair, planning_range, read_zones, site_airspace
from dronedel.cli import main
from dronedel.config import load_site
from dronedel.errors import InputError, InputWarning

DATA = Path(__file__).parent / "data" / "airspace"
BAD = DATA / "bad_records.openair.txt"
NEAR_ERRORS = ["line 15", "line 25", "line 48"]  # bad height, bad point (both near), a circle without a centre
FAR = ["line 28", "line 36"]  # upside-down limits and an unknown class, in Alaska


def site_file(tmp_path: Path, *files: Path, extra: str = "") -> Path:
    path = tmp_path / "site.toml"
    listed = ", ".join(f'"{f}"' for f in files)
    path.write_text(f'[site]\nlon = -96.30\nlat = 30.55\nelevation_m = 90.0\n\n[airspace]\nfiles = [{listed}]\n{extra}')
    return path


def test_without_a_site_every_bad_record_is_an_error_reported_together():
    with pytest.raises(InputErrors) as info:
        read_zones(BAD)
    problems = info.value.problems
    assert [p.where for p in problems] == sorted(NEAR_ERRORS + FAR, key=lambda w: int(w.split()[1]))
    message = str(info.value)
    assert message.startswith(f"{BAD}: 5 problems:\n")
    assert "  line 15: unknown unit or reference 'yards'" in message
    assert "  line 25: coordinate '30:61:00 N 096:18:00 W' has minutes or seconds of 60" in message
    assert "  line 28: ceiling 122 m AGL (400 ft) is not above floor 152 m AGL" in message
    assert "  line 36: unknown airspace class 'XYZ'" in message
    assert "  line 48: DC without a centre" in message


def test_far_records_are_skipped_with_a_warning_and_near_ones_are_errors(tmp_path):
    config = load_site(site_file(tmp_path, BAD))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(InputErrors) as info:
            read_zones(BAD, planning_range=planning_range(config))
    assert [p.where for p in info.value.problems] == NEAR_ERRORS
    assert [p.near is None for p in info.value.problems] == [False, False, True]  # the circle cannot be placed
    assert not [w for w in record if "skipped" in str(w.message)]  # errors first: nothing is skipped silently


def test_a_file_bad_only_far_away_loads_with_one_warning_per_skipped_record(tmp_path):
    lines = BAD.read_text().splitlines()
    far_only = tmp_path / "far_only.txt"
    far_only.write_text("\n".join(lines[:10] + lines[26:42]) + "\n")  # the good record and the two far ones
    config = load_site(site_file(tmp_path, far_only))
    with pytest.warns(InputWarning) as record:
        airspace = site_airspace(config)
    assert [z.id for z in airspace] == ["good-near"]
    skipped = [str(w.message) for w in record]
    assert skipped == [
        f"{far_only}: line 12: ceiling 122 m AGL (400 ft) is not above floor 152 m AGL (500 ft); "
        "skipped (it lies outside the site's planning range)",
        f"{far_only}: line 20: unknown airspace class 'XYZ' (known: " + skipped[1].split("(known: ")[1],
    ]
    assert skipped[1].endswith("; skipped (it lies outside the site's planning range)")


def test_strict_makes_every_problem_an_error(tmp_path):
    config = load_site(site_file(tmp_path, BAD))
    with pytest.raises(InputErrors) as info:
        read_zones(BAD, planning_range=planning_range(config), strict=True)
    assert len(info.value.problems) == 5


def test_cli_strict_and_the_one_line_per_problem_message(tmp_path, capsys):
    site = site_file(tmp_path, BAD)
    assert main(["airspace", "--site", str(site), "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dronedel airspace: error: {BAD}: 5 problems:\n")
    assert err.count("\n  line ") == 5


def test_geojson_features_are_reported_together(tmp_path):
    good = {"type": "Feature", "properties": {"id": "ok", "restriction": "prohibited"},
            "geometry": {"type": "Polygon", "coordinates": [[[-96.3, 30.5], [-96.29, 30.5], [-96.29, 30.51],
                                                            [-96.3, 30.5]]]}}
    no_id = {"type": "Feature", "properties": {"restriction": "prohibited"}, "geometry": good["geometry"]}
    bad_unit = {"type": "Feature", "properties": {"id": "b", "restriction": "prohibited", "ceiling": "400 AGL"},
                "geometry": good["geometry"]}
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [good, no_id, bad_unit, 7]}))
    with pytest.raises(InputErrors) as info:
        read_zones(path)
    assert [p.where for p in info.value.problems] == ["features[1]", "features[2] 'b'", "features[3]"]
    assert [p.near is None for p in info.value.problems] == [False, False, True]


def test_one_problem_reads_like_any_input_error(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("AC P\nAN One\nAL GND\nAH 400ft QNH\nDP 30:00:00 N 096:00:00 W\n")
    with pytest.raises(InputError) as info:
        read_zones(path)
    assert str(info.value).startswith(f"{path}: line 4: unknown unit or reference 'QNH'")


def test_the_same_warning_is_given_once(tmp_path):
    path = tmp_path / "db.txt"
    record = ["AC P", "AN Arc {n}", "AL GND", "AH 400ft AGL", "V X=30:00:00 N 096:00:00 W",
              "DB 30:01:00 N 096:00:00 W, 29:58:00 N 096:00:00 W"]
    path.write_text("\n".join(line.format(n=n) for n in range(2) for line in record) + "\nQQ 1\nQQ 2\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_zones(path)
        read_zones(path)
    texts = [str(w.message) for w in caught]
    assert len(texts) == 2 * 3  # per read: two DB arcs (lines 6 and 12) and one for the unknown QQ lines
    assert len(set(texts)) == 3


def test_planning_range_is_the_grown_operating_area_or_the_frame_disc(tmp_path):
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps({"type": "Polygon", "coordinates": [[[-96.32, 30.53], [-96.28, 30.53],
                                                                    [-96.28, 30.57], [-96.32, 30.57],
                                                                    [-96.32, 30.53]]]}))
    disc = planning_range(load_site(site_file(tmp_path)))
    assert disc.contains(shapely.Point(-96.30, 31.4)) and not disc.contains(shapely.Point(-96.30, 31.5))
    grown = planning_range(load_site(site_file(tmp_path, extra=f'operating_area = "{area}"\n')))
    assert grown.contains(shapely.Point(-96.3203, 30.55))  # 29 m west: within the 30 m default margin
    assert not grown.contains(shapely.Point(-96.32036, 30.55))  # 34 m west


def test_a_broken_record_also_says_what_it_lacks():
    text = "\n".join(["AC R", "AN Half Read", "AH 400 yards AGL", "DP 30:00:00 N 096:00:00 W",
                      "DP 30:01:00 N 096:00:00 W", "DP 30:01:00 N 096:01:00 W"])
    with pytest.raises(InputErrors) as info:
        parse_openair(text, "half.txt")
    assert [(p.where, p.message.split(" (")[0]) for p in info.value.problems] == [
        ("line 1", "record 'Half Read' has no AL"), ("line 3", "unknown unit or reference 'yards' in height '400 yards AGL'")]
