"""OpenAir 2 (Naviter 2.1) records, wires and airways as line obstacles, encodings and line ends."""

import math
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pytest
import shapely

from dronedel.airspace import Airspace, Restriction, read_zones
from dronedel.airspace.openair import LINE_HAZARD_M, LINE_VERTICAL_BUFFER_M, parse_activation, parse_openair
from dronedel.airspace.schedule import OPEN_END, OPEN_START
from dronedel.errors import InputError, InputWarning
from dronedel.geo import LocalFrame

DATA = Path(__file__).parent / "data" / "airspace"
UTC = timezone.utc
FT = 0.3048


@pytest.fixture(scope="module")
def zones():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        return {z.id: z for z in read_zones(DATA / "openair2.openair.txt")}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_header_type_frequency_station_and_transponder(zones):
    tower = zones["tower-ctr"]
    assert tower.kind == "class D CTR"
    assert tower.restriction is Restriction.REQUIRES_AUTHORISATION
    assert tower.properties["frequency"] == "118.500"
    assert tower.properties["station"] == "Tower Radio"
    assert tower.properties["transponder"] == "7000"
    assert tower.properties["openair_version"] == "2.0"
    assert tower.properties["written_by"].startswith("hand-written fixture")


def test_unclassified_airspace_takes_its_restriction_from_the_type(zones):
    assert zones["range-fixed"].restriction is Restriction.CONDITIONAL  # AY Q
    assert zones["range-by-notam"].restriction is Restriction.REQUIRES_AUTHORISATION  # AY R
    assert zones["information-sector"].restriction is Restriction.NO_RESTRICTION  # AC G, AY FIS


def test_activation_intervals_become_the_schedule(zones):
    fixed = zones["range-fixed"]
    assert not fixed.is_active(at("2026-06-13T11:59:59"))
    assert fixed.is_active(at("2026-06-13T12:00:00")) and fixed.is_active(at("2026-06-13T13:59:00"))
    assert not fixed.is_active(at("2026-06-13T14:00:00"))
    assert fixed.is_active(at("2026-06-14T23:59:00"))  # T24:00 closes the whole day
    assert not fixed.is_active(at("2026-06-15T00:00:00"))
    assert fixed.is_active(at("2026-06-13T10:00:00"), at("2026-06-13T12:30:00"))  # a flight spanning the start


def test_open_ended_and_open_started_intervals(zones):
    assert not zones["range-open-end"].is_active(at("2026-06-13T11:00:00"))
    assert zones["range-open-end"].is_active(at("2031-01-01T00:00:00"))
    assert zones["range-open-start"].is_active(at("2001-01-01T00:00:00"))
    assert not zones["range-open-start"].is_active(at("2026-06-13T12:00:00"))
    assert zones["range-open-end"].schedule.describe().endswith("to ...")


def test_aa_none_is_inactive_until_announced_but_blocks_a_plan_for_any_time(zones):
    notam = zones["range-by-notam"]
    assert notam.schedule.until_announced and not notam.schedule.permanent
    assert not notam.is_active(at("2026-06-13T12:00:00"))
    assert notam.is_active(None)  # "at any time" is the conservative answer
    assert notam.schedule.describe() == "inactive until announced"


@pytest.mark.parametrize("text, expected", [
    ("2023-12-16T12:00Z/2023-12-16T13:00Z", (at("2023-12-16T12:00"), at("2023-12-16T13:00"))),
    ("2024-12-17T00:00Z/2024-12-17T24:00Z", (at("2024-12-17T00:00"), at("2024-12-18T00:00"))),
    ("2024-12-17T00:00Z/NONE", (at("2024-12-17T00:00"), OPEN_END)),
    ("NONE/2024-12-18T00:00Z", (OPEN_START, at("2024-12-18T00:00"))),
    ("NONE", None),
    ("2024-12-17T00:00:00+00:00/2024-12-17T01:00:00Z", (at("2024-12-17T00:00"), at("2024-12-17T01:00"))),
])
def test_activation_forms_of_the_specification(text, expected):
    assert parse_activation(text) == expected


@pytest.mark.parametrize("text, problem", [
    ("2024-12-17T02:00Z/2024-12-17T01:00Z", "ends before it starts"),
    ("NONE/NONE", "neither a start nor an end"),
    ("2024-12-17T02:00+01:00/NONE", "not UTC"),
    ("tomorrow/NONE", "not ISO 8601"),
])
def test_bad_activation_intervals(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_activation(text)


def test_aa_none_overrides_other_intervals():
    text = "\n".join(["AC R", "AN Later", "AA 2026-01-01T00:00Z/2026-01-02T00:00Z", "AA NONE", "AL GND",
                      "AH 400ft AGL", "DP 30:00:00 N 096:00:00 W", "DP 30:01:00 N 096:00:00 W",
                      "DP 30:01:00 N 096:01:00 W"])
    (zone,) = parse_openair(text)
    assert not zone.is_active(at("2026-01-01T12:00"))


def test_airway_is_its_centreline_buffered_by_half_the_width(zones):
    airway = zones["v15-airway"]
    assert airway.line is not None and airway.kind == "class E AWY airway"
    frame = LocalFrame(-96.333, 30.667)
    local = frame.geometry_to_local(airway.geometry)
    line = frame.geometry_to_local(airway.line)
    half = 2 * 1852.0  # V W=4 nm
    assert local.area == pytest.approx(line.length * 2 * half, rel=2e-3)  # flat ends: a rectangle
    lon, lat = -96.333, 30 + 40 / 60 + 1.99 * 1852 / 111_320  # just inside its northern edge
    assert airway.geometry.contains(shapely.Point(lon, lat))
    assert not airway.geometry.contains(shapely.Point(lon, lat + 0.02 * 1852 / 111_320 * 10))
    assert not airway.geometry.contains(shapely.Point(-96.5 - 0.01, 30 + 40 / 60))  # cut square at the ends


def test_two_point_cable_at_one_height_is_a_thin_buffered_layer(zones):
    cable = zones["power-line-brazos"]
    assert cable.kind == "class R line obstacle" and cable.line is not None
    assert list(cable.line.coords) == [(-(96 + 17 / 60), 30 + 34 / 60), (-(96 + 16 / 60), 30 + 34 / 60)]
    assert cable.floor.metres == pytest.approx(200 * FT - LINE_VERTICAL_BUFFER_M)
    assert cable.ceiling.metres == pytest.approx(200 * FT + LINE_VERTICAL_BUFFER_M)
    frame = LocalFrame(-96.275, 30.5667)
    strip = frame.geometry_to_local(cable.geometry)
    line = frame.geometry_to_local(cable.line)
    assert strip.contains(line.buffer(LINE_HAZARD_M, quad_segs=64))  # contains the true hazard strip
    assert line.buffer(LINE_HAZARD_M + 1.0, quad_segs=64).contains(strip)  # within the 1 m tolerance of it


def test_open_polyline_wire_keeps_its_pylons(zones):
    ropeway = zones["ropeway-creek"]
    assert len(ropeway.line.coords) == 3
    assert ropeway.floor.metres == pytest.approx(150 * FT - LINE_VERTICAL_BUFFER_M)


def test_wires_block_flights_whose_band_crosses_them(zones):
    airspace = Airspace([zones["power-line-brazos"], zones["ropeway-creek"]])
    assert {z.id for z in airspace.blocking(0, 60)} == {"power-line-brazos", "ropeway-creek"}
    assert {z.id for z in airspace.blocking(0, 40)} == {"ropeway-creek"}  # the cable layer starts at 46 m
    assert airspace.blocking(80, 120) == []  # above both layers


def test_floor_equal_to_ceiling_at_the_ground_stays_above_it():
    text = "\n".join(["AC R", "AN Fence", "AL GND", "AH GND", "DP 30:00:00 N 096:00:00 W",
                      "DP 30:00:00 N 096:01:00 W"])
    (zone,) = parse_openair(text)
    assert zone.floor.metres == 0 and zone.ceiling.metres == LINE_VERTICAL_BUFFER_M


def test_collinear_closed_record_is_a_line_and_a_triangle_stays_a_polygon():
    base = ["AC R", "AN X", "AL GND", "AH 400ft AGL"]
    flat = parse_openair("\n".join([*base, "DP 30:00:00 N 096:00:00 W", "DP 30:00:00 N 096:01:00 W",
                                    "DP 30:00:00 N 096:02:00 W", "DP 30:00:00 N 096:00:00 W"]))[0]
    tri = parse_openair("\n".join([*base, "DP 30:00:00 N 096:00:00 W", "DP 30:00:00 N 096:01:00 W",
                                   "DP 30:01:00 N 096:01:00 W"]))[0]
    assert flat.line is not None and tri.line is None
    assert tri.geometry.area == pytest.approx(0.5 / 3600, rel=1e-9)


def test_shape_directive_forces_a_line():
    text = "\n".join(["AC R", "AN Zigzag", "* dronedel: shape=line", "AL GND", "AH 100ft AGL",
                      "DP 30:00:00 N 096:00:00 W", "DP 30:01:00 N 096:00:00 W", "DP 30:01:00 N 096:01:00 W"])
    (zone,) = parse_openair(text)
    assert zone.line is not None and len(zone.line.coords) == 3


def test_unknown_command_is_warned_once_per_file(tmp_path):
    with pytest.warns(InputWarning) as record:
        read_zones(DATA / "openair2.openair.txt")
    messages = [str(w.message) for w in record if "unknown OpenAir command" in str(w.message)]
    assert messages == [f"{DATA / 'openair2.openair.txt'}: unknown OpenAir command 'AZ' skipped on 2 line(s), "
                        "first line 91"]


def test_bad_transponder_code_is_kept_with_a_warning():
    text = "\n".join(["AC D", "AN Squawk", "AX 8888", "AL GND", "AH 400ft AGL", "V X=30:00:00 N 096:00:00 W",
                      "DC 1"])
    with pytest.warns(InputWarning, match=r"line 3: AX '8888' is not a 4-digit transponder code"):
        (zone,) = parse_openair(text)
    assert zone.properties["transponder"] == "8888"


def test_dy_with_a_polygon_point_is_an_error():
    text = "\n".join(["AC E", "AN Mixed", "AL GND", "AH FL100", "V W=2", "DY 30:00:00 N 096:00:00 W",
                      "DP 30:01:00 N 096:00:00 W"])
    with pytest.raises(InputError, match=r"line 7: DP in a record that is already an airway"):
        parse_openair(text, "mixed.txt")


# --- encodings and line ends -------------------------------------------------------------------------------

SIMPLE = "AC P\nAN Zürich Süd\nAL GND\nAH 400ft AGL\nV X=47:21:00 N 008:30:00 E\nDC 1\n"


@pytest.mark.parametrize("encoding, newline", [
    ("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("utf-8", "\r"), ("cp1252", "\r\n"), ("latin-1", "\n"), ("utf-16", "\n"),
])
def test_encodings_and_line_ends_are_detected(tmp_path, encoding, newline):
    path = tmp_path / "zone.txt"
    path.write_bytes(SIMPLE.replace("\n", newline).encode(encoding))
    (zone,) = read_zones(path)
    assert zone.name == "Zürich Süd" and zone.id == "zuerich-sued"
    assert zone.circle.radius_m == 1852.0


def test_windows_1252_national_export_with_umlauts():
    zones = {z.id: z for z in read_zones(DATA / "umlauts.cp1252.openair.txt")}
    assert zones["flugplatz-grenchen-suedwest-strasse"].name == "Flugplatz Grenchen Südwest – Straße"
    cable = zones["zuerich-seilbahn-ueetliberg"]
    assert cable.name == "Zürich Seilbahn Üetliberg" and cable.line is not None


def test_encoding_can_be_forced(tmp_path):
    forced = {z.id: z for z in read_zones(DATA / "umlauts.cp1252.openair.txt", encoding="latin-1")}
    assert forced["flugplatz-grenchen-suedwest-strasse"].name == "Flugplatz Grenchen Südwest \x96 Straße"
    with pytest.raises(InputError, match=r"umlauts\.cp1252\.openair\.txt: not valid utf-8 text \(byte \d+\)"):
        read_zones(DATA / "umlauts.cp1252.openair.txt", encoding="utf-8")
    with pytest.raises(InputError, match="--encoding: unknown encoding 'klingon'"):
        read_zones(DATA / "umlauts.cp1252.openair.txt", encoding="klingon")


def test_heights_in_each_reference_of_the_specification():
    text = "\n".join(["AC D", "AN Levels", "AL 1000ft AGL", "AH FL145", "V X=30:00:00 N 096:00:00 W", "DC 1"])
    (zone,) = parse_openair(text)
    assert zone.floor.metres == pytest.approx(304.8) and zone.ceiling.metres == pytest.approx(14500 * FT)
    assert math.isinf(parse_openair(text.replace("FL145", "UNL"))[0].ceiling.metres)


def test_wires_and_airways_are_drawn_as_lines(zones):
    from matplotlib.figure import Figure

    from dronedel.plot.basemap import draw_basemap

    ax = Figure().add_subplot()
    handles = draw_basemap(ax, Airspace(list(zones.values())), band_agl=(0.0, 60.0))
    unfilled = [p for p in ax.patches if not p.get_fill()]
    assert len(unfilled) == 3  # the airway's centreline and the two wires
    assert any(h.get_label() == "wire or airway (hazard strip)" for h in handles)
