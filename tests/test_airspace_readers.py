"""Each airspace reader on hand-written fixtures, including the awkward cases."""

import math
import warnings
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import shapely
from pyproj import Geod

from dronedel.airspace import (
    FOOT_M, NAUTICAL_MILE_M, Restriction, VerticalReference, detect_format, read_airspace, read_zones,
)
from dronedel.errors import InputError

DATA = Path(__file__).parent / "data" / "airspace"
GEOD = Geod(ellps="WGS84")
CHICAGO = ZoneInfo("America/Chicago")


def area_m2(geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(geometry)[0])


def point_at(lon, lat, azimuth, distance_m) -> shapely.Point:
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth, distance_m)
    return shapely.Point(lon2, lat2)


@pytest.fixture(scope="module")
def openair():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fixture is clean: no repair warnings
        return {z.id: z for z in read_zones(DATA / "zones.openair.txt")}


@pytest.fixture(scope="module")
def geojson():
    return {z.id: z for z in read_zones(DATA / "zones.geojson", tz=CHICAGO)}


@pytest.fixture(scope="module")
def ed269():
    return {z.id: z for z in read_zones(DATA / "zones.ed269.json")}


# ---- format detection ------------------------------------------------------------------------

@pytest.mark.parametrize("name, fmt", [
    ("zones.openair.txt", "openair"), ("zones.geojson", "geojson"), ("zones.ed269.json", "ed269"),
    ("highlat.openair.txt", "openair"),
])
def test_format_is_detected_from_content(name, fmt):
    assert detect_format((DATA / name).read_text(encoding="utf-8")) == fmt


def test_detection_ignores_the_file_name(tmp_path):
    misnamed = tmp_path / "zones.txt"
    misnamed.write_text((DATA / "zones.geojson").read_text())
    assert [z.id for z in read_zones(misnamed)][0] == "gj-hole"


def test_explicit_format_overrides_detection():
    with pytest.raises(InputError, match=r"zones\.openair\.txt: line 1 column 1: not valid JSON"):
        read_zones(DATA / "zones.openair.txt", format="geojson")


# ---- OpenAir ---------------------------------------------------------------------------------

def test_openair_ids_restrictions_and_sources(openair):
    assert list(openair) == [
        "square-range", "tower-zone", "clockwise-pie", "counter-pie", "db-clockwise", "db-counter",
        "ring-sector", "high-level", "square-range-L73", "model-field", "typed-zone", "keyhole-park",
        "tabbed-zone",
    ]
    assert openair["tabbed-zone"].kind == "class D" and openair["tabbed-zone"].name == "Tabbed Zone"
    r = Restriction
    expected = {
        "square-range": r.REQUIRES_AUTHORISATION, "tower-zone": r.REQUIRES_AUTHORISATION,
        "clockwise-pie": r.PROHIBITED, "db-clockwise": r.CONDITIONAL, "db-counter": r.CONDITIONAL,
        "model-field": r.NO_RESTRICTION, "typed-zone": r.PROHIBITED, "keyhole-park": r.CONDITIONAL,
    }
    for zone_id, restriction in expected.items():
        assert openair[zone_id].restriction is restriction, zone_id
    assert openair["tower-zone"].where == "line 13"
    assert openair["tower-zone"].source.endswith("zones.openair.txt")


def test_openair_heights(openair):
    tower = openair["tower-zone"]
    assert tower.floor.metres == 0 and tower.floor.reference is VerticalReference.AGL
    assert tower.ceiling.metres == pytest.approx(2500 * FOOT_M)  # bare number: feet AMSL
    assert tower.ceiling.reference is VerticalReference.AMSL
    high = openair["high-level"]
    assert high.floor.metres == pytest.approx(5500 * FOOT_M) and high.floor.reference is VerticalReference.AMSL
    assert high.ceiling.metres == pytest.approx(9500 * FOOT_M)
    assert openair["clockwise-pie"].ceiling.metres == 120.0
    assert openair["square-range-L73"].ceiling.metres == math.inf
    assert openair["typed-zone"].ceiling.metres == pytest.approx(500 * FOOT_M)  # trailing comment ignored
    assert openair["model-field"].ceiling.reference is VerticalReference.AMSL


def test_openair_circle_uses_nautical_miles_and_keeps_the_circle(openair):
    tower = openair["tower-zone"]
    assert tower.circle.radius_m == pytest.approx(2 * NAUTICAL_MILE_M)
    assert (tower.circle.lon, tower.circle.lat) == (-96.0, 30.0)
    r = 2 * NAUTICAL_MILE_M
    assert math.pi * r * r <= area_m2(tower.geometry) <= math.pi * (r + 1.0) ** 2


@pytest.mark.parametrize("zone_id", ["clockwise-pie", "counter-pie"])
def test_da_arcs_in_both_directions_give_the_same_quarter(openair, zone_id):
    pie = openair[zone_id].geometry
    r = NAUTICAL_MILE_M
    assert pie.contains(point_at(-96, 30, 45, 0.999 * r))
    assert pie.contains(point_at(-96, 30, 2, 0.999 * r)) and pie.contains(point_at(-96, 30, 88, 0.999 * r))
    assert not pie.contains(point_at(-96, 30, 135, 0.5 * r))
    assert not pie.contains(point_at(-96, 30, 45, r + 1.5))
    assert area_m2(pie) == pytest.approx(math.pi * r * r / 4, rel=2e-3)


def test_db_arcs_in_both_directions_give_opposite_halves(openair):
    east, west = openair["db-clockwise"].geometry, openair["db-counter"].geometry
    r = GEOD.inv(-96, 30, -96, 30 + 1 / 60)[2]
    assert east.contains(point_at(-96, 30, 90, 0.999 * r)) and not east.contains(point_at(-96, 30, 270, 0.5 * r))
    assert west.contains(point_at(-96, 30, 270, 0.999 * r)) and not west.contains(point_at(-96, 30, 90, 0.5 * r))
    for half in (east, west):
        assert area_m2(half) == pytest.approx(math.pi * r * r / 2, rel=2e-3)
    assert east.intersection(west).area < 1e-12


def test_annular_sector_contains_the_true_sector_from_outside(openair):
    sector = openair["ring-sector"].geometry
    inner, outer = 2 * NAUTICAL_MILE_M, 3 * NAUTICAL_MILE_M
    for azimuth in (100.5, 110.0, 120.3, 139.5):
        # just inside both arcs: the polygon never under-estimates the zone
        assert sector.contains(point_at(-96, 30, azimuth, inner + 0.05))
        assert sector.contains(point_at(-96, 30, azimuth, outer - 0.05))
        # and it stays within the 1 m error bound of both arcs
        assert not sector.contains(point_at(-96, 30, azimuth, inner - 1.05))
        assert not sector.contains(point_at(-96, 30, azimuth, outer + 1.05))
    expected = math.pi * (outer ** 2 - inner ** 2) * 40 / 360
    assert area_m2(sector) == pytest.approx(expected, rel=2e-3)


def test_keyhole_ring_becomes_a_polygon_with_a_hole(openair):
    park = openair["keyhole-park"].geometry
    assert park.geom_type == "Polygon" and len(park.interiors) == 1
    assert not park.contains(shapely.Point(-96.175, 30.175))  # in the hole
    assert park.contains(shapely.Point(-96.195, 30.195))


def test_high_latitude_circle_area_matches_the_geodesic_circle():
    (zone,) = read_zones(DATA / "highlat.openair.txt")
    r = 2 * NAUTICAL_MILE_M
    assert zone.circle.lat == pytest.approx(69.65)
    area = area_m2(zone.geometry)
    # the polygon lies between 0.46 m and 1 m outside the true circle
    assert math.pi * (r + 0.4) ** 2 <= area <= math.pi * (r + 1.0) ** 2
    # radii are ground distances: east and north extents are both r (not r in degrees)
    for azimuth in (0, 90, 180, 270):
        assert zone.geometry.contains(point_at(18.95, 69.65, azimuth, r - 0.01))
        assert not zone.geometry.contains(point_at(18.95, 69.65, azimuth, r + 1.01))


# ---- GeoJSON ---------------------------------------------------------------------------------

def test_geojson_polygon_with_hole(geojson):
    zone = geojson["gj-hole"]
    assert zone.restriction is Restriction.CONDITIONAL and zone.kind == "park"
    assert len(zone.geometry.interiors) == 1
    assert not zone.geometry.contains(shapely.Point(-96.015, 30.015))
    assert zone.geometry.contains(shapely.Point(-96.025, 30.005))
    assert zone.ceiling.metres == pytest.approx(400 * FOOT_M)
    assert zone.where == "features[0] 'gj-hole'"


def test_geojson_multipolygon_takes_the_feature_id(geojson):
    zone = geojson["gj-multi"]
    assert zone.geometry.geom_type == "MultiPolygon" and len(zone.geometry.geoms) == 2
    assert zone.name == "Two blocks" and zone.ceiling.metres == math.inf


@pytest.mark.parametrize("zone_id, radius", [("gj-circle", 300.0), ("gj-ed318", 200.0)])
def test_geojson_circles(geojson, zone_id, radius):
    zone = geojson[zone_id]
    assert zone.circle.radius_m == radius
    assert math.pi * radius ** 2 < area_m2(zone.geometry) <= math.pi * (radius + 1.0) ** 2


def test_geojson_schedule_crossing_midnight_in_its_own_time_zone(geojson):
    night = geojson["gj-night"].schedule
    assert night.is_active(datetime(2026, 6, 13, 1, 30, tzinfo=CHICAGO))  # Friday night, after midnight
    assert night.is_active(datetime(2026, 6, 14, 1, 30, tzinfo=CHICAGO))  # Saturday night
    assert not night.is_active(datetime(2026, 6, 15, 1, 30, tzinfo=CHICAGO))  # Sunday night
    assert not night.is_active(datetime(2026, 6, 13, 2, 0, tzinfo=CHICAGO))
    assert night.is_active(datetime(2026, 6, 13, 3, 30, tzinfo=timezone.utc))  # 22:30 CDT Friday


def test_geojson_one_off_window_or_weekly_within_validity(geojson):
    show = geojson["gj-oneoff"].schedule
    at = lambda *a: datetime(*a, tzinfo=CHICAGO)  # noqa: E731 - naive site times in the fixture
    assert show.is_active(at(2026, 6, 12, 23, 0))  # the one-off Friday evening
    assert show.is_active(at(2026, 6, 13, 0, 30))  # ... past midnight
    assert not show.is_active(at(2026, 6, 13, 1, 0))
    assert show.is_active(at(2026, 6, 13, 18, 0))  # Saturday evening
    assert not show.is_active(at(2026, 6, 19, 23, 0))  # a later Friday
    assert not show.is_active(at(2026, 7, 4, 18, 0))  # a Saturday after valid_until
    assert geojson["gj-oneoff"].ceiling.metres == pytest.approx(5500 * FOOT_M)


def test_geojson_flight_levels(geojson):
    zone = geojson["gj-fl"]
    assert zone.floor.metres == pytest.approx(1676.4) and zone.floor.reference is VerticalReference.AMSL
    assert zone.ceiling.metres == pytest.approx(2895.6)


# ---- ED-269 ----------------------------------------------------------------------------------

def test_ed269_polygon_with_hole_and_utc_schedule_crossing_midnight(ed269):
    zone = ed269["ed-poly"]
    assert zone.restriction is Restriction.REQUIRES_AUTHORISATION
    assert len(zone.geometry.interiors) == 1
    assert zone.reason == "SENSITIVE: power plant"
    assert zone.ceiling.metres == pytest.approx(400 * FOOT_M)
    utc = timezone.utc
    assert zone.schedule.is_active(datetime(2026, 6, 12, 23, tzinfo=utc))  # Friday 23:00 UTC
    assert zone.schedule.is_active(datetime(2026, 6, 13, 1, 59, tzinfo=utc))  # Saturday early, UTC
    assert not zone.schedule.is_active(datetime(2026, 6, 13, 2, 0, tzinfo=utc))
    assert not zone.schedule.is_active(datetime(2026, 6, 12, 21, 0, tzinfo=utc))


def test_ed269_circle_in_metres_with_amsl_ceiling(ed269):
    zone = ed269["ed-circle"]
    assert zone.schedule.permanent
    assert zone.circle.radius_m == 1000 and zone.ceiling.reference is VerticalReference.AMSL
    assert math.pi * 1000 ** 2 < area_m2(zone.geometry) <= math.pi * 1001 ** 2


def test_ed269_date_window_and_bounded_weekly_schedule(ed269):
    window = ed269["ed-window"]
    assert window.floor.metres == 0  # absent lower limit: the ground
    assert window.schedule.is_active(datetime(2026, 6, 12, 20, 0, tzinfo=CHICAGO))
    assert not window.schedule.is_active(datetime(2026, 6, 13, 1, 0, tzinfo=CHICAGO))
    season = ed269["ed-season"].schedule
    assert season.is_active(datetime(2026, 6, 14, 0, 30, tzinfo=timezone.utc))  # Saturday night, UTC
    assert season.is_active(datetime(2026, 6, 15, 0, 30, tzinfo=timezone.utc))  # Sunday's period, Monday 00:30
    assert not season.is_active(datetime(2026, 6, 15, 1, 0, tzinfo=timezone.utc))
    assert not season.is_active(datetime(2026, 6, 16, 0, 30, tzinfo=timezone.utc))  # Monday has no period
    assert not season.is_active(datetime(2026, 9, 5, 14, 0, tzinfo=timezone.utc))  # after the season


def test_ed269_volumes_with_different_limits_become_separate_zones(ed269):
    low, high = ed269["ed-multi#1"], ed269["ed-multi#2"]
    assert low.ceiling.metres == pytest.approx(1500 * FOOT_M)
    assert high.floor.metres == pytest.approx(1000 * FOOT_M)
    assert high.circle.radius_m == 5000 and low.circle.radius_m == 2000


def test_ed269_wgs84_heights_are_read_as_amsl_with_a_warning(tmp_path):
    text = (DATA / "zones.ed269.json").read_text().replace('"upperVerticalReference": "AMSL"', '"upperVerticalReference": "WGS84"')
    path = tmp_path / "wgs84.json"
    path.write_text(text)
    with pytest.warns(Warning, match=r"wgs84\.json: WGS84 \(ellipsoid\) heights read as AMSL.*'ed-circle' geometry\[0\]"):
        zones = {z.id: z for z in read_zones(path)}
    assert zones["ed-circle"].ceiling.reference is VerticalReference.AMSL


# ---- merging ---------------------------------------------------------------------------------

def test_read_airspace_merges_files_and_operating_area(tmp_path):
    area = tmp_path / "area.geojson"
    area.write_text('{"type": "Polygon", "coordinates": [[[-97, 29], [-95, 29], [-95, 31], [-97, 31], [-97, 29]]]}')
    airspace = read_airspace(
        [DATA / "zones.openair.txt", DATA / "zones.geojson", DATA / "zones.ed269.json"],
        ground_amsl_m=90.0, tz=CHICAGO, operating_area=area,
    )
    assert len(airspace) == 13 + 7 + 6  # ed-multi gives two zones
    assert airspace.operating_area.bounds == (-97, 29, -95, 31)
    assert airspace.ground_amsl_m == 90.0
    touched = {z.id for z in airspace.touching(shapely.Point(-96.015, 30.005))}
    assert touched == {"gj-hole", "ed-poly", "tower-zone", "db-counter"}
