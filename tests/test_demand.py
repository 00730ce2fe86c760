"""Synthetic demand: doors inside the demand area, densities and weights respected, seeds, the orders file."""

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from dronedel.airspace import site_airspace
from dronedel.cli import main
from dronedel.config import load_site
from dronedel.demand import (
    Cluster, Clusters, DemandArea, DemandModel, PackageWeights, TimeProfile, Uniform, WeightedPoints, order_day,
    read_density, sample_doors, write_orders,
)
from dronedel.errors import InputError
from dronedel.orders import load_orders

EXAMPLE = Path(__file__).parents[1] / "dronedel" / "data" / "example"
CONFIG = load_site(EXAMPLE / "site.toml")
DAY = date(2026, 6, 13)


@pytest.fixture(scope="module")
def area():
    return DemandArea.reachable(CONFIG, site_airspace(CONFIG))


@pytest.fixture(scope="module")
def clusters():
    site = CONFIG.site
    return Clusters((Cluster(site.lon + 0.0417, site.lat + 0.0451, 800.0, 3.0),
                     Cluster(site.lon - 0.0052, site.lat - 0.0631, 1000.0)), background=0.2)


def test_area_is_the_dispatch_zone_widened(area):
    wider = DemandArea.reachable(CONFIG, site_airspace(CONFIG), beyond_m=2000.0)
    assert 100 < area.area_km2 < wider.area_km2
    assert wider.local.buffer(1.0).contains(area.local)
    # the depot is inside; a door 40 km out is not
    assert area.contains_xy(np.array([[0.0, 0.0], [40_000.0, 0.0]])).tolist() == [True, False]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400), kind=st.sampled_from(["uniform", "clusters"]))
def test_doors_lie_inside_the_area(area, clusters, seed, n, kind):
    density = Uniform() if kind == "uniform" else clusters
    doors = sample_doors(density, area, n, np.random.default_rng(seed))
    assert doors.shape == (n, 2)
    x, y = area.frame.to_local(doors[:, 0], doors[:, 1])
    assert shapely.intersects_xy(area.local, x, y).all()


def test_uniform_fills_the_area_evenly(area):
    doors = sample_doors(Uniform(), area, 20_000, np.random.default_rng(3))
    x, y = area.frame.to_local(doors[:, 0], doors[:, 1])
    # share of doors within 5 km of the depot = share of the area there
    near = area.local.intersection(shapely.Point(0, 0).buffer(5000, 256)).area / area.local.area
    assert np.mean(np.hypot(x, y) <= 5000) == pytest.approx(near, abs=0.015)


def test_clusters_put_doors_around_their_centres(area, clusters):
    doors = sample_doors(clusters, area, 20_000, np.random.default_rng(4))
    x, y = area.frame.to_local(doors[:, 0], doors[:, 1])
    cx, cy = area.frame.to_local(clusters.clusters[0].lon, clusters.clusters[0].lat)
    for c in clusters.clusters:  # both clusters lie well inside the area: no truncation to speak of
        assert area.local.contains(shapely.Point(*area.frame.to_local(c.lon, c.lat)).buffer(3 * c.sigma_m))
    disk = shapely.Point(cx, cy).buffer(2 * 800.0, 256)
    within = np.hypot(x - cx, y - cy) <= 2 * 800.0
    # 80 % of doors in clusters, 3/4 of those in the first, 86.5 % of a 2-D Gaussian within 2 sigma;
    # the uniform background adds its share of the disk's area
    expected = 0.8 * 0.75 * (1 - np.exp(-2)) + 0.2 * disk.area / area.local.area
    assert within.mean() == pytest.approx(expected, abs=0.015)


def test_weighted_points_are_drawn_in_proportion(area, tmp_path):
    site = CONFIG.site
    path = tmp_path / "points.csv"
    path.write_text("weight,lat,lon,name\n"
                    f"1,{site.lat + 0.01},{site.lon},a\n"
                    f"2,{site.lat - 0.01},{site.lon},b\n"
                    f"5,{site.lat},{site.lon + 0.01},c\n"
                    f"0,{site.lat},{site.lon - 0.01},zero\n"
                    f"9,{site.lat + 1.0},{site.lon},far outside the area\n")
    density = read_density(path)
    assert isinstance(density, WeightedPoints)
    doors = sample_doors(density, area, 8000, np.random.default_rng(5))
    _, counts = np.unique(doors, axis=0, return_counts=True)
    assert len(counts) == 3
    order = np.argsort(np.unique(doors, axis=0)[:, 1])  # by latitude: b, c, a
    observed = counts[order]
    expected = 8000 * np.array([2, 5, 1]) / 8
    assert stats.chisquare(observed, expected).pvalue > 1e-3


def _raster(path, crs, values, transform=None):
    rasterio = pytest.importorskip("rasterio")
    from affine import Affine

    # 1 km cells in UTM 14N metres around the example depot (about 761,900 E, 3,383,600 N)
    transform = transform or Affine(1000.0, 0.0, 752_000.0, 0.0, -1000.0, 3_394_000.0)
    with rasterio.open(path, "w", driver="GTiff", height=values.shape[0], width=values.shape[1], count=1,
                       dtype="float32", crs=crs, transform=transform, nodata=-9999.0) as dst:
        dst.write(values.astype("float32"), 1)
    return path


def test_raster_cells_carry_the_demand(area, tmp_path):
    values = np.zeros((20, 20))
    values[:, 12:] = 100.0  # people only in the eastern columns
    values[0, 0] = -9999.0  # nodata is ignored
    density = read_density(_raster(tmp_path / "pop.tif", "EPSG:32614", values))
    doors = sample_doors(density, area, 3000, np.random.default_rng(6))
    from pyproj import Transformer

    east, _ = Transformer.from_crs("EPSG:4326", "EPSG:32614", always_xy=True).transform(doors[:, 0], doors[:, 1])
    assert east.min() >= 752_000.0 + 12 * 1000.0 - 1e-6
    assert area.contains_lonlat(doors).all()


def test_raster_errors(tmp_path):
    values = np.ones((5, 5))
    with pytest.raises(InputError, match="negative"):
        read_density(_raster(tmp_path / "neg.tif", "EPSG:32614", values * -1 + np.eye(5) * 0.5))
    with pytest.raises(InputError, match="zero"):
        read_density(_raster(tmp_path / "zero.tif", "EPSG:32614", values * 0))
    local = 'LOCAL_CS["site grid",LOCAL_DATUM["arbitrary",0],UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]'
    with pytest.raises(InputError, match=r"local\.tif: .*cannot be transformed"):
        read_density(_raster(tmp_path / "local.tif", local, values))
    with pytest.raises(InputError, match="file not found"):
        read_density(tmp_path / "missing.tif")
    (tmp_path / "junk.tif").write_text("not a tiff")
    with pytest.raises(InputError, match=r"junk\.tif: cannot read as a raster"):
        read_density(tmp_path / "junk.tif")


@pytest.mark.parametrize(("text", "message"), [
    ("lon,lat,weight\n-96.27,30.55,1\n-96.26,30.56,-2\n", r"row 3: weight -2 is negative"),
    ("lon,lat,weight\n-96.27,30.55,0\n-96.26,30.56,0\n", r"every weight is zero"),
    ("lon,lat\n-96.27,30.55\n", r"row 1: missing column\(s\) weight"),
    ("lon,lat,weight\n-96.27,thirty,1\n", r"row 2: lon, lat and weight must be numbers"),
    ("lon,lat,weight\n30.55,-96.27,1\n", r"row 2: .*look swapped"),
    ("lon,lat,weight\n", r"no points"),
])
def test_points_errors(tmp_path, text, message):
    path = tmp_path / "points.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_density(path)


def test_density_outside_the_area_is_an_error(area):
    far = WeightedPoints(np.array([[CONFIG.site.lon + 0.6, CONFIG.site.lat]]), np.array([1.0]), "far.csv")
    with pytest.raises(InputError, match="far.csv: no point with a positive weight lies inside"):
        sample_doors(far, area, 10, np.random.default_rng(0))
    lost = Clusters((Cluster(CONFIG.site.lon + 0.6, CONFIG.site.lat, 100.0),))
    with pytest.raises(InputError, match="too little weight inside the demand area"):
        sample_doors(lost, area, 10, np.random.default_rng(0))


def test_profile_and_weights():
    rng = np.random.default_rng(7)
    t = TimeProfile().draw_seconds(rng, 20_000) / 3600
    assert np.all(np.diff(t) >= 0)
    assert t.min() >= 7 and t.max() < 22  # closed overnight
    lunch, morning, dinner = (np.mean((t >= a) & (t < a + 1)) for a in (12, 8, 18))
    assert lunch > 3 * morning and dinner > 3 * morning
    for bad in ([1.0] * 23, [0.0] * 24, [1.0] * 23 + [-1.0]):
        with pytest.raises(ValueError):
            TimeProfile(tuple(bad))
    mass = PackageWeights().draw(rng, 50_000)
    assert np.median(mass) == pytest.approx(1.0, rel=0.03)
    assert np.mean(mass > 2.5) == pytest.approx(0.095, abs=0.01)


def test_order_day_is_reproducible_and_reads_back(area, tmp_path):
    model = DemandModel(120, poisson=True)
    a = order_day(model, area, DAY, CONFIG.site.tz, 11)
    b = order_day(model, area, DAY, CONFIG.site.tz, 11)
    c = order_day(model, area, DAY, CONFIG.site.tz, 12)
    assert a == b and a != c
    assert len(a) != 120 or len(c) != 120  # Poisson volume
    assert len(order_day(DemandModel(120), area, DAY, CONFIG.site.tz, 12)) == 120
    path = write_orders(tmp_path / "orders.csv", a)
    back = load_orders(path, CONFIG.site.tz, a.start)
    assert back.orders == a.orders and not back.problems
    assert all(o.placed_at.date() == DAY for o in a.orders)


def test_demand_command(tmp_path, capsys):
    out = tmp_path / "orders.csv"
    assert main(["demand", "--site", str(EXAMPLE / "site.toml"), "--orders-per-day", "50", "--seed", "2",
                 "-o", str(out)]) == 0
    book = load_orders(out, CONFIG.site.tz)
    assert len(book) == 50 and not book.problems
    assert main(["demand", "--site", str(EXAMPLE / "site.toml"), "--orders-per-day", "50", "--seed", "2",
                 "-o", str(tmp_path / "again.csv")]) == 0
    assert (tmp_path / "again.csv").read_text() == out.read_text()
    capsys.readouterr()
    assert main(["demand", "--site", str(EXAMPLE / "site.toml"), "--orders-per-day", "5",
                 "--density", str(tmp_path / "nowhere.csv"), "-o", str(out)]) == 2
    assert "nowhere.csv: file not found" in capsys.readouterr().err
