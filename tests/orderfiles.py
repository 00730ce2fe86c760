"""Orders files for the planner tests: one row per door, in the orders file's columns."""

import csv
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np


def write_orders_file(path: Path, start: datetime, seconds: np.ndarray, lon: np.ndarray, lat: np.ndarray,
                      weight_kg: np.ndarray, prefix: str, digits: int = 5) -> Path:
    """Orders ``prefix`` + number placed ``seconds`` after ``start`` at doors ``(lon, lat)``; returns ``path``."""
    with path.open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["order_id", "placed_at", "lon", "lat", "weight_kg"])
        for i in range(len(seconds)):
            when = (start + timedelta(seconds=float(seconds[i]))).isoformat(timespec="seconds")
            w.writerow([f"{prefix}{i:0{digits}d}", when, f"{lon[i]:.6f}", f"{lat[i]:.6f}", f"{weight_kg[i]:.2f}"])
    return path
