"""Exact shortest paths from a site around polygonal obstacles, many targets at once.

Geometry is planar, in the site's local frame (x east, y north, metres). The free space is
the operating area minus the (already buffered) obstacles, closed: paths may touch obstacle
edges. The shortest path from the site to any point is a polyline that bends only at
obstacle corners that poke into the free space (and at inward corners of the area), and
each of its legs is tangent to the obstacle at both ends. The router builds the graph of
such mutually visible tangent corners, runs Dijkstra once from the site
(:func:`scipy.sparse.csgraph.dijkstra`), and answers a target with the best visible corner:
the minimum over corners ``v`` that see the target of ``dist[v] + |v - target|``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from ..airspace.model import Airspace
from ..config import AircraftProfile
from ..errors import InputError, InputWarning
from ..geo import LocalFrame
from .obstacles import site_obstacles
from .visibility import FreeSpace, cross

__all__ = ["REASONS", "Route", "Router"]

#: Why a target cannot be reached.
REASONS = ("inside_obstacle", "outside_area", "enclosed")

#: Distance (m) beyond everything of the box standing for "no operating area".
_FAR_M = 1.0e6

#: Pairs of corners tested per block when building the graph (bounds memory).
_BLOCK = 2_000_000


@dataclass(frozen=True, eq=False)
class Route:
    """A shortest route in local metres from the site to a target.

    ``points`` is (n, 2) x, y metres from the origin to the target inclusive (empty when
    unreachable); ``length_m`` its length (``inf`` when unreachable); ``reason`` is None
    when reachable, else one of :data:`REASONS`. Routes compare by identity (their points are
    arrays), so that tables of them are searched for gaps (None) at C speed.
    """

    points: NDArray
    length_m: float
    reason: str | None = None

    @property
    def reachable(self) -> bool:
        """True if there is a route (no reason why not)."""
        return self.reason is None


def flown_from(start: tuple[float, float], routes: Sequence[Route], sees_first: Sequence[bool],
               origin: tuple[float, float] = (0.0, 0.0)) -> list[Route]:
    """``routes`` (from ``origin``; x, y metres) flown from ``start``, a point that sees the origin (a pad
    beside the site): straight to each route's first turn (or its target) where ``start`` sees it
    (``sees_first``, as :meth:`Router.sees_first_turn` finds it), else by way of the origin. Not the
    shortest path from ``start``, but clear of every obstacle like the route itself; unreachable routes
    stay unreachable.
    """
    sx, sy = float(start[0]), float(start[1])
    out = list(routes)
    to_origin = float(np.hypot(sx - origin[0], sy - origin[1]))
    for k, route in enumerate(routes):
        pts = route.points
        if not route.reachable or len(pts) < 2:
            continue
        if sees_first[k]:  # the start replaces the origin
            points = pts.copy()
            (x0, y0), (x1, y1) = pts[:2].tolist()
            length = route.length_m - float(np.hypot(x1 - x0, y1 - y0)) + float(np.hypot(x1 - sx, y1 - sy))
        else:  # the start comes before it
            points = np.empty((len(pts) + 1, 2))
            points[1:] = pts
            length = route.length_m + to_origin
        points[0] = sx, sy
        out[k] = Route(points, length)
    return out


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of a geometry (lines and points of a GEOS result dropped)."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _valid(geom: shapely.Geometry, what: str) -> shapely.Geometry:
    if not isinstance(geom, shapely.Geometry) or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise InputError(f"{what} must be a shapely Polygon or MultiPolygon, not {type(geom).__name__}")
    if not shapely.is_valid(geom):
        warnings.warn(f"{what} is not a valid polygon ({shapely.is_valid_reason(geom)}); repaired", InputWarning,
                      stacklevel=3)
        geom = _polygonal(shapely.make_valid(geom))
    return geom


def _tangent(direction: NDArray, into: NDArray, out: NDArray) -> NDArray:
    """True where the line through a corner along ``direction`` leaves both incident edges on one side."""
    a, b = cross(direction, into), cross(direction, out)
    nd = np.hypot(direction[..., 0], direction[..., 1])
    ta = 1e-10 * nd * np.hypot(into[..., 0], into[..., 1])
    tb = 1e-10 * nd * np.hypot(out[..., 0], out[..., 1])
    return (np.sign(a) * (np.abs(a) > ta)) * (np.sign(b) * (np.abs(b) > tb)) >= 0


class Router:
    """Shortest obstacle-avoiding paths from ``origin`` to any point, in local metres.

    ``obstacles`` are (Multi)Polygons already buffered by the safety margin; ``boundary``
    is the operating area already shrunk by it (None: unbounded). Construction builds the
    reduced visibility graph and the shortest-path tree from the origin; queries are
    vectorised. Raises :class:`~dronedel.errors.InputError` if the origin is inside an
    obstacle or outside the boundary.

    Attributes: ``obstacles``, ``boundary``, ``origin`` as given; ``free`` the closed free
    space reachable from the origin (a Polygon); ``nodes`` (k, 2) the origin then the
    corners; ``node_distances`` (k,) shortest distance from the origin (inf where none);
    ``node_predecessors`` (k,) previous node on that path (-9999 for none); ``graph`` the
    visibility graph (scipy CSR, edge lengths in metres); ``space`` the
    :class:`~dronedel.routing.visibility.FreeSpace` of ``free`` and ``node_vertex`` (k,) each
    node's vertex in it (-1 for the origin); ``frame`` the
    site's :class:`~dronedel.geo.LocalFrame` when built by :meth:`for_airspace`, else None.
    """

    frame: LocalFrame | None = None

    def __init__(
        self,
        obstacles: Sequence[shapely.Geometry],
        boundary: shapely.Geometry | None = None,
        origin: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        self.obstacles = tuple(_valid(g, f"obstacle {i}") for i, g in enumerate(obstacles))
        self.boundary = None if boundary is None else _valid(boundary, "boundary")
        self.origin = (float(origin[0]), float(origin[1]))
        if not np.all(np.isfinite(self.origin)):
            raise InputError(f"origin {self.origin} is not finite")
        self._union = _polygonal(shapely.union_all(self.obstacles)) if self.obstacles else shapely.Polygon()
        if self.boundary is None:
            items = [shapely.Point(self.origin), *self.obstacles]
            x0, y0, x1, y1 = shapely.total_bounds(items)
            self._area = shapely.box(x0 - _FAR_M, y0 - _FAR_M, x1 + _FAR_M, y1 + _FAR_M)
        else:
            self._area = self.boundary
        shapely.prepare(self._union)
        shapely.prepare(self._area)
        self._check_origin()
        free = _polygonal(shapely.difference(self._area, self._union))
        site = shapely.Point(self.origin)
        parts = [g for g in shapely.get_parts(free) if g.covers(site)]
        if not parts:
            raise InputError(f"the site at {self.origin} m is not in the free space")
        self.free = parts[0]
        # without an operating area the far box is the outer ring, unless obstacles enclose the site
        far = self.boundary is None and self.free.bounds == self._area.bounds
        self.space = FreeSpace(self.free, ignore_exterior=far)
        self._corners = np.flatnonzero(self.space.reflex)
        self.node_vertex = np.r_[-1, self._corners]  # ring vertex of each node (-1: the origin)
        self.nodes = np.vstack([np.array([self.origin]), self.space.points[self._corners]])
        self.node_distances, self.node_predecessors = self._shortest_path_tree()

    @classmethod
    def for_airspace(
        cls,
        airspace: Airspace,
        frame: LocalFrame,
        *,
        band: tuple[float, float] = (0.0, AircraftProfile.cruise_alt_m),
        at: datetime | None = None,
        until: datetime | None = None,
        authorisations: Iterable[str] = (),
        margin_m: float = 30.0,
    ) -> Router:
        """The router from the site at ``frame``'s origin through ``airspace`` (an
        :class:`~dronedel.airspace.Airspace`).

        Zones blocking the altitude band ``band`` (m AGL; default ground to the default cruise
        altitude) at ``at`` (or at any time up to ``until``; ``None`` treats every zone as
        active) grow by ``margin_m`` metres; the operating area shrinks by it. See
        :func:`~dronedel.routing.obstacles.site_obstacles`.
        """
        obstacles, boundary = site_obstacles(airspace, frame, band=band, at=at, until=until,
                                             authorisations=authorisations, margin_m=margin_m)
        router = cls(obstacles, boundary, (0.0, 0.0))
        router.frame = frame
        return router

    # ------------------------------------------------------------------ construction
    def _check_origin(self) -> None:
        x, y = self.origin
        if not self._area.covers(shapely.Point(x, y)):
            gap = self._area.boundary.distance(shapely.Point(x, y))
            raise InputError(f"the site at ({x:.1f}, {y:.1f}) m lies {gap:.1f} m outside the operating area "
                             "(after the safety margin)")
        if shapely.contains_xy(self._union, x, y):
            depth = self._union.boundary.distance(shapely.Point(x, y))
            raise InputError(f"the site at ({x:.1f}, {y:.1f}) m lies {depth:.1f} m inside an obstacle "
                             "(a blocking zone with its safety margin)")

    def _corner_frames(self, corners: NDArray) -> tuple[NDArray, NDArray, NDArray]:
        sp = self.space
        p = sp.points[corners]
        return p, sp.points[sp.prev[corners]] - p, sp.points[sp.next[corners]] - p

    def _shortest_path_tree(self) -> tuple[NDArray, NDArray]:
        corners = self._corners
        k = len(corners)
        p, into, out = self._corner_frames(corners)
        rows, cols = [], []
        # origin -> corner: tangent at the corner
        d = p - np.array(self.origin)
        ok = np.flatnonzero(_tangent(-d, into, out))
        vis = self.space.visible(np.repeat([self.origin], len(ok), axis=0), p[ok], None, corners[ok])
        rows.append(np.zeros(vis.sum(), int))
        cols.append(ok[vis] + 1)
        # corner -> corner: tangent at both ends (bitangents), in blocks of rows
        step = max(1, _BLOCK // max(k, 1))
        for i0 in range(0, k, step):
            i = np.arange(i0, min(i0 + step, k))
            d = p[None, :, :] - p[i, None, :]
            mask = np.arange(k)[None, :] > i[:, None]
            mask &= _tangent(d, into[i, None, :], out[i, None, :])
            mask &= _tangent(-d, into[None, :, :], out[None, :, :])
            a, b = np.nonzero(mask)
            a = i[a]
            vis = self.space.visible(p[a], p[b], corners[a], corners[b])
            rows.append(a[vis] + 1)
            cols.append(b[vis] + 1)
        rows, cols = np.concatenate(rows), np.concatenate(cols)
        weight = np.hypot(*(self.nodes[rows] - self.nodes[cols]).T)
        weight = np.maximum(weight, np.finfo(float).tiny)  # a zero weight would mean "no edge"
        graph = coo_matrix((weight, (rows, cols)), shape=(k + 1, k + 1)).tocsr()
        self.graph = graph
        dist, pred = dijkstra(graph, directed=False, indices=0, return_predecessors=True)
        return dist, pred

    # ------------------------------------------------------------------ queries
    def blocked(self, xy: ArrayLike) -> NDArray:
        """True where a point ((n, 2) metres) is inside an obstacle or outside the area."""
        xy = np.asarray(xy, float).reshape(-1, 2)
        return shapely.contains_xy(self._union, xy[:, 0], xy[:, 1]) | ~shapely.intersects_xy(
            self._area, xy[:, 0], xy[:, 1])

    def _classify(self, xy: NDArray) -> NDArray:
        reasons = np.full(len(xy), None, dtype=object)
        x, y = xy[:, 0], xy[:, 1]
        outside = ~shapely.intersects_xy(self._area, x, y)
        inside = ~outside & shapely.contains_xy(self._union, x, y)
        enclosed = ~outside & ~inside & ~shapely.intersects_xy(self.free, x, y)
        reasons[outside] = "outside_area"
        reasons[inside] = "inside_obstacle"
        reasons[enclosed] = "enclosed"
        return reasons

    def _best_nodes(self, t: NDArray) -> tuple[NDArray, NDArray]:
        """Best last node and path length for targets ``t`` in the free space ((m, 2) metres)."""
        m = len(t)
        reach = np.isfinite(self.node_distances)
        reach[0] = True
        nodes = np.flatnonzero(reach)
        p = self.nodes[nodes]
        dist = self.node_distances[nodes]
        _, into, out = self._corner_frames(self._corners[nodes[1:] - 1])
        best = np.full(m, -1)
        length = np.full(m, np.inf)
        step = max(1, _BLOCK // max(len(nodes), 1))
        for i0 in range(0, m, step):
            ti = t[i0:i0 + step]
            d = ti[:, None, :] - p[None, :, :]
            key = dist[None, :] + np.hypot(d[..., 0], d[..., 1])
            key[:, 1:][~_tangent(d[:, 1:], into[None], out[None])] = np.inf
            b, length[i0:i0 + step] = self._first_visible(ti, key, nodes)
            best[i0:i0 + step] = b
        return best, length

    def _first_visible(self, t: NDArray, key: NDArray, nodes: NDArray) -> tuple[NDArray, NDArray]:
        """Per target row of ``key``: the node of smallest key that sees the target, and that key.

        Candidates are tested in increasing key order, a few first (most targets are
        settled by their best few corners), then in growing batches.
        """
        m, n = key.shape
        best = np.full(m, -1)
        length = np.full(m, np.inf)
        rows = np.arange(m)
        w = min(8, n)
        first = np.argpartition(key, w - 1, axis=1)[:, :w] if w < n else np.tile(np.arange(n), (m, 1))
        cand = np.take_along_axis(first, np.argsort(np.take_along_axis(key, first, 1), axis=1), 1)
        still = self._settle(t, key, nodes, rows, cand, best, length)
        rows = rows[still]
        if rows.size and w < n:
            order = np.argsort(key[rows], axis=1)
            start, width = w, 4 * w
            while rows.size and start < n:
                still = self._settle(t, key, nodes, rows, order[:, start:start + width], best, length)
                rows, order = rows[still], order[still]
                start, width = start + width, width * 4
        return best, length

    def _settle(self, t, key, nodes, rows, cand, best, length) -> NDArray:
        """Test candidate nodes ``cand`` (sorted by key) of targets ``rows``; True where still open."""
        ck = np.take_along_axis(key[rows], cand, 1)
        r, c = np.nonzero(np.isfinite(ck))
        gi = nodes[cand[r, c]]
        vis = np.zeros(ck.shape, bool)
        vis[r, c] = self.space.visible(self.nodes[gi], t[rows[r]], self.node_vertex[gi])
        found = vis.any(axis=1)
        first = np.argmax(vis, axis=1)[found]
        best[rows[found]] = nodes[cand[found, first]]
        length[rows[found]] = ck[found, first]
        return ~found & np.isfinite(ck[:, -1])

    def distances(self, xy: ArrayLike) -> tuple[NDArray, NDArray]:
        """Shortest path lengths (m) from the origin to targets ``xy`` ((n, 2) metres).

        Returns ``(lengths, reasons)``: ``lengths`` is ``inf`` where unreachable and
        ``reasons`` an object array holding None (reachable) or one of :data:`REASONS`.
        """
        return self._solve(xy)[1:]

    def _solve(self, xy: ArrayLike) -> tuple[NDArray, NDArray, NDArray]:
        xy = np.asarray(xy, float).reshape(-1, 2)
        if not np.all(np.isfinite(xy)):
            raise InputError("targets must be finite x, y metres")
        reasons = self._classify(xy)
        best = np.full(len(xy), -1)
        length = np.full(len(xy), np.inf)
        ok = np.flatnonzero(np.equal(reasons, None))
        if ok.size:
            best[ok], length[ok] = self._best_nodes(xy[ok])
            lost = ok[best[ok] < 0]
            reasons[lost] = "enclosed"
        return best, length, reasons

    def route(self, x: float, y: float) -> Route:
        """The shortest route to the point (x, y) metres."""
        return self.routes(np.array([[x, y]], float))[0]

    def routes(self, xy: ArrayLike) -> list[Route]:
        """Shortest routes to targets ``xy`` ((n, 2) metres), one :class:`Route` each."""
        xy = np.asarray(xy, float).reshape(-1, 2)
        best, length, reasons = self._solve(xy)
        out = []
        for target, node, total, reason in zip(xy, best, length, reasons):
            if reason is not None:
                out.append(Route(np.empty((0, 2)), float("inf"), reason))
                continue
            chain = [node]
            while chain[-1] != 0:
                chain.append(self.node_predecessors[chain[-1]])
            points = np.vstack([self.nodes[chain[::-1]], target])
            out.append(Route(points, float(total)))
        return out

    def sees_origin(self, xy: ArrayLike) -> NDArray:
        """True where the straight segment from a point ((n, 2) metres) to the origin is clear."""
        xy = np.asarray(xy, float).reshape(-1, 2)
        free = ~self.blocked(xy)
        out = np.zeros(len(xy), bool)
        at = np.flatnonzero(free)
        out[at] = self.space.visible(xy[at], np.repeat([self.origin], len(at), axis=0))
        return out

    @functools.cached_property
    def _vertex_of(self) -> dict[tuple[float, float], int]:
        """The ring vertex at each node's position (the origin excluded)."""
        return {(float(x), float(y)): int(v) for (x, y), v in zip(self.nodes[1:], self.node_vertex[1:])}

    def sees_first_turn(self, start: ArrayLike, routes: Sequence[Route]) -> NDArray:
        """True where ``start`` ((x, y) metres, or one per route) sees a route's first turn (or its target):
        the straight line between them is clear. Routes of fewer than two points are False."""
        reachable = [k for k, r in enumerate(routes) if r.reachable and len(r.points) >= 2]
        first = np.array([routes[k].points[1] for k in reachable], float).reshape(-1, 2)
        # the first turn is a ring vertex (its index lets the test start along the boundary); a target is not
        index = np.array([self._vertex_of.get((float(x), float(y)), -1) if len(routes[j].points) > 2 else -1
                          for (x, y), j in zip(first, reachable)], int)
        out = np.zeros(len(routes), bool)
        starts = np.broadcast_to(np.asarray(start, float), (len(routes), 2))[reachable]
        out[reachable] = self.space.visible(starts, first, None, index)
        return out

    def from_point(self, start: tuple[float, float], routes: Sequence[Route],
                   sees_first: NDArray | None = None) -> list[Route]:
        """``routes`` (from the origin) flown from ``start``, a point that sees the origin (a pad beside
        the site), as :func:`flown_from` makes them; ``sees_first`` is :meth:`sees_first_turn`, where
        already known."""
        sees = self.sees_first_turn(start, routes) if sees_first is None else sees_first
        return flown_from(start, routes, sees, self.origin)
