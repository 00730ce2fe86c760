"""Local metric frame of a site: WGS84 (lon, lat) <-> planar metres.

Every site plans in an azimuthal equidistant projection centred on the site, so
distances from the site are exact and other distances are accurate to better than
0.1 % within :data:`MAX_FRAME_RADIUS_M`. Public functions take and return
``(lon, lat)`` in degrees, in that order; local coordinates are ``(x, y)`` metres
east and north of the site.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Geod, Transformer

from .errors import InputError

__all__ = ["LocalFrame", "MAX_FRAME_RADIUS_M", "geodesic_distance", "check_lon_lat"]

#: Radius (m) around the site inside which the local frame is trusted.
MAX_FRAME_RADIUS_M = 100_000.0

_GEOD = Geod(ellps="WGS84")


def geodesic_distance(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray:
    """Geodesic distance (m) on the WGS84 ellipsoid between (lon1, lat1) and (lon2, lat2) degrees."""
    args = np.broadcast_arrays(*(np.asarray(a, float) for a in (lon1, lat1, lon2, lat2)))
    _, _, dist = _GEOD.inv(*(np.ascontiguousarray(a) for a in args))
    return np.asarray(dist)


def check_lon_lat(lon: ArrayLike, lat: ArrayLike, source: str = "", where: str = "") -> None:
    """Raise :class:`InputError` if any longitude/latitude is out of range or not finite.

    The message says when the values look swapped (a "latitude" beyond 90 whose
    "longitude" would be a valid latitude).
    """
    lon = np.atleast_1d(np.asarray(lon, float))
    lat = np.atleast_1d(np.asarray(lat, float))
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise InputError("coordinate is not a finite number", source, where)
    bad_lat = np.abs(lat) > 90
    bad_lon = np.abs(lon) > 180
    if bad_lat.any() or bad_lon.any():
        i = int(np.flatnonzero(bad_lat | bad_lon)[0])
        hint = ""
        if abs(lat[i]) <= 180 and abs(lon[i]) <= 90:
            hint = " (lon and lat look swapped: coordinates are (lon, lat))"
        raise InputError(
            f"coordinate (lon={lon[i]:g}, lat={lat[i]:g}) is out of range{hint}", source, where
        )


@dataclass(frozen=True)
class LocalFrame:
    """Azimuthal equidistant frame centred on ``(lon0, lat0)`` degrees; x east, y north, metres."""

    lon0: float
    lat0: float
    max_radius_m: float = MAX_FRAME_RADIUS_M
    _fwd: Transformer = field(init=False, repr=False, compare=False)
    _inv: Transformer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_lon_lat(self.lon0, self.lat0, "site")
        crs = CRS.from_proj4(
            f"+proj=aeqd +lat_0={self.lat0!r} +lon_0={self.lon0!r} +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
        )
        object.__setattr__(self, "_fwd", Transformer.from_crs("EPSG:4326", crs, always_xy=True))
        object.__setattr__(self, "_inv", Transformer.from_crs(crs, "EPSG:4326", always_xy=True))

    def to_local(self, lon: ArrayLike, lat: ArrayLike, *, check: bool = True) -> tuple[NDArray, NDArray]:
        """Project (lon, lat) degrees to (x, y) metres; arrays in, arrays out."""
        x, y = self._fwd.transform(np.asarray(lon, float), np.asarray(lat, float))
        x, y = np.asarray(x), np.asarray(y)
        if check:
            self.check_range(x, y)
        return x, y

    def to_lonlat(self, x: ArrayLike, y: ArrayLike) -> tuple[NDArray, NDArray]:
        """Unproject (x, y) metres to (lon, lat) degrees."""
        lon, lat = self._inv.transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon), np.asarray(lat)

    def check_range(self, x: ArrayLike, y: ArrayLike, what: str = "geometry") -> None:
        """Raise :class:`InputError` if any point lies beyond ``max_radius_m`` from the site."""
        r = np.hypot(np.asarray(x, float), np.asarray(y, float))
        if r.size and not np.all(r <= self.max_radius_m):
            far = float(np.nanmax(np.where(np.isfinite(r), r, np.inf)))
            raise InputError(
                f"{what} lies {far / 1000:.1f} km from the site, beyond the local frame's "
                f"accurate range of {self.max_radius_m / 1000:.0f} km"
            )

    def geometry_to_local(self, geom: shapely.Geometry, *, check: bool = True) -> shapely.Geometry:
        """Project a shapely geometry in (lon, lat) degrees to local metres."""
        def fwd(coords: NDArray) -> NDArray:
            x, y = self.to_local(coords[:, 0], coords[:, 1], check=check)
            return np.column_stack([x, y])

        return shapely.transform(geom, fwd)

    def geometry_to_lonlat(self, geom: shapely.Geometry) -> shapely.Geometry:
        """Unproject a shapely geometry in local metres to (lon, lat) degrees."""
        def inv(coords: NDArray) -> NDArray:
            lon, lat = self.to_lonlat(coords[:, 0], coords[:, 1])
            return np.column_stack([lon, lat])

        return shapely.transform(geom, inv)
