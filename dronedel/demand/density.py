"""Where orders come from: a spatial density of doors over a site's demand area.

A density draws doors as (lon, lat) degrees; :func:`sample_doors` keeps the draws that fall
inside the :class:`DemandArea` (rejection sampling), so every density is truncated to the
area and renormalised there. The area is the site's dispatch zone in still air (the doors
an idle drone reaches within the site's promise and returns from), optionally widened by
``beyond_m`` to include demand the service cannot reach.

Densities:

- :class:`Uniform`: every square metre of the area alike;
- :class:`Clusters`: isotropic Gaussian clusters (centre, sigma in metres, weight) over an
  optional uniform background share;
- :class:`WeightedPoints`: doors at given points (address points, census block centroids)
  with probability proportional to their weight; read from a CSV ``lon,lat,weight``;
- :class:`RasterDensity`: a population raster (GeoTIFF, any CRS pyproj can transform to
  WGS84, read with rasterio): a cell with probability proportional to its value, then a point
  uniform within the cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from ..airspace.model import Airspace
from ..config import SiteConfig
from ..errors import InputError
from ..fileio import read_csv
from ..geo import LocalFrame, check_lon_lat
from ..routing import Router
from ..zone import DispatchZone

__all__ = [
    "DemandArea", "Density", "Uniform", "Cluster", "Clusters", "WeightedPoints", "RasterDensity",
    "sample_doors", "read_density", "read_points_csv", "read_raster", "check_weights", "clusters_from_table",
]

#: Rounds of rejection sampling before a density is declared to miss the area.
_MAX_ROUNDS = 200


@dataclass(frozen=True)
class DemandArea:
    """Where doors may lie: ``local`` polygons in metres of ``frame`` (the site's local frame)."""

    local: shapely.Geometry
    frame: LocalFrame = field(repr=False)

    @classmethod
    def reachable(cls, config: SiteConfig, airspace: Airspace, beyond_m: float = 0.0) -> DemandArea:
        """The site's dispatch zone in still air for its promise and a full payload, widened by ``beyond_m``.

        Every zone counts as active, as in ``dronedel zone`` without ``--at``.
        """
        site = config.site
        frame = LocalFrame(site.lon, site.lat)
        router = Router.for_airspace(airspace, frame, band=(0.0, config.aircraft.cruise_alt_m),
                                     authorisations=config.airspace.authorisations, margin_m=config.planning.margin_m)
        zone = DispatchZone.build(router, config.aircraft, promise_s=config.planning.promise_s,
                                  loading_s=config.fleet.loading_s)
        local = zone.local.buffer(beyond_m) if beyond_m > 0 else zone.local
        if local.is_empty:
            raise InputError("the site's dispatch zone is empty: no door is reachable to put demand in",
                             str(config.path or "site"))
        return cls(local, frame)

    @property
    def area_km2(self) -> float:
        """The area, square kilometres."""
        return float(self.local.area) / 1e6

    def contains_lonlat(self, lonlat: NDArray) -> NDArray:
        """True for each (lon, lat) row of ``lonlat`` inside the area (boundary included)."""
        x, y = self.frame.to_local(lonlat[:, 0], lonlat[:, 1], check=False)
        return self.contains_xy(np.column_stack([x, y]))

    def contains_xy(self, xy: NDArray) -> NDArray:
        """True for each local (x, y) metre row of ``xy`` inside the area."""
        shapely.prepare(self.local)
        return shapely.intersects_xy(self.local, xy[:, 0], xy[:, 1])

    def lonlat(self, xy: NDArray) -> NDArray:
        """Local (x, y) metre rows as (lon, lat) degree rows."""
        lon, lat = self.frame.to_lonlat(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat]).reshape(-1, 2)


class Density(Protocol):
    """Draws candidate doors; :func:`sample_doors` keeps those inside the area."""

    def draw(self, rng: np.random.Generator, n: int, area: DemandArea) -> NDArray:
        """``n`` candidate doors as an (n, 2) array of (lon, lat) degrees."""
        ...


def sample_doors(density: Density, area: DemandArea, n: int, rng: np.random.Generator) -> NDArray:
    """``n`` doors from ``density`` inside ``area``, an (n, 2) array of (lon, lat) degrees.

    :class:`InputError` if the density puts (almost) no weight inside the area.
    """
    out: list[NDArray] = [np.empty((0, 2))]
    have = 0
    batch = max(64, 2 * n)
    for _ in range(_MAX_ROUNDS):
        if have >= n:
            break
        cand = density.draw(rng, batch, area)
        keep = cand[area.contains_lonlat(cand)]
        out.append(keep)
        have += len(keep)
    else:
        if have < n:
            raise InputError(f"the density puts too little weight inside the demand area ({area.area_km2:.1f} km² "
                             f"around the site): {have} of {_MAX_ROUNDS * batch} draws fell inside")
    return np.concatenate(out)[:n]


@dataclass(frozen=True)
class Uniform:
    """Doors uniform over the area."""

    def draw(self, rng: np.random.Generator, n: int, area: DemandArea) -> NDArray:
        x0, y0, x1, y1 = area.local.bounds
        xy = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
        return area.lonlat(xy)


@dataclass(frozen=True)
class Cluster:
    """A Gaussian cluster of doors at (``lon``, ``lat``) degrees, standard deviation ``sigma_m`` (m) each
    way, relative ``weight``."""

    lon: float
    lat: float
    sigma_m: float
    weight: float = 1.0


@dataclass(frozen=True)
class Clusters:
    """Gaussian ``clusters`` over a ``background`` share (0-1) of the doors uniform over the area."""

    clusters: tuple[Cluster, ...]
    background: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.background <= 1.0:
            raise ValueError(f"background must be a share between 0 and 1, not {self.background!r}")
        if self.background < 1.0:
            if not self.clusters:
                raise ValueError("clusters need at least one cluster unless background is 1")
            check_weights(np.array([c.weight for c in self.clusters], float), "cluster weight")
        for c in self.clusters:
            check_lon_lat(c.lon, c.lat)
            if not c.sigma_m > 0:
                raise ValueError(f"sigma_m must be a positive number of metres, not {c.sigma_m!r}")

    def draw(self, rng: np.random.Generator, n: int, area: DemandArea) -> NDArray:
        uniform = rng.random(n) < self.background
        out = np.empty((n, 2))
        out[uniform] = sample_doors(Uniform(), area, int(uniform.sum()), rng)  # the background lies in the area
        m = int((~uniform).sum())
        if m:
            weights = np.array([c.weight for c in self.clusters], float)
            which = rng.choice(len(self.clusters), size=m, p=weights / weights.sum())
            cx, cy = area.frame.to_local([c.lon for c in self.clusters], [c.lat for c in self.clusters], check=False)
            sigma = np.array([c.sigma_m for c in self.clusters])[which]
            xy = np.column_stack([np.atleast_1d(cx)[which], np.atleast_1d(cy)[which]])
            out[~uniform] = area.lonlat(xy + rng.normal(size=(m, 2)) * sigma[:, None])
        return out


@dataclass(frozen=True)
class WeightedPoints:
    """Doors at the (lon, lat) rows of ``lonlat``, each with probability proportional to ``weights``.

    ``source`` names the file in messages.
    """

    lonlat: NDArray
    weights: NDArray
    source: str = ""

    def draw(self, rng: np.random.Generator, n: int, area: DemandArea) -> NDArray:
        inside = area.contains_lonlat(self.lonlat) & (self.weights > 0)
        if not inside.any():
            raise InputError("no point with a positive weight lies inside the demand area", self.source)
        w = self.weights[inside]
        return self.lonlat[inside][rng.choice(int(inside.sum()), size=n, p=w / w.sum())]


@dataclass(frozen=True)
class RasterDensity:
    """A population raster: cell (``rows[k]``, ``cols[k]``) holds ``weights[k]`` people (or any weight).

    ``affine`` is the raster's (a, b, c, d, e, f) transform, x = a col + b row + c and
    y = d col + e row + f (GDAL's geotransform reordered, as the ``affine`` package has it),
    in the CRS ``crs_wkt``. Only cells with a positive weight are kept.
    """

    rows: NDArray
    cols: NDArray
    weights: NDArray
    affine: tuple[float, float, float, float, float, float]
    crs_wkt: str
    source: str = ""

    def to_lonlat(self, col: NDArray, row: NDArray) -> NDArray:
        """Fractional raster (col, row) positions as (lon, lat) rows."""
        a, b, c, d, e, f = self.affine
        x, y = a * col + b * row + c, d * col + e * row + f
        lon, lat = _to_wgs84(self.crs_wkt, self.source).transform(x, y)
        return np.column_stack([lon, lat]).reshape(-1, 2)

    def draw(self, rng: np.random.Generator, n: int, area: DemandArea) -> NDArray:
        near = self._near(area)
        w = self.weights[near]
        k = rng.choice(len(w), size=n, p=w / w.sum())
        u = rng.random((n, 2))
        return self.to_lonlat(self.cols[near][k] + u[:, 0], self.rows[near][k] + u[:, 1])

    def _near(self, area: DemandArea) -> NDArray:
        """Cells whose centre lies within one cell diagonal of the area."""
        centres = self.to_lonlat(self.cols + 0.5, self.rows + 0.5)
        x, y = area.frame.to_local(centres[:, 0], centres[:, 1], check=False)
        a, b, _, d, e, _ = self.affine
        corner = self.to_lonlat(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
        cx, cy = area.frame.to_local(corner[:, 0], corner[:, 1], check=False)
        diagonal = float(np.hypot(np.diff(cx), np.diff(cy))[0]) if np.all(np.isfinite(cx)) else 0.0
        near = shapely.dwithin(area.local, shapely.points(x, y), diagonal)
        if not near.any():
            raise InputError("no raster cell with a positive value lies inside the demand area", self.source)
        return near


def check_weights(weights: NDArray, what: str, source: str = "", where: str = "") -> None:
    """:class:`InputError` (``ValueError``) unless ``weights`` are finite, non-negative and not all zero."""
    if weights.size == 0:
        raise InputError(f"no {what}s given", source, where)
    if not np.all(np.isfinite(weights)):
        raise InputError(f"every {what} must be a finite number", source, where)
    if (weights < 0).any():
        k = int(np.flatnonzero(weights < 0)[0])
        raise InputError(f"{what} {weights[k]:g} is negative (entry {k + 1})", source, where)
    if not (weights > 0).any():
        raise InputError(f"every {what} is zero: nothing to draw from", source, where)


def _to_wgs84(crs_wkt: str, source: str) -> Transformer:
    try:
        return Transformer.from_crs(CRS.from_wkt(crs_wkt), "EPSG:4326", always_xy=True)
    except (CRSError, ProjError) as exc:
        raise InputError(f"its CRS cannot be transformed to WGS84 (lon, lat): {exc}", source) from None


_POINT_COLUMNS = ("lon", "lat", "weight")


def read_points_csv(path: str | Path) -> WeightedPoints:
    """Read a CSV of ``lon,lat,weight`` (header required, any column order, other columns ignored)."""
    source = str(path)
    values = []
    for number, raw in enumerate(read_csv(path, _POINT_COLUMNS), start=2):
        try:
            values.append([float((raw.get(c) or "").strip()) for c in _POINT_COLUMNS])
        except ValueError:
            raise InputError(f"lon, lat and weight must be numbers, got {[raw.get(c) for c in _POINT_COLUMNS]}",
                             source, f"row {number}") from None
    data = np.array(values, float).reshape(-1, 3)
    if not len(data):
        raise InputError("no points: the file has a header only", source)
    bad = np.flatnonzero(~(np.isfinite(data).all(axis=1) & (np.abs(data[:, 0]) <= 180) & (np.abs(data[:, 1]) <= 90)))
    if bad.size:
        check_lon_lat(data[bad[0], 0], data[bad[0], 1], source, f"row {bad[0] + 2}")
        raise InputError("weight is not a finite number", source, f"row {bad[0] + 2}")
    bad = np.flatnonzero(data[:, 2] < 0)
    if bad.size:
        raise InputError(f"weight {data[bad[0], 2]:g} is negative", source, f"row {bad[0] + 2}")
    check_weights(data[:, 2], "weight", source)
    return WeightedPoints(data[:, :2].copy(), data[:, 2].copy(), source)


def read_raster(path: str | Path, band: int = 1) -> RasterDensity:
    """Read a population GeoTIFF (``band``, nodata cells ignored) with rasterio (the ``study`` extra)."""
    source = str(path)
    try:
        import rasterio
        from rasterio.errors import RasterioIOError
    except ImportError:
        raise InputError("reading a GeoTIFF needs rasterio: pip install 'dronedel[study]'", source) from None
    if not Path(path).is_file():
        raise InputError("file not found", source)
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise InputError("the raster has no CRS: georeference it (e.g. gdal_edit.py -a_srs)", source)
            crs_wkt = src.crs.to_wkt()
            t = src.transform
            data = src.read(band, masked=True)
    except RasterioIOError as exc:
        raise InputError(f"cannot read as a raster: {exc}", source) from None
    values = np.ma.filled(data.astype(float), 0.0)
    if not np.all(np.isfinite(values)):
        raise InputError("the raster holds values that are not finite (set them as nodata)", source)
    if (values < 0).any():
        row, col = map(int, np.argwhere(values < 0)[0])
        raise InputError(f"cell (row {row}, col {col}) holds {values[row, col]:g}: population must not be negative",
                         source)
    check_weights(values.ravel(), "cell value", source)
    _to_wgs84(crs_wkt, source)
    rows, cols = np.nonzero(values > 0)
    density = RasterDensity(rows.astype(float), cols.astype(float), values[rows, cols], (t.a, t.b, t.c, t.d, t.e, t.f),
                            crs_wkt, source)
    probe = density.to_lonlat(cols[:1] + 0.5, rows[:1] + 0.5)
    if not np.all(np.isfinite(probe)):
        raise InputError("its CRS cannot be transformed to WGS84 (lon, lat): cell centres do not project", source)
    return density


def read_density(path: str | Path) -> WeightedPoints | RasterDensity:
    """A density file by its suffix: ``.csv`` (lon,lat,weight points) or ``.tif``/``.tiff`` (GeoTIFF)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return read_points_csv(path)
    if suffix in (".tif", ".tiff"):
        return read_raster(path)
    raise InputError("unknown density file type: use a .csv of lon,lat,weight or a GeoTIFF (.tif)", str(path))


def clusters_from_table(items: Sequence[dict], background: float, source: str, where: str) -> Clusters:
    """:class:`Clusters` from TOML tables ``{lon, lat, sigma_m, weight}``; errors name ``source`` and ``where``."""
    try:
        return Clusters(tuple(Cluster(**item) for item in items), float(background))
    except (TypeError, ValueError) as exc:
        raise InputError(str(exc), source, where) from None
