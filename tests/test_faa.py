"""FAA UAS facility map grid with LAANC authorisations, and national security UAS flight restrictions."""

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import shapely

from dronedel.airspace import Airspace, Exemption, Restriction, detect_format, read_zones, site_airspace
from dronedel.cli import main
from dronedel.config import load_site
from dronedel.errors import InputError
from dronedel.geo import LocalFrame
from dronedel.mission.fence import build_fence
from dronedel.routing import Router

DATA = Path(__file__).parent / "data" / "airspace"
GRID = DATA / "uasfm.geojson"
NSUFR = DATA / "nsufr.geojson"
FT = 0.3048
# cells west to east: 0, 100, 200 and 400 ft
IDS = ["uasfm-kcll-30.5583n-96.3417w", "uasfm-kcll-30.5583n-96.3250w", "uasfm-kcll-30.5583n-96.3083w",
       "uasfm-kcll-30.5583n-96.2917w"]


@pytest.fixture(scope="module")
def grid() -> Airspace:
    return Airspace(read_zones(GRID))


def test_formats_are_detected_by_their_fields():
    assert detect_format(GRID.read_text()) == "uasfm"
    assert detect_format(NSUFR.read_text()) == "nsufr"


def test_cells_read_with_the_published_fields(grid):
    assert [z.id for z in grid] == IDS
    cell = grid[IDS[1]]
    assert cell.restriction is Restriction.REQUIRES_AUTHORISATION
    assert cell.authorised_ceiling.metres == pytest.approx(100 * FT)
    assert cell.groups == ("CLL", "KCLL")
    assert cell.kind == "UAS facility map cell, class D"
    assert cell.name == "Easterwood Field grid 100 ft"
    assert cell.properties["map_effective"] == "10/30/2025" and cell.properties["laanc"] == "KCLL"
    assert cell.geometry.area == pytest.approx(1 / 3600, rel=1e-9)  # one arc-minute square


@pytest.mark.parametrize("held, blocking", [
    ((), IDS),                                     # no authorisation: every cell blocks
    (("KCLL",), IDS[:2]),                          # by airport (ICAO): 0 and 100 ft cells still block at 60 m
    (("CLL",), IDS[:2]),                           # by FAA id
    (("uasfm-kcll-*",), IDS[:2]),                  # by a cell set pattern
    ((IDS[3],), IDS[:3]),                          # one cell
    (("KXYZ",), IDS),                              # another airport's authorisation
])
def test_laanc_authorisation_opens_cells_only_below_their_ceiling(grid, held, blocking):
    assert [z.id for z in grid.blocking(0.0, 60.0, authorisations=held)] == blocking


def test_a_band_above_the_cell_ceiling_is_blocked_even_with_an_authorisation(grid):
    assert [z.id for z in grid.blocking(0.0, 100.0, authorisations=["KCLL"])] == IDS[:3]  # 200 ft = 61 m
    assert [z.id for z in grid.blocking(0.0, 130.0, authorisations=["KCLL"])] == IDS  # above 400 ft
    zero = grid[IDS[0]]
    assert zero.exemption(0.0, 5.0, 0.0, authorisations=["KCLL"]) is None  # a 0 ft cell blocks everything


def test_an_authorised_cell_is_seen_from_its_ceiling_up(grid):
    (seen,) = [z for z in grid.blocking(50.0, 130.0, authorisations=["KCLL"]) if z.id == IDS[2]]
    assert seen.floor.metres == pytest.approx(200 * FT)
    assert grid[IDS[2]].exemption(0, 60, 0, authorisations=["KCLL"]) is Exemption.AUTHORISED


def test_router_flies_through_authorised_cells_and_around_the_others(grid):
    frame = LocalFrame(-96.275, 30.5667)  # east of the grid
    held = Router.for_airspace(grid, frame, band=(0.0, 60.0), authorisations=["KCLL"], margin_m=10.0)
    assert len(held.obstacles) == 2
    x, y = (float(v[0]) for v in frame.to_local([-96.31], [30.5667]))  # in the 200 ft cell, past the 400 ft one
    assert held.route(x, y).length_m == pytest.approx((x * x + y * y) ** 0.5, rel=1e-9)  # straight through
    x0, y0 = (float(v[0]) for v in frame.to_local([-96.33], [30.5667]))  # in the 100 ft cell
    assert not held.route(x0, y0).reachable
    none = Router.for_airspace(grid, frame, band=(0.0, 60.0), margin_m=10.0)
    assert len(none.obstacles) == 4 and not none.route(x, y).reachable


def test_site_file_authorisation_limits_the_fence_to_the_cell_ceiling(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text(f'[site]\nlon = -96.30\nlat = 30.5667\n\n[aircraft]\ncruise_alt_m = 55.0\n\n'
                    f'[airspace]\nfiles = ["{GRID}"]\nauthorisations = ["KCLL"]\n')
    config = load_site(site)
    airspace = site_airspace(config)
    assert [z.id for z in airspace.blocking(0, 55.0, authorisations=config.airspace.authorisations)] == IDS[:2]
    frame = LocalFrame(config.site.lon, config.site.lat)
    fence = build_fence(frame, [(-96.30, 30.5667), (-96.305, 30.5667)], airspace, 55.0,
                        authorisations=config.airspace.authorisations)
    assert fence.alt_max_m == pytest.approx(200 * FT)  # capped by the 200 ft cell the route flies under


def test_cli_table_says_which_cells_block(tmp_path, capsys):
    site = tmp_path / "site.toml"
    site.write_text(f'[site]\nlon = -96.30\nlat = 30.5667\n\n[airspace]\nfiles = ["{GRID}"]\n'
                    'authorisations = ["KCLL"]\n')
    assert main(["airspace", "--site", str(site)]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("uasfm-")}
    assert "yes" in rows[IDS[0]].split("permanent")[1] and "yes" in rows[IDS[1]].split("permanent")[1]
    assert "no (authorised)" in rows[IDS[2]] and "no (authorised)" in rows[IDS[3]]
    assert "4 zone(s) within the site's planning range" in out


@pytest.mark.parametrize("change, problem", [
    ({"CEILING": -50}, "CEILING -50 is not a height of 0 feet or more"),
    ({"CEILING": None}, "CEILING None is not a height"),
    ({"UNIT": "Meters"}, "UNIT 'Meters' is not Feet"),
    ({"APT1_FAAID": "", "APT1_ICAO": ""}, "names no airport"),
])
def test_bad_cells_name_the_feature(tmp_path, change, problem):
    data = json.loads(GRID.read_text())
    data["features"][2]["properties"].update(change)
    path = tmp_path / "grid.geojson"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=rf"grid\.geojson: features\[2\]: {problem}"):
        read_zones(path)


def test_national_security_restrictions_prohibit_whatever_is_held():
    zones = {z.id: z for z in read_zones(NSUFR)}
    full, part = zones["nsufr-doe12-brazos-test-facility"], zones["nsufr-nav34-river-station-part-time"]
    assert full.restriction is Restriction.PROHIBITED and full.reason == "National security"
    assert full.floor.metres == 0 and full.ceiling.metres == pytest.approx(400 * FT)
    airspace = Airspace(list(zones.values()))
    assert [z.id for z in airspace.blocking(0, 60, authorisations=list(zones))] == list(zones)
    assert part.is_active(datetime(2026, 6, 13, 15, tzinfo=timezone.utc))
    assert not part.is_active(datetime(2026, 6, 13, 19, tzinfo=timezone.utc))
    assert part.ceiling.metres == pytest.approx(400 * FT)  # no Ceiling published: the FAA's 400 ft AGL


def test_nsufr_epoch_milliseconds_and_numeric_heights(tmp_path):
    data = json.loads(NSUFR.read_text())
    props = data["features"][1]["properties"]
    props.update(ACTIVETIME=1781359200000, ENDTIME=1781373600000, Floor=0, Ceiling=250)
    path = tmp_path / "n.geojson"
    path.write_text(json.dumps(data))
    part = read_zones(path)[1]
    assert part.schedule.valid_from == datetime(2026, 6, 13, 14, tzinfo=timezone.utc)
    assert part.ceiling.metres == pytest.approx(250 * FT)
    assert shapely.get_num_coordinates(part.geometry) == 5
