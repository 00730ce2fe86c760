"""Where a planned flight is at each instant: the aircraft model's phases laid along its route.

The flight follows :mod:`dronedel.aircraft`: a vertical take-off to cruise altitude at the
site, the route at cruise altitude, a descent at the door, the delivery action, a climb, the
route backwards and a landing. :func:`planned_trajectory` turns a flight's phase durations
into knots (time, x, y, height) between which the aircraft moves at constant speed;
:meth:`Trajectory.at` interpolates (vectorised over times). Virtual vehicles fly these
trajectories, and the conformance monitor compares flown positions with them.
Local metres (x east, y north of the site), heights m above the site, times service seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..aircraft import PHASES, fly
from ..config import AircraftProfile, Wind

__all__ = ["Trajectory", "planned_trajectory", "delivery_height_m", "delay_factor"]


def delivery_height_m(profile: AircraftProfile) -> float:
    """Height above the door at which the delivery action happens (m): 0 for payload place and land."""
    return {"winch": profile.winch_height_m, "drop": profile.drop_height_m}.get(profile.delivery, 0.0)


def delay_factor(seed: int, sigma: float) -> float:
    """The simulator's delivery-action delay (lognormal, median 1, spread ``sigma``), drawn for ``seed``."""
    return float(np.random.default_rng(seed).lognormal(0.0, sigma)) if sigma > 0 else 1.0


@dataclass(frozen=True)
class Trajectory:
    """Knots ``t_s`` (service s) and ``xyz`` ((n, 3) local m, height m above the site); ``phase_end_s``
    is when each of :data:`~dronedel.aircraft.PHASES` ends; ``door_s`` when the package is delivered."""

    t_s: NDArray
    xyz: NDArray
    phase_end_s: NDArray
    door_s: float

    @property
    def takeoff_s(self) -> float:
        """Arming (s)."""
        return float(self.t_s[0])

    @property
    def land_s(self) -> float:
        """Disarming after the landing (s)."""
        return float(self.t_s[-1])

    def at(self, t: ArrayLike) -> NDArray:
        """Position(s) at ``t`` (s): (3,) or (n, 3) (x, y, height), clamped to the ends."""
        t = np.asarray(t, float)
        out = np.stack([np.interp(t, self.t_s, self.xyz[:, k]) for k in range(3)], axis=-1)
        return out

    def phase(self, t: float) -> str | None:
        """The phase flown at ``t`` (None before arming and after disarming)."""
        if t < self.takeoff_s or t >= self.land_s:
            return None
        return PHASES[int(np.searchsorted(self.phase_end_s, t, side="right"))]


def planned_trajectory(route_xy: ArrayLike, takeoff_s: float, payload_kg: float, profile: AircraftProfile,
                       wind: Wind, delivery_factor: float = 1.0) -> Trajectory:
    """The trajectory of a flight along ``route_xy`` ((n, 2) local m, site first) armed at ``takeoff_s``.

    The delivery action lasts ``delivery_factor`` times the model's (the simulator's delay noise).
    """
    route = np.asarray(route_xy, float).reshape(-1, 2)
    flown = fly(route, payload_kg, profile, wind)
    durations = np.array([p.duration_s for p in flown.phases])
    delivery = PHASES.index("delivery")
    release = flown.door_s - durations[:delivery].sum()
    durations[delivery] *= delivery_factor
    ends = takeoff_s + np.cumsum(durations)
    cruise, low = profile.cruise_alt_m, delivery_height_m(profile)
    steps = np.r_[0.0, np.cumsum(np.hypot(*np.diff(route, axis=0).T))]
    share = steps / steps[-1] if steps[-1] > 0 else np.zeros(len(route))

    def along(points: NDArray, t0: float, t1: float, fractions: NDArray) -> tuple[NDArray, NDArray]:
        xyz = np.column_stack([points, np.full(len(points), cruise)])
        return t0 + (t1 - t0) * fractions, xyz

    site, door = route[0], route[-1]
    out_t, out_xyz = along(route, ends[0], ends[1], share)
    back_t, back_xyz = along(route[::-1], ends[4], ends[5], 1 - share[::-1])
    t = np.concatenate([[takeoff_s], out_t, [ends[2], ends[3]], back_t, [ends[6]]])
    xyz = np.vstack([[*site, 0.0], out_xyz, [*door, low], [*door, low], back_xyz, [*site, 0.0]])
    return Trajectory(t, xyz, ends, float(ends[delivery - 1] + release * delivery_factor))
