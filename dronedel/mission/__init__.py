"""MAVLink missions for ArduPilot Copter: items, the delivery-flight builder, fence and rally.

:func:`build_mission` turns a delivery route into a :class:`Mission` (mission, fence and
rally items plus the vehicle parameters they need), validated by :func:`validate_mission`.
"""

from .builder import build_mission, delivery_items, mission_params
from .delivery import DeliveryPoint, delivery_method, delivery_point
from .errors import MissionError
from .fence import Fence, FenceCircle, FenceOptions, FencePolygon, FenceWarning, build_fence, fence_storage_bytes
from .items import FENCE, MISSION, RALLY, Mission, MissionItem, command_name, home_item, nav_items
from .rally import rally_points
from .validate import ACCEPTED_COMMANDS, validate_mission

__all__ = [
    "Mission", "MissionItem", "MISSION", "FENCE", "RALLY", "MissionError", "FencePolygon", "command_name", "home_item",
    "nav_items", "build_mission", "delivery_items", "DeliveryPoint", "delivery_point", "delivery_method", "mission_params", "Fence", "FenceCircle", "FenceOptions",
    "FenceWarning", "build_fence", "fence_storage_bytes", "rally_points", "ACCEPTED_COMMANDS",
    "validate_mission",
]
