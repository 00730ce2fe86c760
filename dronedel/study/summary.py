"""A study's tables: rows to Parquet and CSV, means with confidence intervals over the draws,
and the sizing answer.

For each site, demand level, promise, policy and fleet size, :func:`summarise` gives the mean
of each figure over the weather draws and seeds with a Student-t confidence interval, and the
sizing metric at the study's weather percentile (linear interpolation between draws, numpy's
default): at percentile 10 the share the fleet reaches on 9 days out of 10. :func:`sizing`
answers, per site, demand level, promise and policy, with the smallest fleet size studied
whose percentile reaches the target (None when even the largest does not).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from ..errors import DronedelError
from ..fileio import atomic_path, write_with
from .cells import ROW_COLUMNS
from .spec import Study

__all__ = ["SUMMARY_FIGURES", "write_rows", "write_table", "summarise", "sizing"]

#: Row figures the summary averages.
SUMMARY_FIGURES = ("served_share", "served_share_in_reach", "on_time_share", "door_p90_min", "utilisation",
                   "flights_per_drone", "energy_wh_per_delivery", "lost_to_weather")

_GROUP = ("site", "orders_per_day", "promise_min", "policy")


def write_table(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> Path:
    """Write ``rows`` (dicts) as CSV with ``columns`` (None as an empty field)."""
    def fill(handle) -> None:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(columns)
        for row in rows:
            out.writerow(["" if row.get(c) is None else row.get(c) for c in columns])

    return write_with(path, fill)


def write_rows(rows: Sequence[dict[str, Any]], out: Path) -> tuple[Path, Path]:
    """``out/rows.parquet`` (pyarrow) and ``out/rows.csv``, one row per cell, columns :data:`ROW_COLUMNS`."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise DronedelError("writing Parquet needs pyarrow: pip install 'dronedel[study]'") from None
    out = Path(out)
    table = pa.Table.from_pylist([{c: r.get(c) for c in ROW_COLUMNS} for r in rows],
                                 schema=_schema(pa))
    parquet = out / "rows.parquet"
    with atomic_path(parquet) as tmp:
        pq.write_table(table, tmp)
    return parquet, write_table(out / "rows.csv", rows, ROW_COLUMNS)


def _schema(pa: Any) -> Any:
    kinds = {"site": pa.string(), "date": pa.string(), "policy": pa.string(), "weather": pa.string(), "rejections": pa.string(), "cell": pa.string(),
             "fleet": pa.int64(), "draw": pa.int64(), "seed": pa.int64(), "orders": pa.int64(),
             "valid_orders": pa.int64(), "in_reach": pa.int64(), "served": pa.int64(), "lost_to_weather": pa.int64(),
             "no_fly_hours": pa.int64()}
    return pa.schema([(c, kinds.get(c, pa.float64())) for c in ROW_COLUMNS])


def _mean_ci(values: np.ndarray, confidence: float) -> tuple[float | None, float | None, float | None]:
    v = values[np.isfinite(values)]
    if not v.size:
        return None, None, None
    mean = float(v.mean())
    if v.size < 2:
        return round(mean, 4), None, None
    half = float(stats.t.ppf(0.5 + confidence / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    return round(mean, 4), round(mean - half, 4), round(mean + half, 4)


def _values(rows: Sequence[dict[str, Any]], key: str) -> np.ndarray:
    return np.array([np.nan if r.get(key) is None else float(r[key]) for r in rows], float)


def summarise(study: Study, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One summary row per site, demand level, promise, policy and fleet: ``days`` (draws x seeds), each
    figure's mean and confidence interval (``_lo``/``_hi``), and the sizing metric at the weather percentile
    (``{metric}_p{percentile}``) and the other tail (``{metric}_p{100 - percentile}``)."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in (*_GROUP, "fleet")), []).append(r)
    p = study.weather_percentile
    out = []
    for key in sorted(groups, key=lambda k: tuple("" if v is None else v for v in k)):
        group = groups[key]
        s: dict[str, Any] = dict(zip((*_GROUP, "fleet"), key))
        s["days"] = len(group)
        for name in SUMMARY_FIGURES:
            s[name], s[f"{name}_lo"], s[f"{name}_hi"] = _mean_ci(_values(group, name), study.confidence)
        metric = _values(group, study.metric)
        metric = metric[np.isfinite(metric)]
        for q in (p, 100 - p):
            s[f"{study.metric}_p{q:g}"] = round(float(np.percentile(metric, q)), 4) if metric.size else None
        out.append(s)
    return out


def sizing(study: Study, summary: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per site, demand level, promise and policy: the smallest fleet whose ``{metric}_p{percentile}``
    reaches the target (``required_fleet`` None, ``note`` saying so, when no fleet studied does)."""
    column = f"{study.metric}_p{study.weather_percentile:g}"
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for s in summary:
        groups.setdefault(tuple(s[k] for k in _GROUP), []).append(s)
    out = []
    for key, group in groups.items():
        group = sorted(group, key=lambda s: s["fleet"])
        ok = [s for s in group if s[column] is not None and s[column] >= study.target]
        best = ok[0] if ok else None
        out.append({**dict(zip(_GROUP, key)), "metric": study.metric, "target": study.target,
                    "weather_percentile": study.weather_percentile, "largest_fleet": group[-1]["fleet"],
                    "required_fleet": best["fleet"] if best else None,
                    "reached": best[column] if best else max((s[column] for s in group if s[column] is not None),
                                                             default=None),
                    "note": "" if best else f"not reached with {group[-1]['fleet']} drones, the largest fleet studied"})
    return out
