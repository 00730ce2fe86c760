"""Compiled inner loops of the intents (numba): capsule geometry, the volumes of a flight's options,
the scan of the index's slot table for the accepted volumes that given volumes meet, and the sweep
over forbidden take-off intervals.

A dispatcher makes thousands of small sets of volumes a day and asks the index as many small
questions, each meeting a few thousand candidate volumes: vectorised numpy spends most of such
work on the overhead of its many array operations, so these loops are compiled instead
(``cache=True`` keeps the machine code beside the module). Units: local metres (x east, y
north), metres AGL, seconds.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["cells", "earliest_alike", "first_clear", "first_slot", "meeting", "option_rows",
           "point_segment_distances", "segment_distances", "warm_up"]

#: Volume kind codes, as :data:`dronedel.intent.volumes.KINDS` numbers them.
_CLIMB, _OUT, _DOOR, _BACK, _LAND = 0, 1, 2, 3, 4


@numba.njit(cache=True)
def _point_segment(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    """Distance (m) from point p to segment a-b."""
    dx, dy = bx - ax, by - ay
    dd = dx * dx + dy * dy
    u = ((px - ax) * dx + (py - ay) * dy) / dd if dd > 0 else 0.0
    u = min(max(u, 0.0), 1.0)
    return np.hypot(px - (ax + u * dx), py - (ay + u * dy))


@numba.njit(cache=True)
def _orient(px: float, py: float, qx: float, qy: float, rx: float, ry: float) -> float:
    return np.sign((qx - px) * (ry - py) - (qy - py) * (rx - px))


@numba.njit(cache=True)
def _segment_gap(ax: float, ay: float, bx: float, by: float, cx: float, cy: float, dx: float, dy: float) -> float:
    """Plan-view distance (m) between segments a-b and c-d, 0 where they cross."""
    if (_orient(ax, ay, bx, by, cx, cy) * _orient(ax, ay, bx, by, dx, dy) < 0
            and _orient(cx, cy, dx, dy, ax, ay) * _orient(cx, cy, dx, dy, bx, by) < 0):
        return 0.0
    return min(_point_segment(ax, ay, cx, cy, dx, dy), _point_segment(bx, by, cx, cy, dx, dy),
               _point_segment(cx, cy, ax, ay, bx, by), _point_segment(dx, dy, ax, ay, bx, by))


@numba.njit(cache=True)
def segment_distances(ax: NDArray, ay: NDArray, bx: NDArray, by: NDArray, cx: NDArray, cy: NDArray, dx: NDArray,
                      dy: NDArray) -> NDArray:
    """Plan-view distance (m) between segments ``a[k]-b[k]`` and ``c[k]-d[k]`` (1-D arrays of one length)."""
    out = np.empty(len(ax))
    for k in range(len(ax)):
        out[k] = _segment_gap(ax[k], ay[k], bx[k], by[k], cx[k], cy[k], dx[k], dy[k])
    return out


@numba.njit(cache=True)
def point_segment_distances(px: NDArray, py: NDArray, ax: NDArray, ay: NDArray, bx: NDArray,
                            by: NDArray) -> NDArray:
    """Distance (m) from points ``p[k]`` to segments ``a[k]-b[k]`` (1-D arrays of one length)."""
    out = np.empty(len(px))
    for k in range(len(px)):
        out[k] = _point_segment(px[k], py[k], ax[k], ay[k], bx[k], by[k])
    return out


@numba.njit(cache=True)
def _slices(route: NDArray, piece_m: float) -> tuple[NDArray, NDArray]:
    """Cut a polyline ((n, 2) m) into straight pieces at most ``piece_m`` long, cut at every vertex too: the
    points ((k + 1, 2), consecutive pairs are the pieces) and their arc lengths (k + 1,)."""
    legs = np.empty(len(route) - 1)
    cum = np.zeros(len(route))
    pieces = np.empty(len(legs), np.int64)
    for j in range(len(legs)):
        dx, dy = route[j + 1, 0] - route[j, 0], route[j + 1, 1] - route[j, 1]
        cum[j + 1] = cum[j] + np.sqrt(dx * dx + dy * dy)
        legs[j] = cum[j + 1] - cum[j]
        pieces[j] = max(int(np.ceil(legs[j] / piece_m - 1e-9)), 1)
    pts = np.empty((pieces.sum() + 1, 2))
    cuts = np.empty(len(pts))
    pts[0], cuts[0] = route[0], 0.0
    n = 1
    for j in range(len(legs)):
        for m in range(1, pieces[j] + 1):
            if m == pieces[j]:  # the vertex itself, exactly
                pts[n], cuts[n] = route[j + 1], cum[j + 1]
            else:
                u = m / pieces[j]
                pts[n, 0] = route[j, 0] + u * (route[j + 1, 0] - route[j, 0])
                pts[n, 1] = route[j, 1] + u * (route[j + 1, 1] - route[j, 1])
                cuts[n] = cum[j] + legs[j] * u
            n += 1
    return pts, cuts


@numba.njit(cache=True)
def _put(rows: NDArray, n: int, ax: float, ay: float, bx: float, by: float, z_lo: float, z_hi: float, t_lo: float,
         t_hi: float, kind: int, takeoff: float, sizes: NDArray) -> None:
    """Write volume row ``n``; its time window widened by the buffer, ``time_buffer_s`` plus ``time_buffer_rate``
    times the time since take-off (``sizes`` as :func:`option_rows` takes them)."""
    buffer, rate = sizes[4], sizes[5]
    rows[n, 0], rows[n, 1], rows[n, 2], rows[n, 3], rows[n, 4] = ax, ay, bx, by, sizes[1]
    rows[n, 5], rows[n, 6] = z_lo, z_hi
    rows[n, 7] = t_lo - (buffer + rate * (t_lo - takeoff))
    rows[n, 8] = t_hi + (buffer + rate * (t_hi - takeoff))
    rows[n, 9] = kind


@numba.njit(cache=True)
def option_rows(route: NDArray, bounds: NDArray, layers: NDArray, sizes: NDArray) -> tuple[NDArray, NDArray]:
    """The volume rows (columns as :data:`dronedel.intent.volumes.COLUMNS`) of flights along ``route`` ((n, 2)
    m, pad to door) with phase bounds ``bounds`` ((K, 8) s) at ``layers`` ((K, 2) outbound and return, m AGL),
    and the flight of each row: per flight the climb, the outbound and return slices, the door, the landing
    (:func:`dronedel.intent.volumes.option_volumes`).

    ``sizes`` is ``speed_ms, half_width_m, half_height_m, piece_m, time_buffer_s, time_buffer_rate,
    pad_clear_s``: a slice from arc length ``s_a`` to ``s_b`` of a cruise phase ``[t0, t1]`` of length ``L`` is
    flown within ``[t0 + s_a / v, t1 - (L - s_b) / v]``, ``v`` the higher of ``speed_ms`` and ``L / (t1 - t0)``.
    """
    speed_ms, hh, pad_clear = sizes[0], sizes[2], sizes[6]
    pts, cuts = _slices(route, sizes[3])
    length = cuts[-1]
    pieces = len(pts) - 1 if length > 0 else 0
    per = 3 + 2 * pieces
    rows = np.empty((len(bounds) * per, 10))
    flight = np.empty(len(rows), np.int64)
    last = len(route) - 1
    for k in range(len(bounds)):
        b = bounds[k]
        out_z, back_z = layers[k, 0], layers[k, 1]
        n = k * per
        flight[n:n + per] = k
        _put(rows, n, route[0, 0], route[0, 1], route[0, 0], route[0, 1], 0.0, out_z + hh, b[0], b[1], _CLIMB,
             b[0], sizes)
        n += 1
        for start, z, kind in ((1, out_z, _OUT), (5, back_z, _BACK)):
            duration = b[start + 1] - b[start]
            speed = max(speed_ms, length / duration) if duration > 0 else np.inf
            for j in range(pieces):
                if kind == _OUT:
                    a, e, s_a, s_b = j, j + 1, cuts[j], cuts[j + 1]
                else:  # the route flown back: piece j runs from point (pieces - j) to (pieces - j - 1)
                    a, e = pieces - j, pieces - j - 1
                    s_a, s_b = length - cuts[a], length - cuts[e]
                lo = b[start] + s_a / speed
                hi = b[start + 1] - (length - s_b) / speed
                _put(rows, n, pts[a, 0], pts[a, 1], pts[e, 0], pts[e, 1], z - hh, z + hh, min(lo, hi), max(lo, hi),
                     kind, b[0], sizes)
                n += 1
        _put(rows, n, route[last, 0], route[last, 1], route[last, 0], route[last, 1], 0.0, max(out_z, back_z) + hh,
             b[2], b[5], _DOOR, b[0], sizes)
        _put(rows, n + 1, route[0, 0], route[0, 1], route[0, 0], route[0, 1], 0.0, back_z + hh, b[6],
             b[7] + pad_clear, _LAND, b[0], sizes)
    return rows, flight


@numba.njit(cache=True)
def _row(b: int, slab: int, x: int, y: int, first_bin: int, slabs: int, tile: int) -> int:
    """The slot-table row of cell (time bin, slab, square x, square y): squares ``tile`` apart share one."""
    return (((b - first_bin) * slabs + slab) * tile + x % tile) * tile + y % tile


@numba.njit(cache=True)
def _footprint(v: NDArray, grid: NDArray, slabs: int, tile: int) -> tuple[int, int, int, int, int, int, int, int]:
    """The first and last time bin, altitude slab and plan-view square (x, then y; at most ``tile`` of
    each) that volume row ``v`` is filed under: its capsule grown by its radius and half the margin
    touches them. ``grid`` as :func:`meeting` takes it."""
    bin_s, slab_m, slab_offset_m, square_m, margin = grid[0], grid[1], grid[2], grid[3], grid[4]
    top = slabs - 1
    b0, b1 = int(np.floor(v[7] / bin_s)), int(np.floor(v[8] / bin_s))
    s0 = min(max(int(np.floor((v[5] + slab_offset_m) / slab_m)), 0), top)
    s1 = max(min(max(int(np.ceil((v[6] + slab_offset_m) / slab_m)) - 1, 0), top), s0)
    grow = v[4] + margin / 2
    x0 = int(np.floor((min(v[0], v[2]) - grow) / square_m))
    x1 = int(np.floor((max(v[0], v[2]) + grow) / square_m))
    y0 = int(np.floor((min(v[1], v[3]) - grow) / square_m))
    y1 = int(np.floor((max(v[1], v[3]) + grow) / square_m))
    return b0, b1, s0, s1, x0, min(x1, x0 + tile - 1), y0, min(y1, y0 + tile - 1)


@numba.njit(cache=True)
def cells(rows: NDArray, grid: NDArray, first_bin: int, slabs: int, tile: int) -> tuple[NDArray, NDArray, NDArray]:
    """Where volume rows ``rows`` are filed: the volume number and slot-table row of each of their cells,
    and each volume's first bin, slab and square (x, y) (``corner``, as :func:`meeting` reads it)."""
    corner = np.empty((rows.shape[0], 4), np.int64)
    total = 0
    for k in range(rows.shape[0]):
        b0, b1, s0, s1, x0, x1, y0, y1 = _footprint(rows[k], grid, slabs, tile)
        corner[k, 0], corner[k, 1], corner[k, 2], corner[k, 3] = b0, s0, x0, y0
        total += (b1 - b0 + 1) * (s1 - s0 + 1) * (x1 - x0 + 1) * (y1 - y0 + 1)
    which = np.empty(total, np.int64)
    row = np.empty(total, np.int64)
    n = 0
    for k in range(rows.shape[0]):
        b0, b1, s0, s1, x0, x1, y0, y1 = _footprint(rows[k], grid, slabs, tile)
        for b in range(b0, b1 + 1):
            for slab in range(s0, s1 + 1):
                for x in range(x0, x1 + 1):
                    for y in range(y0, y1 + 1):
                        which[n], row[n] = k, _row(b, slab, x, y, first_bin, slabs, tile)
                        n += 1
    return which, row, corner


@numba.njit(cache=True)
def _push(out: NDArray, n: int, value: int) -> tuple[NDArray, int]:
    """``out`` (int64, grown twofold when full) with ``value`` at ``n``, and the new count."""
    if n == len(out):
        wider = np.empty(2 * len(out), np.int64)
        wider[:n] = out[:n]
        out = wider
    out[n] = value
    return out, n + 1


@numba.njit(cache=True)
def _sweep(s: NDArray, e: NDArray, start: float) -> float:
    """The first take-off at or after ``start`` outside every open interval ``(s[k], e[k])`` (s): in order of
    the starts, the take-off moves to the end of each interval that starts before it."""
    t = start
    for j in np.argsort(s):
        if s[j] >= t:
            break
        t = max(t, e[j])
    return t


@numba.njit(cache=True)
def _meet(slots: NDArray, count: NDArray, corner: NDArray, data: NDArray, v: NDArray, t_lo: float, t_hi: float,
          grid: NDArray, first_bin: int, bins_held: int, slabs: int, tile: int, out: NDArray,
          n: int) -> tuple[NDArray, int]:
    """Append to ``out[n:]`` (grown as needed) every accepted volume that volume row ``v`` meets over the time
    window ``[t_lo, t_hi]`` (s, instead of its own), as :func:`meeting` tests them; returns ``out`` and the
    new count."""
    margin = grid[4]
    qax, qay, qbx, qby, qr, qz_lo, qz_hi = v[0], v[1], v[2], v[3], v[4], v[5], v[6]
    b0, b1, s0, s1, x0, x1, y0, y1 = _footprint(v, grid, slabs, tile)
    b0, b1 = max(int(np.floor(t_lo / grid[0])), first_bin), min(int(np.floor(t_hi / grid[0])),
                                                                first_bin + bins_held - 1)
    for b in range(b0, b1 + 1):
        for slab in range(s0, s1 + 1):
            for x in range(x0, x1 + 1):
                for y in range(y0, y1 + 1):
                    row = _row(b, slab, x, y, first_bin, slabs, tile)
                    for j in range(count[row]):
                        a = slots[row, j]
                        if not (data[a, 7] < t_hi and t_lo < data[a, 8]):
                            continue
                        if not (data[a, 5] < qz_hi and qz_lo < data[a, 6]):
                            continue
                        once = _row(max(b0, corner[a, 0]), max(s0, corner[a, 1]), max(x0, corner[a, 2]),
                                    max(y0, corner[a, 3]), first_bin, slabs, tile)
                        if once != row:  # the pair is tested in the first cell the two share only
                            continue
                        reach = data[a, 4] + qr + margin
                        aax, aay, abx, aby = data[a, 0], data[a, 1], data[a, 2], data[a, 3]
                        if (max(aax, abx) + reach <= min(qax, qbx) or max(qax, qbx) + reach <= min(aax, abx)
                                or max(aay, aby) + reach <= min(qay, qby)
                                or max(qay, qby) + reach <= min(aay, aby)):
                            continue
                        if _segment_gap(qax, qay, qbx, qby, aax, aay, abx, aby) >= reach:
                            continue
                        out, n = _push(out, n, a)
    return out, n


@numba.njit(cache=True)
def meeting(slots: NDArray, count: NDArray, corner: NDArray, data: NDArray, query: NDArray, grid: NDArray,
            first_bin: int, bins_held: int, slabs: int, tile: int) -> tuple[NDArray, NDArray]:
    """Every pair ``(q, a)`` of a query volume and an accepted volume that overlap in time, altitude and
    plan view, the capsules closer than the sum of their radii plus the margin.

    ``data`` and ``query`` hold one volume per row as ``ax, ay, bx, by, radius, z_lo, z_hi, t_lo, t_hi``;
    ``grid`` is ``bin_s, slab_m, slab_offset_m, square_m, margin_m``. ``slots``/``count`` are the index's
    slot table (volume numbers by cell row) and ``corner`` each accepted volume's first bin, slab and
    square (x, y). A pair sharing several cells is tested in one only: the cell of the lower corner of
    the overlap of their footprints.
    """
    out_q = np.empty(1024, np.int64)
    out_a = np.empty(1024, np.int64)
    n = 0
    for q in range(query.shape[0]):
        m = n
        out_a, n = _meet(slots, count, corner, data, query[q], query[q, 7], query[q, 8], grid, first_bin, bins_held,
                         slabs, tile, out_a, n)
        if len(out_q) < len(out_a):
            wider = np.empty(len(out_a), np.int64)
            wider[:m] = out_q[:m]
            out_q = wider
        out_q[m:n] = q
    return out_q[:n], out_a[:n]


@numba.njit(cache=True)
def _forbidden(slots: NDArray, count: NDArray, corner: NDArray, data: NDArray, rows: NDArray, points: bool,
               start: float, stop: float, grid: NDArray, first_bin: int, bins_held: int, slabs: int, tile: int,
               clear_s: float, met: NDArray, s: NDArray, e: NDArray,
               n: int) -> tuple[NDArray, NDArray, NDArray, int]:
    """Append to ``met``, ``s`` and ``e`` from ``n`` on (grown as needed) each accepted volume that a volume of
    ``rows`` meets over the take-offs ``[start, stop]`` and the open interval of take-offs the pair forbids,
    for the point volumes of ``rows`` (``points``: climbs, doors, landings) or the others; returns the arrays
    and the new count."""
    for q in range(len(rows)):
        if (rows[q, 0] == rows[q, 2] and rows[q, 1] == rows[q, 3]) != points:
            continue
        m = n
        met, n = _meet(slots, count, corner, data, rows[q], rows[q, 7] + start, rows[q, 8] + stop, grid, first_bin,
                       bins_held, slabs, tile, met, n)
        if len(s) < len(met):
            wider_s, wider_e = np.empty(len(met)), np.empty(len(met))
            wider_s[:m], wider_e[:m] = s[:m], e[:m]
            s, e = wider_s, wider_e
        for j in range(m, n):
            s[j] = data[met[j], 7] - rows[q, 8]
            e[j] = data[met[j], 8] - rows[q, 7] + clear_s
    return met, s, e, n


@numba.njit(cache=True)
def first_slot(slots: NDArray, count: NDArray, corner: NDArray, data: NDArray, rows: NDArray, first: NDArray,
               lo: NDArray, hi: NDArray, grid: NDArray, first_bin: int, bins_held: int, slabs: int, tile: int,
               clear_s: float) -> tuple[int, float, NDArray]:
    """The option with the earliest take-off in its range ``[lo[k], hi[k]]`` (s) at which none of its volumes
    meets an accepted one (ties to the first), that take-off, and accepted volumes met on the way (``-1, inf``
    where no option has one).

    Option ``k``'s volumes are ``rows[first[k]:first[k + 1]]`` (times relative to a take-off at 0 s; other
    arguments as :func:`meeting` takes them). Each pair of a volume and an accepted volume that meet forbids
    the take-offs between their windows' overlap, as :func:`first_clear` sweeps them; a take-off is pushed
    ``clear_s`` past each end. Options are searched in order, each only up to the best take-off found so far:
    a later one must be earlier to win. Within an option the point volumes (climb, door, landing, where the
    pads crowd) are asked first: where they forbid every take-off left, the rest are not asked, and else they
    are asked only from the first take-off those allow. The flights met are then those of the volumes asked.
    """
    best, winner = np.inf, -1
    met = np.empty(1024, np.int64)
    n = 0
    s = np.empty(1024)
    e = np.empty(1024)
    for k in range(len(lo)):
        start, stop = lo[k], min(hi[k], best)
        if not start <= stop:
            continue
        mine, rest = n, rows[first[k]:first[k + 1]]
        met, s, e, n = _forbidden(slots, count, corner, data, rest, True, start, stop, grid, first_bin, bins_held,
                                  slabs, tile, clear_s, met, s, e, n)
        t = _sweep(s[mine:n], e[mine:n], start)
        if t > stop:
            continue
        # every take-off before t is forbidden already; an interval ending by then, or within clear_s of start
        # (which the full range's question would not have met either), changes nothing
        met, s, e, n = _forbidden(slots, count, corner, data, rest, False, max(start, t - clear_s), stop, grid,
                                  first_bin, bins_held, slabs, tile, clear_s, met, s, e, n)
        t = _sweep(s[mine:n], e[mine:n], t)
        if t <= stop and t < best:
            best, winner = t, k
    return winner, best, met[:n]


@numba.njit(cache=True)
def earliest_alike(slots: NDArray, count: NDArray, corner: NDArray, data: NDArray, rows: NDArray, first: NDArray,
                   lo: float, hi: float, grid: NDArray, first_bin: int, bins_held: int, slabs: int, tile: int,
                   clear_s: float) -> tuple[NDArray, NDArray]:
    """The earliest take-off in ``[lo, hi]`` (s) of each volume row of ``rows`` alone (times relative to a
    take-off at 0 s) at which it meets no accepted volume (``inf`` where none), and the accepted volumes met.

    The rows of each group ``rows[first[g]:first[g + 1]]`` share one plan view (a pad's climbs to each
    layer): the cells they share are scanned once, for a volume spanning their altitudes and times, and
    each row then keeps the accepted volumes that its own altitudes and times meet (ValueError where the
    groups do not share one, or ``first`` does not rise from 0 to ``len(rows)``). Other arguments as
    :func:`first_slot` takes them."""
    if first[0] != 0 or first[-1] != len(rows):
        raise ValueError("first must run from 0 to the number of rows")
    for g in range(len(first) - 1):
        if first[g + 1] <= first[g]:
            raise ValueError("first must rise")
        for r in range(first[g] + 1, first[g + 1]):
            for c in range(5):
                if rows[r, c] != rows[first[g], c]:
                    raise ValueError("the rows of a group must share one plan view")
    found = np.full(len(rows), np.inf)
    met = np.empty(1024, np.int64)
    n = 0
    if not lo <= hi:
        return found, met[:0]
    hits = np.empty(1024, np.int64)
    s = np.empty(1024)
    e = np.empty(1024)
    span = np.empty(rows.shape[1])
    for g in range(len(first) - 1):
        mine = rows[first[g]:first[g + 1]]
        span[:] = mine[0]
        span[5], span[6] = mine[:, 5].min(), mine[:, 6].max()
        hits, m = _meet(slots, count, corner, data, span, mine[:, 7].min() + lo, mine[:, 8].max() + hi, grid,
                        first_bin, bins_held, slabs, tile, hits, 0)
        if len(s) < m:
            s, e = np.empty(m), np.empty(m)
        for r in range(len(mine)):
            k = 0
            for j in range(m):
                a = hits[j]
                if (data[a, 7] < mine[r, 8] + hi and mine[r, 7] + lo < data[a, 8] and data[a, 5] < mine[r, 6]
                        and mine[r, 5] < data[a, 6]):
                    s[k], e[k] = data[a, 7] - mine[r, 8], data[a, 8] - mine[r, 7] + clear_s
                    k += 1
                    met, n = _push(met, n, a)
            t = _sweep(s[:k], e[:k], lo)
            if t <= hi:
                found[first[g] + r] = t
    return found, met[:n]


@numba.njit(cache=True)
def first_clear(option: NDArray, s: NDArray, e: NDArray, start: NDArray) -> NDArray:
    """Each option's first take-off at or after ``start[option]`` outside all of its forbidden open
    intervals ``(s[k], e[k])`` (interval ``k`` forbids option ``option[k]``).

    One sweep for all, in order of the intervals' starts: an option's take-off moves to the end of
    each interval that starts before it, and is clear at the first interval starting at or after it.
    """
    t = start.copy()
    clear = np.zeros(len(start), np.bool_)
    for k in np.argsort(s, kind="mergesort"):
        o = option[k]
        if clear[o]:
            continue
        if s[k] >= t[o]:
            clear[o] = True
        elif e[k] > t[o]:
            t[o] = e[k]
    return t


def warm_up() -> None:
    """Load (or compile) every kernel now, with tiny inputs, so that the first real question is answered
    at full speed: a service calls this before it starts serving."""
    row = np.array([[0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]])
    grid = np.array([60.0, 15.0, 7.5, 300.0, 0.0])
    which, cell, corner = cells(row, grid, 0, 1, 1)
    slots = np.zeros((1, 1), np.int32)
    meeting(slots, np.ones(1, np.int64), corner, row, row, grid, 0, 1, 1, 1)
    first_slot(slots, np.ones(1, np.int64), corner, row, row, np.array([0, 1]), np.zeros(1), np.ones(1), grid, 0, 1,
               1, 1, 0.0)
    earliest_alike(slots, np.ones(1, np.int64), corner, row, row, np.array([0, 1]), 0.0, 1.0, grid, 0, 1, 1, 1, 0.0)
    first_clear(np.zeros(1, np.int64), np.zeros(1), np.ones(1), np.zeros(1))
    one = np.zeros(1)
    segment_distances(one, one, one, one, one, one, one, one)
    point_segment_distances(one, one, one, one, one, one)
    option_rows(np.array([[0.0, 0.0], [10.0, 0.0]]), np.arange(8.0)[None], np.ones((1, 2)), np.ones(7))
