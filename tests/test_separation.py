"""Fleet separation: pads, layers, 4D volumes, the conflict index, deconflicted plans, the audit."""

import itertools
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dronedel.aircraft import fly
from dronedel.airspace import site_airspace
from dronedel.config import Separation, load_site
from dronedel.data import example_path
from dronedel.dispatch import plan_day, prepare_day
from dronedel.errors import InputError
from dronedel.geo import LocalFrame
from dronedel.intent import (
    IntentIndex, PlannedPath, Track, Volumes, audit_separation, layer_for, layer_options, layers_for,
    segment_distance, volumes_for,
)
from dronedel.orders import load_orders

from orderfiles import write_orders_file

EXAMPLE = load_site(example_path("site.toml"))
EXAMPLE_AIRSPACE = site_airspace(EXAMPLE)
FRAME = LocalFrame(EXAMPLE.site.lon, EXAMPLE.site.lat)
DISPATCH = Path(__file__).parent / "data" / "dispatch"


def busy_day(path: Path, seed: int, n: int, hours: float = 1.5) -> Path:
    """``n`` orders within ``hours`` of noon, doors spread over the example's operating area."""
    rng = np.random.default_rng(seed)
    area = FRAME.geometry_to_local(EXAMPLE_AIRSPACE.operating_area)
    x0, y0, x1, y1 = area.bounds
    lon, lat = FRAME.to_lonlat(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n))
    t = np.sort(rng.uniform(12 * 3600, (12 + hours) * 3600, n))
    return write_orders_file(path, datetime(2026, 6, 13), t, lon, lat, rng.uniform(0.2, 2.4, n), "B", 4)


def plan_busy(tmp_path: Path, seed: int, n: int, config=EXAMPLE, **kwargs):
    book = load_orders(busy_day(tmp_path / f"busy{seed}.csv", seed, n), config.site.tz, config.planning.start)
    return plan_day(config, book, EXAMPLE_AIRSPACE, **kwargs)


# ---------------------------------------------------------------------------------- layers
@given(n=st.integers(2, 8), bearing=st.floats(0, 360, exclude_max=True))
def test_opposite_directions_never_share_a_layer(n, bearing):
    layers = [30.0 + 15 * k for k in range(n)]
    out, back = layers_for(bearing, layers)
    assert out != back and out == layer_for(bearing, layers)
    if n % 2 == 0:  # the opposite sector exactly
        assert layers.index(back) == (layers.index(out) + n // 2) % n
    options = layer_options(bearing, layers)
    assert options[0] == (out, back) and len(options) == n * (n - 1)
    assert all(o != r for o, r in options)


def test_layers_by_quadrant_in_the_example():
    layers = EXAMPLE.separation.layers_m
    assert layers == (45.0, 60.0, 75.0, 90.0)
    assert layers_for(45.0, layers) == (45.0, 75.0)  # north-east out, south-west back
    assert layers_for(300.0, layers) == (90.0, 60.0)


# ---------------------------------------------------------------------------------- volumes
routes = st.lists(st.tuples(st.floats(-6000, 6000), st.floats(-6000, 6000)), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(points=routes, wind=st.floats(0, 8), layer=st.integers(0, 3), pad=st.sampled_from(EXAMPLE.separation.pads),
       takeoff=st.floats(0, 80_000))
def test_planned_path_stays_inside_its_volumes(points, wind, layer, pad, takeoff):
    from dronedel.config import Wind

    route = np.array([pad.xy, *points], float)
    layers = layer_options(float(layer) * 90.0 + 10.0, EXAMPLE.separation.layers_m)[layer]
    profile = EXAMPLE.aircraft
    w = Wind(wind, 200.0)
    flight = fly(route, 1.0, profile, w, layers)
    path = PlannedPath.flown_by(profile, w, takeoff, tuple(p.duration_s for p in flight.phases), route, layers)
    volumes = volumes_for(path, EXAMPLE.separation)
    b = path.bounds_s
    t = np.linspace(b[0], b[-1], 4000)
    xyz = path.positions(t)
    assert np.isfinite(xyz).all()
    assert volumes.contains(xyz, t).all()
    # cruise volumes are short slices: none lasts much more than slice_s of flight plus the buffers
    cruise = np.isin(volumes.kind, (1, 3))
    flight_time = b[-1] - b[0]
    longest = EXAMPLE.separation.slice_s + 2 * (5 + 0.01 * flight_time) + flight.phase("outbound").duration_s
    assert (volumes.t_hi - volumes.t_lo)[cruise].max() <= longest


capsules = st.lists(st.tuples(*[st.floats(-500, 500)] * 4, st.floats(1, 60), st.floats(0, 100), st.floats(0, 60),
                              st.floats(0, 600), st.floats(0, 200)), min_size=1, max_size=25)


def as_volumes(rows) -> Volumes:
    a = np.array(rows, float)
    return Volumes(a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5], a[:, 5] + a[:, 6], a[:, 7],
                   a[:, 7] + a[:, 8], np.zeros(len(a), np.int8))


@settings(max_examples=80, deadline=None)
@given(accepted=capsules, query=capsules, bin_s=st.sampled_from([10.0, 60.0, 1000.0]),
       slab=st.sampled_from([(15.0, 7.5, 16), (10.0, 0.0, 4), (50.0, 3.0, 2)]),
       squares=st.sampled_from([(300.0, 8), (40.0, 2), (75.0, 3), (1000.0, 1)]))
def test_index_finds_exactly_the_intersecting_pairs(accepted, query, bin_s, slab, squares):
    """Every intersecting pair once, and nothing else, whatever the cells (small squares and tiles make
    capsules span many squares and squares share rows)."""
    a, q = as_volumes(accepted), as_volumes(query)
    index = IntentIndex(bin_s, *slab, square_m=squares[0], tile=squares[1])
    for k in range(len(a)):
        index.add(k, a.take(np.array([k])))
    assert_exact_pairs(index, q, a)


@settings(max_examples=60, deadline=None)
@given(accepted=capsules, query=capsules, copies=st.lists(st.tuples(st.floats(-50, 50), st.floats(0, 80),
                                                                      st.floats(-300, 300), st.floats(0, 400)),
                                                            max_size=3),
       lo=st.floats(-100, 400), width=st.floats(-10, 600))
def test_earliest_alike_scans_a_plan_view_once_for_the_same_answers(accepted, query, copies, lo, width):
    """Volumes sharing a plan view (a pad's climbs to each layer), asked together as one, get each the
    earliest take-off they get asked alone, and meet the same flights."""
    a = as_volumes(accepted)
    rows = [row for r in query for row in [r] + [(*r[:5], r[5] + dz, h, r[7] + dt, w) for dz, h, dt, w in copies]]
    q = as_volumes(rows)
    index = IntentIndex(60.0, square_m=75.0, tile=3)
    for k in range(len(a)):
        index.add(k, a.take(np.array([k])))
    alone, met = index.earliest(q, np.arange(len(q)), len(q), lo, lo + width, clear_s=1e-6)
    found, owners = index.earliest_alike(q, np.arange(0, len(q) + 1, len(copies) + 1), lo, lo + width, clear_s=1e-6)
    np.testing.assert_array_equal(found, alone)
    assert set(owners.tolist()) == set(met)


def test_earliest_alike_refuses_groups_of_different_plan_views():
    index = IntentIndex()
    q = as_volumes([(0, 0, 10, 0, 5, 0, 10, 0, 10), (0, 0, 10, 1, 5, 0, 10, 0, 10)])
    with pytest.raises(ValueError, match="share one plan view"):
        index.earliest_alike(q, np.array([0, 2]), 0.0, 10.0)
    with pytest.raises(ValueError, match="from 0"):
        index.earliest_alike(q, np.array([0, 1]), 0.0, 10.0)


def assert_exact_pairs(index: IntentIndex, q: Volumes, a: Volumes) -> None:
    """The index's pairs for ``q`` are every pair of ``q`` and ``a`` (accepted, numbered as added) that
    intersect, once each, and nothing else."""
    found = index.pairs(q)
    got = set() if found is None else set(zip(found[0].tolist(), found[1].tolist()))
    assert found is None or len(got) == len(found[0])
    qi, ai = (x.ravel() for x in np.meshgrid(np.arange(len(q)), np.arange(len(a)), indexing="ij"))
    qq, aa = q.take(qi), a.take(ai)
    hit = ((qq.t_lo < aa.t_hi) & (aa.t_lo < qq.t_hi) & (qq.z_lo < aa.z_hi) & (aa.z_lo < qq.z_hi)
           & (segment_distance(qq, aa) < qq.radius + aa.radius))
    assert got == set(zip(qi[hit].tolist(), ai[hit].tolist()))


@settings(max_examples=60, deadline=None)
@given(accepted=capsules, query=capsules, options=st.integers(1, 3), lo=st.floats(-100, 400),
       width=st.floats(0, 600), bin_s=st.sampled_from([10.0, 60.0]))
def test_earliest_take_off_is_the_first_clear_one(accepted, query, options, lo, width, bin_s):
    """Each option's earliest take-off clears every accepted volume, and every earlier one in range meets one."""
    a, q = as_volumes(accepted), as_volumes(query)
    index = IntentIndex(bin_s)
    for k in range(len(a)):
        index.add(k, a.take(np.array([k])))
    option = np.arange(len(q)) % options
    hi = lo + width
    own = lo + 37.0 * np.arange(options)  # each option from its own first take-off
    starts, _ = index.earliest(q, option, options, own, hi, clear_s=1e-6)  # pushed 1 µs past each end
    for g in range(options):
        mine = q.take(np.flatnonzero(option == g))
        if own[g] > hi:
            assert starts[g] == np.inf
            continue
        if not len(mine):
            assert starts[g] == own[g]
            continue
        if np.isfinite(starts[g]):
            assert own[g] <= starts[g] <= hi
            assert index.conflicts(mine.shifted(starts[g])) is None
        # every take-off earlier by more than the clearance (which also may push the earliest just past hi)
        before = np.linspace(own[g], min(starts[g], hi), 60, endpoint=not np.isfinite(starts[g]))
        before = before[(before < starts[g] - 1e-6) & (before <= hi - 1e-6)]
        assert all(index.conflicts(mine.shifted(t)) is not None for t in before)


points = st.lists(st.tuples(st.sampled_from([0.0, 40.0]), st.sampled_from([0.0, 25.0]), st.sampled_from([20.0, 30.0]),
                            st.floats(0, 100), st.floats(0, 60), st.floats(0, 600), st.floats(0, 200)), max_size=4)


@settings(max_examples=80, deadline=None)
@given(accepted=capsules, query=capsules, places=points, options=st.integers(1, 4), lo=st.floats(-100, 400),
       width=st.floats(0, 600), step=st.floats(-40, 40), bin_s=st.sampled_from([10.0, 60.0]))
@example(accepted=[(900, 900, 900, 900, 5, 0, 10, 0, 10)], query=[(0, 0, 10, 0, 5, 0, 10, 0, 10)] * 2, places=[],
         options=2, lo=5.0, width=100.0, step=0.0, bin_s=60.0)  # two options clear at once: the first wins the tie
def test_first_is_the_first_minimum_of_earliest(accepted, query, places, options, lo, width, step, bin_s):
    """IntentIndex.first (each option searched only up to the best take-off before it, its point volumes
    first and the rest only from the first take-off those allow) gives the option and take-off that the
    first minimum of every option's earliest take-off gives, and names only flights it met."""
    a = as_volumes(accepted)
    point_rows = [(x, y, x, y, r, *rest) for x, y, r, *rest in places]  # every option's, as doors and pads are
    q = as_volumes([row for g in range(options) for row in query[g::options] + point_rows])
    index = IntentIndex(bin_s)
    for k in range(len(a)):
        index.add(k, a.take(np.array([k])))
    option = np.repeat(np.arange(options), [len(query[g::options]) + len(point_rows) for g in range(options)])
    own = lo + step * np.arange(options)
    starts, met = index.earliest(q, option, options, own, lo + width, clear_s=1e-6)
    k, when, owners = index.first(q, option, options, own, lo + width, clear_s=1e-6)
    best = int(np.argmin(starts))
    assert (k, when) == ((best, starts[best]) if np.isfinite(starts[best]) else (-1, np.inf))
    assert set(owners.tolist()) <= set(met)
    if k < 0 and len(met):  # an option found nothing because of a flight it met, which is named
        assert len(owners)


def test_earliest_does_not_count_the_flights_it_is_told_to_ignore():
    """A flight's own later bookings (which move with it) are ignored when it is held on the ground."""
    index = IntentIndex()
    index.add(7, as_volumes([(0, 0, 100, 0, 25, 40, 15, 0, 60)]))
    mine = as_volumes([(0, 0, 100, 0, 25, 40, 15, 0, 10)])
    found, met = index.earliest(mine, np.zeros(1, np.int64), 1, 0.0, 500.0)
    assert found[0] == pytest.approx(60.0) and met == (7,)  # the forbidden take-offs are (-10, 60)
    found, met = index.earliest(mine, np.zeros(1, np.int64), 1, 0.0, 500.0, ignore=[7])
    assert found[0] == 0.0 and met == ()


def test_a_removed_intent_meets_nothing():
    a = as_volumes([(0, 0, 100, 0, 25, 40, 15, 0, 60), (0, 0, 0, 100, 25, 40, 15, 30, 60)])
    index = IntentIndex()
    index.add(7, a.take(np.array([0])))
    index.add(8, a.take(np.array([1])))
    assert index.conflicts(a).owners == (7, 8)
    assert index.remove(7) == 1
    assert index.conflicts(a).owners == (8,)
    assert len(index) == 1 and index.owners.tolist() == [8]


def test_a_forgotten_past_leaves_the_future_intact():
    """Bins that ended are dropped; volumes still ahead meet new flights as before, and filing goes on."""
    index = IntentIndex(bin_s=30.0)
    for k in range(200):  # flights every 30 s, each a 100 m leg for 60 s
        index.add(k, as_volumes([(0, 0, 100, 0, 25, 40, 15, 30.0 * k, 60.0)]))
    probe = as_volumes([(50, 0, 50, 10, 25, 40, 15, 4000.0, 30.0)])
    before = index.conflicts(probe).owners
    rows = len(index._count)
    assert index.forget(3000.0) == 100
    assert len(index._count) < rows and index.conflicts(probe).owners == before == (132, 133, 134)
    index.add(500, as_volumes([(10, 0, 10, 50, 25, 40, 15, 4010.0, 5.0)]))
    assert index.conflicts(probe).owners == (132, 133, 134, 500)
    assert index.forget(0.0) == 0


def test_segment_distance_against_shapely():
    import shapely

    rng = np.random.default_rng(3)
    p = rng.uniform(-100, 100, (500, 8))
    a = as_volumes([[*r[:4], 1, 0, 1, 0, 1] for r in p])
    b = as_volumes([[*r[4:], 1, 0, 1, 0, 1] for r in p])
    expected = shapely.distance(shapely.linestrings(p[:, :4].reshape(-1, 2, 2)),
                                shapely.linestrings(p[:, 4:].reshape(-1, 2, 2)))
    assert np.allclose(segment_distance(a, b), expected, atol=1e-9)


# ---------------------------------------------------------------------------------- plans
def pad_windows(flight, sep: Separation) -> list[tuple[float, float]]:
    """When a flight holds its pad: arming to the end of the climb, the start of the landing to pad clear."""
    b = flight.takeoff_s + np.r_[0.0, np.cumsum(flight.phases_s)]
    return [(b[0], b[1]), (b[6], b[7] + sep.pad_clear_s)]


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000), policy=st.sampled_from(["online", "batch", "fcfs"]))
def test_busy_plans_are_conflict_free_by_construction(tmp_path_factory, seed, policy):
    plan = plan_busy(tmp_path_factory.mktemp("sep"), seed, 90, policy=policy)
    sep, profile = EXAMPLE.separation, EXAMPLE.aircraft
    accepted = [d for d in plan.decisions if d.flight is not None]
    assert len(accepted) >= 10
    index = IntentIndex()
    for k, d in enumerate(accepted):
        v = d.flight.volumes(profile, sep)
        assert index.conflicts(v) is None, d.order_id  # no two accepted flights' volumes intersect
        index.add(k, v)
        path = d.flight.path(profile)
        t = np.arange(np.ceil(path.bounds_s[0]), path.bounds_s[-1])
        assert v.contains(path.positions(t), t).all()  # the planned path stays inside its own volumes
    by_pad: dict[int, list] = {}
    for d in accepted:
        by_pad.setdefault(d.flight.pad, []).extend(pad_windows(d.flight, sep))
    for windows in by_pad.values():  # a pad is never used by two drones at once
        windows.sort()
        assert all(b[0] >= a[1] for a, b in itertools.pairwise(windows))
    audit = plan.separation
    assert audit.losses == 0 and audit.loss_seconds == 0
    assert audit.closest_m >= sep.horizontal_m
    for d in plan.decisions:
        if d.reason == "airspace_conflict":
            assert "operational intent of the flight for order" in d.detail


def test_drones_bound_to_their_home_pads_fly_only_from_there(tmp_path):
    """SITL vehicles cannot move between pads: with ``home_pads`` every flight of a drone uses its pad, and the
    plan stays conflict-free."""
    config = load_site(example_path("site.toml"))
    book = load_orders(example_path("orders.csv"), config.site.tz, config.planning.start)
    ctx = prepare_day(config, book, site_airspace(config))
    homes = [k % len(config.separation.pads) for k in range(config.fleet.drones)]
    dispatcher = ctx.dispatcher(home_pads=homes)
    flights = [d.flight for now, index in dispatcher.rounds()
               for d in dispatcher.decide_round(now, index, config.planning.wind) if d.flight is not None]
    assert len(flights) > 150
    assert all(f.pad == homes[f.drone] for f in flights)
    assert {f.pad for f in flights} == set(homes)
    index = IntentIndex()
    for k, f in enumerate(flights):
        assert index.conflicts(f.volumes(config.aircraft, config.separation)) is None
        index.add(k, f.volumes(config.aircraft, config.separation))
    with pytest.raises(ValueError, match="home_pads"):
        ctx.dispatcher(home_pads=[0])


def test_without_deconfliction_the_audit_finds_losses(tmp_path):
    book = load_orders(busy_day(tmp_path / "busy.csv", 7, 90), EXAMPLE.site.tz, EXAMPLE.planning.start)
    ctx = prepare_day(EXAMPLE, book, EXAMPLE_AIRSPACE)
    dispatcher = ctx.dispatcher(deconflict=False)
    decisions = [d for now, index in dispatcher.rounds() for d in dispatcher.decide_round(now, index)]
    from dronedel.dispatch import audit_decisions

    audit = audit_decisions(decisions, EXAMPLE)
    assert audit.losses > 0 and audit.closest_m < EXAMPLE.separation.horizontal_m


def test_a_flight_that_cannot_fit_is_rejected_naming_the_conflict(tmp_path):
    # one pad, one layer, two orders to the same door at once, and a promise with no slack to wait
    config = load_site(DISPATCH / "site.toml")
    door = FRAME_DISPATCH.to_lonlat(3000.0, 3000.0)
    path = tmp_path / "two.csv"
    path.write_text("order_id,placed_at,lon,lat,weight_kg\n"
                    f"FIRST,2026-06-13T12:00:00,{door[0]:.6f},{door[1]:.6f},1.0\n"
                    f"SECOND,2026-06-13T12:00:00,{door[0]:.6f},{door[1]:.6f},1.0\n")
    book = load_orders(path, config.site.tz, config.planning.start)
    airspace = site_airspace(config)
    alone = plan_day(config, book, airspace, drones=2)
    first = alone.decisions[0].flight
    tight = config.with_planning(promise_s=first.door_s - alone.decisions[0].placed_s + 5.0)
    plan = plan_day(tight, book, airspace, drones=2)
    assert plan.decisions[0].accepted
    second = plan.decisions[1]
    assert second.reason == "airspace_conflict"
    assert "'FIRST'" in second.detail
    # with time to wait, the second takes off once the first's volumes let it
    later = plan_day(config, book, airspace, drones=2)
    f1, f2 = (d.flight for d in later.decisions)
    assert f2.takeoff_s > f1.takeoff_s and later.separation.losses == 0


FRAME_DISPATCH = LocalFrame(10.0, 50.0)


def test_audit_counts_a_crossing():
    t = np.arange(0, 101, dtype=float)
    a = Track("A", 0, np.column_stack([t * 10 - 500, np.zeros_like(t), np.full_like(t, 60.0)]))
    b = Track("B", 0, np.column_stack([np.zeros_like(t), t * 10 - 500, np.full_like(t, 65.0)]))
    c = Track("C", 0, np.column_stack([np.zeros_like(t), t * 10 - 500, np.full_like(t, 90.0)]))
    audit = audit_separation([a, b, c])
    assert audit.losses == 1 and audit.loss_pairs == (("A", "B"),)
    assert audit.closest_m == pytest.approx(0.0) and audit.closest_at_s == 50
    assert audit.loss_seconds == 7  # |10 t - 500| * sqrt(2) < 50 for t = 47..53
    assert audit_separation([a, c]).losses == 0


# ---------------------------------------------------------------------------------- bad input
BASE = """
[site]
lon = 10.0
lat = 50.0
[airspace]
files = ["{zones}"]
operating_area = "{area}"
[planning]
start = "2026-06-13T00:00:00"
"""


def site_with(tmp_path: Path, separation: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(BASE.format(zones=DISPATCH / "zones.geojson", area=DISPATCH / "area.geojson") + separation)
    return path


@pytest.mark.parametrize("text, message", [
    ("[separation]\nlayers_m = [20.0]", "below the obstacle clearance"),
    ("[separation]\nlayers_m = [60.0, 130.0]", "above 120 m AGL"),
    ("[separation]\nlayers_m = [60.0, 70.0]", "closer than the vertical separation"),
    ("[separation]\nlayers_m = [60.0, 60.0]", "names a layer twice"),
    ("[separation]\ntime_buffer_s = -1.0", "time_buffer_s must not be negative"),
    ("[separation]\nslice_s = 0.0", "slice_s must be positive"),
    ("[separation]\nlayers_m = \"high\"", "layers_m must be a list"),
    ("[[separation.pads]]\nname = \"a\"\n[[separation.pads]]\nname = \"b\"\neast_m = 30.0\nnorth_m = 0.0",
     "closer than the horizontal separation"),
    ("[[separation.pads]]\nname = \"a\"\neast_m = 10.0", "give either east_m and north_m, or lon and lat"),
    ("[[separation.pads]]\nname = \"a\"\neast_m = 10.0\nnorth_m = 0.0\nlon = 10.0\nlat = 50.0", "give either"),
    ("[[separation.pads]]\nname = \"a\"\nheight = 3.0", "unknown key"),
    ("[[separation.pads]]\nname = \"a\"\n[[separation.pads]]\nname = \"a\"\neast_m = 100.0\nnorth_m = 0.0",
     "not unique"),
])
def test_bad_separation_settings_name_the_key(tmp_path, text, message):
    with pytest.raises(InputError, match=message) as info:
        load_site(site_with(tmp_path, text))
    assert "site.toml" in str(info.value) and "[separation]" in str(info.value)


def test_layers_above_120_m_need_the_altitude_limit(tmp_path):
    path = site_with(tmp_path, "[separation]\nlayers_m = [60.0, 130.0]")
    path.write_text(path.read_text().replace('operating_area', 'altitude_limit_m = 150.0\noperating_area'))
    assert load_site(path).separation.layers_m == (60.0, 130.0)


@pytest.mark.parametrize("pad, message", [
    ("east_m = 2500.0\nnorth_m = 0.0", "inside a blocking zone"),  # the tower east of the depot
    ("east_m = 4000.0\nnorth_m = 0.0", "no clear line to the site point"),  # beyond the tower
    ("east_m = 9990.0\nnorth_m = 0.0", "outside the operating area"),
])
def test_pads_must_be_clear_and_inside_the_area(tmp_path, pad, message):
    zones = site_airspace(load_site(DISPATCH / "site.toml"))
    path = site_with(tmp_path, f"[[separation.pads]]\nname = \"far\"\n{pad}")
    config = load_site(path)
    book_path = tmp_path / "one.csv"
    book_path.write_text("order_id,placed_at,lon,lat,weight_kg\nX,2026-06-13T12:00:00,10.01,50.01,1.0\n")
    book = load_orders(book_path, config.site.tz, config.planning.start)
    with pytest.raises(InputError, match="pad 'far'") as info:
        prepare_day(config, book, zones)
    assert message in str(info.value) and "[separation] pads" in str(info.value)


def test_pads_by_lon_lat(tmp_path):
    lon, lat = LocalFrame(10.0, 50.0).to_lonlat(60.0, -80.0)
    config = load_site(site_with(tmp_path, f"[[separation.pads]]\nname = \"p\"\nlon = {float(lon):.8f}\n"
                                           f"lat = {float(lat):.8f}"))
    assert config.separation.pads[0].xy == pytest.approx((60.0, -80.0), abs=0.01)
