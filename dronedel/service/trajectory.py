"""Where a booked flight is at each instant: the dispatcher's planned 4D path, flown from its take-off.

The dispatcher's :class:`~dronedel.dispatch.Flight` knows its planned path
(:meth:`~dronedel.dispatch.Flight.path`, a :class:`~dronedel.intent.PlannedPath`: the aircraft
model's phases laid along the route at the flight's cruise layers). :func:`planned_trajectory`
moves it to the actual take-off and stretches the delivery action by the simulator's delay
noise (:func:`delay_factor`); virtual vehicles fly it, and the service reads phases and the
door instant from it. Local metres (x east, y north of the site), heights m above the site,
times service seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..aircraft import PHASES
from ..config import AircraftProfile
from ..dispatch import Flight
from ..intent import PlannedPath

__all__ = ["Trajectory", "planned_trajectory", "delay_factor"]

_DELIVERY = PHASES.index("delivery")


def delay_factor(seed: int, sigma: float) -> float:
    """The simulator's delivery-action delay (lognormal, median 1, spread ``sigma``), drawn for ``seed``."""
    return float(np.random.default_rng(seed).lognormal(0.0, sigma)) if sigma > 0 else 1.0


@dataclass(frozen=True)
class Trajectory:
    """A planned path as flown from its take-off; ``door_s`` is when the package is delivered (s)."""

    path: PlannedPath
    door_s: float

    @property
    def takeoff_s(self) -> float:
        """Arming (s)."""
        return float(self.path.bounds_s[0])

    @property
    def land_s(self) -> float:
        """Disarming after the landing (s)."""
        return float(self.path.bounds_s[-1])

    def at(self, t: ArrayLike) -> NDArray:
        """Position(s) at ``t`` (s): (3,) or (n, 3) (x, y, height), held at the ends."""
        scalar = np.ndim(t) == 0
        out = self.path.positions(np.clip(np.asarray(t, float), self.takeoff_s, self.land_s))
        return out[0] if scalar else out

    def phase(self, t: float) -> str | None:
        """The phase flown at ``t`` (None before arming and after disarming)."""
        if t < self.takeoff_s or t >= self.land_s:
            return None
        return PHASES[int(np.searchsorted(self.path.bounds_s, t, side="right")) - 1]


def planned_trajectory(flight: Flight, profile: AircraftProfile, takeoff_s: float,
                       delivery_factor: float = 1.0) -> Trajectory:
    """``flight``'s path armed at ``takeoff_s``, its delivery action ``delivery_factor`` times the model's."""
    path = flight.path(profile)
    phases = np.asarray(path.phases_s, float)
    release = flight.door_s - flight.takeoff_s - phases[:_DELIVERY].sum()
    phases[_DELIVERY] *= delivery_factor
    moved = replace(path, takeoff_s=float(takeoff_s), phases_s=tuple(phases.tolist()))
    return Trajectory(moved, float(takeoff_s + phases[:_DELIVERY].sum() + release * delivery_factor))
