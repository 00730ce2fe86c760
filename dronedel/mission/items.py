"""Mission items as ArduPilot stores them, and the mission that bundles them.

A :class:`MissionItem` mirrors MAVLink's MISSION_ITEM_INT with latitude/longitude in
degrees (``x``/``y`` as floats) instead of degrees * 1e7. Every command and frame number is
taken from pymavlink's generated ``ardupilotmega`` dialect, never typed in by hand.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

__all__ = [
    "mavlink", "MissionItem", "Mission", "MISSION", "FENCE", "RALLY", "MISSION_TYPE_NAMES",
    "FRAME_HOME", "FRAME_RELATIVE", "FRAME_MISSION", "FINAL_COMMANDS", "command_name", "has_location", "quantise_degrees",
    "renumber", "home_item", "nav_items", "items_equal",
]

#: Mission types (MAV_MISSION_TYPE).
MISSION = mavlink.MAV_MISSION_TYPE_MISSION
FENCE = mavlink.MAV_MISSION_TYPE_FENCE
RALLY = mavlink.MAV_MISSION_TYPE_RALLY
MISSION_TYPE_NAMES = {MISSION: "mission", FENCE: "fence", RALLY: "rally"}

#: Frame of the home item (absolute altitude, AMSL), of flown items (relative to home),
#: and of items without a position (QGroundControl's choice for DO_ commands).
FRAME_HOME = mavlink.MAV_FRAME_GLOBAL
FRAME_RELATIVE = mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT
FRAME_MISSION = mavlink.MAV_FRAME_MISSION

#: Navigation commands a mission ends with: it lands, or returns to launch and lands.
FINAL_COMMANDS = frozenset({mavlink.MAV_CMD_NAV_LAND, mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH})

_LATLON_SCALE = 1e7


def command_name(command: int) -> str:
    """MAV_CMD name of ``command`` without the prefix (``"NAV_WAYPOINT"``), or its number."""
    entry = mavlink.enums["MAV_CMD"].get(int(command))
    if entry is None or entry.name.endswith("ENUM_END"):
        return str(int(command))
    return entry.name.removeprefix("MAV_CMD_")


def has_location(command: int) -> bool:
    """True if ``command`` carries latitude/longitude in x/y (pymavlink's ``hasLocation``).

    Unknown commands count as having one, as QGC WPL files treat x/y as degrees.
    """
    entry = mavlink.enums["MAV_CMD"].get(int(command))
    return True if entry is None else bool(getattr(entry, "has_location", True))


def quantise_degrees(value: float) -> float:
    """``value`` degrees rounded to the 1e-7 degree grid MISSION_ITEM_INT carries."""
    return round(float(value) * _LATLON_SCALE) / _LATLON_SCALE


@dataclass(frozen=True)
class MissionItem:
    """One mission, fence or rally item.

    ``x`` is latitude and ``y`` longitude in degrees (WGS84) for commands with a location,
    ``z`` altitude in metres in the reference ``frame`` says (frame 3: relative to home;
    frame 0: AMSL). ``param1``..``param4`` are the command's parameters as MAVLink defines
    them. ``mission_type`` is MAV_MISSION_TYPE (0 mission, 1 fence, 2 rally).
    """

    seq: int
    frame: int
    command: int
    current: int = 0
    autocontinue: int = 1
    param1: float = 0.0
    param2: float = 0.0
    param3: float = 0.0
    param4: float = 0.0
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    mission_type: int = MISSION

    def __post_init__(self) -> None:
        for name in ("seq", "frame", "command", "current", "autocontinue", "mission_type"):
            object.__setattr__(self, name, int(getattr(self, name)))
        for name in ("param1", "param2", "param3", "param4", "x", "y", "z"):
            object.__setattr__(self, name, float(getattr(self, name)))

    @property
    def params(self) -> tuple[float, float, float, float, float, float, float]:
        """``(param1, param2, param3, param4, x, y, z)``, MAVLink's param1..param7."""
        return (self.param1, self.param2, self.param3, self.param4, self.x, self.y, self.z)

    @property
    def name(self) -> str:
        """The command's MAV_CMD name without the prefix, e.g. ``NAV_WAYPOINT``."""
        return command_name(self.command)

    def with_seq(self, seq: int) -> "MissionItem":
        """This item numbered ``seq``."""
        return replace(self, seq=seq)

    def describe(self) -> str:
        """Short human-readable form, e.g. ``"seq 3 NAV_WAYPOINT (30.61, -96.34, 60 m)"``."""
        text = f"seq {self.seq} {self.name}"
        if has_location(self.command):
            text += f" (lat {self.x:.7f}, lon {self.y:.7f}, alt {self.z:g} m)"
        return text

    def to_message(self, target_system: int = 0, target_component: int = 0) -> Any:
        """This item as a pymavlink MISSION_ITEM_INT message (lat/lon as degrees * 1e7)."""
        if has_location(self.command):
            x, y = round(self.x * _LATLON_SCALE), round(self.y * _LATLON_SCALE)
        else:
            x, y = round(self.x), round(self.y)
        return mavlink.MAVLink_mission_item_int_message(
            target_system, target_component, self.seq, self.frame, self.command,
            self.current, self.autocontinue, self.param1, self.param2, self.param3, self.param4,
            x, y, self.z, self.mission_type,
        )

    @classmethod
    def from_message(cls, msg: Any, mission_type: int | None = None) -> "MissionItem":
        """Build an item from a pymavlink MISSION_ITEM_INT or MISSION_ITEM message.

        MISSION_ITEM_INT carries lat/lon as degrees * 1e7 for commands with a location;
        MISSION_ITEM (as pymavlink's ``mavwp`` loaders produce) carries degrees.
        ``mission_type`` overrides the message's own (absent in MAVLink 1).
        """
        x, y = float(msg.x), float(msg.y)
        if msg.get_type() == "MISSION_ITEM_INT" and has_location(msg.command):
            x, y = x / _LATLON_SCALE, y / _LATLON_SCALE
        if mission_type is None:
            mission_type = int(getattr(msg, "mission_type", MISSION) or 0)
        return cls(
            seq=int(msg.seq), frame=int(msg.frame), command=int(msg.command), current=int(msg.current),
            autocontinue=int(msg.autocontinue), param1=float(msg.param1), param2=float(msg.param2),
            param3=float(msg.param3), param4=float(msg.param4), x=x, y=y, z=float(msg.z),
            mission_type=mission_type,
        )

    def same_on_wire(self, other: "MissionItem") -> bool:
        """True if both items encode to the same MISSION_ITEM_INT fields (params as float32)."""
        a, b = self.to_message(), other.to_message()
        return all(
            _f32(getattr(a, name)) == _f32(getattr(b, name))
            for name in ("seq", "frame", "command", "current", "autocontinue", "param1", "param2",
                         "param3", "param4", "x", "y", "z", "mission_type")
        )


def _f32(value: float) -> float:
    value = float(value)
    if math.isnan(value):
        return math.inf  # NaN equals NaN here: both mean "unset"
    return struct.unpack("<f", struct.pack("<f", value))[0]


def renumber(items: Iterable[MissionItem], start: int = 0) -> tuple[MissionItem, ...]:
    """``items`` with ``seq`` set to ``start``, ``start + 1``, ..."""
    return tuple(item.with_seq(start + i) for i, item in enumerate(items))


@dataclass(frozen=True)
class Mission:
    """A flight as a vehicle stores it: mission items, fence items, rally items.

    ``items[0]`` is home (frame 0, altitude AMSL), which ArduPilot replaces by the vehicle's
    home and never flies; the flight starts at ``items[1]``. ``fence`` and ``rally`` are
    numbered from 0. ``params`` are the vehicle parameters the mission needs (FENCE_ENABLE,
    FENCE_TYPE, FENCE_ACTION, FENCE_ALT_MAX, FENCE_MARGIN; MIS_OPTIONS). ``cruise_speed_ms``
    is the planned horizontal speed, ``delivery`` the delivery method, ``name`` a label.
    """

    items: tuple[MissionItem, ...]
    fence: tuple[MissionItem, ...] = ()
    rally: tuple[MissionItem, ...] = ()
    params: dict[str, float] = field(default_factory=dict)
    cruise_speed_ms: float | None = None
    delivery: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", renumber(self.items))
        object.__setattr__(self, "fence", renumber(self.fence))
        object.__setattr__(self, "rally", renumber(self.rally))
        object.__setattr__(self, "params", dict(self.params))

    @property
    def home(self) -> tuple[float, float, float]:
        """Home as ``(lon, lat, amsl_m)``; ``ValueError`` for a mission without items."""
        if not self.items:
            raise ValueError("mission has no items, hence no home")
        item = self.items[0]
        return (item.y, item.x, item.z)

    def of_type(self, mission_type: int) -> tuple[MissionItem, ...]:
        """The items of one MAV_MISSION_TYPE."""
        return {MISSION: self.items, FENCE: self.fence, RALLY: self.rally}[mission_type]

    def replace(self, **changes: Any) -> "Mission":
        """A copy with ``changes`` (field names) applied; item lists are renumbered."""
        return replace(self, **changes)


def home_item(lon: float, lat: float, amsl_m: float) -> MissionItem:
    """The seq-0 home item at ``(lon, lat)`` degrees and ``amsl_m`` metres AMSL."""
    return MissionItem(
        0, FRAME_HOME, mavlink.MAV_CMD_NAV_WAYPOINT, current=1, autocontinue=1,
        x=quantise_degrees(lat), y=quantise_degrees(lon), z=float(amsl_m),
    )


def nav_items(mission: Mission) -> list[MissionItem]:
    """The navigation items the vehicle flies (seq 1 on; home at seq 0 is never flown)."""
    return [item for item in mission.items[1:] if item.command < mavlink.MAV_CMD_NAV_LAST]


def items_equal(a: Sequence[MissionItem], b: Sequence[MissionItem]) -> bool:
    """True if both lists encode to the same MISSION_ITEM_INT messages."""
    return len(a) == len(b) and all(x.same_on_wire(y) for x, y in zip(a, b))
