"""Regression scenarios: ``sitl/scenarios/NAME/scenario.toml``, data that says what to fly and expect.

A scenario names a site file (``site = "example"`` for the bundled College Station site, or
a path relative to the scenario file), the orders — an orders file (``orders``, "example" for
the bundled day) of which the first ``flights`` accepted flights are flown, or a single
``[door]`` — optional extra airspace files, a wind (m/s @ degrees it blows from) used by
the planner and by SITL alike, overrides of the site's ``[aircraft]`` profile (e.g. the
delivery method), SITL options and the expectations::

    description = "first flight of the example day"
    site = "example"
    orders = "example"
    flights = 1
    wind = "4@200"
    airspace = ["nofly.geojson"]
    [door]                       # instead of orders
    lon = -96.25
    lat = 30.57
    weight_kg = 1.0
    placed_at = "2026-06-13T10:00:00"   # default: the plan start
    [aircraft]
    delivery = "winch"
    [sitl]
    speedup = 50
    turbulence_ms = 0.0
    [expect]
    max_time_error = 0.05
    delivery_tolerance_m = 5.0
    delivery_alt_tolerance_m = 1.5

Each flight is planned by the dispatch planner and turned into a mission by
:mod:`dronedel.mission`, exactly as ``dronedel plan`` and ``dronedel mission build`` do.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..airspace import site_airspace
from ..airspace.model import Airspace
from ..config import AircraftProfile, SiteConfig, Wind, load_site, parse_wind
from ..data import example_path
from ..dispatch import plan_day
from ..errors import InputError
from ..geo import check_lon_lat
from ..mission import Mission
from ..mission.flights import plan_missions
from ..orders import Order, OrderBook, load_orders
from ..tomlfile import build_dataclass, check_keys, read_toml, sub_table
from .checks import Expectations
from .plan import planned_flight

__all__ = ["SCENARIO_FILE", "Scenario", "ScenarioFlight", "load_scenario", "find_scenarios"]

#: The file that makes a folder a scenario.
SCENARIO_FILE = "scenario.toml"

_KEYS = ("aircraft", "airspace", "description", "door", "expect", "flights", "orders", "site", "sitl", "wind")
_EXPECT = ("delivery_alt_tolerance_m", "delivery_tolerance_m", "max_time_error")
_SITL = ("speedup", "turbulence_ms")


@dataclass(frozen=True)
class ScenarioFlight:
    """One flight of a scenario: its mission, the package mass, what to expect and when it takes off."""

    name: str
    mission: Mission
    payload_kg: float
    expectations: Expectations
    takeoff: datetime


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario; :meth:`flights` plans it."""

    name: str
    path: Path
    description: str
    config: SiteConfig
    airspace: Airspace
    orders: OrderBook
    flight_count: int
    wind: Wind
    sitl: dict[str, float] = field(default_factory=dict)
    expect: dict[str, float] = field(default_factory=dict)

    def flights(self) -> list[ScenarioFlight]:
        """Plan the orders and return the first ``flight_count`` accepted flights as missions.

        Raises :class:`InputError` when fewer flights than that are accepted (with the
        planner's reasons for the first rejections).
        """
        plan = plan_day(self.config, self.orders, self.airspace, wind=self.wind, source=str(self.path))
        out = []
        weights = {d.order_id: d.weight_kg for d in plan.decisions}
        for decision, mission in plan_missions(plan, self.airspace, self.flight_count):
            flight = decision.flight
            takeoff, landing = plan.at(flight.takeoff_s), plan.at(flight.land_s)
            planned = planned_flight(mission, self.config.aircraft, self.wind, weights[decision.order_id])
            alt_max = mission.params.get("FENCE_ALT_MAX", self.config.aircraft.cruise_alt_m)
            zones = self.airspace.blocking(0.0, alt_max, takeoff, landing, self.config.airspace.authorisations)
            expect = Expectations(planned_time_s=planned.duration_s, planned_energy_wh=planned.energy_wh,
                                  zones=tuple(zones), operating_area=self.airspace.operating_area,
                                  ground_amsl_m=self.config.site.elevation_m, **self.expect)
            name = f"{self.name}-{decision.order_id}"
            out.append(ScenarioFlight(name, mission.replace(name=name), weights[decision.order_id], expect, takeoff))
        if len(out) < self.flight_count:
            rejected = [f"{d.order_id}: {d.reason} ({d.detail})" for d in plan.decisions if not d.accepted][:3]
            raise InputError(f"the planner accepted {len(out)} flight(s), the scenario flies {self.flight_count}; "
                             + "; ".join(rejected), str(self.path))
        return out


def _resolve(value: str, base: Path, example: str) -> Path:
    return example_path(example) if value == "example" else base / value


def _door_book(door: dict[str, Any], config: SiteConfig, source: str) -> OrderBook:
    missing = sorted({"lon", "lat"} - set(door))
    if missing:
        raise InputError(f"missing {', '.join(missing)} (degrees WGS84)", source, "[door]")
    start = config.planning.start
    if start is None:
        raise InputError("a [door] scenario needs a plan start ([planning] start in the site file)", source)
    try:
        lon, lat, weight = float(door["lon"]), float(door["lat"]), float(door.get("weight_kg", 1.0))
        placed = door.get("placed_at", start)
        placed = placed if isinstance(placed, datetime) else (
            start + timedelta(seconds=float(placed)) if isinstance(placed, (int, float))
            else datetime.fromisoformat(str(placed)))
    except (TypeError, ValueError) as exc:
        raise InputError(f"bad value: {exc}", source, "[door]") from None
    check_lon_lat(lon, lat, source, "[door]")
    placed = placed.replace(tzinfo=config.site.tz) if placed.tzinfo is None else placed
    return OrderBook((Order("door", placed, lon, lat, weight),), start)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario folder (or its ``scenario.toml``); :class:`InputError` names the file and key at fault."""
    path = Path(path)
    file = path / SCENARIO_FILE if path.is_dir() else path
    source = str(file)
    data = read_toml(file)
    check_keys(data, _KEYS, source)
    base = file.parent
    config = load_site(_resolve(str(data.get("site", "example")), base, "site.toml"))
    extra = tuple(base / str(f) for f in data.get("airspace", []))
    aircraft = build_dataclass(AircraftProfile, sub_table(data, "aircraft", source), source, "aircraft",
                               base=config.aircraft)
    config = replace(config, aircraft=aircraft, airspace=replace(config.airspace, files=config.airspace.files + extra))
    wind = parse_wind(data["wind"]) if "wind" in data else config.planning.wind
    config = config.with_planning(wind=wind)
    if "door" in data and "orders" in data:
        raise InputError("give either orders or [door], not both", source)
    if "door" in data:
        book = _door_book(sub_table(data, "door", source), config, source)
    else:
        orders = _resolve(str(data.get("orders", "example")), base, "orders.csv")
        book = load_orders(orders, config.site.tz, config.planning.start)
    flights = data.get("flights", 1)
    if not isinstance(flights, int) or isinstance(flights, bool) or flights < 1:
        raise InputError(f"flights must be a whole number of at least 1, not {flights!r}", source)
    expect = sub_table(data, "expect", source)
    check_keys(expect, _EXPECT, source, "[expect]")
    sitl = sub_table(data, "sitl", source)
    check_keys(sitl, _SITL, source, "[sitl]")
    return Scenario(base.name, file, str(data.get("description", "")), config, site_airspace(config), book,
                    flights, wind, {k: float(v) for k, v in sitl.items()}, {k: float(v) for k, v in expect.items()})


def find_scenarios(folder: str | Path) -> list[Path]:
    """Scenario folders under ``folder`` (or ``folder`` itself if it is one), sorted by name."""
    folder = Path(folder)
    if (folder / SCENARIO_FILE).is_file():
        return [folder]
    found = sorted(p.parent for p in folder.glob(f"*/{SCENARIO_FILE}"))
    if not found:
        raise InputError(f"no {SCENARIO_FILE} in {folder} or its sub-folders", str(folder))
    return found
