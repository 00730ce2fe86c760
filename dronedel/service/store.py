"""The service's store: orders, decisions, flights, intents, tracks, events and restrictions in SQLite.

Everything the service promises lives here before it is answered: the caller commits a
decision (order row, flight row, event) in one transaction and only then replies, so killing
the process at any instant loses nothing that was acknowledged. SQLite runs in WAL mode with
``synchronous=NORMAL``: a commit is in the write-ahead log when it returns, which survives a
crash of the process (``kill -9``); only an operating-system crash or power cut may lose the
last commits (``durable=True`` selects ``synchronous=FULL`` for that too).

The schema carries a version (``PRAGMA user_version``) and :data:`MIGRATIONS` brings an older
file up to date when it is opened. All SQL lives in this module, behind :class:`Store`, so a
server database can take its place later.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["Store", "OrderRow", "FlightRow", "EventRow", "RestrictionRow", "MIGRATIONS", "SCHEMA_VERSION"]

#: Schema migrations: ``MIGRATIONS[k]`` takes a file from version ``k`` to ``k + 1``.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE orders (
        order_id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, placed_s REAL NOT NULL,
        lon REAL NOT NULL, lat REAL NOT NULL, weight_kg REAL NOT NULL, status TEXT NOT NULL,
        reason TEXT, detail TEXT NOT NULL DEFAULT '', decided_s REAL NOT NULL, flight_id INTEGER,
        eta_s REAL, updated_s REAL NOT NULL);
    CREATE INDEX orders_status ON orders (status, seq);
    CREATE TABLE flights (
        flight_id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, drone INTEGER NOT NULL, pad TEXT,
        state TEXT NOT NULL, loading_s REAL NOT NULL, takeoff_s REAL NOT NULL, door_s REAL NOT NULL,
        land_s REAL NOT NULL, ready_s REAL NOT NULL, energy_wh REAL NOT NULL, reserve_wh REAL NOT NULL,
        distance_m REAL NOT NULL, route TEXT NOT NULL, zones TEXT NOT NULL, wind TEXT NOT NULL,
        intent TEXT, actual_takeoff_s REAL, actual_door_s REAL, actual_land_s REAL, note TEXT NOT NULL DEFAULT '');
    CREATE INDEX flights_state ON flights (state);
    CREATE TABLE tracks (
        flight_id INTEGER NOT NULL, t_s REAL NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL,
        alt_m REAL NOT NULL, PRIMARY KEY (flight_id, t_s)) WITHOUT ROWID;
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, t_s REAL NOT NULL, kind TEXT NOT NULL,
        order_id TEXT, flight_id INTEGER, data TEXT NOT NULL);
    CREATE TABLE restrictions (
        zone_id TEXT PRIMARY KEY, name TEXT NOT NULL, geometry TEXT NOT NULL, floor_m REAL NOT NULL,
        ceiling_m REAL NOT NULL, from_s REAL NOT NULL, until_s REAL, lifted_s REAL);
    """,
    """
    CREATE INDEX events_order ON events (order_id, seq);
    CREATE INDEX events_flight ON events (flight_id, seq);
    """,
    """
    ALTER TABLE flights ADD COLUMN plan TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass
class OrderRow:
    """An order and its current decision (times in service seconds; ``eta_s`` the door ETA)."""

    order_id: str
    seq: int
    placed_s: float
    lon: float
    lat: float
    weight_kg: float
    status: str
    reason: str | None
    detail: str
    decided_s: float
    flight_id: int | None
    eta_s: float | None
    updated_s: float


@dataclass
class FlightRow:
    """A booked flight as the dispatcher planned it, its state and what was flown (service seconds).

    ``route`` is the local-metre polyline site -> door, ``zones`` the zone ids it keeps clear
    of, ``intent`` its operational intent's volumes (as plan.json states them), ``plan`` every field of the
    dispatcher's flight (JSON-ready, see :func:`dronedel.service.core.flight_to_json`).
    """

    flight_id: int
    order_id: str
    drone: int
    pad: str | None
    state: str
    loading_s: float
    takeoff_s: float
    door_s: float
    land_s: float
    ready_s: float
    energy_wh: float
    reserve_wh: float
    distance_m: float
    route: list[list[float]]
    zones: list[str]
    wind: str
    intent: Any = None
    actual_takeoff_s: float | None = None
    actual_door_s: float | None = None
    actual_land_s: float | None = None
    note: str = ""
    plan: dict[str, Any] | None = None


@dataclass
class EventRow:
    """One entry of the event log: ``seq`` orders them (the SSE event id)."""

    seq: int
    t_s: float
    kind: str
    order_id: str | None
    flight_id: int | None
    data: dict[str, Any]


@dataclass
class RestrictionRow:
    """A temporary restriction: ``geometry`` GeoJSON (lon, lat), heights m AGL, active ``from_s`` to
    ``until_s`` (None: until lifted), ``lifted_s`` when lifted."""

    zone_id: str
    name: str
    geometry: dict[str, Any]
    floor_m: float
    ceiling_m: float
    from_s: float
    until_s: float | None
    lifted_s: float | None


_JSON_COLUMNS = {"route", "zones", "intent", "geometry", "data", "plan"}
_OPEN_FLIGHT_STATES = ("booked", "loading", "airborne", "delivering", "returning", "turnaround")


def _encode(name: str, value: Any) -> Any:
    return json.dumps(value, separators=(",", ":")) if name in _JSON_COLUMNS and value is not None else value


def _decode(cls: type, row: sqlite3.Row) -> Any:
    return cls(**{k: json.loads(row[k]) if k in _JSON_COLUMNS and row[k] is not None else row[k]
                  for k in row.keys()})


class Store:
    """The SQLite file at ``path`` (created and migrated if need be); one connection, one thread."""

    def __init__(self, path: str | Path, *, durable: bool = False) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"cannot open the store: {exc}", str(path)) from None
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self.db.execute("PRAGMA busy_timeout=5000")
        self._depth = 0
        self.migrate()

    # ------------------------------------------------------------------ schema
    @property
    def version(self) -> int:
        """The file's schema version."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply the migrations the file lacks, each in its own transaction."""
        version = self.version
        if version > SCHEMA_VERSION:
            raise InputError(f"the store has schema version {version}, newer than this dronedel's {SCHEMA_VERSION}",
                             str(self.path))
        for k in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in filter(str.strip, MIGRATIONS[k].split(";")):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={k + 1}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction around the block (nested blocks join the outer one); committed on exit."""
        if self._depth == 0:
            self.db.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self.db.execute("ROLLBACK")
            raise
        self._depth -= 1
        if self._depth == 0:
            self.db.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    # ------------------------------------------------------------------ meta
    def get_meta(self, key: str, default: Any = None) -> Any:
        """The JSON value stored under ``key``, or ``default``."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_meta(self, key: str, value: Any) -> None:
        """Store the JSON-ready ``value`` under ``key``."""
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, json.dumps(value)))

    # ------------------------------------------------------------------ rows
    def _insert(self, table: str, row: Any, skip: Sequence[str] = ()) -> int:
        data = {k: _encode(k, v) for k, v in asdict(row).items() if k not in skip}
        cols = ", ".join(data)
        cur = self.db.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(data))})",
                              tuple(data.values()))
        return int(cur.lastrowid)

    def _update(self, table: str, key: str, value: Any, changes: dict[str, Any]) -> None:
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            self.db.execute(f"UPDATE {table} SET {sets} WHERE {key} = ?",
                            (*(_encode(k, v) for k, v in changes.items()), value))

    def next_order_seq(self) -> int:
        """The sequence number the next order gets (arrival order)."""
        return int(self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM orders").fetchone()[0])

    def has_order(self, order_id: str) -> bool:
        """True if an order with this id exists."""
        return self.db.execute("SELECT 1 FROM orders WHERE order_id = ?", (order_id,)).fetchone() is not None

    def insert_order(self, row: OrderRow) -> None:
        """Add an order with its decision."""
        self._insert("orders", row)

    def update_order(self, order_id: str, **changes: Any) -> None:
        """Change columns of an order."""
        self._update("orders", "order_id", order_id, changes)

    def order(self, order_id: str) -> OrderRow | None:
        """The order ``order_id``, or None."""
        row = self.db.execute("SELECT * FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        return _decode(OrderRow, row) if row else None

    def orders(self, status: str | None = None, limit: int = 100, offset: int = 0) -> list[OrderRow]:
        """Orders (of ``status``, or all) newest first."""
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = self.db.execute(f"SELECT * FROM orders {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
                               (*args, limit, offset))
        return [_decode(OrderRow, r) for r in rows]

    def count_orders(self) -> dict[str, int]:
        """Number of orders by status."""
        return {r[0]: r[1] for r in self.db.execute("SELECT status, COUNT(*) FROM orders GROUP BY status")}

    def insert_flight(self, row: FlightRow) -> int:
        """Add a flight; returns its id (``row.flight_id`` is ignored)."""
        return self._insert("flights", row, skip=("flight_id",))

    def update_flight(self, flight_id: int, **changes: Any) -> None:
        """Change columns of a flight."""
        self._update("flights", "flight_id", flight_id, changes)

    def flight(self, flight_id: int) -> FlightRow | None:
        """The flight ``flight_id``, or None."""
        row = self.db.execute("SELECT * FROM flights WHERE flight_id = ?", (flight_id,)).fetchone()
        return _decode(FlightRow, row) if row else None

    def open_flights(self) -> list[FlightRow]:
        """Flights booked and not yet over (by take-off time)."""
        marks = ", ".join("?" * len(_OPEN_FLIGHT_STATES))
        rows = self.db.execute(f"SELECT * FROM flights WHERE state IN ({marks}) ORDER BY takeoff_s, flight_id",
                               _OPEN_FLIGHT_STATES)
        return [_decode(FlightRow, r) for r in rows]

    def last_flights(self) -> dict[int, FlightRow]:
        """Each drone's latest flight that was flown or is booked, by drone."""
        rows = self.db.execute("SELECT * FROM flights WHERE state NOT IN ('cancelled', 'failed') AND flight_id IN "
                               "(SELECT MAX(flight_id) FROM flights WHERE state NOT IN ('cancelled', 'failed') "
                               "GROUP BY drone)")
        return {r["drone"]: _decode(FlightRow, r) for r in rows}

    def booked_cycles(self, since_s: float) -> list[tuple[float, float]]:
        """(placed_s, cycle_s) of every flight booked for an order placed since ``since_s``, by placement: the
        seconds from loading to ready again the flight holds its drone."""
        rows = self.db.execute("SELECT o.placed_s, f.ready_s - f.loading_s FROM flights f JOIN orders o "
                               "ON o.order_id = f.order_id WHERE o.placed_s >= ? ORDER BY o.placed_s, f.flight_id",
                               (since_s,))
        return [(float(a), float(b)) for a, b in rows]

    def add_track(self, flight_id: int, points: Iterable[tuple[float, float, float, float]]) -> None:
        """Append (t_s, lon, lat, alt_m relative to home) points to a flight's track."""
        self.db.executemany("INSERT OR REPLACE INTO tracks (flight_id, t_s, lon, lat, alt_m) VALUES (?, ?, ?, ?, ?)",
                            ((flight_id, *p) for p in points))

    def track(self, flight_id: int) -> list[tuple[float, float, float, float]]:
        """A flight's track: (t_s, lon, lat, alt_m) in time order."""
        rows = self.db.execute("SELECT t_s, lon, lat, alt_m FROM tracks WHERE flight_id = ? ORDER BY t_s",
                               (flight_id,))
        return [tuple(r) for r in rows]

    def add_event(self, t_s: float, kind: str, data: dict[str, Any], order_id: str | None = None,
                  flight_id: int | None = None) -> int:
        """Log an event; returns its sequence number."""
        cur = self.db.execute("INSERT INTO events (t_s, kind, order_id, flight_id, data) VALUES (?, ?, ?, ?, ?)",
                              (t_s, kind, order_id, flight_id, json.dumps(data, separators=(",", ":"))))
        return int(cur.lastrowid)

    def events(self, after: int = 0, limit: int = 1000, kinds: Sequence[str] = ()) -> list[EventRow]:
        """Events after sequence number ``after`` (of ``kinds``, or all), oldest first."""
        where, args = "seq > ?", [after]
        if kinds:
            where += f" AND kind IN ({', '.join('?' * len(kinds))})"
            args += list(kinds)
        rows = self.db.execute(f"SELECT * FROM events WHERE {where} ORDER BY seq LIMIT ?", (*args, limit))
        return [_decode(EventRow, r) for r in rows]

    def last_events(self, kinds: Sequence[str], limit: int = 100) -> list[EventRow]:
        """The latest ``limit`` events of ``kinds``, newest first."""
        rows = self.db.execute(f"SELECT * FROM events WHERE kind IN ({', '.join('?' * len(kinds))}) "
                               "ORDER BY seq DESC LIMIT ?", (*kinds, limit))
        return [_decode(EventRow, r) for r in rows]

    def order_events(self, order_id: str) -> list[EventRow]:
        """An order's history, oldest first."""
        rows = self.db.execute("SELECT * FROM events WHERE order_id = ? ORDER BY seq", (order_id,))
        return [_decode(EventRow, r) for r in rows]

    def last_seq(self) -> int:
        """The latest event's sequence number (0 if none)."""
        return int(self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0])

    def put_restriction(self, row: RestrictionRow) -> None:
        """Add or replace a temporary restriction."""
        self.db.execute("DELETE FROM restrictions WHERE zone_id = ?", (row.zone_id,))
        self._insert("restrictions", row)

    def update_restriction(self, zone_id: str, **changes: Any) -> None:
        """Change columns of a restriction."""
        self._update("restrictions", "zone_id", zone_id, changes)

    def restrictions(self) -> list[RestrictionRow]:
        """Every temporary restriction, lifted ones too."""
        return [_decode(RestrictionRow, r) for r in self.db.execute("SELECT * FROM restrictions ORDER BY from_s")]

