"""MAVLink missions for ArduPilot Copter: items, the delivery-flight builder, fence and rally."""

from .items import FENCE, MISSION, RALLY, Mission, MissionItem

__all__ = ["Mission", "MissionItem", "MISSION", "FENCE", "RALLY"]
