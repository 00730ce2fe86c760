"""4D operational intents: planned paths, F3548 volumes, the index that finds conflicts, the audit.

:class:`PlannedPath` says where a planned flight is at every instant; :func:`volumes_for`
wraps it in ASTM F3548-21 volumes (plan-view capsules, altitude bands, time windows);
:class:`IntentIndex` answers which accepted volumes a new flight's volumes meet;
:func:`layers_for` assigns cruise layers by direction of travel; :func:`audit_separation`
measures the closest approach between planned (or flown) tracks.
"""

from .audit import SeparationAudit, Track, audit_separation, track_of
from .index import Conflict, IntentIndex
from .layers import bearing_deg, layer_for, layer_options, layers_for
from .path import PlannedPath, cruise_speed_bound, door_altitude
from .volumes import KINDS, Volumes, option_volumes, segment_distance, volumes_for

__all__ = [
    "PlannedPath", "cruise_speed_bound", "door_altitude", "Volumes", "KINDS", "volumes_for", "option_volumes",
    "segment_distance",
    "IntentIndex", "Conflict", "bearing_deg", "layer_for", "layers_for", "layer_options",
    "Track", "SeparationAudit", "audit_separation", "track_of",
]
