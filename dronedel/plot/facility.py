"""Map of a UAS facility map grid: cells coloured and labelled by their LAANC ceiling (feet AGL).

Axes are (lon, lat) degrees as on the base map (:mod:`dronedel.plot.basemap`); the other
zones, the operating area and the site are drawn under the grid by :func:`draw_basemap`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import shapely
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..airspace.heights import FOOT_M
from ..airspace.model import Airspace
from ..config import Site
from ..fileio import save_figure
from .basemap import add_geometry, draw_basemap

__all__ = ["CEILING_STEPS_FT", "plot_facility_map"]

#: Ceilings (ft AGL) a facility map cell may have: 0 to 400 in steps of 50.
CEILING_STEPS_FT = tuple(range(0, 401, 50))


def plot_facility_map(
    airspace: Airspace,
    path: str | Path,
    *,
    site: Site | None = None,
    authorisations: Iterable[str] = (),
    band_agl: tuple[float, float] | None = None,
    title: str | None = None,
    size_in: float = 8.0,
) -> Path:
    """Draw the grid cells of ``airspace`` (zones with an authorised ceiling) over its other zones; save it.

    Cells are filled by ceiling (red 0 ft to green 400 ft) and labelled with it; with
    ``band_agl`` (m AGL) and ``authorisations``, cells that still block that band are
    hatched. The map spans the grid and the site; the other zones are drawn over the cells.
    """
    cells = [z for z in airspace if z.authorised_ceiling is not None]
    if not cells:
        raise ValueError("no facility map cells to draw")
    others = Airspace([z for z in airspace if z.authorised_ceiling is None], airspace.operating_area,
                      airspace.ground_amsl_m)
    things = [c.geometry for c in cells] + ([shapely.Point(site.lon, site.lat)] if site is not None else [])
    lon0, lat0, lon1, lat1 = shapely.union_all(things).bounds
    pad = 0.03 * max(lon1 - lon0, lat1 - lat0)
    extent = (lon0 - pad, lon1 + pad, lat0 - pad, lat1 + pad)
    fig = Figure(figsize=(size_in, size_in))
    ax = fig.add_subplot()
    handles = draw_basemap(ax, others, site=site, authorisations=authorisations, band_agl=band_agl, extent=extent,
                           legend=False, labels=False)
    edges = np.array([*CEILING_STEPS_FT, CEILING_STEPS_FT[-1] + 50]) - 25
    norm = BoundaryNorm(edges, 256)
    cmap = colormaps["RdYlGn"]
    held = set(authorisations)
    blocked_seen = False
    for cell in cells:
        feet = cell.authorised_ceiling.metres / FOOT_M
        colour = cmap(norm(feet))
        blocks = band_agl is not None and cell.exemption(*band_agl, airspace.ground_amsl_m,
                                                         authorisations=held) is None
        blocked_seen |= blocks
        add_geometry(ax, cell.geometry, facecolor=(*colour[:3], 0.55), edgecolor="#555555", linewidth=0.3,
                     hatch="xx" if blocks else None, zorder=1.5)
        centre = cell.geometry.centroid
        ax.annotate(f"{feet:.0f}", (centre.x, centre.y), fontsize=4.5, ha="center", va="center", zorder=4)
    handles = [Patch(facecolor=(*cmap(norm(ft))[:3], 0.55), edgecolor="#555555", label=f"{ft} ft")
               for ft in CEILING_STEPS_FT if any(abs(c.authorised_ceiling.metres / FOOT_M - ft) < 1 for c in cells)
               ] + handles
    if blocked_seen:
        low, high = band_agl
        handles.append(Patch(facecolor="none", edgecolor="#555555", hatch="xx",
                             label=f"blocks {low:g}-{high:g} m AGL with the authorisations held"))
    ax.legend(handles=handles, loc="upper right", fontsize=6, framealpha=0.9, title="LAANC ceiling",
              title_fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return save_figure(fig, path)
