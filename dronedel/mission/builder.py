"""From a delivery route to the mission ArduPilot Copter flies, with its fence and rally points.

The items: seq 0 home (the pad); NAV_TAKEOFF straight up to the outbound cruise altitude; DO_CHANGE_SPEED to
the planned cruise speed (run when the take-off completes); a NAV_WAYPOINT at every turn
of the outbound route; the delivery at the door (:func:`delivery_items`); a NAV_WAYPOINT at
every turn of the return route; NAV_LAND at home — not RTL, whose straight line home could
cross a zone. Altitudes are metres above home (frame 3). DO commands run when the
navigation command before them completes, so each follows the step it comes after.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from ..airspace.model import Airspace
from ..config import AircraftProfile
from ..geo import geodesic_distance
from .errors import MissionError
from .fence import FenceOptions, build_fence
from .items import (
    FRAME_MISSION, FRAME_RELATIVE, Mission, MissionItem, home_item, mavlink, quantise_degrees, renumber,
)
from .rally import rally_points
from .region import frame_at
from .validate import validate_mission

__all__ = [
    "PAYLOAD_PLACE_EXTRA_DESCENT_M", "MIS_OPTIONS_CONTINUE_AFTER_LAND", "delivery_items", "build_mission",
    "mission_params",
]

#: NAV_PAYLOAD_PLACE may descend this far below the departure ground before giving up.
PAYLOAD_PLACE_EXTRA_DESCENT_M = 10.0
#: MIS_OPTIONS bit "ContinueAfterLand": after a NAV_LAND followed by NAV_TAKEOFF, stay armed.
MIS_OPTIONS_CONTINUE_AFTER_LAND = 4
# Two route points closer than this (m) are one point.
_SAME_POINT_M = 0.5


def _nav(command: int, lon: float, lat: float, alt: float, p1: float = 0.0) -> MissionItem:
    return MissionItem(0, FRAME_RELATIVE, command, param1=p1, x=quantise_degrees(lat), y=quantise_degrees(lon),
                       z=float(alt))


def _do(command: int, p1: float = 0.0, p2: float = 0.0, p3: float = 0.0, p4: float = 0.0) -> MissionItem:
    return MissionItem(0, FRAME_MISSION, command, param1=p1, param2=p2, param3=p3, param4=p4)


def _delay(seconds: float) -> MissionItem:
    return _do(mavlink.MAV_CMD_NAV_DELAY, round(seconds, 2), -1.0, -1.0, -1.0)


def delivery_items(door: tuple[float, float], profile: AircraftProfile,
                   altitudes: tuple[float, float] | None = None) -> list[MissionItem]:
    """Items at the door ``(lon, lat)``, arriving at the outbound and leaving at the return cruise
    altitude of ``altitudes`` (m above home; default ``cruise_alt_m`` both).

    - ``payload_place``: NAV_PAYLOAD_PLACE at the door (flies there, descends until the
      package touches down, releases it, climbs back); param1 is the maximum descent, the
      cruise altitude plus :data:`PAYLOAD_PLACE_EXTRA_DESCENT_M`; where the return layer
      differs, a waypoint over the door then moves to it vertically.
    - ``land``: NAV_LAND at the door, NAV_DELAY ``land_dwell_s`` on the ground, NAV_TAKEOFF
      back to cruise altitude (needs MIS_OPTIONS bit 2, see :func:`mission_params`).
    - ``winch``: waypoint at the door, straight down to ``winch_height_m`` above home;
      DO_WINCH lowers ``winch_height_m`` of line at ``winch_rate_ms``; NAV_DELAY for the
      lowering plus ``delivery_hover_s``; DO_WINCH winds the line back in during the climb
      to cruise altitude.
    - ``drop``: waypoint at the door, straight down to ``drop_height_m``; NAV_DELAY
      ``delivery_hover_s``; DO_GRIPPER release; climb back to cruise altitude.
    """
    lon, lat = door
    alt, leave = altitudes or (profile.cruise_alt_m, profile.cruise_alt_m)
    wp, method = mavlink.MAV_CMD_NAV_WAYPOINT, profile.delivery
    if method == "payload_place":
        place = _nav(mavlink.MAV_CMD_NAV_PAYLOAD_PLACE, lon, lat, alt, p1=alt + PAYLOAD_PLACE_EXTRA_DESCENT_M)
        return [place] if leave == alt else [place, _nav(wp, lon, lat, leave)]
    if method == "land":
        return [_nav(mavlink.MAV_CMD_NAV_LAND, lon, lat, 0.0), _delay(profile.land_dwell_s),
                _nav(mavlink.MAV_CMD_NAV_TAKEOFF, lon, lat, leave)]
    if method == "winch":
        height = min(profile.winch_height_m, alt, leave)
        lowering_s = height / profile.winch_rate_ms
        return [
            _nav(wp, lon, lat, alt), _nav(wp, lon, lat, height),
            _do(mavlink.MAV_CMD_DO_WINCH, 1, mavlink.WINCH_RELATIVE_LENGTH_CONTROL, height, profile.winch_rate_ms),
            _delay(lowering_s + profile.delivery_hover_s),
            _do(mavlink.MAV_CMD_DO_WINCH, 1, mavlink.WINCH_RELATIVE_LENGTH_CONTROL, -height, -profile.winch_rate_ms),
            _nav(wp, lon, lat, leave),
        ]
    if method == "drop":
        height = min(profile.drop_height_m, alt, leave)
        return [
            _nav(wp, lon, lat, alt), _nav(wp, lon, lat, height), _delay(profile.delivery_hover_s),
            _do(mavlink.MAV_CMD_DO_GRIPPER, 1, mavlink.GRIPPER_ACTION_RELEASE), _nav(wp, lon, lat, leave),
        ]
    raise MissionError(f"unknown delivery method {method!r}")


def mission_params(fence_params: dict[str, float], profile: AircraftProfile) -> dict[str, float]:
    """Vehicle parameters the mission needs: the fence's, and MIS_OPTIONS for a land delivery."""
    params = dict(fence_params)
    if profile.delivery == "land":
        params["MIS_OPTIONS"] = float(MIS_OPTIONS_CONTINUE_AFTER_LAND)
    return dict(sorted(params.items()))


def _distance(a: Sequence[float], b: Sequence[float]) -> float:
    """Geodesic distance (m) between two (lon, lat) points."""
    return float(np.ravel(geodesic_distance(a[0], a[1], b[0], b[1]))[0])


def _dedupe(route: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out = [tuple(map(float, route[0]))]
    for lon, lat in route[1:]:
        if _distance(out[-1], (lon, lat)) > _SAME_POINT_M:
            out.append((float(lon), float(lat)))
    return out


def _check_route(home: tuple[float, float], outbound: Sequence, inbound: Sequence) -> None:
    if len(outbound) < 2 or len(inbound) < 2:
        raise MissionError("outbound and inbound routes need at least two points each (start and end)")
    gaps = {
        "outbound route starts": (outbound[0], home), "inbound route ends": (inbound[-1], home),
        "inbound route starts": (inbound[0], outbound[-1]),
    }
    for what, (a, b) in gaps.items():
        gap = _distance(a, b)
        if gap > 1.0:
            other = "at home" if b is home else "at the door (the outbound route's end)"
            raise MissionError(f"the {what} {gap:.1f} m away from where it should, {other}")


def build_mission(
    home_lonlat: tuple[float, float],
    home_amsl_m: float,
    outbound: Sequence[tuple[float, float]],
    inbound: Sequence[tuple[float, float]],
    profile: AircraftProfile,
    *,
    airspace: Airspace | None = None,
    fence_options: FenceOptions = FenceOptions(),
    at: datetime | None = None,
    until: datetime | None = None,
    authorisations: Sequence[str] = (),
    rally_spacing_m: float = 2000.0,
    name: str = "",
    altitudes: tuple[float, float] | None = None,
) -> Mission:
    """The mission, fence and rally points of one delivery flight.

    ``home_lonlat`` is the site (lon, lat) degrees, ``home_amsl_m`` its ground altitude AMSL;
    ``outbound`` runs from home to the door and ``inbound`` from the door back home, both
    as (lon, lat) degrees. Zones of ``airspace`` active between ``at`` and ``until`` (the
    flight's take-off and landing) and not covered by ``authorisations`` go into the fence
    (:func:`dronedel.mission.fence.build_fence`). ``altitudes`` are the outbound and return
    cruise altitudes (m above home; default ``cruise_alt_m`` both): the take-off climbs to the
    first, the return flies the second, and the change happens over the door. The result has passed
    :func:`dronedel.mission.validate.validate_mission`; :class:`MissionError` or
    :class:`~dronedel.errors.InputError` says why a flight cannot become a mission.
    """
    home = (float(home_lonlat[0]), float(home_lonlat[1]))
    _check_route(home, outbound, inbound)
    outbound, inbound = _dedupe(outbound), _dedupe(inbound)
    alt, back = altitudes or (profile.cruise_alt_m, profile.cruise_alt_m)
    wp = mavlink.MAV_CMD_NAV_WAYPOINT
    speed_type = mavlink.SPEED_TYPE_GROUNDSPEED if profile.speed_reference == "ground" else mavlink.SPEED_TYPE_AIRSPEED
    items = [
        home_item(home[0], home[1], home_amsl_m),
        _nav(mavlink.MAV_CMD_NAV_TAKEOFF, home[0], home[1], alt),
        _do(mavlink.MAV_CMD_DO_CHANGE_SPEED, speed_type, profile.cruise_speed_ms, -1.0),
        *(_nav(wp, lon, lat, alt) for lon, lat in outbound[1:-1]),
        *delivery_items(outbound[-1], profile, (alt, back)),
        *(_nav(wp, lon, lat, back) for lon, lat in inbound[1:-1]),
        _nav(mavlink.MAV_CMD_NAV_LAND, home[0], home[1], 0.0),
    ]
    frame = frame_at(*home)
    route = [*outbound, *inbound[1:]]
    fence = build_fence(frame, route, airspace, max(alt, back), options=fence_options, at=at, until=until,
                        authorisations=authorisations)
    rally = rally_points(frame, route, fence, back, spacing_m=rally_spacing_m)
    mission = Mission(renumber(items), fence.items(), rally, mission_params(fence.params(), profile),
                      profile.cruise_speed_ms, profile.delivery, name)
    validate_mission(mission, name or "mission")
    return mission
