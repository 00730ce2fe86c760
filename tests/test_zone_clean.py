"""Clean dispatch-zone geometry: no holes or parts below the tolerance, valid and minimal GeoJSON."""

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.cli import main
from dronedel.zone import clean_zone

EXAMPLE_SITE = Path(__file__).parents[1] / "dronedel" / "data" / "example" / "site.toml"


def width(ring) -> float:
    polygon = shapely.Polygon(ring)
    return 2 * polygon.area / shapely.LinearRing(ring).length


def test_slivers_and_flat_holes_go_real_holes_stay():
    shell = [(0, 0), (1000, 0), (1000, 1000), (0, 1000)]
    real = [(100, 100), (150, 100), (150, 150), (100, 150)]
    sliver = [(300, 300), (500, 300.0004), (300, 300.0008)]  # a sub-millimetre wedge
    flat = [(600, 600), (700, 600), (800, 600)]  # zero area
    zone = shapely.union(shapely.Polygon(shell, [real, sliver]), shapely.box(2000, 0, 2000.5, 500))  # + a thin part
    cleaned = clean_zone(zone, 1.0)
    assert cleaned.geom_type == "Polygon" and cleaned.is_valid
    assert len(cleaned.interiors) == 1
    assert shapely.Polygon(cleaned.interiors[0]).equals(shapely.Polygon(real))
    assert len(clean_zone(shapely.Polygon(shell, [real, flat]), 1.0).interiors) == 1
    assert clean_zone(shapely.box(0, 0, 0.5, 100), 1.0).is_empty


def test_collinear_vertices_are_removed():
    square = shapely.Polygon([(0, 0), (5, 0), (10, 0), (10, 10), (0, 10)])
    assert shapely.get_num_coordinates(clean_zone(square, 1.0)) == 5


@st.composite
def zones(draw):
    """A union of random boxes (parts, some thin) minus random boxes (holes, some thin)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    parts = [shapely.box(x, y, x + w, y + h) for x, y, w, h in
             zip(*rng.uniform(0, 800, (2, 6)), rng.choice([0.3, 40, 200], 6), rng.uniform(20, 300, 6))]
    holes = [shapely.box(x, y, x + w, y + h) for x, y, w, h in
             zip(*rng.uniform(0, 800, (2, 6)), rng.choice([1e-4, 0.4, 30], 6), rng.uniform(5, 60, 6))]
    return shapely.difference(shapely.union_all(parts), shapely.union_all(holes))


@settings(max_examples=60, deadline=None)
@given(zone=zones(), tolerance=st.sampled_from([0.5, 1.0, 2.0]))
def test_cleaning_keeps_a_valid_zone_of_wide_parts_and_holes_within_its_tolerance(zone, tolerance):
    cleaned = clean_zone(zone, tolerance)
    assert cleaned.is_valid and cleaned.geom_type in ("Polygon", "MultiPolygon")
    for part in [p for p in shapely.get_parts(cleaned) if not p.is_empty]:
        assert width(part.exterior) >= tolerance
        assert all(width(h) >= tolerance for h in part.interiors)
    added = shapely.difference(cleaned, zone)  # filled slivers: each narrower than the tolerance
    for piece in shapely.get_parts(added):
        assert 2 * piece.area / max(piece.length, 1e-12) <= tolerance + 1e-9
    removed = shapely.difference(zone, cleaned)  # dropped thin parts
    for piece in shapely.get_parts(removed):
        assert 2 * piece.area / max(piece.length, 1e-12) <= tolerance + 1e-9


@pytest.fixture(scope="module")
def example_zone(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("zone") / "zone.geojson"
    assert main(["zone", "--site", str(EXAMPLE_SITE), "-o", str(out)]) == 0
    return json.loads(out.read_text())


def test_example_zone_geojson_is_valid_and_minimal(example_zone):
    (feature,) = example_zone["features"]
    geometry = feature["geometry"]
    zone = shapely.geometry.shape(geometry)
    assert zone.is_valid
    tolerance = feature["properties"]["tolerance_m"]
    polygons = [zone] if zone.geom_type == "Polygon" else list(zone.geoms)
    holes = [h for p in polygons for h in p.interiors]
    assert 0 < len(holes) <= 6  # the blocking zones inside the reach; no slivers (there were 108)
    lat = zone.centroid.y
    metres = np.array([111_320 * np.cos(np.radians(lat)), 110_574])
    for hole in holes:
        xy = np.asarray(hole.coords) * metres
        assert width(xy) >= tolerance
    rings = [p.exterior for p in polygons] + holes
    assert all(r.is_ccw for r in (p.exterior for p in polygons))  # RFC 7946: outer rings counter-clockwise
    assert not any(r.is_ccw for r in holes)
    for ring in rings:
        xy = np.asarray(ring.coords)
        assert np.all(np.any(np.diff(xy, axis=0) != 0, axis=1))  # no repeated vertex
        assert np.allclose(xy, np.round(xy, 7), atol=1e-12)  # 1e-7 degree grid
    first = polygons[0].exterior.coords
    assert len(json.dumps(geometry)) < 60_000 and len(first) > 100
