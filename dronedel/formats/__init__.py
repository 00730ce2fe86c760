"""Ground-station files: QGC WPL 110 ``.waypoints`` and QGroundControl ``.plan``, read and written.

The format follows the suffix. A ``.plan`` holds mission, fence and rally in one file. A
``.waypoints`` file holds one list, so a mission ``NAME.waypoints`` keeps its fence in
``NAME.fence.waypoints`` and its rally points in ``NAME.rally.waypoints`` beside it (the
layout MAVProxy saves with ``fence save`` / ``rally save``). Either way the vehicle
parameters the mission needs (FENCE_*, MIS_OPTIONS) go to ``NAME.param`` (``NAME VALUE``
lines, as MAVProxy reads them). :func:`read_mission` reads those companions when present.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ..mission.delivery import delivery_method
from ..mission.items import FENCE, MISSION, MISSION_TYPE_NAMES, RALLY, Mission
from .params import format_params, parse_params, read_params, write_params
from .plan import format_plan, parse_plan, plan_document, read_plan, write_plan
from .waypoints import format_waypoints, parse_waypoints, read_waypoints, write_waypoints

__all__ = [
    "PLAN_SUFFIXES", "WAYPOINTS_SUFFIXES", "companion_paths", "read_mission", "write_mission", "write_missions",
    "format_waypoints", "parse_waypoints", "read_waypoints", "write_waypoints",
    "plan_document", "format_plan", "parse_plan", "read_plan", "write_plan",
    "format_params", "parse_params", "read_params", "write_params",
]

PLAN_SUFFIXES = (".plan",)
WAYPOINTS_SUFFIXES = (".waypoints", ".txt")


def _stem(path: Path) -> Path:
    return path.with_suffix("")


def companion_paths(path: str | Path) -> dict[str, Path]:
    """The files that travel with mission file ``path``: ``fence``, ``rally`` (``.waypoints`` only), ``params``."""
    path = Path(path)
    stem = _stem(path)
    out = {"params": stem.with_name(stem.name + ".param")}
    if path.suffix.lower() in WAYPOINTS_SUFFIXES:
        out["fence"] = stem.with_name(f"{stem.name}.fence{path.suffix}")
        out["rally"] = stem.with_name(f"{stem.name}.rally{path.suffix}")
    return out


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in PLAN_SUFFIXES:
        return "plan"
    if suffix in WAYPOINTS_SUFFIXES:
        return "waypoints"
    raise InputError(f"unknown mission file type {path.suffix or '(no suffix)'!r}: use .plan or .waypoints",
                     str(path))


def read_mission(path: str | Path) -> Mission:
    """Read a mission file and its companions (fence, rally, parameters) into a :class:`Mission`.

    The mission's ``name`` is the file's stem, its ``delivery`` what its items do at the door
    (:func:`~dronedel.mission.delivery.delivery_method`). Raises :class:`InputError` naming the file
    and line (or JSON path) of the first problem.
    """
    path = Path(path)
    companions = companion_paths(path)
    if _format(path) == "plan":
        mission = read_plan(path)
    else:
        kind, items = read_waypoints(path)
        if kind != MISSION:
            raise InputError(f"this file holds a {MISSION_TYPE_NAMES[kind]} list, not a mission", str(path))
        lists = {}
        for name, expected in (("fence", FENCE), ("rally", RALLY)):
            if companions[name].exists():
                found, lists[name] = read_waypoints(companions[name])
                if lists[name] and found != expected:
                    raise InputError(f"expected a {name} list, found a {MISSION_TYPE_NAMES[found]} list",
                                     str(companions[name]))
        mission = Mission(tuple(items), tuple(lists.get("fence", ())), tuple(lists.get("rally", ())),
                          name=_stem(path).name)
    if companions["params"].exists():
        mission = mission.replace(params=read_params(companions["params"]))
    return mission.replace(delivery=delivery_method(mission.items))


def write_mission(path: str | Path, mission: Mission) -> list[Path]:
    """Write ``mission`` to ``path`` (format from the suffix) with its companions; return the files written.

    Companion files that the mission has nothing for are not written; stale ones from an
    earlier write are removed so that reading the mission back gives what was written.
    """
    path = Path(path)
    companions = companion_paths(path)
    written: list[Path] = []
    if _format(path) == "plan":
        written.append(write_plan(path, mission))
        lists = {}
    else:
        written.append(write_waypoints(path, mission.items))
        lists = {"fence": mission.fence, "rally": mission.rally}
    for name, items in lists.items():
        if items:
            written.append(write_waypoints(companions[name], items))
        else:
            companions[name].unlink(missing_ok=True)
    if mission.params:
        written.append(write_params(companions["params"], mission.params))
    else:
        companions["params"].unlink(missing_ok=True)
    return written


def write_missions(directory: str | Path, missions: Iterable[Mission], suffixes: tuple[str, ...] = (".plan", ".waypoints")
                   ) -> list[Path]:
    """Write each mission as ``NAME.plan`` and ``NAME.waypoints`` (with companions) in ``directory``.

    Missions are named by their ``name``; returns every file written, once each, in order.
    """
    directory = Path(directory)
    written: list[Path] = []
    for mission in missions:
        if not mission.name:
            raise ValueError("a mission needs a name to be written into a folder")
        for suffix in suffixes:
            written += write_mission(directory / f"{mission.name}{suffix}", mission)
    return list(dict.fromkeys(written))  # both formats share NAME.param
