"""Fly a window of a plan in SITL, several vehicles at once, and judge the fleet in plan time.

Every flight of :class:`~dronedel.sitl.planfile.FleetPlan` taking off in the window flies its
own mission in its own SITL, homed at the mission's home (the flight's pad), in the plan's
wind, ``RunOptions.jobs`` at a time. Each flown track is then placed in plan time: a sample
taken ``tau`` simulated seconds after arming is at plan second ``takeoff_s + tau``, in the
site's local frame (x east, y north of the site point, metres) and metres above the site's
ground; it is resampled to whole plan seconds from take-off to disarming. On those tracks:

* the closest approach between every pair of flights airborne together, and the losses of
  separation against the plan's standard (:func:`dronedel.intent.audit_separation`);
* the closest pairwise distance at every second (:func:`separation_series`);
* each flight's conformance to its own intent (:mod:`dronedel.intent.conformance`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..formats import read_mission
from ..geo import LocalFrame
from ..intent import SeparationAudit, Track, audit_separation
from ..intent.conformance import (
    MAX_EXCURSION_S, MAX_EXCURSIONS_PER_HOUR, MAX_NONCONFORMING_S, MIN_CONFORMANCE_SHARE, Conformance, conformance,
)
from ..mission import Mission
from .checks import Expectations
from .flight import FlightRecord, fly_mission
from .flight import Track as FlownTrack
from .planfile import FleetPlan, PlanFlight
from .process import Home, SitlOptions
from .regress import DEFAULT_SPEEDUP, RunOptions
from .report import FlightReport, _clean, build_report

__all__ = ["SCHEMA", "FlownFlight", "PairApproach", "FleetReport", "place_track", "pair_approaches",
           "separation_series", "load_missions", "fly_window", "judge", "run_window"]

#: Schema of the fleet report written by ``dronedel sitl fleet``.
SCHEMA = "dronedel-sitl-fleet/1"

_HOME_TOLERANCE_M = 1.0  # a mission's home may sit this far from its flight's pad


def place_track(name: str, track: FlownTrack, armed_s: float, end_s: float, takeoff_s: float, frame: LocalFrame,
                ground_amsl_m: float) -> Track:
    """``track`` (simulated seconds since boot) as a :class:`~dronedel.intent.Track` in plan time.

    Sample times become ``t - armed_s + takeoff_s``; positions are interpolated linearly at
    every whole plan second from take-off to ``end_s`` (disarming, simulated seconds since
    boot); x, y in ``frame``, z metres above ``ground_amsl_m``. Heights below the ground (the
    altitude estimate's noise on the pad or at the door, centimetres) are the ground, 0.
    """
    if not len(track):
        raise ValueError(f"{name}: no track samples")
    t, first = np.unique(track.t_s - armed_s + takeoff_s, return_index=True)
    x, y = frame.to_local(track.lon[first], track.lat[first], check=False)
    z = np.maximum(track.column("alt_amsl_m")[first] - ground_amsl_m, 0.0)
    t0 = math.ceil(takeoff_s - 1e-9)
    seconds = np.arange(t0, max(math.floor(end_s - armed_s + takeoff_s + 1e-9), t0) + 1, dtype=float)
    return Track(name, t0, np.column_stack([np.interp(seconds, t, c) for c in (x, y, z)]))


@dataclass(frozen=True)
class PairApproach:
    """Two flights airborne together for ``overlap_s`` seconds: their smallest horizontal
    distance while closer than the vertical standard (inf if never), at ``at_s`` plan seconds
    (None then), and their smallest distance in 3D (m)."""

    a: str
    b: str
    overlap_s: int
    closest_m: float
    at_s: float | None
    closest_3d_m: float


def _overlaps(tracks: Sequence[Track]) -> list[tuple[int, int, int, int]]:
    """``(i, j, lo, hi)`` for every pair of tracks sharing the plan seconds ``lo..hi``."""
    out = []
    for i in range(len(tracks)):
        for j in range(i + 1, len(tracks)):
            lo, hi = max(tracks[i].t0, tracks[j].t0), min(tracks[i].t1, tracks[j].t1)
            if hi >= lo:
                out.append((i, j, lo, hi))
    return out


def _distances(a: Track, b: Track, lo: int, hi: int) -> tuple[NDArray, NDArray]:
    pa, pb = a.xyz[lo - a.t0:hi - a.t0 + 1], b.xyz[lo - b.t0:hi - b.t0 + 1]
    return np.hypot(*(pa[:, :2] - pb[:, :2]).T), np.abs(pa[:, 2] - pb[:, 2])


def pair_approaches(tracks: Sequence[Track], vertical_m: float) -> list[PairApproach]:
    """The closest approach of every pair of ``tracks`` airborne together, closest in 3D first."""
    out = []
    for i, j, lo, hi in _overlaps(tracks):
        dh, dv = _distances(tracks[i], tracks[j], lo, hi)
        near = np.where(dv < vertical_m, dh, np.inf)
        k = int(np.argmin(near))
        out.append(PairApproach(tracks[i].name, tracks[j].name, hi - lo + 1, float(near[k]),
                                float(lo + k) if np.isfinite(near[k]) else None, float(np.hypot(dh, dv).min())))
    return sorted(out, key=lambda p: p.closest_3d_m)


def separation_series(tracks: Sequence[Track], vertical_m: float) -> dict[str, NDArray]:
    """At every plan second ``t_s`` from the first take-off to the last landing: ``closest_m`` the
    smallest horizontal distance between two airborne drones closer than ``vertical_m``
    vertically, ``closest_3d_m`` the smallest 3D distance (inf with fewer than two airborne or
    none that close) and ``airborne`` how many are flying."""
    if not tracks:
        return {k: np.empty(0) for k in ("t_s", "closest_m", "closest_3d_m", "airborne")}
    t0, t1 = min(t.t0 for t in tracks), max(t.t1 for t in tracks)
    h, d3 = np.full(t1 - t0 + 1, np.inf), np.full(t1 - t0 + 1, np.inf)
    count = np.zeros(t1 - t0 + 2, int)
    for track in tracks:
        count[track.t0 - t0] += 1
        count[track.t1 - t0 + 1] -= 1
    for i, j, lo, hi in _overlaps(tracks):
        dh, dv = _distances(tracks[i], tracks[j], lo, hi)
        span = slice(lo - t0, hi - t0 + 1)
        h[span] = np.minimum(h[span], np.where(dv < vertical_m, dh, np.inf))
        d3[span] = np.minimum(d3[span], np.hypot(dh, dv))
    return {"t_s": np.arange(t0, t1 + 1, dtype=float), "closest_m": h, "closest_3d_m": d3,
            "airborne": np.cumsum(count)[:-1]}


@dataclass(frozen=True)
class FlownFlight:
    """A planned flight, its SITL report, its track placed in plan time (``None`` if it never
    armed) and its conformance to its intent."""

    flight: PlanFlight
    report: FlightReport
    track: Track | None
    conformance: Conformance | None


def load_missions(flights: Sequence[PlanFlight]) -> list[Mission]:
    """Each flight's mission; :class:`InputError` if one is missing or its home is not its pad."""
    missions = []
    for flight in flights:
        if not flight.mission.is_file():
            raise InputError("mission file not found (dronedel plan writes DIR/missions/ORDER.plan)",
                             str(flight.mission))
        mission = read_mission(flight.mission)
        x, y = LocalFrame(*flight.pad_lonlat).to_local(mission.home[0], mission.home[1], check=False)
        off = math.hypot(float(x), float(y))
        if off > _HOME_TOLERANCE_M:
            raise InputError(f"the mission's home is {off:.0f} m from the flight's pad {flight.pad}",
                             str(flight.mission))
        missions.append(mission)
    return missions


def _judge_flight(plan: FleetPlan, flight: PlanFlight, report: FlightReport, frame: LocalFrame) -> FlownFlight:
    record: FlightRecord = report.record
    if record.armed_s is None or not len(record.track):
        return FlownFlight(flight, report, None, None)
    end = record.disarmed_s if record.disarmed_s is not None else float(record.track.t_s[-1])
    track = place_track(flight.order_id, record.track, record.armed_s, end, flight.takeoff_s, frame, plan.elevation_m)
    return FlownFlight(flight, report, track, conformance(track, flight.volumes))


def fly_window(plan: FleetPlan, flights: Sequence[PlanFlight], run: RunOptions, *, heading_deg: float = 0.0,
               progress: Callable[[FlownFlight], None] | None = None) -> list[FlownFlight]:
    """Fly ``flights`` of ``plan`` in SITL, ``run.jobs`` at a time, earliest take-off first; return
    them in that order, each judged against its intent. Faults end a flight, not the run."""
    missions = load_missions(flights)
    frame = LocalFrame(*plan.site_lonlat)
    speedup = run.speedup or DEFAULT_SPEEDUP

    def one(item: tuple[PlanFlight, Mission]) -> FlownFlight:
        flight, mission = item
        lon, lat, amsl = mission.home
        options = SitlOptions(run.binary, Home(lon, lat, amsl, heading_deg), run.param_files, speedup=speedup,
                              wind=plan.wind, frame_file=run.frame_file)
        record = fly_mission(mission, options, timeout_s=2 * flight.flight_s + 300.0)
        report = build_report(record, mission, Expectations(planned_time_s=flight.flight_s), options)
        flown = _judge_flight(plan, flight, report, frame)
        if progress is not None:
            progress(flown)
        return flown

    with ThreadPoolExecutor(max(1, run.jobs)) as pool:
        return list(pool.map(one, zip(flights, missions)))


@dataclass
class FleetReport:
    """A flown window: the plan, the window ``[t0_s, t1_s)`` plan seconds, the flown flights, the
    separation audit and pairwise approaches of their tracks, wall time and how SITL ran."""

    plan: FleetPlan
    t0_s: float
    t1_s: float
    flown: list[FlownFlight]
    audit: SeparationAudit
    pairs: list[PairApproach]
    wall_s: float = 0.0
    sitl: dict[str, Any] = field(default_factory=dict)

    @property
    def tracks(self) -> list[Track]:
        """The placed tracks of the flights that armed."""
        return [f.track for f in self.flown if f.track is not None]

    @property
    def failures(self) -> list[str]:
        """What went wrong, one line each: faults, failed checks, nonconforming flights, losses."""
        out = []
        for f in self.flown:
            name, report = f.flight.order_id, f.report
            fault = report.record.fault
            if fault is not None:  # its checks fail for it; its first line says why
                out.append(f"{name}: {fault.kind}: {(fault.message.splitlines() or [''])[0]}")
            else:
                out += [f"{name}: check {c.name} failed: {c.message}" for c in report.checks if c.passed is False]
            if f.conformance is not None and not f.conformance.conforming:
                longest = f.conformance.longest
                out.append(f"{name}: {f.conformance.state} ({len(f.conformance.excursions)} excursions, longest "
                           f"{longest.duration_s:g} s from {longest.start_s:g} s)")
        out += [f"loss of separation: {a} and {b}" for a, b in self.audit.loss_pairs]
        return out

    @property
    def passed(self) -> bool:
        """True when every flight completed and conformed and no two lost separation."""
        return not self.failures

    def share_inside(self) -> float | None:
        """Share of all flown samples inside their intents."""
        judged = [f.conformance for f in self.flown if f.conformance is not None]
        samples = sum(c.samples for c in judged)
        return sum(c.inside for c in judged) / samples if samples else None

    def flight_rows(self) -> list[dict[str, Any]]:
        """One plain-data row per flight."""
        rows = []
        for f in self.flown:
            timing = f.report.to_dict()["timing"]
            rows.append({
                "order_id": f.flight.order_id, "drone": f.flight.drone, "pad": f.flight.pad,
                "layers_m_agl": list(f.flight.layers), "takeoff_s": f.flight.takeoff_s,
                "takeoff_at": self.plan.at(f.flight.takeoff_s).isoformat(timespec="seconds"),
                "planned_s": f.flight.flight_s, "flown_s": timing["flown_s"], "time_error": timing["error"],
                "wall_s": timing["wall_s"], "outcome": f.report.outcome,
                "failed_checks": [c.name for c in f.report.checks if c.passed is False],
                "conformance": f.conformance.as_dict() if f.conformance is not None else None,
            })
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data for JSON (schema :data:`SCHEMA`)."""
        plan = self.plan
        separation = self.audit.as_dict()
        if self.audit.closest_at_s is not None:
            separation["closest_at"] = plan.at(self.audit.closest_at_s).isoformat(timespec="seconds")
        conforming = sum(f.conformance is not None and f.conformance.conforming for f in self.flown)
        return _clean({
            "schema": SCHEMA, "plan": str(plan.path),
            "window": {"from": plan.at(self.t0_s).isoformat(timespec="seconds"),
                       "to": plan.at(self.t1_s).isoformat(timespec="seconds"), "from_s": self.t0_s,
                       "to_s": self.t1_s},
            "sitl": self.sitl, "wall_s": round(self.wall_s, 1), "flights_flown": len(self.flown),
            "completed": sum(f.report.record.completed for f in self.flown),
            "separation": separation,
            "pairs": [{"a": p.a, "b": p.b, "overlap_s": p.overlap_s, "closest_m": round(p.closest_m, 2),
                       "closest_at_s": p.at_s, "closest_3d_m": round(p.closest_3d_m, 2)} for p in self.pairs],
            "conformance": {
                "limits": {"max_excursion_s": MAX_EXCURSION_S, "max_excursions_per_flight_hour":
                           MAX_EXCURSIONS_PER_HOUR, "max_nonconforming_s": MAX_NONCONFORMING_S,
                           "min_share_inside": MIN_CONFORMANCE_SHARE, "standard": "ASTM F3548-21"},
                "conforming_flights": conforming, "share_inside": self.share_inside()},
            "flights": self.flight_rows(),
            "passed": self.passed, "failures": self.failures,
        })


def judge(plan: FleetPlan, t0_s: float, t1_s: float, flown: list[FlownFlight], wall_s: float = 0.0,
          sitl: dict[str, Any] | None = None) -> FleetReport:
    """Audit the placed tracks of ``flown`` against each other and bundle the report."""
    tracks = [f.track for f in flown if f.track is not None]
    audit = audit_separation(tracks, plan.horizontal_m, plan.vertical_m)
    return FleetReport(plan, t0_s, t1_s, flown, audit, pair_approaches(tracks, plan.vertical_m), wall_s, sitl or {})


def run_window(plan: FleetPlan, t0_s: float, t1_s: float, run: RunOptions, *, heading_deg: float = 0.0,
               progress: Callable[[FlownFlight], None] | None = None) -> FleetReport:
    """Fly the flights of ``plan`` taking off in ``[t0_s, t1_s)`` and judge them (:func:`judge`)."""
    flights = plan.window(t0_s, t1_s)
    started = time.monotonic()
    flown = fly_window(plan, flights, run, heading_deg=heading_deg, progress=progress)
    sitl = {"speedup": run.speedup or DEFAULT_SPEEDUP, "instances": run.jobs,
            "wind": {"speed_ms": plan.wind.speed_ms, "from_deg": plan.wind.from_deg},
            "binary": str(run.binary), "param_files": [Path(p).name for p in run.param_files]}
    return judge(plan, t0_s, t1_s, flown, time.monotonic() - started, sitl)
