"""Where a planned flight is at every instant: the 4D path the aircraft model predicts.

A flight climbs vertically over its pad to the outbound layer, flies the route to the door
on that layer, descends at the door, delivers, climbs to the return layer, flies the route
back and lands vertically on its pad (layer changes happen only over pad or door). Phase
durations come from the aircraft model (:data:`dronedel.aircraft.PHASES`). Along a cruise
phase of length ``L`` and duration ``T`` the aircraft is placed by a symmetric trapezoidal
speed profile never faster than ``speed_ms``: it is then at arc length ``s`` at some time in
``[t0 + s / v, t1 - (L - s) / v]``, the bound the volumes use (:mod:`dronedel.intent.volumes`).

Times are seconds after the plan start, positions local metres (x east, y north of the
site), altitudes metres above the site's ground (AGL, = relative to home).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..aircraft import PHASES
from ..config import AircraftProfile, Wind

__all__ = ["PlannedPath", "door_altitude", "cruise_speed_bound", "arc_lengths"]

_TAKEOFF, _OUTBOUND, _DESCENT, _DELIVERY, _ASCENT, _RETURN, _LANDING = range(len(PHASES))


def door_altitude(profile: AircraftProfile, layers: tuple[float, float]) -> float:
    """The lowest altitude (m AGL) at the door: the ground, or the winch or drop height."""
    if profile.delivery == "winch":
        return min(profile.winch_height_m, *layers)
    if profile.delivery == "drop":
        return min(profile.drop_height_m, *layers)
    return 0.0


def cruise_speed_bound(profile: AircraftProfile, wind: Wind) -> float:
    """The highest ground speed (m/s) in cruise: ``cruise_speed_ms`` over the ground, or through the
    air plus the wind when the speed is held through the air."""
    if profile.speed_reference == "ground":
        return profile.cruise_speed_ms
    return profile.cruise_speed_ms + wind.speed_ms


def arc_lengths(route: NDArray) -> NDArray:
    """Cumulative length (m) at each vertex of a polyline ((n, 2) metres), starting at 0."""
    out = np.zeros(len(route))
    d = route[1:] - route[:-1]
    np.cumsum(np.sqrt(d[:, 0] ** 2 + d[:, 1] ** 2), out=out[1:])
    return out


def _trapezoid(tau: NDArray, length: float, duration: float, speed: float) -> NDArray:
    """Arc length at times ``tau`` into a move of ``length`` m over ``duration`` s, speed at most ``speed``."""
    if length <= 0 or duration <= 0:
        return np.zeros_like(tau)
    ramp = min(max(duration - length / speed, 0.0), duration / 2)
    peak = length / (duration - ramp)
    tau = np.clip(tau, 0.0, duration)
    if ramp == 0:
        return peak * tau
    a = peak / ramp
    s = np.where(tau < ramp, 0.5 * a * tau**2, 0.5 * peak * ramp + peak * (tau - ramp))
    late = tau > duration - ramp
    return np.where(late, length - 0.5 * a * (duration - tau) ** 2, s)


@dataclass(frozen=True)
class PlannedPath:
    """A flight's planned 4D path.

    ``takeoff_s`` is the arming time (s after the plan start); ``phases_s`` the durations of
    :data:`~dronedel.aircraft.PHASES`; ``route`` ((n, 2) local metres) runs from the pad to the
    door; ``layers`` are the outbound and return cruise altitudes and ``door_alt_m`` the lowest
    altitude at the door (m AGL); ``speed_ms`` bounds the ground speed in cruise.
    """

    takeoff_s: float
    phases_s: tuple[float, ...]
    route: NDArray
    layers: tuple[float, float]
    door_alt_m: float
    speed_ms: float

    @classmethod
    def flown_by(cls, profile: AircraftProfile, wind: Wind, takeoff_s: float, phases_s: tuple[float, ...],
                 route: NDArray, layers: tuple[float, float]) -> PlannedPath:
        """The path of a flight of ``profile`` in ``wind``: its door altitude and speed bound from them."""
        return cls(takeoff_s, phases_s, route, layers, door_altitude(profile, layers),
                   cruise_speed_bound(profile, wind))

    @property
    def bounds_s(self) -> NDArray:
        """Start of each phase and the landing (8 times, s after the plan start)."""
        out = np.full(len(self.phases_s) + 1, float(self.takeoff_s))
        out[1:] += np.cumsum(self.phases_s)
        return out

    @property
    def length_m(self) -> float:
        """The route's length (m), one way."""
        return float(arc_lengths(self.route)[-1])

    def positions(self, t: ArrayLike) -> NDArray:
        """Planned (x, y, z) at times ``t`` (s): (m, 3) metres, z AGL; NaN before take-off and after landing."""
        t = np.atleast_1d(np.asarray(t, float))
        b = self.bounds_s
        out = np.full((len(t), 3), np.nan)
        pad, door = self.route[0], self.route[-1]
        cum = arc_lengths(self.route)
        length = cum[-1]
        out_alt, back_alt = self.layers
        phase = np.searchsorted(b, t, side="right") - 1
        inside = (t >= b[0]) & (t <= b[-1])
        phase = np.clip(phase, 0, len(PHASES) - 1)

        def frac(k: int, tk: NDArray) -> NDArray:
            span = b[k + 1] - b[k]
            return np.clip((tk - b[k]) / span, 0.0, 1.0) if span > 0 else np.ones_like(tk)

        def along(k: int, tk: NDArray, backwards: bool) -> NDArray:
            s = _trapezoid(tk - b[k], length, b[k + 1] - b[k], self.speed_ms)
            s = length - s if backwards else s
            return np.column_stack([np.interp(s, cum, self.route[:, 0]), np.interp(s, cum, self.route[:, 1])])

        vertical = {
            _TAKEOFF: (pad, 0.0, out_alt), _DESCENT: (door, out_alt, self.door_alt_m),
            _DELIVERY: (door, self.door_alt_m, self.door_alt_m), _ASCENT: (door, self.door_alt_m, back_alt),
            _LANDING: (pad, back_alt, 0.0),
        }
        for k, (xy, z0, z1) in vertical.items():
            m = inside & (phase == k)
            out[m, :2] = xy
            out[m, 2] = z0 + (z1 - z0) * frac(k, t[m])
        for k, alt, backwards in ((_OUTBOUND, out_alt, False), (_RETURN, back_alt, True)):
            m = inside & (phase == k)
            out[m, :2] = along(k, t[m], backwards)
            out[m, 2] = alt
        return out
