"""A SITL flight on the map: the flown track over the planned route, fence and zones,
with where any check failed, beside the altitude flown over time.

The map axes are longitude/latitude degrees as in :mod:`dronedel.plot.basemap`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..airspace.model import Airspace
from ..config import Site
from ..fileio import save_figure
from ..sitl.flight import FlightRecord
from ..sitl.report import FlightReport
from .basemap import draw_basemap
from .mission import draw_mission, mission_extent

__all__ = ["draw_track", "draw_altitude", "plot_flight"]

_TRACK = "#d62728"
_FAIL = "black"


def draw_track(ax: Axes, report: FlightReport) -> list[Any]:
    """Draw the flown track and the places where checks failed on a lon/lat ``ax``; return legend handles."""
    track = report.record.track
    handles: list[Any] = []
    if len(track):
        ax.plot(track.lon, track.lat, color=_TRACK, linewidth=1.1, zorder=9)
        handles.append(Line2D([], [], color=_TRACK, label="flown track"))
    failed = [c for c in report.checks if c.passed is False and c.lonlat is not None]
    for check in failed:
        ax.plot(*check.lonlat, marker="X", markersize=11, color=_FAIL, markeredgecolor="white", linestyle="none",
                zorder=10)
        ax.annotate(check.name, check.lonlat, fontsize=7, xytext=(6, -10), textcoords="offset points", zorder=10)
    if failed:
        handles.append(Line2D([], [], marker="X", color=_FAIL, linestyle="none", label="check failed here"))
    return handles


def draw_altitude(ax: Axes, record: FlightRecord) -> None:
    """Altitude above home against simulated time since arming, with the items reached marked."""
    track = record.track
    t0 = record.armed_s if record.armed_s is not None else (float(track.t_s[0]) if len(track) else 0.0)
    if len(track):
        ax.plot(track.t_s - t0, track.alt_rel_m, color=_TRACK, linewidth=1.1)
    for t, seq in record.reached:
        ax.axvline(t - t0, color="#999999", linewidth=0.5, zorder=0)
        ax.annotate(str(seq), (t - t0, 1.0), xycoords=("data", "axes fraction"), fontsize=6, ha="center",
                    va="bottom", color="#555555")
    ax.set_xlabel("time since arming (s, simulated)")
    ax.set_ylabel("altitude above home (m)")
    ax.grid(True, linewidth=0.3, alpha=0.5)


def plot_flight(
    report: FlightReport,
    path: str | Path,
    *,
    airspace: Airspace | None = None,
    site: Site | None = None,
    at: datetime | None = None,
    authorisations: Iterable[str] = (),
    size_in: float = 7.0,
) -> Path:
    """Draw the flight of ``report`` (map and altitude panels) and save it atomically.

    Zones are drawn as :func:`~dronedel.plot.basemap.draw_basemap` does for the flight band
    from the ground to the mission's FENCE_ALT_MAX, with ``authorisations`` held.
    """
    mission, record = report.mission, report.record
    ground = mission.home[2]
    extent = mission_extent(mission)
    if len(record.track):  # a track that strays off the plan stays in view
        lon, lat = record.track.lon, record.track.lat
        extent = (min(extent[0], float(lon.min())), max(extent[1], float(lon.max())),
                  min(extent[2], float(lat.min())), max(extent[3], float(lat.max())))
    fig = Figure(figsize=(size_in * 1.75, size_in))
    grid = fig.add_gridspec(1, 2, width_ratios=(1.0, 0.75))
    ax_map, ax_alt = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    base = airspace if airspace is not None else Airspace([], None, ground)
    alt_max = mission.params.get("FENCE_ALT_MAX")
    handles = draw_basemap(ax_map, base, site=site, at=at, extent=extent, authorisations=authorisations,
                           band_agl=None if alt_max is None else (0.0, alt_max), legend=False)
    handles += draw_mission(ax_map, mission)
    handles += draw_track(ax_map, report)
    ax_map.legend(handles=handles, loc="best", fontsize=7, framealpha=0.9)
    draw_altitude(ax_alt, record)
    timing = report.check("flight_time")
    ax_map.set_title(f"{mission.name or 'mission'}: {report.outcome}", fontsize=10)
    ax_alt.set_title(timing.message, fontsize=9)
    return save_figure(fig, path)
