"""Upper bounds on the orders a fleet can serve in a day, to judge a policy against.

Each feasible order holds a drone for its cycle (loading, flight, turnaround) within its
time window: loading cannot start before the order is placed, and the drone must take off
early enough to keep the promise. Two relaxations of that scheduling problem bound the
number served from above:

- :func:`capacity_bound`: the fleet has ``drones`` times the day's span in drone-seconds;
  the most orders fitting in it take the shortest cycles first.
- :func:`window_bound`: the same capacity counted per time slot, each order's drone time
  spread over the slots of its window (a linear programme; tighter when demand varies).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from ..config import Wind
from .plan import DayContext

__all__ = ["OrderWindows", "order_windows", "capacity_bound", "window_bound"]


@dataclass(frozen=True)
class OrderWindows:
    """Orders feasible for an idle drone: cycle (s) and the window [open, close] (s) holding it."""

    index: NDArray
    cycle_s: NDArray
    open_s: NDArray
    close_s: NDArray


def order_windows(ctx: DayContext, wind: Wind | None = None) -> OrderWindows:
    """Per-order feasibility (zones always active, ``wind``) and each feasible order's window."""
    cfg = ctx.config
    wind = cfg.planning.wind if wind is None else wind
    door, duration, reason = ctx.table.every_door(ctx.activity.always, wind)
    idx = np.arange(len(ctx.orders))
    loading, turnaround, promise = cfg.fleet.loading_s, cfg.fleet.turnaround_s, cfg.planning.promise_s
    ok = np.equal(reason, None) & (loading + door <= promise)
    door, duration, placed = door[ok], duration[ok], ctx.placed_s[ok]
    latest_takeoff = placed + promise - door
    return OrderWindows(idx[ok], loading + duration + turnaround, placed, latest_takeoff + duration + turnaround)


def capacity_bound(w: OrderWindows, drones: int) -> int:
    """Most orders whose cycles fit in ``drones`` times the span from first opening to last closing."""
    if len(w.index) == 0:
        return 0
    capacity = drones * (w.close_s.max() - w.open_s.min())
    return int(np.searchsorted(np.cumsum(np.sort(w.cycle_s)), capacity, side="right"))


def window_bound(w: OrderWindows, drones: int, slot_s: float = 600.0) -> float:
    """Linear-programming bound: drone time per slot of ``slot_s`` seconds is at most ``drones * slot_s``.

    Variables are the fraction ``x_i`` of order ``i`` served and the drone time ``y_ib`` it
    takes in slot ``b`` of its window: maximise sum x_i subject to sum_b y_ib = cycle_i x_i,
    sum_i y_ib <= drones * overlap, y_ib <= cycle_i x_i's share of the slot overlap.
    """
    n = len(w.index)
    if n == 0:
        return 0.0
    t0 = w.open_s.min()
    first = np.floor((w.open_s - t0) / slot_s).astype(int)
    last = np.floor((w.close_s - t0) / slot_s).astype(int)
    slots = int(last.max()) + 1
    counts = last - first + 1
    order = np.repeat(np.arange(n), counts)
    slot = np.concatenate([np.arange(a, b + 1) for a, b in zip(first, last)])
    lo = np.maximum(t0 + slot * slot_s, w.open_s[order])
    hi = np.minimum(t0 + (slot + 1) * slot_s, w.close_s[order])
    overlap = np.maximum(hi - lo, 0.0)
    m = len(order)
    # variables: x (n) then y (m)
    c = np.concatenate([-np.ones(n), np.zeros(m)])
    eq = coo_matrix((np.concatenate([-w.cycle_s, np.ones(m)]),
                     (np.concatenate([np.arange(n), order]), np.concatenate([np.arange(n), n + np.arange(m)]))),
                    shape=(n, n + m))
    cap = coo_matrix((np.ones(m), (slot, n + np.arange(m))), shape=(slots, n + m))
    bounds = np.concatenate([np.column_stack([np.zeros(n), np.ones(n)]),
                             np.column_stack([np.zeros(m), overlap])])
    res = linprog(c, A_ub=cap.tocsr(), b_ub=np.full(slots, drones * slot_s), A_eq=eq.tocsr(), b_eq=np.zeros(n),
                  bounds=bounds, method="highs-ipm")
    if not res.success:
        raise RuntimeError(f"window bound LP failed: {res.message}")
    return float(-res.fun)
