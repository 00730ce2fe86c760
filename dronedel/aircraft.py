"""Time and energy of a delivery flight: climb, cruise in wind, descent, delivery, return.

The flight follows the mission dronedel flies (see docs/model.md): a vertical take-off to
``cruise_alt_m`` AGL, straight legs at cruise altitude along the route, a descent at the
door, the delivery action, a climb back to cruise altitude, the route in reverse with the
package gone, and a landing at the site. Times run from arming to disarming, as ArduCopter
flies it: the motors start after an arming delay and spool up before lift-off, and the
land detector confirms touchdown before NAV_LAND disarms. Waypoint legs, horizontal or
vertical, follow ArduPilot Copter's jerk-limited S-curves, which stop at every waypoint
unless the next leg may start early (the corner blend, :func:`corner_overlap`); take-off,
landing and payload place follow the position controller's jerk-limited vertical shaping.

Power comes from momentum theory: induced power from Glauert's induced velocity, parasite
power of the airframe drag area, the climb term, divided by ``hover_efficiency``, plus
avionics. Everything is vectorised over flights; :func:`fly_many` evaluates thousands of
routes in one call and :func:`fly` gives the phase-by-phase profile of one.

Units are SI (m, s, m/s, kg, W, Wh). Local coordinates are metres east (x) and north (y)
of the site; headings and tracks are degrees true, wind directions say where it blows from.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .config import AircraftProfile, Wind
from .rotor import induced_velocities
from .scurve import accel_times, corner_overlaps

__all__ = [
    "GRAVITY", "PHASES", "REASONS", "PLACE_CHECK_S", "Phase", "FlightProfile", "FlightBatch",
    "WindTriangle", "wind_vector", "disc_area", "induced_velocity", "power_w", "hover_power_w", "wind_triangle",
    "accel_time", "scurve_jerk", "leg_time", "corner_overlap", "fly", "fly_many", "straight", "max_reach",
    "CruiseBatch", "cruise_many", "finish", "finish_at", "VerticalPhases", "vertical_phases",
]

#: Standard gravity (m/s^2).
GRAVITY = 9.80665

#: Flight phases in order; the package is aboard until the release inside ``delivery``.
PHASES = ("takeoff", "outbound", "descent", "delivery", "ascent", "return", "landing")
_TAKEOFF, _OUTBOUND, _DESCENT, _DELIVERY, _ASCENT, _RETURN, _LANDING = range(len(PHASES))

#: Infeasibility codes and what they mean.
REASONS = {
    "overweight": "payload above the aircraft's maximum",
    "no_route": "no route to the door",
    "wind": "a leg or hover the aircraft cannot fly in this wind",
    "energy": "needs more than the battery less its reserve",
}

#: Seconds NAV_PAYLOAD_PLACE watches the thrust drop after touchdown before it releases.
PLACE_CHECK_S = 0.5


# --- power -----------------------------------------------------------------------------------

def wind_vector(wind: Wind | None) -> tuple[float, float]:
    """Velocity (m/s east, m/s north) of the air for a wind blowing *from* ``wind.from_deg``."""
    if wind is None or wind.speed_ms == 0:
        return 0.0, 0.0
    rad = np.radians(wind.from_deg)
    return float(-wind.speed_ms * np.sin(rad)), float(-wind.speed_ms * np.cos(rad))


def disc_area(profile: AircraftProfile) -> float:
    """Total rotor disc area A = rotor_count * pi * (d/2)^2 (m^2)."""
    return profile.rotor_count * np.pi * (profile.rotor_diameter_m / 2) ** 2


def induced_velocity(thrust_n: ArrayLike, rho: float, area_m2: float,
                     airspeed_ms: ArrayLike = 0.0, climb_ms: ArrayLike = 0.0) -> NDArray:
    """Glauert's induced velocity (m/s) of a rotor producing ``thrust_n`` (N).

    Solves v_i = v_h^2 / sqrt(V^2 + (V_c + v_i)^2) with v_h^2 = T / (2 rho A), V the
    horizontal airspeed and V_c the climb rate (negative descending) by Newton's method on
    the quartic v^2 (V^2 + (V_c + v)^2) = v_h^4. The start is the pure axial solution, an
    upper bound from which the iteration descends monotonically. In a descent faster than
    about 2 v_h (not flown here) momentum theory has no solution and the result is invalid.
    """
    T, V, Vc = np.broadcast_arrays(np.asarray(thrust_n, float), np.asarray(airspeed_ms, float),
                                   np.asarray(climb_ms, float))
    flat = [np.array(x, float).ravel() for x in (T, V, Vc)]
    return induced_velocities(flat[0], float(rho), float(area_m2), flat[1], flat[2]).reshape(T.shape)


def power_w(profile: AircraftProfile, mass_kg: ArrayLike, airspeed_ms: ArrayLike = 0.0,
            climb_ms: ArrayLike = 0.0) -> NDArray:
    """Electrical power (W) at total mass ``mass_kg``, horizontal airspeed and climb rate.

    Thrust balances weight and drag, T = sqrt((m g)^2 + D^2) with D = rho C_D A V^2 / 2;
    rotor power is T (v_i + V_c) + D V (induced + climb + parasite), divided by
    ``hover_efficiency`` (figure of merit times motor and ESC efficiency), plus
    ``avionics_power_w``. Descending (V_c < 0) lowers it; see docs/model.md for the limits.
    """
    rho = profile.air_density_kgm3
    m, V, Vc = np.broadcast_arrays(np.asarray(mass_kg, float), np.asarray(airspeed_ms, float),
                                   np.asarray(climb_ms, float))
    drag = 0.5 * rho * profile.drag_area_m2 * V * V
    thrust = np.hypot(m * GRAVITY, drag)
    vi = induced_velocity(thrust, rho, disc_area(profile), V, Vc)
    rotor = np.maximum(thrust * (vi + Vc) + drag * V, 0.0)
    return rotor / profile.hover_efficiency + profile.avionics_power_w


def hover_power_w(profile: AircraftProfile, mass_kg: ArrayLike) -> NDArray:
    """Electrical hover power in still air: (m g)^1.5 / sqrt(2 rho A) / efficiency + avionics."""
    return power_w(profile, mass_kg)


# --- wind triangle ---------------------------------------------------------------------------

@dataclass(frozen=True)
class WindTriangle:
    """Groundspeed and airspeed (m/s) and heading (degrees true) flying a track; ``feasible``."""

    groundspeed_ms: NDArray
    airspeed_ms: NDArray
    heading_deg: NDArray
    feasible: NDArray


def _triangle(ux: NDArray, uy: NDArray, profile: AircraftProfile, wind: Wind | None) -> tuple[NDArray, ...]:
    """Groundspeed, airspeed, air-velocity components and feasibility along unit tracks (ux, uy)."""
    wx, wy = wind_vector(wind)
    along = wx * ux + wy * uy
    cross = np.abs(wx * uy - wy * ux)
    V = profile.cruise_speed_ms
    if profile.speed_reference == "ground":
        gs = np.full_like(along, V)
        ok = np.ones(along.shape, bool)
    else:
        disc = V * V - cross * cross
        gs = along + np.sqrt(np.maximum(disc, 0.0))
        ok = (disc > 0) & (gs > 1e-6)
        gs = np.where(ok, gs, 0.0)
    ax, ay = gs * ux - wx, gs * uy - wy
    airspeed = np.hypot(ax, ay)
    ok &= airspeed <= profile.max_airspeed_ms + 1e-9
    return gs, airspeed, ax, ay, ok


def wind_triangle(track_deg: ArrayLike, profile: AircraftProfile, wind: Wind | None = None) -> WindTriangle:
    """Solve the wind triangle for tracks ``track_deg`` (degrees true, the way over the ground).

    With ``speed_reference == "ground"`` the groundspeed is ``cruise_speed_ms`` and the
    airspeed follows; with ``"air"`` the airspeed is ``cruise_speed_ms`` and the groundspeed is
    w_along + sqrt(V^2 - w_cross^2). A track is infeasible when the crosswind reaches the
    airspeed, the groundspeed is not positive, or the airspeed exceeds ``max_airspeed_ms``.
    """
    rad = np.radians(np.asarray(track_deg, float))
    gs, airspeed, ax, ay, ok = _triangle(np.sin(rad), np.cos(rad), profile, wind)
    heading = np.degrees(np.arctan2(ax, ay)) % 360.0
    return WindTriangle(gs, airspeed, heading, ok)


# --- kinematics ------------------------------------------------------------------------------

def accel_time(peak_ms: ArrayLike, accel: float, jerk: float) -> NDArray:
    """Time (s) of a jerk-limited acceleration from rest to ``peak_ms`` (symmetric S-curve).

    The acceleration ramps at ``jerk`` to at most ``accel`` and back: t = v/a + a/j, or
    2 sqrt(v/j) when the peak is too low to reach ``accel``. It covers v t / 2 metres.
    """
    v = np.asarray(peak_ms, float)
    return accel_times(np.array(v, float).ravel(), float(accel), float(jerk)).reshape(v.shape)


def scurve_jerk(accel: float, profile: AircraftProfile) -> float:
    """Jerk (m/s^3) that stands in for ArduPilot's S-curve of a waypoint leg accelerating at ``accel``.

    AP_Math/SCurve raises and lowers the jerk as raised cosines lasting twice ATC_INPUT_TC
    (``input_tc_s``), so its acceleration takes accel/WPNAV_JERK + 2 ATC_INPUT_TC to reach
    ``accel``. The model's ramps are linear; at this jerk they take as long, and every
    :func:`accel_time` of a leg matches the S-curve's v/a + a/j + 2 ATC_INPUT_TC.
    """
    return accel / (accel / profile.jerk_ms3 + 2 * profile.input_tc_s)


def _peak_for_length(length_m: NDArray, accel: float, jerk: float) -> NDArray:
    """Peak speed of a stop-to-stop S-curve that just covers ``length_m`` (no cruise part)."""
    r = accel / jerk
    high = 0.5 * accel * (-r + np.sqrt(r * r + 4 * length_m / accel))
    low = (length_m * np.sqrt(jerk) / 2) ** (2 / 3)
    return np.where(high >= accel * r, high, low)


def leg_time(length_m: ArrayLike, speed_ms: ArrayLike, accel: float, jerk: float) -> tuple[NDArray, NDArray]:
    """Stop-to-stop time (s) and peak speed (m/s) of straight legs flown at up to ``speed_ms``."""
    L, V = np.broadcast_arrays(np.asarray(length_m, float), np.asarray(speed_ms, float))
    t_full = accel_time(V, accel, jerk)
    full = L >= V * t_full
    with np.errstate(divide="ignore", invalid="ignore"):
        peak = np.where(full, V, _peak_for_length(L, accel, jerk))
        time = np.where(full, L / V + t_full, 2 * accel_time(peak, accel, jerk))
    return np.where(L > 0, time, 0.0), np.where(L > 0, peak, 0.0)


def _leg_limits(profile: AircraftProfile, vertical: bool) -> tuple[float, float]:
    """Acceleration (m/s^2) and S-curve jerk (m/s^3) of a waypoint leg, horizontal or vertical."""
    accel = profile.vertical_accel_ms2 if vertical else profile.accel_ms2
    return accel, scurve_jerk(accel, profile)


def corner_overlap(cos_turn: ArrayLike, peak_in: ArrayLike, peak_out: ArrayLike, speed_in: ArrayLike,
                   speed_out: ArrayLike, profile: AircraftProfile, *, vertical_in: bool = False,
                   vertical_out: bool = False) -> NDArray:
    """Seconds saved at a waypoint by starting the next leg before this one has stopped.

    ArduPilot Copter's S-curve navigation starts the next leg's acceleration during this
    leg's deceleration as soon as, at the middle of the overlap, the blended target lies
    within WPNAV_RADIUS of the waypoint and its speed is below the slower leg's speed
    (AC_WPNav with SCurve::advance_target_along_track). The overlap is at most the shorter
    of the two acceleration phases. ``cos_turn`` is the cosine of the angle between the
    legs (1 straight on, -1 turning back); ``peak_*`` are the legs' peak speeds and
    ``speed_*`` their commanded speeds. A leg straight down to a delivery height
    (``vertical_out``) or up from it (``vertical_in``) accelerates at ``vertical_accel_ms2``,
    and the blend must also keep its vertical acceleration below that limit, so the overlap
    ends within the vertical leg's jerk ramp.
    """
    radius = profile.wp_radius_m
    (a1, j1), (a2, j2) = _leg_limits(profile, vertical_in), _leg_limits(profile, vertical_out)
    c, p1, p2, v1max, v2max = np.broadcast_arrays(*(np.asarray(x, float) for x in
                                                    (cos_turn, peak_in, peak_out, speed_in, speed_out)))
    cap = np.minimum(accel_time(p1, a1, j1), accel_time(p2, a2, j2))
    for vertical, peak, a, j in ((vertical_in, p1, a1, j1), (vertical_out, p2, a2, j2)):
        if vertical:  # full vertical acceleration is reached a/j into the ramp
            cap = np.where(peak >= a * a / j, np.minimum(cap, 2 * a / j), cap)
    flat = [np.array(x, float).ravel() for x in (c, p1, p2, np.minimum(v1max, v2max), cap)]
    return corner_overlaps(*flat, np.array([a1, j1, a2, j2], float), float(radius)).reshape(cap.shape)


@functools.lru_cache(maxsize=4096)
def _shaped_move(height_m: float, speed: float, accel: float, jerk: float, end_speed: float = 0.0,
                 decel: float | None = None) -> float:
    """Seconds to move ``height_m`` from rest at up to ``speed``, slowing to ``end_speed`` at the end.

    Speed changes are jerk-limited (:func:`accel_time`), speeding up at ``accel`` and slowing
    at ``decel`` (default ``accel``). A move too short to reach ``speed`` peaks lower, found
    by bisection.
    """
    decel = accel if decel is None else decel

    def time_and_distance(peak: float) -> tuple[float, float]:
        end = min(end_speed, peak)
        t_up, t_down = float(accel_time(peak, accel, jerk)), float(accel_time(peak - end, decel, jerk))
        return t_up + t_down, peak * t_up / 2 + (peak + end) * t_down / 2

    if height_m <= 0:
        return 0.0
    t, d = time_and_distance(speed)
    if d <= height_m:
        return t + (height_m - d) / speed
    lo, hi = 0.0, speed
    for _ in range(40):  # the move's distance grows with the peak; 2**-40 of the speed is exact enough
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if time_and_distance(mid)[1] <= height_m else (lo, mid)
    return time_and_distance(lo)[0]


@functools.lru_cache(maxsize=4096)
def _vertical_leg(length_m: float, speed_ms: float, profile: AircraftProfile) -> tuple[float, float]:
    """Time (s) and peak speed (m/s) of one waypoint leg straight up or down (:func:`leg_time`), computed once
    per length, speed and aircraft: every flight table asks it for each pair of layers."""
    time, peak = leg_time([length_m], speed_ms, *_leg_limits(profile, vertical=True))
    return float(time[0]), float(peak[0])


def _takeoff_climb(height_m: float, profile: AircraftProfile) -> float:
    """Seconds the position controller takes to climb ``height_m`` from rest (NAV_TAKEOFF, payload place).

    AC_PosControl shapes the climb with jerk PSC_JERK_Z (``vertical_jerk_ms3``) at up to
    WPNAV_ACCEL_Z, and approaches the target altitude through a square-root controller
    allowed half that acceleration; the climb counts as done once the target moves slower
    than a tenth of the climb rate (takeoff.cpp, PayloadPlace).
    """
    a = profile.vertical_accel_ms2
    return _shaped_move(height_m, profile.climb_rate_ms, a, profile.vertical_jerk_ms3,
                        0.1 * profile.climb_rate_ms, a / 2)


# --- flights ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Phase:
    """One phase of a flight: ``duration_s``, ``energy_wh``, total ``mass_kg``, ground distance."""

    name: str
    duration_s: float
    energy_wh: float
    mass_kg: float
    distance_m: float = 0.0

    @property
    def power_w(self) -> float:
        """Mean electrical power of the phase (W)."""
        return self.energy_wh * 3600.0 / self.duration_s if self.duration_s > 0 else 0.0


@dataclass(frozen=True)
class FlightProfile:
    """A delivery flight from arming to disarming at the site, phase by phase.

    ``door_s`` is the time from arming until the package is delivered
    (released after touchdown for payload_place, touchdown for land, on the ground for
    winch, released for drop).
    ``reserve_wh`` is the battery energy left at landing. ``reason`` is a key of
    :data:`REASONS` when the flight is infeasible, else ``None``; the times and energies
    are still filled in as far as they can be computed (infinite where not).
    """

    phases: tuple[Phase, ...]
    door_s: float
    duration_s: float
    energy_wh: float
    reserve_wh: float
    outbound_m: float
    feasible: bool
    reason: str | None = None

    def phase(self, name: str) -> Phase:
        """The phase called ``name`` (one of :data:`PHASES`)."""
        return self.phases[PHASES.index(name)]


@dataclass(frozen=True)
class FlightBatch:
    """Many flights at once: arrays over flights; ``times_s``/``energies_wh`` are (n, 7) by phase.

    ``release_s`` is the offset into the delivery phase at which the package is delivered,
    ``masses_kg`` the total mass in each phase, ``reason`` an object array of
    :data:`REASONS` keys (``None`` where feasible).
    """

    times_s: NDArray
    energies_wh: NDArray
    masses_kg: NDArray
    release_s: NDArray
    outbound_m: NDArray
    battery_wh: float
    usable_wh: float
    feasible: NDArray
    reason: NDArray

    def __len__(self) -> int:
        return len(self.feasible)

    @property
    def door_s(self) -> NDArray:
        """Seconds from arming to the delivery."""
        return self.times_s[:, :_DELIVERY].sum(axis=1) + self.release_s

    @property
    def duration_s(self) -> NDArray:
        """Seconds from arming to disarming after the landing at the site."""
        return self.times_s.sum(axis=1)

    @property
    def energy_wh(self) -> NDArray:
        return self.energies_wh.sum(axis=1)

    @property
    def reserve_wh(self) -> NDArray:
        """Energy left in the battery at landing (Wh)."""
        return self.battery_wh - self.energy_wh

    def profile(self, i: int) -> FlightProfile:
        """The :class:`FlightProfile` of flight ``i``."""
        distances = np.zeros(len(PHASES))
        distances[[_OUTBOUND, _RETURN]] = self.outbound_m[i]
        phases = tuple(
            Phase(name, float(self.times_s[i, k]), float(self.energies_wh[i, k]), float(self.masses_kg[i, k]),
                  float(distances[k]))
            for k, name in enumerate(PHASES)
        )
        return FlightProfile(phases, float(self.door_s[i]), float(self.duration_s[i]), float(self.energy_wh[i]),
                             float(self.reserve_wh[i]), float(self.outbound_m[i]), bool(self.feasible[i]),
                             self.reason[i])


@dataclass(frozen=True)
class _Legs:
    """Straight legs of many routes: unit direction, length and the route each belongs to."""

    ux: NDArray
    uy: NDArray
    length: NDArray
    route: NDArray
    n_routes: int

    def reversed(self) -> _Legs:
        """The same routes flown back from the door to the site."""
        order = np.lexsort((-np.arange(len(self.route)), self.route))
        return _Legs(-self.ux[order], -self.uy[order], self.length[order], self.route[order], self.n_routes)


def _legs_of(routes: Sequence[Any], start: ArrayLike | None = None,
             sees_first: NDArray | None = None) -> tuple[_Legs, NDArray]:
    """Flatten routes ((n, 2) local-metre polylines or objects with ``points``) into legs.

    With ``start`` ((x, y) metres, or one per route), each route of two or more points is flown from
    there instead, as :meth:`dronedel.routing.Router.from_point` flies it: ``start`` replaces its
    first point where ``sees_first`` (start sees its second point), else comes before it.

    Returns the legs and a boolean array marking routes that exist (finite, >= 1 point).
    """
    pts = [np.asarray(getattr(r, "points", r) if r is not None else np.empty((0, 2)), float).reshape(-1, 2)
           for r in routes]
    lengths = np.array([getattr(r, "length_m", None) or 0.0 for r in routes], float)
    counts = np.array([len(p) for p in pts], int)
    xy = np.concatenate(pts) if pts else np.empty((0, 2))
    owner = np.repeat(np.arange(len(routes)), counts)
    finite = np.bincount(owner, ~np.isfinite(xy).all(axis=1), minlength=len(routes)) == 0
    exists = (counts > 0) & finite & np.isfinite(lengths)
    counts = np.where(exists, counts, 0)
    xy = xy[exists[owner]]
    if start is not None:
        first = np.cumsum(counts) - counts
        moved = counts >= 2
        replace = moved & np.asarray(sees_first, bool)
        starts = np.broadcast_to(np.asarray(start, float), (len(routes), 2))
        xy[first[replace]] = starts[replace]
        xy = np.insert(xy, first[moved & ~replace], starts[moved & ~replace], axis=0)
        counts = counts + (moved & ~replace)
    if counts.sum() == 0:
        empty = np.empty(0)
        return _Legs(empty, empty, empty, np.empty(0, int), len(routes)), exists
    owner = np.repeat(np.arange(len(routes)), counts)
    d = xy[1:] - xy[:-1]
    same = owner[1:] == owner[:-1]
    d, owner = d[same], owner[1:][same]
    length = np.hypot(d[:, 0], d[:, 1])
    keep = length > 1e-9
    d, owner, length = d[keep], owner[keep], length[keep]
    return _Legs(d[:, 0] / length, d[:, 1] / length, length, owner, len(routes)), exists


@dataclass(frozen=True)
class _Cruise:
    """The horizontal legs of each route: time (s), energy (Wh), ground distance (m), wind
    feasibility, the number of legs, and the peak and commanded speeds (m/s) of each route's
    first and last leg (0 for a route without legs)."""

    time: NDArray
    energy: NDArray
    distance: NDArray
    feasible: NDArray
    legs: NDArray
    first_peak: NDArray
    first_speed: NDArray
    last_peak: NDArray
    last_speed: NDArray


def _cruise(legs: _Legs, mass_kg: NDArray, profile: AircraftProfile, wind: Wind | None, *,
            stop_last: bool) -> _Cruise:
    """The legs of each route at cruise altitude, blending at waypoints as ArduPilot does.

    Every inner waypoint blends (:func:`corner_overlap`) except, with ``stop_last``, each
    route's last one: ArduPilot never blends into a NAV_LAND leg (ModeAuto::set_next_wp), so
    the waypoint before a landing at the door or at home is a full stop.
    """
    n = legs.n_routes
    gs, airspeed, _, _, ok = _triangle(legs.ux, legs.uy, profile, wind)
    speed = np.where(ok, gs, profile.cruise_speed_ms)
    t, peak = leg_time(legs.length, speed, *_leg_limits(profile, vertical=False))
    same = legs.route[1:] == legs.route[:-1]
    inner = np.flatnonzero(same)
    if stop_last:
        inner = inner[np.append(same[1:], False)[inner]]  # legs i+1 and i+2 of one route: not the last corner
    if inner.size:
        cos_turn = legs.ux[inner] * legs.ux[inner + 1] + legs.uy[inner] * legs.uy[inner + 1]
        tau = corner_overlap(cos_turn, peak[inner], peak[inner + 1], speed[inner], speed[inner + 1], profile)
        t = t.copy()
        np.subtract.at(t, inner, tau / 2)
        np.subtract.at(t, inner + 1, tau / 2)
    power = power_w(profile, mass_kg[legs.route], airspeed)
    ends = np.zeros((4, n))
    if legs.route.size:
        first, last = np.flatnonzero(np.r_[True, ~same]), np.flatnonzero(np.r_[~same, True])
        ends[:2, legs.route[first]] = peak[first], speed[first]
        ends[2:, legs.route[last]] = peak[last], speed[last]
    return _Cruise(np.bincount(legs.route, t, minlength=n), np.bincount(legs.route, power * t, minlength=n) / 3600.0,
                   np.bincount(legs.route, legs.length, minlength=n), np.bincount(legs.route, ~ok, minlength=n) == 0,
                   np.bincount(legs.route, minlength=n), *ends)


@dataclass(frozen=True)
class VerticalPhases:
    """The phases of flights that do not depend on their route (take-off, door, landing) at one pair of
    cruise altitudes (:func:`vertical_phases`): (seconds, W*s per flight) by phase name, release offset,
    whether the aircraft can hover in the wind, and the peak speeds (m/s) of the waypoint legs down to
    and up from a winch or drop height (0 for the other delivery methods)."""

    phases: dict[str, tuple[float, NDArray]]
    release_s: float
    hover_ok: bool
    descent_peak: float = 0.0
    ascent_peak: float = 0.0

    def take(self, index: NDArray) -> VerticalPhases:
        """The flights at ``index``."""
        return replace(self, phases={name: (t, e[index]) for name, (t, e) in self.phases.items()})


def fixed_powers(payload: NDArray, profile: AircraftProfile, wind: Wind | None) -> dict[tuple[bool, float], NDArray]:
    """Electrical power (W) per flight, loaded (True) or empty, at each vertical rate the take-off, door
    and landing fly (0, climb, descent, land speed; m/s, down negative), hovering in ``wind``."""
    p = profile
    w = float(np.hypot(*wind_vector(wind)))
    payload = np.asarray(payload, float)
    keys = [(loaded, r) for loaded in (True, False)
            for r in (0.0, p.climb_rate_ms, -p.descent_rate_ms, -p.land_speed_ms)]
    mass = np.array([p.empty_mass_kg + (payload if loaded else 0.0 * payload) for loaded, _ in keys])
    rate = np.array([r for _, r in keys])[:, None]
    return dict(zip(keys, power_w(p, mass, w, rate)))  # one Newton solve for every mass and rate


def vertical_phases(payload: NDArray, profile: AircraftProfile, wind: Wind | None,
                    altitudes: tuple[float, float], powers: dict[tuple[bool, float], NDArray]) -> VerticalPhases:
    """Times and energies of the take-off, the door (descent, delivery, ascent) and the landing.

    ``altitudes`` are the outbound and return cruise altitudes (m above home): the take-off
    climbs to the first and the descent at the door starts from it; the climb at the door
    ends at the second and the landing starts from it.

    The sequence follows the mission (docs/model.md). Take-off: the arming delay and the
    spool-up on the ground, then NAV_TAKEOFF's shaped climb. At the door: NAV_PAYLOAD_PLACE
    descending from cruise altitude at LAND_SPEED (PLDP_SPEED_DN left at 0) to touchdown,
    the touchdown check, PLDP_DELAY on the ground and a shaped climb back; NAV_LAND, the land
    detector, the dwell and NAV_TAKEOFF; or waypoint legs straight down to the winch or drop
    height and back up. Landing: NAV_LAND and the land detector. Hovering in wind, the
    aircraft's airspeed is the wind speed, which the power accounts for; ``powers`` come from
    :func:`fixed_powers`.
    """
    p = profile
    w = float(np.hypot(*wind_vector(wind)))
    heavy, light = True, False
    out_alt, back_alt = altitudes

    def power(loaded: bool, rate: float = 0.0) -> NDArray:
        return powers[(loaded, rate)]

    def land(mass: bool, alt: float) -> tuple[float, NDArray]:
        """NAV_LAND from ``alt`` to touchdown: descent rate to LAND_ALT_LOW, then land speed."""
        low = min(p.land_alt_low_m, alt)
        fast = _shaped_move(alt - low, p.descent_rate_ms, p.vertical_accel_ms2, p.vertical_jerk_ms3, p.land_speed_ms)
        slow = low / p.land_speed_ms
        return fast + slow, power(mass, -p.descent_rate_ms) * fast + power(mass, -p.land_speed_ms) * slow

    def takeoff(mass: bool, ground_s: float, alt: float) -> tuple[float, NDArray]:
        """NAV_TAKEOFF to ``alt``: ``ground_s`` with the motors still, the spool-up, the climb."""
        climb = _takeoff_climb(alt, p)
        return (ground_s + p.spool_up_s + climb,
                p.avionics_power_w * ground_s + power(mass) * p.spool_up_s + power(mass, p.climb_rate_ms) * climb)

    descent_peak = ascent_peak = 0.0
    if p.delivery == "payload_place":
        t = _shaped_move(out_alt, p.land_speed_ms, p.vertical_accel_ms2, p.vertical_jerk_ms3, p.land_speed_ms)
        descent = (t, power(heavy, -p.land_speed_ms) * t)
        dwell = PLACE_CHECK_S + p.delivery_hover_s
        delivery, release = (dwell, power(heavy) * dwell), PLACE_CHECK_S
        # the place climbs back to where its descent began, then a waypoint over the door moves to the return layer
        climb = _takeoff_climb(out_alt, p)
        ascent = (climb, power(light, p.climb_rate_ms) * climb)
        if back_alt != out_alt:
            rate = p.climb_rate_ms if back_alt > out_alt else -p.descent_rate_ms
            move = _vertical_leg(abs(back_alt - out_alt), abs(rate), p)[0]
            ascent = (climb + move, ascent[1] + power(light, rate) * move)
    elif p.delivery == "land":
        descent = land(heavy, out_alt)
        delivery = (p.land_detect_s + p.land_dwell_s,
                    power(heavy, -p.land_speed_ms) * p.land_detect_s + p.avionics_power_w * p.land_dwell_s)
        release = 0.0
        ascent = takeoff(light, 0.0, back_alt)
    else:
        height = min(p.winch_height_m if p.delivery == "winch" else p.drop_height_m, out_alt, back_alt)
        down, descent_peak = _vertical_leg(out_alt - height, p.descent_rate_ms, p)
        up, ascent_peak = _vertical_leg(back_alt - height, p.climb_rate_ms, p)
        descent = (down, power(heavy, -p.descent_rate_ms) * down)
        lowering = height / p.winch_rate_ms if p.delivery == "winch" else 0.0
        dwell = lowering + p.delivery_hover_s
        delivery = (dwell, power(heavy) * dwell)
        release = lowering if p.delivery == "winch" else p.delivery_hover_s
        ascent = (up, power(light, p.climb_rate_ms) * up)

    fast, fast_energy = land(light, back_alt)
    phases = {
        "takeoff": takeoff(heavy, p.arming_delay_s, out_alt),
        "descent": descent,
        "delivery": delivery,
        "ascent": ascent,
        "landing": (fast + p.land_detect_s, fast_energy + power(light, -p.land_speed_ms) * p.land_detect_s),
    }
    return VerticalPhases(phases, release, w <= p.max_airspeed_ms, descent_peak, ascent_peak)


def _blend(times: NDArray, energies: NDArray, first: int, second: int, tau: NDArray) -> None:
    """Take the overlap ``tau`` (s per flight) of two consecutive phases out of both, half each,
    at each phase's mean power."""
    for k in (first, second):
        share = np.divide(tau / 2, times[:, k], out=np.zeros_like(tau), where=times[:, k] > 0)
        energies[:, k] *= 1.0 - share
        times[:, k] -= tau / 2


@dataclass(frozen=True)
class CruiseBatch:
    """The horizontal legs of many delivery flights, out loaded and back empty: the part of a
    flight that does not depend on its cruise altitudes (:func:`cruise_many`); :func:`finish`
    adds take-off, door and landing at given altitudes. Arrays are per flight."""

    out: _Cruise
    back: _Cruise
    exists: NDArray
    payload_kg: NDArray
    powers: dict[tuple[bool, float], NDArray]

    def __len__(self) -> int:
        return len(self.exists)

    def take(self, index: NDArray) -> CruiseBatch:
        """The flights at ``index``."""
        def pick(c: _Cruise) -> _Cruise:
            return _Cruise(*(getattr(c, f.name)[index] for f in fields(_Cruise)))

        return CruiseBatch(pick(self.out), pick(self.back), self.exists[index], self.payload_kg[index],
                           {k: v[index] for k, v in self.powers.items()})

    def put(self, index: NDArray, other: CruiseBatch) -> None:
        """Write ``other``'s flights into this batch at ``index``."""
        for mine, theirs in ((self.out, other.out), (self.back, other.back)):
            for f in fields(_Cruise):
                getattr(mine, f.name)[index] = getattr(theirs, f.name)
        self.exists[index] = other.exists
        self.payload_kg[index] = other.payload_kg
        for key, value in other.powers.items():
            self.powers.setdefault(key, np.zeros(len(self)))[index] = value

    @classmethod
    def empty(cls, n: int) -> CruiseBatch:
        """A batch of ``n`` flights to be filled with :meth:`put`."""
        def blank() -> _Cruise:
            return _Cruise(*(np.zeros(n, bool if f.name == "feasible" else int if f.name == "legs" else float)
                             for f in fields(_Cruise)))

        return cls(blank(), blank(), np.zeros(n, bool), np.zeros(n), {})


def cruise_many(routes: Sequence[Any], payload_kg: ArrayLike, profile: AircraftProfile,
                wind: Wind | None = None, *, start: ArrayLike | None = None,
                sees_first: NDArray | None = None,
                powers: dict[tuple[bool, float], NDArray] | None = None) -> CruiseBatch:
    """The cruise legs of delivery flights along ``routes`` (as :func:`fly_many` takes them), flown from
    ``start`` where given (a pad, or one per route; ``sees_first`` as
    :meth:`dronedel.routing.Router.sees_first_turn` finds it).
    ``powers`` are the flights' :func:`fixed_powers`, where already known."""
    legs, exists = _legs_of(routes, start, sees_first)
    return _cruises(legs, exists, payload_kg, profile, wind, powers)


def _cruises(legs: _Legs, exists: NDArray, payload_kg: ArrayLike, profile: AircraftProfile,
             wind: Wind | None, powers: dict[tuple[bool, float], NDArray] | None = None) -> CruiseBatch:
    n = legs.n_routes
    payload = np.broadcast_to(np.asarray(payload_kg, float), (n,)).astype(float)
    heavy = profile.empty_mass_kg + payload
    light = np.full(n, profile.empty_mass_kg)
    out = _cruise(legs, heavy, profile, wind, stop_last=profile.delivery == "land")
    back = _cruise(legs.reversed(), light, profile, wind, stop_last=True)
    return CruiseBatch(out, back, np.asarray(exists, bool), payload,
                       fixed_powers(payload, profile, wind) if powers is None else powers)


def finish(cruise: CruiseBatch, profile: AircraftProfile, wind: Wind | None = None,
           altitudes: tuple[float, float] | None = None) -> FlightBatch:
    """Whole flights from their cruise legs, at the outbound and return cruise ``altitudes``
    (m above home; default ``cruise_alt_m`` both): :func:`finish_at` at one pair."""
    return finish_at(cruise, profile, wind, [altitudes or (profile.cruise_alt_m, profile.cruise_alt_m)])


def finish_at(cruise: CruiseBatch, profile: AircraftProfile, wind: Wind | None,
              pairs: Sequence[tuple[float, float]], vertical: Sequence[VerticalPhases] | None = None) -> FlightBatch:
    """Whole flights from their cruise legs at each of ``pairs`` of outbound and return cruise altitudes
    (m above home): every flight at the first pair, then every flight at the second, and so on
    (``len(pairs) * len(cruise)`` flights). ``vertical`` are the flights' :func:`vertical_phases` at each
    pair, where already known.

    At a winch or drop door the last leg blends into the waypoint leg straight down, and the
    climb back blends into the first leg home when that leads to a waypoint rather than the
    landing (:func:`corner_overlap` with a vertical leg).
    """
    n, k = len(cruise), len(pairs)
    fixed = vertical or [vertical_phases(cruise.payload_kg, profile, wind, pair, cruise.powers) for pair in pairs]

    def each(value: Callable[[VerticalPhases], float]) -> NDArray:
        """A per-pair number, for every flight at that pair."""
        return np.repeat(np.array([value(f) for f in fixed], float), n)

    def tiled(c: _Cruise) -> _Cruise:
        return _Cruise(*(np.tile(getattr(c, f.name), k) for f in fields(_Cruise)))

    out, back = tiled(cruise.out), tiled(cruise.back)
    exists, payload = np.tile(cruise.exists, k), np.tile(cruise.payload_kg, k)
    heavy = profile.empty_mass_kg + payload
    light = np.full(n * k, profile.empty_mass_kg)
    times = np.zeros((n * k, len(PHASES)))
    energies = np.zeros((n * k, len(PHASES)))
    times[:, _OUTBOUND], energies[:, _OUTBOUND] = out.time, out.energy
    times[:, _RETURN], energies[:, _RETURN] = back.time, back.energy
    for name in fixed[0].phases:
        j = PHASES.index(name)
        times[:, j] = each(lambda f: f.phases[name][0])
        energies[:, j] = np.concatenate([np.broadcast_to(f.phases[name][1], (n,)) for f in fixed]) / 3600.0
    descent_peak = each(lambda f: f.descent_peak)
    if (descent_peak > 0).any():  # only pairs whose door legs have a peak blend; the others keep their times
        p = profile
        tau = corner_overlap(0.0, out.last_peak, descent_peak, out.last_speed, p.descent_rate_ms, p,
                             vertical_out=True)
        _blend(times, energies, _OUTBOUND, _DESCENT, np.where(descent_peak > 0, tau, 0.0))
        tau = corner_overlap(0.0, each(lambda f: f.ascent_peak), back.first_peak, p.climb_rate_ms, back.first_speed,
                             p, vertical_in=True)
        _blend(times, energies, _ASCENT, _RETURN, np.where((descent_peak > 0) & (back.legs > 1), tau, 0.0))
    masses = np.column_stack([heavy, heavy, heavy, heavy, light, light, light])
    usable = profile.battery_wh * (1.0 - profile.reserve_fraction)

    reason = np.full(n * k, None, object)
    reason[energies.sum(axis=1) > usable] = "energy"
    reason[~(out.feasible & back.feasible & fixed[0].hover_ok)] = "wind"  # hovering depends on the wind alone
    reason[~exists] = "no_route"
    reason[payload > profile.max_payload_kg] = "overweight"
    times[~exists] = np.inf
    energies[~exists] = np.inf
    return FlightBatch(times, energies, masses, each(lambda f: f.release_s), np.where(exists, out.distance, np.inf),
                       profile.battery_wh, usable, np.equal(reason, None), reason)


def fly_many(routes: Sequence[Any], payload_kg: ArrayLike, profile: AircraftProfile,
             wind: Wind | None = None, altitudes: tuple[float, float] | None = None) -> FlightBatch:
    """Evaluate delivery flights along many routes at once.

    ``routes`` are polylines in local metres from the site to the door ((n, 2) arrays or
    :class:`dronedel.routing.Route` objects; empty, ``None`` or infinite-length routes are
    infeasible with reason ``no_route``). ``payload_kg`` is a scalar or one value per route.
    The return flight flies the same polyline backwards with the package gone. ``altitudes``
    are the outbound and return cruise altitudes (m above home; default ``cruise_alt_m`` both).
    """
    return finish(cruise_many(routes, payload_kg, profile, wind), profile, wind, altitudes)


def fly(route: Any, payload_kg: float, profile: AircraftProfile, wind: Wind | None = None,
        altitudes: tuple[float, float] | None = None) -> FlightProfile:
    """Phase-by-phase time and energy of one delivery along ``route`` (local metres, site first)
    at the outbound and return cruise ``altitudes`` (m above home; default ``cruise_alt_m``)."""
    return fly_many([route], payload_kg, profile, wind, altitudes).profile(0)


def straight(distance_m: ArrayLike, heading_deg: ArrayLike, payload_kg: ArrayLike, profile: AircraftProfile,
             wind: Wind | None = None) -> FlightBatch:
    """Flights straight out ``distance_m`` along ``heading_deg`` (true) and back; arrays broadcast.

    The vectorised shortcut for reach studies: ``door_s`` is the one-way time to delivery and
    ``energy_wh`` the round-trip energy. Flights are in the broadcast shape's C order.
    """
    d, h, m = (a.ravel() for a in np.broadcast_arrays(np.asarray(distance_m, float),
                                                       np.asarray(heading_deg, float),
                                                       np.asarray(payload_kg, float)))
    rad = np.radians(h)
    flying = d > 0
    legs = _Legs(np.sin(rad)[flying], np.cos(rad)[flying], d[flying], np.flatnonzero(flying), len(d))
    return finish(_cruises(legs, np.isfinite(d), m, profile, wind), profile, wind)


def max_reach(profile: AircraftProfile, payload_kg: float = 0.0, wind: Wind | None = None, *,
              budget_s: float | None = None, headings_deg: ArrayLike = 0.0, tol_m: float = 0.1) -> NDArray:
    """Longest straight distance (m) along each heading that a flight can deliver to.

    The flight must be feasible (wind, energy with the reserve) and, when ``budget_s`` is
    given, reach the door within ``budget_s`` seconds of arming
    (``door_s``). Found by vectorised bisection to ``tol_m``; 0 where even a delivery at the
    site itself does not fit, and NaN never. Time and energy grow with distance, so the
    answer is exact to the tolerance.
    """
    headings = np.atleast_1d(np.asarray(headings_deg, float))

    def fits(d: NDArray) -> NDArray:
        b = straight(d, headings, payload_kg, profile, wind)
        ok = b.feasible
        if budget_s is not None:
            ok = ok & (b.door_s <= budget_s)
        return ok

    hi = np.full(headings.shape, 1000.0)
    grow = fits(hi)
    while grow.any() and hi.max() < 1e7:
        hi = np.where(grow, hi * 2, hi)
        grow = grow & fits(hi)
    lo = np.zeros_like(hi)
    base = fits(lo)
    while (hi - lo).max() > tol_m:
        mid = (lo + hi) / 2
        good = fits(mid)
        lo = np.where(good, mid, lo)
        hi = np.where(good, hi, mid)
    return np.where(base, lo, 0.0)
