"""A spatio-temporal index of accepted volumes: which of them does a new flight's volume meet?

Volumes are filed under every cell they touch, a cell being a time bin of ``bin_s`` seconds,
an altitude slab and a square of plan view, in one slot table (cells x slots) of volume
numbers, so a query gathers the candidates of all its volumes' cells with one fancy index and
tests them in one vectorised pass: time windows, altitude bands, then the exact plan-view
distance between the capsules' segments. Squares ``tile`` apart share a row (a spatial hash
with a period of ``tile`` squares), so the table stays the size of bins times slabs times
``tile`` squared whatever the area, and squares next to each other never share one. Two
volumes conflict when they overlap in time, altitude and plan view together (touching is
not overlapping), as ASTM F3548-21 defines intersecting operational intents.

:meth:`IntentIndex.earliest` answers the dispatcher's question directly: given a flight's
volumes relative to its take-off, each pair of a volume and an accepted volume that meet in
plan view and altitude forbids an open interval of take-off times (their windows overlap in
between); the earliest take-off is the first instant of the range outside all of them, found
by one sort and a running maximum rather than by trying take-offs one after another.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .volumes import Volumes, segment_distance

__all__ = ["Conflict", "IntentIndex"]

_COLUMNS = tuple(f.name for f in fields(Volumes))


@dataclass(frozen=True)
class Conflict:
    """Accepted flights (``owners``) a set of volumes meets, and the least delay (s) of all of those
    volumes that clears every conflicting pair in time (``clear_after_s``)."""

    owners: tuple[int, ...]
    clear_after_s: float


def _expand(first: NDArray, last: NDArray) -> tuple[NDArray, NDArray]:
    """For ranges ``[first[k], last[k]]``: the range number and the value of each of their members."""
    counts = last - first + 1
    which = np.repeat(np.arange(len(first)), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return which, first[which] + offset


def _first_clear(option: NDArray, s: NDArray, e: NDArray, base: NDArray) -> tuple[NDArray, NDArray]:
    """For forbidden open intervals ``(s[k], e[k])`` of take-off times of options ``option[k]``, each option
    starting at ``base[option]``: the options with intervals and how long each must wait past its start.

    One sweep for all: sorted by option and start, a take-off moves to the running maximum of the ends
    until an interval starts at or after it; options are moved ``option * span`` apart, beyond one
    another's ends, so one running maximum serves them all.
    """
    order = np.lexsort((s, option))
    g, s, e = option[order], s[order], e[order]
    span = float(max(e.max(), base.max()) - min(s.min(), 0.0) + 1.0)
    s, e, floor = s + g * span, e + g * span, base[g] + g * span
    reach = np.maximum.accumulate(e)
    first = np.r_[True, g[1:] != g[:-1]]
    t = np.maximum(floor, np.where(first, -np.inf, np.r_[-np.inf, reach[:-1]]))
    heads = np.flatnonzero(first)
    stop = np.minimum.reduceat(np.where(s >= t, np.arange(len(s)), len(s)), heads)
    ends = np.r_[heads[1:], len(s)] - 1
    found = np.where(stop < len(s), t[np.minimum(stop, len(s) - 1)], np.maximum(floor[heads], reach[ends]))
    return g[heads], found - floor[heads]


class IntentIndex:
    """Accepted volumes of many flights, each volume tagged with its flight's ``owner`` number.

    Volumes are filed by time bin (``bin_s`` seconds, about a volume's duration) and altitude
    slab (``slab_m`` metres, the first slab starting at ``-slab_offset_m``; a cruise volume whose
    band is one slab high and aligned with them files under one slab only, so flights on
    other layers are never even candidates). Altitudes above ``slabs`` slabs share the last.
    ``margin_m`` is added to the sum of two capsules' radii: capsules closer than that margin
    beyond touching count as meeting (so that outlines exported slightly larger than the
    capsules, :func:`dronedel.intent.f3548.buffer_radius_m`, never meet either). In plan view a
    volume is filed under the squares of ``square_m`` metres that its capsule, grown by its radius
    and half the margin, touches: two capsules that meet then share a square.
    """

    def __init__(self, bin_s: float = 60.0, slab_m: float = 15.0, slab_offset_m: float = 7.5, slabs: int = 16,
                 margin_m: float = 0.0, square_m: float = 300.0, tile: int = 8) -> None:
        if not bin_s > 0 or not slab_m > 0 or slabs < 1 or not square_m > 0 or tile < 1:
            raise ValueError(f"bin_s, slab_m and square_m must be positive and slabs and tile at least 1, not "
                             f"{bin_s!r}, {slab_m!r}, {square_m!r}, {slabs!r}, {tile!r}")
        self.bin_s, self.slab_m, self.slab_offset_m = float(bin_s), float(slab_m), float(slab_offset_m)
        self.slabs, self.square_m, self.tile = slabs, float(square_m), tile
        self._per_bin = slabs * tile * tile
        self.margin_m = float(margin_m)
        self._n = 0
        self._data = {name: np.empty(1024) for name in _COLUMNS}
        self._owner = np.empty(1024, np.int64)
        self._corner = np.empty((1024, 4), np.int64)  # each volume's first bin, slab, square x and square y
        self._first_bin = 0
        self._removed = 0
        self._bins_held = 0
        self._slots = np.full((0, 16), -1, np.int32)
        self._count = np.zeros(0, np.int64)

    def __len__(self) -> int:
        return self._n - self._removed

    @property
    def volumes(self) -> Volumes:
        """Every accepted volume still held, in the order added."""
        keep = self._owner[:self._n] >= 0
        return Volumes(*(self._data[name][:self._n][keep] for name in _COLUMNS))

    @property
    def owners(self) -> NDArray:
        """The owner of every accepted volume still held (as :attr:`volumes`)."""
        owners = self._owner[:self._n]
        return owners[owners >= 0]

    def remove(self, owner: int) -> int:
        """Release the volumes of flight ``owner`` (cancelled): they meet nothing from now on. Returns how
        many volumes were released."""
        ids = np.flatnonzero(self._owner[:self._n] == owner)
        self._data["t_lo"][ids], self._data["t_hi"][ids] = np.inf, -np.inf  # an empty window overlaps nothing
        self._owner[ids] = -1
        self._removed += len(ids)
        return len(ids)

    def forget(self, before_s: float) -> int:
        """Drop the cells of the time bins that end by ``before_s`` (s), so that a service running for days
        keeps a table of its recent and future bins only; questions about windows before then no longer
        see the volumes filed there. Returns how many bins were dropped."""
        drop = int(np.clip(np.floor(before_s / self.bin_s) - self._first_bin, 0, self._bins_held))
        if drop:
            cut = drop * self._per_bin
            self._slots, self._count = self._slots[cut:].copy(), self._count[cut:].copy()
            self._first_bin, self._bins_held = self._first_bin + drop, self._bins_held - drop
        return drop

    def _bins(self, v: Volumes) -> tuple[NDArray, NDArray]:
        return (np.floor(v.t_lo / self.bin_s).astype(np.int64), np.floor(v.t_hi / self.bin_s).astype(np.int64))

    def _corners(self, v: Volumes) -> tuple[NDArray, ...]:
        """The first and last altitude slab and plan-view square (x, then y) each volume is filed under:
        ``s0, s1, x0, x1, y0, y1``. A capsule grown by its radius and half the margin touches them."""
        top = self.slabs - 1
        s0 = np.clip(np.floor((v.z_lo + self.slab_offset_m) / self.slab_m), 0, top).astype(np.int64)
        s1 = np.maximum(np.clip(np.ceil((v.z_hi + self.slab_offset_m) / self.slab_m) - 1, 0, top).astype(np.int64), s0)
        grow = v.radius + self.margin_m / 2
        x0, x1, y0, y1 = (np.floor(edge / self.square_m).astype(np.int64) for edge in (
            np.minimum(v.ax, v.bx) - grow, np.maximum(v.ax, v.bx) + grow,
            np.minimum(v.ay, v.by) - grow, np.maximum(v.ay, v.by) + grow))
        return s0, s1, x0, x1, y0, y1

    def _row(self, b: NDArray, slab: NDArray, x: NDArray, y: NDArray) -> NDArray:
        """The slot-table row of cell (time bin, slab, square x, square y)."""
        return (((b - self._first_bin) * self.slabs + slab) * self.tile + x % self.tile) * self.tile + y % self.tile

    def _cells(self, lo: NDArray, hi: NDArray, corners: tuple[NDArray, ...]) -> tuple[NDArray, NDArray]:
        """For volumes over time bins ``lo..hi`` with :meth:`_corners` ``corners``: the volume number and
        slot-table row of every cell, in one expansion (a full tile of squares is every row)."""
        s0, s1, x0, x1, y0, y1 = corners
        nb, ns = hi - lo + 1, s1 - s0 + 1
        nx, ny = np.minimum(x1 - x0 + 1, self.tile), np.minimum(y1 - y0 + 1, self.tile)
        which, k = _expand(np.zeros(len(lo), np.int64), nb * ns * nx * ny - 1)
        k, y = np.divmod(k, ny[which])
        k, x = np.divmod(k, nx[which])
        b, slab = np.divmod(k, ns[which])
        return which, self._row(lo[which] + b, s0[which] + slab, x0[which] + x, y0[which] + y)

    def _cover(self, lo: int, hi: int) -> None:
        """Grow the slot table to hold time bins ``lo..hi``, by at least as many bins as it holds (so that a
        day filed in time order copies the table a logarithmic number of times)."""
        held, end = self._bins_held, self._first_bin + self._bins_held
        if held and self._first_bin <= lo and hi < end:
            return
        grow = max(held, 64)
        first = self._first_bin if held and lo >= self._first_bin else lo - (grow if held else 0)
        last = end - 1 if held and hi < end else hi + grow
        n = (last - first + 1) * self._per_bin
        slots = np.full((n, self._slots.shape[1]), -1, np.int32)
        count = np.zeros(n, np.int64)
        if held:
            at = (self._first_bin - first) * self._per_bin
            slots[at:at + len(self._count)] = self._slots
            count[at:at + len(self._count)] = self._count
        self._slots, self._count, self._first_bin, self._bins_held = slots, count, first, last - first + 1

    def add(self, owner: int, v: Volumes) -> None:
        """File the volumes ``v`` of flight ``owner``."""
        m = len(v)
        if not m:
            return
        while self._n + m > len(self._owner):
            self._data = {k: np.resize(a, 2 * len(a)) for k, a in self._data.items()}
            self._owner = np.resize(self._owner, 2 * len(self._owner))
            self._corner = np.resize(self._corner, (len(self._owner), 4))
        ids = np.arange(self._n, self._n + m)
        for name in _COLUMNS:
            self._data[name][ids] = getattr(v, name)
        self._owner[ids] = owner
        self._n += m
        lo, hi = self._bins(v)
        self._cover(int(lo.min()), int(hi.max()))
        corners = self._corners(v)
        self._corner[ids] = np.column_stack([lo, corners[0], corners[2], corners[4]])
        which, rows = self._cells(lo, hi, corners)
        order = np.argsort(rows, kind="stable")
        rows, vid = rows[order], ids[which[order]]
        starts = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
        rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.append(starts, len(rows))))
        col = self._count[rows] + rank
        if col.max() >= self._slots.shape[1]:
            wider = np.full((len(self._count), 2 * (int(col.max()) + 1)), -1, np.int32)
            wider[:, :self._slots.shape[1]] = self._slots
            self._slots = wider
        self._slots[rows, col] = vid
        np.add.at(self._count, rows, 1)

    def conflicts(self, v: Volumes) -> Conflict | None:
        """The accepted flights that volumes ``v`` meet (overlap in time, altitude and plan view), or None."""
        pairs = self.pairs(v)
        if pairs is None:
            return None
        q, a = pairs
        data = self._data
        clear = float(np.max(data["t_hi"][a] - v.t_lo[q]))
        return Conflict(tuple(sorted(set(self._owner[a].tolist()))), clear)

    def earliest(self, v: Volumes, option: NDArray, options: int, lo: ArrayLike, hi: float,
                 clear_s: float = 0.0) -> tuple[NDArray, tuple[int, ...]]:
        """The earliest take-off of each of ``options`` flights in ``[lo, hi]`` (s; ``lo`` one for all or one
        per option) at which none of its volumes meets an accepted one (``inf`` where none does), and the
        accepted flights met on the way.

        ``v`` holds the volumes of all the options with times relative to a take-off at 0 s,
        ``option[k]`` naming the option of volume ``k``; a take-off is pushed ``clear_s`` past the end of
        each interval it must clear, so that windows do not merely touch.
        """
        start = np.broadcast_to(np.asarray(lo, float), (options,)).copy()
        lo, base = float(start.min()), start - start.min()  # each option's own start, after the earliest
        start[start > hi] = np.inf
        # options share most of their capsules and bands: ask once per distinct one, over all its windows
        order = np.lexsort((v.z_hi, v.z_lo, v.radius, v.by, v.bx, v.ay, v.ax))
        shape = np.column_stack([v.ax, v.ay, v.bx, v.by, v.radius, v.z_lo, v.z_hi])[order]
        new = np.r_[True, (shape[1:] != shape[:-1]).any(axis=1)]
        first = order[new]
        inverse = np.empty(len(v), np.int64)
        inverse[order] = np.cumsum(new) - 1
        t_lo, t_hi = np.full(len(first), np.inf), np.full(len(first), -np.inf)
        np.minimum.at(t_lo, inverse, v.t_lo)
        np.maximum.at(t_hi, inverse, v.t_hi)
        shared = v.take(first)
        met = self.pairs(Volumes(shared.ax, shared.ay, shared.bx, shared.by, shared.radius, shared.z_lo, shared.z_hi,
                                 t_lo + lo, t_hi + hi, shared.kind))
        if met is None:
            return start, ()
        d = self._data
        members = np.argsort(inverse, kind="stable")
        sizes = np.bincount(inverse, minlength=len(first))
        which, q = _expand((np.cumsum(sizes) - sizes)[met[0]], (np.cumsum(sizes) - 1)[met[0]])
        q, a = members[q], met[1][which]
        live = (d["t_lo"][a] < v.t_hi[q] + hi) & (v.t_lo[q] + lo < d["t_hi"][a])
        q, a = q[live], a[live]
        if not q.size:
            return start, ()
        g = option[q]
        options_met, delay = _first_clear(g, d["t_lo"][a] - v.t_hi[q] - lo, d["t_hi"][a] - v.t_lo[q] + clear_s - lo,
                                          base)
        start[options_met] += delay  # exactly 0 for an option that need not wait
        start[start > hi] = np.inf
        return start, tuple(sorted(set(self._owner[a].tolist())))

    def pairs(self, v: Volumes) -> tuple[NDArray, NDArray] | None:
        """Indices ``(q, a)`` of every pair of a volume of ``v`` and an accepted volume that intersect."""
        if not self._n or not len(v):
            return None
        lo, hi = self._bins(v)
        last = self._first_bin + self._bins_held - 1
        lo, hi = np.maximum(lo, self._first_bin), np.minimum(hi, last)
        keep = np.flatnonzero(lo <= hi)
        if not keep.size:
            return None
        corners = self._corners(v.take(keep))
        which, rows = self._cells(lo[keep], hi[keep], corners)
        count = self._count[rows]
        full = count > 0
        if not full.any():
            return None
        which, rows, count = which[full], rows[full], count[full]
        entry, col = _expand(np.zeros(len(rows), np.int64), count - 1)  # every filled slot of every row
        a = self._slots[rows[entry], col]
        w = which[entry]
        # a pair sharing several cells is taken in one: the cell of the lower corner of their footprints' overlap
        theirs = self._corner[a]
        once = self._row(np.maximum(lo[keep][w], theirs[:, 0]), np.maximum(corners[0][w], theirs[:, 1]),
                         np.maximum(corners[2][w], theirs[:, 2]), np.maximum(corners[4][w], theirs[:, 3]))
        once = once == rows[entry]
        q, a = keep[w[once]], a[once]
        d = self._data
        ok = (d["t_lo"][a] < v.t_hi[q]) & (v.t_lo[q] < d["t_hi"][a])
        ok &= (d["z_lo"][a] < v.z_hi[q]) & (v.z_lo[q] < d["z_hi"][a])
        q, a = q[ok], a[ok]
        if not q.size:
            return None
        reach = d["radius"][a] + v.radius[q] + self.margin_m
        ok = (np.maximum(d["ax"][a], d["bx"][a]) + reach > np.minimum(v.ax[q], v.bx[q]))
        ok &= (np.maximum(v.ax[q], v.bx[q]) + reach > np.minimum(d["ax"][a], d["bx"][a]))
        ok &= (np.maximum(d["ay"][a], d["by"][a]) + reach > np.minimum(v.ay[q], v.by[q]))
        ok &= (np.maximum(v.ay[q], v.by[q]) + reach > np.minimum(d["ay"][a], d["by"][a]))
        q, a, reach = q[ok], a[ok], reach[ok]
        if not q.size:
            return None
        mine = v.take(q)
        theirs = Volumes(*(d[name][a] for name in _COLUMNS))
        hit = segment_distance(mine, theirs) < reach
        if not hit.any():
            return None
        return q[hit], a[hit]
