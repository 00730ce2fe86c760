"""Airspace: zones with floors, ceilings and schedules, read from GeoJSON, ED-269 or OpenAir.

Geometries are WGS84 ``(lon, lat)`` degrees; heights are metres AGL or AMSL.
:func:`read_airspace` reads and merges files (format detected from the content);
:class:`Airspace` answers which zones touch a geometry, are active, or block a flight.
"""

from .ed269 import parse_ed269
from .geojson import parse_geojson
from .heights import FOOT_M, NAUTICAL_MILE_M, format_height, parse_height
from .model import GROUND, UNLIMITED, Airspace, Circle, Exemption, Height, Restriction, VerticalReference, Zone
from .openair import parse_openair
from .read import FORMATS, detect_format, read_airspace, read_operating_area, read_zones, site_airspace
from .schedule import Schedule, WeeklyPeriod
from .shapes import DEFAULT_MAX_ERROR_M, circle_polygon

__all__ = [
    "Airspace", "Zone", "Restriction", "Exemption", "Height", "VerticalReference", "Circle", "Schedule", "WeeklyPeriod",
    "GROUND", "UNLIMITED", "FOOT_M", "NAUTICAL_MILE_M", "DEFAULT_MAX_ERROR_M", "FORMATS",
    "read_airspace", "read_zones", "read_operating_area", "site_airspace", "detect_format",
    "parse_geojson", "parse_ed269", "parse_openair", "parse_height", "format_height", "circle_polygon",
]
