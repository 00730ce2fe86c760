import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.errors import InputError
from dronedel.geo import LocalFrame, check_lon_lat, geodesic_distance

SITE = (-96.27, 30.555)


def test_site_is_origin_and_round_trip():
    frame = LocalFrame(*SITE)
    x, y = frame.to_local(SITE[0], SITE[1])
    assert abs(x) < 1e-6 and abs(y) < 1e-6
    lon, lat = frame.to_lonlat([1000.0, -2500.0], [500.0, 7000.0])
    x, y = frame.to_local(lon, lat)
    np.testing.assert_allclose(x, [1000.0, -2500.0], atol=1e-6)
    np.testing.assert_allclose(y, [500.0, 7000.0], atol=1e-6)


def test_axes_point_east_and_north():
    frame = LocalFrame(*SITE)
    x, y = frame.to_local([SITE[0] + 0.01, SITE[0]], [SITE[1], SITE[1] + 0.01])
    assert x[0] > 900 and abs(y[0]) < 5
    assert y[1] > 1000 and abs(x[1]) < 1e-6


@settings(max_examples=60, deadline=None)
@given(
    lat0=st.floats(-75, 75),
    bearing=st.floats(0, 360),
    dist=st.floats(10, 30_000),
)
def test_distance_from_site_is_geodesic(lat0, bearing, dist):
    """Azimuthal equidistant: the distance from the centre is the geodesic distance.

    To 2 mm: within about 1e-8 degrees of the equator PROJ switches to its equatorial form,
    which puts the centre up to about 1 mm off the site; elsewhere to 1e-9 relative.
    """
    from pyproj import Geod

    frame = LocalFrame(10.0, lat0)
    lon, lat, _ = Geod(ellps="WGS84").fwd(10.0, lat0, bearing, dist)
    x, y = frame.to_local(lon, lat)
    assert np.hypot(x, y) == pytest.approx(dist, rel=1e-9, abs=2e-3)


def test_distances_between_points_accurate_at_high_latitude():
    frame = LocalFrame(18.9, 69.65)  # Tromsø
    lon, lat = frame.to_lonlat([20_000.0, -15_000.0], [5_000.0, 20_000.0])
    planar = np.hypot(35_000.0, 15_000.0)
    assert geodesic_distance(lon[0], lat[0], lon[1], lat[1]) == pytest.approx(planar, rel=1e-3)


def test_geometry_round_trip_keeps_area():
    frame = LocalFrame(*SITE)
    square = shapely.box(-1000, -1000, 1000, 1000)
    back = frame.geometry_to_local(frame.geometry_to_lonlat(square))
    assert back.area == pytest.approx(4e6, rel=1e-9)


def test_beyond_accurate_range_is_an_error():
    frame = LocalFrame(*SITE)
    with pytest.raises(InputError, match="beyond the local frame's accurate range of 100 km"):
        frame.to_local(SITE[0] + 2.0, SITE[1])


@pytest.mark.parametrize(
    "lon, lat, message",
    [
        (30.5, -96.2, "look swapped"),
        (200.0, 10.0, "out of range"),
        (float("nan"), 10.0, "not a finite number"),
    ],
)
def test_bad_coordinates_named(lon, lat, message):
    with pytest.raises(InputError, match=message) as info:
        check_lon_lat(lon, lat, "doors.csv", "row 4")
    assert str(info.value).startswith("doors.csv: row 4: ")


def test_geodesic_distance_broadcasts_scalar_against_array():
    d = geodesic_distance(SITE[0], SITE[1], [SITE[0], SITE[0] + 0.01], [SITE[1], SITE[1]])
    assert d.shape == (2,) and d[0] == 0 and 950 < d[1] < 970
