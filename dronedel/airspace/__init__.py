"""Airspace: zones with floors, ceilings and schedules, read from GeoJSON, ED-269, OpenAir (1 and 2)
and the FAA's UAS facility map grid and national security UAS flight restrictions.

Geometries are WGS84 ``(lon, lat)`` degrees; heights are metres AGL or AMSL.
:func:`read_airspace` reads and merges files (format detected from the content);
:class:`Airspace` answers which zones touch a geometry, are active, or block a flight.
"""

from .ed269 import parse_ed269
from .faa import zones_from_nsufr, zones_from_uasfm
from .geojson import parse_geojson
from .heights import FOOT_M, NAUTICAL_MILE_M, format_height, parse_height
from .model import GROUND, UNLIMITED, Airspace, Circle, Exemption, Height, Restriction, VerticalReference, Zone
from .openair import parse_openair
from .problems import InputErrors
from .read import (
    FORMATS, decode_text, detect_format, planning_range, read_airspace, read_operating_area, read_zones, site_airspace,
)
from .schedule import Schedule, WeeklyPeriod
from .shapes import DEFAULT_MAX_ERROR_M, circle_polygon

__all__ = [
    "Airspace", "Zone", "Restriction", "Exemption", "Height", "VerticalReference", "Circle", "Schedule", "WeeklyPeriod",
    "GROUND", "UNLIMITED", "FOOT_M", "NAUTICAL_MILE_M", "DEFAULT_MAX_ERROR_M", "FORMATS",
    "read_airspace", "read_zones", "read_operating_area", "site_airspace", "planning_range", "detect_format",
    "decode_text", "parse_geojson", "parse_ed269", "parse_openair", "zones_from_uasfm", "zones_from_nsufr",
    "parse_height", "format_height", "circle_polygon", "InputErrors",
]
