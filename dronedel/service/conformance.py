"""Watching an airborne flight against its operational intent, with ASTM F3548-21's figures.

The intent is the flight's F3548 volumes (:meth:`dronedel.dispatch.Flight.volumes`, moved to
the actual take-off). A position outside every volume starts an excursion. F3548-21 lets an
aircraft be outside its intent at most ``OiMaxDurationPerExcursionSeconds`` (10 s) per
excursion and ``OiMaxExcursionsPerFlightHour`` (18) times per flight hour, pro rata for a shorter
flight (:func:`dronedel.intent.conformance.allowed_excursions`: 3 for a 10-minute flight); beyond either the
flight is *nonconforming*, and after ``MaxRecoverableTimeInNonconformingStateSeconds`` (60 s)
nonconforming it is no longer recoverable (*contingent*). Back inside within that time it
conforms again. Local metres (x east, y north of the site), heights m above the site, times s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ..intent.conformance import MAX_EXCURSION_S, MAX_EXCURSIONS_PER_HOUR, MAX_NONCONFORMING_S, allowed_excursions

__all__ = ["MAX_EXCURSION_S", "MAX_EXCURSIONS_PER_HOUR", "MAX_RECOVERABLE_S", "Intent", "ConformanceMonitor"]

#: MaxRecoverableTimeInNonconformingStateSeconds (ASTM F3548-21), under the service's name.
MAX_RECOVERABLE_S = MAX_NONCONFORMING_S


class Intent(Protocol):
    """4D volumes (:class:`dronedel.intent.Volumes`)."""

    def contains(self, xyz: NDArray, t: NDArray) -> NDArray:
        """True where point ``xyz[k]`` (local m, height m) at ``t[k]`` (s) lies in a volume."""


@dataclass
class ConformanceMonitor:
    """Feeds positions of one flight planned to last ``flight_s`` seconds; :meth:`update` returns the state
    changes it causes.

    States: ``conforming``, ``nonconforming``, ``contingent`` (nonconforming for longer than
    :data:`MAX_RECOVERABLE_S`). The excursions allowed are those of the planned length, or of the time
    watched so far once the flight outlasts its plan.
    """

    intent: Intent
    flight_s: float
    state: str = "conforming"
    excursions: int = 0
    first_s: float | None = None
    _out_since: float | None = field(default=None, repr=False)
    _nonconforming_since: float | None = field(default=None, repr=False)

    def update(self, t: float, x: float, y: float, z: float) -> list[tuple[str, str]]:
        """Record the position (local m, height m) at ``t`` (s); returns (new state, why) changes."""
        if self.first_s is None:
            self.first_s = t
        changes: list[tuple[str, str]] = []
        if bool(self.intent.contains(np.array([[x, y, z]]), np.array([t]))[0]):
            self._out_since = None
            if self.state == "nonconforming":
                self.state, self._nonconforming_since = "conforming", None
                changes.append(("conforming", "back inside the intent"))
            return changes
        if self._out_since is None:
            self._out_since = t
            self.excursions += 1
        allowed = allowed_excursions(max(self.flight_s, t - self.first_s))
        if self.state == "conforming":
            why = None
            if t - self._out_since > MAX_EXCURSION_S:
                why = f"outside the intent for {t - self._out_since:.0f} s (at most {MAX_EXCURSION_S:g} s per excursion)"
            elif self.excursions > allowed:
                why = (f"{self.excursions} excursions (at most {allowed} in this flight: "
                       f"{MAX_EXCURSIONS_PER_HOUR} per flight hour)")
            if why:
                self.state, self._nonconforming_since = "nonconforming", t
                changes.append(("nonconforming", why))
        if self.state == "nonconforming" and t - self._nonconforming_since > MAX_RECOVERABLE_S:
            self.state = "contingent"
            changes.append(("contingent", f"nonconforming for more than {MAX_RECOVERABLE_S:g} s: not recoverable"))
        return changes
