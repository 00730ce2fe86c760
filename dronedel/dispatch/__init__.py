"""The 30-minute dispatch planner: a decision for every order, drones booked without overlap.

:func:`plan_day` decides a day of orders; :class:`Plan` holds one :class:`Decision` per
order (accepted with a :class:`Flight`, or rejected with a reason code from
:data:`REASONS`); :func:`write_plan` writes plan.json and plan.csv.
"""

from .activity import ZoneActivity
from .admission import AdmissionLimit
from .dispatcher import Dispatcher
from .model import POLICIES, REASONS, Decision, Flight, Plan, audit_decisions
from .output import summary, write_plan
from .plan import DayContext, plan_day, prepare_day
from .table import FlightTable, Leg

__all__ = [
    "plan_day", "prepare_day", "DayContext", "Plan", "Decision", "Flight", "REASONS", "POLICIES", "audit_decisions",
    "write_plan", "summary",
    "Dispatcher", "FlightTable", "Leg", "ZoneActivity", "AdmissionLimit",
]
