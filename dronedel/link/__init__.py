"""MAVLink link to a vehicle: upload and download mission, fence and rally; set parameters.

Typical use::

    from dronedel.link import connect, upload_all
    conn = connect("tcp:127.0.0.1:5760")
    upload_all(conn, mission)

Every function takes a pymavlink ``mavutil`` connection that has already heard the
vehicle's heartbeat (``conn.target_system`` set), as :func:`connect` returns.
"""

from .connection import connect, enable_signing, load_signing_key, wait_vehicle
from .errors import LinkError, LinkTimeout, MissionRejected, ParamRejected, result_message
from .params import get_param, set_params
from .transfer import (
    DEFAULT_TIMING, Timing, clear_mission, download_all, download_mission, stored_as_sent, upload_all,
    upload_mission,
)

__all__ = [
    "connect", "wait_vehicle", "load_signing_key", "enable_signing",
    "upload_mission", "download_mission", "upload_all", "download_all", "clear_mission", "stored_as_sent",
    "set_params", "get_param", "Timing", "DEFAULT_TIMING",
    "LinkError", "LinkTimeout", "MissionRejected", "ParamRejected", "result_message",
]
