"""``dronedel airspace`` and the base map."""

import math
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dronedel.airspace import read_airspace, site_airspace
from dronedel.cli import main
from dronedel.config import load_site
from dronedel.data import example_path
from dronedel.plot.basemap import add_geometry, draw_basemap, plot_airspace

DATA = Path(__file__).parent / "data" / "airspace"
PNG = b"\x89PNG\r\n\x1a\n"


def test_zone_table_with_site_time_and_map(tmp_path, capsys):
    out = tmp_path / "map.png"
    code = main(["airspace", "--site", str(example_path("site.toml")), "--at", "2026-06-13T18:00", "--plot", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    header = text.splitlines()[0].split()
    assert header == ["id", "name", "restriction", "floor", "ceiling", "schedule", "active", "blocks", "source"]
    rows = {line.split()[0]: line for line in text.splitlines()[2:] if line.strip()}
    stadium = rows["kyle-field-stadium"]
    assert "prohibited" in stadium and "SAT 17:00-23:00 or 2026-06-12 19:00 to 2026-06-13 01:00" in stadium
    assert " yes " in stadium and "example.geojson features[2]" in stadium
    assert "no (outside 0-60 m AGL)" in rows["kcll-class-e-transition"]
    assert "853 m AMSL (2800 ft)" in rows["kcll-class-d"]
    assert "8 zone(s)" in text and f"map: {out}" in text
    assert out.read_bytes().startswith(PNG)


def test_files_without_site_and_format_override(capsys):
    assert main(["airspace", str(DATA / "zones.openair.txt"), "--format", "openair", "--at", "2026-06-13T12:00Z"]) == 0
    text = capsys.readouterr().out
    assert "blocks" not in text.splitlines()[0] and "active" in text.splitlines()[0]
    assert "ring-sector" in text and "zones.openair.txt line 57" in text


@pytest.mark.parametrize("argv, message", [
    (["airspace", str(DATA / "zones.openair.txt"), "--format", "geojson"],
     "zones.openair.txt: line 1 column 1: not valid JSON"),
    (["airspace"], "give airspace FILE(s) or a --site file"),
    (["airspace", str(DATA / "zones.geojson"), "--at", "tomorrow"], "--at: 'tomorrow' is not an ISO 8601 date-time"),
    (["airspace", "missing.geojson"], "missing.geojson: file not found"),
])
def test_bad_input_exits_non_zero_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_basemap_uses_lon_lat_axes_with_latitude_aspect():
    config = load_site(example_path("site.toml"))
    airspace = site_airspace(config)
    fig = Figure()
    ax = fig.add_subplot()
    noon = datetime(2026, 6, 13, 12, tzinfo=ZoneInfo("America/Chicago"))
    handles = draw_basemap(ax, airspace, site=config.site, at=noon, band_agl=(0, 60))
    assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians(config.site.lat)))
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lon_min, lat_min, lon_max, lat_max = airspace.operating_area.bounds
    assert x0 < lon_min < lon_max < x1 and y0 < lat_min < lat_max < y1
    labels = [h.get_label() for h in handles]
    assert labels[:3] == ["prohibited", "requires authorisation", "conditional"]
    assert "inactive at 2026-06-13 12:00" in labels and "above/below the flight band" in labels
    assert "College Station depot" in labels and "operating area" in labels
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1  # the stadium, inactive at noon
    assert ax.get_legend() is not None


@pytest.mark.parametrize("reverse_hole", [False, True])
def test_add_geometry_leaves_holes_empty_whatever_their_orientation(reverse_hole):
    (park,) = [z for z in read_airspace(DATA / "zones.geojson") if z.id == "gj-hole"]
    hole = list(park.geometry.interiors[0].coords)
    geometry = shapely.Polygon(park.geometry.exterior.coords, [hole[::-1] if reverse_hole else hole])
    fig = Figure(figsize=(3, 3), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-96.03, -96.0)
    ax.set_ylim(30.0, 30.03)
    ax.axis("off")
    add_geometry(ax, geometry, facecolor="red", edgecolor="none")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())
    assert tuple(image[150, 150, :3]) == (255, 255, 255)  # the hole, in the middle
    assert tuple(image[250, 50, :3]) == (255, 0, 0)  # the ring around it


def test_add_geometry_draws_lines_unfilled():
    fig = Figure()
    line = add_geometry(fig.add_subplot(), shapely.LineString([(-96, 30), (-95.9, 30.1)]))
    assert not line.get_fill()


def test_plot_airspace_writes_png_atomically(tmp_path):
    airspace = read_airspace(DATA / "zones.geojson")
    path = plot_airspace(airspace, tmp_path / "sub" / "zones.png", title="fixture")
    assert path.read_bytes().startswith(PNG)
    assert [p.name for p in path.parent.iterdir()] == ["zones.png"]
