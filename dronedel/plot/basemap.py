"""The base map: operating area, airspace zones by restriction, and the site.

Coordinate system of the axes: **x = longitude, y = latitude, WGS84 degrees**, with
``ax.set_aspect(1 / cos(lat0))`` so a kilometre east and a kilometre north look the same
length around the map centre ``lat0``. Draw routes, tracks or regions on top in
``(lon, lat)`` (convert local metres with :meth:`dronedel.geo.LocalFrame.to_lonlat` or
:meth:`~dronedel.geo.LocalFrame.geometry_to_lonlat`); :func:`add_geometry` draws shapely
polygons and lines, holes included.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from pyproj import Geod
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from ..airspace.model import Airspace, Exemption, Restriction, Zone
from ..config import Site
from ..fileio import save_figure
from ..geo import LocalFrame

__all__ = ["RESTRICTION_COLOURS", "draw_basemap", "plot_airspace", "add_geometry", "set_lonlat_axes"]

#: Fill/edge colour of each restriction.
RESTRICTION_COLOURS = {
    Restriction.PROHIBITED: "#d62728",
    Restriction.REQUIRES_AUTHORISATION: "#ff7f0e",
    Restriction.CONDITIONAL: "#bcbd22",
    Restriction.NO_RESTRICTION: "#7f7f7f",
}
_LABELS = {
    Restriction.PROHIBITED: "prohibited",
    Restriction.REQUIRES_AUTHORISATION: "requires authorisation",
    Restriction.CONDITIONAL: "conditional",
    Restriction.NO_RESTRICTION: "no restriction",
}
_GEOD = Geod(ellps="WGS84")


def set_lonlat_axes(ax: Axes, extent: tuple[float, float, float, float], lat0: float) -> None:
    """Show ``extent`` ``(lon_min, lon_max, lat_min, lat_max)`` degrees on ``ax``, labelled and gridded,
    with east and north kilometres equally long around latitude ``lat0``."""
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1.0 / math.cos(math.radians(lat0)))
    ax.set_xlabel("longitude (° E)")
    ax.set_ylabel("latitude (° N)")
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.tick_params(labelsize=7)
    ax.grid(True, linewidth=0.3, alpha=0.5)


def _path(geometry: BaseGeometry) -> MplPath | None:
    """One matplotlib path; polygons oriented (shells counter-clockwise, holes clockwise) so the
    non-zero fill rule leaves holes empty."""
    paths = []
    for polygon in shapely.get_parts(shapely.orient_polygons(geometry)):
        if polygon.geom_type == "Polygon":
            for ring in [polygon.exterior, *polygon.interiors]:
                coords = np.asarray(ring.coords)[:, :2]
                codes = np.full(len(coords), MplPath.LINETO)
                codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                paths.append(MplPath(coords, codes))
        else:
            coords = np.asarray(polygon.coords)[:, :2]
            if len(coords):
                codes = np.full(len(coords), MplPath.LINETO)
                codes[0] = MplPath.MOVETO
                paths.append(MplPath(coords, codes))
    return MplPath.make_compound_path(*paths) if paths else None


def add_geometry(ax: Axes, geometry: BaseGeometry, **style: Any) -> PathPatch | None:
    """Draw a shapely geometry in (lon, lat) degrees (polygons with holes, lines) as one patch.

    ``style`` goes to :class:`matplotlib.patches.PathPatch` (facecolor, edgecolor, hatch, ...);
    lines get no fill. Returns the patch, or None for an empty geometry.
    """
    path = _path(geometry)
    if path is None:
        return None
    if geometry.geom_type in ("LineString", "MultiLineString", "LinearRing"):
        style = {**style, "fill": False}
    patch = PathPatch(path, **style)
    ax.add_patch(patch)
    return patch


def _zone_style(zone: Zone, active: bool, authorised: bool, in_band: bool) -> dict[str, Any]:
    colour = RESTRICTION_COLOURS[zone.restriction]
    style: dict[str, Any] = {"edgecolor": colour, "facecolor": colour, "alpha": None, "linewidth": 1.2}
    face_alpha = 0.28
    if not in_band:
        style.update(linestyle=(0, (1, 2)), linewidth=1.0)
        face_alpha = 0.0
    elif authorised:
        style.update(linestyle="--")
        face_alpha = 0.08
    if not active:
        style.update(hatch="////", linestyle="--")
        face_alpha = 0.0
    style["facecolor"] = (*_rgb(colour), face_alpha)
    return style


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _label_point(geometry: BaseGeometry) -> shapely.Point | None:
    """The point of the largest visible part farthest from its edges (pole of inaccessibility)."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type == "Polygon" and p.area > 0]
    if not parts:
        return None
    largest = max(parts, key=lambda p: p.area)
    x0, y0, x1, y1 = largest.bounds
    return polylabel(largest, tolerance=max(x1 - x0, y1 - y0) / 200.0)


def _scale_bar(ax: Axes, lat0: float) -> None:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    width_km = _GEOD.inv(x0, lat0, x1, lat0)[2] / 1000.0
    length = max((c for c in (0.5, 1, 2, 5, 10, 20, 50, 100, 200) if c <= width_km / 4), default=0.5)
    lon_end, _, _ = _GEOD.fwd(x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0), 90.0, length * 1000.0)
    start = x0 + 0.05 * (x1 - x0)
    y = y0 + 0.05 * (y1 - y0)
    ax.plot([start, float(lon_end)], [y, y], color="black", linewidth=3, solid_capstyle="butt", zorder=6)
    ax.text((start + float(lon_end)) / 2, y + 0.012 * (y1 - y0), f"{length:g} km", ha="center", va="bottom",
            fontsize=7, zorder=6)


def draw_basemap(
    ax: Axes,
    airspace: Airspace,
    frame: LocalFrame | None = None,
    site: Site | None = None,
    at: datetime | None = None,
    *,
    authorisations: Iterable[str] = (),
    band_agl: tuple[float, float] | None = None,
    extent: tuple[float, float, float, float] | None = None,
    labels: bool = True,
    legend: bool = True,
) -> list[Any]:
    """Draw operating area, zones and site on ``ax`` in (lon, lat) degrees; return legend handles.

    Zones are filled in their restriction's colour; hatched and unfilled when inactive at
    ``at``; dashed and faint when ``authorisations`` cover them (prohibited zones never are;
    a LAANC grid cell only for a band below its ceiling); dotted outlines when ``band_agl``
    (m AGL) is given and the zone lies above or below it. Line obstacles (wires, airways)
    are drawn as their line over a faint hazard strip; grid cells are labelled with their
    ceiling in feet, other zones with their id. ``frame`` (or else ``site``, or else the map centre) gives the latitude for the
    aspect ratio. ``extent`` is ``(lon_min, lon_max, lat_min, lat_max)``; by default the
    operating area (or all zones) with a margin. With ``legend=False`` pass the returned
    handles to ``ax.legend`` together with your own.
    """
    held = set(authorisations)
    area = airspace.operating_area
    if extent is None:
        things = [area] if area is not None else [z.geometry for z in airspace]
        if site is not None:
            things.append(shapely.Point(site.lon, site.lat))
        if not things:
            raise ValueError("nothing to draw: no zones, operating area or site")
        lon_min, lat_min, lon_max, lat_max = shapely.union_all(things).bounds
        pad = 0.05 * max(lon_max - lon_min, lat_max - lat_min, 0.01)
        extent = (lon_min - pad, lon_max + pad, lat_min - pad, lat_max + pad)
    lat0 = frame.lat0 if frame is not None else site.lat if site is not None else (extent[2] + extent[3]) / 2
    view = shapely.box(extent[0], extent[2], extent[1], extent[3])

    present: set[Restriction] = set()
    styles_seen = {"inactive": False, "authorised": False, "outside band": False, "line": False}
    ground = airspace.ground_amsl_m
    for zone in sorted(airspace.touching(view), key=lambda z: -z.geometry.area):
        active = zone.is_active(at)
        if band_agl is None:
            authorised, in_band = zone.is_authorised(held), True
        else:
            authorised = zone.exemption(*band_agl, ground, authorisations=held) is Exemption.AUTHORISED
            in_band = zone.authorised_view(held, ground).vertical_overlap(*band_agl, ground)
        style = _zone_style(zone, active, authorised, in_band)
        if zone.line is not None:
            add_geometry(ax, zone.geometry, zorder=2, **{**style, "linewidth": 0.4})
            add_geometry(ax, zone.line, zorder=3, edgecolor=style["edgecolor"], linewidth=2.0,
                         linestyle=style.get("linestyle", "-"))
            styles_seen["line"] = True
        else:
            add_geometry(ax, zone.geometry, zorder=2, **style)
        present.add(zone.restriction)
        styles_seen["inactive"] |= not active
        styles_seen["authorised"] |= authorised
        styles_seen["outside band"] |= not in_band
        if labels:
            point = _label_point(zone.geometry.intersection(view))
            if point is not None:
                text = zone.id if zone.authorised_ceiling is None else zone.properties.get("ceiling_ft", "")
                ax.annotate(text, (point.x, point.y), fontsize=6, ha="center", va="center", zorder=5,
                            color="#333333")
    if area is not None:
        add_geometry(ax, area, facecolor="none", edgecolor="black", linewidth=1.6, zorder=3)
    if site is not None:
        ax.plot(site.lon, site.lat, marker="*", markersize=14, color="black", markeredgecolor="white",
                linestyle="none", zorder=7)

    set_lonlat_axes(ax, extent, lat0)
    _scale_bar(ax, lat0)

    handles: list[Any] = [
        Patch(facecolor=(*_rgb(RESTRICTION_COLOURS[r]), 0.28), edgecolor=RESTRICTION_COLOURS[r], label=_LABELS[r])
        for r in Restriction if r in present
    ]
    if styles_seen["inactive"]:
        handles.append(Patch(facecolor="none", edgecolor="#555555", hatch="////", linestyle="--",
                             label=f"inactive at {at:%Y-%m-%d %H:%M}" if at else "inactive"))
    if styles_seen["authorised"]:
        handles.append(Patch(facecolor="none", edgecolor="#555555", linestyle="--", label="authorisation held"))
    if styles_seen["outside band"]:
        handles.append(Patch(facecolor="none", edgecolor="#555555", linestyle=(0, (1, 2)),
                             label="above/below the flight band"))
    if styles_seen["line"]:
        handles.append(Line2D([], [], color="#555555", linewidth=2.0, label="wire or airway (hazard strip)"))
    if area is not None:
        handles.append(Line2D([], [], color="black", linewidth=1.6, label="operating area"))
    if site is not None:
        handles.append(Line2D([], [], marker="*", markersize=10, color="black", linestyle="none",
                              label=site.name))
    if legend:
        ax.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.9)
    return handles


def plot_airspace(
    airspace: Airspace,
    path: str | Path,
    *,
    site: Site | None = None,
    at: datetime | None = None,
    authorisations: Iterable[str] = (),
    band_agl: tuple[float, float] | None = None,
    title: str | None = None,
    size_in: float = 8.0,
) -> Path:
    """Draw :func:`draw_basemap` on a new figure and save it (PNG, or the suffix's format) atomically."""
    fig = Figure(figsize=(size_in, size_in))
    ax = fig.add_subplot()
    draw_basemap(ax, airspace, site=site, at=at, authorisations=authorisations, band_agl=band_agl)
    if title:
        ax.set_title(title, fontsize=10)
    return save_figure(fig, path)
