"""The bundled College Station example: files, formats that agree, geography, orders."""

import tomllib
import warnings
from dataclasses import fields
from datetime import datetime, timedelta

import numpy as np
import pytest
import shapely
from pyproj import Geod

from dronedel.airspace import Restriction, read_zones, site_airspace
from dronedel.config import AircraftProfile, load_site
from dronedel.data import EXAMPLE_FILES, example_dir, example_path
from dronedel.orders import load_orders

GEOD = Geod(ellps="WGS84")
FORMATS = ("example.geojson", "example.ed269.json", "example.openair.txt")


@pytest.fixture(scope="module")
def config():
    return load_site(example_path("site.toml"))


@pytest.fixture(scope="module")
def airspace(config):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return site_airspace(config)


@pytest.fixture(scope="module")
def orders(config):
    return load_orders(example_path("orders.csv"), config.site.tz, config.planning.start)


@pytest.fixture(scope="module")
def formats(config):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {
            name: {z.id: z for z in read_zones(example_path(name), ground_amsl_m=config.site.elevation_m,
                                               tz=config.site.tz)}
            for name in FORMATS
        }


def distance_m(lon1, lat1, lon2, lat2):
    lon2, lat2 = np.atleast_1d(lon2), np.atleast_1d(lat2)
    return GEOD.inv(np.full(lon2.shape, lon1), np.full(lat2.shape, lat1), lon2, lat2)[2]


def area_m2(geometry):
    return abs(GEOD.geometry_area_perimeter(geometry)[0])


def test_example_files_are_package_data():
    shipped = sorted(p.name for p in example_dir().iterdir())
    assert shipped == sorted(EXAMPLE_FILES)  # flat folder: the "example/*" package-data glob covers it
    assert example_path("orders.csv").is_file()
    with pytest.raises(ValueError, match="no example file 'nope.csv'"):
        example_path("nope.csv")


def test_site_file_states_every_aircraft_field_and_the_fixed_numbers(config):
    table = tomllib.loads(example_path("site.toml").read_text())
    assert set(table["aircraft"]) == {f.name for f in fields(AircraftProfile)}
    aircraft = config.aircraft
    assert (aircraft.cruise_speed_ms, aircraft.climb_rate_ms, aircraft.descent_rate_ms) == (15.0, 3.0, 2.0)
    assert (aircraft.accel_ms2, aircraft.land_speed_ms, aircraft.cruise_alt_m) == (2.5, 0.5, 60.0)
    assert (config.fleet.drones, config.fleet.turnaround_s, config.fleet.loading_s) == (8, 300.0, 120.0)
    assert config.planning.promise_s == 1800.0 and config.planning.margin_m == 30.0
    assert (config.planning.wind.speed_ms, config.planning.wind.from_deg) == (4.0, 200.0)
    assert config.site.timezone == "America/Chicago"
    assert config.planning.start == datetime(2026, 6, 13, tzinfo=config.site.tz)
    assert config.planning.start.weekday() == 5  # a Saturday
    assert config.airspace.authorisations == ()
    assert [p.name for p in config.airspace.files] == ["example.geojson"]


def test_three_formats_read_to_equivalent_zones(formats):
    reference = formats["example.geojson"]
    assert len(reference) == 8
    for name in FORMATS[1:]:
        other = formats[name]
        assert list(other) == list(reference), name
        for zone_id, zone in reference.items():
            twin = other[zone_id]
            assert twin.restriction is zone.restriction, (name, zone_id)
            for a, b in ((zone.floor, twin.floor), (zone.ceiling, twin.ceiling)):
                assert a.reference is b.reference and b.metres == pytest.approx(a.metres, abs=0.05), (name, zone_id)
            assert area_m2(twin.geometry) == pytest.approx(area_m2(zone.geometry), rel=0.01), (name, zone_id)
            assert (twin.circle is None) == (zone.circle is None), (name, zone_id)
            if zone.circle:
                assert twin.circle.radius_m == pytest.approx(zone.circle.radius_m, abs=0.5)


def test_geojson_and_ed269_schedules_agree_on_the_example_weekend(formats):
    local, utc = formats["example.geojson"], formats["example.ed269.json"]
    start = datetime(2026, 6, 12, tzinfo=local["kyle-field-stadium"].schedule.tz)
    for step in range(0, 3 * 24 * 4):
        at = start + timedelta(minutes=15 * step)
        for zone_id in local:
            assert local[zone_id].schedule.is_active(at) == utc[zone_id].schedule.is_active(at), (zone_id, at)


def test_depot_next_to_the_airport_outside_its_class_d(config, airspace):
    site = config.site
    class_d = airspace["kcll-class-d"]
    azimuth, _, distance = GEOD.inv(class_d.circle.lon, class_d.circle.lat, site.lon, site.lat)
    assert 9000 < distance < 10500 and 95 < azimuth < 130  # 9-10 km east-south-east
    assert distance > class_d.circle.radius_m + 1000
    assert class_d.restriction is Restriction.REQUIRES_AUTHORISATION
    assert airspace.operating_area.contains(shapely.Point(site.lon, site.lat))


def test_zone_above_cruise_covers_the_depot_without_blocking(config, airspace):
    depot = shapely.Point(config.site.lon, config.site.lat)
    transition = airspace["kcll-class-e-transition"]
    assert transition.geometry.contains(depot)
    assert transition.floor.agl(airspace.ground_amsl_m) > config.aircraft.cruise_alt_m
    assert transition not in airspace.blocking(0.0, config.aircraft.cruise_alt_m)


def test_zone_with_a_hole(airspace):
    park = airspace["lick-creek-park"]
    assert park.restriction is Restriction.CONDITIONAL and len(park.geometry.interiors) == 1


def test_prohibited_zones_two_to_six_km_from_the_depot(config, airspace):
    depot = shapely.Point(config.site.lon, config.site.lat)
    near = []
    for zone in airspace:
        if zone.restriction is Restriction.PROHIBITED:
            nearest = shapely.shortest_line(zone.geometry, depot).coords[0]
            if 2000 <= distance_m(config.site.lon, config.site.lat, *nearest)[0] <= 6000:
                near.append(zone.id)
    assert {"hospital-helipad", "detention-center", "kyle-field-stadium"} <= set(near)
    helipad = airspace["hospital-helipad"]
    assert helipad.circle.radius_m == 500 and helipad.ceiling.metres == 150


def test_stadium_game_times_local_including_the_friday_game_past_midnight(airspace, config):
    stadium = airspace["kyle-field-stadium"].schedule
    day = config.planning.start
    assert stadium.is_active(day + timedelta(minutes=30))  # Friday-night game, 00:30 Saturday
    assert not stadium.is_active(day + timedelta(hours=1))
    assert not stadium.is_active(day + timedelta(hours=12))
    assert stadium.is_active(day + timedelta(hours=18))
    assert not stadium.is_active(day + timedelta(hours=23))
    assert not stadium.is_active(day + timedelta(days=1, hours=18))  # Sunday


def test_orders_make_a_realistic_saturday(orders, config, airspace):
    assert 250 <= len(orders) <= 350 and not orders.problems
    tz = config.site.tz
    hours = np.array([o.placed_at.astimezone(tz).hour + o.placed_at.astimezone(tz).minute / 60 for o in orders.orders])
    assert {o.placed_at.astimezone(tz).date().isoformat() for o in orders.orders} == {"2026-06-13"}

    def count(lo, hi):
        return int(((hours >= lo) & (hours < hi)).sum())

    assert count(0, 7) <= 8  # few overnight
    assert count(11.5, 13.5) > 1.5 * count(8.5, 10.5)  # lunch peak
    assert count(17.5, 20) > 1.5 * count(14.5, 17)  # dinner peak
    assert count(22, 24) < count(20, 22) / 3  # tail
    weights = np.array([o.weight_kg for o in orders.orders])
    assert 3 <= int((weights > config.aircraft.max_payload_kg).sum()) <= 12
    assert np.mean((weights >= 0.2) & (weights <= 2.3)) > 0.95


def test_doors_inside_outside_and_behind_zones(orders, config, airspace):
    doors = orders.lonlat()
    points = shapely.points(doors)
    assert distance_m(config.site.lon, config.site.lat, doors[:, 0], doors[:, 1]).max() < 13_000
    outside = ~shapely.contains(airspace.operating_area, points)
    assert 0.02 < outside.mean() < 0.12
    prohibited = shapely.union_all([z.geometry for z in airspace if z.restriction is Restriction.PROHIBITED])
    assert 1 <= int(shapely.contains(prohibited, points).sum()) <= 60
    # many straight lines from the depot cross a zone that blocks at cruise: routes must bend
    blocking = shapely.union_all([z.geometry for z in airspace.blocking(
        0.0, config.aircraft.cruise_alt_m, at=config.planning.start + timedelta(hours=18))])
    lines = shapely.linestrings([[[config.site.lon, config.site.lat], list(door)] for door in doors])
    crossing = shapely.intersects(lines, blocking) & ~shapely.contains(blocking, points) & ~outside
    assert crossing.mean() > 0.15
