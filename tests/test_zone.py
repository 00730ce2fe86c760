"""Dispatch zone: the region within reach along shortest paths, with and without wind."""

import math

import numpy as np
import pytest
import shapely
from geometry import convex_fields, quiet_router
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from dronedel.aircraft import max_reach
from dronedel.airspace import Airspace, Restriction, Zone
from dronedel.config import AircraftProfile, Wind
from dronedel.errors import InputError, InputWarning
from dronedel.geo import LocalFrame
from dronedel.routing import Router
from dronedel.zone import DispatchZone, disk_segments, dispatch_zone, reach_for

SITE = (-96.34, 30.6)


def test_open_field_zone_is_an_inscribed_disk():
    router = Router([], origin=(100.0, -50.0))
    zone = dispatch_zone(router, 1000.0, tolerance_m=0.5)
    n = disk_segments(1000.0, 0.5)
    assert 1000.0 * (1 - math.cos(math.pi / n)) <= 0.5
    assert zone.area == pytest.approx(0.5 * n * 1000.0**2 * math.sin(2 * math.pi / n))
    assert zone.area < math.pi * 1000.0**2
    assert zone.contains(shapely.Point(100.0, 949.0)) and not zone.contains(shapely.Point(100.0, 951.0))


def test_zone_stops_behind_an_obstacle():
    wall = shapely.box(200, -500, 220, 500)
    router = Router([wall], origin=(0.0, 0.0))
    zone = dispatch_zone(router, 800.0)
    # straight behind the wall the path goes round its end: sqrt(200^2 + 500^2) + ... > 800
    assert not zone.intersects(shapely.Point(400, 0))
    assert zone.contains(shapely.Point(150, 0)) and zone.contains(shapely.Point(0, 700))
    assert not zone.intersects(shapely.box(201, -499, 219, 499))


def test_zero_reach_is_empty_and_bad_reach_is_input_error():
    router = Router([], origin=(0.0, 0.0))
    assert dispatch_zone(router, 0.0).is_empty
    with pytest.raises(InputError):
        dispatch_zone(router, float("nan"))


def fields():
    """Up to five convex obstacles, 30-300 m across, within 800 m of the site."""
    return convex_fields(count=(1, 5), centre=800, radius=(30, 300), vertices=(3, 6), min_clearance=1e-3)


def _filled_holes_only(router, pts, lengths, inside, tolerance_m):
    """True if every point of the zone that no route reaches lies in a hole the zone filled: within the
    tolerance of the free space (holes narrower than the tolerance are filled, :func:`clean_zone`)."""
    lost = inside & ~np.isfinite(lengths)
    return bool(np.all(shapely.distance(router.free, shapely.points(pts[lost])) <= tolerance_m))


def _router(field):
    assume(not shapely.union_all(field).intersects(shapely.Point(0, 0).buffer(1.0)))
    return quiet_router(field, shapely.box(-1200, -1200, 1200, 1200), (0.0, 0.0))


@settings(max_examples=25, deadline=None)
@given(field=fields(), reach=st.floats(100, 2500), seed=st.integers(0, 2**31))
def test_inside_routes_within_reach_outside_does_not(field, reach, seed):
    tol = 1.0
    router = _router(field)
    zone = dispatch_zone(router, reach, tolerance_m=tol)
    pts = np.random.default_rng(seed).uniform(-1200, 1200, (400, 2))
    lengths, _ = router.distances(pts)
    inside = shapely.intersects_xy(zone, pts[:, 0], pts[:, 1])
    assert _filled_holes_only(router, pts, lengths, inside, tol)
    assert np.all(lengths[inside & np.isfinite(lengths)] <= reach + 1e-6)
    assert np.all(lengths[~inside] > reach - tol - 1e-6)


@settings(max_examples=10, deadline=None)
@given(field=fields(), reach=st.lists(st.floats(200, 2000), min_size=4, max_size=8), seed=st.integers(0, 2**31))
@example(field=[shapely.Polygon([(113.427, -108.71), (308.984, 2), (309, 0)])], reach=[200.0, 347.0, 200.0, 200.0],
         seed=24699)  # a sliver obstacle, narrower than the tolerance: the zone fills it
def test_sector_reach_applies_by_bearing(field, reach, seed):
    router = _router(field)
    reach = np.array(reach)
    zone = dispatch_zone(router, reach)
    pts = np.random.default_rng(seed).uniform(-1200, 1200, (400, 2))
    lengths, _ = router.distances(pts)
    width = 360.0 / len(reach)
    sector = np.round(np.degrees(np.arctan2(pts[:, 0], pts[:, 1])) % 360.0 / width).astype(int) % len(reach)
    inside = shapely.intersects_xy(zone, pts[:, 0], pts[:, 1])
    # away from sector edges (where the nearer sector decides), the sector's reach holds
    off = np.degrees(np.arctan2(pts[:, 0], pts[:, 1])) % 360.0 / width
    clear = np.abs(off - np.round(off)) < 0.45
    assert _filled_holes_only(router, pts, lengths, inside, 1.0)
    clear &= np.isfinite(lengths)
    assert np.all(lengths[inside & clear] <= reach[sector[inside & clear]] + 1e-6)
    assert np.all(lengths[~inside & clear] > reach[sector[~inside & clear]] - 1.0 - 1e-6)


def test_reach_for_matches_the_aircraft_model():
    profile = AircraftProfile()
    headings, reach, spread = reach_for(profile, 1800.0, 120.0)
    assert headings.shape == reach.shape == (1,) and spread == 0
    assert reach[0] == pytest.approx(float(max_reach(profile, profile.max_payload_kg, budget_s=1680.0)[0]))
    headings, reach, spread = reach_for(profile, 1800.0, 120.0, wind=Wind(8.0, 270.0), sectors=36)
    assert headings.shape == reach.shape == (36,)
    assert reach.max() > reach.min() > 0
    exact = max_reach(profile, profile.max_payload_kg, Wind(8.0, 270.0), budget_s=1680.0, headings_deg=headings)
    assert np.all(reach <= exact + 1e-6) and np.all(reach >= exact - spread - 1e-6)


def test_reach_for_bad_input():
    profile = AircraftProfile()
    with pytest.raises(InputError, match="no time"):
        reach_for(profile, 100.0, 120.0)
    with pytest.raises(InputError, match="maximum"):
        reach_for(profile, 1800.0, payload_kg=99.0)
    with pytest.raises(InputError, match="maximum airspeed"):
        reach_for(profile, 1800.0, wind=Wind(30.0, 0.0))
    with pytest.raises(InputError, match="no door"):
        reach_for(profile, 130.0, 120.0)
    with pytest.raises(InputError, match="no door"):
        reach_for(profile, 130.0, 120.0, wind=Wind(5.0, 0.0))


def _airspace(frame: LocalFrame, zones_local, area_local=None) -> Airspace:
    zones = [Zone(f"z{i}", f"zone {i}", Restriction.PROHIBITED, frame.geometry_to_lonlat(g))
             for i, g in enumerate(zones_local)]
    area = frame.geometry_to_lonlat(area_local) if area_local is not None else None
    return Airspace(zones, area)


def test_for_airspace_keeps_the_margin():
    frame = LocalFrame(*SITE)
    stadium = shapely.box(1000, -400, 1600, 400)
    area = shapely.box(-5000, -5000, 5000, 5000)
    router = Router.for_airspace(_airspace(frame, [stadium], area), frame, margin_m=50.0)
    route = router.route(3000.0, 0.0)
    line = shapely.LineString(route.points)
    assert line.distance(stadium) >= 50.0 - 1e-6
    assert route.length_m > 3000.0
    _, reasons = router.distances([[1620.0, 0.0], [4980.0, 0.0], [4900.0, 0.0]])
    assert list(reasons) == ["inside_obstacle", "outside_area", None]


def test_for_airspace_bad_sites():
    frame = LocalFrame(*SITE)
    with pytest.raises(InputError, match="inside blocking zone 'z0'"):
        Router.for_airspace(_airspace(frame, [shapely.box(-10, -10, 10, 10)]), frame)
    with pytest.raises(InputError, match="outside the operating area"):
        Router.for_airspace(_airspace(frame, [], shapely.box(100, 100, 900, 900)), frame)
    with pytest.warns(InputWarning, match="relaxed"):
        router = Router.for_airspace(_airspace(frame, [shapely.box(10, -100, 200, 100)]), frame, margin_m=30.0)
    assert router.route(-500.0, 0.0).length_m == pytest.approx(500.0)


def test_dispatch_zone_in_wind_over_lon_lat():
    frame = LocalFrame(*SITE)
    airport = shapely.Point(4000, 3000).buffer(1500, quad_segs=8)
    router = Router.for_airspace(_airspace(frame, [airport]), frame)
    profile = AircraftProfile()
    zone = DispatchZone.build(router, profile, promise_s=1800.0, loading_s=120.0, wind=Wind(8.0, 270.0),
                              sectors=36)
    assert zone.reach_m.shape == (36,) and zone.heading_error_m > 0
    assert not zone.local.intersects(airport)
    x = np.random.default_rng(1).uniform(-15000, 15000, (2000, 2))
    lon, lat = frame.to_lonlat(x[:, 0], x[:, 1])
    local = zone.contains_xy(x[:, 0], x[:, 1])
    lonlat = zone.contains_lonlat(lon, lat)
    assert (local != lonlat).mean() < 0.002  # differs only within a hair of the boundary
    doc = zone.to_geojson()
    assert doc["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert doc["features"][0]["properties"]["wind"] == "8@270"
    with pytest.raises(InputError, match="frame"):
        DispatchZone.build(Router([]), profile)
