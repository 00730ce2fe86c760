"""Router: exact shortest paths around polygonal obstacles, reasons, bad input."""

import math

import numpy as np
import pytest
import shapely
from geometry import convex_fields, quiet_router
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from dronedel.errors import InputError, InputWarning
from dronedel.routing import Route, Router

SQUARE = shapely.box(4, -1, 6, 1)


def brute_force(router: Router, targets: np.ndarray) -> np.ndarray:
    """Shortest lengths on the full visibility graph of every free-space vertex (GEOS checks)."""
    free = router.free
    rings = [free.exterior, *free.interiors] if router.boundary is not None else list(free.interiors)
    verts = np.vstack([np.array([router.origin])] + [shapely.get_coordinates(r) for r in rings])
    verts = np.unique(verts, axis=0)
    i, j = np.triu_indices(len(verts), 1)
    ok = shapely.covers(free, shapely.linestrings(np.stack([verts[i], verts[j]], axis=1)))
    w = np.maximum(np.hypot(*(verts[i] - verts[j]).T)[ok], 1e-300)
    graph = coo_matrix((w, (i[ok], j[ok])), shape=(len(verts),) * 2)
    src = int(np.flatnonzero((verts == router.origin).all(axis=1))[0])
    dist = dijkstra(graph, directed=False, indices=src)
    out = np.full(len(targets), np.inf)
    for k, t in enumerate(targets):
        segs = shapely.linestrings(np.stack([verts, np.broadcast_to(t, verts.shape)], axis=1))
        seen = shapely.covers(free, segs) | (np.hypot(*(verts - t).T) == 0)
        if seen.any():
            out[k] = np.min(dist[seen] + np.hypot(*(verts[seen] - t).T))
    return out


def check_route(router: Router, route: Route, target) -> None:
    """A reachable route starts at the origin, ends at the target, stays in the free space."""
    assert route.reason is None
    np.testing.assert_allclose(route.points[0], router.origin)
    np.testing.assert_allclose(route.points[-1], target)
    seg = np.diff(route.points, axis=0)
    assert math.isclose(np.hypot(*seg.T).sum(), route.length_m, rel_tol=1e-9, abs_tol=1e-9)
    line = shapely.LineString(route.points) if len(route.points) > 1 else shapely.Point(route.points[0])
    assert router.free.buffer(1e-7).covers(line)
    for obstacle in router.obstacles:
        assert not shapely.relate_pattern(line, obstacle.buffer(-1e-7), "T********")
    if router.boundary is not None:
        assert router.boundary.buffer(1e-7).covers(line)


def test_straight_line_when_clear():
    router = Router([SQUARE], origin=(0, 0))
    route = router.route(3, 4)
    assert route.length_m == pytest.approx(5.0)
    assert len(route.points) == 2


def test_around_a_square_exact_length():
    router = Router([SQUARE], origin=(0, 0))
    route = router.route(10, 0)
    assert route.length_m == pytest.approx(2 * math.sqrt(17) + 2)
    check_route(router, route, (10, 0))
    assert len(route.points) == 4  # origin, two corners, target


def test_path_may_touch_an_obstacle_edge():
    router = Router([SQUARE], origin=(0, 1))
    route = router.route(10, 1)  # along the top edge
    assert route.length_m == pytest.approx(10.0)


def test_reasons_for_unreachable_targets():
    ring = shapely.box(20, 20, 40, 40).difference(shapely.box(25, 25, 35, 35))
    router = Router([SQUARE, ring], boundary=shapely.box(-50, -50, 50, 50), origin=(0, 0))
    lengths, reasons = router.distances([[5, 0], [60, 0], [30, 30], [0, 10]])
    assert list(reasons) == ["inside_obstacle", "outside_area", "enclosed", None]
    assert np.isinf(lengths[:3]).all() and lengths[3] == pytest.approx(10)
    routes = router.routes([[5, 0], [0, 10]])
    assert routes[0].reason == "inside_obstacle" and routes[0].points.shape == (0, 2)
    assert not routes[0].reachable and routes[1].reachable
    assert list(router.blocked([[5, 0], [60, 0], [0, 10], [4, 0]])) == [True, True, False, False]


def test_boundary_reflex_corner_is_bent_around():
    # a U-shaped operating area: from one arm to the other round the inner corners
    area = shapely.Polygon([(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30)])
    router = Router([], boundary=area, origin=(5, 25))
    route = router.route(25, 25)
    expected = 2 * math.hypot(5, 15) + 10
    assert route.length_m == pytest.approx(expected)
    check_route(router, route, (25, 25))


def test_origin_inside_obstacle_or_outside_area_is_input_error():
    with pytest.raises(InputError, match="inside an obstacle"):
        Router([SQUARE], origin=(5, 0))
    with pytest.raises(InputError, match="outside the operating area"):
        Router([], boundary=shapely.box(0, 0, 10, 10), origin=(20, 5))


def test_margin_that_closes_every_gap_encloses_targets():
    walls = [shapely.box(-10, 5, 10, 6), shapely.box(-10, -6, 10, -5), shapely.box(5, -10, 6, 10),
             shapely.box(-6, -10, -5, 10)]
    router = Router(walls, origin=(0, 0))
    _, reasons = router.distances([[0, 20], [2, 2]])
    assert list(reasons) == ["enclosed", None]


def test_invalid_obstacle_is_repaired_with_a_warning():
    bowtie = shapely.Polygon([(4, -1), (6, 1), (6, -1), (4, 1)])
    with pytest.warns(InputWarning, match="obstacle 0"):
        router = Router([bowtie], origin=(0, 0))
    assert router.route(10, 0).length_m > 10


def test_bad_arguments():
    with pytest.raises(InputError, match="Polygon"):
        Router([shapely.LineString([(0, 1), (1, 1)])])
    router = Router([SQUARE])
    with pytest.raises(InputError, match="finite"):
        router.distances([[np.nan, 0]])


def test_origin_on_a_corner_and_target_on_a_vertex():
    router = Router([SQUARE], origin=(4, 1))
    assert router.route(6, 1).length_m == pytest.approx(2)
    assert router.route(6, -1).length_m == pytest.approx(4)
    assert router.route(4, 1).length_m == pytest.approx(0)


# ----------------------------------------------------------------------- properties

@st.composite
def rect_fields(draw):
    """Axis-aligned rectangles on an integer grid: many collinear and touching corners."""
    n = draw(st.integers(1, 7))
    rects = []
    for _ in range(n):
        x, y = draw(st.integers(-12, 10)), draw(st.integers(-12, 10))
        w, h = draw(st.integers(1, 6)), draw(st.integers(1, 6))
        rects.append(shapely.box(x, y, x + w, y + h))
    return rects


def small_convex_fields():
    """Up to six convex obstacles 1-10 across; slivers below floating-point resolution left out."""
    return convex_fields(count=(1, 6), centre=15, radius=(0.5, 5), vertices=(3, 7), min_clearance=1e-6)


points = st.tuples(st.integers(-16, 16), st.integers(-16, 16)).map(lambda p: (float(p[0]), float(p[1])))


def _router(obstacles, boundary, origin):
    union = shapely.union_all(obstacles) if obstacles else shapely.Polygon()
    assume(not union.contains(shapely.Point(origin)))
    assume(boundary is None or boundary.covers(shapely.Point(origin)))
    return quiet_router(obstacles, boundary, origin)


@settings(max_examples=60, deadline=None)
@given(field=st.one_of(rect_fields(), small_convex_fields()), origin=points,
       targets=st.lists(points, min_size=1, max_size=6), bounded=st.booleans())
def test_lengths_equal_brute_force_and_routes_are_free(field, origin, targets, bounded):
    boundary = shapely.Polygon([(-18, -18), (18, -18), (18, 5), (0, 5), (0, 9), (18, 9), (18, 18),
                                (-18, 18)]) if bounded else None
    router = _router(field, boundary, origin)
    targets = np.array(targets)
    lengths, reasons = router.distances(targets)
    expected = brute_force(router, targets)
    free = np.equal(reasons, None)
    np.testing.assert_array_equal(np.isfinite(expected), free)
    np.testing.assert_allclose(lengths[free], expected[free], rtol=1e-9, atol=1e-9)
    for target, route in zip(targets, router.routes(targets)):
        if route.reason is None:
            check_route(router, route, target)
        else:
            assert route.points.shape == (0, 2) and math.isinf(route.length_m)


@settings(max_examples=40, deadline=None)
@given(field=small_convex_fields(), origin=points, target=points,
       detour=st.lists(st.tuples(st.floats(-17, 17), st.floats(-17, 17)), min_size=1, max_size=4))
def test_no_free_polyline_is_shorter(field, origin, target, detour):
    router = _router(field, None, origin)
    line = shapely.LineString([origin, *detour, target])
    assume(router.free.covers(line))
    assert router.route(*target).length_m <= line.length + 1e-9
