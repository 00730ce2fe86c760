"""Obstacle-aware shortest paths from a site (exact, on a visibility graph of tangent corners)."""

from .router import REASONS, Route, Router, flown_from

__all__ = ["REASONS", "Route", "Router", "flown_from"]
