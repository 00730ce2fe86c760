"""Missions for the planner's flights: each accepted order becomes the mission that flies it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np

from ..airspace.model import Airspace
from ..config import SiteConfig
from ..dispatch.model import Decision, Flight, Plan
from .builder import build_mission
from .fence import FenceOptions
from .items import Mission
from .region import frame_at

__all__ = ["mission_for_flight", "plan_missions"]


def mission_for_flight(
    flight: Flight,
    config: SiteConfig,
    airspace: Airspace | None,
    *,
    start: datetime | None = None,
    name: str = "",
    fence_options: FenceOptions = FenceOptions(),
) -> Mission:
    """The mission of one planned ``flight`` from its pad at the site of ``config``.

    The route (local metres, pad to door) is flown out on the outbound layer and, reversed,
    back on the return layer; home is the pad. ``start`` is the plan's start (``Plan.start``):
    with it the fence holds the zones active from take-off to landing; without it every zone
    counts as active (the conservative choice).
    """
    site = config.site
    frame = frame_at(site.lon, site.lat)
    route = np.asarray(flight.route, float).reshape(-1, 2)
    lon, lat = frame.to_lonlat(route[:, 0], route[:, 1])
    outbound = [(float(a), float(b)) for a, b in zip(lon, lat)]
    at = until = None
    if start is not None:
        at = start + timedelta(seconds=float(flight.takeoff_s))
        until = start + timedelta(seconds=float(flight.land_s))
    layers = flight.layers if all(flight.layers) else None
    return build_mission(
        outbound[0], site.elevation_m, outbound, outbound[::-1], config.aircraft, airspace=airspace,
        fence_options=fence_options, at=at, until=until, authorisations=config.airspace.authorisations, name=name,
        altitudes=layers,
    )


def plan_missions(plan: Plan, airspace: Airspace | None, limit: int | None = None) -> Iterator[tuple[Decision, Mission]]:
    """``(decision, mission)`` for the plan's accepted orders in take-off order (the first ``limit``).

    Each mission is named after its order id.
    """
    accepted = sorted((d for d in plan.decisions if d.flight is not None), key=lambda d: d.flight.takeoff_s)
    for decision in accepted[:limit]:
        yield decision, mission_for_flight(decision.flight, plan.config, airspace, start=plan.start,
                                           name=decision.order_id)
