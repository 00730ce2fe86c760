"""What the planner decides: one :class:`Decision` per order, gathered in a :class:`Plan`.

Times inside are seconds after the plan start (``Plan.start``, an aware datetime);
:meth:`Plan.at` turns them into datetimes. Routes are local metres (x east, y north of the
site); :meth:`Plan.lonlat` gives them as (lon, lat) degrees.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from ..config import AircraftProfile, Separation, SiteConfig, Wind
from ..geo import LocalFrame
from ..intent import (
    PlannedPath, SeparationAudit, Volumes, audit_separation, track_of, volumes_for,
)

__all__ = ["REASONS", "POLICIES", "Flight", "Decision", "Plan", "audit_decisions"]

#: Dispatch policies: ``online`` books the earliest drone that keeps the promise (waiting for
#: one to return if need be) with admission control; ``batch`` decides the orders of each
#: interval together at its end, shortest flights first; ``fcfs`` is the baseline that only
#: takes a drone idle when the order arrives.
POLICIES = ("online", "batch", "fcfs")

#: Rejection reason codes and what they mean.
REASONS = {
    "invalid_input": "the order's row in the orders file is invalid",
    "overweight": "the package is heavier than the aircraft may carry",
    "outside_area": "the door is outside the operating area (less the safety margin)",
    "no_fly_zone": "the door is inside a zone that blocks the flight (with the safety margin)",
    "no_route": "no route reaches the door: zones enclose it",
    "wind": "the aircraft cannot fly the route in this wind",
    "energy": "the round trip needs more than the battery less its reserve",
    "outside_zone": "even a drone ready at once cannot reach the door within the promise",
    "airspace_closed_at_that_time": "a zone active at the time of the flight blocks it",
    "no_drone_in_time": "no drone is free early enough to keep the promise",
    "airspace_conflict": "every pad, layer and take-off within the promise would meet an accepted flight's "
                         "operational intent",
    "fleet_saturated": "the fleet is saturated and this flight is longer than the admission limit "
                       "(or than the flights its batch serves instead)",
    "weather": "the weather grounds the site (wind above its limit, rain or low visibility): set by the "
               "simulator's no-fly hours",
}


@dataclass(frozen=True)
class Flight:
    """An accepted order's flight; times in seconds after the plan start.

    The drone is loaded from ``loading_s``, takes off at ``takeoff_s``, delivers at
    ``door_s``, lands at ``land_s`` and is ready for its next flight at ``ready_s`` (after
    the turnaround). ``route`` ((n, 2) local metres) runs from the site to the door; the
    return flies it backwards. ``zones`` are the ids of the zones active during the flight
    window that the route keeps clear of (with the safety margin). ``pad`` is the index of the
    pad it takes off from and lands on (:attr:`~dronedel.config.Separation.pads`), ``layers`` the
    outbound and return cruise altitudes (m AGL) and ``phases_s`` the duration (s) of each of
    :data:`dronedel.aircraft.PHASES`; :meth:`path` and :meth:`volumes` give its 4D path and
    operational intent.
    """

    drone: int
    loading_s: float
    takeoff_s: float
    door_s: float
    land_s: float
    ready_s: float
    energy_wh: float
    reserve_wh: float
    distance_m: float
    route: NDArray
    zones: frozenset[str]
    wind: Wind
    pad: int = 0
    layers: tuple[float, float] = (0.0, 0.0)
    phases_s: tuple[float, ...] = ()

    def path(self, profile: AircraftProfile) -> PlannedPath:
        """The planned 4D path of this flight flown by ``profile``."""
        return PlannedPath.flown_by(profile, self.wind, self.takeoff_s, self.phases_s, self.route, self.layers)

    def volumes(self, profile: AircraftProfile, separation: Separation) -> Volumes:
        """The volumes of this flight's operational intent (:func:`dronedel.intent.volumes_for`)."""
        return volumes_for(self.path(profile), separation)


@dataclass(frozen=True)
class Decision:
    """The planner's answer to one order (or one invalid row of the orders file).

    ``reason`` is None when accepted (``flight`` set), else a key of :data:`REASONS` with a
    human-readable ``detail``. ``decided_s`` is when the planner decided (s after the plan start:
    ``placed_s`` online, the end of the order's interval in batches). ``placed_s`` and
    ``decided_s`` are NaN and ``door`` None for invalid rows.
    """

    order_id: str
    row: int
    placed_s: float
    weight_kg: float
    door: tuple[float, float] | None
    reason: str | None
    detail: str = ""
    flight: Flight | None = None
    decided_s: float = float("nan")

    @property
    def accepted(self) -> bool:
        """True if the order got a flight (no rejection reason)."""
        return self.reason is None

    @property
    def status(self) -> str:
        """``accepted`` or ``rejected``."""
        return "accepted" if self.accepted else "rejected"


@dataclass(frozen=True)
class Plan:
    """Every decision of a planning run, in the orders file's row order.

    ``drones`` is the fleet size, ``wind`` the planning wind, ``source`` the orders file,
    ``batch_s`` the ``batch`` policy's decision interval (s; None for the other policies).
    """

    decisions: tuple[Decision, ...]
    config: SiteConfig
    start: datetime
    frame: LocalFrame
    drones: int
    policy: str
    wind: Wind
    source: str = ""
    batch_s: float | None = None

    def __len__(self) -> int:
        return len(self.decisions)

    def at(self, seconds: float) -> datetime:
        """The instant ``seconds`` after the plan start, in the site's time zone."""
        return (self.start + timedelta(seconds=float(seconds))).astimezone(self.config.site.tz)

    def lonlat(self, route_xy: NDArray) -> NDArray:
        """A local-metre polyline as (n, 2) (lon, lat) degrees."""
        lon, lat = self.frame.to_lonlat(route_xy[:, 0], route_xy[:, 1])
        return np.column_stack([lon, lat]).reshape(-1, 2)

    @property
    def accepted(self) -> list[Decision]:
        """The accepted decisions, in order of arrival."""
        return [d for d in self.decisions if d.accepted]

    @property
    def flights(self) -> list[Flight]:
        """Accepted flights sorted by take-off time."""
        return sorted((d.flight for d in self.decisions if d.flight is not None), key=lambda f: f.takeoff_s)

    def reasons(self) -> Counter:
        """Number of rejections by reason code."""
        return Counter(d.reason for d in self.decisions if d.reason is not None)

    @cached_property
    def separation(self) -> SeparationAudit:
        """The closest approach and losses of separation between the planned flights (sampled at 1 s)."""
        return audit_decisions(self.decisions, self.config)


def audit_decisions(decisions: Iterable[Decision], config: SiteConfig) -> SeparationAudit:
    """:func:`~dronedel.intent.audit_separation` of the accepted decisions' planned paths (tracks named
    by order id) against the site's separation standard."""
    sep = config.separation
    tracks = [track_of(d.order_id, d.flight.path(config.aircraft)) for d in decisions if d.flight is not None]
    return audit_separation(tracks, sep.horizontal_m, sep.vertical_m)
