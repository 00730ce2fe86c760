"""plan.json, plan.csv and the summary of a :class:`~dronedel.dispatch.Plan`.

plan.json (schema ``dronedel-plan/1``, described in docs/planning.md) holds every
decision with its times as ISO 8601 in the site's time zone, routes as (lon, lat) degrees
and as local metres, and the summary. plan.csv has one row per order.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

import numpy as np

from .. import __version__
from ..fileio import write_json, write_with
from ..intent import KINDS
from .model import REASONS, Decision, Flight, Plan

__all__ = ["SCHEMA", "CSV_COLUMNS", "VOLUME_COLUMNS", "summary", "plan_to_json", "write_plan"]

SCHEMA = "dronedel-plan/2"

#: Columns of a flight's ``intent.volumes`` rows in plan.json (local metres, m AGL, s after the plan start).
VOLUME_COLUMNS = ("kind", "ax_m", "ay_m", "bx_m", "by_m", "radius_m", "alt_lower_m_agl", "alt_upper_m_agl",
                  "time_start_s", "time_end_s")

CSV_COLUMNS = ("order_id", "row", "placed_at", "status", "reason", "drone", "pad", "layers_m", "takeoff_at", "door_at",
               "land_at", "minutes_to_door", "distance_m", "energy_wh", "reserve_wh", "detail")


def _stamp(plan: Plan, seconds: float) -> str:
    """ISO 8601 time, to the second, in the site's time zone."""
    return plan.at(seconds).isoformat(timespec="seconds")


def _round(x: float, digits: int = 1) -> float | None:
    return round(float(x), digits) if np.isfinite(x) else None


def summary(plan: Plan) -> dict[str, Any]:
    """Headline figures: counts by status and reason, door times, energy, drone use."""
    flights = plan.flights
    valid = [d for d in plan.decisions if d.reason != "invalid_input"]
    door_min = np.array([(d.flight.door_s - d.placed_s) / 60 for d in plan.decisions if d.flight], float)
    per_drone = np.bincount([f.drone for f in flights], minlength=plan.drones)
    busy = np.bincount([f.drone for f in flights], [f.ready_s - f.loading_s for f in flights], minlength=plan.drones)
    span = (max(f.ready_s for f in flights) - min(f.loading_s for f in flights)) if flights else 0.0
    energy = np.array([f.energy_wh for f in flights], float)

    def stats(a: np.ndarray) -> dict[str, float | None]:
        if not a.size:
            return {"mean": None, "p50": None, "p90": None, "max": None}
        return {"mean": _round(a.mean(), 2), "p50": _round(np.percentile(a, 50), 2),
                "p90": _round(np.percentile(a, 90), 2), "max": _round(a.max(), 2)}

    return {
        "orders": len(plan.decisions),
        "valid_orders": len(valid),
        "accepted": len(flights),
        "rejected": len(plan.decisions) - len(flights),
        "accepted_share": _round(len(flights) / len(valid), 4) if valid else None,
        "rejected_by_reason": dict(sorted(plan.reasons().items())),
        "minutes_to_door": stats(door_min),
        "energy_wh_per_delivery": stats(energy),
        "energy_wh_total": _round(energy.sum(), 1),
        "flights_per_drone": {"mean": _round(per_drone.mean(), 2), "min": int(per_drone.min()),
                              "max": int(per_drone.max())} if plan.drones else None,
        "drone_utilisation": _round(busy.sum() / (plan.drones * span), 4) if span > 0 else None,
        "separation": plan.separation.as_dict(),
    }


def _route_json(plan: Plan, xy: np.ndarray) -> dict[str, Any]:
    return {"lonlat": np.round(plan.lonlat(xy), 7).tolist(), "local_m": np.round(xy, 2).tolist()}


def _intent_json(plan: Plan, f: Flight) -> dict[str, Any]:
    v = f.volumes(plan.config.aircraft, plan.config.separation)
    rows = np.column_stack([v.ax, v.ay, v.bx, v.by, v.radius, v.z_lo, v.z_hi, v.t_lo, v.t_hi])
    return {"time_start": _stamp(plan, float(v.t_lo.min())), "time_end": _stamp(plan, float(v.t_hi.max())),
            "columns": list(VOLUME_COLUMNS),
            "volumes": [[KINDS[k], *r] for k, r in zip(v.kind.tolist(), np.round(rows, 2).tolist())]}


def _flight_json(plan: Plan, f: Flight, placed_s: float) -> dict[str, Any]:
    pad = plan.config.separation.pads[f.pad]
    return {
        "drone": f.drone,
        "pad": {"name": pad.name, "lonlat": np.round(plan.lonlat(np.array([pad.xy])), 7)[0].tolist(),
                "local_m": list(pad.xy)},
        "layers_m_agl": {"outbound": f.layers[0], "return": f.layers[1]},
        "loading_at": _stamp(plan, f.loading_s),
        "takeoff_at": _stamp(plan, f.takeoff_s),
        "takeoff_s": _round(f.takeoff_s, 2),
        "door_at": _stamp(plan, f.door_s),
        "land_at": _stamp(plan, f.land_s),
        "ready_at": _stamp(plan, f.ready_s),
        "minutes_to_door": _round((f.door_s - placed_s) / 60, 2),
        "flight_s": _round(f.land_s - f.takeoff_s, 1),
        "distance_m": _round(f.distance_m, 1),
        "energy_wh": _round(f.energy_wh, 2),
        "reserve_wh": _round(f.reserve_wh, 2),
        "zones_avoided": sorted(f.zones),
        "outbound": _route_json(plan, f.route),
        "return": _route_json(plan, f.route[::-1]),
        "intent": _intent_json(plan, f),
    }


def _decision_json(plan: Plan, d: Decision) -> dict[str, Any]:
    return {
        "order_id": d.order_id,
        "row": d.row,
        "placed_at": _stamp(plan, d.placed_s) if np.isfinite(d.placed_s) else None,
        "decided_at": _stamp(plan, d.decided_s) if np.isfinite(d.decided_s) else None,
        "weight_kg": _round(d.weight_kg, 3),
        "door": list(d.door) if d.door else None,
        "status": d.status,
        "reason": d.reason,
        "detail": d.detail,
        "flight": _flight_json(plan, d.flight, d.placed_s) if d.flight else None,
    }


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as the JSON document written to plan.json."""
    cfg = plan.config
    return {
        "schema": SCHEMA,
        "generator": f"dronedel {__version__}",
        "site": {"name": cfg.site.name, "lon": cfg.site.lon, "lat": cfg.site.lat, "timezone": cfg.site.timezone,
                 "elevation_m": cfg.site.elevation_m},
        "orders_file": plan.source,
        "start": _stamp(plan, 0),
        "policy": plan.policy,
        "batch_s": plan.batch_s,
        "fleet": {"drones": plan.drones, "turnaround_s": cfg.fleet.turnaround_s, "loading_s": cfg.fleet.loading_s},
        "promise_s": cfg.planning.promise_s,
        "margin_m": cfg.planning.margin_m,
        "cruise_alt_m_agl": cfg.aircraft.cruise_alt_m,
        "separation": {"pads": [{"name": p.name, "local_m": list(p.xy)} for p in cfg.separation.pads],
                       "layers_m_agl": list(cfg.separation.layers_m),
                       "horizontal_m": cfg.separation.horizontal_m, "vertical_m": cfg.separation.vertical_m,
                       "volume_half_width_m": cfg.separation.half_width_m,
                       "volume_half_height_m": cfg.separation.half_height_m,
                       "time_buffer_s": cfg.separation.time_buffer_s,
                       "time_buffer_rate": cfg.separation.time_buffer_rate, "slice_s": cfg.separation.slice_s,
                       "pad_clear_s": cfg.separation.pad_clear_s},
        "wind": {"speed_ms": plan.wind.speed_ms, "from_deg": plan.wind.from_deg},
        "reasons": REASONS,
        "summary": summary(plan),
        "decisions": [_decision_json(plan, d) for d in plan.decisions],
    }


def _csv_row(plan: Plan, d: Decision) -> list[Any]:
    f = d.flight
    placed = _stamp(plan, d.placed_s) if np.isfinite(d.placed_s) else ""
    if f is None:
        return [d.order_id, d.row, placed, d.status, d.reason, "", "", "", "", "", "", "", "", "", "", d.detail]
    return [d.order_id, d.row, placed, d.status, "", f.drone, plan.config.separation.pads[f.pad].name,
            f"{f.layers[0]:g}/{f.layers[1]:g}", _stamp(plan, f.takeoff_s), _stamp(plan, f.door_s),
            _stamp(plan, f.land_s), f"{(f.door_s - d.placed_s) / 60:.2f}", f"{f.distance_m:.1f}",
            f"{f.energy_wh:.2f}", f"{f.reserve_wh:.2f}", d.detail]


def write_plan(plan: Plan, directory: str | Path) -> tuple[Path, Path]:
    """Write ``directory``/plan.json and ``directory``/plan.csv atomically; return both paths."""
    directory = Path(directory)

    def fill(handle: IO[str]) -> None:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(_csv_row(plan, d) for d in plan.decisions)

    json_path = write_json(directory / "plan.json", plan_to_json(plan))
    csv_path = write_with(directory / "plan.csv", fill)
    return json_path, csv_path
