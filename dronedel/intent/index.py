"""A spatio-temporal index of accepted volumes: which of them does a new flight's volume meet?

Volumes are filed under every cell they touch, a cell being a time bin of ``bin_s`` seconds,
an altitude slab and a square of plan view, in one slot table (cells x slots) of volume
numbers; a query scans the cells of its volumes and tests each candidate in turn (compiled,
:mod:`dronedel.intent.kernels`): time windows, altitude bands, then the exact plan-view
distance between the capsules' segments. Squares ``tile`` apart share a row (a spatial hash
with a period of ``tile`` squares), so the table stays the size of bins times slabs times
``tile`` squared whatever the area, and squares next to each other never share one. Two
volumes conflict when they overlap in time, altitude and plan view together (touching is
not overlapping), as ASTM F3548-21 defines intersecting operational intents.

:meth:`IntentIndex.earliest` answers the dispatcher's question directly: given a flight's
volumes relative to its take-off, each pair of a volume and an accepted volume that meet in
plan view and altitude forbids an open interval of take-off times (their windows overlap in
between); the earliest take-off is the first instant of the range outside all of them, found
by one sweep in order of the intervals' starts rather than by trying take-offs one after another.
:meth:`IntentIndex.first` asks which of several options takes off first, searching each only up to
the best take-off of those before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import kernels
from .volumes import COLUMNS, Volumes

__all__ = ["Conflict", "IntentIndex"]

_T_LO, _T_HI = COLUMNS.index("t_lo"), COLUMNS.index("t_hi")


@dataclass(frozen=True)
class Conflict:
    """Accepted flights (``owners``) a set of volumes meets, and the least delay (s) of all of those
    volumes that clears every conflicting pair in time (``clear_after_s``)."""

    owners: tuple[int, ...]
    clear_after_s: float


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
        self._rows = np.empty((1024, len(COLUMNS)))  # one accepted volume per row, columns as COLUMNS
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
        return Volumes.from_rows(self._rows[:self._n][keep])

    @property
    def owners(self) -> NDArray:
        """The owner of every accepted volume still held (as :attr:`volumes`)."""
        owners = self._owner[:self._n]
        return owners[owners >= 0]

    def remove(self, owner: int) -> int:
        """Release the volumes of flight ``owner`` (cancelled): they meet nothing from now on. Returns how
        many volumes were released."""
        ids = np.flatnonzero(self._owner[:self._n] == owner)
        self._rows[ids, _T_LO], self._rows[ids, _T_HI] = np.inf, -np.inf  # an empty window overlaps nothing
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
            self._rows = np.resize(self._rows, (2 * len(self._rows), len(COLUMNS)))
            self._owner = np.resize(self._owner, 2 * len(self._owner))
            self._corner = np.resize(self._corner, (len(self._owner), 4))
        ids = np.arange(self._n, self._n + m)
        self._rows[ids] = v.rows
        self._owner[ids] = owner
        self._n += m
        self._cover(int(np.floor(v.t_lo.min() / self.bin_s)), int(np.floor(v.t_hi.max() / self.bin_s)))
        which, rows, self._corner[ids] = kernels.cells(self._rows[ids], self._grid(), self._first_bin, self.slabs,
                                                       self.tile)
        order = np.argsort(rows, kind="stable")
        rows, vid = rows[order], ids[which[order]]
        starts = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
        runs = np.diff(np.append(starts, len(rows)))  # how many of the new volumes each cell gets
        rank = np.arange(len(rows)) - np.repeat(starts, runs)
        col = self._count[rows] + rank
        if col.max() >= self._slots.shape[1]:
            wider = np.full((len(self._count), 2 * (int(col.max()) + 1)), -1, np.int32)
            wider[:, :self._slots.shape[1]] = self._slots
            self._slots = wider
        self._slots[rows, col] = vid
        self._count[rows[starts]] += runs

    def conflicts(self, v: Volumes) -> Conflict | None:
        """The accepted flights that volumes ``v`` meet (overlap in time, altitude and plan view), or None."""
        pairs = self.pairs(v)
        if pairs is None:
            return None
        q, a = pairs
        clear = float(np.max(self._rows[a, _T_HI] - v.t_lo[q]))
        return Conflict(tuple(sorted(set(self._owner[a].tolist()))), clear)

    def earliest(self, v: Volumes, option: NDArray, options: int, lo: ArrayLike, hi: ArrayLike,
                 clear_s: float = 0.0, ignore: ArrayLike = ()) -> tuple[NDArray, tuple[int, ...]]:
        """The earliest take-off of each of ``options`` flights in ``[lo, hi]`` (s; ``lo`` and ``hi`` one for
        all or one per option) at which none of its volumes meets an accepted one (``inf`` where none
        does), and the accepted flights met on the way; the volumes of the flights ``ignore`` (owners)
        do not count.

        ``v`` holds the volumes of all the options with times relative to a take-off at 0 s,
        ``option[k]`` naming the option of volume ``k``; a take-off is pushed ``clear_s`` past the end of
        each interval it must clear, so that windows do not merely touch.
        """
        start = np.broadcast_to(np.asarray(lo, float), (options,)).copy()
        last = np.broadcast_to(np.asarray(hi, float), (options,))
        start[~(start <= last)] = np.inf
        ask = np.flatnonzero(np.isfinite(start[option]))
        if not self._n or not ask.size:
            return start, ()
        query = v.rows[ask]
        g = option[ask]
        query[:, _T_LO] += start[g]  # every take-off of the option's range
        query[:, _T_HI] += last[g]
        q, a = self._meeting(query)
        if len(ignore):
            counted = ~np.isin(self._owner[a], np.asarray(ignore, np.int64))
            q, a = q[counted], a[counted]
        if not q.size:
            return start, ()
        q = ask[q]
        g = option[q]
        found = kernels.first_clear(g, self._rows[a, _T_LO] - v.t_hi[q], self._rows[a, _T_HI] - v.t_lo[q] + clear_s,
                                    start)
        found[found > last] = np.inf
        return found, tuple(np.unique(self._owner[a]).tolist())

    def earliest_alike(self, v: Volumes, first: NDArray, lo: float, hi: float,
                       clear_s: float = 0.0) -> tuple[NDArray, NDArray]:
        """:meth:`earliest` of each volume of ``v`` alone (each its own option) from ``lo`` to ``hi`` (s), where
        the volumes ``first[g]`` to ``first[g + 1]`` share one plan view (a pad's climbs to each layer): their
        cells are scanned once for all of them. ``first`` rises from 0 to ``len(v)`` (ValueError otherwise).
        The flights met are the owners of the accepted volumes met, with repeats."""
        found, met = kernels.earliest_alike(self._slots, self._count, self._corner, self._rows[:self._n], v.rows,
                                            np.asarray(first, np.int64), float(lo), float(hi), self._grid(),
                                            self._first_bin, self._bins_held, self.slabs, self.tile, clear_s)
        return found, self._owner[met]

    def first(self, v: Volumes, option: NDArray, options: int, lo: ArrayLike, hi: ArrayLike,
              clear_s: float = 0.0) -> tuple[int, float, NDArray]:
        """The one of ``options`` flights (as :meth:`earliest` takes them; each option's volumes together, the
        options in order) with the earliest take-off clear of every accepted volume, ties to the first; that
        take-off (s); and the owners of the accepted volumes met on the way (with repeats). ``-1, inf`` where
        no option has one.

        The same take-off as the first minimum of :meth:`earliest`'s, found with less work: each option is
        searched only up to the best take-off of the options before it."""
        lo = np.array(np.broadcast_to(np.asarray(lo, float), (options,)))  # writable, as the kernel was compiled for
        hi = np.array(np.broadcast_to(np.asarray(hi, float), (options,)))
        first = np.searchsorted(option, np.arange(options + 1))
        if first[-1] != len(option) or np.any(np.diff(option) < 0):
            raise ValueError("each option's volumes must come together, the options in order")
        k, when, met = kernels.first_slot(self._slots, self._count, self._corner, self._rows[:self._n], v.rows, first,
                                          lo, hi, self._grid(), self._first_bin, self._bins_held, self.slabs,
                                          self.tile, clear_s)
        return int(k), float(when), self._owner[met]

    def pairs(self, v: Volumes) -> tuple[NDArray, NDArray] | None:
        """Indices ``(q, a)`` of every pair of a volume of ``v`` and an accepted volume that intersect."""
        if not self._n or not len(v):
            return None
        q, a = self._meeting(v.rows)
        return (q, a) if q.size else None

    def _grid(self) -> NDArray:
        """The cell sizes and margin as the kernels take them."""
        return np.array([self.bin_s, self.slab_m, self.slab_offset_m, self.square_m, self.margin_m])

    def _meeting(self, query: NDArray) -> tuple[NDArray, NDArray]:
        """:func:`kernels.meeting` of volume rows ``query`` against this index."""
        return kernels.meeting(self._slots, self._count, self._corner, self._rows[:self._n], query, self._grid(),
                               self._first_bin, self._bins_held, self.slabs, self.tile)
