"""Read airspace files of any supported format into one :class:`~dronedel.airspace.model.Airspace`.

The format is detected from the content (GeoJSON FeatureCollection, ED-269 ``features[]``
with ``geometry[]`` volumes, OpenAir ``AC`` records) unless given explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timezone, tzinfo
from os import PathLike
from pathlib import Path
from typing import Any

from shapely.geometry import MultiPolygon, Polygon

from ..config import SiteConfig
from ..errors import InputError
from ..fileio import read_text
from .ed269 import looks_like_ed269, zones_from_ed269
from .geojson import parse_area, zones_from_geojson
from .model import Airspace, Zone
from .openair import looks_like_openair, parse_openair
from .parsing import load_json
from .shapes import DEFAULT_MAX_ERROR_M

__all__ = ["FORMATS", "detect_format", "read_zones", "read_airspace", "read_operating_area", "site_airspace"]

#: Airspace formats, by the name ``format=`` and ``--format`` take.
FORMATS = ("geojson", "ed269", "openair")

StrPath = str | PathLike


def _read_text(path: Path) -> str:
    """An airspace file's text: UTF-8 (with or without a byte-order mark), else Latin-1 as older OpenAir files are."""
    return read_text(path, "utf-8-sig", fallback="latin-1")


def detect_format(text: str, source: str = "") -> str:
    """The format of airspace ``text``: one of :data:`FORMATS`; InputError saying what was tried."""
    if text.lstrip().startswith(("{", "[")):
        data = load_json(text, source)
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            return "geojson"
        if looks_like_ed269(data):
            return "ed269"
    elif looks_like_openair(text):
        return "openair"
    raise InputError(
        "not an airspace file: tried GeoJSON (a FeatureCollection), ED-269 (features[] with geometry[] "
        "volumes) and OpenAir (AC records)", source,
    )


def _parse(text: str, fmt: str, source: str, **options: Any) -> list[Zone]:
    if fmt == "openair":
        return parse_openair(text, source, **options)
    readers: dict[str, Callable[..., list[Zone]]] = {"geojson": zones_from_geojson, "ed269": zones_from_ed269}
    return readers[fmt](load_json(text, source), source, **options)


def read_zones(
    path: StrPath,
    format: str | None = None,
    *,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
) -> list[Zone]:
    """Zones of one airspace file; ``format`` (one of :data:`FORMATS`) overrides detection.

    ``ground_amsl_m`` (m AMSL) is the ground the AGL limits stand on, used to check that
    each ceiling is above its floor; ``tz`` is the time zone of local times in GeoJSON
    schedules; circles and arcs become polygons within ``max_error_m`` metres.
    """
    path = Path(path)
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown airspace format {format!r} (expected one of {', '.join(FORMATS)})", "--format")
    text = _read_text(path)
    fmt = format or detect_format(text, str(path))
    return _parse(text, fmt, str(path), ground_amsl_m=ground_amsl_m, tz=tz, max_error_m=max_error_m)


def read_airspace(
    paths: StrPath | Iterable[StrPath],
    format: str | None = None,
    ground_amsl_m: float = 0.0,
    tz: tzinfo = timezone.utc,
    *,
    operating_area: StrPath | None = None,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
) -> Airspace:
    """Read and merge airspace files (see :func:`read_zones`) and an optional operating-area file.

    Zone ids must be unique across all files; a repeated id is an :class:`InputError` naming
    both places.
    """
    if isinstance(paths, (str, PathLike)):
        paths = [paths]
    zones: list[Zone] = []
    seen: dict[str, Zone] = {}
    for path in paths:
        for zone in read_zones(path, format, ground_amsl_m=ground_amsl_m, tz=tz, max_error_m=max_error_m):
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
    return parse_area(load_json(_read_text(path), str(path)), str(path))


def site_airspace(config: SiteConfig, format: str | None = None) -> Airspace:
    """The airspace a site file names: its files, operating area, ground elevation and time zone."""
    air = config.airspace
    return read_airspace(
        air.files, format, config.site.elevation_m, config.site.tz, operating_area=air.operating_area
    )
