"""One study cell: a site-day of synthetic orders and drawn weather, planned and replayed.

The client reads every input once (:func:`prepare_sites`) into plain picklable objects, so
workers on other machines need no files. :func:`run_day` runs the cells that share a day of
orders and weather (same site, demand level, promise, draw and seed; any fleet size and
policy): it draws the orders and the weather, prepares the day once (routes are shared) and
replays it for each fleet and policy with the same seed, so fleet sizes are compared on the
same day (common random numbers). Every random number comes from seeds derived from the
study seed, the depot's position and the cell's axes, never from the worker or the order
cells run in: two site files at the same depot (with and without an authorisation, say) see
the same weather and the same order times and masses.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..airspace import site_airspace
from ..airspace.model import Airspace
from ..config import SiteConfig, load_site
from ..demand import (
    Climate, DemandArea, DemandModel, Density, Observations, PackageWeights, TimeProfile, Uniform,
    order_day, read_climate, read_density, read_observations,
)
from ..demand.density import clusters_from_table
from ..dispatch import prepare_day
from ..errors import DronedelError, InputError, InputWarning
from ..fileio import read_bytes
from ..simulate import SimOptions, simulate_day
from .spec import Cell, Study

__all__ = ["SiteInputs", "DayOptions", "prepare_sites", "day_options", "cell_key", "run_day", "ROW_COLUMNS",
           "OUT_OF_REACH", "describe"]

#: Rejections for the order itself, which no drone changes (the dispatcher's screening): the package, the
#: door, or the flight in the wind blowing then. The valid orders left, less those placed while the weather
#: grounds the site, are "in reach": a fleet with a drone ready at once would serve them that day (the same
#: orders whatever the fleet).
OUT_OF_REACH = frozenset({"overweight", "outside_area", "no_fly_zone", "no_route", "wind", "energy", "outside_zone"})

#: Columns of a study row, in order.
ROW_COLUMNS = (
    "site", "date", "fleet", "orders_per_day", "promise_min", "policy", "draw", "seed", "orders", "valid_orders",
    "in_reach", "served", "served_share", "served_share_in_reach", "on_time_share", "door_p50_min", "door_p90_min",
    "utilisation", "flights_per_drone", "energy_wh_per_delivery", "lost_to_weather", "rejections", "no_fly_hours",
    "mean_wind_ms", "weather", "cell",
)


@dataclass(frozen=True)
class SiteInputs:
    """Everything a worker needs for a site: its config, airspace, demand area and density, weather
    source and limits, and ``digest``, a hash of every input file and option."""

    key: str
    config: SiteConfig
    airspace: Airspace
    area: DemandArea
    density: Density
    weather: Climate | Observations
    max_wind_ms: float
    min_visibility_m: float
    digest: str


@dataclass(frozen=True)
class DayOptions:
    """The study-wide options a cell needs: seed, demand model parts, replay options."""

    seed: int
    profile: TimeProfile
    weights: PackageWeights
    poisson: bool
    delivery_sigma: float
    batch_s: float


def _digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def prepare_sites(study: Study) -> dict[str, SiteInputs]:
    """Read each site's files, airspace, density and weather; errors name the file (no worker started)."""
    out = {}
    for spec in study.sites:
        config = load_site(spec.file)
        airspace = site_airspace(config)
        area = DemandArea.reachable(config, airspace, spec.beyond_m)
        files = [spec.file, *config.airspace.files, spec.weather_file]
        if config.airspace.operating_area is not None:
            files.append(config.airspace.operating_area)
        density: Density
        if spec.density == "uniform":
            density = Uniform()
        elif spec.density == "clusters":
            density = clusters_from_table(spec.clusters, spec.background, str(study.path), f"[[site]] {spec.key}")
        else:
            density = read_density(spec.density)
            files.append(Path(spec.density))
        weather = (read_climate(spec.weather_file) if spec.weather_kind == "climate"
                   else read_observations(spec.weather_file, config.site.tz))
        digest = _digest(*(read_bytes(f) for f in files), spec.density, spec.clusters, spec.background,
                         spec.beyond_m, spec.max_wind_ms, spec.min_visibility_m)
        out[spec.key] = SiteInputs(spec.key, config, airspace, area, density, weather, spec.max_wind_ms,
                                   spec.min_visibility_m, digest)
    return out


def day_options(study: Study) -> DayOptions:
    """The study-wide options of its cells; :class:`InputError` naming ``[demand]`` for a bad profile."""
    d = study.demand
    try:
        profile = TimeProfile(d.profile) if d.profile is not None else TimeProfile()
        weights = PackageWeights(d.weight_median_kg, d.weight_sigma)
    except ValueError as exc:
        raise InputError(str(exc), str(study.path), "[demand] profile") from None
    return DayOptions(study.seed, profile, weights, d.poisson, study.delivery_sigma, study.batch_s)


def cell_key(cell: Cell, site: SiteInputs, options: DayOptions) -> str:
    """A hash of every input of ``cell``: the cache file name. Changes with the dronedel version too."""
    return _digest(__version__, site.digest, options.seed, options.profile.hourly,
                   options.weights, options.poisson, options.delivery_sigma, options.batch_s, cell.as_dict())[:32]


def _seed(*parts: Any) -> np.random.SeedSequence:
    """A seed sequence from ``parts`` (stable across processes and machines, unlike ``hash``)."""
    return np.random.SeedSequence(int(_digest("dronedel-study", *parts)[:24], 16))


def run_day(site: SiteInputs, options: DayOptions, cells: Sequence[Cell]) -> list[dict[str, Any]]:
    """Run ``cells`` (sharing one :attr:`Cell.day_key`): one result per cell, ``{"cell", "row"}`` or
    ``{"cell", "error"}``; a failure is reported, never raised."""
    first = cells[0]
    day = date.fromisoformat(first.date)
    try:
        config = site.config if first.promise_min is None else site.config.with_planning(
            promise_s=first.promise_min * 60.0)
        place = (round(config.site.lon, 6), round(config.site.lat, 6))  # draws follow the depot, not its name
        weather = site.weather.draw_day(day, np.random.default_rng(_seed(options.seed, place, first.date,
                                                                         first.draw)))
        demand_seed, sim_seed = _seed(options.seed, place, first.date, first.orders_per_day, first.draw,
                                      first.seed).spawn(2)
        model = DemandModel(first.orders_per_day, site.density, options.profile, options.weights, options.poisson)
        book = order_day(model, site.area, day, config.site.tz, demand_seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InputWarning)
            ctx = prepare_day(config, book, site.airspace, source=f"{site.key} day {first.draw}")
        no_fly = weather.no_fly_intervals(site.max_wind_ms, site.min_visibility_m)
        base = SimOptions(wind=weather.schedule(), delivery_sigma=options.delivery_sigma,
                          seed=int(sim_seed.generate_state(1)[0]), batch_s=options.batch_s, no_fly=no_fly)
    except Exception as exc:  # reported with the cell's inputs; the other days go on
        return [{"cell": c.as_dict(), "error": describe(exc)} for c in cells]
    grounded = int(weather.no_fly(site.max_wind_ms, site.min_visibility_m).sum())
    shared = {"orders": len(book), "no_fly_hours": grounded,
              "mean_wind_ms": round(float(weather.speed_ms.mean()), 3), "weather": weather.source}
    out = []
    for cell in cells:
        try:
            began = time.perf_counter()
            result = simulate_day(ctx, replace(base, drones=cell.fleet, policy=cell.policy))
            row = {**cell.as_dict(), **shared, **_figures(result.metrics(), result.cancelled)}
            out.append({"cell": cell.as_dict(), "row": row, "wall_s": time.perf_counter() - began})
        except Exception as exc:  # reported with the cell's inputs; the other cells go on
            out.append({"cell": cell.as_dict(), "error": describe(exc)})
    return out


def describe(exc: BaseException) -> str:
    """An error as one line: dronedel's own messages as they are, others with their type."""
    return str(exc) if isinstance(exc, DronedelError) else f"{type(exc).__name__}: {exc}"


def _share(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _figures(m: dict[str, Any], cancelled: list[tuple[int, str]]) -> dict[str, Any]:
    """A row's figures from the replay's metrics."""
    reasons = m["rejected_by_reason"]
    in_reach = m["valid_orders"] - sum(n for r, n in reasons.items() if r in OUT_OF_REACH) - reasons.get("weather", 0)
    return {
        "valid_orders": m["valid_orders"],
        "in_reach": in_reach,
        "served": m["delivered"],
        "served_share": _share(m["delivered"], m["valid_orders"]),
        "served_share_in_reach": _share(m["delivered"], in_reach),
        "on_time_share": m["on_time_share"],
        "door_p50_min": m["minutes_to_door"]["p50"],
        "door_p90_min": m["minutes_to_door"]["p90"],
        "utilisation": m["drone_utilisation"],
        "flights_per_drone": m["flights_per_drone"]["mean"],
        "energy_wh_per_delivery": m["energy_wh_per_delivery"]["mean"],
        "lost_to_weather": reasons.get("weather", 0) + sum(1 for _, r in cancelled if r == "weather"),
        "rejections": " ".join(f"{r}={n}" for r, n in sorted(reasons.items())),
    }
