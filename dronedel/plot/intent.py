"""Operational intents and pads on a map: a flight's F3548 volumes as translucent outlines coloured
by what they cover, the depot's pads as markers, and an inset of the depot where the pads are.

Axes are longitude/latitude degrees as in :mod:`dronedel.plot.basemap`; volumes come from an
intent file (:func:`dronedel.intent.intentfile.read_intents`), pads as (lon, lat) by name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..config import Site
from ..intent.intentfile import OperationalIntent
from ..intent.volumes import KINDS
from .basemap import add_geometry, set_lonlat_axes

__all__ = ["KIND_COLOURS", "draw_intent", "draw_pads", "add_depot_inset"]

#: Colour of each volume kind.
KIND_COLOURS = dict(zip(KINDS, ("#2ca02c", "#1f77b4", "#ff7f0e", "#9467bd", "#d62728")))

_PAD = "#555555"
_M_PER_DEG_LAT = 111_320.0


def _rgba(colour: str, alpha: float) -> tuple[float, float, float, float]:
    return (*(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)), alpha)  # type: ignore[return-value]


def _label(kind: str, intent: OperationalIntent, count: int) -> str:
    layer = {"outbound": intent.layers_m_agl[0], "return": intent.layers_m_agl[1]}.get(kind)
    return f"intent: {kind}" + (f" at {layer:g} m AGL" if layer is not None else "") + f" ({count})"


def draw_intent(ax: Axes, intent: OperationalIntent, *, zorder: float = 3.5) -> list[Any]:
    """Draw ``intent``'s volumes as translucent outlines coloured by kind; return legend handles."""
    counts: dict[str, int] = {}
    for volume in intent.volumes:
        colour = KIND_COLOURS.get(volume.kind, "#7f7f7f")
        add_geometry(ax, volume.outline, facecolor=_rgba(colour, 0.07), edgecolor=_rgba(colour, 0.6),
                     linewidth=0.6, zorder=zorder)
        counts[volume.kind] = counts.get(volume.kind, 0) + 1
    return [Patch(facecolor=_rgba(KIND_COLOURS.get(k, "#7f7f7f"), 0.2), edgecolor=KIND_COLOURS.get(k, "#7f7f7f"),
                  label=_label(k, intent, counts[k])) for k in KINDS if k in counts]


def draw_pads(ax: Axes, pads: Mapping[str, tuple[float, float]], used: str | None = None, *,
              labels: bool = False, size: float = 6.0) -> list[Any]:
    """Mark the ``pads`` ((lon, lat) by name), the ``used`` one filled; return legend handles."""
    for name, (lon, lat) in pads.items():
        ax.plot(lon, lat, marker="s", markersize=size, linestyle="none", markeredgecolor="black",
                color="black" if name == used else "white", zorder=8)
        if labels:
            ax.annotate(name, (lon, lat), fontsize=6, xytext=(4, 3), textcoords="offset points", zorder=9)
    handles = [Line2D([], [], marker="s", linestyle="none", color="white", markeredgecolor="black",
                      label=f"pads ({len(pads)})")]
    if used is not None:
        handles.append(Line2D([], [], marker="s", linestyle="none", color="black", label=f"pad {used}"))
    return handles


def add_depot_inset(ax: Axes, pads: Mapping[str, tuple[float, float]], *, site: Site | None = None,
                    intent: OperationalIntent | None = None, half_m: float = 120.0,
                    bounds: tuple[float, float, float, float] = (0.66, 0.02, 0.32, 0.32)) -> Axes:
    """An inset of ``ax`` at ``bounds`` (x, y, width, height in ``ax``'s axes fractions; beyond 1 is
    outside it) showing ``half_m`` metres around the ``site`` point (a star; else the pads' middle,
    else the intent's first volume): the pads, labelled, and ``intent``'s volumes there (its climb
    and landing over its pad, filled)."""
    if site is not None:
        lon0, lat0 = site.lon, site.lat
    elif pads:
        lon0, lat0 = np.mean(list(pads.values()), axis=0)
    elif intent is not None and intent.volumes:
        lon0, lat0 = intent.volumes[0].outline.centroid.coords[0]
    else:
        raise ValueError("nothing to centre the depot inset on: no site, pads or intent")
    inset = ax.inset_axes(list(bounds), zorder=10)
    dlat = half_m / _M_PER_DEG_LAT
    dlon = dlat / math.cos(math.radians(lat0))
    set_lonlat_axes(inset, (lon0 - dlon, lon0 + dlon, lat0 - dlat, lat0 + dlat), lat0)
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_facecolor("white")
    if site is not None:
        inset.plot(lon0, lat0, marker="*", markersize=9, color="black", markeredgecolor="white", linestyle="none",
                   zorder=7)
    if intent is not None:
        draw_intent(inset, intent)
    draw_pads(inset, pads, intent.pad if intent is not None else None, labels=True, size=5.0)
    used = f"; {intent.pad} (filled) flies this one" if intent is not None else ""
    inset.set_title(f"depot, {2 * half_m:g} m across: pads{used}", fontsize=6, pad=2)
    return inset
