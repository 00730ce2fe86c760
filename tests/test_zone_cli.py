"""``dronedel zone`` on the bundled example site."""

import json
from pathlib import Path

import numpy as np
import shapely

import dronedel
from dronedel.cli import main
from dronedel.geo import LocalFrame

EXAMPLE = Path(dronedel.__file__).parent / "data" / "example" / "site.toml"


def test_zone_command_writes_geojson_and_map(tmp_path, capsys):
    out, png = tmp_path / "zone.geojson", tmp_path / "zone.png"
    code = main(["zone", "--site", str(EXAMPLE), "-o", str(out), "--minutes", "12", "--wind", "8@270",
                 "--at", "2026-06-13T12:00", "--sectors", "24", "--plot", str(png)])
    assert code == 0
    assert "dispatch zone:" in capsys.readouterr().out
    doc = json.loads(out.read_text())
    feature = doc["features"][0]
    zone = shapely.geometry.shape(feature["geometry"])
    assert feature["properties"]["wind"] == "8@270" and feature["properties"]["promise_s"] == 720.0
    site = shapely.Point(-96.27, 30.555)
    assert zone.contains(site)
    # within 12 minutes the zone cannot extend beyond 10 minutes of flight at 15 m/s
    frame = LocalFrame(-96.27, 30.555)
    x, y = frame.to_local(*np.asarray(zone.exterior.coords if zone.geom_type == "Polygon" else
                                      max(zone.geoms, key=lambda g: g.area).exterior.coords).T)
    assert np.hypot(x, y).max() < 600 * 15.0
    assert png.stat().st_size > 10_000


def test_zone_command_bad_input(tmp_path, capsys):
    code = main(["zone", "--site", str(EXAMPLE), "-o", str(tmp_path / "z.geojson"), "--wind", "30@90"])
    assert code == 2
    assert "maximum airspeed" in capsys.readouterr().err
    code = main(["zone", "--site", str(EXAMPLE), "-o", str(tmp_path / "z.geojson"), "--minutes", "1"])
    assert code == 2
    assert "no time" in capsys.readouterr().err
    assert not (tmp_path / "z.geojson").exists()
