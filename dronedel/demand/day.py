"""A synthetic day of orders: how many, where (a density over the demand area), when, how heavy."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

import numpy as np

from ..fileio import write_with
from ..orders import ORDER_COLUMNS, Order, OrderBook
from .density import DemandArea, Density, Uniform, sample_doors
from .profile import PackageWeights, TimeProfile

__all__ = ["DemandModel", "order_day", "write_orders"]


@dataclass(frozen=True)
class DemandModel:
    """Orders of a day: ``orders_per_day`` (exactly, or Poisson-distributed with that mean when
    ``poisson``), doors from ``density``, times from ``profile``, masses from ``weights``."""

    orders_per_day: float
    density: Density = field(default_factory=Uniform)
    profile: TimeProfile = field(default_factory=TimeProfile)
    weights: PackageWeights = field(default_factory=PackageWeights)
    poisson: bool = False

    def __post_init__(self) -> None:
        if not self.orders_per_day >= 0:
            raise ValueError(f"orders per day must be a non-negative number, not {self.orders_per_day!r}")


def order_day(model: DemandModel, area: DemandArea, day: date, tz: tzinfo, seed: int | np.random.SeedSequence,
              prefix: str = "") -> OrderBook:
    """A day of orders on ``day`` (local dates in ``tz``) drawn with ``seed``; starts at local midnight.

    Doors are rounded to 1e-6 degree (0.1 m) and masses to 10 g, as :func:`write_orders` writes
    them, so the book equals what reading its file back gives. Order ids are ``{prefix}{yyyymmdd}-{k}``.
    """
    rng = np.random.default_rng(seed)
    n = int(rng.poisson(model.orders_per_day)) if model.poisson else int(round(model.orders_per_day))
    seconds = np.floor(model.profile.draw_seconds(rng, n))
    mass = np.round(model.weights.draw(rng, n), 2)
    # doors last: how many draws the area rejects does not change the times and masses
    doors = np.round(sample_doors(model.density, area, n, rng), 6) if n else np.empty((0, 2))
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    stem = f"{prefix}{day:%Y%m%d}-"
    width = max(4, len(str(n)))
    orders = tuple(Order(f"{stem}{k + 1:0{width}d}", start + timedelta(seconds=float(s)), float(lon), float(lat),
                         float(m), k + 2)
                   for k, (s, (lon, lat), m) in enumerate(zip(seconds, doors, mass)))
    return OrderBook(orders, start)


def write_orders(path: str | Path, book: OrderBook) -> Path:
    """Write ``book`` as the orders CSV the planner reads (``order_id,placed_at,lon,lat,weight_kg``)."""
    def fill(handle) -> None:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(ORDER_COLUMNS)
        for o in book.orders:
            out.writerow([o.order_id, o.placed_at.isoformat(), f"{o.lon:.6f}", f"{o.lat:.6f}", f"{o.weight_kg:.2f}"])

    return write_with(path, fill)
