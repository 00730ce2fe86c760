"""QGC WPL 110 ``.waypoints`` files (Mission Planner, MAVProxy, QGroundControl's plain-text export).

First line ``QGC WPL 110``; then one item a line, 12 tab-separated fields: seq, current,
frame, command, param1-4, latitude, longitude, altitude, autocontinue. A mission's line 0 is
home (frame 0, altitude AMSL). MAVProxy saves fence and rally lists in the same layout,
numbered from 0, with fence or rally commands; the list's kind follows from its commands.
Lines starting with ``#`` are comments, as pymavlink's ``mavwp`` reads them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..errors import InputError
from ..fileio import read_text, write_text
from ..mission.items import FENCE, MISSION, MISSION_TYPE_NAMES, RALLY, MissionItem, mavlink
from ..mission.validate import ACCEPTED_COMMANDS
from .numbers import format_number, parse_number

__all__ = ["HEADER", "format_waypoints", "write_waypoints", "parse_waypoints", "read_waypoints"]

HEADER = "QGC WPL 110"
_FIELDS = 12
_KNOWN_COMMANDS = frozenset(k for k, e in mavlink.enums["MAV_CMD"].items() if not e.name.endswith("ENUM_END"))


def format_waypoints(items: Sequence[MissionItem], source: str = "") -> str:
    """The text of a QGC WPL 110 file holding ``items`` (numbers written so they read back exactly)."""
    lines = [HEADER]
    for item in items:
        for name, value in zip(("param1", "param2", "param3", "param4", "x", "y", "z"), item.params):
            if not math.isfinite(value):
                raise InputError(f"{name} is {value!r}, which a QGC WPL 110 file cannot hold (a .plan can)",
                                 source, f"item {item.seq}")
        fields = [str(item.seq), str(item.current), str(item.frame), str(item.command),
                  *(format_number(v) for v in item.params), str(item.autocontinue)]
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def write_waypoints(path: str | Path, items: Sequence[MissionItem]) -> Path:
    """Write ``items`` to ``path`` as QGC WPL 110, atomically."""
    return write_text(path, format_waypoints(items, str(path)))


def _kind(command: int) -> int:
    for mission_type in (FENCE, RALLY):
        if command in ACCEPTED_COMMANDS[mission_type]:
            return mission_type
    return MISSION


def parse_waypoints(text: str, source: str = "") -> tuple[int, list[MissionItem]]:
    """Read QGC WPL 110 text into ``(mission_type, items)``; :class:`InputError` names the bad line.

    The mission type is that of the commands: all fence commands make a fence list, all
    rally points a rally list, anything else a mission. A command MAVLink does not define,
    a field that is not a number (NaN included), a wrong field count, a seq out of order or
    a list mixing kinds is an error.
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != HEADER:
        found = lines[0].strip()[:40] if lines else "an empty file"
        raise InputError(f"first line must be {HEADER!r}, found {found!r}", source, "line 1")
    items: list[MissionItem] = []
    kind = None
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("#") or not line.strip():
            continue
        where = f"line {number}"
        fields = line.split()
        if len(fields) != _FIELDS:
            raise InputError(f"expected {_FIELDS} tab-separated fields, found {len(fields)}", source, where)
        try:
            seq, current, frame, command = (int(f) for f in fields[:4])
            autocontinue = int(fields[11])
        except ValueError:
            raise InputError("seq, current, frame, command and autocontinue must be whole numbers", source,
                             where) from None
        values = []
        for name, text_value in zip(("param1", "param2", "param3", "param4", "latitude", "longitude", "altitude"),
                                    fields[4:11]):
            try:
                values.append(parse_number(text_value))
            except ValueError:
                raise InputError(f"{name} {text_value!r} is not a finite number", source, where) from None
        if command == 0 and seq == 0 and not items:
            command = mavlink.MAV_CMD_NAV_WAYPOINT  # home as some planners write it, read as mavwp does
        if command not in _KNOWN_COMMANDS:
            raise InputError(f"unknown command {command} (not a MAVLink MAV_CMD)", source, where)
        if seq != len(items):
            raise InputError(f"seq {seq} out of order: expected {len(items)}", source, where)
        line_kind = _kind(command)
        if kind is None:
            kind = line_kind
        elif line_kind != kind:
            raise InputError(f"a {MISSION_TYPE_NAMES[line_kind]} command in a {MISSION_TYPE_NAMES[kind]} list",
                             source, where)
        items.append(MissionItem(seq, frame, command, current, autocontinue, *values))
    kind = MISSION if kind is None else kind
    return kind, [replace(i, mission_type=kind) for i in items]


def read_waypoints(path: str | Path) -> tuple[int, list[MissionItem]]:
    """Read a QGC WPL 110 file: ``(mission_type, items)``."""
    return parse_waypoints(read_text(path), str(path))
