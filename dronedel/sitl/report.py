"""The report of a SITL flight: outcome, checks, timing, faults and a thinned track, as JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..fileio import write_json
from ..mission import Mission
from .checks import Check, Expectations, check_flight
from .flight import FlightRecord
from .process import SitlOptions

__all__ = ["FlightReport", "build_report", "write_report", "sitl_summary", "OUTCOMES"]

#: Outcomes: every check passed; a check failed; the flight ended in a fault.
OUTCOMES = ("passed", "failed", "fault")


def _clean(value: Any) -> Any:
    """``value`` with numpy scalars as Python numbers and non-finite floats as ``None`` (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, Path):
        return str(value)
    return value


@dataclass
class FlightReport:
    """One flight's outcome (one of :data:`OUTCOMES`), its checks, its record and how SITL ran."""

    mission: Mission
    record: FlightRecord
    checks: list[Check]
    expectations: Expectations
    sitl: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        """``fault`` (the flight broke off), ``failed`` (a check failed) or ``passed``."""
        if self.record.fault is not None:
            return "fault"
        return "failed" if any(c.passed is False for c in self.checks) else "passed"

    @property
    def passed(self) -> bool:
        """True if the outcome is ``passed``."""
        return self.outcome == "passed"

    def check(self, name: str) -> Check:
        """The check called ``name``; ``KeyError`` if there is none."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self, track_step_s: float = 1.0) -> dict[str, Any]:
        """Plain data for JSON; the track thinned to one sample per ``track_step_s`` simulated seconds."""
        rec = self.record
        track = rec.track
        if len(track):
            keep = np.flatnonzero(np.diff(np.floor(track.t_s / track_step_s), prepend=-1) > 0)
            rows = track.data[np.union1d(keep, [len(track) - 1])][:, :5]
        else:
            rows = np.empty((0, 5))
        sim_s = float(track.t_s[-1]) if len(track) else None
        flown = rec.flight_time_s
        planned = self.expectations.planned_time_s
        return _clean({
            "mission": self.mission.name,
            "delivery": self.mission.delivery,
            "outcome": self.outcome,
            "fault": asdict(rec.fault) if rec.fault is not None else None,
            "checks": [asdict(c) for c in self.checks],
            "timing": {
                "flown_s": flown,
                "planned_s": planned,
                "error": (flown - planned) / planned if flown is not None and planned else None,
                "armed_s": rec.armed_s,
                "disarmed_s": rec.disarmed_s,
                "wall_s": rec.wall_s,
                "realtime_factor": sim_s / rec.wall_s if sim_s and rec.wall_s > 0 else None,
            },
            "energy": {"sitl_wh": rec.energy_wh, "planned_wh": self.expectations.planned_energy_wh},
            "sitl": self.sitl,
            "events": {
                "reached": rec.reached,
                "current": rec.current,
                "modes": rec.modes,
                "landed_state": rec.landed,
                "fence_status": rec.fence,
                "statustext": [asdict(s) for s in rec.statustexts],
            },
            "track": {"columns": ["t_s", "lon", "lat", "alt_amsl_m", "alt_rel_m"], "rows": rows.tolist()},
        })


def sitl_summary(options: SitlOptions) -> dict[str, Any]:
    """How SITL was run, for the report."""
    return {
        "binary": str(options.binary),
        "param_files": [Path(p).name for p in options.param_files],
        "frame_file": Path(options.frame_file).name if options.frame_file else None,
        "speedup": options.speedup,
        "wind": {"speed_ms": options.wind.speed_ms, "from_deg": options.wind.from_deg,
                 "turbulence_ms": options.turbulence_ms},
        "home": asdict(options.home),
    }


def build_report(record: FlightRecord, mission: Mission, expect: Expectations,
                 options: SitlOptions | None = None) -> FlightReport:
    """Run every check on ``record`` and bundle the result."""
    return FlightReport(mission, record, check_flight(record, mission, expect), expect,
                        sitl_summary(options) if options is not None else {})


def write_report(report: FlightReport, path: str | Path) -> Path:
    """Write ``report`` as JSON, atomically."""
    return write_json(path, report.to_dict())
