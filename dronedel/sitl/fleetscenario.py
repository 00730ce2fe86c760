"""Fleet regression scenarios: ``sitl/scenarios/NAME/fleet.toml``, a window of a planned day flown at once.

Data, not code. The day is planned with ``dronedel plan`` from the scenario's site and orders
(each "example" for the bundled ones, else a path relative to the file), in its wind (default
the site's planning wind); then every flight taking off in the window is flown in SITL
(:func:`dronedel.sitl.fleet.run_window`)::

    description = "the busiest 30 minutes of the example day"
    site = "example"
    orders = "example"
    wind = "4@200"          # optional
    busiest_minutes = 30    # the window with the most take-offs; or
    # from = "13:00"        # HH:MM[:SS] on the plan's first day, or ISO 8601
    # to = "13:30"

A fleet scenario passes when every flight completes and conforms to its intent and no two
lose separation. A fleet scenario's folder holds no ``scenario.toml``, so ``dronedel sitl
regress`` (single flights) leaves it alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Wind, parse_wind
from ..data import example_path
from ..errors import InputError
from ..tomlfile import check_keys, read_toml
from .planfile import FleetPlan, busiest_window

__all__ = ["FLEET_FILE", "FleetScenario", "load_fleet_scenario"]

#: The file that makes a folder a fleet scenario.
FLEET_FILE = "fleet.toml"

_KEYS = ("busiest_minutes", "description", "from", "orders", "site", "to", "wind")


@dataclass(frozen=True)
class FleetScenario:
    """A loaded fleet scenario: the files to plan, the wind (``None``: the site's) and the window."""

    name: str
    path: Path
    description: str
    site: Path
    orders: Path
    wind: Wind | None
    busiest_minutes: float | None
    t_from: str | None
    t_to: str | None

    def window(self, plan: FleetPlan) -> tuple[float, float]:
        """The scenario's window in ``plan`` as plan seconds ``(t0, t1)``."""
        if self.busiest_minutes is not None:
            return busiest_window(plan.flights, 60.0 * self.busiest_minutes)
        try:
            t0, t1 = plan.parse_time(str(self.t_from)), plan.parse_time(str(self.t_to))
        except ValueError as exc:
            raise InputError(str(exc), str(self.path), "from/to") from None
        if t1 <= t0:
            raise InputError(f"to {self.t_to!r} is not after from {self.t_from!r}", str(self.path))
        return t0, t1


def load_fleet_scenario(path: str | Path) -> FleetScenario:
    """Read a fleet scenario folder (or its ``fleet.toml``); :class:`InputError` names the file and key."""
    path = Path(path)
    file = path / FLEET_FILE if path.is_dir() else path
    source = str(file)
    data = read_toml(file)
    check_keys(data, _KEYS, source)
    busiest = data.get("busiest_minutes")
    if busiest is not None and (isinstance(busiest, bool) or not isinstance(busiest, (int, float)) or busiest <= 0):
        raise InputError(f"busiest_minutes must be a positive number, not {busiest!r}", source)
    bounds = [str(data[k]) if k in data else None for k in ("from", "to")]
    if (busiest is None) != all(bounds) or (busiest is not None and any(bounds)):
        raise InputError("give busiest_minutes, or from and to", source)
    try:
        wind = parse_wind(str(data["wind"])) if "wind" in data else None
    except InputError as exc:
        raise InputError(exc.problem, source, "wind") from None
    base = file.parent

    def resolve(key: str, example: str) -> Path:
        value = str(data.get(key, "example"))
        return example_path(example) if value == "example" else base / value

    return FleetScenario(base.name, file, str(data.get("description", "")), resolve("site", "site.toml"),
                         resolve("orders", "orders.csv"), wind,
                         None if busiest is None else float(busiest), *bounds)
