"""Export a plan's operational intents as ASTM F3548-21 ``OperationalIntentDetails`` for a USS.

Each accepted flight's volumes (:func:`~dronedel.intent.volumes_for`) become F3548 ``Volume4D``
objects: an ``outline_polygon`` in (lat, lng) degrees, ``altitude_lower``/``altitude_upper``
in metres above the WGS84 ellipsoid (``W84``), and ``time_start``/``time_end`` as RFC 3339
UTC times. Every exported volume contains its planning volume:

- A capsule of radius ``r`` is buffered with ``quad_segs`` segments per quarter circle at the
  radius ``(r + 2 cm) / cos(pi / (4 quad_segs))``, so every chord of its rounded ends lies
  outside the true circle (2 cm more for the rounding of vertices to 1e-7 degrees, about
  1 cm, F3548's ``IntersectionMinimumPrecisionCm``); a capsule under 1 m wide is exported
  1 m wide. With the default ``quad_segs = 8`` the polygon stands up to 0.5 % of ``r`` + 2 cm
  outside the capsule (14 cm for 25 m, :func:`buffer_radius_m`): two flights' capsules that
  come closer than twice that may have exported outlines that meet. Vertices are given once
  (the first is not repeated), the ring counter-clockwise, and an intent holds at most
  :data:`MAX_VERTICES` vertices.
- Altitudes: m AGL over the site's ground + ``[site] elevation_m`` (AMSL) + the EGM96 geoid
  undulation ``N`` (:mod:`dronedel.intent.geoid`, to the millimetre) = m above the ellipsoid,
  to the millimetre.
- Times: plan seconds after :attr:`Plan.start`, in UTC, to the nearest millisecond.

Altitudes and times are rounded to the nearest unit, not outwards: rounding keeps order, so
volumes of two flights that are disjoint (or just touch, as stacked layers do) in altitude or
time stay so, and a volume loses at most half a millimetre or half a millisecond at an edge,
where its buffers (``vertical_containment_m``, ``time_buffer_s``) keep the aircraft far inside.

:func:`write_intents` writes ``intents.json`` (the document below, compact) and
``intents.geojson`` (one Polygon feature per volume, for GIS); :func:`read_intents` in
:mod:`dronedel.intent.intentfile` reads the former back. Document (schema
``dronedel-intents/1``)::

    {"schema": "dronedel-intents/1", "standard": "ASTM F3548-21", "generator": ...,
     "plan_start": RFC 3339, "site": {name, lon, lat, elevation_m_amsl, timezone,
     "pads": [{name, lon, lat}]}, "altitude": {"reference": "W84", "units": "M",
     "geoid": {"model": "EGM96", "undulation_m", "source": "grid" | "site file", "grid"}},
     "intents": [{"order_id", "drone", "pad", "layers_m_agl": {"outbound", "return"},
                  "state": "Accepted", "volume_kinds": [...],
                  "details": OperationalIntentDetails}]}
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from .. import __version__
from ..config import SiteConfig
from ..errors import InputError
from ..fileio import atomic_path
from ..geo import LocalFrame
from .geoid import Undulation, geoid_undulation
from .volumes import KINDS, Volumes

if TYPE_CHECKING:
    from datetime import datetime

    from ..dispatch.model import Decision, Plan

__all__ = ["SCHEMA", "MAX_VERTICES", "QUAD_SEGS", "pads_lonlat", "buffer_radius_m", "outline_rings", "rfc3339",
           "ExportedVolumes", "export_volumes", "flight_exports", "intents_document", "intents_geojson",
           "write_intents"]

SCHEMA = "dronedel-intents/1"

#: Most vertices one operational intent may have (ASTM F3548-21 ``OiMaxVertices``).
MAX_VERTICES = 10_000

#: Segments per quarter circle of the exported capsules' rounded ends.
QUAD_SEGS = 8

_ROUNDING_M = 0.02  # covers rounding vertices to 1e-7 degrees (<= 0.6 cm) and bending of 300 m edges
_MIN_RADIUS_M = 0.5
_DIGITS = 7  # 1e-7 degrees, about a centimetre


def pads_lonlat(config: SiteConfig) -> dict[str, tuple[float, float]]:
    """The site's pads by name as (lon, lat) degrees, rounded to 1e-7."""
    site, pads = config.site, config.separation.pads
    lon, lat = LocalFrame(site.lon, site.lat).to_lonlat([p.east_m for p in pads], [p.north_m for p in pads])
    return {p.name: (round(float(x), _DIGITS), round(float(y), _DIGITS)) for p, x, y in zip(pads, lon, lat)}


def buffer_radius_m(radius: ArrayLike, quad_segs: int = QUAD_SEGS) -> NDArray:
    """The radius (m) capsules of ``radius`` (m) are buffered at for export (see the module notes): an
    exported outline lies between ``radius`` and this (+ 1 cm of vertex rounding) from its segment, so
    the outlines of two capsules closer than twice the difference may meet though the capsules do not."""
    return (np.maximum(np.asarray(radius, float), _MIN_RADIUS_M) + _ROUNDING_M) / math.cos(math.pi / (4 * quad_segs))


def outline_rings(v: Volumes, frame: LocalFrame, quad_segs: int = QUAD_SEGS) -> list[list[list[float]]]:
    """Polygons containing the plan-view capsules of ``v`` (see the module notes): one ring of
    ``[lon, lat]`` degrees per volume, counter-clockwise, rounded to 1e-7 degrees, first vertex not repeated."""
    if quad_segs < 1:
        raise ValueError(f"quad_segs must be at least 1, not {quad_segs!r}")
    if not len(v):
        return []
    radius = buffer_radius_m(v.radius, quad_segs)
    ends = np.stack([np.column_stack([v.ax, v.ay]), np.column_stack([v.bx, v.by])], axis=1)
    polygons = shapely.orient_polygons(shapely.buffer(shapely.linestrings(ends), radius, quad_segs=quad_segs))
    xy, index = shapely.get_coordinates(shapely.get_exterior_ring(polygons), return_index=True)
    opening = np.r_[True, index[1:] != index[:-1]]
    closing = np.r_[opening[1:], True]
    xy, index, opening = xy[~closing], index[~closing], opening[~closing]
    lon, lat = frame.to_lonlat(xy[:, 0], xy[:, 1])
    lonlat = np.round(np.column_stack([lon, lat]), _DIGITS)
    first = np.flatnonzero(opening)
    last = np.r_[first[1:], len(lonlat)] - 1
    previous = np.r_[0, np.arange(len(lonlat) - 1)]
    previous[first] = last  # each ring's first vertex follows its last
    keep = np.any(lonlat != lonlat[previous], axis=1)
    lonlat, index = lonlat[keep], index[keep]
    bounds = np.r_[0, np.cumsum(np.bincount(index, minlength=len(v)))].tolist()
    flat = lonlat.tolist()
    return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def rfc3339(plan_start: datetime, seconds: NDArray) -> list[str]:
    """Plan times ``seconds`` after the aware datetime ``plan_start`` as RFC 3339 UTC strings ending in
    ``Z``, to the nearest millisecond."""
    ms = np.round(np.asarray(seconds, float) * 1e3)
    origin = np.datetime64(plan_start.astimezone(timezone.utc).replace(tzinfo=None), "ms")
    stamps = np.datetime_as_string(origin + ms.astype(np.int64).astype("timedelta64[ms]"), unit="ms")
    return [f"{s}Z" for s in stamps.tolist()]


@dataclass(frozen=True)
class ExportedVolumes:
    """Volumes as exported: ``rings`` (``[lon, lat]`` lists, :func:`outline_rings`), ``lower_m``/``upper_m`` (m above
    the WGS84 ellipsoid), ``start``/``end`` (RFC 3339 UTC) and ``kinds`` (:data:`KINDS` names)."""

    rings: list[list[list[float]]]
    lower_m: list[float]
    upper_m: list[float]
    start: list[str]
    end: list[str]
    kinds: list[str]

    @property
    def vertex_count(self) -> int:
        """Vertices of all the outlines."""
        return sum(len(r) for r in self.rings)

    def part(self, lo: int, hi: int) -> ExportedVolumes:
        """Volumes ``lo`` to ``hi - 1``."""
        return ExportedVolumes(self.rings[lo:hi], self.lower_m[lo:hi], self.upper_m[lo:hi], self.start[lo:hi],
                               self.end[lo:hi], self.kinds[lo:hi])

    def details(self) -> dict[str, Any]:
        """The F3548 ``OperationalIntentDetails`` of these volumes (priority 0, no off-nominal volumes)."""
        volumes = [{
            "volume": {"outline_polygon": {"vertices": [{"lat": la, "lng": lo} for lo, la in ring]},
                       "altitude_lower": {"value": lower, "reference": "W84", "units": "M"},
                       "altitude_upper": {"value": upper, "reference": "W84", "units": "M"}},
            "time_start": {"value": start, "format": "RFC3339"},
            "time_end": {"value": end, "format": "RFC3339"},
        } for ring, lower, upper, start, end in zip(self.rings, self.lower_m, self.upper_m, self.start, self.end)]
        return {"volumes": volumes, "off_nominal_volumes": [], "priority": 0}


def export_volumes(plan: Plan, v: Volumes, undulation_m: float, quad_segs: int = QUAD_SEGS) -> ExportedVolumes:
    """Volumes ``v`` of flights of ``plan`` as exported to F3548, altitudes raised from m AGL to m above the
    ellipsoid by the site's elevation (AMSL) and the geoid undulation ``undulation_m``."""
    shift = plan.config.site.elevation_m + undulation_m
    return ExportedVolumes(
        outline_rings(v, plan.frame, quad_segs),
        np.round(v.z_lo + shift, 3).tolist(), np.round(v.z_hi + shift, 3).tolist(),
        rfc3339(plan.start, v.t_lo), rfc3339(plan.start, v.t_hi),
        [KINDS[k] for k in v.kind.tolist()])


def flight_exports(plan: Plan, undulation_m: float, quad_segs: int = QUAD_SEGS, chunk: int = 200
                   ) -> Iterator[tuple[Decision, ExportedVolumes]]:
    """Each accepted flight of ``plan`` in order of take-off and its exported volumes, computed ``chunk``
    flights at a time. :class:`InputError` naming ``[separation] slice_s`` if a flight's intent would have
    more than :data:`MAX_VERTICES` vertices."""
    cfg = plan.config
    flights = sorted((d for d in plan.decisions if d.flight is not None), key=lambda d: d.flight.takeoff_s)
    for first in range(0, len(flights), chunk):
        batch = flights[first:first + chunk]
        volumes = [d.flight.volumes(cfg.aircraft, cfg.separation) for d in batch]
        bounds = np.r_[0, np.cumsum([len(v) for v in volumes])].tolist()
        every = export_volumes(plan, Volumes.concat(volumes), undulation_m, quad_segs)
        for d, lo, hi in zip(batch, bounds[:-1], bounds[1:]):
            ex = every.part(lo, hi)
            if ex.vertex_count > MAX_VERTICES:
                raise InputError(
                    f"order {d.order_id}: its operational intent would have {ex.vertex_count} vertices in "
                    f"{len(ex.rings)} volumes, more than ASTM F3548-21 allows ({MAX_VERTICES}); lengthen slice_s",
                    str(cfg.path or "site file"), "[separation] slice_s")
            yield d, ex


def _header(plan: Plan, undulation: Undulation) -> dict[str, Any]:
    """The intents.json document but its intents."""
    site = plan.config.site
    return {
        "schema": SCHEMA,
        "standard": "ASTM F3548-21",
        "generator": f"dronedel {__version__}",
        "plan_start": rfc3339(plan.start, np.zeros(1))[0],
        "site": {"name": site.name, "lon": site.lon, "lat": site.lat, "elevation_m_amsl": site.elevation_m,
                 "timezone": site.timezone,
                 "pads": [{"name": name, "lon": lon, "lat": lat}
                          for name, (lon, lat) in pads_lonlat(plan.config).items()]},
        "altitude": {"reference": "W84", "units": "M", "geoid": undulation.as_dict()},
    }


def _intent(plan: Plan, d: Decision, ex: ExportedVolumes) -> dict[str, Any]:
    """One entry of intents.json's ``intents``."""
    f = d.flight
    return {"order_id": d.order_id, "drone": f.drone, "pad": plan.config.separation.pads[f.pad].name,
            "layers_m_agl": {"outbound": f.layers[0], "return": f.layers[1]}, "state": "Accepted",
            "volume_kinds": ex.kinds, "details": ex.details()}


def intents_document(plan: Plan, undulation: Undulation | None = None, quad_segs: int = QUAD_SEGS
                     ) -> dict[str, Any]:
    """The intents.json document of ``plan`` (the module notes); ``undulation`` defaults to
    :func:`~dronedel.intent.geoid.geoid_undulation` at the site."""
    undulation = geoid_undulation(plan.config) if undulation is None else undulation
    return {**_header(plan, undulation),
            "intents": [_intent(plan, d, ex) for d, ex in flight_exports(plan, undulation.value_m, quad_segs)]}


def _features(order_id: str, ex: ExportedVolumes) -> Iterator[dict[str, Any]]:
    for ring, lower, upper, start, end, kind in zip(ex.rings, ex.lower_m, ex.upper_m, ex.start, ex.end, ex.kinds):
        yield {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]},
               "properties": {"order_id": order_id, "kind": kind, "altitude_lower_m_w84": lower,
                              "altitude_upper_m_w84": upper, "time_start": start, "time_end": end}}


def intents_geojson(exported: Iterable[tuple[str, ExportedVolumes]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of (order id, exported volumes): one Polygon per volume (RFC 7946: rings
    closed and counter-clockwise) with its order id, kind, W84 altitudes and times."""
    return {"type": "FeatureCollection", "features": [f for order_id, ex in exported for f in _features(order_id, ex)]}


def _compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), allow_nan=False)


def write_intents(plan: Plan, directory: str | Path, undulation: Undulation | None = None,
                  quad_segs: int = QUAD_SEGS) -> tuple[Path, Path]:
    """Write ``directory``/intents.json and ``directory``/intents.geojson atomically, one flight at a time
    (memory stays that of a few hundred flights on any day); return both paths."""
    directory = Path(directory)
    undulation = geoid_undulation(plan.config) if undulation is None else undulation
    json_path, geojson_path = directory / "intents.json", directory / "intents.geojson"
    head = _compact({**_header(plan, undulation), "intents": []})
    with atomic_path(json_path) as tmp_json, atomic_path(geojson_path) as tmp_geojson, \
            tmp_json.open("w", encoding="utf-8", newline="\n") as out, \
            tmp_geojson.open("w", encoding="utf-8", newline="\n") as gis:
        out.write(head[:-2])  # without the intents' closing "]}"
        gis.write('{"type":"FeatureCollection","features":[')
        features = 0
        for k, (d, ex) in enumerate(flight_exports(plan, undulation.value_m, quad_segs)):
            out.write(("," if k else "") + _compact(_intent(plan, d, ex)))
            for feature in _features(d.order_id, ex):
                gis.write(("," if features else "") + _compact(feature))
                features += 1
        out.write("]}\n")
        gis.write("]}\n")
    return json_path, geojson_path
