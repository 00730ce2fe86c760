"""Figures of a replayed day: doors served and rejected on the map, drone timeline (Gantt),
door-time histogram, and service against fleet size.

Maps use the airspace base map (axes in (lon, lat) degrees); times are hours of the site's
local day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from shapely.geometry.base import BaseGeometry

from ..airspace.model import Airspace
from ..config import Site
from ..fileio import save_figure
from ..simulate import DayResult
from .basemap import add_geometry, draw_basemap
from .intent import add_depot_inset

__all__ = ["OUTCOME_STYLE", "outcome", "plot_service_map", "plot_gantt", "plot_door_times", "plot_service_vs_fleet"]

#: Map style (colour, marker, label) of each order outcome.
OUTCOME_STYLE = {
    "on_time": ("#2ca02c", "o", "delivered on time"),
    "late": ("#ff7f0e", "o", "delivered late"),
    "capacity": ("#9467bd", "x", "rejected: no drone in time / fleet saturated"),
    "airspace": ("#d62728", "x", "rejected: airspace or operating area"),
    "aircraft": ("#8c564b", "x", "rejected: payload, range, wind or promise"),
    "cancelled": ("#000000", "s", "cancelled at take-off"),
}

_CATEGORY = {
    "no_drone_in_time": "capacity", "fleet_saturated": "capacity",
    "no_fly_zone": "airspace", "outside_area": "airspace", "no_route": "airspace",
    "airspace_closed_at_that_time": "airspace",
    "overweight": "aircraft", "energy": "aircraft", "wind": "aircraft", "outside_zone": "aircraft",
}


def outcome(result: DayResult) -> dict[str, list[tuple[float, float]]]:
    """Doors ((lon, lat) degrees) of the replayed orders grouped by :data:`OUTCOME_STYLE` key."""
    out: dict[str, list[tuple[float, float]]] = {k: [] for k in OUTCOME_STYLE}
    on_time_by_order = {f.order: f.on_time for f in result.flights}
    cancelled = {i for i, _ in result.cancelled}
    for i, d in enumerate(result.decisions):
        if d.door is None:
            continue
        if d.reason is not None:
            out[_CATEGORY.get(d.reason, "aircraft")].append(d.door)
        elif i in cancelled:
            out["cancelled"].append(d.door)
        else:
            out["on_time" if on_time_by_order.get(i, True) else "late"].append(d.door)
    return out


def plot_service_map(result: DayResult, airspace: Airspace, path: str | Path, *, site: Site | None = None,
                     zone_lonlat: BaseGeometry | None = None, authorisations: Sequence[str] = (),
                     pads: Mapping[str, tuple[float, float]] | None = None, title: str = "",
                     size_in: float = 8.0) -> Path:
    """Doors by outcome over the base map, with the dispatch zone (shapely, (lon, lat)) if given, and the
    depot's ``pads`` ((lon, lat) by name) in an inset beside the map."""
    fig = Figure(figsize=(size_in, size_in))
    ax = fig.add_subplot()
    handles = draw_basemap(ax, airspace, site=site, authorisations=authorisations, legend=False, labels=False)
    if zone_lonlat is not None and not zone_lonlat.is_empty:
        add_geometry(ax, zone_lonlat, facecolor="#1f77b4", alpha=0.12, edgecolor="#1f77b4", linewidth=1.0, zorder=3)
        handles.insert(0, Patch(facecolor="#1f77b4", alpha=0.3, edgecolor="#1f77b4", label="dispatch zone"))
    for key, doors in outcome(result).items():
        if not doors:
            continue
        colour, marker, label = OUTCOME_STYLE[key]
        xy = np.array(doors)
        ax.scatter(xy[:, 0], xy[:, 1], s=9 if marker == "o" else 14, c=colour, marker=marker, linewidths=0.8,
                   zorder=6, alpha=0.85)
        handles.append(Line2D([], [], color=colour, marker=marker, linestyle="none", label=f"{label} ({len(doors)})"))
    ax.legend(handles=handles, loc="upper right", fontsize=6.5, framealpha=0.9)
    if pads:
        add_depot_inset(ax, pads, site=site, bounds=(1.03, 0.0, 0.34, 0.34))
    ax.set_title(title or f"Orders of the day, {result.drones} drones ({result.policy})", fontsize=10)
    return save_figure(fig, path)


def _hours(seconds: np.ndarray | float, start: datetime) -> np.ndarray:
    """Seconds after ``start`` as hours of ``start``'s day (``start`` is usually local midnight)."""
    offset = start.hour + start.minute / 60 + start.second / 3600
    return np.asarray(seconds, float) / 3600 + offset


def plot_gantt(result: DayResult, start: datetime, path: str | Path, *, size_in: tuple[float, float] | None = None
               ) -> Path:
    """One row per drone: loading, flight (door time marked) and turnaround bars over the day."""
    rows = max(result.drones, 1)
    fig = Figure(figsize=size_in or (11, 1.5 + 0.22 * rows))
    ax = fig.add_subplot()
    parts = {"loading": "#c7c7c7", "flight": "#1f77b4", "late flight": "#ff7f0e", "turnaround": "#e3e3e3"}
    for f in result.flights:
        a, b, c, d = _hours([f.loading_s, f.takeoff_s, f.land_s, f.ready_s], start)
        y = f.drone - 0.35
        ax.broken_barh([(a, b - a)], (y, 0.7), facecolors=parts["loading"], linewidth=0)
        ax.broken_barh([(b, c - b)], (y, 0.7), facecolors=parts["flight" if f.on_time else "late flight"],
                       linewidth=0)
        ax.broken_barh([(c, d - c)], (y, 0.7), facecolors=parts["turnaround"], linewidth=0)
        ax.plot([_hours(f.door_s, start)] * 2, [y, y + 0.7], color="black", linewidth=0.4)
    ax.set_ylim(-0.8, rows - 0.2)
    ax.invert_yaxis()
    ax.set_yticks(range(rows))
    ax.set_yticklabels([str(d) for d in range(rows)], fontsize=6 if rows > 20 else 8)
    ax.set_ylabel("drone")
    ax.set_xlabel(f"local time (h), {start:%Y-%m-%d}")
    ax.grid(True, axis="x", linewidth=0.3)
    handles = [Patch(color=c, label=k) for k, c in parts.items()]
    handles.append(Line2D([], [], color="black", linewidth=0.8, label="door"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    m = result.metrics()
    ax.set_title(f"Drone timeline: {m['delivered']} deliveries, utilisation {100 * (m['drone_utilisation'] or 0):.0f} %",
                 fontsize=10)
    return save_figure(fig, path)


def plot_door_times(result: DayResult, path: str | Path, *, size_in: tuple[float, float] = (7, 4)) -> Path:
    """Histogram of minutes from order to door, flown and as planned, with the promise."""
    fig = Figure(figsize=size_in)
    ax = fig.add_subplot()
    flown = np.array([(f.door_s - f.placed_s) / 60 for f in result.flights], float)
    planned = np.array([(f.planned_door_s - f.placed_s) / 60 for f in result.flights], float)
    promise = result.promise_s / 60
    top = max(promise, flown.max() if flown.size else 0) * 1.05
    bins = np.linspace(0, top, 41)
    ax.hist(planned, bins=bins, histtype="step", color="#7f7f7f", linewidth=1.2, label="planned")
    ax.hist(flown, bins=bins, color="#1f77b4", alpha=0.6, label="flown")
    ax.axvline(promise, color="#d62728", linewidth=1.2, label=f"promise ({promise:g} min)")
    on_time = np.mean(flown <= promise + 1e-9) if flown.size else float("nan")
    ax.set_xlabel("minutes from order to door")
    ax.set_ylabel("deliveries")
    ax.set_title(f"Door times: {flown.size} deliveries, {100 * on_time:.1f} % on time", fontsize=10)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def plot_service_vs_fleet(results: Mapping[str, Sequence[DayResult]], path: str | Path, *,
                          bound: Mapping[int, float] | None = None, size_in: tuple[float, float] = (7, 4.5)
                          ) -> Path:
    """Orders delivered (share of valid orders) and drone utilisation against fleet size, per policy.

    ``results`` maps a policy name to its replays; ``bound`` maps fleet sizes to an upper
    bound on deliveries (drawn as a share too).
    """
    fig = Figure(figsize=size_in)
    ax = fig.add_subplot()
    util_ax = ax.twinx()
    colours = ["#1f77b4", "#7f7f7f", "#2ca02c", "#9467bd"]
    for (policy, runs), colour in zip(results.items(), colours):
        ms = sorted((r.metrics() for r in runs), key=lambda m: m["drones"])
        n = [m["drones"] for m in ms]
        ax.plot(n, [100 * m["delivered_share"] for m in ms], marker="o", color=colour, label=f"delivered ({policy})")
        util_ax.plot(n, [100 * (m["drone_utilisation"] or 0) for m in ms], marker=".", linestyle=":", color=colour,
                     label=f"utilisation ({policy})")
        valid = ms[0]["valid_orders"]
    if bound:
        sizes = sorted(bound)
        ax.plot(sizes, [100 * bound[s] / valid for s in sizes], color="black", linestyle="--", linewidth=1,
                label="upper bound")
    ax.set_xlabel("drones")
    ax.set_ylabel("orders delivered (% of valid orders)")
    util_ax.set_ylabel("drone utilisation (%)")
    ax.set_ylim(0, 100)
    util_ax.set_ylim(0, 100)
    ax.grid(True, linewidth=0.3)
    lines = ax.get_legend_handles_labels()
    more = util_ax.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=7, loc="lower right")
    ax.set_title("Service against fleet size", fontsize=10)
    return save_figure(fig, path)
