"""Figures of a study: the sizing metric against fleet size with bands per site, and the fleet
each site needs against demand."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from ..fileio import save_figure

__all__ = ["plot_metric_vs_fleet", "plot_required_fleet"]

_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
_STYLES = ["-", "--", ":", "-."]


def _label(s: dict[str, Any], many: dict[str, bool], demand: bool = True) -> str:
    parts = [str(s["site"])] if many["site"] or not demand else []
    if demand:
        parts.append(f"{s['orders_per_day']:g}/day")
    if many["promise_min"]:
        parts.append("site promise" if s["promise_min"] is None else f"{s['promise_min']:g} min")
    if many["policy"]:
        parts.append(str(s["policy"]))
    return ", ".join(parts)


def _varies(rows: Sequence[dict[str, Any]], *keys: str) -> dict[str, bool]:
    return {k: len({r[k] for r in rows}) > 1 for k in keys}


def plot_metric_vs_fleet(summary: Sequence[dict[str, Any]], metric: str, percentile: float, target: float,
                         path: str | Path, size_in: tuple[float, float] = (7.5, 4.8)) -> Path:
    """The mean of ``metric`` (a share) against fleet size, one colour per site and a line style per demand
    level (promise, policy), with a band from the ``percentile`` to the ``100 - percentile`` of the draws
    and the ``target`` as a dashed line."""
    fig = Figure(figsize=size_in)
    ax = fig.add_subplot()
    sites = sorted({s["site"] for s in summary})
    many = _varies(summary, "site", "promise_min", "policy")
    curves: dict[tuple, list[dict[str, Any]]] = {}
    for s in summary:
        curves.setdefault((s["site"], s["orders_per_day"], s["promise_min"], s["policy"]), []).append(s)
    levels = sorted({k[1:] for k in curves}, key=lambda k: tuple("" if v is None else v for v in k))
    lo, hi = f"{metric}_p{percentile:g}", f"{metric}_p{100 - percentile:g}"
    for key, rows in sorted(curves.items(), key=lambda kv: tuple("" if v is None else v for v in kv[0])):
        rows = sorted(rows, key=lambda s: s["fleet"])
        colour = _COLOURS[sites.index(key[0]) % len(_COLOURS)]
        style = _STYLES[levels.index(key[1:]) % len(_STYLES)]
        fleet = [s["fleet"] for s in rows]
        ax.fill_between(fleet, [100 * (s[lo] or 0) for s in rows], [100 * (s[hi] or 0) for s in rows],
                        color=colour, alpha=0.15, linewidth=0)
        ax.plot(fleet, [100 * (s[metric] or 0) for s in rows], color=colour, linestyle=style, marker="o",
                markersize=3, label=_label(rows[0], many))
    ax.axhline(100 * target, color="black", linestyle="--", linewidth=0.8, label=f"target {100 * target:g} %")
    ax.set_xlabel("drones at the site")
    ax.set_ylabel(f"{metric.replace('_', ' ')} (%)")
    ax.set_ylim(0, 100)
    ax.grid(True, linewidth=0.3)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"Mean over weather draws; bands: percentiles {percentile:g}-{100 - percentile:g}", fontsize=9)
    return save_figure(fig, path)


def plot_required_fleet(sizing: Sequence[dict[str, Any]], path: str | Path, size_in: tuple[float, float] = (6.5, 4.2)
                        ) -> Path:
    """The smallest fleet reaching the target against orders per day, one line per site (promise,
    policy); a demand level no fleet studied serves is drawn as an open marker above the largest fleet."""
    fig = Figure(figsize=size_in)
    ax = fig.add_subplot()
    many = _varies(sizing, "site", "promise_min", "policy")
    lines: dict[tuple, list[dict[str, Any]]] = {}
    for s in sizing:
        lines.setdefault((s["site"], s["promise_min"], s["policy"]), []).append(s)
    for k, (key, rows) in enumerate(sorted(lines.items(), key=lambda kv: tuple(str(v) for v in kv[0]))):
        rows = sorted(rows, key=lambda s: s["orders_per_day"])
        colour = _COLOURS[k % len(_COLOURS)]
        found = [s for s in rows if s["required_fleet"] is not None]
        label = _label(rows[0], many, demand=False)
        ax.plot([s["orders_per_day"] for s in found], [s["required_fleet"] for s in found], color=colour, marker="o",
                label=label)
        missing = [s for s in rows if s["required_fleet"] is None]
        if missing:
            ax.plot([s["orders_per_day"] for s in missing], [s["largest_fleet"] + 0.5 for s in missing],
                    linestyle="none", marker="^", markerfacecolor="none", color=colour,
                    label=f"{label}: more than the largest fleet studied")
    target = sizing[0] if sizing else {"metric": "", "target": 0, "weather_percentile": 0}
    ax.set_xlabel("orders per day")
    ax.set_ylabel("drones needed")
    ax.set_ylim(bottom=0)
    ax.grid(True, linewidth=0.3)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"{target['metric'].replace('_', ' ')} ≥ {100 * target['target']:g} % on "
                 f"{100 - target['weather_percentile']:g} % of days", fontsize=9)
    return save_figure(fig, path)
