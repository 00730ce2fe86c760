"""National files: planning keeps only the zones within the site's planning range."""

import json
from pathlib import Path

import pytest

from dronedel.airspace import read_airspace, read_zones, site_airspace
from dronedel.cli import main
from dronedel.config import load_site

DATA = Path(__file__).parent / "data" / "airspace"
TEXAS, SWISS = DATA / "openair2.openair.txt", DATA / "umlauts.cp1252.openair.txt"


def site(tmp_path: Path, *files: Path, extra: str = "") -> Path:
    path = tmp_path / "site.toml"
    listed = ", ".join(f'"{f}"' for f in files)
    path.write_text(f'[site]\nlon = -96.30\nlat = 30.55\n\n[airspace]\nfiles = [{listed}]\n{extra}')
    return path


@pytest.mark.filterwarnings("ignore::dronedel.errors.InputWarning")
def test_zones_beyond_the_planning_range_are_not_kept(tmp_path):
    config = load_site(site(tmp_path, TEXAS, SWISS))
    airspace = site_airspace(config)
    every = read_airspace([TEXAS, SWISS])
    assert len(every) == 11
    assert sorted(z.id for z in airspace) == sorted(z.id for z in read_zones(TEXAS))  # Switzerland is dropped


@pytest.mark.filterwarnings("ignore::dronedel.errors.InputWarning")
def test_an_operating_area_narrows_the_range_to_its_margin(tmp_path):
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps({"type": "Polygon", "coordinates": [[
        [-96.34, 30.50], [-96.26, 30.50], [-96.26, 30.57], [-96.34, 30.57], [-96.34, 30.50]]]}))
    config = load_site(site(tmp_path, TEXAS, extra=f'operating_area = "{area}"\n'))
    kept = {z.id for z in site_airspace(config)}
    # the CTR, the airway and the information sector lie north of the area, two ranges south of it; the
    # other two ranges end at its southern edge, within the 30 m margin
    assert kept == {"range-fixed", "range-open-end", "power-line-brazos", "ropeway-creek"}


@pytest.mark.filterwarnings("ignore::dronedel.errors.InputWarning")
def test_same_zone_ids_in_two_countries_only_clash_when_both_are_kept(tmp_path):
    far = tmp_path / "far.txt"
    far.write_text(SWISS.read_bytes().decode("cp1252").replace("Zürich Seilbahn Üetliberg", "Power Line Brazos"))
    config = load_site(site(tmp_path, TEXAS, far))
    assert "power-line-brazos" in {z.id for z in site_airspace(config)}


def test_cli_lists_the_zones_within_range(tmp_path, capsys):
    assert main(["airspace", "--site", str(site(tmp_path, TEXAS, SWISS))]) == 0
    out = capsys.readouterr().out
    assert "9 zone(s) within the site's planning range" in out and "zuerich" not in out
