"""Where and how a built (or read) mission delivers: its delivery point and delivery method.

Positions are WGS84 ``(lon, lat)`` degrees; heights are metres above home, as the mission's
relative-to-home items carry them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .items import Mission, MissionItem, has_location, mavlink, nav_items

__all__ = ["DeliveryPoint", "delivery_point", "delivery_method"]

_NAV_LAST = mavlink.MAV_CMD_NAV_LAST
_RELEASES = (mavlink.MAV_CMD_DO_WINCH, mavlink.MAV_CMD_DO_GRIPPER)


@dataclass(frozen=True)
class DeliveryPoint:
    """Where the package leaves the aircraft: mission item ``seq``, ``(lon, lat)`` degrees, height (m above home).

    ``line_m`` is the winch line a DO_WINCH lets out there (0 without a winch).
    """

    seq: int
    lon: float
    lat: float
    alt_rel_m: float
    line_m: float = 0.0


def delivery_point(mission: Mission) -> DeliveryPoint | None:
    """The delivery of ``mission``: a NAV_PAYLOAD_PLACE, a NAV_LAND before the end, or the
    last positioned navigation item before the first DO_WINCH/DO_GRIPPER; ``None`` if there is none.
    """
    navs = nav_items(mission)
    last_nav = navs[-1].seq if navs else None
    previous: MissionItem | None = None
    for item in mission.items[1:]:
        if item.command == mavlink.MAV_CMD_NAV_PAYLOAD_PLACE or (
            item.command == mavlink.MAV_CMD_NAV_LAND and item.seq != last_nav
        ):
            return DeliveryPoint(item.seq, item.y, item.x, 0.0)
        if item.command in _RELEASES and previous is not None:
            line = item.param3 if item.command == mavlink.MAV_CMD_DO_WINCH else 0.0
            return DeliveryPoint(previous.seq, previous.y, previous.x, previous.z, line)
        if item.command < _NAV_LAST and has_location(item.command) and (item.x, item.y) != (0.0, 0.0):
            previous = item
    return None


def delivery_method(items: Sequence[MissionItem]) -> str:
    """The delivery method a mission's items carry out ("" when none is recognised).

    NAV_PAYLOAD_PLACE: ``payload_place``; DO_WINCH: ``winch``; DO_GRIPPER: ``drop``; a
    NAV_LAND before the last item: ``land``.
    """
    commands = [i.command for i in items]
    for command, method in ((mavlink.MAV_CMD_NAV_PAYLOAD_PLACE, "payload_place"), (mavlink.MAV_CMD_DO_WINCH, "winch"),
                            (mavlink.MAV_CMD_DO_GRIPPER, "drop")):
        if command in commands:
            return method
    return "land" if mavlink.MAV_CMD_NAV_LAND in commands[1:-1] else ""
