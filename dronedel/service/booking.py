"""The offline dispatcher, decided live: orders arrive one at a time or in batches.

:class:`dronedel.dispatch.Dispatcher` decides orders indexed into a day's arrays (orders,
placement times, a :class:`~dronedel.dispatch.FlightTable` of their doors) and keeps the
drones' bookings. :class:`LiveDispatcher` keeps one dispatcher for the life of the service
(its bookings and admission history) and hands it, for each request, the arrays of just
that request's orders: a flight table over their doors sharing the routers of one table
for the site, so routers are built once per set of zones. The rules are the dispatcher's;
nothing here decides anything itself.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import numpy as np

from ..airspace.model import Airspace
from ..config import SiteConfig, Wind
from ..dispatch import DayContext, Decision, Flight, FlightTable, ZoneActivity, prepare_day
from ..intent import Volumes
from ..orders import Order, OrderBook
from ..routing import Router
from ..warmup import warm_up

__all__ = ["LiveDispatcher", "SharedRouterTable", "HORIZON_S"]

#: Seconds of zone schedules indexed ahead of (and one day behind) the service clock.
HORIZON_S = 8 * 86400.0
#: A flight held on the ground clears the end of a conflict with another flight's intent by this much (s).
_HOLD_STEP_S = 1.0


class SharedRouterTable(FlightTable):
    """A flight table over the doors of one request's orders, numbered from ``first`` as the dispatcher numbers
    them, that takes its routers from ``base`` (same airspace and site)."""

    def __init__(self, base: FlightTable, doors_xy: np.ndarray, payload_kg: np.ndarray, first: int) -> None:
        super().__init__(base.airspace, base.frame, base.profile, doors_xy, payload_kg, band=base.band,
                         margin_m=base.margin_m, authorisations=base.authorisations, chunk=base.chunk, pads=base.pads,
                         layers=base.layers, first=first)
        self.base = base

    def router(self, zones: frozenset[str]) -> Router:
        """``base``'s router around ``zones``."""
        return self.base.router(zones)


class LiveDispatcher:
    """Decides orders as they come for the site ``config`` in ``airspace``, service times in seconds after
    ``start`` (aware datetime), under ``policy`` (``online`` or ``fcfs``; ``batch`` decides a request's
    orders together, shortest flights first)."""

    def __init__(self, config: SiteConfig, airspace: Airspace, start: datetime, *, policy: str = "online",
                 now_s: float = 0.0) -> None:
        self.config = config
        self.start = start
        self.policy = policy
        self.context = self._context(airspace, now_s)
        self.dispatcher = self.context.dispatcher(policy=policy)
        warm_up()  # the first order is answered as fast as the next
        self._orders: list[Order] = []
        self._placed = np.empty(0)
        self._index: dict[str, int] = {}  # order id -> the dispatcher's index of its latest decision

    def _context(self, airspace: Airspace, now_s: float) -> DayContext:
        ctx = prepare_day(self.config, OrderBook((), self.start), airspace)
        ctx.activity = ZoneActivity(list(ctx.table.candidates.values()), self.start,
                                    (min(0.0, now_s) - 86400.0, now_s + HORIZON_S))
        ctx.table.router(ctx.activity.always)
        return ctx

    @property
    def airspace(self) -> Airspace:
        """The airspace decisions are made in."""
        return self.context.table.airspace

    @property
    def drones(self) -> int:
        """Fleet size."""
        return self.dispatcher.drones

    def forget(self, before_s: float) -> None:
        """Drop the dispatcher's index of intents before ``before_s`` (service s): no flight takes off then."""
        self.dispatcher.intents.forget(before_s)

    def bind_home_pads(self, home_pads: Sequence[int]) -> None:
        """Bind each drone to its pad (index into the site's pads) from now on: its vehicle cannot move
        between pads (a SITL vehicle is homed at its pad). Call before the first decision."""
        self.dispatcher = self.context.dispatcher(policy=self.policy, home_pads=list(home_pads))

    def set_airspace(self, airspace: Airspace, now_s: float) -> None:
        """Decide from now on in ``airspace`` (a restriction activated or lifted); bookings stay.

        Raises :class:`~dronedel.errors.InputError` if a zone always active covers the site.
        """
        self.context = self._context(airspace, now_s)
        self.dispatcher.activity = self.context.activity

    def horizon_end_s(self) -> float:
        """Where the zone activity index ends (service seconds); re-index before the clock gets there."""
        return float(self.context.activity.horizon_s[1])

    def free_at(self, drone: int) -> float:
        """When ``drone`` is free after its last booking (service seconds)."""
        return float(self.dispatcher.free_at[drone])

    def update_ready(self, drone: int, ready_s: float) -> None:
        """``drone`` is free at ``ready_s`` after its last remaining booking (landed late or early, a flight
        cancelled, or the bookings restored after a restart)."""
        self.dispatcher.update_ready(drone, ready_s)

    @property
    def admission_window_s(self) -> float:
        """How far back (s) the admission control's history reaches (0 without admission control)."""
        return self.dispatcher.admission.window_s if self.dispatcher.admission is not None else 0.0

    def observe(self, placed_s: float, cycle_s: float) -> None:
        """Feed the admission control an earlier order (placed, drone cycle), after a restart."""
        if self.dispatcher.admission is not None:
            self.dispatcher.admission.observe(placed_s, cycle_s)

    def volumes(self, flight: Flight) -> Volumes:
        """``flight``'s operational intent as the dispatcher books it."""
        return flight.volumes(self.config.aircraft, self.dispatcher.separation)

    def release(self, order_id: str) -> int:
        """Take ``order_id``'s flight out of the dispatcher's index of accepted intents (cancelled, failed,
        re-planned): its airspace is free for new flights. Returns the volumes released."""
        index = self._index.get(order_id)
        return self.dispatcher.intents.remove(index) if index is not None else 0

    def move(self, order_id: str, flight: Flight, *, ignore: Collection[str] = (),
             max_hold_s: float = 0.0) -> tuple[float | None, list[str]]:
        """``order_id``'s flight now flies as ``flight`` (moved later): its old intent is released and the new
        one booked, held on the ground (later still) for the least time, at most ``max_hold_s`` seconds, that
        clears every other accepted flight but those of ``ignore`` (order ids) (:meth:`IntentIndex.earliest`).

        Returns the hold (s; None when no hold up to ``max_hold_s`` clears it, and then nothing is booked for
        it) and the order ids of the flights the moved intent first met.
        """
        own = self._index[order_id]
        self.release(order_id)
        volumes = self.volumes(flight)
        ignored = [own] + [self._index[i] for i in ignore if i in self._index]
        found, _ = self.dispatcher.intents.earliest(volumes, np.zeros(len(volumes), np.int64), 1, 0.0, max_hold_s,
                                                    _HOLD_STEP_S, ignore=ignored)
        hold = float(found[0])
        met = [] if hold == 0 else self._blocking(volumes, ignored)
        if not np.isfinite(hold):
            return None, met
        self.dispatcher.intents.add(own, volumes.shifted(hold))
        return hold, met

    def _blocking(self, volumes: Volumes, ignored: Collection[int]) -> list[str]:
        """The order ids of the accepted flights, but ``ignored`` (indices), whose intents ``volumes`` meet."""
        conflict = self.dispatcher.intents.conflicts(volumes)
        return [] if conflict is None else [self._orders[k].order_id for k in conflict.owners if k not in ignored]

    def _append(self, orders: Sequence[Order], placed_s: Sequence[float]) -> np.ndarray:
        """Add orders to the dispatcher's arrays; returns their indices (orders are indexed for the service's
        life, as a day's orders are in a plan, so whatever the dispatcher keys by order stays unique)."""
        first = len(self._orders)
        x, y = self.context.frame.to_local([o.lon for o in orders], [o.lat for o in orders], check=False)
        self._orders += orders
        self._placed = np.concatenate([self._placed, np.asarray(placed_s, float)])
        d = self.dispatcher
        d.orders, d.placed_s = self._orders, self._placed
        d.table = SharedRouterTable(self.context.table, np.column_stack([x, y]), [o.weight_kg for o in orders], first)
        self._index.update((o.order_id, first + k) for k, o in enumerate(orders))
        return np.arange(first, len(self._orders))

    def decide(self, orders: Sequence[Order], now_s: float, wind: Wind) -> list[Decision]:
        """Decide ``orders`` placed at ``now_s`` in ``wind``, in their order (the ``batch`` policy decides them
        together)."""
        if not orders:
            return []
        index = self._append(orders, [now_s] * len(orders))
        if self.policy == "batch":
            return self.dispatcher.decide_batch(index, now_s, wind)
        return [self.dispatcher.decide(int(i), wind) for i in index]

    def redecide(self, order: Order, placed_s: float, now_s: float, wind: Wind) -> Decision:
        """Decide again at ``now_s`` an order placed at ``placed_s`` whose flight was cancelled (a restriction
        crosses it, the vehicle refused it, the service was down at its take-off); the promise still counts
        from ``placed_s``."""
        index = self._append([order], [placed_s])
        return self.dispatcher.decide_batch(index, now_s, wind)[0]

    def restore(self, order: Order, placed_s: float, flight: Flight) -> None:
        """After a restart: an order booked before it, whose ``flight`` still holds airspace; its operational
        intent goes back into the dispatcher's index so new flights keep clear of it."""
        index = self._append([order], [placed_s])
        self.dispatcher.intents.add(int(index[0]), self.volumes(flight))

    def within_frame(self, lon: float, lat: float) -> bool:
        """True if the door lies within the site's planning frame."""
        x, y = self.context.frame.to_local([lon], [lat], check=False)
        return bool(np.hypot(x, y)[0] <= self.context.frame.max_radius_m)
