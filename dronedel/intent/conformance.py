"""Conformance of a flown track to its operational intent, against ASTM F3548-21's limits.

The judgement of a whole track after the flight (a SITL fleet window, a replayed log); the
same limits apply to a flight watched live.

A track (:class:`dronedel.intent.Track`: one position a second in plan time, local metres,
m AGL) conforms at a sample when the sample lies inside one of the flight's own volumes at
that instant (:meth:`dronedel.intent.Volumes.contains`). Runs of consecutive samples outside
are *excursions*; a run of ``k`` samples lasts ``k`` seconds (each sample stands for the
second it opens).

F3548-21's limits (InterUSS ``uas_standards.astm.f3548.v21.constants``): an aircraft may be
outside its intent at most :data:`MAX_EXCURSION_S` (10 s, OiMaxDurationPerExcursionSeconds)
per excursion and :data:`MAX_EXCURSIONS_PER_HOUR` (18, OiMaxExcursionsPerFlightHour) times
per flight hour — pro rata and rounded up for a shorter flight, so a 10-minute flight may
have 3. Past either it is *nonconforming*; once nonconforming for longer than
:data:`MAX_NONCONFORMING_S` (60 s, MaxRecoverableTimeInNonconformingStateSeconds) it can no
longer recover and is *contingent*. :data:`MIN_CONFORMANCE_SHARE` (95 %,
OiMinConformancePercent) is the aggregate share of time inside intents a USS must show over
many flight hours; it is reported over a fleet run, not judged per flight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .audit import Track
from .volumes import Volumes

__all__ = ["MAX_EXCURSION_S", "MAX_EXCURSIONS_PER_HOUR", "MAX_NONCONFORMING_S", "MIN_CONFORMANCE_SHARE", "STATES",
           "Excursion", "Conformance", "allowed_excursions", "excursions", "conformance"]

MAX_EXCURSION_S = 10.0
MAX_EXCURSIONS_PER_HOUR = 18
MAX_NONCONFORMING_S = 60.0
MIN_CONFORMANCE_SHARE = 0.95
#: A flight's state: within the limits; past one of them; nonconforming beyond recovery.
STATES = ("conforming", "nonconforming", "contingent")


def allowed_excursions(flight_s: float) -> int:
    """How many excursions a flight of ``flight_s`` seconds may have: 18 per flight hour, pro rata, rounded up."""
    return math.ceil(MAX_EXCURSIONS_PER_HOUR * flight_s / 3600.0 - 1e-9)


@dataclass(frozen=True)
class Excursion:
    """A run of samples outside the intent: from ``start_s`` (plan seconds) for ``duration_s`` seconds."""

    start_s: float
    duration_s: float


def excursions(inside: NDArray[np.bool_], t0: float, step_s: float = 1.0) -> tuple[Excursion, ...]:
    """The runs of ``False`` in ``inside`` (samples ``step_s`` apart from ``t0``), in time order."""
    outside = ~np.asarray(inside, bool)
    edges = np.diff(np.r_[0, outside.astype(np.int8), 0])
    first, after = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return tuple(Excursion(t0 + step_s * a, step_s * (b - a)) for a, b in zip(first.tolist(), after.tolist()))


@dataclass(frozen=True)
class Conformance:
    """A flight's conformance: ``samples`` compared, ``inside`` of them within the intent, the
    ``excursions`` and the flight's length ``flight_s``."""

    samples: int
    inside: int
    excursions: tuple[Excursion, ...]
    flight_s: float

    @property
    def share(self) -> float:
        """Share of samples inside the intent (1 without samples)."""
        return self.inside / self.samples if self.samples else 1.0

    @property
    def first(self) -> Excursion | None:
        """The first excursion, if any."""
        return self.excursions[0] if self.excursions else None

    @property
    def longest(self) -> Excursion | None:
        """The longest excursion (the first of equally long ones), if any."""
        return max(self.excursions, key=lambda e: e.duration_s, default=None)

    @property
    def allowed_excursions(self) -> int:
        """How many excursions the flight may have (:func:`allowed_excursions` of its length)."""
        return allowed_excursions(self.flight_s)

    @property
    def nonconforming_s(self) -> float:
        """Seconds past the per-excursion limit, summed over the excursions."""
        return float(sum(max(e.duration_s - MAX_EXCURSION_S, 0.0) for e in self.excursions))

    @property
    def state(self) -> str:
        """One of :data:`STATES` (see the module notes)."""
        if any(e.duration_s - MAX_EXCURSION_S > MAX_NONCONFORMING_S for e in self.excursions):
            return "contingent"
        if self.nonconforming_s > 0 or len(self.excursions) > self.allowed_excursions:
            return "nonconforming"
        return "conforming"

    @property
    def conforming(self) -> bool:
        """True when the flight stayed within F3548's excursion limits."""
        return self.state == "conforming"

    def as_dict(self) -> dict:
        """JSON-ready figures; excursion times in plan seconds."""
        def exc(e: Excursion | None) -> dict | None:
            return None if e is None else {"start_s": e.start_s, "duration_s": e.duration_s}

        return {"state": self.state, "samples": self.samples, "inside": self.inside,
                "share_inside": round(self.share, 4), "excursions": len(self.excursions),
                "allowed_excursions": self.allowed_excursions, "first_excursion": exc(self.first),
                "longest_excursion": exc(self.longest), "nonconforming_s": self.nonconforming_s,
                "all_excursions": [exc(e) for e in self.excursions]}


def conformance(track: Track, volumes: Volumes) -> Conformance:
    """Compare each sample of ``track`` (one a second from ``track.t0``) with ``volumes`` at its second."""
    t = track.t0 + np.arange(len(track.xyz), dtype=float)
    inside = volumes.contains(track.xyz, t)
    return Conformance(len(t), int(inside.sum()), excursions(inside, float(track.t0)), float(len(t)))
