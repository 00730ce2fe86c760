"""Fly regression scenarios in SITL, several at once, and summarise flown against planned."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .flight import fly_mission
from .process import Home, SitlOptions
from .report import FlightReport, build_report
from .scenario import Scenario, ScenarioFlight, find_scenarios, load_scenario

__all__ = ["RunOptions", "FlightResult", "DEFAULT_SPEEDUP", "fly_flight", "regress", "summary"]

#: Speed-up when neither the caller nor the scenario names one.
DEFAULT_SPEEDUP = 40.0


@dataclass(frozen=True)
class RunOptions:
    """How to run SITL: the binary, parameter files, frame model, speed-up (``None``: the
    scenario's, else :data:`DEFAULT_SPEEDUP`) and how many flights at once."""

    binary: Path
    param_files: tuple[Path, ...]
    frame_file: Path | None = None
    speedup: float | None = None
    jobs: int = 1


@dataclass(frozen=True)
class FlightResult:
    """One flown scenario flight and its report."""

    scenario: Scenario
    flight: ScenarioFlight
    report: FlightReport


def sitl_options(scenario: Scenario, run: RunOptions) -> SitlOptions:
    """SITL options for a flight of ``scenario``: the site as home, the scenario's wind."""
    speedup = run.speedup or scenario.sitl.get("speedup", DEFAULT_SPEEDUP)
    return SitlOptions(run.binary, Home.from_site(scenario.config.site), run.param_files, speedup=speedup,
                       wind=scenario.wind, turbulence_ms=scenario.sitl.get("turbulence_ms", 0.0),
                       frame_file=run.frame_file)


def fly_flight(scenario: Scenario, flight: ScenarioFlight, run: RunOptions) -> FlightResult:
    """Fly one scenario flight in its own SITL and check it.

    The flight may last twice its planned time plus five minutes (simulated) before it
    counts as timed out.
    """
    options = sitl_options(scenario, run)
    planned = flight.expectations.planned_time_s or 1800.0
    record = fly_mission(flight.mission, options, timeout_s=2 * planned + 300.0)
    return FlightResult(scenario, flight, build_report(record, flight.mission, flight.expectations, options))


def regress(folder: str | Path, run: RunOptions,
            progress: Callable[[FlightResult], None] | None = None) -> list[FlightResult]:
    """Load every scenario under ``folder``, plan its flights and fly them, ``run.jobs`` at a time.

    Scenarios are all loaded and planned before the first flight, so a bad scenario file
    stops the run early. ``progress`` is called with each result as it completes.
    """
    work = [(scenario, flight) for path in find_scenarios(folder)
            for scenario in [load_scenario(path)] for flight in scenario.flights()]

    def one(item: tuple[Scenario, ScenarioFlight]) -> FlightResult:
        result = fly_flight(*item, run)
        if progress is not None:
            progress(result)
        return result

    with ThreadPoolExecutor(max(1, run.jobs)) as pool:
        return list(pool.map(one, work))


def summary(results: Sequence[FlightResult]) -> dict[str, Any]:
    """Plain data for a summary file: one row per flight, and the worst time error."""
    rows = []
    for result in results:
        data = result.report.to_dict()
        rows.append({
            "scenario": result.scenario.name, "flight": result.flight.name, "delivery": result.flight.mission.delivery,
            "outcome": data["outcome"], "fault": data["fault"], **{k: data["timing"][k] for k in
                                                                  ("flown_s", "planned_s", "error", "wall_s",
                                                                   "realtime_factor")},
            "failed_checks": [c["name"] for c in data["checks"] if c["passed"] is False],
        })
    errors = [abs(r["error"]) for r in rows if r["error"] is not None]
    return {"flights": rows, "passed": sum(r["outcome"] == "passed" for r in rows), "total": len(rows),
            "max_abs_time_error": max(errors) if errors else None}
