"""Operational intents exported to UTM: ASTM F3548-21 OperationalIntentDetails checked against the
InterUSS uas-standards types, planned trajectories inside the exported volumes, the EGM96 geoid,
intents.geojson, and bad intent files."""

import copy
import csv
import json
import math
import re
import warnings
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from implicitdict import ImplicitDict
from uas_standards.astm.f3548.v21 import api, constants

from dronedel.airspace import site_airspace
from dronedel.cli import main
from dronedel.config import load_site
from dronedel.data import example_path
from dronedel.dispatch import plan_day
from dronedel.errors import InputError, InputWarning
from dronedel.geo import LocalFrame
from dronedel.intent import Volumes, segment_distance
from dronedel.intent.f3548 import (
    MAX_VERTICES, SCHEMA, buffer_radius_m, intents_document, outline_rings, write_intents,
)
from dronedel.intent.geoid import Undulation, find_geoid_grid, geoid_undulation, grid_undulation
from dronedel.intent.intentfile import parse_intents, read_intents
from dronedel.orders import load_orders

CONFIG = load_site(example_path("site.toml"))
AIRSPACE = site_airspace(CONFIG)
FRAME = LocalFrame(CONFIG.site.lon, CONFIG.site.lat)
GRID = find_geoid_grid()
needs_grid = pytest.mark.skipif(GRID is None, reason="no EGM96 geoid grid installed (apt-get install proj-data)")
#: The undulation the tests plan with when they do not test the geoid itself.
N = Undulation(-28.0, "site file")


def write_day(path: Path, seed: int, n: int, radius_m: float = 4000.0) -> Path:
    """``n`` orders within ``radius_m`` of the example depot in one busy hour (12:00-13:00 local)."""
    rng = np.random.default_rng(seed)
    r = radius_m * np.sqrt(rng.uniform(0.01, 1, n))
    a = rng.uniform(0, 2 * np.pi, n)
    lon, lat = FRAME.to_lonlat(r * np.sin(a), r * np.cos(a))
    t = np.sort(rng.uniform(12 * 3600, 13 * 3600, n))
    with path.open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["order_id", "placed_at", "lon", "lat", "weight_kg"])
        for i in range(n):
            when = (datetime(2026, 6, 13) + timedelta(seconds=float(t[i]))).isoformat(timespec="seconds")
            w.writerow([f"G{i:03d}", when, f"{lon[i]:.6f}", f"{lat[i]:.6f}", "1.5"])
    return path


def plan_of(path: Path, config=CONFIG):
    return plan_day(config, load_orders(path, config.site.tz, config.planning.start), AIRSPACE, source=str(path))


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    folder = tmp_path_factory.mktemp("intents")
    plan = plan_of(write_day(folder / "orders.csv", 7, 14))
    assert len(plan.accepted) >= 8
    json_path, geojson_path = write_intents(plan, folder, N)
    return plan, json_path, geojson_path


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- the geoid ---------------------------------------------------------------------------

@needs_grid
def test_geoid_from_the_grid():
    n = geoid_undulation(CONFIG)
    assert n.source == "grid" and n.grid == GRID.name and n.model == "EGM96"
    assert n.value_m == pytest.approx(-28.0, abs=0.15)  # EGM96 at College Station
    assert grid_undulation(0.0, 0.0, GRID) == pytest.approx(17.16, abs=0.05)  # the published value at (0, 0)
    assert grid_undulation(147.0, -42.0, GRID) != pytest.approx(n.value_m, abs=5)


def test_geoid_from_the_site_file_without_a_grid():
    n = geoid_undulation(CONFIG, search=())
    assert (n.value_m, n.source, n.grid) == (-28.0, "site file", None)


def test_missing_geoid_is_an_error_naming_the_key():
    config = replace(CONFIG, site=replace(CONFIG.site, geoid_undulation_m=None))
    with pytest.raises(InputError, match=r"site\.toml: \[site\] geoid_undulation_m: no EGM96 geoid grid") as info:
        geoid_undulation(config, search=())
    assert info.value.source == str(CONFIG.path)


@needs_grid
def test_a_stated_undulation_far_from_the_grid_warns():
    config = replace(CONFIG, site=replace(CONFIG.site, geoid_undulation_m=28.0))  # sign slip
    with pytest.warns(InputWarning, match=r"geoid_undulation_m = 28 m differs from the EGM96 grid's -27\.9"):
        n = geoid_undulation(config)
    assert n.source == "grid"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        geoid_undulation(CONFIG)  # -28.0 agrees


def test_an_unreadable_grid_is_an_error_naming_it(tmp_path):
    (tmp_path / "egm96_15.gtx").write_bytes(b"not a grid")
    with pytest.raises(InputError, match=r"egm96_15\.gtx: PROJ cannot read the geoid grid"):
        geoid_undulation(CONFIG, search=[tmp_path])


# --- the exported shapes ---------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(ax=st.floats(-20_000, 20_000), ay=st.floats(-20_000, 20_000), length=st.floats(0, 600),
       heading=st.floats(0, 2 * math.pi), radius=st.floats(0, 80), quad_segs=st.sampled_from([1, 2, 4, 8, 16]))
def test_outline_contains_the_capsule(ax, ay, length, heading, radius, quad_segs):
    """Points on the capsule's edge (radius from its segment) lie inside the exported lon/lat polygon."""
    bx, by = ax + length * math.sin(heading), ay + length * math.cos(heading)
    one = lambda x: np.array([x], float)  # noqa: E731
    v = Volumes(one(ax), one(ay), one(bx), one(by), one(radius), one(0), one(10), one(0), one(1), np.zeros(1, np.int8))
    ring = outline_rings(v, FRAME, quad_segs)[0]
    assert len(ring) >= 3 and ring[0] != ring[-1] and len({tuple(p) for p in ring}) == len(ring)
    polygon = shapely.Polygon(ring)
    assert polygon.is_valid and polygon.exterior.is_ccw
    # the edge of the capsule: both caps' half circles and the two sides
    u = np.linspace(0, 2 * np.pi, 721)
    t = np.linspace(0, 1, 50)
    edge_r = max(radius, 0.5)
    side = np.array([-math.cos(heading), math.sin(heading)])  # unit normal to the segment
    px = np.r_[ax + edge_r * np.sin(u), bx + edge_r * np.sin(u), ax + t * (bx - ax) + edge_r * side[0],
               ax + t * (bx - ax) - edge_r * side[0]]
    py = np.r_[ay + edge_r * np.cos(u), by + edge_r * np.cos(u), ay + t * (by - ay) + edge_r * side[1],
               ay + t * (by - ay) - edge_r * side[1]]
    lon, lat = FRAME.to_lonlat(px, py)
    assert shapely.contains_xy(polygon, lon, lat).all()
    # ... and not much more: no vertex is farther than the buffer radius (+ 1 cm of rounding)
    x, y = FRAME.to_local(*np.asarray(ring).T)
    far = Volumes(x, y, x, y, np.zeros(len(x)), *(np.zeros(len(x)) for _ in range(4)), np.zeros(len(x), np.int8))
    seg = Volumes(*(np.full(len(x), c) for c in (ax, ay, bx, by, 0, 0, 0, 0, 0)), np.zeros(len(x), np.int8))
    assert segment_distance(far, seg).max() <= buffer_radius_m(radius, quad_segs) + 0.01


def test_times_and_altitudes(day):
    plan, json_path, _ = day
    doc = json.loads(json_path.read_text())
    assert doc["schema"] == SCHEMA and doc["altitude"]["geoid"] == N.as_dict()
    assert doc["plan_start"] == "2026-06-13T05:00:00.000Z"  # local midnight, CDT (UTC-5)
    by_order = {d.order_id: d.flight for d in plan.accepted}
    for intent in doc["intents"]:
        f = by_order[intent["order_id"]]
        v = f.volumes(CONFIG.aircraft, CONFIG.separation)
        vols = intent["details"]["volumes"]
        assert len(vols) == len(v) and intent["volume_kinds"][0] == "climb"
        for k, vol in enumerate(vols):
            lower, upper = vol["volume"]["altitude_lower"]["value"], vol["volume"]["altitude_upper"]["value"]
            assert lower == pytest.approx(v.z_lo[k] + 90.0 - 28.0, abs=5e-4)
            assert upper == pytest.approx(v.z_hi[k] + 90.0 - 28.0, abs=5e-4)
            start, end = _utc(vol["time_start"]["value"]), _utc(vol["time_end"]["value"])
            assert abs(start - plan.at(v.t_lo[k])) <= timedelta(microseconds=500)
            assert abs(end - plan.at(v.t_hi[k])) <= timedelta(microseconds=500)
        assert intent["pad"] == CONFIG.separation.pads[f.pad].name
        assert (intent["layers_m_agl"]["outbound"], intent["layers_m_agl"]["return"]) == f.layers
    assert [i["order_id"] for i in doc["intents"]] == sorted(by_order, key=lambda o: by_order[o].takeoff_s)


def test_every_intent_is_an_f3548_operational_intent(day):
    _, json_path, _ = day
    doc = json.loads(json_path.read_text())
    assert doc["intents"]
    for intent in doc["intents"]:
        assert intent["state"] == api.OperationalIntentState.Accepted
        details = ImplicitDict.parse(intent["details"], api.OperationalIntentDetails)
        assert details.priority == 0 and details.off_nominal_volumes == []
        vertices = 0
        for volume in details.volumes:
            shape = volume.volume
            assert "outline_circle" not in shape
            points = [(p.lng, p.lat) for p in shape.outline_polygon.vertices]
            assert len(points) >= 3 and len(set(points)) == len(points)  # no vertex twice, last is not first
            assert shapely.Polygon(points).is_valid
            vertices += len(points)
            for bound in (shape.altitude_lower, shape.altitude_upper):
                assert bound.reference == api.AltitudeReference.W84 and bound.units == api.AltitudeUnits.M
            assert shape.altitude_lower.value < shape.altitude_upper.value
            for time in (volume.time_start, volume.time_end):
                assert time.format == api.TimeFormat.RFC3339
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", time.value)
            assert volume.time_start.value.datetime < volume.time_end.value.datetime
        assert vertices <= constants.OiMaxVertices == MAX_VERTICES


def _inside(intent, plan, flight, n_m: float, step_s: float = 0.5) -> np.ndarray:
    """Whether each sample of ``flight``'s planned path (every ``step_s``) lies in one of ``intent``'s volumes."""
    b = flight.path(CONFIG.aircraft).bounds_s
    t = np.arange(b[0], b[-1], step_s)
    xyz = flight.path(CONFIG.aircraft).positions(t)
    lon, lat = FRAME.to_lonlat(xyz[:, 0], xyz[:, 1])
    h = xyz[:, 2] + CONFIG.site.elevation_m + n_m
    when = np.array([plan.at(s).astimezone(timezone.utc).timestamp() for s in t])
    inside = np.zeros(len(t), bool)
    for vol in intent.volumes:
        live = (when >= vol.start.timestamp()) & (when <= vol.end.timestamp())
        live &= (h >= vol.lower_m - 1e-6) & (h <= vol.upper_m + 1e-6)
        inside[live] |= shapely.contains_xy(vol.outline, lon[live], lat[live])
    return inside


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 12), radius_m=st.sampled_from([1500.0, 4000.0, 7000.0]))
def test_planned_trajectories_stay_inside_the_exported_volumes(tmp_path_factory, seed, n, radius_m):
    """... and no two flights' exported volumes intersect."""
    folder = tmp_path_factory.mktemp("day")
    plan = plan_of(write_day(folder / "orders.csv", seed, n, radius_m))
    json_path, _ = write_intents(plan, folder, N)
    intents = read_intents(json_path)
    assert len(intents.intents) == len(plan.accepted)
    _meeting(intents)
    for d in plan.accepted:
        inside = _inside(intents.intent(d.order_id), plan, d.flight, N.value_m)
        assert inside.all(), f"{d.order_id}: {np.count_nonzero(~inside)} samples outside"


def _w84(intents):
    """Every exported volume: outlines, altitude bands, time windows (POSIX s) and owners."""
    rows = [(v.outline, v.lower_m, v.upper_m, v.start.timestamp(), v.end.timestamp(), k)
            for k, i in enumerate(intents.intents) for v in i.volumes]
    outline, *columns = zip(*rows)
    return np.array(outline), *(np.array(c) for c in columns)


def test_exported_volumes_of_different_flights_stay_apart(day):
    """Deconflicted flights' exported volumes do not intersect in altitude and time where their outlines
    meet: rounding keeps the stacked layers (bands that touch) and touching windows apart."""
    assert _meeting(read_intents(day[1])) > 0  # the outlines do meet (pads, shared corridors)


def _meeting(intents) -> int:
    """Assert no two flights' exported volumes intersect in 4D (the deconfliction keeps the capsules apart
    by what the export adds to them, ``buffer_radius_m``); return how many pairs meet in plan view."""
    outline, lower, upper, start, end, owner = _w84(intents)
    a, b = shapely.STRtree(outline).query(outline, predicate="intersects")
    other = owner[a] < owner[b]
    a, b = a[other], b[other]
    together = (start[a] < end[b]) & (start[b] < end[a]) & (lower[a] < upper[b]) & (lower[b] < upper[a])
    assert not together.any(), [(intents.intents[owner[i]].order_id, intents.intents[owner[j]].order_id)
                                for i, j in zip(a[together], b[together])]
    return len(a)


def test_geojson_of_the_volumes(day):
    plan, json_path, geojson_path = day
    doc, features = json.loads(json_path.read_text()), json.loads(geojson_path.read_text())["features"]
    volumes = [(i["order_id"], k, v) for i in doc["intents"]
               for k, v in zip(i["volume_kinds"], i["details"]["volumes"])]
    assert len(features) == len(volumes)
    for feature, (order_id, kind, v) in zip(features, volumes):
        ring = feature["geometry"]["coordinates"][0]
        assert feature["geometry"]["type"] == "Polygon" and ring[0] == ring[-1]
        assert shapely.LinearRing(ring).is_ccw  # RFC 7946: exterior rings counter-clockwise
        assert ring[:-1] == [[p["lng"], p["lat"]] for p in v["volume"]["outline_polygon"]["vertices"]]
        p = feature["properties"]
        assert (p["order_id"], p["kind"]) == (order_id, kind)
        assert p["altitude_lower_m_w84"] == v["volume"]["altitude_lower"]["value"]
        assert p["altitude_upper_m_w84"] == v["volume"]["altitude_upper"]["value"]
        assert (p["time_start"], p["time_end"]) == (v["time_start"]["value"], v["time_end"]["value"])


def test_read_back(day):
    plan, json_path, _ = day
    intents = read_intents(json_path)
    assert intents.geoid == N and intents.plan_start == plan.start
    assert set(intents.pads) == {p.name for p in CONFIG.separation.pads}
    lon, lat = intents.pads["pad-ne"]
    assert FRAME.to_local(lon, lat)[0] == pytest.approx(30.0, abs=0.02)
    first = intents.intents[0]
    assert first.state == "Accepted" and first.priority == 0 and first.volumes[0].kind == "climb"
    assert first.volumes[0].outline.contains(shapely.Point(intents.pads[first.pad]))
    with pytest.raises(KeyError):
        intents.intent("nobody")


def test_too_many_vertices_is_an_error_naming_slice_s(tmp_path):
    config = replace(CONFIG, separation=replace(CONFIG.separation, slice_s=0.4))
    plan = plan_of(write_day(tmp_path / "orders.csv", 3, 4, 6000.0), config)
    with pytest.raises(InputError, match=r"site\.toml: \[separation\] slice_s: order G\d+: its operational intent "
                                         r"would have \d+ vertices .* more than ASTM F3548-21 allows \(10000\)"):
        intents_document(plan, N)


@needs_grid
def test_plan_command_writes_the_intents(tmp_path, capsys):
    orders = write_day(tmp_path / "orders.csv", 11, 5)
    assert main(["plan", "--site", str(example_path("site.toml")), "--orders", str(orders), "-o",
                 str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert f"intents (ASTM F3548-21): {tmp_path / 'out' / 'intents.json'}" in out
    assert f"intent volumes (GeoJSON): {tmp_path / 'out' / 'intents.geojson'}" in out
    intents = read_intents(tmp_path / "out" / "intents.json")
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert len(intents.intents) == plan["summary"]["accepted"] > 0
    assert intents.geoid.source == "grid" and intents.geoid.value_m == pytest.approx(-27.98, abs=0.01)


# --- bad intent files ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def document(day):
    doc = json.loads(day[1].read_text())
    doc["intents"] = doc["intents"][:2]
    return doc


def _vertices(doc):
    return doc["intents"][1]["details"]["volumes"][2]["volume"]["outline_polygon"]["vertices"]


BAD = {
    "schema": (lambda d: d.update(schema="dronedel-intents/9"), "$.schema", "is not 'dronedel-intents/1'"),
    "missing": (lambda d: d["intents"][0].pop("details"), "$.intents[0]", "missing field 'details'"),
    "extra": (lambda d: d["intents"][0]["details"].update(uss="x"), "$.intents[0].details.uss", "unknown field"),
    "state": (lambda d: d["intents"][0].update(state="Flying"), "$.intents[0].state", "not one of Accepted"),
    "lat": (lambda d: _vertices(d)[3].update(lat=95.0), "volumes[2].volume.outline_polygon.vertices[3].lat",
            "outside [-90, 90]"),
    "lng text": (lambda d: _vertices(d)[0].update(lng="-96.27"), "outline_polygon.vertices[0].lng",
                 "must be a finite number"),
    "closed": (lambda d: _vertices(d).append(dict(_vertices(d)[0])), "outline_polygon.vertices[",
               "repeats the first vertex"),
    "two": (lambda d: _vertices(d).__delitem__(slice(2, None)), "outline_polygon.vertices",
            "at least 3 vertices"),
    "reference": (lambda d: d["intents"][1]["details"]["volumes"][0]["volume"]["altitude_upper"].update(
        reference="SFC"), "$.intents[1].details.volumes[0].volume.altitude_upper.reference", "not one of W84"),
    "band": (lambda d: d["intents"][1]["details"]["volumes"][0]["volume"]["altitude_upper"].update(value=0.0),
             "$.intents[1].details.volumes[0].volume.altitude_upper", "is not above altitude_lower"),
    "no Z": (lambda d: d["intents"][0]["details"]["volumes"][1]["time_end"].update(value="2026-06-13T17:05:00"),
             "$.intents[0].details.volumes[1].time_end.value", "not an RFC 3339 UTC time"),
    "order": (lambda d: d["intents"][0]["details"]["volumes"][1]["time_end"].update(
        value="2000-01-01T00:00:00Z"), "$.intents[0].details.volumes[1].time_end", "is not after time_start"),
    "off-nominal": (lambda d: d["intents"][0]["details"].update(
        off_nominal_volumes=[d["intents"][0]["details"]["volumes"][0]]),
        "$.intents[0].details.off_nominal_volumes", "has no off-nominal volumes"),
    "empty": (lambda d: d["intents"][0]["details"].update(volumes=[]), "$.intents[0].details.volumes",
              "needs at least one volume"),
    "kinds": (lambda d: d["intents"][0]["volume_kinds"].pop(), "$.intents[0].volume_kinds", "kinds for"),
    "pad": (lambda d: d["intents"][1].update(pad="pad-x"), "$.intents[1].pad", "not one of the site's pads"),
    "priority": (lambda d: d["intents"][1]["details"].update(priority="high"), "$.intents[1].details.priority",
                 "must be an integer"),
    "vertices": (lambda d: (d["intents"][0]["details"]["volumes"].extend(d["intents"][0]["details"]["volumes"] * 20),
                            d["intents"][0]["volume_kinds"].extend(d["intents"][0]["volume_kinds"] * 20)),
                 "$.intents[0].details", "more than ASTM F3548-21 allows in one intent (10000)"),
    "geoid": (lambda d: d["altitude"]["geoid"].update(source="guess"), "$.altitude.geoid.source",
              "not one of grid, site file"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_intent_files(document, tmp_path, case):
    change, where, problem = BAD[case]
    doc = copy.deepcopy(document)
    change(doc)
    path = tmp_path / "intents.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as info:
        read_intents(path)
    message = str(info.value)
    assert message.startswith(f"{path}: $") and where in info.value.where and problem in message, message
    parse_intents(copy.deepcopy(document), "ok")  # the unchanged document is fine


def test_intent_file_that_does_not_parse(tmp_path):
    path = tmp_path / "intents.json"
    path.write_text('{"schema": "dronedel-intents/1",\n "intents": [}\n')
    with pytest.raises(InputError, match=r"intents\.json: line 2 column 14: not valid JSON: Expecting value"):
        read_intents(path)
    with pytest.raises(InputError, match="file not found"):
        read_intents(tmp_path / "none.json")
    path.write_text("[]")
    with pytest.raises(InputError, match=r"intents\.json: \$: must be an object, not an array"):
        read_intents(path)


# --- drawing -------------------------------------------------------------------------------

def test_intent_and_pads_drawn(day):
    from matplotlib.figure import Figure

    from dronedel.plot.intent import KIND_COLOURS, add_depot_inset, draw_intent

    plan, json_path, _ = day
    intents = read_intents(json_path)
    intent = intents.intents[0]
    ax = Figure().add_subplot()
    handles = draw_intent(ax, intent)
    assert len(ax.patches) == len(intent.volumes)
    for patch, volume in zip(ax.patches, intent.volumes):
        assert patch.get_facecolor()[3] < 0.1  # translucent
        assert patch.get_edgecolor()[:3] == pytest.approx([int(KIND_COLOURS[volume.kind][i:i + 2], 16) / 255
                                                           for i in (1, 3, 5)])
    labels = [h.get_label() for h in handles]
    assert f"intent: outbound at {intent.layers_m_agl[0]:g} m AGL (" in labels[1] and labels[0] == "intent: climb (1)"
    inset = add_depot_inset(ax, intents.pads, site=CONFIG.site, intent=intent)
    assert sorted(t.get_text() for t in inset.texts) == sorted(intents.pads)
    filled = [line for line in inset.lines if line.get_marker() == "s" and line.get_color() == "black"]
    assert len(filled) == 1 and tuple(np.ravel(filled[0].get_xydata())) == intents.pads[intent.pad]
    assert any(line.get_marker() == "*" for line in inset.lines)


def test_mission_check_draws_the_intent(day, tmp_path, capsys):
    plan, json_path, _ = day
    from dronedel.formats import write_mission
    from dronedel.mission.flights import plan_missions

    decision, mission = next(iter(plan_missions(plan, AIRSPACE, 1)))
    mission_path = write_mission(tmp_path / f"{decision.order_id}.plan", mission)[0]
    png = tmp_path / "m.png"
    assert main(["mission", "check", str(mission_path), "--site", str(example_path("site.toml")), "--intents",
                 str(json_path), "--plot", str(png)]) == 0
    assert png.stat().st_size > 20_000
    capsys.readouterr()
    other = write_mission(tmp_path / "NOBODY.plan", mission)[0]
    assert main(["mission", "check", str(other), "--intents", str(json_path), "--plot", str(png)]) == 2
    assert f"{json_path}: has no operational intent for order 'NOBODY'" in capsys.readouterr().err
    assert main(["mission", "check", str(mission_path), "--intents", str(json_path)]) == 2
    assert "--intents: draws the flight's intent on the map: give --plot too" in capsys.readouterr().err


def test_plan_command_without_a_geoid_stops_before_planning(tmp_path, capsys, monkeypatch):
    import dronedel.intent.geoid as geoid

    monkeypatch.setattr(geoid, "find_geoid_grid", lambda search=None: None)  # a machine without proj-data
    site = tmp_path / "site.toml"
    site.write_text(example_path("site.toml").read_text().replace("geoid_undulation_m = -28.0", "#"))
    for name in ("example.geojson", "operating_area.geojson"):
        (tmp_path / name).write_bytes(example_path(name).read_bytes())
    orders = write_day(tmp_path / "orders.csv", 2, 3)
    assert main(["plan", "--site", str(site), "--orders", str(orders), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{site}: [site] geoid_undulation_m: no EGM96 geoid grid is installed" in err
    assert "Traceback" not in err and not (tmp_path / "out" / "plan.json").exists()
