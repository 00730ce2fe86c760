"""The EGM96 geoid undulation at a site: from a geoid grid where one is installed, else the site file.

ASTM F3548-21 gives altitudes above the WGS84 ellipsoid (``W84``); the site's ground is
given above mean sea level (AMSL, the geoid). The two differ by the geoid undulation ``N``
(the height of the geoid above the ellipsoid): ``h_W84 = H_AMSL + N``. ``N`` is read from
PROJ's EGM96 15-minute grid (``us_nga_egm96_15.tif`` from PROJ-data, or ``egm96_15.gtx`` as
Debian's ``proj-data`` package ships it) through a PROJ ``vgridshift`` pipeline, looked up in
``$PROJ_DATA``/``$PROJ_LIB``, pyproj's data folder and the system's PROJ folders. Without a
grid the site file's ``[site] geoid_undulation_m`` is used; with neither, an
:class:`~dronedel.errors.InputError` names the key: never a silent 0.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyproj import Transformer
from pyproj.datadir import get_data_dir
from pyproj.exceptions import ProjError

from ..config import SiteConfig
from ..errors import InputError, InputWarning

__all__ = ["GRID_NAMES", "Undulation", "geoid_search_path", "find_geoid_grid", "grid_undulation", "geoid_undulation"]

#: File names of the EGM96 15-minute geoid grid, in order of preference.
GRID_NAMES = ("us_nga_egm96_15.tif", "egm96_15.gtx")

#: System folders PROJ data is installed in (Debian and Ubuntu's proj-data, a source build).
_SYSTEM_DIRS = ("/usr/share/proj", "/usr/local/share/proj")

#: A stated undulation this far (m) from the grid's is reported: likely a typo or another model.
_DISAGREE_M = 2.0


@dataclass(frozen=True)
class Undulation:
    """The geoid undulation ``value_m`` (m, geoid above the WGS84 ellipsoid; a grid's to the
    millimetre) and where it came from:
    ``source`` is ``"grid"`` (``grid`` its file name) or ``"site file"``."""

    value_m: float
    source: str
    grid: str | None = None
    model: str = "EGM96"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready description."""
        return {"model": self.model, "undulation_m": self.value_m, "source": self.source,
                "grid": self.grid}


def geoid_search_path() -> list[Path]:
    """Folders searched for a geoid grid: ``$PROJ_DATA`` and ``$PROJ_LIB`` entries, pyproj's data
    folder, then the system's PROJ folders."""
    dirs: list[str] = []
    for name in ("PROJ_DATA", "PROJ_LIB"):
        dirs += [d for d in os.environ.get(name, "").split(os.pathsep) if d]
    dirs.append(get_data_dir())
    dirs += _SYSTEM_DIRS
    seen: dict[str, None] = {}
    for d in dirs:
        seen.setdefault(d)
    return [Path(d) for d in seen]


def find_geoid_grid(search: Iterable[Path] | None = None) -> Path | None:
    """The first EGM96 grid file (:data:`GRID_NAMES`) in the folders ``search`` (default
    :func:`geoid_search_path`), or None."""
    folders = list(geoid_search_path() if search is None else search)
    for name in GRID_NAMES:
        for folder in folders:
            if (Path(folder) / name).is_file():
                return Path(folder) / name
    return None


def grid_undulation(lon: float, lat: float, grid: Path) -> float:
    """The undulation (m) at (``lon``, ``lat``) degrees interpolated in the vertical ``grid`` file.

    :class:`InputError` naming the grid if PROJ cannot read it or it does not cover the point.
    """
    pipeline = ("+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
                f"+step +proj=vgridshift +grids={grid} +multiplier=1 "
                "+step +proj=unitconvert +xy_in=rad +xy_out=deg")
    try:
        _, _, n = Transformer.from_pipeline(pipeline).transform(lon, lat, 0.0, errcheck=True)
    except ProjError as exc:
        raise InputError(f"PROJ cannot read the geoid grid: {exc}", str(grid)) from None
    if not math.isfinite(n):
        raise InputError(f"the geoid grid does not cover lon {lon:g}, lat {lat:g}", str(grid))
    return float(n)


def geoid_undulation(config: SiteConfig, search: Iterable[Path] | None = None) -> Undulation:
    """The EGM96 undulation at ``config``'s site: from the grid found in ``search`` (default
    :func:`geoid_search_path`; pass ``()`` to use the site file only), else the site file's
    ``[site] geoid_undulation_m``.

    A stated undulation more than 2 m from the grid's gives an :class:`InputWarning`.
    """
    site = config.site
    stated = site.geoid_undulation_m
    source = str(config.path) if config.path else "site file"
    grid = find_geoid_grid(search)
    if grid is not None:
        n = grid_undulation(site.lon, site.lat, grid)
        if stated is not None and abs(stated - n) > _DISAGREE_M:
            warnings.warn(InputWarning(
                f"{source}: [site] geoid_undulation_m = {stated:g} m differs from the EGM96 grid's {n:.2f} m "
                f"at the site by {abs(stated - n):.1f} m; the grid's value is used"), stacklevel=2)
        return Undulation(round(n, 3), "grid", grid.name)
    if stated is None:
        raise InputError(
            f"no EGM96 geoid grid is installed ({' or '.join(GRID_NAMES)}, from PROJ-data or the proj-data "
            "package) and the site file does not give geoid_undulation_m (m, geoid above the WGS84 ellipsoid), "
            "needed to give altitudes above the ellipsoid", source, "[site] geoid_undulation_m")
    return Undulation(float(stated), "site file")
