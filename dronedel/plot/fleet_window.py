"""Figures of a plan window flown in SITL: every flown track over the map coloured by drone, and the
separation between the drones over time.

Map axes are longitude/latitude degrees as in :mod:`dronedel.plot.basemap`; times are the plan's
clock (its time zone).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ..airspace.model import Airspace
from ..config import Site
from ..fileio import save_figure
from ..geo import LocalFrame
from ..sitl.fleet import FleetReport, separation_series
from .basemap import draw_basemap
from .intent import add_depot_inset

__all__ = ["plot_fleet_tracks", "plot_fleet_separation"]

_STANDARD = "#d62728"


def _drone_colours(report: FleetReport) -> dict[int, Any]:
    drones = sorted({f.flight.drone for f in report.flown})
    cmap = colormaps["tab10" if len(drones) <= 10 else "tab20"]
    return {d: cmap(k % cmap.N) for k, d in enumerate(drones)}


def plot_fleet_tracks(report: FleetReport, path: str | Path, *, airspace: Airspace | None = None,
                      site: Site | None = None, size_in: float = 8.0) -> Path:
    """The flown tracks of ``report`` over the base map, one colour per drone, the closest approach
    marked, and an inset of the depot with its pads and the tracks over them."""
    plan = report.plan
    colours = _drone_colours(report)
    lonlat = {f.flight.order_id: np.column_stack([f.report.record.track.lon, f.report.record.track.lat])
              for f in report.flown if len(f.report.record.track)}
    points = np.vstack([*lonlat.values(), [plan.site_lonlat]])
    lon_min, lat_min = points.min(axis=0)
    lon_max, lat_max = points.max(axis=0)
    margin = 0.08 * max(lon_max - lon_min, lat_max - lat_min, 0.01)
    extent = (lon_min - margin, lon_max + margin, lat_min - margin, lat_max + margin)
    fig = Figure(figsize=(size_in * 1.3, size_in))
    ax = fig.add_subplot()
    base = airspace if airspace is not None else Airspace([], None, plan.elevation_m)
    handles = draw_basemap(ax, base, site=site, extent=extent, legend=False, labels=False)
    pads = {f.flight.pad: f.flight.pad_lonlat for f in report.flown}
    inset = add_depot_inset(ax, pads, site=site, bounds=(1.02, 0.0, 0.36, 0.36))
    flights_of: dict[int, list[str]] = {}
    for f in report.flown:
        xy = lonlat.get(f.flight.order_id)
        if xy is None:
            continue
        colour = colours[f.flight.drone]
        for axes in (ax, inset):
            axes.plot(xy[:, 0], xy[:, 1], color=colour, linewidth=1.0, alpha=0.9, zorder=8)
        flights_of.setdefault(f.flight.drone, []).append(f.flight.order_id)
    handles += [Line2D([], [], color=colours[d], label=f"drone {d}: {', '.join(names)}")
                for d, names in sorted(flights_of.items())]
    audit = report.audit
    if audit.closest_pair is not None:
        tracks = {t.name: t for t in report.tracks}
        at = int(audit.closest_at_s)
        xy = np.array([tracks[n].xyz[at - tracks[n].t0, :2] for n in audit.closest_pair])
        lon, lat = LocalFrame(*plan.site_lonlat).to_lonlat(xy[:, 0], xy[:, 1])
        ax.plot(lon, lat, color="black", marker="o", markersize=5, linewidth=1.2, zorder=9)
        handles.append(Line2D([], [], color="black", marker="o", markersize=5,
                              label=f"closest approach {audit.closest_m:.0f} m ({' / '.join(audit.closest_pair)}, "
                              f"{plan.at(audit.closest_at_s):%H:%M:%S})"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, framealpha=0.9)
    ax.set_title(f"{len(report.flown)} flights flown in SITL, take-offs {plan.at(report.t0_s):%Y-%m-%d %H:%M} to "
                 f"{plan.at(report.t1_s):%H:%M}", fontsize=10)
    return save_figure(fig, path)


def plot_fleet_separation(report: FleetReport, path: str | Path, *, size_in: tuple[float, float] = (9.0, 5.5)
                          ) -> Path:
    """The closest pairwise distance between airborne drones at every second (horizontal while
    within the vertical standard, and in 3D) against the standard, over the number airborne."""
    plan = report.plan
    series = separation_series(report.tracks, plan.vertical_m)
    clock = [plan.at(t).replace(tzinfo=None) for t in series["t_s"]]
    fig = Figure(figsize=size_in)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    for key, colour, label in (("closest_3d_m", "#1f77b4", "closest in 3D"),
                               ("closest_m", "#ff7f0e", f"closest horizontally, within {plan.vertical_m:g} m "
                                                          "vertically")):
        values = np.where(np.isfinite(series[key]), series[key], np.nan)
        top.plot(clock, values, color=colour, linewidth=1.0, label=label)
    top.axhline(plan.horizontal_m, color=_STANDARD, linestyle="--", linewidth=1.0,
                label=f"standard: {plan.horizontal_m:g} m horizontally (or {plan.vertical_m:g} m vertically)")
    top.set_yscale("log")
    top.set_ylabel("distance between drones (m)")
    top.grid(True, which="both", linewidth=0.3, alpha=0.5)
    top.legend(fontsize=7, loc="upper right")
    closest = report.audit.closest_m
    top.set_title(f"Separation in SITL: closest approach {closest:.1f} m, {report.audit.losses} losses of "
                  f"separation" if np.isfinite(closest) else "Separation in SITL", fontsize=10)
    bottom.step(clock, series["airborne"], where="post", color="#555555", linewidth=1.0)
    bottom.set_ylabel("airborne")
    bottom.set_xlabel(f"plan time ({plan.start.tzname()})")
    bottom.grid(True, linewidth=0.3, alpha=0.5)
    bottom.xaxis.set_major_formatter(DateFormatter("%H:%M"))
    bottom.yaxis.set_major_locator(MaxNLocator(integer=True))
    return save_figure(fig, path)
