"""Every bad-input message names the file, the line or feature, and what is wrong."""

import json
import re
import warnings

import pytest

from dronedel.airspace import read_airspace, read_operating_area, read_zones
from dronedel.errors import InputError, InputWarning

SQUARE = [[-96.0, 30.0], [-95.99, 30.0], [-95.99, 30.01], [-96.0, 30.01], [-96.0, 30.0]]


def geojson(geometry=None, **props) -> str:
    props = {"id": "z1", "restriction": "prohibited", **props}
    feature = {"type": "Feature", "properties": props,
               "geometry": geometry if geometry is not None else {"type": "Polygon", "coordinates": [SQUARE]}}
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


def ed269(projection=None, **volume) -> str:
    volume = {"uomDimensions": "M", "lowerLimit": 0, "lowerVerticalReference": "AGL", "upperLimit": 120,
              "upperVerticalReference": "AGL", **volume,
              "horizontalProjection": projection or {"type": "Polygon", "coordinates": [SQUARE]}}
    return json.dumps({"features": [{"identifier": "e1", "restriction": "PROHIBITED", "geometry": [volume]}]})


def openair(*body: str, ac: str = "P") -> str:
    return "\n".join(["* bad file", f"AC {ac}", "AN Bad Zone", *body, ""])


HEIGHTS = ("AL GND", "AH 400ft AGL")
TRIANGLE = ("DP 30:00:00 N 096:00:00 W", "DP 30:01:00 N 096:00:00 W", "DP 30:01:00 N 096:01:00 W")

CASES = {
    # GeoJSON
    "geojson unknown unit": (
        geojson(floor={"value": 100, "unit": "furlong", "reference": "AGL"}),
        "features[0] 'z1'", "unknown unit 'furlong'"),
    "geojson unknown reference": (
        geojson(ceiling={"value": 100, "unit": "m", "reference": "QNH"}),
        "features[0] 'z1'", "unknown height reference 'QNH'"),
    "geojson height without unit": (geojson(ceiling="400 AGL"), "features[0] 'z1'", "has no unit"),
    "geojson bare number height": (geojson(ceiling=120), "features[0] 'z1'", "needs a unit and a reference"),
    "geojson unclosed ring": (
        geojson({"type": "Polygon", "coordinates": [SQUARE[:-1] + [[-96.0, 30.005]]]}),
        "features[0] 'z1'", "polygon ring 0 is not closed"),
    "geojson too few points": (
        geojson({"type": "Polygon", "coordinates": [[[-96, 30], [-95.99, 30], [-96, 30]]]}),
        "features[0] 'z1'", "has 3 positions; a closed ring needs at least 4"),
    "geojson latitude out of range": (
        geojson({"type": "Polygon", "coordinates": [[[-96, 30], [-95.99, 95], [-96, 30.01], [-96, 30]]]}),
        "features[0] 'z1' polygon ring 0", "out of range"),
    "geojson swapped lon lat": (
        geojson({"type": "Polygon", "coordinates": [[[30, -96], [30.01, -96], [30.01, -95.99], [30, -96]]]}),
        "features[0] 'z1' polygon ring 0", "look swapped"),
    "geojson circle without radius": (
        geojson({"type": "Point", "coordinates": [-96, 30]}), "features[0] 'z1'", "without a radius"),
    "geojson negative radius": (
        geojson({"type": "Point", "coordinates": [-96, 30]}, radius_m=-5), "features[0] 'z1'", "not a positive number"),
    "geojson ceiling below floor": (
        geojson(floor="400 ft AGL", ceiling="100 ft AGL"), "features[0] 'z1'", "ceiling 30 m AGL .* is not above floor"),
    "geojson unknown restriction": (geojson(restriction="forbidden"), "features[0] 'z1'", "unknown restriction 'forbidden'"),
    "geojson missing restriction": (
        json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "z1"}, "geometry": {"type": "Polygon", "coordinates": [SQUARE]}}]}),
        "features[0] 'z1'", "has no restriction"),
    "geojson missing id": (
        json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"restriction": "prohibited"}, "geometry": None}]}),
        "features[0]", "has no id"),
    "geojson unsupported geometry": (
        geojson({"type": "LineString", "coordinates": [[-96, 30], [-95, 30]]}), "features[0] 'z1'",
        "geometry type 'LineString' is not a zone"),
    "geojson collinear polygon": (
        geojson({"type": "Polygon", "coordinates": [[[-96, 30], [-95.99, 30], [-95.98, 30], [-96, 30]]]}),
        "features[0] 'z1'", "polygon has no area"),
    "geojson unknown day": (
        geojson(schedule=[{"days": ["FUNDAY"], "start": "10:00", "end": "11:00"}]), "features[0] 'z1'",
        "unknown day 'FUNDAY'"),
    "geojson bad period": (
        geojson(schedule=[{"days": ["SAT"], "begin": "10:00"}]), "features[0] 'z1'", r"schedule\[0\] .* is neither"),
    "geojson bad time": (
        geojson(schedule=[{"days": ["SAT"], "start": "25:00", "end": "26:00"}]), "features[0] 'z1'",
        "not a valid time of day"),
    "geojson window ends before it starts": (
        geojson(schedule=[{"from": "2026-06-13T10:00", "until": "2026-06-13T09:00"}]), "features[0] 'z1'",
        "ends .* before it starts"),
    "geojson unknown time zone": (geojson(timezone="Mars/Olympus"), "features[0] 'z1'", "unknown time zone"),
    "json syntax error": (
        '{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature" "properties": {}}]}',
        "line 3 column 22", "not valid JSON: Expecting ',' delimiter"),
    "not an airspace file": (
        "hello, world\nthis is not airspace\n", "",
        r"not an airspace file: tried GeoJSON \(a FeatureCollection; .*\), ED-269 .* and OpenAir \(AC records\)"),
    "json that is no airspace": ('{"type": "Topology"}', "", "not an airspace file: tried GeoJSON"),
    # ED-269
    "ed269 unknown unit": (ed269(uomDimensions="YD"), "features[0] 'e1' geometry[0]", "unknown unit 'YD'"),
    "ed269 unknown reference": (
        ed269(upperVerticalReference="QFE"), "features[0] 'e1' geometry[0]", "unknown height reference 'QFE'"),
    "ed269 limits without unit": (
        json.dumps({"features": [{"identifier": "e1", "restriction": "PROHIBITED", "geometry": [
            {"upperLimit": 120, "upperVerticalReference": "AGL",
             "horizontalProjection": {"type": "Polygon", "coordinates": [SQUARE]}}]}]}),
        "features[0] 'e1' geometry[0]", "no uomDimensions"),
    "ed269 circle without radius": (
        ed269({"type": "Circle", "center": [-96, 30]}), "features[0] 'e1' geometry[0]", "Circle without radius"),
    "ed269 ceiling below floor": (
        ed269(lowerLimit=150, upperLimit=100), "features[0] 'e1' geometry[0]", "ceiling 100 m AGL .* is not above floor 150 m AGL"),
    "ed269 unknown restriction": (
        ed269().replace('"PROHIBITED"', '"FORBIDDEN"'), "features[0] 'e1'", "unknown restriction 'FORBIDDEN'"),
    "ed269 unclosed ring": (
        ed269({"type": "Polygon", "coordinates": [SQUARE[:-1]]}), "features[0] 'e1' geometry[0]",
        "horizontalProjection ring 0 is not closed"),
    "ed269 swapped circle centre": (
        ed269({"type": "Circle", "center": [30, -96], "radius": 100}), "features[0] 'e1' geometry[0]", "look swapped"),
    "ed269 applicability that cannot be combined": (
        json.dumps({"features": [{"identifier": "e1", "restriction": "PROHIBITED", "applicability": [
            {"startDateTime": "2026-06-01T00:00:00Z", "endDateTime": "2026-07-01T00:00:00Z",
             "schedule": [{"day": ["SAT"], "startTime": "10:00", "endTime": "12:00"}]},
            {"startDateTime": "2026-08-01T00:00:00Z", "endDateTime": "2026-08-02T00:00:00Z"}],
            "geometry": [{"horizontalProjection": {"type": "Polygon", "coordinates": [SQUARE]}}]}]}),
        "features[0] 'e1'", "cannot be combined"),
    # OpenAir
    "openair unknown unit": (openair("AL GND", "AH 400 yards AGL", *TRIANGLE), "line 5",
                             "unknown unit or reference 'yards'"),
    "openair unknown reference": (openair("AL GND", "AH 400ft QNH", *TRIANGLE), "line 5",
                                  "unknown unit or reference 'QNH'"),
    "openair too few points": (openair(*HEIGHTS, *TRIANGLE[:1]), "line 2", "has 1 distinct points"),
    "openair latitude out of range": (openair(*HEIGHTS, "DP 95:00:00 N 096:00:00 W"), "line 6",
                                      "out of range"),
    "openair swapped coordinate": (openair(*HEIGHTS, "DP 096:00:00 W 30:00:00 N"), "line 6",
                                   "latitude .N/S. first"),
    "openair bad minutes": (openair(*HEIGHTS, "DP 30:61:00 N 096:00:00 W"), "line 6", "minutes or seconds of 60"),
    "openair unparsable coordinate": (openair(*HEIGHTS, "DP 30.5 N 96.2 W"), "line 6", "is not DD:MM:SS"),
    "openair circle without radius": (openair(*HEIGHTS, "V X=30:00:00 N 096:00:00 W", "DC"), "line 7",
                                      "DC without a radius"),
    "openair circle without centre": (openair(*HEIGHTS, "DC 2"), "line 6", r"without a centre: set 'V X="),
    "openair ceiling below floor": (openair("AL 500ft AGL", "AH 400ft AGL", *TRIANGLE), "line 2",
                                    "ceiling 122 m AGL .* is not above floor 152 m AGL"),
    "openair unknown class": (openair(*HEIGHTS, *TRIANGLE, ac="XYZ"), "line 2",
                              r"unknown airspace class 'XYZ' .*'\* dronedel: restriction=...'"),
    "openair unknown restriction comment": (
        openair("* dronedel: restriction=maybe", *HEIGHTS, *TRIANGLE), "line 4", "unknown restriction 'maybe'"),
    "openair missing name": ("AC P\nAL GND\nAH 400ft AGL\n" + "\n".join(TRIANGLE), "line 1", "has no name"),
    "openair missing ceiling": (openair("AL GND", *TRIANGLE), "line 2", "has no AH"),
    "openair record before AC": ("AN Orphan\nAC P\n", "line 1", "AN before the first AC"),
    "openair bad arc direction": (openair(*HEIGHTS, "V D=x"), "line 6", r"V D=x must be \+"),
    "openair arc with bad bearings": (
        openair(*HEIGHTS, "V X=30:00:00 N 096:00:00 W", "DA 1, north, 90"), "line 7", "bearings .* are not numbers"),
    "openair mixed circle and points": (
        openair(*HEIGHTS, "V X=30:00:00 N 096:00:00 W", "DC 1", TRIANGLE[0]), "line 8", "already a circle"),
    "openair airway without width": (openair(*HEIGHTS, "DY 30:00:00 N 096:00:00 W"), "line 6",
                                     r"DY without an airway width: set 'V W="),
    "openair bad activation": (openair(*HEIGHTS, "AA 2026-06-13T12:00Z", *TRIANGLE), "line 6",
                               "is not an ISO 8601 interval"),
    "openair activation with offset": (openair(*HEIGHTS, "AA 2026-06-13T12:00+02:00/NONE", *TRIANGLE), "line 6",
                                       "is not UTC"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_message_names_file_place_and_problem(tmp_path, case):
    text, where, problem = CASES[case]
    path = tmp_path / "bad_input.dat"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_zones(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert where in message, message
    assert re.search(problem, message), message
    assert info.value.source == str(path)


def test_duplicate_zone_ids_across_files_name_both_places(tmp_path):
    first, second = tmp_path / "a.geojson", tmp_path / "b.txt"
    first.write_text(geojson(id="stadium"))
    second.write_text(openair(*HEIGHTS, *TRIANGLE).replace("AN Bad Zone", "AN Stadium"))
    with pytest.raises(InputError) as info:
        read_airspace([first, second])
    message = str(info.value)
    assert message.startswith(f"{second}: line 2: zone id 'stadium' is already used by {first} features[0] 'stadium'")


def test_duplicate_ids_within_a_json_file(tmp_path):
    data = json.loads(geojson())
    data["features"].append(data["features"][0])
    path = tmp_path / "dup.geojson"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"dup\.geojson: features\[1\] 'z1': zone id 'z1' is already used by .*features\[0\]"):
        read_airspace(path)


@pytest.mark.parametrize("fmt, text, where", [
    ("geojson", geojson({"type": "Polygon", "coordinates": [
        [[-96, 30], [-95.99, 30.01], [-95.99, 30], [-96, 30.01], [-96, 30]]]}), "features[0] 'z1'"),
    ("openair", openair(*HEIGHTS, "DP 30:00:00 N 096:00:00 W", "DP 30:01:00 N 095:59:00 W",
                        "DP 30:00:00 N 095:59:00 W", "DP 30:01:00 N 096:00:00 W"), "line 2"),
])
def test_bow_tie_is_repaired_with_a_warning_naming_it(tmp_path, fmt, text, where):
    path = tmp_path / f"bowtie.{fmt}"
    path.write_text(text)
    with pytest.warns(InputWarning) as record:
        (zone,) = read_zones(path)
    message = str(record[0].message)
    assert message.startswith(f"{path}: {where}: invalid polygon (Self-intersection")
    assert "repaired with shapely.make_valid" in message
    assert zone.geometry.geom_type == "MultiPolygon" and len(zone.geometry.geoms) == 2


def test_db_end_point_off_the_circle_warns(tmp_path):
    path = tmp_path / "db.txt"
    path.write_text(openair(*HEIGHTS, "V X=30:00:00 N 096:00:00 W", "DB 30:01:00 N 096:00:00 W, 29:58:00 N 096:00:00 W"))
    with pytest.warns(InputWarning, match=r"db\.txt: line 7: DB end point is 3695 m from the centre but the start 1848 m"):
        read_zones(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="nope.geojson: file not found"):
        read_zones(tmp_path / "nope.geojson")
    with pytest.raises(InputError, match="is a directory"):
        read_zones(tmp_path)


def test_unknown_format_name():
    with pytest.raises(InputError, match=r"--format: unknown airspace format 'kml' \(expected one of geojson, ed269, openair, uasfm, nsufr\)"):
        read_zones("whatever", format="kml")


def test_operating_area_must_be_polygonal(tmp_path):
    path = tmp_path / "area.geojson"
    path.write_text(json.dumps({"type": "Point", "coordinates": [-96, 30]}))
    with pytest.raises(InputError, match=r"area\.geojson: geometry: operating area must be a Polygon or MultiPolygon, not 'Point'"):
        read_operating_area(path)


def test_clean_inputs_raise_no_warnings(tmp_path):
    path = tmp_path / "ok.geojson"
    path.write_text(geojson())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(read_zones(path)) == 1
