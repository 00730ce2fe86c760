"""Map of a dispatch zone over the airspace base map (axes in (lon, lat) degrees)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..airspace.model import Airspace
from ..config import Site
from ..fileio import save_figure
from ..zone import DispatchZone
from .basemap import add_geometry, draw_basemap

__all__ = ["ZONE_COLOUR", "plot_zone"]

#: Fill and edge colour of the dispatch zone.
ZONE_COLOUR = "#1f77b4"


def plot_zone(
    zone: DispatchZone,
    airspace: Airspace,
    path: str | Path,
    *,
    site: Site | None = None,
    at: datetime | None = None,
    authorisations: tuple[str, ...] = (),
    band_agl: tuple[float, float] | None = None,
    size_in: float = 8.0,
) -> Path:
    """Draw ``zone`` over the airspace base map and save it atomically (format from the suffix)."""
    fig = Figure(figsize=(size_in, size_in))
    ax = fig.add_subplot()
    bounds = [zone.lonlat] if not zone.lonlat.is_empty else []
    extent = None
    if airspace.operating_area is None and bounds:
        lon0, lat0, lon1, lat1 = bounds[0].bounds
        pad = 0.08 * max(lon1 - lon0, lat1 - lat0)
        extent = (lon0 - pad, lon1 + pad, lat0 - pad, lat1 + pad)
    handles = draw_basemap(ax, airspace, zone.frame, site, at, authorisations=authorisations,
                           band_agl=band_agl, extent=extent, legend=False)
    if bounds:
        add_geometry(ax, zone.lonlat, facecolor=ZONE_COLOUR, alpha=0.25, edgecolor=ZONE_COLOUR, linewidth=1.2,
                     zorder=4)
    minutes = zone.promise_s / 60.0
    label = f"{minutes:g}-min dispatch zone ({zone.area_km2:.0f} km²)"
    handles.insert(0, Patch(facecolor=ZONE_COLOUR, alpha=0.4, edgecolor=ZONE_COLOUR, label=label))
    ax.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.9)
    wind = f", wind {zone.wind.speed_ms:g} m/s from {zone.wind.from_deg:g}°" if zone.wind.speed_ms else ""
    when = f", zones active at {at:%Y-%m-%d %H:%M}" if at else ", every zone active"
    ax.set_title(f"Dispatch zone: {minutes:g} min promise, {zone.loading_s:g} s loading, "
                 f"{zone.payload_kg:g} kg{wind}{when}", fontsize=9)
    return save_figure(fig, path)
