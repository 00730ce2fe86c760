"""Jerk-limited (S-curve) speed changes and ArduPilot's corner blend, compiled (numba).

:func:`dronedel.aircraft.corner_overlap` finds each corner's blend by bisection, a few dozen
steps of a small test per corner; a planner asks about a handful of corners at a time, so the
steps run here, compiled, rather than as dozens of numpy operations on tiny arrays. Units: m,
s, m/s, m/s², m/s³.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["accel_times", "corner_overlaps", "warm_up"]

#: Bisection steps of a corner's overlap: the cap is at most tens of seconds, 2**-24 of it below a microsecond.
_STEPS = 24


@numba.njit(cache=True)
def _accel_time(v: float, accel: float, jerk: float) -> float:
    """Time (s) of a jerk-limited acceleration from rest to ``v`` (see :func:`dronedel.aircraft.accel_time`)."""
    if v >= accel * accel / jerk:
        return v / accel + accel / jerk
    return 2 * np.sqrt(max(v, 0.0) / jerk)


@numba.njit(cache=True)
def accel_times(v: NDArray, accel: float, jerk: float) -> NDArray:
    """:func:`_accel_time` of each peak speed of ``v`` (1-D)."""
    out = np.empty(len(v))
    for k in range(len(v)):
        out[k] = _accel_time(v[k], accel, jerk)
    return out


@numba.njit(cache=True)
def _accel_state(s: float, peak: float, accel: float, jerk: float) -> tuple[float, float]:
    """Distance (m) and speed (m/s) ``s`` seconds into an S-curve from rest to ``peak``: the jerk ramps the
    acceleration up to ``accel`` (or less) over the first half and back down over the second."""
    t_acc = _accel_time(peak, accel, jerk)
    s = min(max(s, 0.0), t_acc)
    late = s > t_acc / 2
    u = t_acc - s if late else s
    t1 = min(accel / jerk, t_acc / 2)
    if u <= t1:
        d, v = jerk * u ** 3 / 6, jerk * u * u / 2
    else:
        c = u - t1
        d = jerk * t1 ** 3 / 6 + jerk * t1 ** 2 / 2 * c + accel * c * c / 2
        v = jerk * t1 ** 2 / 2 + accel * c
    if late:
        return peak * t_acc / 2 - (peak * (t_acc - s) - d), peak - v
    return d, v


@numba.njit(cache=True)
def _fits(tau: float, c: float, p1: float, p2: float, vmin: float, a1: float, j1: float, a2: float, j2: float,
          radius: float) -> bool:
    """True if blending the legs for ``tau`` s keeps the target, at the middle of the overlap, within
    ``radius`` of the waypoint and slower than ``vmin``."""
    d1, v1 = _accel_state(tau / 2, p1, a1, j1)
    d2, v2 = _accel_state(tau / 2, p2, a2, j2)
    return (d1 * d1 + d2 * d2 - 2 * d1 * d2 * c < radius * radius) and (v1 * v1 + v2 * v2 + 2 * v1 * v2 * c
                                                                        < vmin * vmin)


@numba.njit(cache=True)
def corner_overlaps(cos_turn: NDArray, peak_in: NDArray, peak_out: NDArray, vmin: NDArray, cap: NDArray,
                    limits: NDArray, radius: float) -> NDArray:
    """The longest overlap (s, within ``cap``) of each corner that :func:`_fits`, by bisection; ``limits`` are
    the legs' acceleration and jerk, ``(a_in, j_in, a_out, j_out)``. Arrays are 1-D, one value per corner."""
    a1, j1, a2, j2 = limits[0], limits[1], limits[2], limits[3]
    out = np.zeros(len(cap))
    for k in range(len(cap)):
        if not cap[k] > 0:
            continue
        args = (cos_turn[k], peak_in[k], peak_out[k], vmin[k], a1, j1, a2, j2, radius)
        lo, hi = 0.0, cap[k]
        if _fits(hi, *args):
            lo = hi
        for _ in range(_STEPS):
            mid = (lo + hi) / 2
            if _fits(mid, *args):
                lo = mid
            else:
                hi = mid
        out[k] = lo
    return out


def warm_up() -> None:
    """Load (or compile) the kernels now, so that the first real question is answered at full speed."""
    one = np.ones(1)
    corner_overlaps(one, one, one, one, one, np.ones(4), 1.0)
    accel_times(one, 1.0, 1.0)
