"""``dronedel sitl``: fly a mission in ArduPilot SITL, a folder of regression scenarios, or a window of a plan."""

from __future__ import annotations

import argparse
import math
import warnings
from dataclasses import replace
from pathlib import Path

from ..airspace import site_airspace
from ..config import AircraftProfile, Wind
from ..errors import InputError, InputWarning
from ..fileio import write_json
from ..formats import read_mission
from ..sitl import (
    Expectations,
    Home,
    RunOptions,
    SitlOptions,
    build_report,
    default_frame_file,
    default_param_file,
    find_arducopter,
    fly_mission,
    planned_flight,
    regress,
    summary,
    write_report,
)
from ..intent.conformance import MAX_EXCURSION_S, MAX_EXCURSIONS_PER_HOUR, Excursion
from ..sitl.fleet import FleetReport, FlownFlight, run_window
from ..sitl.planfile import FleetPlan, busiest_window, read_plan_dir
from ..sitl.regress import DEFAULT_SPEEDUP, FlightResult
from ..sitl.report import FlightReport
from .common import (
    add_site_argument, add_wind_argument, print_table, separation_line, site_from_args, wind_from_args,
)

__all__ = ["register", "run"]


def _add_sitl_options(parser: argparse.ArgumentParser, speedup_help: str) -> None:
    parser.add_argument("--sitl-binary", type=Path, metavar="PATH",
                        help="the arducopter SITL binary (default: $DRONEDEL_ARDUCOPTER, arducopter on PATH, "
                        "$ARDUPILOT_HOME/build/sitl/bin/arducopter, ~/ardupilot/build/sitl/bin/arducopter)")
    parser.add_argument("--speedup", type=float, metavar="N", help=speedup_help)
    parser.add_argument("--params", type=Path, action="append", metavar="FILE",
                        help="SITL parameter file; repeat to load several, later ones win "
                        "(default: sitl/delivery_quad.parm)")
    parser.add_argument("--frame", type=Path, metavar="FILE",
                        help="SITL frame model, JSON (default: sitl/delivery_quad.json)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sitl", help="fly missions in ArduPilot SITL and check them against the plan",
        description="Fly missions against ArduPilot SITL (the real Copter firmware built for this machine): "
        "upload mission, fence and rally, arm, fly AUTO, record the track and check it against the mission, "
        "the fence, the airspace and the planned flight time.",
    )
    sub = parser.add_subparsers(title="actions", dest="action", metavar="ACTION", required=True)

    fly = sub.add_parser("fly", help="fly one mission file and report",
                         description="Start SITL at the mission's home (or the site's), fly MISSION (.plan or "
                         ".waypoints with its companion files) and check the flight.")
    fly.add_argument("mission", type=Path, metavar="MISSION", help="mission file (.plan or .waypoints)")
    _add_sitl_options(fly, f"simulation speed-up (default {DEFAULT_SPEEDUP:g})")
    add_wind_argument(fly, "wind in SITL and in the plan", "the site's planning wind, else none")
    fly.add_argument("--report", type=Path, metavar="JSON", help="write the flight report here")
    fly.add_argument("--plot", type=Path, metavar="PNG", help="draw the flown track over the plan here")
    add_site_argument(fly, required=False)

    reg = sub.add_parser("regress", help="fly every scenario under a folder and summarise",
                         description="Fly each scenario (DIR/NAME/scenario.toml, or DIR itself) and write one "
                         "report and plot per flight and summary.json into OUT.")
    reg.add_argument("scenarios", type=Path, metavar="DIR", help="scenario folder, e.g. sitl/scenarios")
    reg.add_argument("-o", "--output", type=Path, required=True, metavar="OUT", help="folder for the results")
    _add_sitl_options(reg, f"simulation speed-up (default: each scenario's, else {DEFAULT_SPEEDUP:g})")
    reg.add_argument("--jobs", type=int, default=1, metavar="N", help="SITL instances flying at once (default 1)")
    reg.add_argument("--no-plot", action="store_true", help="do not draw the flights")

    fleet = sub.add_parser("fleet", help="fly a time window of a plan, a fleet at once, and audit it",
                           description="Fly every flight of PLAN_DIR/plan.json taking off in the window, each in "
                           "its own SITL homed at its pad with the plan's wind, several at once; place the flown "
                           "tracks in plan time and report the closest approach and losses of separation between "
                           "them and each flight's conformance to its ASTM F3548-21 intent. Writes OUT/fleet.json, "
                           "OUT/flights/ORDER.json and the figures OUT/fleet_map.png and OUT/fleet_separation.png. "
                           "Exit code 1 on a loss of separation, a nonconforming flight or a failed flight.")
    fleet.add_argument("plan", type=Path, metavar="PLAN_DIR", help="a dronedel plan output folder")
    when = fleet.add_argument_group("window (take-off times)")
    when.add_argument("--from", dest="t_from", metavar="TIME",
                      help="first take-off time: ISO 8601 date-time, or HH:MM[:SS] on the plan's first day "
                      "(both in the plan's time zone unless an offset is given)")
    when.add_argument("--to", dest="t_to", metavar="TIME", help="take-offs before this time (as --from)")
    when.add_argument("--busiest", type=float, metavar="MIN",
                      help="instead of --from/--to: the MIN-minute window with the most take-offs")
    fleet.add_argument("-o", "--output", type=Path, required=True, metavar="OUT", help="folder for the results")
    _add_sitl_options(fleet, f"simulation speed-up (default {DEFAULT_SPEEDUP:g})")
    fleet.add_argument("--instances", type=int, default=2, metavar="N", help="SITL instances flying at once "
                       "(default 2)")
    add_site_argument(fleet, required=False)
    fleet.add_argument("--no-plot", action="store_true", help="do not draw the figures")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return {"fly": run_fly, "regress": run_regress, "fleet": run_fleet}[args.action](args)


def _files(args: argparse.Namespace) -> tuple[Path, tuple[Path, ...], Path]:
    binary = find_arducopter(args.sitl_binary)
    params = tuple(args.params) if args.params else (default_param_file(),)
    return binary, params, args.frame or default_frame_file()


def _print_report(report: FlightReport) -> None:
    print_table(["check", "result", "detail"],
                [[c.name, {True: "pass", False: "FAIL", None: "-"}[c.passed], c.message] for c in report.checks])
    print(f"outcome: {report.outcome}")


def run_fly(args: argparse.Namespace) -> int:
    mission = read_mission(args.mission)
    config = site_from_args(args) if args.site else None
    binary, params, frame = _files(args)
    profile = config.aircraft if config else AircraftProfile()
    wind = wind_from_args(args, config.planning.wind if config else Wind())
    lon, lat, amsl = mission.home
    home = Home.from_site(config.site) if config else Home(lon, lat, amsl)
    expect = Expectations()
    try:
        planned = planned_flight(mission, profile, wind)
        expect = replace(expect, planned_time_s=planned.duration_s, planned_energy_wh=planned.energy_wh)
    except ValueError as exc:
        warnings.warn(f"{args.mission}: no planned flight time to compare with: {exc}", InputWarning, stacklevel=1)
    airspace = site_airspace(config) if config else None
    if config is not None:
        alt_max = mission.params.get("FENCE_ALT_MAX", profile.cruise_alt_m)
        zones = airspace.blocking(0.0, alt_max, authorisations=config.airspace.authorisations)
        expect = replace(expect, zones=tuple(zones), operating_area=airspace.operating_area,
                         ground_amsl_m=config.site.elevation_m)
    options = SitlOptions(binary, home, params, speedup=args.speedup or DEFAULT_SPEEDUP, wind=wind,
                          frame_file=frame)
    print(f"flying {args.mission} in SITL ({binary}, speed-up {options.speedup:g}, wind {wind})")
    record = fly_mission(mission, options, timeout_s=2 * (expect.planned_time_s or 1800.0) + 300.0)
    report = build_report(record, mission, expect, options)
    _print_report(report)
    if args.report:
        print(write_report(report, args.report))
    if args.plot:
        from ..plot.track import plot_flight

        print(plot_flight(report, args.plot, airspace=airspace, site=config.site if config else None,
                          authorisations=config.airspace.authorisations if config else ()))
    return 0 if report.passed else 1


def run_regress(args: argparse.Namespace) -> int:
    binary, params, frame = _files(args)
    run_options = RunOptions(binary, params, frame, args.speedup, args.jobs)
    out: Path = args.output

    def done(result: FlightResult) -> None:
        report = result.report
        timing = report.check("flight_time")
        print(f"{result.flight.name}: {report.outcome} ({timing.message}, {report.record.wall_s:.0f} s wall)",
              flush=True)
        write_report(report, out / f"{result.flight.name}.json")
        if not args.no_plot:
            from ..plot.track import plot_flight

            config = result.scenario.config
            plot_flight(report, out / f"{result.flight.name}.png", airspace=result.scenario.airspace,
                        site=config.site, at=result.flight.takeoff, authorisations=config.airspace.authorisations)

    results = regress(args.scenarios, run_options, progress=done)
    data = summary(results)
    write_json(out / "summary.json", data)
    print_table(["flight", "delivery", "outcome", "flown s", "planned s", "error", "failed"],
                [[r["flight"], r["delivery"], r["outcome"], _num(r["flown_s"], ".1f"), _num(r["planned_s"], ".1f"),
                  _num(r["error"], "+.1%"), ", ".join(r["failed_checks"]) or "-"] for r in data["flights"]])
    print(f"{data['passed']} of {data['total']} flights passed; summary in {out / 'summary.json'}")
    return 0 if data["passed"] == data["total"] else 1


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _plan_time(text: str, plan: FleetPlan, option: str) -> float:
    try:
        return plan.parse_time(text)
    except ValueError as exc:
        raise InputError(str(exc), option) from None


def _window(args: argparse.Namespace, plan: FleetPlan) -> tuple[float, float]:
    if args.busiest is not None:
        if args.t_from or args.t_to:
            raise InputError("give either --busiest or --from and --to, not both", "--busiest")
        if not args.busiest > 0:
            raise InputError("must be a positive number of minutes", "--busiest")
        return busiest_window(plan.flights, 60.0 * args.busiest)
    if not (args.t_from and args.t_to):
        raise InputError("give the window as --from TIME --to TIME, or --busiest MINUTES", "--from")
    t0, t1 = _plan_time(args.t_from, plan, "--from"), _plan_time(args.t_to, plan, "--to")
    if t1 <= t0:
        raise InputError(f"{args.t_to!r} is not after --from {args.t_from!r}", "--to")
    return t0, t1


def _excursion(e: Excursion | None, takeoff_s: float) -> str:
    return "-" if e is None else f"{e.duration_s:g} s at +{e.start_s - takeoff_s:.0f} s"


def _print_fleet(report: FleetReport) -> None:
    plan = report.plan
    rows = []
    for f in report.flown:
        c, timing = f.conformance, f.report.to_dict()["timing"]
        rows.append([f.flight.order_id, f.flight.drone, f.flight.pad, f"{plan.at(f.flight.takeoff_s):%H:%M:%S}",
                     f"{f.flight.flight_s:.0f}", _num(timing["flown_s"], ".0f"), _num(timing["error"], "+.1%"),
                     "-" if c is None else f"{c.share:.1%}", "-" if c is None else f"{len(c.excursions)}/"
                     f"{c.allowed_excursions}", _excursion(c and c.first, f.flight.takeoff_s),
                     _excursion(c and c.longest, f.flight.takeoff_s), f.report.outcome if c is None else c.state])
    print_table(["flight", "drone", "pad", "take-off", "planned s", "flown s", "error", "inside", "excursions",
                 "first", "longest", "state"], rows)
    print()
    print(separation_line(report.audit))
    if report.pairs:
        print()
        print_table(["closest pairs (3D)", "airborne together s", "horizontal m (within vertical standard)", "3D m"],
                    [[f"{p.a} / {p.b}", p.overlap_s, _num(p.closest_m if math.isfinite(p.closest_m) else None, ".1f"),
                      f"{p.closest_3d_m:.1f}"] for p in report.pairs[:5]])
    data = report.to_dict()
    share = data["conformance"]["share_inside"]
    print(f"\nconformance (ASTM F3548-21: at most {MAX_EXCURSION_S:g} s per excursion, {MAX_EXCURSIONS_PER_HOUR} "
          f"excursions per flight hour): {data['conformance']['conforming_flights']} of {len(report.flown)} flights "
          f"conforming; {_num(share, '.2%')} of samples inside their intents; {report.wall_s:.0f} s wall")
    for line in report.failures:
        print(f"FAIL {line}")


def run_fleet(args: argparse.Namespace) -> int:
    plan = read_plan_dir(args.plan)
    t0, t1 = _window(args, plan)
    if args.instances < 1:
        raise InputError("must be at least 1", "--instances")
    flights = plan.window(t0, t1)
    config = site_from_args(args) if args.site else None
    binary, params, frame = _files(args)
    out: Path = args.output
    print(f"flying {len(flights)} flights taking off {plan.at(t0):%Y-%m-%d %H:%M:%S} to {plan.at(t1):%H:%M:%S} in "
          f"SITL, {args.instances} at a time (speed-up {args.speedup or DEFAULT_SPEEDUP:g}, wind {plan.wind})",
          flush=True)
    done = []

    def flown(f: FlownFlight) -> None:
        done.append(f)
        state = f.conformance.state if f.conformance is not None else "-"
        print(f"[{len(done)}/{len(flights)}] {f.flight.order_id}: {f.report.outcome}, {state} "
              f"({f.report.record.wall_s:.0f} s wall)", flush=True)
        write_report(f.report, out / "flights" / f"{f.flight.order_id}.json")

    report = run_window(plan, t0, t1, RunOptions(binary, params, frame, args.speedup, args.instances),
                        heading_deg=config.site.heading_deg if config else 0.0, progress=flown)
    path = write_json(out / "fleet.json", report.to_dict())
    _print_fleet(report)
    print(f"\nreport: {path}")
    if not args.no_plot:
        from ..plot.fleet_window import plot_fleet_separation, plot_fleet_tracks

        airspace, site = (site_airspace(config), config.site) if config else (None, None)
        print(f"figures: {plot_fleet_tracks(report, out / 'fleet_map.png', airspace=airspace, site=site)}, "
              f"{plot_fleet_separation(report, out / 'fleet_separation.png')}")
    return 0 if report.passed else 1
