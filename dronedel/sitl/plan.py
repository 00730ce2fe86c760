"""What the aircraft model predicts for a mission: the route it encodes and its planned flight.

A delivery mission (as :func:`dronedel.mission.builder.build_mission` makes it, or read from a
ground-station file) flies from home through waypoints to the delivery point and back
through waypoints to a landing at home. The horizontal route out and back, in the site's
local frame, goes to :mod:`dronedel.aircraft`, which gives the planned time (take-off to
disarming) and energy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from .. import aircraft
from ..config import AircraftProfile, Wind
from ..errors import InputError
from ..geo import LocalFrame
from ..mission import Mission
from ..mission.delivery import DeliveryPoint, delivery_method, delivery_point
from ..mission.items import has_location, mavlink, nav_items

__all__ = ["MissionRoute", "mission_route", "mission_altitudes", "planned_flight"]

# Consecutive route points closer than this (m) are one point.
_SAME_POINT_M = 0.5


@dataclass(frozen=True)
class MissionRoute:
    """A mission's horizontal route in the local frame centred on home (x east, y north, metres).

    ``outbound`` runs from home to the delivery point, ``inbound`` from there back home;
    ``delivery`` is the delivery item and ``method`` the delivery method it implies.
    """

    frame: LocalFrame
    outbound: NDArray[np.float64]
    inbound: NDArray[np.float64]
    delivery: DeliveryPoint
    method: str


def _polyline(frame: LocalFrame, lonlat: list[tuple[float, float]]) -> NDArray[np.float64]:
    x, y = frame.to_local([p[0] for p in lonlat], [p[1] for p in lonlat])
    xy = np.column_stack([x, y])
    keep = np.concatenate([[True], np.hypot(*np.diff(xy, axis=0).T) > _SAME_POINT_M])
    return xy[keep]


def mission_route(mission: Mission) -> MissionRoute:
    """The route of a delivery mission; :class:`InputError` if it has no delivery or does not end at home."""
    point = delivery_point(mission)
    if point is None:
        raise InputError("the mission has no delivery (payload place, land, winch or gripper release)",
                         mission.name or "mission")
    method = mission.delivery or delivery_method(mission.items)
    home_lon, home_lat, _ = mission.home
    frame = LocalFrame(home_lon, home_lat)
    outbound, inbound = [(home_lon, home_lat)], [(point.lon, point.lat)]
    for item in nav_items(mission):
        if not has_location(item.command) or (item.x == 0 and item.y == 0):
            continue
        (outbound if item.seq < point.seq else inbound).append((item.y, item.x))
    outbound.append((point.lon, point.lat))
    route = MissionRoute(frame, _polyline(frame, outbound), _polyline(frame, inbound), point, method)
    if np.hypot(*route.inbound[-1]) > 1.0:
        raise InputError("the mission does not end at home", mission.name or "mission")
    return route


def mission_altitudes(mission: Mission) -> tuple[float, float]:
    """The outbound and return cruise altitudes (m above home) of a delivery mission: where its
    NAV_TAKEOFF climbs to, and the altitude of the last positioned item before the landing."""
    items = [i for i in nav_items(mission) if has_location(i.command) or i.command == mavlink.MAV_CMD_NAV_TAKEOFF]
    takeoff = next((i for i in items if i.command == mavlink.MAV_CMD_NAV_TAKEOFF), None)
    if takeoff is None:
        raise InputError("the mission has no NAV_TAKEOFF", mission.name or "mission")
    before_land = [i for i in items if i.command != mavlink.MAV_CMD_NAV_LAND and i.seq > takeoff.seq]
    return float(takeoff.z), float(before_land[-1].z if before_land else takeoff.z)


def planned_flight(
    mission: Mission, profile: AircraftProfile, wind: Wind | None = None, payload_kg: float = 0.0
) -> aircraft.FlightProfile:
    """The aircraft model's flight along ``mission``'s route, with its delivery method and speed.

    The model flies the return along the outbound route reversed; when the mission comes
    back another way, the return phase is that of the mission's own inbound route.
    """
    route = mission_route(mission)
    profile = replace(profile, delivery=route.method)
    altitudes = mission_altitudes(mission)
    if mission.cruise_speed_ms:
        profile = replace(profile, cruise_speed_ms=mission.cruise_speed_ms)
    back = route.inbound[::-1]
    same_way = len(back) == len(route.outbound) and np.allclose(back, route.outbound, atol=1.0)
    if same_way:
        return aircraft.fly(route.outbound, payload_kg, profile, wind, altitudes)
    batch = aircraft.fly_many([route.outbound, back], payload_kg, profile, wind, altitudes)
    k = aircraft.PHASES.index("return")
    times, energies = batch.times_s.copy(), batch.energies_wh.copy()
    times[0, k], energies[0, k] = times[1, k], energies[1, k]
    return replace(batch, times_s=times, energies_wh=energies).profile(0)
