"""The live dispatch service: orders decided as they come, the fleet flown and watched, over HTTP.

The offline dispatcher (:mod:`dronedel.dispatch`) decides; this package adds a clock
(:mod:`.clock`, with a speed-up), a store that keeps every decision before it is answered
(:mod:`.store`, SQLite), vehicles that fly the accepted flights (:mod:`.vehicles` virtual
drones, :mod:`.mavfleet` MAVLink vehicles and ArduPilot SITL), conformance and link watching
(:mod:`.conformance`), and the HTTP JSON API with its event stream and dashboard
(:mod:`.app`, needing the ``service`` extra). :class:`~.core.DispatchService` ties them together.
"""

from .booking import LiveDispatcher
from .clock import ServiceClock
from .conformance import ConformanceMonitor
from .core import DRONE_STATES, Conflict, DispatchService, NotFound, OrderRequest, ServiceOptions
from .store import SCHEMA_VERSION, Store
from .trajectory import Trajectory, planned_trajectory
from .vehicles import Fleet, Report, VirtualFleet

__all__ = [
    "DispatchService", "ServiceOptions", "OrderRequest", "Conflict", "NotFound", "DRONE_STATES", "LiveDispatcher",
    "ServiceClock", "Store", "SCHEMA_VERSION", "ConformanceMonitor",
    "Trajectory", "planned_trajectory", "Fleet", "Report", "VirtualFleet",
]
