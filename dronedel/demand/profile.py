"""When orders are placed and what they weigh: the hourly time-of-day profile and the package weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["DEFAULT_HOURLY", "TimeProfile", "PackageWeights"]

#: Relative order rate for each local hour 00-23: none overnight, service from 07:00 to 22:00,
#: a lunch peak at 12:00 and a dinner peak at 18:00 (the shape meal and convenience delivery
#: services report; illustrative, not measured).
DEFAULT_HOURLY = (0, 0, 0, 0, 0, 0, 0, 0.3, 0.5, 0.6, 0.8, 1.4, 1.8, 1.2, 0.7, 0.6, 0.8, 1.3, 1.7, 1.4, 0.8,
                  0.4, 0, 0)


@dataclass(frozen=True)
class TimeProfile:
    """Relative order rate per local hour (24 non-negative weights, not all zero); uniform within an hour."""

    hourly: tuple[float, ...] = DEFAULT_HOURLY

    def __post_init__(self) -> None:
        w = np.asarray(self.hourly, float)
        if w.shape != (24,):
            raise ValueError(f"the profile needs 24 hourly weights (00-23), not {w.size}")
        if not np.all(np.isfinite(w)) or (w < 0).any():
            raise ValueError("hourly weights must be non-negative numbers")
        if not (w > 0).any():
            raise ValueError("hourly weights are all zero: no hour to place orders in")

    def shares(self) -> NDArray:
        """The share of the day's orders placed in each hour (sums to 1)."""
        w = np.asarray(self.hourly, float)
        return w / w.sum()

    def draw_seconds(self, rng: np.random.Generator, n: int) -> NDArray:
        """``n`` order times, seconds after local midnight, sorted."""
        hour = rng.choice(24, size=n, p=self.shares())
        return np.sort((hour + rng.random(n)) * 3600.0)


@dataclass(frozen=True)
class PackageWeights:
    """Lognormal package mass: ``median_kg``, log-space standard deviation ``sigma``, at least ``min_kg``.

    The defaults (median 1 kg, sigma 0.7) put about 9 % of packages above 2.5 kg, about the
    share of parcels above the 5 lb (2.3 kg) limit reported for drone delivery.
    """

    median_kg: float = 1.0
    sigma: float = 0.7
    min_kg: float = 0.05

    def __post_init__(self) -> None:
        if not (self.median_kg > 0 and self.sigma >= 0 and self.min_kg >= 0):
            raise ValueError("package weights need median_kg > 0, sigma >= 0 and min_kg >= 0")

    def draw(self, rng: np.random.Generator, n: int) -> NDArray:
        """``n`` package masses, kg."""
        return np.maximum(self.median_kg * np.exp(self.sigma * rng.normal(size=n)), self.min_kg)
