"""Numbers as text: the shortest decimal that reads back to the same float, never in exponent form."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["format_number", "parse_number"]


def format_number(value: float) -> str:
    """``value`` as the shortest positional decimal that round-trips (``60``, ``30.628``, ``0.00001``)."""
    return np.format_float_positional(float(value), unique=True, trim="-")


def parse_number(text: str) -> float:
    """A finite float from ``text``; :class:`ValueError` for anything else (NaN and infinities too)."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value
