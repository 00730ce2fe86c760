"""Routes and flights from the site to every door, per set of blocking zones and per wind.

Which zones block a flight depends on when it flies, but the set changes only a few times a
day. :class:`FlightTable` keeps one router and the routes of the doors per set of zone ids,
and the flights per (zone set, wind, pad) at every pair of the site's cruise layers, filled in
lazily in vectorised batches: the first question about door ``i`` routes and flies doors
``i, i+1, ...`` (``chunk`` of them) in one call, so the per-order dispatch loop only looks
numbers up. Blocks of doors the dispatcher will ask for can be computed ahead, in a second
process, while it decides (:meth:`FlightTable.look_ahead`).
"""

from __future__ import annotations

import mmap
from collections.abc import Iterable, Sequence
from dataclasses import InitVar, dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray

from ..aircraft import PHASES, CruiseBatch, VerticalPhases, cruise_many, finish_at, fixed_powers, vertical_phases
from ..airspace.model import Airspace, Zone
from ..config import AircraftProfile, Wind
from ..errors import InputError
from ..geo import LocalFrame
from ..routing import Route, Router, flown_from
from .lookahead import Lookahead

__all__ = ["FlightTable", "Leg", "ROUTE_REASONS"]

#: Decision reason for each reason the router gives for an unreachable door.
ROUTE_REASONS = {"inside_obstacle": "no_fly_zone", "outside_area": "outside_area", "enclosed": "no_route"}

_DELIVERY = PHASES.index("delivery")


def _door_s(times: NDArray, release: NDArray) -> NDArray:
    """Seconds from the start of the take-off to the delivery: the phases before the delivery action and the
    release offset into it (``times`` (..., 7) s, as :data:`dronedel.aircraft.PHASES`)."""
    return times[..., :_DELIVERY].sum(axis=-1) + release


@dataclass(frozen=True)
class Leg:
    """One door's flight under one zone set and wind (times in s from the start of the take-off).

    ``delivery_s``/``delivery_wh`` are the delivery action's time and energy, ``release_s``
    the offset into it at which the package is delivered. ``reason`` is None when feasible, else a decision reason (see
    :data:`dronedel.dispatch.REASONS`); ``route`` is the local-metre polyline pad -> door. ``phases_s`` holds
    the duration (s) of each of :data:`dronedel.aircraft.PHASES`; ``pad`` is the pad's index and ``layers``
    the outbound and return cruise altitudes (m AGL).
    """

    door_s: float
    duration_s: float
    energy_wh: float
    reserve_wh: float
    delivery_s: float
    delivery_wh: float
    release_s: float
    reason: str | None
    route: Route
    phases_s: tuple[float, ...] = ()
    pad: int = 0
    layers: tuple[float, float] = (0.0, 0.0)


#: The float columns of a block: the value each holds until computed, and how many it holds per door and pair.
_FLOATS = {"times": (np.inf, len(PHASES)), "energy": (np.inf, 1), "delivery_wh": (np.inf, 1),
           "reserve": (-np.inf, 1), "release": (0.0, 1), "door": (np.inf, 1)}


@dataclass
class _Block:
    """The flights of ``size`` consecutive doors of a sheet at each of ``pairs`` pairs of cruise layers (arrays
    by door, then pair), ``known`` marking the doors computed: the phase durations ``times`` (s), the
    flight's and the delivery's energy (Wh), the reserve left (Wh), the release offset into the delivery and
    the time from the start of the take-off to the delivery (``door``, :func:`_door_s`; s), the reason.

    The float columns live in ``memory`` from byte ``offset`` on (:meth:`nbytes` of them) where given, a
    buffer the look-ahead process computes into and this one reads (``fresh=False``: as computed there),
    else in arrays of their own."""

    size: int
    pairs: int
    memory: InitVar[mmap.mmap | None] = None
    offset: InitVar[int] = 0
    fresh: InitVar[bool] = True
    known: NDArray = field(init=False)
    times: NDArray = field(init=False)
    energy: NDArray = field(init=False)
    delivery_wh: NDArray = field(init=False)
    reserve: NDArray = field(init=False)
    reason: NDArray = field(init=False)
    release: NDArray = field(init=False)
    door: NDArray = field(init=False)

    def __post_init__(self, memory: mmap.mmap | None, offset: int, fresh: bool) -> None:
        shape = (self.size, self.pairs)
        self.known = np.zeros(self.size, bool)
        self.reason = np.full(shape, None, object)
        for name, (default, per) in _FLOATS.items():
            count = self.size * self.pairs * per
            if memory is None:
                column = np.full(count, default)
            else:
                column = np.frombuffer(memory, float, count, offset)
                offset += column.nbytes
                if fresh:
                    column[:] = default
            setattr(self, name, column.reshape(*shape, per) if per > 1 else column.reshape(shape))

    @staticmethod
    def nbytes(size: int, pairs: int) -> int:
        """Bytes of the float columns of a block of ``size`` doors at ``pairs`` pairs."""
        return size * pairs * sum(per for _, per in _FLOATS.values()) * np.dtype(float).itemsize


@dataclass
class _Sheet:
    """Per (zone set, wind, pad): the flights of ``n`` doors at ``pairs`` pairs of layers, in blocks of ``block``
    doors made when a door of theirs is first computed, so that the sheet of a pad few flights use, or of a
    zone set of a few hours, stays small."""

    n: int
    block: int
    pairs: int
    blocks: dict[int, _Block] = field(default_factory=dict)

    def at(self, row: int) -> tuple[_Block, int]:
        """The block holding door ``row`` and the door's place in it."""
        b, k = divmod(row, self.block)
        if b not in self.blocks:
            self.blocks[b] = _Block(min(self.block, self.n - b * self.block), self.pairs)
        return self.blocks[b], k

    def known(self, rows: NDArray) -> NDArray:
        """Which of doors ``rows`` are computed."""
        b, k = np.divmod(rows, self.block)
        out = np.zeros(len(rows), bool)
        for block in np.unique(b):
            if block in self.blocks:
                mine = b == block
                out[mine] = self.blocks[block].known[k[mine]]
        return out

    def put(self, rows: NDArray, **columns: NDArray) -> None:
        """Write the flights of doors ``rows`` (columns as :class:`_Block`'s, by door then pair) and mark them
        computed."""
        b, k = np.divmod(rows, self.block)
        for block in np.unique(b):
            mine = np.flatnonzero(b == block)
            target = self.at(int(block) * self.block)[0]
            for name, values in columns.items():
                getattr(target, name)[k[mine]] = values[mine]
            target.known[k[mine]] = True

    def column(self, name: str, pair: int) -> NDArray:
        """Column ``name`` of :class:`_Block` at pair ``pair`` over every door (default values where not
        computed)."""
        full = np.repeat(getattr(_Block(1, 1), name)[:, 0], self.n, axis=0)  # the default value, for every door
        for b, block in self.blocks.items():
            full[b * self.block:b * self.block + block.size] = getattr(block, name)[:, pair]
        return full


def _layer_pairs(layers: Sequence[float]) -> list[tuple[float, float]]:
    """Every (outbound, return) pair of cruise ``layers`` (m AGL) a flight may fly: two different layers, or the
    one layer twice."""
    layers = [float(x) for x in layers]
    return [(o, r) for o in layers for r in layers if o != r] if len(layers) > 1 else [(x, x) for x in layers]


class FlightTable:
    """Flights to ``doors_xy`` ((n, 2) local metres) carrying ``payload_kg`` ((n,) kg) from ``pads``.

    ``airspace`` zones that can block the altitude band ``band`` (m AGL) are candidates; a
    zone set is a frozenset of their ids. Routers grow zones by ``margin_m`` and shrink the
    operating area by it (see :meth:`dronedel.routing.Router.for_airspace`). ``pads`` are the
    take-off and landing points ((x, y) local metres, each seeing the site point); a flight
    from a pad flies the site's route from there (:meth:`dronedel.routing.Router.from_point`).
    ``layers`` are the site's cruise layers (m AGL): a door's flights from a pad are computed at
    every pair of them at once (:attr:`pairs`).

    Doors are numbered from ``first`` (door ``i`` is row ``i - first`` of ``doors_xy``): a live
    service numbers its orders for its whole life and gives each request a table of that
    request's doors. The arrays of :meth:`every_door` are by row.
    """

    def __init__(self, airspace: Airspace, frame: LocalFrame, profile: AircraftProfile, doors_xy: NDArray,
                 payload_kg: NDArray, *, band: tuple[float, float], margin_m: float,
                 authorisations: Iterable[str] = (), chunk: int = 512,
                 pads: Sequence[tuple[float, float]] = ((0.0, 0.0),), layers: Sequence[float] = (),
                 first: int = 0) -> None:
        self.airspace = airspace
        self.frame = frame
        self.profile = profile
        self.doors = np.asarray(doors_xy, float).reshape(-1, 2)
        self.payload = np.broadcast_to(np.asarray(payload_kg, float), (len(self.doors),)).astype(float)
        self.band = band
        self.margin_m = margin_m
        self.authorisations = tuple(authorisations)
        self.chunk = chunk
        self.pads = tuple((float(x), float(y)) for x, y in pads)
        self.layers = tuple(float(x) for x in layers)
        self.first = first
        self.candidates: dict[str, Zone] = {
            z.id: z for z in airspace.blocking(band[0], band[1], None, None, self.authorisations)
        }
        self._local: dict[str, shapely.Geometry] = {}
        self._routers: dict[frozenset[str], Router | InputError] = {}
        self._routes: dict[tuple[frozenset[str], int | None], NDArray] = {}
        self._reasons: dict[frozenset[str], NDArray] = {}
        self._sheets: dict[tuple[frozenset[str], Wind, int, int], _Sheet] = {}
        # the pairs of layers flights are computed at, in two groups with a sheet each: the site's layers (computed
        # together: a flight is placed at several), and cruise_alt_m twice (the pair the dispatcher screens at)
        default = (float(profile.cruise_alt_m),) * 2
        layer_pairs = _layer_pairs(self.layers)
        self._groups = [layer_pairs, [] if default in layer_pairs else [default]]
        self._where = {pair: (g, k) for g, pairs in enumerate(self._groups) for k, pair in enumerate(pairs)}
        self._columns: dict[tuple, tuple[int | None, NDArray]] = {}  # phases' group and columns of pairs asked
        self._cruises: dict[tuple[frozenset[str], Wind, int], tuple[NDArray, CruiseBatch]] = {}
        self._seen: dict[tuple[frozenset[str], int], tuple[NDArray, NDArray]] = {}
        self._fixed: dict[Wind, dict[tuple[bool, float], NDArray]] = {}
        self._verticals: dict[tuple[Wind, tuple[float, float]], VerticalPhases] = {}
        self._ahead: Lookahead | None = None
        # where the look-ahead process computes each block's float columns: a buffer both processes map, and the
        # byte offset, doors and pairs of each block in it
        self._arena: tuple[mmap.mmap, dict[tuple, tuple[int, int, int]]] | None = None
        self._sent: set[tuple[frozenset[str], int]] = set()  # in a look-ahead process: the site routes handed over

    def router(self, zones: frozenset[str]) -> Router:
        """The router around exactly the zones ``zones`` (ids); InputError if the site is blocked."""
        if zones not in self._routers:
            sub = Airspace([self.candidates[i] for i in sorted(zones)], self.airspace.operating_area,
                           self.airspace.ground_amsl_m)
            try:
                self._routers[zones] = Router.for_airspace(sub, self.frame, band=self.band,
                                                           authorisations=self.authorisations,
                                                           margin_m=self.margin_m)
            except InputError as exc:
                self._routers[zones] = exc
        found = self._routers[zones]
        if isinstance(found, InputError):
            raise found
        return found

    def door(self, i: int) -> NDArray:
        """Door ``i`` ((x, y) local metres)."""
        return self.doors[i - self.first]

    def local(self, zone_id: str) -> shapely.Geometry:
        """Candidate zone ``zone_id``'s outline in local metres."""
        if zone_id not in self._local:
            self._local[zone_id] = self.frame.geometry_to_local(self.candidates[zone_id].geometry, check=False)
        return self._local[zone_id]

    def zones_near(self, i: int, zones: Iterable[str], within_m: float) -> list[tuple[Zone, float]]:
        """Zones among ``zones`` (ids) within ``within_m`` of door ``i``, with the distance (m; 0 inside)."""
        door = shapely.Point(self.door(i))
        out = []
        for zone_id in sorted(zones):
            gap = self.local(zone_id).distance(door)
            if gap <= within_m:
                out.append((self.candidates[zone_id], gap))
        return out

    def _at_site(self, pad: int | None) -> bool:
        return pad is None or self.pads[pad] == (0.0, 0.0)

    def _route_key(self, zones: frozenset[str], pad: int | None) -> tuple[frozenset[str], int | None]:
        """Where the routes from ``pad`` around ``zones`` are kept: a pad at the site shares the site's."""
        return zones, None if self._at_site(pad) else pad

    def route(self, zones: frozenset[str], i: int, pad: int | None = None) -> Route:
        """Door ``i``'s route from pad ``pad`` (None: the site point) around the zones ``zones``.

        If the site itself is blocked (a zone over it), the route is unreachable with the
        router's message as its reason, and the flight's reason is ``site_blocked``.
        """
        return self._route(zones, i - self.first, pad)

    def _route(self, zones: frozenset[str], row: int, pad: int | None) -> Route:
        """:meth:`route` of door ``row`` numbered from this table's first. A pad's routes are made one door at a
        time, when asked: of the doors a pad's flights are computed for, few are flown from it."""
        key = self._route_key(zones, pad)
        routes = self._routes.get(key)
        if routes is None:
            routes = self._routes[key] = np.full(len(self.doors), None, object)
        found = routes[row]
        if found is None:
            site = self._routes.get((zones, None))
            found = site[row] if site is not None else None
            if found is None:
                found = self._site_routes(zones, np.array([row]))[0]
            if key[1] is not None and found.reachable:
                seen = self._seen.get((zones, pad))
                if seen is not None and seen[0][row]:
                    sees = seen[1][row]
                else:
                    sees = self._sees(zones, [pad], np.array([row]))[0, 0]
                found = flown_from(self.pads[pad], [found], [sees])[0]  # from the site point, (0, 0)
            routes[row] = found
        return found

    def _site_routes(self, zones: frozenset[str], index: NDArray) -> NDArray:
        """Routes (object array of :class:`Route`) from the site point to doors ``index`` (numbered from this
        table's first) around ``zones``, routed in one batch where not yet known."""
        key = (zones, None)
        routes = self._routes.get(key)
        if routes is None:
            routes = self._routes[key] = np.full(len(self.doors), None, object)
        todo = index[np.equal(routes[index], None)]
        if todo.size:
            try:
                found = self.router(zones).routes(self.doors[todo])
            except InputError as exc:
                found = [Route(np.empty((0, 2)), np.inf, f"site_blocked: {exc}") for _ in todo]
            filled = np.empty(len(found), object)
            filled[:] = found
            routes[todo] = filled
            # the decision reason of each door no route reaches, None where one does
            reasons = self._reasons.setdefault(zones, np.full(len(self.doors), None, object))
            reasons[todo] = [None if r.reason is None else ROUTE_REASONS.get(r.reason, "site_blocked") for r in found]
        return routes[index]

    def _unreachable(self, zones: frozenset[str], index: NDArray) -> NDArray:
        """The decision reason (:data:`ROUTE_REASONS`) of each of doors ``index`` that no route reaches around
        ``zones``, None where one does (kept beside the site's routes)."""
        self._site_routes(zones, index)
        return self._reasons[zones][index]

    def _sees(self, zones: frozenset[str], pads: Sequence[int], index: NDArray) -> NDArray:
        """Where each of ``pads`` sees the first turn of the site's route to doors ``index`` (see
        :meth:`dronedel.routing.Router.sees_first_turn`), computed once: (len(pads), len(index))."""
        for p in pads:
            if (zones, p) not in self._seen:
                self._seen[(zones, p)] = (np.zeros(len(self.doors), bool), np.zeros(len(self.doors), bool))
        todo = [p for p in pads if not self._seen[(zones, p)][0][index].all()]
        if todo:
            routes = list(self._site_routes(zones, index)) * len(todo)
            starts = np.repeat(np.array([self.pads[p] for p in todo], float), len(index), axis=0)
            sees = self.router(zones).sees_first_turn(starts, routes).reshape(len(todo), len(index))
            for p, row in zip(todo, sees):
                known, seen = self._seen[(zones, p)]
                seen[index], known[index] = row, True
        return np.array([self._seen[(zones, p)][1][index] for p in pads]).reshape(len(pads), len(index))

    def _powers(self, wind: Wind) -> dict[tuple[bool, float], NDArray]:
        """The vertical-phase powers of every door's flight in ``wind`` (:func:`fixed_powers`), computed once."""
        if wind not in self._fixed:
            self._fixed[wind] = fixed_powers(self.payload, self.profile, wind)
        return self._fixed[wind]

    def _vertical(self, wind: Wind, pair: tuple[float, float]) -> VerticalPhases:
        """Every door's take-off, door and landing at the cruise layers ``pair`` in ``wind``, computed once."""
        if (wind, pair) not in self._verticals:
            self._verticals[(wind, pair)] = vertical_phases(self.payload, self.profile, wind, pair, self._powers(wind))
        return self._verticals[(wind, pair)]

    def _cruise_legs(self, zones: frozenset[str], wind: Wind, pad: int, index: NDArray) -> CruiseBatch:
        """The cruise legs (altitude-independent) of doors ``index`` from pad ``pad``, computed once. The first
        pad's are computed alone: the dispatcher screens every order with them, and most orders no drone
        flies. Another pad's are computed with those of every other pad not yet known for these doors, in one
        batch: a flight that is planned asks about them all."""
        def cache(p: int) -> tuple[NDArray, CruiseBatch]:
            if (zones, wind, p) not in self._cruises:
                self._cruises[(zones, wind, p)] = (np.zeros(len(self.doors), bool), CruiseBatch.empty(len(self.doors)))
            return self._cruises[(zones, wind, p)]

        todo = index[~cache(pad)[0][index]]
        if todo.size:
            pads = [pad] + [p for p in range(len(self.pads)) if pad and p != pad and not cache(p)[0][todo].any()]
            off = [p for p in pads if not self._at_site(p)]
            routes = list(self._site_routes(zones, todo))
            starts = np.repeat(np.array([self.pads[p] for p in pads], float), len(todo), axis=0)
            sees = np.ones((len(pads), len(todo)), bool)
            if off:
                sees[[pads.index(p) for p in off]] = self._sees(zones, off, todo)
            powers = {k: v[np.tile(todo, len(pads))] for k, v in self._powers(wind).items()}
            batch = cruise_many(routes * len(pads), np.tile(self.payload[todo], len(pads)), self.profile, wind,
                                start=starts, sees_first=sees.ravel(), powers=powers)
            for k, p in enumerate(pads):
                known, cruises = cache(p)
                cruises.put(todo, batch.take(np.arange(k * len(todo), (k + 1) * len(todo))))
                known[todo] = True
        return cache(pad)[1].take(index)

    def _fill(self, sheet: _Sheet, key: tuple[frozenset[str], Wind, int, int], index: NDArray) -> None:
        zones, wind, pad, group = key
        layers = self._groups[group]
        pairs = len(layers)
        vertical = [self._vertical(wind, pair).take(index) for pair in layers]
        batch = finish_at(self._cruise_legs(zones, wind, pad, index), self.profile, wind, layers, vertical)
        reason = batch.reason.copy()
        # a pad's route is unreachable where the site's is
        unreachable = np.tile(self._unreachable(zones, index), pairs)
        taken = np.not_equal(unreachable, None) & (reason != "overweight")
        reason[taken] = unreachable[taken]

        def by_door(values: NDArray) -> NDArray:
            """A batch column (pair after pair) by door, then pair."""
            return np.swapaxes(values.reshape(pairs, len(index), *values.shape[1:]), 0, 1)

        times, release = by_door(batch.times_s), by_door(batch.release_s)
        sheet.put(index, times=times, energy=by_door(batch.energies_wh.sum(axis=1)),
                  delivery_wh=by_door(batch.energies_wh[:, _DELIVERY]), reserve=by_door(batch.reserve_wh),
                  release=release, reason=by_door(reason), door=_door_s(times, release))

    def every_door(self, zones: frozenset[str], wind: Wind, pad: int = 0,
                   layers: tuple[float, float] | None = None) -> tuple[NDArray, NDArray, NDArray]:
        """Every door's flight from pad ``pad`` around ``zones`` in ``wind`` at the cruise ``layers`` (outbound,
        return; m AGL; default ``cruise_alt_m``): seconds from the start of the take-off to the delivery and to
        the landing, and the reason (None where feasible), arrays by row."""
        group, pair = self._pair(layers)
        sheet = self._sheet(zones, wind, None, pad, group)
        return sheet.column("door", pair), sheet.column("times", pair).sum(axis=1), sheet.column("reason", pair)

    def _sheet(self, zones: frozenset[str], wind: Wind, index: int | None, pad: int, group: int) -> _Sheet:
        """The sheet of (zones, wind, pad) with door ``index`` (numbered from this table's first; None: every
        door) computed, at every pair of layers of ``group`` (see :attr:`pairs`). Doors are computed ``chunk``
        at a time, from ``index`` on: the router answers moderate batches faster than one huge one."""
        key = (zones, wind, pad, group)
        if self._ahead is not None:
            for b in range(-(-len(self.doors) // self.chunk)) if index is None else [index // self.chunk]:
                if (key, b) in self._ahead:
                    for item, result in self._ahead.until((key, b)):
                        self._install(*item, *result)
        sheet = self._sheet_of(key)
        if index is None:
            every = np.arange(len(self.doors))
            todo = every[~sheet.known(every)]
        else:
            block, k = sheet.at(index)
            if block.known[k]:
                return sheet
            end = min(index + self.chunk, len(self.doors))
            if self._ahead is not None and (key, (end - 1) // self.chunk) in self._ahead:
                end = (index // self.chunk + 1) * self.chunk  # the next block is on its way
            ahead = np.arange(index, end)
            todo = ahead[~sheet.known(ahead)]
        for k in range(0, len(todo), self.chunk):
            self._fill(sheet, key, todo[k:k + self.chunk])
        return sheet

    def _sheet_of(self, key: tuple[frozenset[str], Wind, int, int]) -> _Sheet:
        """The sheet of ``key`` (zones, wind, pad, group), made empty if there is none yet."""
        sheet = self._sheets.get(key)
        if sheet is None:
            sheet = self._sheets[key] = _Sheet(len(self.doors), self.chunk, len(self._groups[key[3]]))
        return sheet

    def look_ahead(self, asks: Iterable[tuple[frozenset[str], Wind, int, tuple[float, float] | None, int]]) -> None:
        """Compute, in a second process (:class:`~dronedel.dispatch.lookahead.Lookahead`), the flights that will
        be asked for, in the order given: each ask is ``(zones, wind, pad, layers, i)`` as :meth:`phases` takes
        them, and brings the flights of door ``i``'s block of ``chunk`` doors at every pair of ``layers``' group.
        Asking for them here later waits for the process where it has not got that far; flights not foreseen
        are computed here as before. The flights are the same either way."""
        self.close()
        items: dict[tuple[tuple[frozenset[str], Wind, int, int], int], None] = {}
        for zones, wind, pad, layers, i in asks:
            key, b = (zones, wind, pad, self._pair(layers)[0]), (i - self.first) // self.chunk
            sheet = self._sheets.get(key)
            if sheet is None or b not in sheet.blocks or not sheet.blocks[b].known.all():  # else known here
                items[(key, b)] = None
        if items:
            layout, offset = {}, 0
            for key, b in items:
                size, pairs = min(self.chunk, len(self.doors) - b * self.chunk), len(self._groups[key[3]])
                layout[(key, b)] = offset, size, pairs
                offset += _Block.nbytes(size, pairs)
            # shared with the process forked next (anonymous and shared), which computes the blocks into it: their
            # numbers are then read here where they were written instead of passing through a pipe (100-170 MB
            # on the benchmark day). Pages are only used once written.
            self._arena = mmap.mmap(-1, max(offset, 1)), layout
            self._ahead = Lookahead(list(items), self._computed)

    def close(self) -> None:
        """Stop the look-ahead process, if any (:meth:`look_ahead`); what it had not handed over is computed
        here when asked for."""
        if self._ahead is not None:
            self._ahead.close()
            self._ahead = None

    def _computed(self, item: tuple[tuple[frozenset[str], Wind, int, int], int]) -> tuple:
        """In the look-ahead process: the block ``b`` of the sheet ``key`` of item ``(key, b)``, computed into the
        arena that the asking process reads (its doors known and reasons are sent), and what that process needs
        beside it (:meth:`_install`): the site's routes to the block's doors around the key's zones (the first
        time they are asked) and where the key's pad sees their first turns."""
        key, b = item
        zones, wind, pad, group = key
        self._sheet_of(key).blocks[b] = self._arena_block(item, fresh=True)  # computed into the shared arena
        block = self._sheet(zones, wind, b * self.chunk, pad, group).blocks.pop(b)  # handed over, not kept
        rows = np.arange(b * self.chunk, b * self.chunk + block.size)
        site = None
        if (zones, b) not in self._sent:  # as arrays: a pickled Route object each would take longer to unpickle
            self._sent.add((zones, b))
            routes = self._site_routes(zones, rows)
            site = (np.concatenate([r.points for r in routes]), np.array([len(r.points) for r in routes]),
                    np.array([r.length_m for r in routes]), [r.reason for r in routes], self._reasons[zones][rows])
        seen = self._seen.get((zones, pad))
        return (block.known, block.reason), site, None if seen is None else (seen[0][rows], seen[1][rows])

    def _arena_block(self, item: tuple[tuple[frozenset[str], Wind, int, int], int], fresh: bool) -> _Block:
        """The block of look-ahead item ``(key, b)`` over its place in the arena: set to the defaults (``fresh``, in
        the look-ahead process, before computing it) or as computed there."""
        memory, layout = self._arena
        offset, size, pairs = layout[item]
        return _Block(size, pairs, memory, offset, fresh)

    def _install(self, key: tuple[frozenset[str], Wind, int, int], b: int, state: tuple[NDArray, NDArray],
                 site: tuple | None, seen: tuple[NDArray, NDArray] | None) -> None:
        """Put a block computed by the look-ahead process (:meth:`_computed`) in its place: its numbers as they
        stand in the arena, its doors known and reasons as sent."""
        zones, _, pad, _ = key
        block = self._arena_block((key, b), fresh=False)
        block.known, block.reason = state
        self._sheet_of(key).blocks[b] = block
        rows = slice(b * self.chunk, b * self.chunk + block.size)
        if site is not None:
            routes = self._routes.setdefault((zones, None), np.full(len(self.doors), None, object))
            reasons = self._reasons.setdefault(zones, np.full(len(self.doors), None, object))
            points, counts, lengths, why, reason = site
            found = np.empty(block.size, object)
            found[:] = [Route(p, length, r) for p, length, r in
                        zip(np.split(points, np.cumsum(counts)[:-1]), lengths.tolist(), why)]
            missing = np.flatnonzero(np.equal(routes[rows], None))
            routes[missing + rows.start], reasons[missing + rows.start] = found[missing], reason[missing]
        if seen is not None:
            known, sees = self._seen.setdefault((zones, pad), (np.zeros(len(self.doors), bool),
                                                               np.zeros(len(self.doors), bool)))
            known[rows], sees[rows] = known[rows] | seen[0], np.where(seen[0], seen[1], sees[rows])

    @property
    def pairs(self) -> tuple[tuple[float, float], ...]:
        """The pairs of cruise layers (outbound, return; m AGL) flights are computed at: each ordered pair of
        two different ``layers`` (the one layer twice if there is one), all of them together, and
        ``cruise_alt_m`` twice, alone; a flight asked at another pair adds it to the layers' (and the table
        computes their flights again)."""
        return tuple(pair for pairs in self._groups for pair in pairs)

    def _pair(self, layers: tuple[float, float] | None) -> tuple[int, int]:
        """The group and column of the pair ``layers`` (default ``cruise_alt_m`` twice) in the sheets, added to
        the layers' group if new."""
        alt = self.profile.cruise_alt_m
        pair = (alt, alt) if layers is None else (float(layers[0]), float(layers[1]))
        where = self._where.get(pair)
        if where is None:
            self.close()  # its layers' blocks lack the new pair
            self._columns.clear()
            self._groups[0].append(pair)
            self._where[pair] = where = (0, len(self._groups[0]) - 1)
            # the layers' sheets have a column per pair: computed again with the new one
            self._sheets = {key: sheet for key, sheet in self._sheets.items() if key[3] != 0}
        return where

    def leg(self, zones: frozenset[str], wind: Wind, i: int, pad: int = 0,
            layers: tuple[float, float] | None = None) -> Leg:
        """Door ``i``'s flight from pad ``pad`` around the zones ``zones`` in ``wind`` at the cruise
        ``layers`` (outbound, return; m AGL; default ``cruise_alt_m``)."""
        i -= self.first
        g, j = self._pair(layers)
        s, k = self._sheet(zones, wind, i, pad, g).at(i)
        t = s.times[k, j]
        return Leg(float(s.door[k, j]), float(t.sum()), float(s.energy[k, j]), float(s.reserve[k, j]),
                   float(t[_DELIVERY]), float(s.delivery_wh[k, j]), float(s.release[k, j]), s.reason[k, j],
                   self._route(zones, i, pad), tuple(map(float, t)), pad, self._groups[g][j])

    def phases(self, zones: frozenset[str], wind: Wind, i: int, pad: int,
               pairs: Sequence[tuple[float, float]]) -> tuple[NDArray, NDArray, NDArray]:
        """Door ``i``'s flights from pad ``pad`` around ``zones`` in ``wind`` at each pair of cruise layers of
        ``pairs``, as arrays rather than :class:`Leg` objects: the duration of each of
        :data:`dronedel.aircraft.PHASES` ((K, 7) s), the time from the start of the take-off to the delivery
        ((K,) s) and the reason ((K,) object, None where feasible). The route is :meth:`route`'s."""
        pairs = tuple(pairs)
        found = self._columns.get(pairs)
        if found is None:
            where = [self._pair(pair) for pair in pairs]
            groups = {g for g, _ in where}
            found = self._columns[pairs] = (groups.pop() if len(groups) == 1 else None), np.array([j for _, j in where])
        group, columns = found
        if group is None:  # pairs of both groups (the dispatcher asks one group at a time): one by one, stacked
            parts = [self.phases(zones, wind, i, pad, [pair]) for pair in pairs]
            return tuple(np.concatenate(column) for column in zip(*parts))
        row = i - self.first
        s, k = self._sheet(zones, wind, row, pad, group).at(row)
        return s.times[k, columns], s.door[k, columns], s.reason[k, columns]
