"""4D volumes of a flight's operational intent, as ASTM F3548-21 strategic coordination uses them.

Each volume is a plan-view *capsule* (a segment buffered by a radius: a circle where the
segment is a point), an altitude band and a time window. A flight gets one volume for the
climb over its pad, one per slice of each cruise leg (cut at every turn and at most
``slice_s`` of flight long, so volumes stay "as small as practical"), one for the descent,
delivery and climb at the door, and one for the landing (which keeps the pad until
``pad_clear_s`` after touchdown). The radius is :attr:`Separation.half_width_m` and cruise
bands are the layer plus or minus :attr:`Separation.half_height_m`: two flights whose volumes
do not intersect are then at least the separation standard apart, horizontally or vertically.

Time windows hold the planned path (:class:`~dronedel.intent.path.PlannedPath`): a slice from
arc length ``s_a`` to ``s_b`` of a cruise phase ``[t0, t1]`` of length ``L`` is flown within
``[t0 + s_a / v, t1 - (L - s_b) / v]`` by any flight no faster than ``v``; each window then
widens by ``time_buffer_s + time_buffer_rate * (time since take-off)`` on both sides.

Units: local metres (x east, y north), metres AGL, seconds after the plan start.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from ..config import Separation
from .kernels import point_segment_distances, segment_distances
from .path import PlannedPath, arc_lengths

__all__ = ["KINDS", "Volumes", "volumes_for", "option_volumes", "segment_distance"]

#: What each volume covers, by its ``kind`` code.
KINDS = ("climb", "outbound", "door", "return", "landing")
_CLIMB, _OUT, _DOOR, _BACK, _LAND = range(len(KINDS))


@dataclass(frozen=True)
class Volumes:
    """Capsule volumes as parallel arrays: segment ``(ax, ay) -> (bx, by)`` buffered by ``radius``
    (local metres), altitudes ``[z_lo, z_hi]`` (m AGL), times ``[t_lo, t_hi]`` (s), ``kind`` codes
    into :data:`KINDS`."""

    ax: NDArray
    ay: NDArray
    bx: NDArray
    by: NDArray
    radius: NDArray
    z_lo: NDArray
    z_hi: NDArray
    t_lo: NDArray
    t_hi: NDArray
    kind: NDArray

    def __len__(self) -> int:
        return len(self.ax)

    def shifted(self, dt: float) -> Volumes:
        """The same volumes ``dt`` seconds later."""
        return Volumes(self.ax, self.ay, self.bx, self.by, self.radius, self.z_lo, self.z_hi, self.t_lo + dt,
                       self.t_hi + dt, self.kind)

    def take(self, index: NDArray) -> Volumes:
        """The volumes at ``index``."""
        return Volumes(*(getattr(self, f.name)[index] for f in fields(self)))

    @classmethod
    def concat(cls, parts: list[Volumes]) -> Volumes:
        """All volumes of ``parts``, in order."""
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def contains(self, xyz: NDArray, t: NDArray) -> NDArray:
        """True where point ``xyz[k]`` ((m, 3) metres, z AGL) at time ``t[k]`` lies in at least one volume."""
        xyz = np.asarray(xyz, float).reshape(-1, 3)
        t = np.asarray(t, float).ravel()
        out = np.zeros(len(t), bool)
        for v in range(len(self)):
            live = ~out & (t >= self.t_lo[v]) & (t <= self.t_hi[v])
            live &= (xyz[:, 2] >= self.z_lo[v]) & (xyz[:, 2] <= self.z_hi[v])
            if live.any():
                d = _point_segment(xyz[live, 0], xyz[live, 1], self.ax[v], self.ay[v], self.bx[v], self.by[v])
                out[np.flatnonzero(live)[d <= self.radius[v]]] = True
        return out


def _point_segment(px: NDArray, py: NDArray, ax: NDArray, ay: NDArray, bx: NDArray, by: NDArray) -> NDArray:
    """Distance from points p to segments a-b (arrays broadcast), metres."""
    args = np.broadcast_arrays(px, py, ax, ay, bx, by)
    return point_segment_distances(*(np.array(x, float).ravel() for x in args)).reshape(args[0].shape)


def segment_distance(a: Volumes, b: Volumes) -> NDArray:
    """Plan-view distance (m) between the segments of ``a[k]`` and ``b[k]`` (0 where they cross)."""
    args = np.broadcast_arrays(a.ax, a.ay, a.bx, a.by, b.ax, b.ay, b.bx, b.by)
    return segment_distances(*(np.array(x, float).ravel() for x in args)).reshape(args[0].shape)


def _slices(route: NDArray, piece_m: float) -> tuple[NDArray, NDArray]:
    """Cut a polyline into straight pieces at most ``piece_m`` long, cut at every vertex too: the points
    ((k + 1, 2), consecutive pairs are the pieces) and their arc lengths (k + 1,)."""
    cum = arc_lengths(route)
    legs = cum[1:] - cum[:-1]
    n = np.maximum(np.ceil(legs / piece_m - 1e-9).astype(int), 1)
    leg = np.repeat(np.arange(len(legs)), n)
    ends = np.cumsum(n)
    u = (np.arange(ends[-1]) - np.repeat(ends - n, n) + 1) / n[leg]
    pts = np.empty((ends[-1] + 1, 2))
    pts[0] = route[0]
    pts[1:] = route[leg] + u[:, None] * (route[leg + 1] - route[leg])
    pts[ends] = route[1:]  # the vertices themselves, exactly
    cuts = np.empty(ends[-1] + 1)
    cuts[0] = 0.0
    cuts[1:] = cum[leg] + legs[leg] * u
    cuts[ends] = cum[1:]
    return pts, cuts


def _buffered(t_lo: NDArray, t_hi: NDArray, takeoff_s: float, sep: Separation) -> tuple[NDArray, NDArray]:
    """Time windows widened by the buffer: ``time_buffer_s`` plus ``time_buffer_rate`` times the time since take-off."""
    return (t_lo - (sep.time_buffer_s + sep.time_buffer_rate * (t_lo - takeoff_s)),
            t_hi + (sep.time_buffer_s + sep.time_buffer_rate * (t_hi - takeoff_s)))


def volumes_for(path: PlannedPath, sep: Separation) -> Volumes:
    """The volumes of ``path`` under the separation settings ``sep`` (see the module notes)."""
    return option_volumes(path.route, path.bounds_s, path.layers, path.speed_ms, sep)[0]


def option_volumes(route: NDArray, bounds_s: NDArray, layers: NDArray, speed_ms: float,
                   sep: Separation) -> tuple[Volumes, NDArray]:
    """The volumes of ``K`` flights along one ``route`` ((n, 2) local metres, pad to door) that differ in their
    phase bounds ``bounds_s`` ((K, 8) s, as :attr:`PlannedPath.bounds_s`) and ``layers`` ((K, 2) outbound and
    return, m AGL), cruise ground speed at most ``speed_ms``: each flight's volumes as :func:`volumes_for`
    makes them (climb, outbound slices, return slices, door, landing), flight after flight, and the flight
    number of every volume."""
    b = np.atleast_2d(np.asarray(bounds_s, float))
    lay = np.atleast_2d(np.asarray(layers, float))
    k_flights = len(b)
    r, hh = sep.half_width_m, sep.half_height_m
    route = np.asarray(route, float)
    pad, door = route[0], route[-1]

    def point(xy: NDArray, z_hi: NDArray, t0: NDArray, t1: NDArray, kind: int) -> NDArray:
        row = np.empty((k_flights, 1, 9))
        row[:, 0, 0:4] = [*xy, *xy]
        row[:, 0, 4], row[:, 0, 5], row[:, 0, 6], row[:, 0, 7], row[:, 0, 8] = 0.0, z_hi, t0, t1, kind
        return row

    parts = [point(pad, lay[:, 0] + hh, b[:, 0], b[:, 1], _CLIMB)]
    pts, cuts = _slices(route, speed_ms * sep.slice_s)
    length = float(cuts[-1])
    if length > 0:
        back_pts, back_cuts = pts[::-1], length - cuts[::-1]
        for k, side, kind, line, at in ((1, 0, _OUT, pts, cuts), (5, 1, _BACK, back_pts, back_cuts)):
            duration = b[:, k + 1] - b[:, k]
            speed = np.where(duration > 0, np.maximum(speed_ms, length / np.where(duration > 0, duration, 1.0)),
                             np.inf)[:, None]
            lo = b[:, k, None] + at[None, :-1] / speed
            hi = b[:, k + 1, None] - (length - at[None, 1:]) / speed
            piece = np.empty((k_flights, len(at) - 1, 9))
            piece[:, :, 0:2], piece[:, :, 2:4] = line[:-1], line[1:]
            piece[:, :, 4], piece[:, :, 5] = (lay[:, side] - hh)[:, None], (lay[:, side] + hh)[:, None]
            piece[:, :, 6], piece[:, :, 7] = np.minimum(lo, hi), np.maximum(lo, hi)
            piece[:, :, 8] = kind
            parts.append(piece)
    parts.append(point(door, lay.max(axis=1) + hh, b[:, 2], b[:, 5], _DOOR))
    parts.append(point(pad, lay[:, 1] + hh, b[:, 6], b[:, 7] + sep.pad_clear_s, _LAND))

    a = np.concatenate(parts, axis=1)
    flight = np.repeat(np.arange(k_flights), a.shape[1])
    a = a.reshape(-1, 9)
    t_lo, t_hi = _buffered(a[:, 6], a[:, 7], b[flight, 0], sep)
    return (Volumes(a[:, 0], a[:, 1], a[:, 2], a[:, 3], np.full(len(a), r), a[:, 4], a[:, 5], t_lo, t_hi,
                    a[:, 8].astype(np.int8)), flight)
