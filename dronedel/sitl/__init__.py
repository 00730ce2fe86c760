"""Fly missions in ArduPilot SITL: find the binary, run it, fly, record, check and report.

Typical use::

    from dronedel.sitl import (Expectations, Home, SitlOptions, build_report, default_frame_file,
                               default_param_file, find_arducopter, fly_mission, planned_flight)
    options = SitlOptions(find_arducopter(), Home(lon, lat, ground_amsl_m), (default_param_file(),),
                          frame_file=default_frame_file())
    record = fly_mission(mission, options)
    plan = planned_flight(mission, profile)
    report = build_report(record, mission, Expectations(planned_time_s=plan.duration_s), options)

A window of a planned day, flown at once (``dronedel plan`` output folder)::

    plan = read_plan_dir("day")
    report = run_window(plan, *busiest_window(plan.flights, 1800.0), RunOptions(find_arducopter(), params, frame,
                        jobs=2))
    print(report.audit.closest_m, [f.conformance.state for f in report.flown])
"""

from ..intent.conformance import Conformance, Excursion, conformance
from .binary import ENV_VAR, HOW_TO_PROVIDE, find_arducopter
from .checks import Check, Expectations, check_flight
from .errors import ArmingRefused, CommandFailed, LinkLost, SitlCrashed, SitlError, SitlNotFound, SitlTimeout
from .fleet import FleetReport, FlownFlight, fly_window, judge, place_track, run_window
from .fleetscenario import FleetScenario, load_fleet_scenario
from .flight import Fault, FlightRecord, Track, fly, fly_mission
from .plan import mission_route, planned_flight
from .planfile import FleetPlan, PlanFlight, busiest_window, read_plan_dir
from .process import (
    Home,
    SitlOptions,
    SitlProcess,
    default_frame_file,
    default_param_file,
    reserve_instance,
    stop_all,
)
from .regress import RunOptions, regress, summary
from .report import FlightReport, build_report, write_report
from .scenario import Scenario, load_scenario
from .vehicle import Vehicle

__all__ = [
    "ENV_VAR", "HOW_TO_PROVIDE", "find_arducopter",
    "SitlError", "SitlNotFound", "SitlCrashed", "LinkLost", "ArmingRefused", "SitlTimeout", "CommandFailed",
    "Home", "SitlOptions", "SitlProcess", "default_param_file", "default_frame_file", "reserve_instance",
    "stop_all", "Vehicle", "Track", "Fault", "FlightRecord", "fly", "fly_mission",
    "Check", "Expectations", "check_flight", "mission_route", "planned_flight",
    "FlightReport", "build_report", "write_report", "Scenario", "load_scenario", "RunOptions", "regress", "summary",
    "FleetPlan", "PlanFlight", "read_plan_dir", "busiest_window", "FlownFlight", "FleetReport", "place_track",
    "fly_window", "judge", "run_window", "Conformance", "Excursion", "conformance", "FleetScenario",
    "load_fleet_scenario",
]
