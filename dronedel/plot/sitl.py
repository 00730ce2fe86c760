"""Figures of SITL runs: real-time factor against speed-up, flown against planned time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..fileio import save_figure

__all__ = ["plot_speedup", "plot_time_errors"]


def plot_speedup(runs: Mapping[str, Sequence[tuple[float, float]]], path: str | Path, *,
                 size_in: tuple[float, float] = (6.5, 4.2)) -> Path:
    """Achieved real-time factor (simulated s per wall s) against the requested speed-up.

    ``runs`` maps a label (e.g. "1 instance") to ``(speedup, real-time factor)`` pairs; the
    diagonal is the speed-up asked for.
    """
    fig = Figure(figsize=size_in)
    ax = fig.add_subplot()
    top = max(s for pairs in runs.values() for s, _ in pairs)
    ax.plot([0, top], [0, top], color="#999999", linewidth=0.8, linestyle=":", label="as asked")
    for label, pairs in runs.items():
        s, r = np.array(sorted(pairs)).T
        ax.plot(s, r, marker="o", label=label)
    ax.set_xlabel("SIM_SPEEDUP asked")
    ax.set_ylabel("real-time factor achieved")
    ax.set_title("ArduPilot SITL speed on 2 cores (simulated / wall seconds, in flight)", fontsize=10)
    ax.grid(True, linewidth=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def plot_time_errors(names: Sequence[str], errors: Sequence[float | None], path: str | Path, *,
                     limit: float = 0.05, size_in: tuple[float, float] = (7, 4.2)) -> Path:
    """Flown minus planned flight time, as a share of planned, one bar per flight; ``limit`` shaded."""
    fig = Figure(figsize=size_in)
    ax = fig.add_subplot()
    values = np.array([np.nan if e is None else 100 * e for e in errors])
    colours = ["#2ca02c" if abs(v) <= 100 * limit else "#d62728" for v in np.nan_to_num(values, nan=1e9)]
    y = np.arange(len(names))
    ax.barh(y, np.nan_to_num(values), color=colours)
    ax.axvspan(-100 * limit, 100 * limit, color="#2ca02c", alpha=0.08)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("flown - planned flight time (% of planned)")
    ax.set_title("SITL regression: flown against planned time", fontsize=10)
    ax.grid(True, axis="x", linewidth=0.3)
    return save_figure(fig, path)
