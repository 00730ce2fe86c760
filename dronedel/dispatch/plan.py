"""Plan a day: every order of an order book gets a decision from the dispatcher."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..airspace.model import Airspace
from ..config import SiteConfig, Wind
from ..errors import InputError, InputWarning
from ..geo import LocalFrame
from ..orders import Order, OrderBook
from ..routing import Router
from . import lookahead
from .activity import ZoneActivity
from .dispatcher import Dispatcher
from .model import Decision, Plan
from .table import FlightTable

__all__ = ["plan_day", "DayContext", "prepare_day"]

#: Seconds of zone activity tracked beyond the last order (longest conceivable flight).
_HORIZON_PAD_S = 6 * 3600.0


@dataclass
class DayContext:
    """What a planning run shares with the simulator: valid orders and their arrays, the
    invalid-row decisions, the zone activity and the flight table."""

    config: SiteConfig
    book: OrderBook
    source: str
    frame: LocalFrame
    orders: list[Order]
    placed_s: NDArray
    invalid: list[Decision]
    activity: ZoneActivity
    table: FlightTable

    def dispatcher(self, drones: int | None = None, policy: str = "online", admission: bool = True,
                   batch_s: float = 60.0, deconflict: bool = True,
                   home_pads: Sequence[int] | None = None) -> Dispatcher:
        """A fresh dispatcher over these orders for ``drones`` drones (default: the site's fleet);
        ``deconflict=False`` ignores the other flights' intents (to measure what deconfliction costs);
        ``home_pads`` binds each drone to a pad (see :class:`Dispatcher`)."""
        cfg = self.config
        return Dispatcher(self.orders, self.placed_s, self.table, self.activity, cfg.fleet,
                          drones or cfg.fleet.drones, cfg.planning.promise_s, policy=policy, admission=admission,
                          batch_s=batch_s, separation=cfg.separation, deconflict=deconflict, home_pads=home_pads)

    def look_ahead(self, dispatcher: Dispatcher, wind: Wind) -> bool:
        """Start ``dispatcher``'s look-ahead process for ``wind`` (:meth:`Dispatcher.look_ahead`) where it can
        help: a second process can be started (:func:`lookahead.available`) and the day has more orders than
        the flight table computes at once. True if started; ``table.close()`` stops it."""
        if not lookahead.available() or len(self.orders) <= self.table.chunk:
            return False
        dispatcher.look_ahead(wind)
        return True


def prepare_day(config: SiteConfig, book: OrderBook, airspace: Airspace | None = None, *, source: str = "",
                chunk: int = 512) -> DayContext:
    """Project the doors, set aside orders beyond the site's frame, and index zone activity.

    Doors beyond the frame's range become ``invalid_input`` decisions, each with an
    :class:`~dronedel.errors.InputWarning` naming its row.
    ``source`` names the orders file in messages; ``chunk`` is the flight table's batch size.
    """
    frame = LocalFrame(config.site.lon, config.site.lat)
    airspace = airspace if airspace is not None else Airspace([])
    lonlat = book.lonlat()
    x, y = frame.to_local(lonlat[:, 0], lonlat[:, 1], check=False)
    far = ~(np.hypot(x, y) <= frame.max_radius_m)
    invalid = [Decision(p.order_id, p.row, float("nan"), float("nan"), None, "invalid_input", str(p))
               for p in book.problems]
    for o, r in zip(np.array(book.orders, object)[far], np.hypot(x, y)[far]):
        detail = (f"{source}: row {o.row}: the door lies {r / 1000:.0f} km from the site, beyond the planning "
                  f"frame's {frame.max_radius_m / 1000:.0f} km")
        warnings.warn(f"{detail} (rejected as invalid_input)", InputWarning, stacklevel=2)
        invalid.append(Decision(o.order_id, o.row, float("nan"), o.weight_kg, (o.lon, o.lat), "invalid_input",
                                detail))
    keep = np.flatnonzero(~far)
    orders = [book.orders[k] for k in keep]
    placed = book.seconds()[keep]
    profile = config.aircraft
    sep = config.separation
    band = (0.0, max(sep.layers_m))
    table = FlightTable(airspace, frame, profile, np.column_stack([x, y])[keep],
                        np.array([o.weight_kg for o in orders], float), band=band,
                        margin_m=config.planning.margin_m, authorisations=config.airspace.authorisations,
                        chunk=chunk, pads=[p.xy for p in sep.pads], layers=sep.layers_m)
    last = float(placed.max()) if len(placed) else 0.0
    horizon = (min(0.0, float(placed.min()) if len(placed) else 0.0), last + config.planning.promise_s + _HORIZON_PAD_S)
    activity = ZoneActivity(list(table.candidates.values()), book.start, horizon)
    router = table.router(activity.always)  # InputError now if the site lies in a zone that is always active
    _check_pads(config, router)
    return DayContext(config, book, source, frame, orders, placed, invalid, activity, table)


def _check_pads(config: SiteConfig, router: Router) -> None:
    """:class:`InputError` for a pad outside the operating area, inside a blocking zone (with the margin)
    or without a clear line to the site point (which flights from it may need)."""
    pads = config.separation.pads
    xy = np.array([p.xy for p in pads], float)
    sees = router.sees_origin(xy)
    blocked = router.blocked(xy)
    for pad, bad, ok in zip(pads, blocked, sees):
        if bad or not ok:
            why = ("lies outside the operating area or inside a blocking zone (with the safety margin)" if bad
                   else "has no clear line to the site point")
            raise InputError(f"pad {pad.name!r} at ({pad.east_m:.1f}, {pad.north_m:.1f}) m {why}",
                             str(config.path or "site"), "[separation] pads")


def plan_day(config: SiteConfig, book: OrderBook, airspace: Airspace | None = None, *, drones: int | None = None,
             policy: str = "online", wind: Wind | None = None, admission: bool = True, batch_s: float = 60.0,
             progress: Callable[[int, int], None] | None = None, context: DayContext | None = None,
             source: str = "", look_ahead: bool = False) -> Plan:
    """Decide every order of ``book`` for the site ``config`` in ``airspace``.

    Orders are decided in arrival order by :class:`Dispatcher` with ``drones`` drones (default
    the site's fleet), ``policy`` (``online``, ``batch`` with decisions every ``batch_s`` seconds,
    or ``fcfs``) and ``wind`` (default the site's planning wind). Invalid rows of the orders
    file, and doors beyond the site's local frame, are rejected as ``invalid_input``: every row
    gets exactly one decision. ``progress(done, total)`` is called now and then. Pass a
    ``context`` from :func:`prepare_day` to reuse routes and flights across runs (fleet sizes,
    policies); ``source`` names the orders file.

    With ``look_ahead``, the flight table is computed in a second process while the orders are
    decided, where that can help (:meth:`DayContext.look_ahead`); the decisions are the same.
    """
    ctx = context or prepare_day(config, book, airspace, source=source)
    wind = config.planning.wind if wind is None else wind
    dispatcher = ctx.dispatcher(drones, policy, admission, batch_s)
    decisions = list(ctx.invalid)
    total, done = len(ctx.orders), 0
    if look_ahead:
        ctx.look_ahead(dispatcher, wind)
    try:
        for now, index in dispatcher.rounds():
            decisions += dispatcher.decide_round(now, index, wind)
            if progress is not None and (done // 500 != (done + len(index)) // 500 or done + len(index) == total):
                progress(done + len(index), total)
            done += len(index)
    finally:
        ctx.table.close()
    decisions.sort(key=lambda d: d.row)
    return Plan(tuple(decisions), config, book.start, ctx.frame, dispatcher.drones, policy, wind, ctx.source,
                batch_s if policy == "batch" else None)
