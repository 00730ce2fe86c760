"""When each blocking zone is active over a planning horizon, as intervals in plan seconds.

A flight is planned against the zones active at any instant of its window (take-off to
landing). Schedules change rarely, so the set of active zones is piecewise constant over a
day; this table turns each zone's :class:`~dronedel.airspace.Schedule` into intervals once,
and answers "which zones during [a, b]" with a few comparisons.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from ..airspace.model import Zone
from ..airspace.schedule import Schedule

__all__ = ["ZoneActivity", "active_intervals"]


def _change_instants(schedule: Schedule, lo: datetime, hi: datetime) -> list[datetime]:
    """Every instant in (lo, hi) at which ``schedule`` may switch on or off."""
    out = [t for t in (schedule.valid_from, schedule.valid_until) if t is not None]
    for start, end in schedule.windows:
        out += [start, end]
    day = lo.astimezone(schedule.tz).date() - timedelta(days=1)
    last = hi.astimezone(schedule.tz).date() + timedelta(days=1)
    while day <= last:
        for period in schedule.weekly:
            if day.weekday() in period.days:
                begin = datetime.combine(day, period.start, tzinfo=schedule.tz)
                finish = datetime.combine(day, period.end, tzinfo=schedule.tz)
                if finish <= begin:
                    finish += timedelta(days=1)
                out += [begin, finish]
        day += timedelta(days=1)
    return sorted({t for t in out if lo < t < hi})


def active_intervals(schedule: Schedule, start: datetime, horizon_s: tuple[float, float]) -> NDArray:
    """Intervals ``[on, off)`` (seconds after ``start``) within the horizon where ``schedule`` is active.

    Returns an (m, 2) array; an interval reaching the horizon's end is open (``inf``) and one
    reaching its beginning starts at ``-inf``, so windows beyond the horizon stay conservative.
    """
    if schedule.permanent:
        return np.array([[-np.inf, np.inf]])
    lo, hi = (start + timedelta(seconds=float(s)) for s in horizon_s)
    instants = [lo, *_change_instants(schedule, lo, hi)]
    state = [schedule.is_active(t) for t in instants]
    seconds = [(t - start).total_seconds() for t in instants] + [np.inf]
    seconds[0] = -np.inf
    out = []
    for k, on in enumerate(state):
        if on and (not out or out[-1][1] != seconds[k]):
            out.append([seconds[k], seconds[k + 1]])
        elif on:
            out[-1][1] = seconds[k + 1]
    return np.array(out, float).reshape(-1, 2)


class ZoneActivity:
    """Activity intervals of ``zones`` over ``horizon_s`` (seconds after ``start``, aware datetime).

    ``always`` holds the ids of zones active throughout the horizon; :meth:`during` gives the
    ids active at any instant of a closed window, :meth:`changes` the instants where that
    set may change.
    """

    def __init__(self, zones: Sequence[Zone], start: datetime, horizon_s: tuple[float, float]) -> None:
        self.start = start
        self.horizon_s = horizon_s
        self.intervals = {z.id: active_intervals(z.schedule, start, horizon_s) for z in zones}
        self.always = frozenset(i for i, iv in self.intervals.items()
                                if len(iv) == 1 and iv[0, 0] == -np.inf and iv[0, 1] == np.inf)
        timed = {i: iv for i, iv in self.intervals.items() if i not in self.always}
        edges = [iv[np.isfinite(iv)] for iv in timed.values()]
        self._edges = np.unique(np.concatenate(edges)) if edges else np.empty(0)
        # every interval of every timed zone in one table, and each set of zones found once
        self._ids = np.array([i for i, iv in timed.items() for _ in iv] + [None], object)[:-1]
        spans = np.concatenate(list(timed.values())) if timed else np.empty((0, 2))
        self._on, self._off = spans[:, 0], spans[:, 1]
        self._edge_list = self._edges.tolist()
        self._sets: dict[bytes, frozenset[str]] = {}
        self._windows: dict[tuple[int, int], frozenset[str]] = {}

    def during(self, a: float, b: float | None = None) -> frozenset[str]:
        """Ids of zones active at some instant of ``[a, b]`` seconds (``b=None``: at ``a``).

        Which intervals start by ``b`` and end after ``a`` changes only where ``a`` or ``b`` reaches an
        edge, so the answer is kept per pair of places of ``a`` and ``b`` among the edges.
        """
        b = a if b is None else b
        where = bisect.bisect_right(self._edge_list, a), bisect.bisect_right(self._edge_list, b)
        found = self._windows.get(where)
        if found is None:
            hit = (self._on <= b) & (self._off > a)
            key = np.packbits(hit).tobytes()
            found = self._sets.get(key)
            if found is None:
                found = self._sets[key] = self.always.union(self._ids[hit])
            self._windows[where] = found
        return found

    def changes(self, a: float, b: float) -> NDArray:
        """Instants (seconds) in ``(a, b]`` where a zone switches on or off."""
        return self._edges[(self._edges > a) & (self._edges <= b)]
