"""Watching an airborne flight against its operational intent, with ASTM F3548-21's figures.

An intent is a set of 4D volumes (footprint, height band, time window). A position outside
every volume starts an excursion. F3548-21 lets an aircraft be outside its intent at most
``OiMaxDurationPerExcursionSeconds`` (10 s) per excursion and ``OiMaxExcursionsPerFlightHour``
(18) times per flight hour; beyond either the flight is *nonconforming*, and after
``MaxRecoverableTimeInNonconformingStateSeconds`` (60 s) nonconforming it is no longer
recoverable (*contingent*). Back inside within that time it conforms again.

Until the dispatcher gives each flight its own intent, :func:`corridor_intent` builds one
volume around the planned route: the route buffered by ``lateral_m``, from the ground to
cruise altitude plus ``vertical_m``, from arming to landing plus ``late_s``.
Local metres (x east, y north of the site), heights m above the site, times service seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import ArrayLike

__all__ = [
    "MAX_EXCURSION_S", "MAX_EXCURSIONS_PER_HOUR", "MAX_RECOVERABLE_S", "IntentVolume", "corridor_intent",
    "ConformanceMonitor",
]

#: OiMaxDurationPerExcursionSeconds (ASTM F3548-21).
MAX_EXCURSION_S = 10.0
#: OiMaxExcursionsPerFlightHour (ASTM F3548-21).
MAX_EXCURSIONS_PER_HOUR = 18
#: MaxRecoverableTimeInNonconformingStateSeconds (ASTM F3548-21).
MAX_RECOVERABLE_S = 60.0


@dataclass(frozen=True)
class IntentVolume:
    """One 4D volume: ``footprint`` (local m), heights ``lower_m``-``upper_m`` above the site, ``start_s``-``end_s``."""

    footprint: shapely.Geometry
    lower_m: float
    upper_m: float
    start_s: float
    end_s: float

    def contains(self, t: float, x: float, y: float, z: float) -> bool:
        """True if the position (local m, height m) at ``t`` (s) lies inside."""
        return (self.start_s <= t <= self.end_s and self.lower_m <= z <= self.upper_m
                and bool(shapely.contains_xy(self.footprint, x, y)))


def corridor_intent(route_xy: ArrayLike, takeoff_s: float, land_s: float, cruise_alt_m: float, *,
                    lateral_m: float = 30.0, vertical_m: float = 15.0, late_s: float = 300.0) -> list[IntentVolume]:
    """One volume around a flight's route (see the module docstring)."""
    route = np.asarray(route_xy, float).reshape(-1, 2)
    line = shapely.LineString(route) if len(route) > 1 else shapely.Point(route[0])
    footprint = line.buffer(lateral_m)
    shapely.prepare(footprint)
    return [IntentVolume(footprint, 0.0 - vertical_m, cruise_alt_m + vertical_m, takeoff_s, land_s + late_s)]


@dataclass
class ConformanceMonitor:
    """Feeds positions of one flight; :meth:`update` returns the state changes it causes.

    States: ``conforming``, ``nonconforming``, ``contingent`` (nonconforming for longer than
    :data:`MAX_RECOVERABLE_S`).
    """

    volumes: list[IntentVolume]
    state: str = "conforming"
    excursions: int = 0
    first_s: float | None = None
    _out_since: float | None = field(default=None, repr=False)
    _nonconforming_since: float | None = field(default=None, repr=False)

    def inside(self, t: float, x: float, y: float, z: float) -> bool:
        """True if the position at ``t`` lies in any volume."""
        return any(v.contains(t, x, y, z) for v in self.volumes)

    def update(self, t: float, x: float, y: float, z: float) -> list[tuple[str, str]]:
        """Record the position (local m, height m) at ``t`` (s); returns (new state, why) changes."""
        if self.first_s is None:
            self.first_s = t
        changes: list[tuple[str, str]] = []
        if self.inside(t, x, y, z):
            self._out_since = None
            if self.state == "nonconforming":
                self.state, self._nonconforming_since = "conforming", None
                changes.append(("conforming", "back inside the intent"))
            return changes
        if self._out_since is None:
            self._out_since = t
            self.excursions += 1
        hours = max((t - self.first_s) / 3600.0, 1.0)
        if self.state == "conforming":
            why = None
            if t - self._out_since > MAX_EXCURSION_S:
                why = f"outside the intent for {t - self._out_since:.0f} s (at most {MAX_EXCURSION_S:g} s per excursion)"
            elif self.excursions > MAX_EXCURSIONS_PER_HOUR * hours:
                why = f"{self.excursions} excursions (at most {MAX_EXCURSIONS_PER_HOUR} per flight hour)"
            if why:
                self.state, self._nonconforming_since = "nonconforming", t
                changes.append(("nonconforming", why))
        if self.state == "nonconforming" and t - self._nonconforming_since > MAX_RECOVERABLE_S:
            self.state = "contingent"
            changes.append(("contingent", f"nonconforming for more than {MAX_RECOVERABLE_S:g} s: not recoverable"))
        return changes
