"""Read airspace files of any supported format into one :class:`~dronedel.airspace.model.Airspace`.

The format is detected from the content (FAA UAS Facility Map grid or National Security UAS
Flight Restrictions, by their fields; GeoJSON FeatureCollection; ED-269 ``features[]`` with
``geometry[]`` volumes; OpenAir ``AC`` records) unless given explicitly.

Text: UTF-8 with or without a byte-order mark (UTF-16 with one), else Windows-1252 (the
superset of Latin-1 that European OpenAir exports use), else Latin-1; ``encoding`` forces
one. CR, LF and CRLF line ends are all read.

A site's *planning range* (:func:`planning_range`) is where its zones can matter: its
operating area grown by the planning margin, or without one the 100 km disc around the site
within which its local frame is trusted. Reading for a site keeps only the zones that reach
into it (so a national file costs the planner only the zones near the depot) and judges the
records that cannot be read against it (:mod:`dronedel.airspace.problems`).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable
from datetime import timezone, tzinfo
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ..config import SiteConfig
from ..errors import InputError
from ..fileio import read_bytes
from ..geo import MAX_FRAME_RADIUS_M, LocalFrame
from .ed269 import looks_like_ed269, zones_from_ed269
from .faa import looks_like_nsufr, looks_like_uasfm, zones_from_nsufr, zones_from_uasfm
from .geojson import parse_area, zones_from_geojson
from .model import Airspace, Zone
from .openair import looks_like_openair, parse_openair
from .parsing import load_json
from .shapes import DEFAULT_MAX_ERROR_M, circle_polygon

__all__ = [
    "FORMATS", "detect_format", "decode_text", "read_zones", "read_airspace", "read_operating_area",
    "planning_range", "site_airspace",
]

#: Airspace formats, by the name ``format=`` and ``--format`` take.
FORMATS = ("geojson", "ed269", "openair", "uasfm", "nsufr")

#: Encodings tried in turn when none is given (after a byte-order mark, which decides).
_ENCODINGS = ("utf-8", "cp1252", "latin-1")

StrPath = str | PathLike


def decode_text(data: bytes, source: str, encoding: str | None = None) -> str:
    """The text of an airspace file's bytes: ``encoding`` if given, else by BOM, UTF-8, Windows-1252, Latin-1."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}", "--encoding") from None
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise InputError(f"not valid {encoding} text (byte {exc.start})", source) from None
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name).lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise InputError(f"not valid {name} text after its byte-order mark (byte {exc.start})",
                                 source) from None
    for name in _ENCODINGS:
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def detect_format(text: str, source: str = "") -> str:
    """The format of airspace ``text``: one of :data:`FORMATS`; InputError saying what was tried."""
    if text.lstrip().startswith(("{", "[")):
        data = load_json(text, source)
        if looks_like_uasfm(data):
            return "uasfm"
        if looks_like_nsufr(data):
            return "nsufr"
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            return "geojson"
        if looks_like_ed269(data):
            return "ed269"
    elif looks_like_openair(text):
        return "openair"
    raise InputError(
        "not an airspace file: tried GeoJSON (a FeatureCollection; FAA UAS facility map cells and national "
        "security UAS flight restrictions by their fields), ED-269 (features[] with geometry[] volumes) and "
        "OpenAir (AC records)", source,
    )


_JSON_READERS: dict[str, Callable[..., list[Zone]]] = {
    "geojson": zones_from_geojson, "ed269": zones_from_ed269, "uasfm": zones_from_uasfm, "nsufr": zones_from_nsufr,
}


def _parse(text: str, fmt: str, source: str, **options: Any) -> list[Zone]:
    if fmt == "openair":
        return parse_openair(text, source, **options)
    return _JSON_READERS[fmt](load_json(text, source), source, **options)


def read_zones(
    path: StrPath,
    format: str | None = None,
    *,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
    encoding: str | None = None,
    planning_range: BaseGeometry | None = None,
    strict: bool = False,
) -> list[Zone]:
    """Zones of one airspace file; ``format`` (one of :data:`FORMATS`) overrides detection.

    ``ground_amsl_m`` (m AMSL) is the ground the AGL limits stand on, used to check that
    each ceiling is above its floor; ``tz`` is the time zone of local times in GeoJSON
    schedules; circles and arcs become polygons within ``max_error_m`` metres; ``encoding``
    forces the text encoding. A record that cannot be read is an error if it could lie
    within ``planning_range`` ((lon, lat); None: anywhere), or with ``strict``; else it is
    skipped with a warning. Every error of the file is raised at once.
    """
    path = Path(path)
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown airspace format {format!r} (expected one of {', '.join(FORMATS)})", "--format")
    text = decode_text(read_bytes(path), str(path), encoding)
    fmt = format or detect_format(text, str(path))
    return _parse(text, fmt, str(path), ground_amsl_m=ground_amsl_m, tz=tz, max_error_m=max_error_m,
                  planning_range=planning_range, strict=strict)


def read_airspace(
    paths: StrPath | Iterable[StrPath],
    format: str | None = None,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    *,
    operating_area: StrPath | None = None,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
    encoding: str | None = None,
    planning_range: BaseGeometry | None = None,
    strict: bool = False,
) -> Airspace:
    """Read and merge airspace files (see :func:`read_zones`) and an optional operating-area file.

    With a ``planning_range`` ((lon, lat)) only the zones that reach into it are kept. Zone
    ids must be unique across the zones kept; a repeated id is an :class:`InputError` naming
    both places.
    """
    if isinstance(paths, (str, PathLike)):
        paths = [paths]
    zones: list[Zone] = []
    seen: dict[str, Zone] = {}
    for path in paths:
        found = read_zones(path, format, ground_amsl_m=ground_amsl_m, tz=tz, max_error_m=max_error_m,
                           encoding=encoding, planning_range=planning_range, strict=strict)
        if planning_range is not None and found:
            shapely.prepare(planning_range)
            near = shapely.intersects(planning_range, np.array([z.geometry for z in found], dtype=object))
            found = [z for z, keep in zip(found, near) if keep]
        for zone in found:
            if zone.id in seen:
                first = seen[zone.id]
                raise InputError(
                    f"zone id {zone.id!r} is already used by {first.source} {first.where}".rstrip(),
                    zone.source, zone.where,
                )
            seen[zone.id] = zone
            zones.append(zone)
    area = read_operating_area(operating_area) if operating_area is not None else None
    return Airspace(zones, area, ground_amsl_m)


def read_operating_area(path: StrPath) -> Polygon | MultiPolygon:
    """The operating area: union of the (Multi)Polygons of a GeoJSON file, in (lon, lat) degrees."""
    path = Path(path)
    return parse_area(load_json(decode_text(read_bytes(path), str(path)), str(path)), str(path))


def planning_range(config: SiteConfig) -> BaseGeometry:
    """The (lon, lat) region whose zones can matter to the site (see the module docstring)."""
    site = config.site
    if config.airspace.operating_area is None:
        return circle_polygon(site.lon, site.lat, MAX_FRAME_RADIUS_M, max_error_m=100.0)
    frame = LocalFrame(site.lon, site.lat)
    area = frame.geometry_to_local(read_operating_area(config.airspace.operating_area), check=False)
    grown = shapely.union(area.buffer(config.planning.margin_m + DEFAULT_MAX_ERROR_M), shapely.Point(0, 0).buffer(1.0))
    return frame.geometry_to_lonlat(grown)


def site_airspace(
    config: SiteConfig, format: str | None = None, *, encoding: str | None = None, strict: bool = False
) -> Airspace:
    """The airspace a site file names: its files, operating area, ground elevation and time zone,
    with only the zones within the site's :func:`planning_range`."""
    air = config.airspace
    return read_airspace(
        air.files, format, config.site.elevation_m, config.site.tz, operating_area=air.operating_area,
        encoding=encoding, planning_range=planning_range(config), strict=strict,
    )
