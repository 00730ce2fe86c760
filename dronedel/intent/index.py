"""A spatio-temporal index of accepted volumes: which of them does a new flight's volume meet?

Volumes are filed under every time bin of ``bin_s`` seconds their window touches, in one
slot table (bins x slots) of volume numbers, so a query gathers the candidates of all its
volumes' bins with one fancy index and tests them in one vectorised pass: time windows,
altitude bands, then the exact plan-view distance between the capsules' segments. Two
volumes conflict when they overlap in time, altitude and plan view together (touching is
not overlapping), as ASTM F3548-21 defines intersecting operational intents.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

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


class IntentIndex:
    """Accepted volumes of many flights, each volume tagged with its flight's ``owner`` number.

    Volumes are filed by time bin (``bin_s`` seconds, about a volume's duration) and altitude
    slab (``slab_m`` metres, the first slab starting at ``-slab_offset_m``; a cruise volume whose
    band is one slab high and aligned with them files under one slab only, so flights on
    other layers are never even candidates). Altitudes above ``slabs`` slabs share the last.
    ``margin_m`` is added to the sum of two capsules' radii: capsules closer than that margin
    beyond touching count as meeting (so that outlines exported slightly larger than the
    capsules, :func:`dronedel.intent.f3548.buffer_radius_m`, never meet either).
    """

    def __init__(self, bin_s: float = 60.0, slab_m: float = 15.0, slab_offset_m: float = 7.5, slabs: int = 16,
                 margin_m: float = 0.0) -> None:
        if not bin_s > 0 or not slab_m > 0 or slabs < 1:
            raise ValueError(f"bin_s and slab_m must be positive and slabs at least 1, not {bin_s!r}, {slab_m!r}, "
                             f"{slabs!r}")
        self.bin_s, self.slab_m, self.slab_offset_m, self.slabs = float(bin_s), float(slab_m), float(slab_offset_m), slabs
        self.margin_m = float(margin_m)
        self._n = 0
        self._data = {name: np.empty(1024) for name in _COLUMNS}
        self._owner = np.empty(1024, np.int64)
        self._first_bin = 0
        self._bins_held = 0
        self._slots = np.full((0, 16), -1, np.int64)
        self._count = np.zeros(0, np.int64)

    def __len__(self) -> int:
        return self._n

    @property
    def volumes(self) -> Volumes:
        """Every accepted volume, in the order added."""
        return Volumes(*(self._data[name][:self._n] for name in _COLUMNS))

    @property
    def owners(self) -> NDArray:
        """The owner of every accepted volume."""
        return self._owner[:self._n]

    def _bins(self, v: Volumes) -> tuple[NDArray, NDArray]:
        return (np.floor(v.t_lo / self.bin_s).astype(np.int64), np.floor(v.t_hi / self.bin_s).astype(np.int64))

    def _cells(self, v: Volumes, lo: NDArray, hi: NDArray) -> tuple[NDArray, NDArray]:
        """For volumes ``v`` over time bins ``lo..hi``: the volume number and slot-table row of every cell."""
        top = self.slabs - 1
        s0 = np.clip(np.floor((v.z_lo + self.slab_offset_m) / self.slab_m), 0, top).astype(np.int64)
        s1 = np.clip(np.ceil((v.z_hi + self.slab_offset_m) / self.slab_m) - 1, 0, top).astype(np.int64)
        which, bins = _expand(lo, hi)
        inner, slab = _expand(s0[which], np.maximum(s1, s0)[which])
        return which[inner], (bins[inner] - self._first_bin) * self.slabs + slab

    def _cover(self, lo: int, hi: int) -> None:
        """Grow the slot table to hold time bins ``lo..hi``."""
        held = self._bins_held
        first = min(self._first_bin, lo) if held else lo
        last = max(self._first_bin + held - 1, hi) if held else hi
        if held and first == self._first_bin and last == self._first_bin + held - 1:
            return
        n = (last - first + 1) * self.slabs
        slots = np.full((n, self._slots.shape[1]), -1, np.int64)
        count = np.zeros(n, np.int64)
        if held:
            at = (self._first_bin - first) * self.slabs
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
        ids = np.arange(self._n, self._n + m)
        for name in _COLUMNS:
            self._data[name][ids] = getattr(v, name)
        self._owner[ids] = owner
        self._n += m
        lo, hi = self._bins(v)
        self._cover(int(lo.min()), int(hi.max()))
        which, rows = self._cells(v, lo, hi)
        order = np.argsort(rows, kind="stable")
        rows, vid = rows[order], ids[which[order]]
        starts = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
        rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.append(starts, len(rows))))
        col = self._count[rows] + rank
        if col.max() >= self._slots.shape[1]:
            wider = np.full((len(self._count), 2 * (int(col.max()) + 1)), -1, np.int64)
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
        which, rows = self._cells(v.take(keep), lo[keep], hi[keep])
        count = self._count[rows]
        full = count > 0
        if not full.any():
            return None
        which, rows, count = which[full], rows[full], count[full]
        entry, col = _expand(np.zeros(len(rows), np.int64), count - 1)  # every filled slot of every row
        a = self._slots[rows[entry], col]
        q = keep[which[entry]]
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
