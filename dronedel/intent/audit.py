"""Separation audit: the closest approach between airborne drones, from their 4D paths sampled at 1 s.

Two airborne drones lose separation when they are closer than the standard both horizontally
and vertically at once (default 50 m and 15 m, :class:`~dronedel.config.Separation`; see
docs/separation.md for where the numbers come from). Each flight is airborne from take-off to
landing; positions are sampled at the whole seconds of the plan clock, and only pairs of
flights whose windows overlap are compared, in chunks, so a day of thousands of flights
fits in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .path import PlannedPath

__all__ = ["Track", "SeparationAudit", "audit_separation", "track_of"]

_CHUNK = 1_000_000  # samples compared per block (about 150 MB of work arrays)


def _expand(first: NDArray, last: NDArray) -> tuple[NDArray, NDArray]:
    """For ranges ``[first[k], last[k]]``: the range number and the value of each of their members."""
    counts = last - first + 1
    which = np.repeat(np.arange(len(first)), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return which, first[which] + offset


@dataclass(frozen=True)
class Track:
    """Positions of one flight at whole seconds: ``t0`` the first second (plan s) and ``xyz`` (m, 3)
    local metres, z AGL, one row per second (NaN where unknown); ``name`` labels it in reports."""

    name: str
    t0: int
    xyz: NDArray

    @property
    def t1(self) -> int:
        """The last second sampled."""
        return self.t0 + len(self.xyz) - 1


@dataclass(frozen=True)
class SeparationAudit:
    """The result of :func:`audit_separation`.

    ``closest_m`` is the smallest horizontal distance between two airborne drones while less
    than ``vertical_m`` apart vertically (inf if never); ``closest_3d_m`` the smallest distance
    in 3D; ``closest_pair``/``closest_at_s`` say which two tracks and when. ``losses`` counts
    pairs of flights that lose separation at least once, ``loss_seconds`` the samples spent so;
    ``pairs`` is the number of pairs of flights airborne together.
    """

    horizontal_m: float
    vertical_m: float
    closest_m: float
    closest_3d_m: float
    closest_pair: tuple[str, str] | None
    closest_at_s: float | None
    losses: int
    loss_seconds: int
    pairs: int
    loss_pairs: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict:
        """JSON-ready figures."""
        def r(x: float) -> float | None:
            return round(float(x), 2) if np.isfinite(x) else None

        return {"standard": {"horizontal_m": self.horizontal_m, "vertical_m": self.vertical_m},
                "closest_approach_m": r(self.closest_m), "closest_approach_3d_m": r(self.closest_3d_m),
                "closest_pair": list(self.closest_pair) if self.closest_pair else None,
                "closest_at_s": self.closest_at_s, "losses_of_separation": self.losses,
                "loss_seconds": self.loss_seconds, "pairs_airborne_together": self.pairs,
                "loss_pairs": [list(p) for p in self.loss_pairs[:50]]}


def audit_separation(tracks: Sequence[Track], horizontal_m: float = 50.0, vertical_m: float = 15.0) -> SeparationAudit:
    """Compare every pair of ``tracks`` at the seconds both are airborne."""
    n = len(tracks)
    starts = np.array([t.t0 for t in tracks], np.int64)
    ends = np.array([t.t1 for t in tracks], np.int64)
    order = np.argsort(starts, kind="stable")
    flat = np.vstack([tracks[k].xyz for k in order]).astype(float) if n else np.empty((0, 3))
    lengths = (ends - starts + 1)[order]
    offset = np.r_[0, np.cumsum(lengths)[:-1]]
    s, e = starts[order], ends[order]
    # partners of i: later-starting tracks that start before i ends
    last = np.searchsorted(s, e, side="right") - 1
    first = np.arange(n) + 1
    have = last >= first
    pi, pj = _expand(first[have], last[have]) if have.any() else (np.empty(0, int), np.empty(0, int))
    pi = np.flatnonzero(have)[pi]
    lo = np.maximum(s[pi], s[pj])
    hi = np.minimum(e[pi], e[pj])
    keep = hi >= lo
    pi, pj, lo, hi = pi[keep], pj[keep], lo[keep], hi[keep]

    best_h, best_3d, best_pair, best_t = np.inf, np.inf, None, None
    lost = np.zeros(len(pi), bool)
    loss_seconds = 0
    size = hi - lo + 1
    bounds = np.r_[0, np.cumsum(size)]
    k0 = 0
    while k0 < len(pi):
        k1 = int(np.searchsorted(bounds, bounds[k0] + _CHUNK, side="right")) - 1
        k1 = max(k1, k0 + 1)
        which, t = _expand(lo[k0:k1], hi[k0:k1])
        which += k0
        a = flat[offset[pi[which]] + t - s[pi[which]]]
        b = flat[offset[pj[which]] + t - s[pj[which]]]
        dh = np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])
        dv = np.abs(a[:, 2] - b[:, 2])
        d3 = np.hypot(dh, dv)
        close = dv < vertical_m
        if close.any():
            k = int(np.nanargmin(np.where(close, dh, np.inf)))
            if dh[k] < best_h:
                best_h, best_pair, best_t = float(dh[k]), (int(which[k]), 0), float(t[k])
        if np.isfinite(d3).any():
            best_3d = min(best_3d, float(np.nanmin(d3)))
        loss = close & (dh < horizontal_m)
        loss_seconds += int(loss.sum())
        lost[np.unique(which[loss])] = True
        k0 = k1
    names = [tracks[k].name for k in order]
    pair = (names[pi[best_pair[0]]], names[pj[best_pair[0]]]) if best_pair else None
    loss_pairs = tuple((names[pi[k]], names[pj[k]]) for k in np.flatnonzero(lost))
    return SeparationAudit(horizontal_m, vertical_m, best_h, best_3d, pair, best_t, int(lost.sum()), loss_seconds,
                           len(pi), loss_pairs)


def track_of(name: str, path: PlannedPath) -> Track:
    """The planned ``path`` sampled at the whole seconds from take-off to landing."""
    b = path.bounds_s
    t0, t1 = int(np.ceil(b[0])), int(np.floor(b[-1]))
    return Track(name, t0, path.positions(np.arange(t0, max(t1, t0 - 1) + 1, dtype=float)))
