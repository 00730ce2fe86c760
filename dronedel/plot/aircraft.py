"""Figures of the aircraft model: power against airspeed, energy per km against payload, and
the phases of one delivery flight."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..aircraft import PHASES, fly, power_w, straight
from ..config import AircraftProfile, Wind
from ..fileio import save_figure

__all__ = ["plot_power_curve", "plot_energy_per_km", "plot_flight_phases"]


def plot_power_curve(profile: AircraftProfile, path: str | Path, *, payloads_kg: tuple[float, ...] = (0.0, 1.0, 2.5),
                     size_in: tuple[float, float] = (7, 4.2)) -> Path:
    """Electrical power (W) against airspeed in level flight, one curve per payload; cruise marked."""
    fig = Figure(figsize=size_in)
    ax = fig.add_subplot()
    v = np.linspace(0, profile.max_airspeed_ms, 200)
    for payload in payloads_kg:
        ax.plot(v, power_w(profile, profile.empty_mass_kg + payload, v), label=f"{payload:g} kg payload")
    heavy = profile.empty_mass_kg + payloads_kg[-1]
    ax.plot(v, power_w(profile, heavy, v, profile.climb_rate_ms), linestyle="--", color="#7f7f7f",
            label=f"climbing {profile.climb_rate_ms:g} m/s, {payloads_kg[-1]:g} kg")
    ax.axvline(profile.cruise_speed_ms, color="black", linewidth=0.8, linestyle=":")
    ax.annotate("cruise", (profile.cruise_speed_ms, ax.get_ylim()[0]), xytext=(3, 5), textcoords="offset points",
                fontsize=8)
    ax.set_xlabel("airspeed (m/s)")
    ax.set_ylabel("electrical power (W)")
    ax.set_title(f"Power of the {profile.empty_mass_kg:g} kg quad (momentum theory, "
                 f"efficiency {profile.hover_efficiency:g})", fontsize=10)
    ax.grid(True, linewidth=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def plot_energy_per_km(profile: AircraftProfile, path: str | Path, *, distance_m: float = 5000.0,
                       wind: Wind | None = None, measured_whkm: tuple[float, float] | None = (14.0, 22.0),
                       size_in: tuple[float, float] = (7, 4.2)) -> Path:
    """Round-trip energy per km flown against payload for a straight delivery ``distance_m`` away.

    Still air, and ``wind`` blowing along the route (headwind out and tailwind back, and the
    reverse; default 8 m/s from the north); ``measured_whkm`` shades a measured range.
    """
    wind = wind or Wind(8.0, 0.0)
    fig = Figure(figsize=size_in)
    ax = fig.add_subplot()
    payload = np.linspace(0, profile.max_payload_kg, 26)
    km = 2 * distance_m / 1000
    cases = [("still air", None, 0.0), (f"{wind.speed_ms:g} m/s headwind out", wind, wind.from_deg),
             (f"{wind.speed_ms:g} m/s tailwind out", wind, wind.from_deg + 180)]
    for label, w, heading in cases:
        b = straight(distance_m, heading, payload, profile, w)
        ax.plot(payload, b.energy_wh / km, label=label)
    if measured_whkm:
        ax.axhspan(*measured_whkm, color="#2ca02c", alpha=0.12, label="measured, small quads (Rodrigues 2022)")
    ax.set_xlabel("payload (kg)")
    ax.set_ylabel("energy per km flown (Wh/km)")
    ax.set_title(f"Whole delivery {distance_m / 1000:g} km away and back, climb and descents included",
                 fontsize=10)
    ax.set_ylim(0, None)
    ax.grid(True, linewidth=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def plot_flight_phases(profile: AircraftProfile, route_xy: np.ndarray, payload_kg: float, path: str | Path, *,
                       wind: Wind | None = None, size_in: tuple[float, float] = (8, 3.6)) -> Path:
    """Time and energy of each phase of one delivery along ``route_xy`` (local metres)."""
    f = fly(route_xy, payload_kg, profile, wind)
    fig = Figure(figsize=size_in)
    time_ax, energy_ax = fig.subplots(1, 2)
    names = list(PHASES)
    times = [f.phase(n).duration_s for n in names]
    energies = [f.phase(n).energy_wh for n in names]
    time_ax.barh(names, times, color="#1f77b4")
    energy_ax.barh(names, energies, color="#ff7f0e")
    time_ax.invert_yaxis()
    energy_ax.invert_yaxis()
    energy_ax.set_yticklabels([])
    time_ax.set_xlabel("seconds")
    energy_ax.set_xlabel("Wh")
    time_ax.set_title(f"{f.duration_s / 60:.1f} min, door at {f.door_s / 60:.1f} min", fontsize=9)
    energy_ax.set_title(f"{f.energy_wh:.0f} Wh, {f.reserve_wh:.0f} Wh left", fontsize=9)
    fig.suptitle(f"One delivery: {f.outbound_m / 1000:.1f} km route, {payload_kg:g} kg, {profile.delivery}",
                 fontsize=10)
    return save_figure(fig, path)
