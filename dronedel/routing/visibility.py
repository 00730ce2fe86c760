"""Exact line of sight inside a closed polygonal free space, for many segments at once.

The free space is one shapely Polygon (possibly with holes) in planar metres. A segment
is *visible* when it lies in the closed free space: it may touch or run along obstacle
boundaries but never enters an obstacle's interior or leaves the outer boundary.

Segments are tested against the ring edges with floating-point orientation tests. The
edges are grouped in short chains ("chunks", each with a bounding circle) and binned in a
uniform grid; every segment is walked through the grid one cell-sized piece at a time,
from both ends inwards, and dropped as soon as an edge crosses it, so a blocked segment
costs a few grid cells rather than a scan of every edge. Any test whose sign is within
rounding error of zero, and every segment that only touches the boundary (through a vertex,
along an edge), is decided by GEOS (``shapely.covers``), whose predicates are exact, so
the answer does not depend on a tolerance.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

from .kernels import walk_segments

__all__ = ["FreeSpace", "cross"]

#: Relative size below which an orientation is taken as "too close to call".
_REL_EPS = 1e-10


def cross(u: NDArray, v: NDArray) -> NDArray:
    """z-component of the cross product of 2-vectors stacked along the last axis."""
    return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]


def _csr_expand(starts: NDArray, counts: NDArray) -> tuple[NDArray, NDArray]:
    """For row k with ``counts[k]`` items from ``starts[k]``: (row of each item, item index)."""
    rows = np.repeat(np.arange(len(counts)), counts)
    offsets = np.cumsum(counts) - counts
    items = np.arange(int(counts.sum())) - np.repeat(offsets, counts) + np.repeat(starts, counts)
    return rows, items


class FreeSpace:
    """A closed polygonal free space prepared for bulk visibility tests.

    ``polygon`` is a valid shapely Polygon in metres. With ``ignore_exterior`` the outer
    ring only stands for "far away" (a bounding box when there is no operating area): its
    edges are never tested, and callers keep every point inside it.

    Ring vertices are numbered in ring order (exterior first, then holes), with the free
    space on the left of every directed edge ``vertex i -> next[i]``:
    ``points[i]``, ``next[i]``, ``prev[i]``; ``reflex`` marks the vertices where the free
    space has an interior angle above 180 degrees (the obstacle corners paths bend around),
    and those within rounding of 180 or 360 degrees.
    """

    def __init__(self, polygon: shapely.Polygon, *, ignore_exterior: bool = False) -> None:
        polygon = shapely.orient_polygons(polygon)  # exterior CCW, holes CW: free space on the left
        self.polygon = polygon
        shapely.prepare(self.polygon)
        rings = [polygon.exterior, *polygon.interiors]
        pts, nxt, prv, tested = [], [], [], []
        start = 0
        for k, ring in enumerate(rings):
            xy = shapely.get_coordinates(ring)[:-1]
            keep = np.any(xy != np.roll(xy, 1, axis=0), axis=1)  # drop repeated points
            xy = xy[keep]
            n = len(xy)
            idx = np.arange(n)
            pts.append(xy)
            nxt.append(start + (idx + 1) % n)
            prv.append(start + (idx - 1) % n)
            tested.append(np.full(n, not (ignore_exterior and k == 0)))
            start += n
        self.points = np.concatenate(pts)
        self.next = np.concatenate(nxt)
        self.prev = np.concatenate(prv)
        self._tested = np.concatenate(tested)
        self.scale = max(1.0, float(np.abs(self.points).max()))
        into = self.points[self.prev] - self.points
        out = self.points[self.next] - self.points
        turn = cross(-into, out)  # > 0: left turn (convex for the free space)
        tol = _REL_EPS * np.hypot(*into.T) * np.hypot(*out.T)
        # too close to call (spikes, near-straight vertices) counts as reflex: an extra corner
        # costs a little time, a missing one could cost exactness
        self.reflex = (turn < tol) & self._tested
        self._build_grid()

    # ------------------------------------------------------------------ grid of edge chunks
    def _build_grid(self) -> None:
        edges = np.flatnonzero(self._tested)
        a, b = self.points[edges], self.points[self.next[edges]]
        self._ea, self._eb, self._eid = a, b, edges
        if len(edges) == 0:
            self._h, self._origin, self._shape = 1.0, np.zeros(2), (1, 1)
            self._chunk_start = self._chunk_count = np.zeros(0, int)
            self._centre, self._radius = np.zeros((0, 2)), np.zeros(0)
            self._cell_start, self._cell_count, self._cell_items = np.zeros(1, int), np.zeros(1, int), np.zeros(0, int)
            return
        lo = np.minimum(a.min(axis=0), b.min(axis=0))
        hi = np.maximum(a.max(axis=0), b.max(axis=0))
        extent = np.maximum(hi - lo, 1e-9)
        length = np.hypot(*(b - a).T)
        # about two chunks per cell, cells no smaller than the typical edge, at most ~1M cells
        h = max(float(np.sqrt(extent[0] * extent[1] / max(len(edges) / 4.0, 1.0))), float(np.median(length)),
                float(max(extent) / 1000.0))
        shape = (int(extent[0] // h) + 1, int(extent[1] // h) + 1)
        self._h, self._origin, self._shape = h, lo, shape

        # chunks: runs of consecutive edges of one ring whose path length stays within one cell size
        ring_id = np.cumsum(np.r_[True, edges[1:] != self.next[edges[:-1]]])
        cum = np.cumsum(length) - length
        ring_start = np.r_[0, np.flatnonzero(np.diff(ring_id)) + 1]
        cum = cum - np.repeat(cum[ring_start], np.diff(np.r_[ring_start, len(edges)]))
        key = ring_id * (2**31) + (cum // h).astype(np.int64)
        new = np.r_[True, key[1:] != key[:-1]]
        chunk_start = np.flatnonzero(new)
        self._chunk_start = chunk_start
        self._chunk_count = np.diff(np.r_[chunk_start, len(edges)])
        cmin = np.minimum.reduceat(np.minimum(a, b), chunk_start)
        cmax = np.maximum.reduceat(np.maximum(a, b), chunk_start)
        self._centre = (cmin + cmax) / 2
        self._radius = np.hypot(*(cmax - cmin).T) / 2
        chunk_of_edge = np.cumsum(new) - 1

        edge_idx, cells = self._cells_crossed(a, b)
        pairs = np.unique(cells * len(chunk_start) + chunk_of_edge[edge_idx])
        cell, chunk = np.divmod(pairs, len(chunk_start))
        ncell = shape[0] * shape[1]
        self._cell_count = np.bincount(cell, minlength=ncell)
        self._cell_start = np.cumsum(self._cell_count) - self._cell_count
        self._cell_items = chunk

    def _cells_crossed(self, a: NDArray, b: NDArray) -> tuple[NDArray, NDArray]:
        """(segment index, flat cell index) for every grid cell each segment a->b passes through."""
        h, nx, ny = self._h, *self._shape
        ga, gb = (a - self._origin) / h, (b - self._origin) / h
        ts = [np.zeros(len(a)), np.ones(len(a))]
        owners = [np.arange(len(a)), np.arange(len(a))]
        for axis in (0, 1):
            lo = np.floor(np.minimum(ga[:, axis], gb[:, axis])) + 1
            hi = np.ceil(np.maximum(ga[:, axis], gb[:, axis])) - 1
            count = np.maximum(hi - lo + 1, 0).astype(int)
            rows, line = _csr_expand(lo.astype(int), count)
            span = gb[rows, axis] - ga[rows, axis]
            ts.append((line - ga[rows, axis]) / span)
            owners.append(rows)
        t, owner = np.concatenate(ts), np.concatenate(owners)
        order = np.lexsort((t, owner))
        t, owner = t[order], owner[order]
        same = owner[1:] == owner[:-1]
        mid = (t[1:] + t[:-1])[same] / 2
        who = owner[1:][same]
        p = ga[who] + mid[:, None] * (gb[who] - ga[who])
        ix = np.clip(np.floor(p[:, 0]).astype(int), 0, nx - 1)
        iy = np.clip(np.floor(p[:, 1]).astype(int), 0, ny - 1)
        return who, iy * nx + ix

    # ------------------------------------------------------------------ tests
    def leaves_freely(self, vertex: NDArray, direction: NDArray) -> tuple[NDArray, NDArray]:
        """For ring vertices and directions: (surely enters an obstacle, too close to call).

        A direction along either incident edge counts as free (the closed free space).
        """
        p = self.points[vertex]
        u = self.points[self.prev[vertex]] - p
        w = self.points[self.next[vertex]] - p
        d = direction
        nd = np.hypot(*d.T)
        tu = _REL_EPS * np.hypot(*u.T) * nd
        tw = _REL_EPS * np.hypot(*w.T) * nd
        wu = cross(w, u)
        cwd, cdu = cross(w, d), cross(d, u)
        cud, cdw = -cdu, -cwd
        convex = wu > 0
        # convex corner of the free space: free iff d within the CCW sweep w -> u (closed)
        conv_bad = (cwd < -tw) | (cdu < -tu)
        conv_unsure = ~conv_bad & ((np.abs(cwd) <= tw) | (np.abs(cdu) <= tu))
        # reflex (or straight) corner: blocked iff d strictly inside the obstacle wedge u -> w
        refl_bad = (cud > tu) & (cdw > tw)
        refl_unsure = ~refl_bad & (cud >= -tu) & (cdw >= -tw) & ((np.abs(cud) <= tu) | (np.abs(cdw) <= tw))
        bad = np.where(convex, conv_bad, refl_bad)
        unsure = np.where(convex, conv_unsure, refl_unsure)
        return bad, unsure

    def visible(self, p: NDArray, q: NDArray, ip: NDArray | None = None, iq: NDArray | None = None) -> NDArray:
        """True where segment ``p[k] -> q[k]`` ((m, 2) metres) lies in the closed free space.

        ``ip``/``iq`` give the ring-vertex index of an end point, or -1 for a point that
        is not a vertex; the end points themselves must lie in the closed free space.
        """
        p = np.ascontiguousarray(np.asarray(p, float).reshape(-1, 2))
        q = np.ascontiguousarray(np.asarray(q, float).reshape(-1, 2))
        m = len(p)
        ip = np.full(m, -1) if ip is None else np.asarray(ip, int)
        iq = np.full(m, -1) if iq is None else np.asarray(iq, int)
        blocked = np.zeros(m, bool)
        unsure = np.zeros(m, bool)
        d = q - p
        length = np.hypot(*d.T)
        for ends, direction in ((ip, d), (iq, -d)):
            at = np.flatnonzero((ends >= 0) & (length > 0))
            bad, doubt = self.leaves_freely(ends[at], direction[at])
            blocked[at[bad]] = True
            unsure[at[doubt]] = True
        if len(self._chunk_start):
            walk_segments(p, q, ip.astype(np.int64), iq.astype(np.int64), blocked, unsure, self._h, self._origin,
                          *self._shape, self._cell_start, self._cell_count, self._cell_items, self._centre,
                          self._radius, self._chunk_start, self._chunk_count, self._eid, self._ea, self._eb, self.next,
                          1e-9 * self.scale, _REL_EPS)
        doubtful = np.flatnonzero(unsure & ~blocked)
        if doubtful.size:
            lines = shapely.linestrings(np.stack([p[doubtful], q[doubtful]], axis=1))
            blocked[doubtful] = ~shapely.covers(self.polygon, lines)
        return ~blocked
