"""Rotor induced velocity by momentum theory, compiled (numba): a few Newton steps per flight
condition, which numpy would spend as many array operations on for every small batch."""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["induced_velocities", "warm_up"]

#: Newton steps from the axial start; the iteration converges quadratically.
NEWTON_STEPS = 12


@numba.njit(cache=True)
def induced_velocities(thrust_n: NDArray, rho: float, area_m2: float, airspeed_ms: NDArray,
                       climb_ms: NDArray) -> NDArray:
    """Glauert's induced velocity (m/s) for each thrust (N), horizontal airspeed and climb rate (m/s,
    negative descending; 1-D arrays of one length): see :func:`dronedel.aircraft.induced_velocity`."""
    out = np.empty(len(thrust_n))
    for k in range(len(thrust_n)):
        V, Vc = airspeed_ms[k], climb_ms[k]
        vh2 = thrust_n[k] / (2.0 * rho * area_m2)
        v = -Vc / 2 + np.sqrt(Vc ** 2 / 4 + vh2)
        for _ in range(NEWTON_STEPS):
            s = Vc + v
            f = v * v * (V * V + s * s) - vh2 * vh2
            df = 2 * v * (V * V + s * s) + 2 * v * v * s
            v = v - (f / df if df > 0 else 0.0)
        out[k] = v
    return out


def warm_up() -> None:
    """Load (or compile) the kernel now, so that the first real question is answered at full speed."""
    one = np.ones(1)
    induced_velocities(one, 1.0, 1.0, one, one)
