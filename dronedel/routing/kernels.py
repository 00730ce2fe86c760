"""Compiled inner loop of the visibility test (numba): each segment walked through the grid of
edge chunks one cell-sized piece at a time, from both ends inwards, against the ring edges.

:meth:`dronedel.routing.visibility.FreeSpace.visible` prepares the segments and decides the
doubtful ones with GEOS; this loop only sets, per segment, "an edge surely crosses it" and
"some test was too close to call", with the same floating-point orientation tests and
tolerances as before it was compiled. Units: planar metres.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["walk_segments", "warm_up"]


@numba.njit(cache=True)
def _side(d: float, tol: float) -> float:
    """Sign of ``d``, 0 where within ``tol`` of zero."""
    return np.sign(d) if abs(d) > tol else 0.0


@numba.njit(cache=True)
def _crossing(px: float, py: float, qx: float, qy: float, ax: float, ay: float, bx: float, by: float, pad: float,
              rel_eps: float) -> tuple[bool, bool]:
    """Segments p->q and a->b: (surely cross at one interior point, touch or too close to call). Rounding
    bounds use L1 lengths, which only widen the "too close to call" band."""
    pqx, pqy, apx, apy, bpx, bpy = qx - px, qy - py, ax - px, ay - py, bx - px, by - py
    npq = abs(pqx) + abs(pqy)
    s1 = _side(pqx * apy - pqy * apx, npq * (rel_eps * (abs(apx) + abs(apy)) + pad))
    s2 = _side(pqx * bpy - pqy * bpx, npq * (rel_eps * (abs(bpx) + abs(bpy)) + pad))
    if s1 * s2 > 0:  # a and b strictly on one side of the line pq
        return False, False
    abx, aby, qax, qay = bx - ax, by - ay, qx - ax, qy - ay
    nab = abs(abx) + abs(aby)
    s3 = _side(abx * -apy - aby * -apx, nab * (rel_eps * (abs(apx) + abs(apy)) + pad))
    s4 = _side(abx * qay - aby * qax, nab * (rel_eps * (abs(qax) + abs(qay)) + pad))
    proper = s1 * s2 < 0 and s3 * s4 < 0
    overlap = (min(px, qx) <= max(ax, bx) + pad and min(ax, bx) <= max(px, qx) + pad
               and min(py, qy) <= max(ay, by) + pad and min(ay, by) <= max(py, qy) + pad)
    return proper, s3 * s4 <= 0 and not proper and overlap


@numba.njit(cache=True)
def walk_segments(p: NDArray, q: NDArray, ip: NDArray, iq: NDArray, blocked: NDArray, unsure: NDArray, h: float,
                  origin: NDArray, nx: int, ny: int, cell_start: NDArray, cell_count: NDArray, cell_items: NDArray,
                  centre: NDArray, radius: NDArray, chunk_start: NDArray, chunk_count: NDArray, eid: NDArray,
                  ea: NDArray, eb: NDArray, next_vertex: NDArray, pad: float, rel_eps: float) -> None:
    """Test segments ``p[k] -> q[k]`` ((m, 2)) not yet ``blocked`` against the ring edges of the grid cells
    their pieces touch, updating ``blocked`` and ``unsure`` in place; ``ip``/``iq`` are the end points'
    ring vertices (-1: none), whose own edges are not tested. A segment stops at its first crossing."""
    tiny = np.finfo(np.float64).tiny
    seen = np.full(len(chunk_start), -1, np.int64)  # the last segment each chunk was tested against
    for s in range(len(p)):
        dx, dy = q[s, 0] - p[s, 0], q[s, 1] - p[s, 1]
        length = np.hypot(dx, dy)
        if blocked[s] or not length > 0:
            continue
        pieces = max(int(np.ceil(length / h)), 1)
        ls2 = max(length * length, tiny)
        for r in range(pieces):
            k = r // 2 if r % 2 == 0 else pieces - 1 - r // 2
            t0, t1 = min(k * h, length) / length, min((k + 1) * h, length) / length
            ax_, ay_ = p[s, 0] + t0 * dx, p[s, 1] + t0 * dy
            bx_, by_ = p[s, 0] + t1 * dx, p[s, 1] + t1 * dy
            ix0 = min(max(int(np.floor((min(ax_, bx_) - pad - origin[0]) / h)), 0), nx - 1)
            iy0 = min(max(int(np.floor((min(ay_, by_) - pad - origin[1]) / h)), 0), ny - 1)
            ix1 = min(max(int(np.floor((max(ax_, bx_) + pad - origin[0]) / h)), 0), nx - 1)
            iy1 = min(max(int(np.floor((max(ay_, by_) + pad - origin[1]) / h)), 0), ny - 1)
            for cx in range(ix0, min(ix1, ix0 + 2) + 1):
                for cy in range(iy0, min(iy1, iy0 + 2) + 1):
                    cell = cy * nx + cx
                    for item in range(cell_start[cell], cell_start[cell] + cell_count[cell]):
                        chunk = cell_items[item]
                        if seen[chunk] == s:  # each test is of the whole segment: once per chunk is enough
                            continue
                        seen[chunk] = s
                        # bounding-circle filter against the whole segment
                        u = ((centre[chunk, 0] - p[s, 0]) * dx + (centre[chunk, 1] - p[s, 1]) * dy) / ls2
                        u = min(max(u, 0.0), 1.0)
                        if np.hypot(p[s, 0] + u * dx - centre[chunk, 0],
                                    p[s, 1] + u * dy - centre[chunk, 1]) > radius[chunk] + pad:
                            continue
                        for e in range(chunk_start[chunk], chunk_start[chunk] + chunk_count[chunk]):
                            vid = eid[e]
                            if vid == ip[s] or next_vertex[vid] == ip[s] or vid == iq[s] or next_vertex[vid] == iq[s]:
                                continue
                            hit, doubt = _crossing(p[s, 0], p[s, 1], q[s, 0], q[s, 1], ea[e, 0], ea[e, 1], eb[e, 0],
                                                   eb[e, 1], pad, rel_eps)
                            if hit:
                                blocked[s] = True
                            if doubt:
                                unsure[s] = True
            if blocked[s]:
                break


def warm_up() -> None:
    """Load (or compile) the kernel now, so that the first real question is answered at full speed."""
    two = np.zeros((1, 2))
    ints = np.zeros(1, np.int64)
    flags = np.zeros(1, np.bool_)
    walk_segments(two, two + 1.0, ints - 1, ints - 1, flags, flags.copy(), 1.0, np.zeros(2), 1, 1, ints, ints, ints,
                  two, np.zeros(1), ints, ints, ints, two, two, ints, 0.0, 1e-10)
