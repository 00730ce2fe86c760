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

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..config import Separation
from .kernels import option_rows, point_segment_distances, segment_distances
from .path import PlannedPath

__all__ = ["COLUMNS", "KINDS", "Volumes", "volumes_for", "option_volumes", "segment_distance"]

#: What each volume covers, by its ``kind`` code.
KINDS = ("climb", "outbound", "door", "return", "landing")


#: The columns of :attr:`Volumes.rows`, in order.
COLUMNS = ("ax", "ay", "bx", "by", "radius", "z_lo", "z_hi", "t_lo", "t_hi", "kind")


class Volumes:
    """Capsule volumes: segment ``(ax, ay) -> (bx, by)`` buffered by ``radius`` (local metres), altitudes
    ``[z_lo, z_hi]`` (m AGL), times ``[t_lo, t_hi]`` (s), ``kind`` codes into :data:`KINDS`.

    They are held as one (n, 10) float array, :attr:`rows`, one volume per row with the columns of
    :data:`COLUMNS` (the layout the index and its kernels read); the attributes are its columns.
    """

    def __init__(self, ax: ArrayLike, ay: ArrayLike, bx: ArrayLike, by: ArrayLike, radius: ArrayLike,
                 z_lo: ArrayLike, z_hi: ArrayLike, t_lo: ArrayLike, t_hi: ArrayLike, kind: ArrayLike) -> None:
        columns = np.broadcast_arrays(*(np.asarray(c, float) for c in (ax, ay, bx, by, radius, z_lo, z_hi, t_lo,
                                                                        t_hi, kind)))
        self.rows = np.column_stack(columns).reshape(-1, len(COLUMNS))

    @classmethod
    def from_rows(cls, rows: NDArray) -> Volumes:
        """The volumes of ``rows`` ((n, 10) float, columns as :data:`COLUMNS`; not copied)."""
        out = cls.__new__(cls)
        out.rows = rows
        return out

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"Volumes({len(self)} volumes)"

    ax = property(lambda self: self.rows[:, 0], doc="Segment start, x east (m).")
    ay = property(lambda self: self.rows[:, 1], doc="Segment start, y north (m).")
    bx = property(lambda self: self.rows[:, 2], doc="Segment end, x east (m).")
    by = property(lambda self: self.rows[:, 3], doc="Segment end, y north (m).")
    radius = property(lambda self: self.rows[:, 4], doc="Capsule radius (m).")
    z_lo = property(lambda self: self.rows[:, 5], doc="Lower altitude (m AGL).")
    z_hi = property(lambda self: self.rows[:, 6], doc="Upper altitude (m AGL).")
    t_lo = property(lambda self: self.rows[:, 7], doc="Start of the time window (s).")
    t_hi = property(lambda self: self.rows[:, 8], doc="End of the time window (s).")

    @property
    def kind(self) -> NDArray:
        """What each volume covers: codes into :data:`KINDS`."""
        return self.rows[:, 9].astype(np.int8)

    def shifted(self, dt: float) -> Volumes:
        """The same volumes ``dt`` seconds later."""
        rows = self.rows.copy()
        rows[:, 7:9] += dt
        return Volumes.from_rows(rows)

    def take(self, index: NDArray) -> Volumes:
        """The volumes at ``index``."""
        return Volumes.from_rows(self.rows[index])

    @classmethod
    def concat(cls, parts: list[Volumes]) -> Volumes:
        """All volumes of ``parts``, in order."""
        return cls.from_rows(np.concatenate([p.rows for p in parts]))

    def contains(self, xyz: NDArray, t: NDArray) -> NDArray:
        """True where point ``xyz[k]`` ((m, 3) metres, z AGL) at time ``t[k]`` lies in at least one volume."""
        xyz = np.asarray(xyz, float).reshape(-1, 3)
        t = np.asarray(t, float).ravel()
        out = np.zeros(len(t), bool)
        for ax, ay, bx, by, radius, z_lo, z_hi, t_lo, t_hi, _ in self.rows:
            live = ~out & (t >= t_lo) & (t <= t_hi) & (xyz[:, 2] >= z_lo) & (xyz[:, 2] <= z_hi)
            if live.any():
                d = _point_segment(xyz[live, 0], xyz[live, 1], ax, ay, bx, by)
                out[np.flatnonzero(live)[d <= radius]] = True
        return out


def _point_segment(px: NDArray, py: NDArray, ax: NDArray, ay: NDArray, bx: NDArray, by: NDArray) -> NDArray:
    """Distance from points p to segments a-b (arrays broadcast), metres."""
    args = np.broadcast_arrays(px, py, ax, ay, bx, by)
    return point_segment_distances(*(np.array(x, float).ravel() for x in args)).reshape(args[0].shape)


def segment_distance(a: Volumes, b: Volumes) -> NDArray:
    """Plan-view distance (m) between the segments of ``a[k]`` and ``b[k]`` (0 where they cross)."""
    args = np.broadcast_arrays(a.ax, a.ay, a.bx, a.by, b.ax, b.ay, b.bx, b.by)
    return segment_distances(*(np.array(x, float).ravel() for x in args)).reshape(args[0].shape)


def volumes_for(path: PlannedPath, sep: Separation) -> Volumes:
    """The volumes of ``path`` under the separation settings ``sep`` (see the module notes)."""
    return option_volumes(path.route, path.bounds_s, path.layers, path.speed_ms, sep)[0]


def option_volumes(route: NDArray, bounds_s: NDArray, layers: NDArray, speed_ms: float,
                   sep: Separation) -> tuple[Volumes, NDArray]:
    """The volumes of ``K`` flights along one ``route`` ((n, 2) local metres, pad to door) that differ in their
    phase bounds ``bounds_s`` ((K, 8) s, as :attr:`PlannedPath.bounds_s`) and ``layers`` ((K, 2) outbound and
    return, m AGL), cruise ground speed at most ``speed_ms``: each flight's volumes as :func:`volumes_for`
    makes them (climb, outbound slices, return slices, door, landing), flight after flight, and the flight
    number of every volume (compiled: :func:`dronedel.intent.kernels.option_rows`)."""
    rows, flight = option_rows(np.ascontiguousarray(route, float).reshape(-1, 2),
                               np.ascontiguousarray(np.atleast_2d(bounds_s), float),
                               np.ascontiguousarray(np.atleast_2d(layers), float),
                               np.array([speed_ms, sep.half_width_m, sep.half_height_m, speed_ms * sep.slice_s,
                                         sep.time_buffer_s, sep.time_buffer_rate, sep.pad_clear_s], float))
    return Volumes.from_rows(rows), flight
