"""Fly missions in ArduPilot SITL: find the binary, run it, fly, record, check and report.

Typical use::

    from dronedel.sitl import Home, SitlOptions, find_arducopter, fly_mission, default_param_file
    options = SitlOptions(find_arducopter(), Home(lon, lat, ground_amsl_m), (default_param_file(),))
    record = fly_mission(mission, options)
"""

from .binary import ENV_VAR, HOW_TO_PROVIDE, find_arducopter
from .errors import ArmingRefused, CommandFailed, LinkLost, SitlCrashed, SitlError, SitlNotFound, SitlTimeout
from .flight import Fault, FlightRecord, Track, fly, fly_mission
from .process import Home, SitlOptions, SitlProcess, default_param_file, reserve_instance, stop_all
from .vehicle import Vehicle

__all__ = [
    "ENV_VAR", "HOW_TO_PROVIDE", "find_arducopter",
    "SitlError", "SitlNotFound", "SitlCrashed", "LinkLost", "ArmingRefused", "SitlTimeout", "CommandFailed",
    "Home", "SitlOptions", "SitlProcess", "default_param_file", "reserve_instance", "stop_all",
    "Vehicle", "Track", "Fault", "FlightRecord", "fly", "fly_mission",
]
