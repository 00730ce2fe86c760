"""A mission on the map: its route, delivery point, fence and rally points over the airspace, with
the flight's operational intent and the depot's pads when given.

Axes are longitude/latitude degrees as in :mod:`dronedel.plot.basemap`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..airspace.model import Airspace
from ..airspace.shapes import circle_polygon
from ..config import Site
from ..fileio import save_figure
from ..intent.intentfile import OperationalIntent
from ..mission.delivery import delivery_point
from ..mission.fence import Fence
from ..mission.items import Mission, has_location, mavlink
from .basemap import add_geometry, draw_basemap, set_lonlat_axes
from .intent import add_depot_inset, draw_intent

__all__ = ["draw_mission", "plot_mission", "mission_extent"]

_INCLUSION = "#2ca02c"
_EXCLUSION = "#9400d3"
_ROUTE = "#1f77b4"


def _path(mission: Mission) -> list[tuple[float, float]]:
    """(lon, lat) of the flown items with a position, consecutive repeats merged."""
    points: list[tuple[float, float]] = []
    for item in mission.items:
        if has_location(item.command) and not (item.x == 0 and item.y == 0):
            point = (item.y, item.x)
            if not points or points[-1] != point:
                points.append(point)
    return points


def mission_extent(mission: Mission, pad: float = 0.15) -> tuple[float, float, float, float]:
    """``(lon_min, lon_max, lat_min, lat_max)`` around the route, rally points and nearby exclusions.

    ``pad`` is the margin as a share of the route's larger span.
    """
    path = _path(mission)
    things = [shapely.LineString(path) if len(path) > 1 else shapely.Point(path[0])]
    things += [shapely.Point(i.y, i.x) for i in mission.rally]
    lon_min, lat_min, lon_max, lat_max = shapely.union_all(things).bounds
    margin = pad * max(lon_max - lon_min, lat_max - lat_min, 0.005)
    view = shapely.box(lon_min - margin, lat_min - margin, lon_max + margin, lat_max + margin)
    fence = Fence.from_items(mission.fence, mission.params)
    near = [p for p in fence.exclusions if p.distance(view) < margin]
    lon_min, lat_min, lon_max, lat_max = shapely.union_all([view, *near]).bounds
    # Square the view on the ground so a long thin route still gets a readable map.
    stretch = math.cos(math.radians((lat_min + lat_max) / 2))
    half = max((lon_max - lon_min) * stretch, lat_max - lat_min) / 2
    lon_mid, lat_mid = (lon_min + lon_max) / 2, (lat_min + lat_max) / 2
    return (lon_mid - half / stretch, lon_mid + half / stretch, lat_mid - half, lat_mid + half)


def draw_mission(ax: Axes, mission: Mission, *, labels: bool = True) -> list[Any]:
    """Draw ``mission``'s fence, route, delivery point and rally points on ``ax``; return legend handles."""
    fence = Fence.from_items(mission.fence, mission.params)
    handles: list[Any] = []
    for polygon in fence.inclusions:
        add_geometry(ax, polygon, facecolor="none", edgecolor=_INCLUSION, linewidth=1.4, linestyle="--", zorder=4)
    for polygon in fence.exclusions:
        add_geometry(ax, polygon, facecolor="none", edgecolor=_EXCLUSION, linewidth=1.2, hatch="xx", zorder=4)
    for circle in fence.circles:
        colour = _INCLUSION if circle.inclusion else _EXCLUSION
        add_geometry(ax, circle_polygon(circle.lon, circle.lat, circle.radius_m), facecolor="none",
                     edgecolor=colour, linewidth=1.2, linestyle="--" if circle.inclusion else "-",
                     hatch=None if circle.inclusion else "xx", zorder=4)
    if fence.inclusions or any(c.inclusion for c in fence.circles):
        handles.append(Line2D([], [], color=_INCLUSION, linestyle="--", label="fence: inclusion"))
    if fence.exclusions or any(not c.inclusion for c in fence.circles):
        handles.append(Patch(facecolor="none", edgecolor=_EXCLUSION, hatch="xx", label="fence: exclusion"))

    path = _path(mission)
    lons, lats = zip(*path)
    ax.plot(lons, lats, color=_ROUTE, linewidth=1.8, marker="o", markersize=3, zorder=6)
    handles.append(Line2D([], [], color=_ROUTE, marker="o", markersize=3, label="route (out and back)"))
    if labels:
        seen: set[tuple[float, float]] = set()
        for item in mission.items[1:]:
            point = (item.y, item.x)
            if has_location(item.command) and point not in seen and item.command == mavlink.MAV_CMD_NAV_WAYPOINT:
                seen.add(point)
                ax.annotate(str(item.seq), point, fontsize=6, xytext=(3, 3), textcoords="offset points",
                            color=_ROUTE, zorder=8)
    door = delivery_point(mission)
    if door is not None:
        ax.plot(door.lon, door.lat, marker="D", markersize=8, color="#ff7f0e", markeredgecolor="black", linestyle="none",
                zorder=8)
        handles.append(Line2D([], [], marker="D", color="#ff7f0e", markeredgecolor="black", linestyle="none",
                              label=f"delivery ({mission.delivery or 'door'})"))
    if mission.rally:
        ax.plot([i.y for i in mission.rally], [i.x for i in mission.rally], marker="^", markersize=7,
                color="#17becf", markeredgecolor="black", linestyle="none", zorder=7)
        handles.append(Line2D([], [], marker="^", color="#17becf", markeredgecolor="black", linestyle="none",
                              label="rally point"))
    return handles


def plot_mission(
    mission: Mission,
    path: str | Path,
    *,
    airspace: Airspace | None = None,
    site: Site | None = None,
    at: datetime | None = None,
    authorisations: Iterable[str] = (),
    intent: OperationalIntent | None = None,
    pads: Mapping[str, tuple[float, float]] | None = None,
    title: str | None = None,
    size_in: float = 8.0,
) -> Path:
    """Draw ``mission`` (over the airspace's base map when given) and save it atomically.

    The view frames the route, rally points and nearby exclusion zones; zones outside the band
    from the ground to FENCE_ALT_MAX are drawn dotted. With the flight's operational ``intent``
    its volumes are drawn as translucent outlines coloured by kind; ``pads`` ((lon, lat) by
    name) and the flight's volumes at the depot are shown in an inset beside the map, the
    flight's pad filled; the legend then stands beside the map too.
    """
    beside = intent is not None or bool(pads)  # legend and depot inset to the right of the map
    fig = Figure(figsize=(size_in * 1.45 if beside else size_in, size_in))
    ax = fig.add_subplot()
    extent = mission_extent(mission)
    handles: list[Any] = []
    if airspace is not None:
        alt_max = mission.params.get("FENCE_ALT_MAX")
        handles = draw_basemap(ax, airspace, site=site, at=at, authorisations=authorisations, extent=extent,
                               band_agl=None if alt_max is None else (0.0, alt_max), legend=False)
    else:
        set_lonlat_axes(ax, extent, mission.home[1])
    if intent is not None:
        handles += draw_intent(ax, intent)
    handles += draw_mission(ax, mission)
    if beside:
        add_depot_inset(ax, pads or {}, site=site, intent=intent, bounds=(1.03, 0.0, 0.42, 0.42))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, framealpha=0.9)
    else:
        ax.legend(handles=handles, loc="best", fontsize=7, framealpha=0.9)
    alt = mission.params.get("FENCE_ALT_MAX")
    ax.set_title(title or f"mission {mission.name}: {len(mission.items)} items, {len(mission.fence)} fence points"
                 + (f", FENCE_ALT_MAX {alt:g} m" if alt is not None else ""), fontsize=10)
    return save_figure(fig, path)
