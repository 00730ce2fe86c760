"""The orders file (CSV): ``order_id,placed_at,lon,lat,weight_kg``.

``placed_at`` is ISO 8601 (naive times are the site's local time) or seconds since the
start of the plan. Invalid rows are reported with their row number, never dropped silently:
:func:`load_orders` returns the valid orders and a list of :class:`RowProblem`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import numpy as np

from .errors import InputError
from .fileio import read_text

__all__ = ["Order", "RowProblem", "OrderBook", "load_orders", "ORDER_COLUMNS"]

ORDER_COLUMNS = ("order_id", "placed_at", "lon", "lat", "weight_kg")


@dataclass(frozen=True)
class Order:
    """One order: door at (``lon``, ``lat``) degrees, placed ``placed_at`` (aware datetime)."""

    order_id: str
    placed_at: datetime
    lon: float
    lat: float
    weight_kg: float
    row: int = 0


@dataclass(frozen=True)
class RowProblem:
    """A row that could not become an order: its file, row number (header = row 1) and why."""

    source: str
    row: int
    order_id: str
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: row {self.row}: {self.problem}"


@dataclass(frozen=True)
class OrderBook:
    """Valid orders sorted by ``placed_at`` (stable), the plan start and the invalid rows."""

    orders: tuple[Order, ...]
    start: datetime
    problems: tuple[RowProblem, ...] = ()

    def __len__(self) -> int:
        return len(self.orders)

    def lonlat(self) -> np.ndarray:
        """Doors as an (n, 2) array of (lon, lat) degrees."""
        return np.array([(o.lon, o.lat) for o in self.orders], float).reshape(-1, 2)

    def seconds(self) -> np.ndarray:
        """Order times in seconds since ``start``."""
        return np.array([(o.placed_at - self.start).total_seconds() for o in self.orders], float)


def _parse_placed_at(text: str, start: datetime | None, tz: tzinfo) -> datetime:
    text = text.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not np.isfinite(seconds) or seconds < 0:
            raise ValueError(f"placed_at {text!r} must be non-negative seconds")
        if start is None:
            raise ValueError("placed_at in seconds needs a plan start ([planning] start in the site file)")
        return start + timedelta(seconds=seconds)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"placed_at {text!r} is neither ISO 8601 nor seconds") from None
    return when.replace(tzinfo=tz) if when.tzinfo is None else when


def load_orders(path: str | Path, tz: tzinfo, start: datetime | None = None) -> OrderBook:
    """Read an orders CSV; times without a zone are in ``tz``.

    ``start`` is the plan start (needed for times given in seconds); by default midnight
    local time of the first ISO time. Raises :class:`InputError` for a missing file or bad
    header; bad rows become :class:`RowProblem` entries.
    """
    path = Path(path)
    source = str(path)
    reader = csv.DictReader(io.StringIO(read_text(path, "utf-8-sig"), newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ORDER_COLUMNS if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; expected {','.join(ORDER_COLUMNS)}", source, "row 1")
    reader.fieldnames = header
    rows = list(reader)

    if start is None:
        for raw in rows:
            try:
                first = _parse_placed_at(raw.get("placed_at") or "", None, tz).astimezone(tz)
            except ValueError:
                continue
            start = first.replace(hour=0, minute=0, second=0, microsecond=0)
            break

    orders: list[Order] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for number, raw in enumerate(rows, start=2):
        order_id = (raw.get("order_id") or "").strip()
        try:
            if not order_id:
                raise ValueError("order_id is empty")
            if order_id in seen:
                raise ValueError(f"duplicate order_id {order_id!r}")
            values = {}
            for column in ("lon", "lat", "weight_kg"):
                text = (raw.get(column) or "").strip()
                try:
                    values[column] = float(text)
                except ValueError:
                    raise ValueError(f"{column} {text!r} is not a number") from None
                if not np.isfinite(values[column]):
                    raise ValueError(f"{column} is not finite")
            lon, lat = values["lon"], values["lat"]
            if abs(lat) > 90 or abs(lon) > 180:
                swapped = abs(lon) <= 90 and abs(lat) <= 180
                raise ValueError(
                    f"coordinate (lon={lon:g}, lat={lat:g}) out of range"
                    + (" (lon and lat look swapped)" if swapped else "")
                )
            if values["weight_kg"] < 0:
                raise ValueError("weight_kg is negative")
            placed_at = _parse_placed_at(raw.get("placed_at") or "", start, tz)
        except ValueError as exc:
            problems.append(RowProblem(source, number, order_id, str(exc)))
            continue
        seen.add(order_id)
        orders.append(Order(order_id, placed_at, lon, lat, values["weight_kg"], number))

    if start is None:
        start = min((o.placed_at for o in orders), default=datetime.now(tz))
    orders.sort(key=lambda o: o.placed_at)
    return OrderBook(tuple(orders), start, tuple(problems))
