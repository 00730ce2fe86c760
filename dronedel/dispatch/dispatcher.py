"""The online dispatcher: one decision per order, in arrival order, never revised.

For each order it checks the door (payload, operating area, zones, wind, energy, the
promise from an idle drone), then books the drone free earliest: loading starts when both
the order and the drone are there, the drone takes off ``loading_s`` later, and is free
again ``turnaround_s`` after landing. The route avoids the zones active at any instant of
the flight window; if they block it, later take-offs up to the promise are tried at the
instants the zones change. Drones are never double-booked: each is booked at the end of
its own timeline.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np

from ..config import Fleet, Wind
from ..orders import Order
from .activity import ZoneActivity
from .admission import AdmissionLimit
from .model import POLICIES, Decision, Flight
from .table import FlightTable, Leg

__all__ = ["Dispatcher"]


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


class Dispatcher:
    """Decides orders one at a time against a fleet of ``drones`` identical drones at the site.

    ``orders`` and ``placed_s`` (seconds after the plan start) are indexed like ``table``'s
    doors. ``policy`` is one of :data:`~dronedel.dispatch.POLICIES`; ``admission`` turns the
    online policy's admission control (:class:`AdmissionLimit`) on or off.
    """

    def __init__(self, orders: Sequence[Order], placed_s: np.ndarray, table: FlightTable, activity: ZoneActivity,
                 fleet: Fleet, drones: int, promise_s: float, *, policy: str = "online",
                 admission: bool = True) -> None:
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
        self.orders = orders
        self.placed_s = np.asarray(placed_s, float)
        self.table = table
        self.activity = activity
        self.fleet = fleet
        self.drones = drones
        self.promise_s = promise_s
        self.policy = policy
        self.admission = AdmissionLimit(drones) if admission and policy == "online" else None
        self.free_at = np.zeros(drones)
        self._heap = [(0.0, d) for d in range(drones)]

    # ------------------------------------------------------------------ drones
    def _earliest(self) -> tuple[float, int]:
        """The drone free first and when; stale heap entries (see :meth:`update_ready`) are dropped."""
        while True:
            t, d = self._heap[0]
            if t == self.free_at[d]:
                return t, d
            heapq.heappop(self._heap)

    def _book(self, drone: int, ready_s: float) -> None:
        self.free_at[drone] = ready_s
        heapq.heapreplace(self._heap, (ready_s, drone))

    def update_ready(self, drone: int, ready_s: float) -> None:
        """Tell the dispatcher that ``drone`` will be free at ``ready_s``, not when booked (it landed
        late or early, or a flight was cancelled); its later bookings are the caller's to shift."""
        if ready_s != self.free_at[drone]:
            self.free_at[drone] = ready_s
            heapq.heappush(self._heap, (ready_s, drone))

    # ------------------------------------------------------------------ decisions
    def _zones_for(self, takeoff_s: float, i: int, wind: Wind) -> tuple[frozenset[str], Leg]:
        """The zones active during the flight window from ``takeoff_s``, and the leg around them.

        The window depends on the route and the route on the zones: start from the zones
        active at take-off and add those active until the landing until none is added (the
        set only grows, so this ends).
        """
        zones = self.activity.during(takeoff_s)
        while True:
            leg = self.table.leg(zones, wind, i)
            end = takeoff_s + (leg.duration_s if np.isfinite(leg.duration_s) else 0.0)
            wider = zones | self.activity.during(takeoff_s, end)
            if wider == zones:
                return zones, leg
            zones = wider

    def _reject(self, i: int, reason: str, detail: str) -> Decision:
        o = self.orders[i]
        return Decision(o.order_id, o.row, float(self.placed_s[i]), o.weight_kg, (o.lon, o.lat), reason, detail)

    def decide(self, i: int, wind: Wind | None = None) -> Decision:
        """Decide order ``i`` (orders must be decided in arrival order) with the planning ``wind``
        (None: still air)."""
        wind = wind or Wind()
        placed = float(self.placed_s[i])
        fleet, always = self.fleet, self.activity.always
        base = self.table.leg(always, wind, i)
        if base.reason is not None:
            return self._reject(i, base.reason, self._why(i, base.reason, always))
        best_s = fleet.loading_s + base.door_s
        if best_s > self.promise_s:
            return self._reject(i, "outside_zone", f"loading and flight to the door take {_minutes(best_s)}, "
                                                   f"more than the {_minutes(self.promise_s)} promise")
        cycle = fleet.loading_s + base.duration_s + fleet.turnaround_s
        limit = np.inf
        if self.admission is not None:
            self.admission.observe(placed, cycle)
            limit = self.admission.limit(placed)

        free, drone = self._earliest()
        deadline = placed + self.promise_s
        if self.policy == "fcfs" and free > placed:
            return self._reject(i, "no_drone_in_time", "no drone is idle when the order arrives")
        start = max(placed, free)
        latest = deadline - base.door_s
        if start + fleet.loading_s > latest:
            return self._reject(i, "no_drone_in_time", f"the first drone is free at +{_minutes(free - placed)}; "
                                                       f"it would deliver {_minutes(start + best_s - deadline)} late")
        if cycle > limit and free > placed:
            return self._reject(i, "fleet_saturated", f"the flight holds a drone {_minutes(cycle)}, above the "
                                                      f"current admission limit of {_minutes(limit)}")
        takeoff = start + fleet.loading_s
        tries = [takeoff] if self.policy == "fcfs" else [takeoff, *self.activity.changes(takeoff, latest)]
        blocked = frozenset()
        for t in tries:
            zones, leg = self._zones_for(t, i, wind)
            if leg.reason is None and t + leg.door_s <= deadline:
                return self._accept(i, drone, t, zones, leg, wind)
            blocked |= zones - always
        names = ", ".join(sorted(blocked)) or "scheduled zones"
        return self._reject(i, "airspace_closed_at_that_time",
                            f"{names} active during the flight window; no take-off before the promise avoids them")

    def _why(self, i: int, reason: str, zones: frozenset[str]) -> str:
        """Text for an order rejected for ``reason`` around ``zones``, naming the zones involved."""
        if reason == "overweight":
            return (f"the package weighs {self.orders[i].weight_kg:g} kg, above the "
                    f"{self.table.profile.max_payload_kg:g} kg maximum payload")
        if reason == "no_fly_zone":
            margin = self.table.margin_m
            near = self.table.zones_near(i, zones, margin)
            names = ", ".join(f"{z.id!r}" + (f" ({z.name})" if z.name else "") for z, _ in near)
            if any(gap == 0 for _, gap in near):
                return f"the door is inside zone {names}"
            return f"the door is within the {margin:g} m safety margin of zone {names}"
        return _REASON_TEXT[reason]

    def _accept(self, i: int, drone: int, takeoff: float, zones: frozenset[str], leg: Leg, wind: Wind) -> Decision:
        land = takeoff + leg.duration_s
        ready = land + self.fleet.turnaround_s
        self._book(drone, ready)
        flight = Flight(drone, takeoff - self.fleet.loading_s, takeoff, takeoff + leg.door_s, land, ready,
                        leg.energy_wh, leg.reserve_wh, leg.route.length_m, leg.route.points, zones, wind)
        o = self.orders[i]
        return Decision(o.order_id, o.row, float(self.placed_s[i]), o.weight_kg, (o.lon, o.lat), None,
                        f"drone {drone} delivers {_minutes(flight.door_s - self.placed_s[i])} after the order",
                        flight)


_REASON_TEXT = {
    "outside_area": "the door is outside the operating area (or within the safety margin of its edge)",
    "no_route": "no route reaches the door: blocking zones enclose it",
    "wind": "the aircraft cannot fly this route in the planning wind",
    "energy": "the round trip needs more than the battery less its reserve",
}
