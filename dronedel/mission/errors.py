"""The error a mission cannot be built for."""

from __future__ import annotations

from ..errors import DronedelError

__all__ = ["MissionError"]


class MissionError(DronedelError, ValueError):
    """A flight cannot become a safe mission: its route breaks the fence, no ceiling room, ..."""
