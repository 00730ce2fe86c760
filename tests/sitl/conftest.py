"""Fixtures for tests that fly in ArduPilot SITL; without the arducopter binary they are skipped.

Provide the binary with ``DRONEDEL_ARDUCOPTER=/path/to/arducopter`` or by putting
``arducopter`` on ``PATH`` (docs/sitl.md). ``DRONEDEL_SITL_SPEEDUP`` and ``DRONEDEL_SITL_JOBS``
change the speed-up (default 60) and the number of SITL instances flying at once (default 2).
"""

import os
from pathlib import Path

import pytest

from dronedel.config import load_site
from dronedel.data import example_path
from dronedel.sitl import (
    HOW_TO_PROVIDE,
    Home,
    RunOptions,
    SitlNotFound,
    SitlOptions,
    SitlProcess,
    Vehicle,
    find_arducopter,
    regress,
)

TOP = Path(__file__).resolve().parents[2]
PARAMS = TOP / "sitl" / "delivery_quad.parm"
FRAME = TOP / "sitl" / "delivery_quad.json"
SCENARIOS = TOP / "sitl" / "scenarios"
SPEEDUP = float(os.environ.get("DRONEDEL_SITL_SPEEDUP", "60"))
JOBS = int(os.environ.get("DRONEDEL_SITL_JOBS", "2"))


@pytest.fixture(scope="session")
def arducopter() -> Path:
    try:
        return find_arducopter()
    except SitlNotFound:
        pytest.skip(HOW_TO_PROVIDE)


@pytest.fixture(scope="session")
def example_site():
    return load_site(example_path("site.toml"))


@pytest.fixture(scope="session")
def sitl_options(arducopter, example_site) -> SitlOptions:
    """SITL at the example depot with the delivery quad."""
    return SitlOptions(arducopter, Home.from_site(example_site.site), (PARAMS,), speedup=SPEEDUP, frame_file=FRAME)


@pytest.fixture
def sitl(sitl_options):
    """A running SITL process (stopped after the test, whatever happens)."""
    with SitlProcess(sitl_options) as process:
        yield process


@pytest.fixture
def vehicle(sitl):
    """A vehicle in SITL, connected, streaming, ready to arm."""
    vehicle = Vehicle.connect(sitl)
    vehicle.request_rates()
    vehicle.wait_ready_to_arm()
    yield vehicle
    vehicle.close()


@pytest.fixture(scope="session")
def regression(arducopter, tmp_path_factory):
    """Every scenario in sitl/scenarios flown once, ``JOBS`` at a time: {scenario name: [FlightResult]}.

    Reports are written to a temporary folder printed at the end of the run.
    """
    from dronedel.sitl.report import write_report

    out = tmp_path_factory.mktemp("sitl-regression")
    results = regress(SCENARIOS, RunOptions(arducopter, (PARAMS,), FRAME, SPEEDUP, JOBS))
    by_scenario: dict[str, list] = {}
    for result in results:
        write_report(result.report, out / f"{result.flight.name}.json")
        by_scenario.setdefault(result.scenario.name, []).append(result)
    return by_scenario
