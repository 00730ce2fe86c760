"""Admission control: when demand exceeds the fleet, keep drones for the shorter flights.

A drone-hour serves more orders on short cycles than on long ones. When the orders of the
last ``window_s`` seconds would have needed more drone time than the fleet has (``drones``
drone-seconds per second, times ``utilisation``), the limit is the cycle length at which
the shortest of those orders fill the fleet: the online counterpart of the capacity bound
that takes the shortest cycles first. Below saturation the limit is infinite, and the
dispatcher applies it only while no drone is idle.

``utilisation`` above 1 admits a little more than the fleet can fly, so drones never wait
for admitted work; the promise then turns the excess away (``no_drone_in_time``), longest
doors first. The defaults were tuned on the benchmark day (docs/planning.md).
"""

from __future__ import annotations

from collections import deque

import numpy as np

__all__ = ["AdmissionLimit"]


class AdmissionLimit:
    """Longest drone cycle (s) worth accepting now, estimated from recent demand.

    ``observe(t, cycle_s)`` records a feasible order placed at ``t`` whose flight would
    hold a drone ``cycle_s`` seconds (loading, flight, turnaround); ``limit(t)`` returns the
    current limit. The estimate waits for ``min_window_s`` of history and is refreshed at
    most every ``refresh_s`` seconds of order time.
    """

    def __init__(self, drones: int, *, window_s: float = 900.0, min_window_s: float = 180.0,
                 utilisation: float = 1.1, refresh_s: float = 60.0) -> None:
        self.drones = drones
        self.window_s = window_s
        self.min_window_s = min_window_s
        self.utilisation = utilisation
        self.refresh_s = refresh_s
        self._recent: deque[tuple[float, float]] = deque()
        self._first: float | None = None
        self._limit = np.inf
        self._refreshed = -np.inf

    def observe(self, t: float, cycle_s: float) -> None:
        """Record a feasible order placed at ``t`` (s) that would hold a drone ``cycle_s`` seconds."""
        if self._first is None:
            self._first = t
        self._recent.append((t, cycle_s))

    def limit(self, t: float) -> float:
        """The longest cycle (s) worth accepting at ``t`` (s); ``inf`` below saturation."""
        if t - self._refreshed >= self.refresh_s:
            self._refreshed = t
            self._limit = self._estimate(t)
        return self._limit

    def _estimate(self, t: float) -> float:
        while self._recent and self._recent[0][0] < t - self.window_s:
            self._recent.popleft()
        if self._first is None:
            return np.inf
        span = min(self.window_s, t - self._first)
        if span < self.min_window_s or not self._recent:
            return np.inf
        cycles = np.sort(np.fromiter((c for _, c in self._recent), float, len(self._recent)))
        need = np.cumsum(cycles)
        capacity = self.drones * span * self.utilisation
        k = int(np.searchsorted(need, capacity))
        return float(cycles[k]) if k < len(cycles) else np.inf
