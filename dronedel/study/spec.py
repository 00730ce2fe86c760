"""The study file (TOML): sites, axes, demand, weather and the sizing question.

A study is the product of its axes: every site x fleet size x demand level x promise x
policy x weather draw x seed is one cell, one simulated site-day. See docs/studies.md for
every key; each problem is an :class:`~dronedel.errors.InputError` naming the file and key.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..dispatch import POLICIES
from ..errors import InputError
from ..tomlfile import check_keys, read_toml, sub_table

__all__ = ["SiteSpec", "DemandSpec", "Cell", "Study", "load_study", "METRICS"]

#: Row columns the sizing question can ask about (shares between 0 and 1).
METRICS = ("served_share", "served_share_in_reach", "on_time_share")


@dataclass(frozen=True)
class SiteSpec:
    """One ``[[site]]``: its site file, demand density (``uniform``, ``clusters``, or a CSV/GeoTIFF path),
    the clusters, how far beyond the reachable area demand reaches (m), and its weather: a ``climate``
    or ``observations`` file (the site's own or ``[weather]``'s), the wind limit (m/s, hourly mean at
    flight height) and the minimum visibility (m)."""

    key: str
    file: Path
    weather_kind: str
    weather_file: Path
    density: str = "uniform"
    clusters: tuple[dict[str, Any], ...] = ()
    background: float = 0.0
    beyond_m: float = 0.0
    max_wind_ms: float = 12.0
    min_visibility_m: float = 4828.0


@dataclass(frozen=True)
class DemandSpec:
    """``[demand]``: the hourly profile (None: lunch and dinner peaks), lognormal package masses,
    and whether the daily volume is Poisson-distributed around each demand level."""

    profile: tuple[float, ...] | None = None
    weight_median_kg: float = 1.0
    weight_sigma: float = 0.7
    poisson: bool = True


@dataclass(frozen=True, order=True)
class Cell:
    """One site-day of a study: the values of every axis. ``promise_min`` None is the site file's."""

    site: str
    date: str
    orders_per_day: float
    promise_min: float | None
    policy: str
    draw: int
    seed: int
    fleet: int

    @property
    def day_key(self) -> tuple:
        """What the cells simulating the same day of orders and weather share (all but fleet and policy)."""
        return (self.site, self.date, self.orders_per_day, self.promise_min, self.draw, self.seed)

    def as_dict(self) -> dict[str, Any]:
        return {"site": self.site, "date": self.date, "fleet": self.fleet, "orders_per_day": self.orders_per_day,
                "promise_min": self.promise_min, "policy": self.policy, "draw": self.draw, "seed": self.seed}


@dataclass(frozen=True)
class Study:
    """A study file, checked. Sizing: the smallest fleet whose ``metric`` reaches ``target`` at the
    ``weather_percentile`` of the draws (10: reached on 9 days out of 10); means carry
    ``confidence`` intervals."""

    path: Path
    name: str
    days: tuple[date, ...]
    seed: int
    sites: tuple[SiteSpec, ...]
    fleets: tuple[int, ...]
    orders_per_day: tuple[float, ...]
    promises_min: tuple[float | None, ...]
    policies: tuple[str, ...]
    weather_draws: int
    seeds: tuple[int, ...]
    demand: DemandSpec
    target: float = 0.95
    metric: str = "served_share_in_reach"
    weather_percentile: float = 10.0
    confidence: float = 0.95
    delivery_sigma: float = 0.25
    batch_s: float = 60.0

    def cells(self) -> list[Cell]:
        """Every cell, sorted (site, date, demand, promise, policy, draw, seed, fleet)."""
        return sorted(Cell(s.key, day.isoformat(), n, p, pol, d, seed, f)
                      for s, day, n, p, pol, d, seed, f in itertools.product(
            self.sites, self.days, self.orders_per_day, self.promises_min, self.policies, range(self.weather_draws),
            self.seeds, self.fleets))


_STUDY_KEYS = ("name", "date", "seed", "target", "metric", "weather_percentile", "confidence", "delivery_sigma",
               "batch_s")
_AXES_KEYS = ("fleet", "orders_per_day", "promise_min", "policy", "weather_draws", "seeds")
_SITE_KEYS = ("file", "name", "density", "cluster", "background", "beyond_m", "climate", "observations",
              "max_wind_ms", "min_visibility_m")
_DEMAND_KEYS = ("profile", "weight_median_kg", "weight_sigma", "poisson")
_WEATHER_KEYS = ("climate", "observations", "max_wind_ms", "min_visibility_m")


class _Reader:
    """Typed access to one TOML table, every error naming the file and ``[section] key``."""

    def __init__(self, table: dict[str, Any], source: str, section: str) -> None:
        self.table, self.source, self.section = table, source, section

    def fail(self, key: str, message: str) -> InputError:
        return InputError(message, self.source, f"[{self.section}] {key}")

    def number(self, key: str, default: float, low: float | None = None, high: float | None = None) -> float:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"must be a number, not {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(key, f"must be between {low:g} and {high:g}, not {value!r}" if high is not None
                            else f"must be at least {low:g}, not {value!r}")
        return float(value)

    def integer(self, key: str, default: int, low: int) -> int:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(key, f"must be an integer of at least {low}, not {value!r}")
        return value

    def axis(self, key: str, default: list | None, check) -> tuple:
        value = self.table.get(key, default)
        if value is None:
            raise self.fail(key, "missing: give a list of values")
        values = value if isinstance(value, list) else [value]
        if not values:
            raise self.fail(key, "is empty: give at least one value")
        for v in values:
            problem = check(v)
            if problem:
                raise self.fail(key, f"{v!r} {problem}")
        if len(set(values)) != len(values):
            raise self.fail(key, "lists a value twice")
        return tuple(values)


def _positive_int(v: Any) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) and v >= 1 else "is not a whole number >= 1"


def _non_negative(v: Any) -> str | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
    return None if ok else "is not a non-negative number"


def _positive(v: Any) -> str | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
    return None if ok else "is not a positive number"


def _integer(v: Any) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) else "is not an integer"


def _policy(v: Any) -> str | None:
    return None if v in POLICIES else f"is not a policy ({', '.join(POLICIES)})"


def _days(value: Any, reader: _Reader) -> tuple[date, ...]:
    days = tuple(_day(v, reader) for v in (value if isinstance(value, list) else [value]))
    if not days:
        raise reader.fail("date", "is empty: give a date or a list of dates")
    if len(set(days)) != len(days):
        raise reader.fail("date", "lists a date twice")
    return days


def _day(value: Any, reader: _Reader) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise reader.fail("date", f"{value!r} is not a date (YYYY-MM-DD)") from None


def _site(table: Any, k: int, base: Path, source: str, weather: _Reader) -> SiteSpec:
    where = f"site.{k + 1}"
    if not isinstance(table, dict):
        raise InputError("each [[site]] must be a table", source, f"[[site]] {k + 1}")
    check_keys(table, _SITE_KEYS, source, f"[[site]] {k + 1}")
    r = _Reader(table, source, where)
    if "file" not in table:
        raise r.fail("file", "missing: the site file (TOML), relative to the study file")
    path = base / str(table["file"])
    if not path.is_file():
        raise r.fail("file", f"site file {path} not found")
    density = str(table.get("density", "clusters" if "cluster" in table else "uniform"))
    if density not in ("uniform", "clusters"):
        density_path = base / density
        if not density_path.is_file():
            raise r.fail("density", f"density file {density_path} not found (or use \"uniform\" / \"clusters\")")
        density = str(density_path)
    clusters = table.get("cluster", [])
    if density == "clusters" and not clusters:
        raise r.fail("cluster", "density = \"clusters\" needs [[site.cluster]] tables (lon, lat, sigma_m, weight)")
    own = "climate" in table or "observations" in table
    w = r if own else weather
    if ("climate" in w.table) == ("observations" in w.table):
        raise w.fail("climate", "give either climate = \"FILE.toml\" or observations = \"FILE.csv\" (in [weather] "
                     "or the site's table)")
    kind = "climate" if "climate" in w.table else "observations"
    weather_file = base / str(w.table[kind])
    if not weather_file.is_file():
        raise w.fail(kind, f"weather file {weather_file} not found")
    max_wind = r.number("max_wind_ms", weather.number("max_wind_ms", 12.0, 0.0), 0.0)
    min_vis = r.number("min_visibility_m", weather.number("min_visibility_m", 4828.0, 0.0), 0.0)
    return SiteSpec(str(table.get("name", path.stem if k == 0 else f"{path.stem}-{k + 1}")), path, kind,
                    weather_file, density, tuple(clusters), r.number("background", 0.0, 0.0, 1.0),
                    r.number("beyond_m", 0.0, 0.0), max_wind, min_vis)


def load_study(path: str | Path) -> Study:
    """Read and check a study file; relative paths resolve against its folder."""
    path = Path(path)
    source = str(path)
    data = read_toml(path)
    check_keys(data, ("study", "site", "axes", "demand", "weather"), source, what="section")
    base = path.parent
    head = _Reader(sub_table(data, "study", source), source, "study")
    check_keys(head.table, _STUDY_KEYS, source, "[study]")
    if "date" not in head.table:
        raise head.fail("date", "missing: the day studied (YYYY-MM-DD) or a list of days; the climate draws "
                        "from each day's month")
    metric = str(head.table.get("metric", "served_share_in_reach"))
    if metric not in METRICS:
        raise head.fail("metric", f"{metric!r} is not one of {', '.join(METRICS)}")

    weather = _Reader(sub_table(data, "weather", source), source, "weather")
    check_keys(weather.table, _WEATHER_KEYS, source, "[weather]")
    sites_list = data.get("site")
    if not isinstance(sites_list, list) or not sites_list:
        raise InputError("no [[site]]: name at least one site file", source, "[[site]]")
    sites = tuple(_site(t, k, base, source, weather) for k, t in enumerate(sites_list))
    keys = [s.key for s in sites]
    if len(set(keys)) != len(keys):
        raise InputError(f"two sites are named alike ({', '.join(keys)}): give each a distinct name", source,
                         "[[site]] name")

    axes = _Reader(sub_table(data, "axes", source), source, "axes")
    check_keys(axes.table, _AXES_KEYS, source, "[axes]")
    promises = axes.table.get("promise_min")
    demand = _Reader(sub_table(data, "demand", source), source, "demand")
    check_keys(demand.table, _DEMAND_KEYS, source, "[demand]")
    profile = demand.table.get("profile")
    if profile is not None and not isinstance(profile, list):
        raise demand.fail("profile", "must be a list of 24 hourly weights")
    poisson = demand.table.get("poisson", True)
    if not isinstance(poisson, bool):
        raise demand.fail("poisson", f"must be true or false, not {poisson!r}")
    return Study(
        path=path,
        name=str(head.table.get("name", path.stem)),
        days=_days(head.table["date"], head),
        seed=head.integer("seed", 0, 0),
        sites=sites,
        fleets=axes.axis("fleet", None, _positive_int),
        orders_per_day=tuple(float(v) for v in axes.axis("orders_per_day", None, _non_negative)),
        promises_min=(None,) if promises is None else tuple(float(v) for v in axes.axis("promise_min", None,
                                                                                        _positive)),
        policies=axes.axis("policy", ["online"], _policy),
        weather_draws=axes.integer("weather_draws", 1, 1),
        seeds=axes.axis("seeds", [0], _integer),
        demand=DemandSpec(None if profile is None else tuple(profile),
                          demand.number("weight_median_kg", 1.0, 1e-3), demand.number("weight_sigma", 0.7, 0.0),
                          poisson),
        target=head.number("target", 0.95, 0.0, 1.0),
        metric=metric,
        weather_percentile=head.number("weather_percentile", 10.0, 0.0, 100.0),
        confidence=head.number("confidence", 0.95, 0.5, 0.999),
        delivery_sigma=head.number("delivery_sigma", 0.25, 0.0),
        batch_s=head.number("batch_s", 60.0, 1.0),
    )
