"""Replay a day of orders as discrete events: orders arrive, the planner decides, drones fly.

An event queue (:mod:`heapq`) orders three kinds of events: the planner decides (an order as
it arrives, or with the ``batch`` policy the orders of an interval at its end, with the wind
then blowing), a drone starts loading its next booked flight (as planned, or later if it came
back late), and a drone lands. The flight actually flown uses the same aircraft model as the
plan but the wind at take-off (the wind may change through the day, :class:`WindSchedule`)
and a random delivery-action duration (lognormal, seeded), so door times drift from the
promises: the replay measures the share delivered on time. When a drone lands, the
dispatcher learns when it will really be free. A flight the aircraft cannot fly in the wind
at take-off is cancelled. While the site is grounded by the weather (``SimOptions.no_fly``),
orders decided then are rejected and flights due to take off then are cancelled, both with
the reason ``weather``.
"""

from __future__ import annotations

import heapq
import re
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np

from .config import Wind, parse_wind
from .dispatch import DayContext, Decision
from .errors import InputError

__all__ = ["WindSchedule", "SimOptions", "FlownFlight", "DayResult", "simulate_day", "sweep_fleet"]

_LAND, _START, _DECIDE = 0, 1, 2


@dataclass(frozen=True)
class WindSchedule:
    """Piecewise-constant wind: ``winds[k]`` blows from ``times_s[k]`` (seconds after the plan start).

    Before the first time the first wind blows.
    """

    times_s: tuple[float, ...]
    winds: tuple[Wind, ...]

    def __post_init__(self) -> None:
        if not self.winds or len(self.times_s) != len(self.winds):
            raise ValueError("a wind schedule needs as many times as winds, at least one")
        if list(self.times_s) != sorted(self.times_s):
            raise ValueError("wind schedule times must increase")

    def at(self, t: float) -> Wind:
        """The wind blowing ``t`` seconds after the plan start."""
        k = int(np.searchsorted(self.times_s, t, side="right")) - 1
        return self.winds[max(k, 0)]

    @classmethod
    def steady(cls, wind: Wind) -> WindSchedule:
        """The same ``wind`` all day."""
        return cls((0.0,), (wind,))

    @classmethod
    def parse(cls, text: str, start: datetime) -> WindSchedule:
        """Read ``HH:MM=SPEED@FROM,...`` (local clock times of the plan day), e.g. ``08:00=3@180,14:00=8@200``."""
        times, winds = [], []
        for part in filter(None, (p.strip() for p in str(text).split(","))):
            match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*=\s*(\S+)", part)
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                raise InputError(f"{part!r} is not HH:MM=SPEED@FROM (e.g. 14:00=8@200)", "--wind-day")
            when = start.replace(hour=int(match[1]), minute=int(match[2]), second=0, microsecond=0)
            times.append((when - start).total_seconds())
            winds.append(parse_wind(match[3]))
        try:
            return cls(tuple(times), tuple(winds))
        except ValueError as exc:
            raise InputError(str(exc), "--wind-day") from None

    @classmethod
    def diurnal(cls, mean: Wind, swing: float = 0.5, peak_hour: float = 15.0, step_s: float = 3600.0,
                days: int = 1) -> WindSchedule:
        """Hourly steps of a daily cycle: speed ``mean * (1 + swing * cos(2 pi (h - peak_hour) / 24))``.

        The direction stays ``mean.from_deg``; times count from the plan start (local midnight).
        """
        t = np.arange(0.0, days * 86400.0, step_s)
        speed = mean.speed_ms * (1 + swing * np.cos(2 * np.pi * ((t + step_s / 2) / 3600 - peak_hour) / 24))
        return cls(tuple(t.tolist()), tuple(Wind(float(max(s, 0.0)), mean.from_deg) for s in speed))


@dataclass(frozen=True)
class SimOptions:
    """A replay: ``drones`` (default the site's), ``policy``, the ``wind`` through the day (default the
    site's planning wind, steady), lognormal spread ``delivery_sigma`` of the delivery action's
    duration, the random ``seed``, the ``batch`` policy's decision interval ``batch_s`` (s), and the
    ``no_fly`` intervals ``(start_s, end_s)`` (s after the plan start) when the weather grounds the site."""

    drones: int | None = None
    policy: str = "online"
    wind: WindSchedule | None = None
    delivery_sigma: float = 0.25
    seed: int = 0
    batch_s: float = 60.0
    no_fly: tuple[tuple[float, float], ...] = ()

    def grounded(self, t: float) -> bool:
        """True if ``t`` (s after the plan start) lies in one of the ``no_fly`` intervals ``[start, end)``."""
        return any(start <= t < end for start, end in self.no_fly)


@dataclass(frozen=True)
class FlownFlight:
    """A flight as flown (seconds after the plan start); ``planned_door_s`` is the door time
    planned, ``deadline_s`` the promise (placed + promise); ``off_intent`` is True when it took
    off later than planned by more than its intent's time buffer (its drone came back late), so
    that it flew outside its operational intent."""

    order: int
    drone: int
    placed_s: float
    loading_s: float
    takeoff_s: float
    door_s: float
    land_s: float
    ready_s: float
    planned_door_s: float
    deadline_s: float
    energy_wh: float
    wind: Wind
    off_intent: bool = False

    @property
    def on_time(self) -> bool:
        """True if the door was reached by the promised deadline (seconds since the plan start)."""
        return self.door_s <= self.deadline_s + 1e-9


@dataclass
class DayResult:
    """A replayed day: every decision (indexed like the day's orders, in arrival order), the
    flights flown (``order`` is that index), the flights cancelled at take-off (order index,
    reason), the number of invalid rows, and the wall time it took."""

    drones: int
    policy: str
    promise_s: float
    decisions: list[Decision]
    flights: list[FlownFlight]
    cancelled: list[tuple[int, str]]
    usable_wh: float
    battery_wh: float
    invalid: int = 0
    wall_s: float = 0.0

    def metrics(self) -> dict[str, Any]:
        """The day's figures (JSON-ready): service, door times, drone use, energy, rejections."""
        f = self.flights
        door_min = np.array([(x.door_s - x.placed_s) / 60 for x in f], float)
        late_min = np.array([(x.door_s - x.deadline_s) / 60 for x in f if not x.on_time], float)
        energy = np.array([x.energy_wh for x in f], float)
        per_drone = np.bincount([x.drone for x in f], minlength=self.drones)
        busy = sum(x.ready_s - x.loading_s for x in f)
        placed = [d.placed_s for d in self.decisions]
        span = (max(x.ready_s for x in f) - min(placed)) if f else 0.0
        reasons: dict[str, int] = {}
        for d in self.decisions:
            if d.reason is not None:
                reasons[d.reason] = reasons.get(d.reason, 0) + 1
        if self.invalid:
            reasons["invalid_input"] = self.invalid
        valid = len(self.decisions)
        on_time = sum(x.on_time for x in f)
        return {
            "drones": self.drones,
            "policy": self.policy,
            "orders": valid + self.invalid,
            "valid_orders": valid,
            "promised": valid - sum(v for k, v in reasons.items() if k != "invalid_input"),
            "delivered": len(f),
            "delivered_share": _r(len(f) / valid, 4) if valid else None,
            "on_time": int(on_time),
            "on_time_share": _r(on_time / len(f), 4) if f else None,
            "cancelled_at_takeoff": len(self.cancelled),
            "took_off_outside_intent": int(sum(x.off_intent for x in f)),
            "minutes_to_door": _stats(door_min),
            "minutes_late": _stats(late_min),
            "drone_utilisation": _r(busy / (self.drones * span), 4) if span > 0 else None,
            "flights_per_drone": {"mean": _r(per_drone.mean(), 2), "min": int(per_drone.min()),
                                  "max": int(per_drone.max())},
            "energy_wh_per_delivery": _stats(energy),
            "reserve_breaches": int(np.sum(energy > self.usable_wh)),
            "battery_exhausted": int(np.sum(energy > self.battery_wh)),
            "rejected_by_reason": dict(sorted(reasons.items())),
            "wall_s": _r(self.wall_s, 3),
        }


def _r(x: float, digits: int) -> float:
    return round(float(x), digits)


def _stats(a: np.ndarray) -> dict[str, float | None]:
    if not a.size:
        return {"mean": None, "p50": None, "p90": None, "max": None}
    return {"mean": _r(a.mean(), 2), "p50": _r(np.percentile(a, 50), 2), "p90": _r(np.percentile(a, 90), 2),
            "max": _r(a.max(), 2)}


def simulate_day(ctx: DayContext, options: SimOptions = SimOptions(),
                 progress: Callable[[int, int], None] | None = None) -> DayResult:
    """Replay the day of ``ctx`` (from :func:`dronedel.dispatch.prepare_day`) under ``options``."""
    began = time.perf_counter()
    cfg = ctx.config
    fleet, profile = cfg.fleet, cfg.aircraft
    winds = options.wind or WindSchedule.steady(cfg.planning.wind)
    dispatcher = ctx.dispatcher(options.drones, options.policy, batch_s=options.batch_s)
    drones = dispatcher.drones
    rng = np.random.default_rng(options.seed)
    promise = cfg.planning.promise_s

    queue: list[deque[tuple[int, Decision]]] = [deque() for _ in range(drones)]
    busy = np.zeros(drones, bool)
    ready = np.full(drones, -np.inf)
    events: list[tuple[float, int, int, int]] = []
    seq = 0

    def push(t: float, kind: int, what: int) -> None:
        nonlocal seq
        heapq.heappush(events, (t, kind, seq, what))
        seq += 1

    def start_next(d: int) -> None:
        if queue[d] and not busy[d]:
            busy[d] = True
            push(max(queue[d][0][1].flight.loading_s, ready[d]), _START, d)

    def free(d: int, when: float) -> None:
        """Drone ``d`` is ready at ``when``: shift its bookings, tell the dispatcher, start the next."""
        ready[d] = when
        busy[d] = False
        end = when
        for _, booked in queue[d]:
            f = booked.flight
            end = max(f.loading_s, end) + (f.ready_s - f.loading_s)
        dispatcher.update_ready(d, end)
        start_next(d)

    rounds = dispatcher.rounds()
    for k, (t, _) in enumerate(rounds):
        push(t, _DECIDE, k)
    decisions: list[Decision] = []
    flights: list[FlownFlight] = []
    cancelled: list[tuple[int, str]] = []
    total = len(ctx.orders)
    while events:
        now, kind, _, what = heapq.heappop(events)
        if kind == _DECIDE:
            index = rounds[what][1]
            before = len(decisions)
            if options.grounded(now):
                decided = [_grounded_decision(ctx, int(i), now) for i in index]
            else:
                decided = dispatcher.decide_round(now, index, winds.at(now))
            for i, decision in zip(index, decided):
                decisions.append(decision)
                if decision.flight is not None:
                    queue[decision.flight.drone].append((int(i), decision))
                    start_next(decision.flight.drone)
            if progress is not None and (before // 500 != len(decisions) // 500 or len(decisions) == total):
                progress(len(decisions), total)
        elif kind == _START:
            d = what
            i, booked = queue[d].popleft()
            takeoff = now + fleet.loading_s
            wind = winds.at(takeoff)
            planned = booked.flight
            leg = ctx.table.leg(planned.zones, wind, i, planned.pad, planned.layers)
            reason = "weather" if options.grounded(takeoff) else leg.reason
            if reason is not None:
                cancelled.append((i, reason))
                free(d, now)
                continue
            factor = rng.lognormal(0.0, options.delivery_sigma) if options.delivery_sigma > 0 else 1.0
            extra = leg.delivery_s * (factor - 1.0)
            door = takeoff + leg.door_s + leg.release_s * (factor - 1.0)
            land = takeoff + leg.duration_s + extra
            flights.append(FlownFlight(i, d, booked.placed_s, now, takeoff, door, land, land + fleet.turnaround_s,
                                       booked.flight.door_s, booked.placed_s + promise,
                                       leg.energy_wh + leg.delivery_wh * (factor - 1.0), wind,
                                       takeoff - planned.takeoff_s > cfg.separation.time_buffer_s))
            push(land, _LAND, d)
        else:
            free(what, now + fleet.turnaround_s)
    usable = profile.battery_wh * (1 - profile.reserve_fraction)
    return DayResult(drones, options.policy, promise, decisions, flights, cancelled, usable, profile.battery_wh,
                     len(ctx.invalid), time.perf_counter() - began)


def _grounded_decision(ctx: DayContext, i: int, now: float) -> Decision:
    """Order ``i`` rejected at ``now`` (s) because the weather grounds the site."""
    o = ctx.orders[i]
    return Decision(o.order_id, o.row, float(ctx.placed_s[i]), o.weight_kg, (o.lon, o.lat), "weather",
                    f"the site is grounded by the weather at {now / 3600:.2f} h after the plan start",
                    decided_s=now)


def sweep_fleet(ctx: DayContext, sizes: Sequence[int], options: SimOptions = SimOptions(),
                progress: Callable[[int, int], None] | None = None) -> list[DayResult]:
    """Replay the day once per fleet size in ``sizes`` (same seed, same wind); routes are shared."""
    out = []
    for k, n in enumerate(sizes):
        out.append(simulate_day(ctx, replace(options, drones=n)))
        if progress is not None:
            progress(k + 1, len(sizes))
    return out
