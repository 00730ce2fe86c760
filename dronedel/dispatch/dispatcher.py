"""The dispatcher: one decision per order, never revised, online or in batches.

For each order it checks the door (payload, operating area, zones, wind, energy, the
promise from an idle drone), then books the drone free earliest: loading starts when the
order is decided and the drone is there, the drone takes off ``loading_s`` later, and is
free again ``turnaround_s`` after landing. The route avoids the zones active at any instant
of the flight window; if they block it, later take-offs up to the promise are tried at the
instants the zones change. Drones are never double-booked: each is booked at the end of its
own timeline.

Flights are strategically deconflicted (ASTM F3548-21): a flight is accepted only if none of
its operational intent's volumes intersects a volume of an accepted flight
(:class:`~dronedel.intent.IntentIndex`). The index gives every pad and pair of cruise layers
(:func:`~dronedel.intent.layer_options`) its earliest conflict-free take-off in one question,
and the earliest wins (see :meth:`Dispatcher._place`); if none has one within the promise, the
order is rejected as ``airspace_conflict`` naming the flights it would meet.

The ``online`` and ``fcfs`` policies decide each order when it is placed. The ``batch``
policy collects the orders placed in each interval of ``batch_s`` seconds and decides them
together at its end: shortest cycles first, an order joins the batch's selection if the
selection still keeps every promise when flown in order of urgency by the drones free
first; the selection is then booked in that order.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..config import Fleet, Separation, Wind
from ..intent import KINDS, IntentIndex, Volumes, bearing_deg, cruise_speed_bound, layer_options, option_volumes
from ..intent.f3548 import buffer_radius_m
from ..intent.kernels import warm_up
from ..orders import Order
from .activity import ZoneActivity
from .admission import AdmissionLimit
from .model import POLICIES, Decision, Flight
from .table import FlightTable, Leg

__all__ = ["Dispatcher"]


#: Added to the delay that clears a conflict, so the volumes do not merely touch (s).
_CLEAR_S = 1e-3
#: Kept between capsules beyond their exported outlines' margin, so the outlines do not merely touch (m).
_CLEAR_M = 0.02
#: Layer pairs tried per pad: the direction rule's and those changing one of its two layers to the nearest.
_LAYER_PAIRS = 5
#: The intent index's time bins (s) and plan-view squares (m). A question spans every take-off of a range (a
#: few minutes) and a pad's busy surroundings, so coarse cells answer it from fewer: on the benchmark day 120 s and
#: 600 m scan less than a third of the cells and candidates that 30 s and 300 m do, in a smaller slot table.
_BIN_S, _SQUARE_M = 120.0, 600.0
#: Pads searched together, in order of their climb bounds, before the slot found so far prunes the rest. The
#: question searches each pad only up to the best take-off of those before it (:meth:`IntentIndex.first`), so a
#: third pad costs little: on the benchmark day three took 5-7 % less time than two (which had asked half as many
#: questions as one), and four or six no less than three.
_PADS_AT_ONCE = 3


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


@dataclass(frozen=True)
class _Candidate:
    """An order a drone could serve: the time its flight around the always-active zones holds a drone
    (``cycle_s``: loading, flight, turnaround) and the latest loading start that keeps the promise
    (``latest_s``, seconds after the plan start)."""

    i: int
    cycle_s: float
    latest_s: float


@dataclass(frozen=True)
class _Slot:
    """Where and when a flight fits: take-off (s), the zones and leg for it, its volumes."""

    takeoff_s: float
    zones: frozenset[str]
    leg: Leg
    volumes: Volumes


class Dispatcher:
    """Decides orders against a fleet of ``drones`` identical drones at the site.

    ``orders`` and ``placed_s`` (seconds after the plan start) are indexed like ``table``'s
    doors. ``policy`` is one of :data:`~dronedel.dispatch.POLICIES`; ``admission`` turns the
    admission control (:class:`AdmissionLimit`) of the ``online`` and ``batch`` policies on or
    off; ``batch_s`` is the ``batch`` policy's decision interval (s). ``separation`` gives the
    pads (as ``table``'s pads, in order), layers and volume sizes; ``deconflict=False`` books
    flights as if each were alone in the sky (for measuring what deconfliction costs). ``home_pads``
    binds each drone to one pad (its index in ``table``'s pads), for vehicles that cannot move
    between pads (SITL vehicles homed at their pad); by default every flight may use any pad.
    """

    def __init__(self, orders: Sequence[Order], placed_s: np.ndarray, table: FlightTable, activity: ZoneActivity,
                 fleet: Fleet, drones: int, promise_s: float, *, policy: str = "online",
                 admission: bool = True, batch_s: float = 60.0, separation: Separation | None = None,
                 deconflict: bool = True, home_pads: Sequence[int] | None = None) -> None:
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
        if not batch_s > 0:
            raise ValueError(f"batch_s must be positive, not {batch_s!r}")
        self.orders = orders
        self.placed_s = np.asarray(placed_s, float)
        self.table = table
        self.activity = activity
        self.fleet = fleet
        self.drones = drones
        self.promise_s = promise_s
        self.policy = policy
        self.batch_s = batch_s
        self.admission = AdmissionLimit(drones) if admission and policy != "fcfs" else None
        self.free_at = np.zeros(drones)
        self._heap = [(0.0, d) for d in range(drones)]
        self.separation = separation or Separation()
        self.layers = self.separation.layers_m or (table.profile.cruise_alt_m,)
        self._cruise_pair = (table.profile.cruise_alt_m,) * 2  # the layers of the flight _screen judges
        self.deconflict = deconflict
        if home_pads is not None and (len(home_pads) != drones
                                      or not all(0 <= int(p) < len(table.pads) for p in home_pads)):
            raise ValueError(f"home_pads must name one of the {len(table.pads)} pads for each of the {drones} drones, "
                             f"not {list(home_pads)!r}")
        self.home_pads = None if home_pads is None else [int(p) for p in home_pads]
        hh, r = self.separation.half_height_m, self.separation.half_width_m
        self.intents = IntentIndex(bin_s=max(self.separation.slice_s, _BIN_S), square_m=_SQUARE_M, slab_m=2 * hh,
                                   slab_offset_m=hh, slabs=int((max(self.layers) + 2 * hh) // (2 * hh)) + 1,
                                   margin_m=2 * float(buffer_radius_m(r) - r) + _CLEAR_M)
        self._pad_used = np.zeros(len(table.pads))
        self._climbs: dict[Wind, Volumes] = {}  # climb volumes to each layer, from (0, 0) at take-off 0 s

    def look_ahead(self, wind: Wind | None = None) -> None:
        """Have the flight table compute, in a second process, the flights this dispatcher will ask for in
        ``wind`` (None: still air), in the order it will ask (:meth:`FlightTable.look_ahead`): each order's
        flight at ``cruise_alt_m`` (the screen), then its flights from every pad around the zones active
        when its drone could first take off. Decisions are the same with or without it; call
        ``table.close()`` when done."""
        wind = wind or Wind()
        pads, pair = range(len(self.table.pads)), layer_options(0.0, self.layers)[0]  # a pair flights are placed at
        asks, chunk, seen = [], self.table.chunk, set()
        for i, placed in enumerate((self.placed_s + self.fleet.loading_s).tolist()):
            zones = self.activity.during(placed)
            if (i // chunk, zones) not in seen:  # one ask brings the flights of a block of doors
                seen.add((i // chunk, zones))
                asks.append((self.activity.always, wind, 0, self._cruise_pair, i))
                asks += [(zones, wind, p, pair, i) for p in pads]
        self.table.look_ahead(asks)
        warm_up()  # the compiled kernels loaded while the process computes the first blocks

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

    # ------------------------------------------------------------------ rounds
    def rounds(self) -> list[tuple[float, NDArray]]:
        """When orders are decided: (decision time in s, indices of the orders decided then), in time order.

        ``online`` and ``fcfs`` decide each order when placed; ``batch`` decides the orders placed in
        ``[k batch_s, (k + 1) batch_s)`` together at ``(k + 1) batch_s`` (seconds after the plan start).
        """
        index = np.arange(len(self.placed_s))
        if self.policy != "batch":
            return [(float(t), index[k:k + 1]) for k, t in enumerate(self.placed_s)]
        ends = (np.floor(self.placed_s / self.batch_s) + 1) * self.batch_s
        cuts = np.flatnonzero(np.diff(ends)) + 1
        return [(float(ends[g[0]]), g) for g in np.split(index, cuts) if len(g)]

    def decide_round(self, now: float, indices: NDArray, wind: Wind | None = None) -> list[Decision]:
        """Decide the orders ``indices`` of one of :meth:`rounds` at ``now`` (s) with the planning ``wind``
        (None: still air); decisions in the order of ``indices``."""
        if self.policy == "batch":
            return self.decide_batch(indices, now, wind)
        return [self.decide(int(i), wind) for i in indices]

    # ------------------------------------------------------------------ decisions
    def _zones_for(self, takeoff_s: float, i: int, wind: Wind, pad: int,
                   pairs: Sequence[tuple[float, float]]) -> tuple[frozenset[str], NDArray, NDArray, NDArray]:
        """The zones active during the flight window from ``takeoff_s``, and door ``i``'s flights around them
        from pad ``pad`` at each pair of layers of ``pairs`` (:meth:`FlightTable.phases`: phase durations,
        door times, reasons; the window is the longest of theirs).

        The window depends on the route and the route on the zones: start from the zones
        active at take-off and add those active until the landing until none is added (the
        set only grows, so this ends).
        """
        zones = self.activity.during(takeoff_s)
        while True:
            times, door_s, reason = self.table.phases(zones, wind, i, pad, pairs)
            duration = times.sum(axis=1)
            duration = duration[np.isfinite(duration)]
            end = takeoff_s + (float(duration.max()) if duration.size else 0.0)
            wider = zones | self.activity.during(takeoff_s, end)
            if wider == zones:
                return zones, times, door_s, reason
            zones = wider

    def _reject(self, i: int, now: float, reason: str, detail: str) -> Decision:
        o = self.orders[i]
        return Decision(o.order_id, o.row, float(self.placed_s[i]), o.weight_kg, (o.lon, o.lat), reason, detail,
                        decided_s=now)

    def _screen(self, i: int, now: float, wind: Wind) -> Decision | _Candidate:
        """Order ``i`` decided at ``now``: rejected for its door (a reason no drone changes), or a candidate.

        The door is judged by its flight from the first pad at ``cruise_alt_m`` around the always-active
        zones. Candidates are recorded for admission control.
        """
        always = self.activity.always
        times, door_s, reason = self.table.phases(always, wind, i, 0, [self._cruise_pair])
        if reason[0] is not None:
            return self._reject(i, now, reason[0], self._why(i, reason[0], always))
        placed = float(self.placed_s[i])
        best_s = self.fleet.loading_s + float(door_s[0])
        if now + best_s > placed + self.promise_s:
            late = f" from the decision at +{_minutes(now - placed)}" if now > placed else ""
            return self._reject(i, now, "outside_zone", f"loading and flight to the door take {_minutes(best_s)}"
                                                        f"{late}, more than the {_minutes(self.promise_s)} promise")
        cycle = self.fleet.loading_s + float(times[0].sum()) + self.fleet.turnaround_s
        if self.admission is not None:
            self.admission.observe(placed, cycle)
        return _Candidate(i, cycle, placed + self.promise_s - best_s)

    def _no_drone(self, c: _Candidate, now: float, free: float) -> Decision:
        placed = float(self.placed_s[c.i])
        late = max(now, free) - c.latest_s
        return self._reject(c.i, now, "no_drone_in_time", f"the first drone is free at +{_minutes(free - placed)}; "
                                                          f"it would deliver {_minutes(late)} late")

    def _saturated(self, c: _Candidate, now: float, why: str) -> Decision:
        return self._reject(c.i, now, "fleet_saturated", f"the flight holds a drone {_minutes(c.cycle_s)}, {why}")

    def decide(self, i: int, wind: Wind | None = None) -> Decision:
        """Decide order ``i`` when it is placed (``online``, ``fcfs``; orders must be decided in arrival
        order) with the planning ``wind`` (None: still air)."""
        wind = wind or Wind()
        now = float(self.placed_s[i])
        c = self._screen(i, now, wind)
        if isinstance(c, Decision):
            return c
        limit = self.admission.limit(now) if self.admission is not None else np.inf
        free, _ = self._earliest()
        if self.policy == "fcfs" and free > now:
            return self._reject(i, now, "no_drone_in_time", "no drone is idle when the order arrives")
        if max(now, free) > c.latest_s:
            return self._no_drone(c, now, free)
        if c.cycle_s > limit and free > now:
            return self._saturated(c, now, f"above the current admission limit of {_minutes(limit)}")
        return self._fly(c, now, wind)

    def decide_batch(self, indices: NDArray, now: float, wind: Wind | None = None) -> list[Decision]:
        """Decide the orders ``indices`` (placed by ``now``) together at ``now`` (s); decisions in their order.

        Shortest cycles first, an order joins the selection if the selection, flown in order of
        latest loading start by the drones free first, still keeps every promise (around the
        always-active zones); while no drone is idle for it, an order above the admission limit
        does not. The selection is then booked in that order as :meth:`decide` books an order.
        """
        wind = wind or Wind()
        out: dict[int, Decision] = {}
        candidates = []
        for i in map(int, indices):
            c = self._screen(i, now, wind)
            if isinstance(c, Decision):
                out[i] = c
            else:
                candidates.append(c)
        limit = self.admission.limit(now) if self.admission is not None else np.inf
        free = sorted(heapq.nsmallest(len(candidates), self.free_at))
        idle = sum(f <= now for f in free)
        chosen: list[_Candidate] = []
        for c in sorted(candidates, key=lambda c: (c.cycle_s, c.latest_s)):
            if max(now, free[0]) > c.latest_s:
                out[c.i] = self._no_drone(c, now, free[0])
            elif c.cycle_s > limit and len(chosen) >= idle:
                out[c.i] = self._saturated(c, now, f"above the current admission limit of {_minutes(limit)}")
            else:
                trial = chosen.copy()
                bisect.insort(trial, c, key=lambda x: x.latest_s)
                if _fits(trial, free, now):
                    chosen = trial
                else:
                    out[c.i] = self._saturated(c, now, "longer than the flights of its batch that the drones "
                                                       "free in time serve instead")
        for c in chosen:
            out[c.i] = self._fly(c, now, wind)
        return [out[int(i)] for i in indices]

    def _fly(self, c: _Candidate, now: float, wind: Wind) -> Decision:
        """Book candidate ``c`` (decided at ``now``) on the drone free first, at the first take-off whose
        flight window's zones and accepted intents let it keep the promise."""
        free, drone = self._earliest()
        start = max(now, free)
        if start > c.latest_s:
            return self._no_drone(c, now, free)
        takeoff = start + self.fleet.loading_s
        latest = c.latest_s + self.fleet.loading_s
        deadline = float(self.placed_s[c.i]) + self.promise_s
        pads = None if self.home_pads is None else [self.home_pads[drone]]
        slot, blocked, conflicts = self._place(c.i, takeoff, latest, deadline, wind, pads)
        if slot is not None:
            return self._accept(c.i, now, drone, slot, wind)
        conflicts = np.unique(np.asarray(conflicts, np.int64))
        if len(conflicts):
            names = ", ".join(repr(self.orders[k].order_id) for k in conflicts[:5].tolist())
            more = f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else ""
            return self._reject(c.i, now, "airspace_conflict",
                                f"every pad, layer and take-off before the promise meets the operational intent of "
                                f"the flight for order {names}{more}")
        names = ", ".join(sorted(blocked)) or "scheduled zones"
        return self._reject(c.i, now, "airspace_closed_at_that_time",
                            f"{names} active during the flight window; no take-off before the promise avoids them")

    def _pads(self) -> list[int]:
        """Pads, least recently used first."""
        return [int(p) for p in np.argsort(self._pad_used, kind="stable")]

    def _place(self, i: int, takeoff: float, latest: float, deadline: float, wind: Wind,
               pads: list[int] | None = None) -> tuple[_Slot | None, frozenset[str], Sequence[int]]:
        """The earliest take-off in ``[takeoff, latest]`` (s) whose flight keeps the ``deadline`` around the
        zones then active and meets no accepted volume, over ``pads`` (default every pad) and pairs of
        layers. Returns the slot (or None), the scheduled zones that blocked, and the orders (indices, with
        repeats) whose intents were in the way.

        Each pad's earliest take-off is bounded below by its climb alone (:meth:`_climb_bounds`). Pads are
        searched in order of their bounds (ties least recently used first), :data:`_PADS_AT_ONCE` at a time
        (:meth:`_place_at_pads`), for a slot earlier than the best found so far; a pad whose bound is not
        earlier than that slot cannot beat it and is not searched. Ties go to the pad searched first, then
        to the preferred pair of layers. ``fcfs`` takes the first take-off only.
        """
        if self.policy == "fcfs":
            latest = takeoff
        pads = self._pads() if pads is None else pads
        bounds, held = self._climb_bounds(i, pads, takeoff, latest, wind)
        order = [k for k in np.argsort(bounds, kind="stable") if np.isfinite(bounds[k])]
        if not order:  # no pad's climb is ever clear: the flights holding the pads are in the way
            return None, frozenset(), held
        best, blocked, conflicts = None, frozenset(), np.empty(0, np.int64)
        while order:
            group, order = order[:_PADS_AT_ONCE], order[_PADS_AT_ONCE:]
            until = latest if best is None else min(latest, best.takeoff_s)  # only an earlier slot matters now
            slot, zones, met = self._place_at_pads(i, [pads[k] for k in group], bounds[group], until, deadline, wind)
            blocked, conflicts = blocked | zones, conflicts if len(conflicts) else met
            if slot is not None and (best is None or slot.takeoff_s < best.takeoff_s):
                best = slot
            if best is not None:
                order = [k for k in order if bounds[k] < best.takeoff_s]
        return best, blocked, conflicts

    def _climb_bounds(self, i: int, pads: list[int], takeoff: float, latest: float,
                      wind: Wind) -> tuple[NDArray, Sequence[int]]:
        """For each of ``pads``: the earliest take-off in ``[takeoff, latest]`` at which a climb volume alone (to
        the layer whose climb is clear first) meets no accepted volume, ``inf`` if none; and the orders whose
        intents those climbs meet (with repeats). A flight from that pad takes off no earlier: its climb is one of its
        volumes, and a climb's volume depends on its layer only (they are made once per wind)."""
        if not self.deconflict or len(pads) == 1:
            return np.full(len(pads), takeoff), ()
        climb = self._climbs.get(wind)
        if climb is None:
            other = {layer: next((x for x in self.layers if x != layer), layer) for layer in self.layers}
            pairs = [(layer, other[layer]) for layer in self.layers]
            times = self.table.phases(self.activity.always, wind, i, pads[0], pairs)[0]
            climb = self._templates(np.zeros((2, 2)), times, pairs, wind, kinds=(KINDS.index("climb"),))[0]
            if np.isfinite(climb.t_hi).all():  # a door no route reaches has no climb times to keep
                self._climbs[wind] = climb
        xy = np.repeat(np.array([self.table.pads[p] for p in pads]), len(climb), axis=0)
        rows = np.tile(climb.rows, (len(pads), 1))
        rows[:, 0:4] += np.tile(xy, 2)  # each climb over its pad: both ends of its segment moved there
        starts, met = self.intents.earliest_alike(Volumes.from_rows(rows), np.arange(0, len(rows) + 1, len(climb)),
                                                  takeoff, latest, _CLEAR_S)
        return starts.reshape(len(pads), len(climb)).min(axis=1), met

    def _place_at_pads(self, i: int, pads: list[int], starts: NDArray, latest: float, deadline: float,
                       wind: Wind) -> tuple[_Slot | None, frozenset[str], Sequence[int]]:
        """The earliest take-off from any of ``pads``, each from its own ``starts[k]``, over the pairs of layers,
        as :meth:`_place` returns it (ties in the order of ``pads``, then of the pairs).

        A pad's zones are those of the flight window from its take-off tried; if they block every pair, the
        pad tries the next change of the zones. The intent index then gives the pair of the pads whose take-off
        clear of every accepted volume is earliest in one question (:meth:`~dronedel.intent.IntentIndex.first`);
        if the zones of the window from that take-off differ, that pad goes on from there with those.
        """
        t = dict(zip(pads, map(float, starts)))
        pairs = {p: layer_options(bearing_deg(self.table.pads[p], self.table.door(i)), self.layers)[:_LAYER_PAIRS]
                 for p in pads}
        blocked: frozenset[str] = frozenset()
        met = np.empty(0, np.int64)
        while t:
            options, parts, offers = [], [], []
            for p in list(t):
                zones, times, door_s, reason = self._zones_for(t[p], i, wind, p, pairs[p])
                ok = np.flatnonzero(np.equal(reason, None) & (t[p] + door_s <= deadline))
                if not ok.size:
                    blocked |= zones - self.activity.always
                    later = self.activity.changes(t[p], latest) if not np.equal(reason, None).all() else ()
                    if len(later):
                        t[p] = float(later[0])
                    else:
                        del t[p]
                    continue
                layers = [pairs[p][k] for k in ok]
                volumes, option = self._templates(self.table.route(zones, i, p).points, times[ok],
                                                  layers, wind)
                parts.append((volumes, option + len(options)))
                offers += [(p, zones, pair) for pair in layers]
                options += [(t[p], min(latest, deadline - d)) for d in door_s[ok]]
            t = {p: when for p, when in t.items() if when <= latest}
            if not options:
                if not t:
                    break
                continue
            lo, last = np.array(options).T
            volumes = Volumes.concat([v for v, _ in parts])
            option = np.concatenate([o for _, o in parts])
            if self.deconflict:
                k, when, hit = self.intents.first(volumes, option, len(options), lo, last, _CLEAR_S)
                met = met if len(met) else hit
            else:
                found = np.where(lo <= last, lo, np.inf)
                k = int(np.argmin(found))
                k, when = (k, float(found[k])) if np.isfinite(found[k]) else (-1, np.inf)
            if k < 0:
                break
            pad, zones, pair = offers[k]
            if when == t[pad] or self._zones_for(when, i, wind, pad, pairs[pad])[0] == zones:
                leg = self.table.leg(zones, wind, i, pad, pair)
                return _Slot(when, zones, leg, volumes.take(np.flatnonzero(option == k)).shifted(when)), blocked, met
            t[pad] = when
        return None, blocked, met

    def _templates(self, route: NDArray, times: NDArray, layers: Sequence[tuple[float, float]], wind: Wind,
                   kinds: tuple[int, ...] | None = None) -> tuple[Volumes, NDArray]:
        """The volumes of flights along ``route`` ((n, 2) local metres) with phase durations ``times`` ((K, 7)
        s, :data:`~dronedel.aircraft.PHASES`) at the pairs of ``layers``, flown from take-off at 0 s, and the
        number of the flight of each volume; of the ``kinds`` (codes into :data:`~dronedel.intent.KINDS`)
        only where given."""
        bounds = np.zeros((len(times), times.shape[1] + 1))
        np.cumsum(times, axis=1, out=bounds[:, 1:])
        volumes, option = option_volumes(route, bounds, layers, cruise_speed_bound(self.table.profile, wind),
                                         self.separation)
        if kinds is None:
            return volumes, option
        keep = np.flatnonzero(np.isin(volumes.kind, kinds))
        return volumes.take(keep), option[keep]

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

    def _accept(self, i: int, now: float, drone: int, slot: _Slot, wind: Wind) -> Decision:
        leg, takeoff = slot.leg, slot.takeoff_s
        land = takeoff + leg.duration_s
        ready = land + self.fleet.turnaround_s
        self._book(drone, ready)
        self.intents.add(i, slot.volumes)
        self._pad_used[leg.pad] = land
        flight = Flight(drone, takeoff - self.fleet.loading_s, takeoff, takeoff + leg.door_s, land, ready,
                        leg.energy_wh, leg.reserve_wh, leg.route.length_m, leg.route.points, slot.zones, wind,
                        leg.pad, leg.layers, leg.phases_s)
        o = self.orders[i]
        return Decision(o.order_id, o.row, float(self.placed_s[i]), o.weight_kg, (o.lon, o.lat), None,
                        f"drone {drone} delivers {_minutes(flight.door_s - self.placed_s[i])} after the order",
                        flight, decided_s=now)


def _fits(selection: list[_Candidate], free: list[float], now: float) -> bool:
    """True if ``selection`` (sorted by latest loading start), each flown by the drone free first
    (``free``: sorted free times, s), starts loading by its latest start; loading begins at ``now`` at
    the earliest."""
    drones = list(free)  # a sorted list is a heap
    for c in selection:
        start = max(now, heapq.heappop(drones))
        if start > c.latest_s:
            return False
        heapq.heappush(drones, start + c.cycle_s)
    return True


_REASON_TEXT = {
    "outside_area": "the door is outside the operating area (or within the safety margin of its edge)",
    "no_route": "no route reaches the door: blocking zones enclose it",
    "wind": "the aircraft cannot fly this route in the planning wind",
    "energy": "the round trip needs more than the battery less its reserve",
}
