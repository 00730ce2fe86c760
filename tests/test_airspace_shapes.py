"""Circles and arcs become polygons that contain them, within the documented error."""

import math

import numpy as np
import pytest
import shapely
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from dronedel.airspace import DEFAULT_MAX_ERROR_M, circle_polygon, parse_height
from dronedel.airspace.heights import FOOT_M
from dronedel.airspace.model import VerticalReference
from dronedel.airspace.shapes import arc_points, segment_count

GEOD = Geod(ellps="WGS84")


def distances(lon, lat, coords):
    n = len(coords)
    return GEOD.inv(np.full(n, lon), np.full(n, lat), coords[:, 0], coords[:, 1])[2]


def circle_points(lon, lat, radius_m, azimuths):
    lons, lats, _ = GEOD.fwd(np.full(len(azimuths), lon), np.full(len(azimuths), lat), azimuths,
                             np.full(len(azimuths), radius_m))
    return shapely.points(lons, lats)


@settings(max_examples=60, deadline=None)
@given(
    lon=st.floats(-179.0, 179.0),
    lat=st.floats(-80.0, 80.0),
    radius=st.floats(5.0, 50_000.0),
    max_error=st.sampled_from([0.1, 0.5, DEFAULT_MAX_ERROR_M, 5.0]),
)
def test_circle_polygon_contains_the_geodesic_circle_within_the_error_bound(lon, lat, radius, max_error):
    polygon = circle_polygon(lon, lat, radius, max_error)
    assert polygon.is_valid
    n = len(polygon.exterior.coords) - 1
    assert n == segment_count(radius, max_error)
    # every point of the true circle, including the tangent points at the edge midpoints, is inside
    step = 360.0 / n
    azimuths = np.concatenate([np.linspace(0, 360, 721)[:-1], (np.arange(n) + 0.5) * step])
    assert shapely.contains(polygon, circle_points(lon, lat, radius, azimuths)).all()
    # the boundary stays between 0.46 and 1 times the error outside the circle: vertices ...
    d = distances(lon, lat, np.asarray(polygon.exterior.coords)[:-1])
    assert d.max() <= radius + max_error + 1e-6
    assert d.min() >= radius + 0.46 * max_error - 1e-6
    # ... and edge midpoints (the closest approach)
    mid = circle_points(lon, lat, radius + 0.4 * max_error, (np.arange(n) + 0.5) * step)
    assert shapely.contains(polygon, mid).all()


@settings(max_examples=40, deadline=None)
@given(
    radius=st.floats(50.0, 20_000.0),
    start=st.floats(0.0, 359.0),
    sweep=st.floats(5.0, 355.0),
    clockwise=st.booleans(),
)
def test_arc_points_stay_within_the_error_on_the_correct_side(radius, start, sweep, clockwise):
    end = (start + sweep) % 360 if clockwise else (start - sweep) % 360
    lon, lat = 18.95, 69.65
    outside = arc_points(lon, lat, radius, start, end, clockwise, outside=True)
    on = arc_points(lon, lat, radius, start, end, clockwise, outside=False)
    d_out, d_on = distances(lon, lat, outside), distances(lon, lat, on)
    assert (d_out > radius).all() and (d_out <= radius + DEFAULT_MAX_ERROR_M + 1e-6).all()
    assert np.allclose(d_on, radius, atol=1e-6)
    # interior points run from start to end in the requested direction
    az = np.asarray(GEOD.inv(np.full(len(outside), lon), np.full(len(outside), lat), outside[:, 0], outside[:, 1])[0])
    turned = ((az - start) % 360) if clockwise else ((start - az) % 360)
    assert np.all(np.diff(turned) > 0) and turned[-1] < sweep


def test_full_circle_when_start_equals_end():
    pts = arc_points(-96, 30, 1000, 40, 40, True, outside=False)
    assert len(pts) == segment_count(1000) - 1


def test_segment_count_grows_with_radius_and_precision():
    assert segment_count(2.0) == 8  # the minimum
    assert segment_count(500.0) < segment_count(5000.0) < segment_count(5000.0, 0.1)
    with pytest.raises(ValueError, match="radius"):
        segment_count(0.0)


@pytest.mark.parametrize("text, metres, reference", [
    ("GND", 0.0, "AGL"), ("SFC", 0.0, "AGL"), ("UNL", math.inf, "AMSL"), ("unlimited", math.inf, "AMSL"),
    ("FL95", 9500 * FOOT_M, "AMSL"), ("FL 55", 5500 * FOOT_M, "AMSL"),
    ("400ft AGL", 400 * FOOT_M, "AGL"), ("1500 ft AMSL", 1500 * FOOT_M, "AMSL"), ("300m AGL", 300.0, "AGL"),
    ("2800 MSL", 2800 * FOOT_M, "AMSL"), ("500ft GND", 500 * FOOT_M, "AGL"), ("AGL 120 m", None, None),
    ("3500", 3500 * FOOT_M, "AMSL"), ("1000 F SFC", 1000 * FOOT_M, "AGL"),
])
def test_height_text(text, metres, reference):
    if metres is None:
        with pytest.raises(ValueError):
            parse_height(text, default_unit="ft", default_reference=VerticalReference.AMSL)
        return
    height = parse_height(text, default_unit="ft", default_reference=VerticalReference.AMSL)
    assert height.metres == pytest.approx(metres) and height.reference.value == reference


@settings(max_examples=40, deadline=None)
@given(lon=st.floats(-179.0, 179.0), lat=st.floats(-70.0, 70.0), seed=st.integers(0, 2**32 - 1),
       half_width=st.floats(5.0, 8000.0), flat=st.booleans())
@example(lon=0.0, lat=21.0, seed=518699474, half_width=175.0, flat=False)  # a join GEOS cut 1.5 quanta wide
def test_line_buffer_contains_the_true_buffer_within_the_error(lon, lat, seed, half_width, flat):
    from dronedel.airspace.shapes import buffer_line
    from dronedel.geo import LocalFrame

    rng = np.random.default_rng(seed)
    points = np.array([lon, lat]) + rng.uniform(-0.05, 0.05, (int(rng.integers(2, 6)), 2))
    polygon = buffer_line(points, half_width, flat_ends=flat)
    frame = LocalFrame(*map(float, points.mean(axis=0)))  # measured in a frame centred on the line itself
    local = frame.geometry_to_local(polygon, check=False)
    line = frame.geometry_to_local(shapely.LineString(points), check=False)
    cap = "flat" if flat else "round"
    # within a centimetre; a square end is square in its own frame, so in another its far corners
    # turn by the meridians' convergence between the two frames (their longitude difference times the
    # sine of the latitude, at most the line's longitude span) times the half-width
    convergence = np.radians(np.ptp(points[:, 0])) * abs(np.sin(np.radians(lat))) + 1e-4
    slack = 0.01 + (convergence * half_width if flat else 0.0)
    assert local.buffer(slack).contains(line.buffer(half_width, quad_segs=256, cap_style=cap))
    outermost = shapely.distance(shapely.points(shapely.get_coordinates(local)), line).max()
    assert outermost <= half_width + DEFAULT_MAX_ERROR_M
