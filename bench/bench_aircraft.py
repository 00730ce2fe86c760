"""Aircraft-model benchmark: flights evaluated per second, headline figures, and the model figures.

- ``fly_many`` on 10,000 routes of 1-6 legs (random polylines up to 12 km): flights per
  second, in still air and in wind;
- the figures docs/model.md quotes: hover and cruise power, Wh/km for a 5 km delivery at
  each payload, reach within 28 min and on the battery, a 90-degree corner's cost;
- figures ``model_power.png``, ``model_energy_per_km.png``, ``model_phases.png``.

Run from the repository root::

    nice python bench/bench_aircraft.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from dronedel.aircraft import (
    accel_time, corner_overlap, fly, fly_many, hover_power_w, max_reach, power_w, scurve_jerk, straight,
)
from dronedel.config import AircraftProfile, Wind
from dronedel.plot.aircraft import plot_energy_per_km, plot_flight_phases, plot_power_curve

FIGURES = Path(__file__).resolve().parents[1] / "docs" / "figures"


def random_routes(n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    routes = []
    for _ in range(n):
        legs = rng.integers(1, 7)
        steps = rng.normal(0, 1, (legs, 2)) * rng.uniform(200, 2500, (legs, 1))
        routes.append(np.vstack([[0.0, 0.0], np.cumsum(steps, axis=0)]))
    return routes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=10_000)
    parser.add_argument("--no-figures", action="store_true")
    args = parser.parse_args()
    p = AircraftProfile()
    routes = random_routes(args.routes, 0)
    payload = np.random.default_rng(1).uniform(0, 2.5, len(routes))
    print("## Throughput\n")
    for label, wind in (("still air", None), ("8 m/s wind", Wind(8, 250))):
        fly_many(routes[:100], payload[:100], p, wind)
        t0 = time.perf_counter()
        batch = fly_many(routes, payload, p, wind)
        wall = time.perf_counter() - t0
        legs = sum(len(r) - 1 for r in routes)
        print(f"{label}: {len(routes)} routes ({legs} legs) in {wall * 1000:.0f} ms, "
              f"{len(routes) / wall:,.0f} flights/s; {np.mean(batch.feasible):.1%} feasible")

    print("\n## Figures of the default aircraft\n")
    print(f"hover power: {float(hover_power_w(p, p.empty_mass_kg)):.0f} W empty, "
          f"{float(hover_power_w(p, p.empty_mass_kg + 2.5)):.0f} W with 2.5 kg")
    for payload_kg in (0.0, 1.0, 2.0, 2.5):
        cruise = float(power_w(p, p.empty_mass_kg + payload_kg, p.cruise_speed_ms))
        b = straight(5000.0, 0.0, payload_kg, p)
        print(f"payload {payload_kg:g} kg: cruise {cruise:.0f} W = {cruise / p.cruise_speed_ms / 3.6:.1f} Wh/km; "
              f"5 km delivery {b.energy_wh[0]:.0f} Wh = {b.energy_wh[0] / 10:.1f} Wh/km flown, door at "
              f"{b.door_s[0] / 60:.1f} min, back at {b.duration_s[0] / 60:.1f} min")
    speeds = np.linspace(1, p.max_airspeed_ms, 500)
    best = speeds[np.argmin(power_w(p, p.empty_mass_kg + 2.0, speeds) / speeds)]
    print(f"speed for least energy per km (2 kg): {best:.1f} m/s")
    for budget in (28 * 60, None):
        r = max_reach(p, 2.0, budget_s=budget)
        print(f"reach with 2 kg, {'door within 28 min' if budget else 'battery only'}: {r[0] / 1000:.2f} km")
    rw = max_reach(p, 2.0, Wind(8, 270), budget_s=28 * 60, headings_deg=[90, 270])
    print(f"reach with 2 kg in 8 m/s westerly (28 min): {rw[0] / 1000:.2f} km east, {rw[1] / 1000:.2f} km west")
    full = float(accel_time(15, p.accel_ms2, scurve_jerk(p.accel_ms2, p)))
    tau = corner_overlap(np.cos(np.radians([30, 90, 150])), 15, 15, 15, 15, p)
    print(f"a stop at a waypoint costs {full:.1f} s; corners of 30/90/150 degrees cost "
          f"{', '.join(f'{full - t:.1f}' for t in tau)} s")
    f = fly(np.array([[0, 0], [3000, 0], [3000, 3000]]), 1.5, p)
    print("L-shaped 6 km route with 1.5 kg: " + ", ".join(f"{ph.name} {ph.duration_s:.0f} s/{ph.energy_wh:.1f} Wh"
                                                          for ph in f.phases))
    if not args.no_figures:
        print(plot_power_curve(p, FIGURES / "model_power.png"))
        print(plot_energy_per_km(p, FIGURES / "model_energy_per_km.png"))
        print(plot_flight_phases(p, np.array([[0, 0], [3000, 0], [3000, 3000]]), 1.5, FIGURES / "model_phases.png"))


if __name__ == "__main__":
    main()
