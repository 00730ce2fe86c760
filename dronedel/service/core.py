"""The live dispatch service: orders decided as they come, flights handed to the fleet and watched.

:class:`DispatchService` ties the parts together on one thread: the :class:`LiveDispatcher`
decides, the :class:`~dronedel.service.store.Store` keeps every decision before it is answered,
the :class:`~dronedel.service.clock.ServiceClock` says what time it is, and a
:class:`~dronedel.service.vehicles.Fleet` flies. :meth:`DispatchService.tick` moves every flight
through its states (booked, loading, airborne, delivering, returning, turnaround, done; or
cancelled, failed), records tracks, watches conformance and links, and logs events; the web
layer (:mod:`dronedel.service.app`) calls it a few times a second.

A restart rebuilds everything from the store (:meth:`DispatchService.recover`): the drones'
bookings, the airspace with its temporary restrictions, the wind; flights airborne keep
flying (virtual drones and vehicles that outlive the service) and their tracks continue; a
flight that should have taken off while the service was down starts late if it still keeps
its promise, and is otherwise cancelled with the reason ``missed_takeoff``.

The dispatcher's index of accepted intents follows the bookings: a flight dropped (cancelled,
failed, re-planned) releases its volumes; a flight moved later takes them along, or, where the
moved volumes meet another flight's, is decided again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

import numpy as np
import shapely

from ..airspace import Airspace, Height, Restriction, Schedule, Zone, site_airspace
from ..config import SiteConfig, Wind, parse_wind
from ..dispatch import Decision, Flight, Plan
from ..errors import DronedelError, InputError
from ..geo import LocalFrame
from ..dispatch.output import VOLUME_COLUMNS
from ..intent import KINDS, Volumes
from ..intent.f3548 import ExportedVolumes, export_volumes, intents_geojson
from ..intent.geoid import geoid_undulation
from ..mission.flights import mission_for_flight
from ..mission.items import Mission
from ..orders import Order
from .booking import LiveDispatcher
from .clock import ServiceClock
from .conformance import ConformanceMonitor
from .store import FlightRow, OrderRow, RestrictionRow, Store
from .trajectory import Trajectory, delay_factor, planned_trajectory
from .vehicles import Fleet, Report

__all__ = ["DispatchService", "ServiceOptions", "OrderRequest", "Conflict", "NotFound", "DRONE_STATES"]

#: States a drone can be in, as the fleet endpoint reports them.
DRONE_STATES = ("idle", "loading", "airborne", "delivering", "returning", "turnaround", "failed")

#: Flight phases (aircraft model) -> drone state while airborne.
_PHASE_STATE = {"takeoff": "airborne", "outbound": "airborne", "descent": "delivering", "delivery": "delivering",
                "ascent": "delivering", "return": "returning", "landing": "returning"}
_AIRBORNE = ("airborne", "delivering", "returning")
#: Door reached (telemetry): horizontal distance (m) and height above the delivery height (m).
_DOOR_RADIUS_M, _DOOR_HEIGHT_M = 15.0, 5.0

#: Service seconds after which the dispatcher's index drops the cells of intents that have ended.
_FORGET_AFTER_S = 3600.0


class Conflict(DronedelError):
    """The request conflicts with the service's state (an order id taken, an order already flying)."""


class NotFound(DronedelError):
    """No such order, flight or restriction."""


@dataclass(frozen=True)
class ServiceOptions:
    """How the service runs.

    ``policy``: the dispatcher's (``online``, ``batch`` deciding a request's orders together, ``fcfs``);
    ``speedup``: service seconds per real second; ``start_at``: the service clock's first instant for a
    new store (default now); ``delivery_sigma``: the virtual drones' delay noise (lognormal spread of
    the delivery action, as the simulator's); ``link_timeout_s``: service seconds of silence before
    ``link_lost``; ``late_start_s``: how late (service s) a take-off may be before the restart logic
    re-plans it; ``track_step_s``: service seconds between stored track points.
    """

    policy: str = "online"
    speedup: float = 1.0
    start_at: datetime | None = None
    delivery_sigma: float = 0.25
    link_timeout_s: float = 10.0
    late_start_s: float = 60.0
    track_step_s: float = 1.0


@dataclass(frozen=True)
class OrderRequest:
    """An order as a client places it: door (``lon``, ``lat``) degrees, package ``weight_kg``, optional id."""

    lon: float
    lat: float
    weight_kg: float
    order_id: str | None = None


@dataclass
class _Drone:
    """What the service tracks of one drone (positions lon/lat degrees, ``alt_m`` above home)."""

    queue: list[int] = field(default_factory=list)
    active: int | None = None
    ready_s: float = -np.inf
    lon: float = float("nan")
    lat: float = float("nan")
    alt_m: float = 0.0
    battery: float | None = 1.0
    failed: str = ""
    silent: bool = False


class DispatchService:
    """The live service for the site ``config`` over ``store``, flying ``fleet`` (a callable given the
    drone count, the site frame and the service clock, returning a :class:`Fleet`)."""

    def __init__(self, config: SiteConfig, store: Store, fleet: Callable[[int, LocalFrame, ServiceClock], Fleet],
                 options: ServiceOptions = ServiceOptions()) -> None:
        self.config = config
        self.store = store
        self.options = options
        self.frame = LocalFrame(config.site.lon, config.site.lat)
        self.base_airspace = site_airspace(config)
        self.clock = self._clock()
        self.wind = parse_wind(self.store.get_meta("wind", str(config.planning.wind)))
        now = self.clock.now_s()
        self.live = LiveDispatcher(config, self._airspace(now), self.clock.start, policy=options.policy, now_s=now)
        self.fleet = fleet(self.live.drones, self.frame, self.clock)
        if self.fleet.count < self.live.drones:
            raise InputError(f"{self.fleet.count} vehicles for a fleet of {self.live.drones} drones", "--vehicles")
        if self.fleet.home_pads is not None:
            self.live.bind_home_pads(self.fleet.home_pads[:self.live.drones])
        self.drones = [_Drone() for _ in range(self.live.drones)]
        self.flights: dict[int, FlightRow] = {}
        self.trajectories: dict[int, Trajectory] = {}
        self.monitors: dict[int, ConformanceMonitor] = {}
        self._missions: dict[int, Mission] = {}
        self._forgotten_s = now
        self._last_track: dict[int, float] = {}
        self._delivered: set[int] = set()
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self._outbox: list[dict[str, Any]] = []
        self.airspace_version = 0
        self.undulation_m = geoid_undulation(config).value_m

    # ------------------------------------------------------------------ set-up
    def _clock(self) -> ServiceClock:
        saved = self.store.get_meta("clock")
        if saved is None:
            at = self.options.start_at or datetime.now(self.config.site.tz)
            clock = ServiceClock.begin(at, self.config.site.tz, self.options.speedup)
        else:
            clock = ServiceClock(datetime.fromisoformat(saved["start"]), saved["anchor_wall"], saved["anchor_s"],
                                 saved["speedup"])
            if clock.speedup != self.options.speedup:
                clock = clock.respeed(self.options.speedup)
        with self.store.transaction():
            self.store.set_meta("clock", {"start": clock.start.isoformat(), "anchor_wall": clock.anchor_wall,
                                          "anchor_s": clock.anchor_s, "speedup": clock.speedup})
        return clock

    def _restriction_zone(self, r: RestrictionRow) -> Zone:
        until = self.clock.at(r.until_s) if r.until_s is not None else None
        return Zone(r.zone_id, r.name, Restriction.PROHIBITED, shapely.geometry.shape(r.geometry),
                    floor=Height(r.floor_m), ceiling=Height(r.ceiling_m),
                    schedule=Schedule(valid_from=self.clock.at(r.from_s), valid_until=until,
                                      tz=self.config.site.tz),
                    kind="temporary restriction", reason="activated through the service", source="service")

    def _airspace(self, now_s: float) -> Airspace:
        """The site's airspace with the temporary restrictions not lifted and not over."""
        extra = [self._restriction_zone(r) for r in self.store.restrictions()
                 if r.lifted_s is None and (r.until_s is None or r.until_s > now_s)]
        base = self.base_airspace
        return Airspace([*base.zones, *extra], base.operating_area, base.ground_amsl_m)

    def recover(self) -> None:
        """Rebuild the drones' state from the store and reconcile with the vehicles (see the module docstring)."""
        now = self.clock.now_s()
        turnaround = self.config.fleet.turnaround_s
        for drone, last in self.store.last_flights().items():
            if drone < len(self.drones) and last.actual_land_s is not None:
                self.drones[drone].ready_s = last.actual_land_s + turnaround
        late: list[FlightRow] = []
        for f in self.store.open_flights():
            if f.drone >= len(self.drones):
                continue
            self.flights[f.flight_id] = f
            d = self.drones[f.drone]
            if f.state in _AIRBORNE:
                d.active = f.flight_id
                self._follow(f)
            elif f.state == "turnaround":
                d.active = f.flight_id
                d.ready_s = f.ready_s
            else:
                d.queue.append(f.flight_id)
                if f.state == "loading":
                    d.active = None
                    f.state = "booked"
                if f.takeoff_s < now - self.options.late_start_s:
                    late.append(f)
        for f in self.flights.values():
            row = self.store.order(f.order_id)
            self.live.restore(self._order(row), row.placed_s, self.planned(f))
        for placed, cycle in self.store.booked_cycles(now - self.live.admission_window_s):
            self.live.observe(placed, cycle)
        with self.store.transaction():
            for drone in range(len(self.drones)):
                self._release(drone)
            for f in late:
                self._start_late(f, now)
            self._emit(now, "service", {"state": "started", "restart": bool(self.store.last_seq())})
        self._publish()

    def _follow(self, f: FlightRow) -> None:
        """An airborne flight found at restart: the fleet keeps flying it, or it is lost with its vehicle."""
        now = self.clock.now_s()
        if not self.fleet.persistent:
            self._fail(f, now, "the vehicle was restarted with the service while airborne")
            return
        traj = self._trajectory(f, f.actual_takeoff_s if f.actual_takeoff_s is not None else f.takeoff_s)
        self.fleet.resume(f, traj)
        self._emit(now, "resumed", {"drone": f.drone}, f.order_id, f.flight_id)

    def _start_late(self, f: FlightRow, now: float) -> None:
        """A take-off missed while the service was down: later if the promise still holds, else cancelled."""
        order = self.store.order(f.order_id)
        delay = now + self.config.fleet.loading_s - f.takeoff_s
        deadline = order.placed_s + self.config.planning.promise_s
        if f.door_s + delay <= deadline and self.drones[f.drone].queue[:1] == [f.flight_id]:
            planned = f.takeoff_s
            if self._shift(f, delay, now, "the service was down at the planned take-off"):
                self._emit(now, "late_start", {"delay_s": round(f.takeoff_s - planned, 1),
                                               "door_eta": self.iso(f.door_s)}, f.order_id, f.flight_id)
            return
        self._drop_booking(f, now, "cancelled")
        self._redecide(order, now, "missed_takeoff",
                       f"the service was down at the planned take-off ({self.iso(f.takeoff_s)})")

    # ------------------------------------------------------------------ events
    def iso(self, seconds: float | None) -> str | None:
        """Service seconds as an ISO 8601 instant in the site's time zone (None for None or infinite)."""
        if seconds is None or not np.isfinite(seconds):
            return None
        return self.clock.at(seconds).isoformat(timespec="seconds")

    def _emit(self, t_s: float, kind: str, data: dict[str, Any], order_id: str | None = None,
              flight_id: int | None = None, *, persist: bool = True) -> None:
        """Log an event (inside the caller's transaction) and queue it for the listeners after the commit."""
        seq = self.store.add_event(t_s, kind, data, order_id, flight_id) if persist else None
        self._outbox.append({"seq": seq, "kind": kind, "t": self.iso(t_s), "order_id": order_id,
                             "flight_id": flight_id, "data": data})

    def _alert(self, t_s: float, code: str, detail: str, f: FlightRow | None = None) -> None:
        self._emit(t_s, "alert", {"code": code, "detail": detail, "drone": f.drone if f else None},
                   f.order_id if f else None, f.flight_id if f else None)

    def _publish(self) -> None:
        """Hand the committed events to the listeners."""
        out, self._outbox = self._outbox, []
        for event in out:
            for listener in list(self.listeners):
                listener(event)

    # ------------------------------------------------------------------ orders
    def place(self, requests: Sequence[OrderRequest]) -> list[OrderRow]:
        """Decide ``requests`` now, commit the decisions, then return them (in request order).

        Raises :class:`Conflict` if an order id is taken (or repeated in the batch); nothing is decided then.
        """
        result = self.place_groups([requests])[0]
        if isinstance(result, Conflict):
            raise result
        return result

    def place_groups(self, groups: Sequence[Sequence[OrderRequest]]) -> list[list[OrderRow] | Conflict]:
        """Decide several requests' orders together (one dispatcher call, one commit), in arrival order.

        A request whose order ids are taken (by the store, by itself or by an earlier request) gets a
        :class:`Conflict` instead of decisions; the others are decided as if sent one after the other.
        """
        now = self.clock.now_s()
        seq = self.store.next_order_seq()
        seen: set[str] = set()
        accepted_groups: list[list[Order] | Conflict] = []
        for requests in groups:
            ids = [r.order_id for r in requests if r.order_id]
            taken = sorted({i for i in ids if ids.count(i) > 1 or i in seen or self.store.has_order(i)})
            if taken:
                accepted_groups.append(Conflict(f"order id {', '.join(map(repr, taken))} already used"))
                continue
            orders = [Order(r.order_id or f"o{seq + k}", self.clock.at(now), r.lon, r.lat, r.weight_kg, seq + k)
                      for k, r in enumerate(requests)]
            seq += len(orders)
            seen.update(o.order_id for o in orders)
            accepted_groups.append(orders)
        every = [o for g in accepted_groups if not isinstance(g, Conflict) for o in g]
        inside = [o for o in every if self.live.within_frame(o.lon, o.lat)]
        decided = {d.order_id: d for d in self.live.decide(inside, now, self.wind)}
        out: list[list[OrderRow] | Conflict] = []
        with self.store.transaction():
            for group in accepted_groups:
                if isinstance(group, Conflict):
                    out.append(group)
                    continue
                rows = []
                for o in group:
                    d = decided.get(o.order_id) or Decision(
                        o.order_id, o.row, now, o.weight_kg, (o.lon, o.lat), "invalid_input",
                        f"the door lies beyond the site's {self.frame.max_radius_m / 1000:.0f} km planning frame",
                        decided_s=now)
                    rows.append(self._record(o, d, now))
                out.append(rows)
        self._publish()
        return out

    def _record(self, o: Order, d: Decision, now: float) -> OrderRow:
        """Store order ``o`` with its decision ``d`` (and flight) and log it."""
        flight_id = self._book(o.order_id, d.flight) if d.flight is not None else None
        f = self.flights.get(flight_id) if flight_id else None
        row = OrderRow(o.order_id, o.row, now, o.lon, o.lat, o.weight_kg, d.status, d.reason, d.detail, now,
                       flight_id, f.door_s if f else None, now)
        self.store.insert_order(row)
        self._emit(now, "decision", self._decision_data(row, f), o.order_id, flight_id)
        return row

    def _decision_data(self, row: OrderRow, f: FlightRow | None) -> dict[str, Any]:
        data: dict[str, Any] = {"status": row.status, "reason": row.reason, "detail": row.detail,
                                "lon": row.lon, "lat": row.lat}
        if f is not None:
            data.update(drone=f.drone, pad=f.pad, takeoff_at=self.iso(f.takeoff_s), door_eta=self.iso(f.door_s))
        return data

    def _book(self, order_id: str, flight: Flight) -> int:
        """Store a booked flight of the dispatcher; returns its id."""
        pad = self.config.separation.pads[flight.pad].name
        row = FlightRow(0, order_id, flight.drone, pad, "booked", flight.loading_s, flight.takeoff_s, flight.door_s,
                        flight.land_s, flight.ready_s, flight.energy_wh, flight.reserve_wh, flight.distance_m,
                        np.asarray(flight.route, float).tolist(), sorted(flight.zones), str(flight.wind),
                        self._volume_table(flight), plan=flight_to_json(flight))
        row.flight_id = self.store.insert_flight(row)
        self.flights[row.flight_id] = row
        self.drones[row.drone].queue.append(row.flight_id)
        return row.flight_id

    def cancel(self, order_id: str, reason: str = "cancelled_by_customer", detail: str = "") -> OrderRow:
        """Cancel an order before its take-off (NotFound, or Conflict once airborne or decided otherwise)."""
        row = self.store.order(order_id)
        if row is None:
            raise NotFound(f"no order {order_id!r}")
        f = self.flights.get(row.flight_id) if row.flight_id else None
        if row.status not in ("accepted", "loading") or f is None or f.state not in ("booked", "loading"):
            state = f.state if f is not None and row.status in ("accepted", "loading") else row.status
            raise Conflict(f"order {order_id!r} is {state}: only an accepted order not yet airborne can be cancelled")
        now = self.clock.now_s()
        with self.store.transaction():
            self._drop_booking(f, now, "cancelled")
            self.store.update_order(order_id, status="cancelled", reason=reason, detail=detail or "cancelled",
                                    eta_s=None, updated_s=now)
            self._emit(now, "cancelled", {"reason": reason, "detail": detail}, order_id, f.flight_id)
        self._publish()
        return self.store.order(order_id)

    def _drop_booking(self, f: FlightRow, now: float, state: str, note: str = "") -> None:
        """Take a flight off its drone's bookings (``state`` cancelled or failed) and tell the dispatcher; a
        flight not yet airborne releases its airspace (one failed in the air may still be flying there)."""
        d = self.drones[f.drone]
        if f.flight_id in d.queue:
            d.queue.remove(f.flight_id)
        if d.active == f.flight_id:
            d.active = None
        if f.state not in _AIRBORNE:
            self.live.release(f.order_id)
        f.state = state
        self.store.update_flight(f.flight_id, state=state, note=note)
        self.flights.pop(f.flight_id, None)
        self._release(f.drone)

    def _release(self, drone: int) -> None:
        """Tell the dispatcher when ``drone`` is free after its remaining bookings."""
        d = self.drones[drone]
        end = d.ready_s
        if d.active is not None and d.active in self.flights:
            end = max(end, self.flights[d.active].ready_s)
        for fid in d.queue:
            f = self.flights[fid]
            end = max(f.loading_s, end) + (f.ready_s - f.loading_s)
        self.live.update_ready(drone, float(end) if np.isfinite(end) or d.failed else 0.0)

    def _order(self, row: OrderRow) -> Order:
        return Order(row.order_id, self.clock.at(row.placed_s), row.lon, row.lat, row.weight_kg, row.seq)

    def _redecide(self, row: OrderRow, now: float, reason: str, why: str) -> None:
        """Order ``row`` lost its flight (``why``): book it again if the promise still holds, else cancel it."""
        d = self.live.redecide(self._order(row), row.placed_s, now, self.wind)
        if d.flight is not None:
            fid = self._book(row.order_id, d.flight)
            f = self.flights[fid]
            self.store.update_order(row.order_id, status="accepted", flight_id=fid, eta_s=f.door_s, updated_s=now,
                                    detail=f"{why}; re-planned: {d.detail}")
            self._emit(now, "replanned", {"why": why, "drone": f.drone, "takeoff_at": self.iso(f.takeoff_s),
                                          "door_eta": self.iso(f.door_s)}, row.order_id, fid)
        else:
            detail = f"{why}; no new flight keeps the promise ({d.reason}: {d.detail})"
            self.store.update_order(row.order_id, status="cancelled", reason=reason, detail=detail, eta_s=None,
                                    updated_s=now)
            self._emit(now, "cancelled", {"reason": reason, "detail": detail}, row.order_id, row.flight_id)

    # ------------------------------------------------------------------ flights
    def planned(self, f: FlightRow) -> Flight:
        """The dispatcher's flight behind ``f``, at ``f``'s (possibly moved) times."""
        basics = {k: getattr(f, k) for k in ("energy_wh", "reserve_wh", "distance_m", "route", "zones", "wind")}
        return flight_from_json({**basics, **(f.plan or {}), **{k: getattr(f, k) for k in _SHIFTED}, "drone": f.drone})

    def intent(self, f: FlightRow, takeoff_s: float | None = None) -> Volumes:
        """``f``'s operational intent (:class:`~dronedel.intent.Volumes`), moved to ``takeoff_s`` if given."""
        volumes = self.planned(f).volumes(self.config.aircraft, self.config.separation)
        return volumes if takeoff_s is None else volumes.shifted(takeoff_s - f.takeoff_s)

    def _volume_table(self, flight: Flight) -> dict[str, Any]:
        """The flight's intent volumes as plan.json states them (local metres, m AGL, service seconds)."""
        v = flight.volumes(self.config.aircraft, self.config.separation)
        rows = np.column_stack([v.ax, v.ay, v.bx, v.by, v.radius, v.z_lo, v.z_hi, v.t_lo, v.t_hi]).round(2)
        return {"columns": list(VOLUME_COLUMNS), "volumes": [[KINDS[k], *r] for k, r in zip(v.kind.tolist(),
                                                                                           rows.tolist())]}

    def _export(self, flight: Flight) -> ExportedVolumes:
        plan = Plan((), self.config, self.clock.start, self.frame, len(self.drones), self.options.policy, self.wind)
        return export_volumes(plan, flight.volumes(self.config.aircraft, self.config.separation), self.undulation_m)

    def intent_export(self, f: FlightRow) -> dict[str, Any]:
        """``f``'s operational intent as flown (moved to its actual take-off): ``f3548`` the F3548-21
        ``OperationalIntentDetails`` (W84 altitudes, RFC 3339 times), ``geojson`` one polygon per volume."""
        flight = self.planned(f)
        if f.actual_takeoff_s is not None:
            flight = replace(flight, takeoff_s=f.actual_takeoff_s)
        exported = self._export(flight)
        return {"f3548": exported.details(), "geojson": intents_geojson([(f.order_id, exported)])}

    def _trajectory(self, f: FlightRow, takeoff_s: float) -> Trajectory:
        traj = planned_trajectory(self.planned(f), self.config.aircraft, takeoff_s,
                                  delay_factor(f.flight_id, self.options.delivery_sigma))
        self.trajectories[f.flight_id] = traj
        self.monitors[f.flight_id] = ConformanceMonitor(self.intent(f, takeoff_s), f.land_s - f.takeoff_s)
        return traj

    def mission(self, f: FlightRow) -> Mission:
        """The MAVLink mission (with fence and rally) that flies ``f``."""
        if f.flight_id not in self._missions:
            self._missions[f.flight_id] = mission_for_flight(self.planned(f), self.config, self.live.airspace,
                                                             start=self.clock.start, name=f.order_id)
        return self._missions[f.flight_id]

    def _shift(self, f: FlightRow, delay: float, now: float, why: str) -> bool:
        """Move a booked flight ``delay`` seconds later (its drone came back late, the service was down), its
        intent with it. Where the moved intent meets another accepted flight, the flight is held on the ground
        until clear if its door still keeps the promise, and otherwise dropped and its order decided again;
        returns whether the flight kept its booking."""
        order = self.store.order(f.order_id)
        for name in _SHIFTED:
            setattr(f, name, getattr(f, name) + delay)
        crossed = self._scheduled_zones_met(f)
        if crossed:
            names = ", ".join(map(repr, crossed))
            self._drop_booking(f, now, "cancelled", f"{why}: moved {delay:.0f} s later it would cross zone {names}")
            self._redecide(order, now, "airspace_closed_at_that_time",
                           f"{why}; {delay:.0f} s later its route crosses zone {names}, active then")
            return False
        # the drone's later bookings move with it when their turn comes
        later = {self.flights[k].order_id for k in self.drones[f.drone].queue if k != f.flight_id}
        spare = max(order.placed_s + self.config.planning.promise_s - f.door_s, 0.0)
        hold, met = self.live.move(f.order_id, self.planned(f), ignore=later, max_hold_s=spare)
        others = ", ".join(map(repr, met))
        if hold is None:
            self._drop_booking(f, now, "cancelled", f"{why}: moved {delay:.0f} s later it meets order {others}")
            self._redecide(order, now, "airspace_conflict",
                           f"{why}; {delay:.0f} s later its flight would meet the flight of order {others}")
            return False
        if hold:
            for name in _SHIFTED:
                setattr(f, name, getattr(f, name) + hold)
            delay += hold
            why = f"{why}; held {hold:.0f} s more for the airspace of order {others}"
        self.store.update_flight(f.flight_id, loading_s=f.loading_s, takeoff_s=f.takeoff_s, door_s=f.door_s,
                                 land_s=f.land_s, ready_s=f.ready_s)
        self.store.update_order(f.order_id, eta_s=f.door_s, updated_s=now)
        self._emit(now, "delayed", {"delay_s": round(delay, 1), "why": why, "takeoff_at": self.iso(f.takeoff_s),
                                    "door_eta": self.iso(f.door_s)}, f.order_id, f.flight_id)
        return True

    def _scheduled_zones_met(self, f: FlightRow) -> list[str]:
        """The scheduled zones, active during ``f``'s (moved) flight window but not routed around, that its route
        comes within the planning margin of (ids)."""
        new = self.live.dispatcher.activity.during(f.takeoff_s, f.land_s) - frozenset(f.zones)
        if not new or len(f.route) < 2:
            return []
        route, table = shapely.LineString(f.route), self.live.context.table
        return sorted(z for z in new if route.distance(table.local(z)) <= self.config.planning.margin_m)

    def _fail(self, f: FlightRow, now: float, why: str) -> None:
        """The vehicle refused or lost ``f``: the flight fails, the order is re-planned or cancelled."""
        d = self.drones[f.drone]
        airborne = f.state in _AIRBORNE
        d.failed, d.ready_s = why, np.inf  # out of the dispatcher's pool until the service restarts
        self._drop_booking(f, now, "failed", why)
        self._emit(now, "failed", {"drone": f.drone, "why": why}, f.order_id, f.flight_id)
        self._alert(now, "vehicle_failed", f"drone {f.drone}: {why}", f)
        if airborne:
            self.store.update_order(f.order_id, status="failed", detail=why, eta_s=None, updated_s=now)
        else:
            self._redecide(self.store.order(f.order_id), now, "vehicle_failed", why)
        for fid in list(d.queue):  # its other bookings go to the drones still flying
            other = self.flights[fid]
            self._drop_booking(other, now, "cancelled", f"drone {f.drone} failed")
            self._redecide(self.store.order(other.order_id), now, "vehicle_failed", f"drone {f.drone} failed: {why}")

    def _launch(self, f: FlightRow, now: float) -> None:
        """Take-off: at the planned instant if the tick that notices it comes within ``late_start_s``."""
        at = f.takeoff_s if now - f.takeoff_s <= self.options.late_start_s else now
        f.state = "airborne"
        f.actual_takeoff_s = at
        self.store.update_flight(f.flight_id, state="airborne", actual_takeoff_s=at)
        self.store.update_order(f.order_id, status="airborne", updated_s=now)
        traj = self._trajectory(f, at)
        self._emit(at, "takeoff", {"drone": f.drone, "pad": f.pad, "door_eta": self.iso(traj.door_s)},
                   f.order_id, f.flight_id)
        self.fleet.launch(f, traj)

    def _begin_loading(self, f: FlightRow, now: float) -> None:
        d = self.drones[f.drone]
        start = max(f.loading_s, d.ready_s)
        if start > f.loading_s + 1e-6 and not self._shift(f, start - f.loading_s, now,
                                                          "the drone came back late from its previous flight"):
            return
        d.queue.remove(f.flight_id)
        d.active = f.flight_id
        f.state = "loading"
        self.store.update_flight(f.flight_id, state="loading")
        self.store.update_order(f.order_id, status="loading", updated_s=now)
        self._emit(now, "loading", {"drone": f.drone, "takeoff_at": self.iso(f.takeoff_s)}, f.order_id, f.flight_id)
        try:
            self.fleet.prepare(f, lambda: self.mission(f))
        except DronedelError as exc:
            self._fail(f, now, f"mission refused: {exc}")

    def _on_report(self, r: Report) -> None:
        d = self.drones[r.drone]
        f = self.flights.get(r.flight_id) if r.flight_id is not None else None
        if r.kind == "telemetry":
            d.lon, d.lat, d.alt_m, d.battery = r.lon, r.lat, r.alt_m, r.battery
            if d.silent:
                d.silent = False
                self._alert(r.t_s, "link_restored", f"drone {r.drone} is heard again", f)
            if f is not None and f.state in _AIRBORNE:
                self._watch(f, r)
        elif r.kind == "airborne" and f is not None and f.state in _AIRBORNE and not self.fleet.exact:
            f.actual_takeoff_s = r.t_s  # armed now: the path and intent move to the vehicle's take-off
            self.store.update_flight(f.flight_id, actual_takeoff_s=r.t_s)
            self._trajectory(f, r.t_s)
        elif r.kind == "landed" and f is not None and f.state in _AIRBORNE:
            self._landed(f, r.t_s)
        elif r.kind == "failed" and f is not None and f.state in ("loading", *_AIRBORNE):
            self._fail(f, r.t_s, r.detail)

    def _watch(self, f: FlightRow, r: Report) -> None:
        """Record a track point, check conformance and the door."""
        if r.t_s - self._last_track.get(f.flight_id, -np.inf) >= self.options.track_step_s:
            self.store.add_track(f.flight_id, [(r.t_s, r.lon, r.lat, r.alt_m)])
            self._last_track[f.flight_id] = r.t_s
        x, y = (float(v) for v in self.frame.to_local(r.lon, r.lat, check=False))
        monitor = self.monitors.get(f.flight_id)
        for state, why in monitor.update(r.t_s, x, y, r.alt_m) if monitor else []:
            self._alert(r.t_s, state, why, f)
        traj = self.trajectories.get(f.flight_id)
        door = np.asarray(f.route[-1])
        near = (traj is not None and np.hypot(x - door[0], y - door[1]) < _DOOR_RADIUS_M
                and r.alt_m <= traj.path.door_alt_m + _DOOR_HEIGHT_M)
        reached = r.t_s >= traj.door_s if self.fleet.exact else near
        if f.flight_id not in self._delivered and traj is not None and reached:
            self._delivered.add(f.flight_id)
            at = min(r.t_s, traj.door_s) if self.fleet.exact else r.t_s
            self.store.update_flight(f.flight_id, actual_door_s=at)
            order = self.store.order(f.order_id)
            late = at - (order.placed_s + self.config.planning.promise_s)
            self.store.update_order(f.order_id, status="delivered", eta_s=at, updated_s=r.t_s)
            self._emit(at, "delivered", {"drone": f.drone, "on_time": bool(late <= 1e-6),
                                         "minutes_after_order": round((at - order.placed_s) / 60, 2)},
                       f.order_id, f.flight_id)

    def _landed(self, f: FlightRow, t: float) -> None:
        d = self.drones[f.drone]
        f.state = "turnaround"
        f.actual_land_s = t
        f.ready_s = t + self.config.fleet.turnaround_s
        d.ready_s = f.ready_s
        self.store.update_flight(f.flight_id, state="turnaround", actual_land_s=t, ready_s=f.ready_s)
        if f.flight_id not in self._delivered:
            self.store.update_order(f.order_id, status="failed", detail="landed without delivering", updated_s=t)
            self._alert(t, "not_delivered", "the drone landed without reaching the door", f)
        self._emit(t, "landed", {"drone": f.drone}, f.order_id, f.flight_id)
        self.monitors.pop(f.flight_id, None)
        self._release(f.drone)

    def tick(self) -> None:
        """Advance every flight to now: vehicle reports, take-offs, loadings, turnarounds, silent links."""
        now = self.clock.now_s()
        reports = self.fleet.poll(now)
        with self.store.transaction():
            for r in reports:
                self._on_report(r)
            for drone, d in enumerate(self.drones):
                self._advance(drone, d, now)
            if now > self.live.horizon_end_s() - 86400.0:
                self.live.set_airspace(self._airspace(now), now)
        if now > self._forgotten_s + _FORGET_AFTER_S:  # intents that ended long ago meet no new flight
            self.live.forget(now - _FORGET_AFTER_S)
            self._forgotten_s = now
        self._emit(now, "positions", {"drones": self.fleet_view()}, persist=False)
        self._publish()

    def _advance(self, drone: int, d: _Drone, now: float) -> None:
        f = self.flights.get(d.active) if d.active is not None else None
        if f is not None and f.state == "loading" and now >= f.takeoff_s:
            self._launch(f, now)
        elif f is not None and f.state in _AIRBORNE:
            phase = self.trajectories[f.flight_id].phase(now) if f.flight_id in self.trajectories else None
            state = _PHASE_STATE.get(phase, f.state)
            if state != f.state:
                f.state = state
                self.store.update_flight(f.flight_id, state=state)
            silent = self.fleet.silent_s(drone, now)
            if silent > self.options.link_timeout_s and not d.silent:
                d.silent = True
                self._alert(now, "link_lost", f"drone {drone} silent for {silent:.0f} s", f)
        elif f is not None and f.state == "turnaround" and now >= f.ready_s:
            f.state = "done"
            self.store.update_flight(f.flight_id, state="done")
            self.flights.pop(f.flight_id, None)
            d.active = None
            self._emit(now, "ready", {"drone": drone}, f.order_id, f.flight_id)
        if d.active is None and d.queue and not d.failed:
            nxt = self.flights[d.queue[0]]
            if now >= max(nxt.loading_s, d.ready_s):
                self._begin_loading(nxt, now)

    # ------------------------------------------------------------------ airspace, wind
    def set_wind(self, wind: Wind) -> None:
        """Plan from now on in ``wind``."""
        now = self.clock.now_s()
        with self.store.transaction():
            self.wind = wind
            self.store.set_meta("wind", str(wind))
            self._emit(now, "wind", {"speed_ms": wind.speed_ms, "from_deg": wind.from_deg})
        self._publish()

    def activate(self, r: RestrictionRow) -> list[str]:
        """Activate a temporary restriction now; flights not yet airborne that cross it are re-planned or
        cancelled, airborne ones raise an alert. Returns the affected order ids."""
        now = self.clock.now_s()
        r = replace(r, from_s=now)
        zone = self._restriction_zone(r)
        with self.store.transaction():
            self.store.put_restriction(r)
            try:
                self.live.set_airspace(self._airspace(now), now)
            except InputError as exc:
                raise Conflict(f"restriction {r.zone_id!r} cannot be flown around: {exc.problem}") from None
            self.airspace_version += 1
            affected = self._crossing(zone, now)
            self._emit(now, "restriction", {"zone_id": r.zone_id, "name": r.name, "state": "active",
                                            "until": self.iso(r.until_s), "affected": [f.order_id for f in affected]})
            grounded = sorted((f for f in affected if f.state not in _AIRBORNE),
                              key=lambda f: self.store.order(f.order_id).placed_s)
            for f in affected:
                if f.state in _AIRBORNE:
                    self._alert(now, "airborne_in_restriction",
                                f"flight {f.flight_id} crosses restriction {r.zone_id!r} activated while airborne", f)
            for f in grounded:
                self._drop_booking(f, now, "cancelled", f"crosses restriction {r.zone_id}")
            for f in grounded:
                self._redecide(self.store.order(f.order_id), now, "restriction",
                               f"the flight crossed restriction {r.zone_id!r} activated at {self.iso(now)}")
        self._publish()
        return [f.order_id for f in affected]

    def _active(self, zone_id: str) -> bool:
        return any(r.zone_id == zone_id and r.lifted_s is None for r in self.store.restrictions())

    def _crossing(self, zone: Zone, now: float) -> list[FlightRow]:
        """Open flights whose route (with the planning margin) meets ``zone`` during their window."""
        cruise = self.config.aircraft.cruise_alt_m
        if not zone.vertical_overlap(0.0, cruise, self.base_airspace.ground_amsl_m):
            return []
        local = self.frame.geometry_to_local(zone.geometry, check=False)
        margin = self.config.planning.margin_m
        out = []
        for f in self.flights.values():
            if f.state in ("turnaround", "done"):
                continue
            end = self.clock.at(max(f.land_s, now))
            if not zone.schedule.active_during(self.clock.at(max(f.takeoff_s, now)), end):
                continue
            if shapely.LineString(f.route).distance(local) <= margin if len(f.route) > 1 else False:
                out.append(f)
        return out

    def lift(self, zone_id: str) -> None:
        """Lift a temporary restriction now (NotFound if there is none active of that id)."""
        if not self._active(zone_id):
            raise NotFound(f"no active restriction {zone_id!r}")
        now = self.clock.now_s()
        with self.store.transaction():
            self.store.update_restriction(zone_id, lifted_s=now)
            self.live.set_airspace(self._airspace(now), now)
            self.airspace_version += 1
            self._emit(now, "restriction", {"zone_id": zone_id, "state": "lifted"})
        self._publish()

    # ------------------------------------------------------------------ views
    def drone_state(self, drone: int) -> str:
        """One of :data:`DRONE_STATES`."""
        d = self.drones[drone]
        if d.failed:
            return "failed"
        f = self.flights.get(d.active) if d.active is not None else None
        if f is None:
            return "idle"
        return "turnaround" if f.state == "turnaround" else f.state

    def fleet_view(self) -> list[dict[str, Any]]:
        """Every drone: state, position (lon, lat, alt m above home), battery, current flight and order."""
        out = []
        for k, d in enumerate(self.drones):
            f = self.flights.get(d.active) if d.active is not None else None
            at_home = f is None or f.state in ("loading", "turnaround")
            lon, lat = (self.config.site.lon, self.config.site.lat) if np.isnan(d.lon) else (d.lon, d.lat)
            out.append({"drone": k, "state": self.drone_state(k), "lon": lon, "lat": lat,
                        "alt_m": 0.0 if at_home else round(d.alt_m, 2),
                        "battery": None if d.battery is None else round(d.battery, 3),
                        "flight_id": f.flight_id if f else None, "order_id": f.order_id if f else None,
                        "pad": f.pad if f else None, "booked": len(d.queue), "failure": d.failed or None})
        return out

    def status(self) -> dict[str, Any]:
        """Clock, wind, fleet size, counts of orders by status."""
        now = self.clock.now_s()
        return {"now": self.iso(now), "now_s": round(now, 3), "speedup": self.clock.speedup,
                "start": self.clock.start.isoformat(), "wind": {"speed_ms": self.wind.speed_ms,
                                                                "from_deg": self.wind.from_deg},
                "drones": len(self.drones), "policy": self.options.policy,
                "promise_s": self.config.planning.promise_s, "orders": self.store.count_orders(),
                "site": {"name": self.config.site.name, "lon": self.config.site.lon, "lat": self.config.site.lat}}

    def close(self) -> None:
        """Stop the fleet and close the store."""
        self.fleet.close()
        self.store.close()


#: Flight times the service may move (a late drone, a late start) after the dispatcher planned them.
_SHIFTED = ("loading_s", "takeoff_s", "door_s", "land_s", "ready_s")


def flight_to_json(flight: Flight) -> dict[str, Any]:
    """Every field of the dispatcher's ``flight`` as JSON-ready values (arrays and tuples as lists, zone ids
    sorted, the wind as SPEED@FROM)."""
    out: dict[str, Any] = {}
    for f in fields(flight):
        value = getattr(flight, f.name)
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, (set, frozenset)):
            value = sorted(value)
        elif isinstance(value, Wind):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def flight_from_json(data: dict[str, Any]) -> Flight:
    """The dispatcher's flight back from :func:`flight_to_json` (fields this version lacks are dropped,
    those the data lacks take their defaults)."""
    kwargs: dict[str, Any] = {}
    for f in fields(Flight):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name == "route":
            value = np.asarray(value, float).reshape(-1, 2)
        elif f.name == "zones":
            value = frozenset(value)
        elif f.name == "wind":
            value = parse_wind(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return Flight(**kwargs)

