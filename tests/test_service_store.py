"""The service's SQLite store: schema versions, migrations, transactions, durability settings."""

from __future__ import annotations

import sqlite3

import pytest

from dronedel.errors import InputError
from dronedel.service.store import MIGRATIONS, SCHEMA_VERSION, FlightRow, OrderRow, Store


def order_row(order_id: str, seq: int, status: str = "accepted") -> OrderRow:
    return OrderRow(order_id, seq, 100.0, -96.26, 30.56, 1.0, status, None, "", 100.0, None, None, 100.0)


def test_new_store_is_wal_at_the_current_version(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    assert store.version == SCHEMA_VERSION == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert Store(tmp_path / "d.sqlite", durable=True).db.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_an_older_file_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(MIGRATIONS[0] + "; PRAGMA user_version=1;")
    db.execute("INSERT INTO orders VALUES ('A', 1, 5.0, -96.2, 30.5, 1.0, 'accepted', NULL, '', 5.0, NULL, NULL, 5.0)")
    db.close()
    store = Store(path)
    assert store.version == SCHEMA_VERSION
    assert store.order("A").placed_s == 5.0
    indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"events_order", "events_flight"} <= indexes
    assert "plan" in {r[1] for r in store.db.execute("PRAGMA table_info(flights)")}


def test_a_newer_file_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    sqlite3.connect(path).execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(InputError, match="newer"):
        Store(path)


def test_a_failed_transaction_leaves_nothing(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.insert_order(order_row("A", 1))
            store.add_event(100.0, "decision", {"status": "accepted"}, "A")
            raise RuntimeError("crash between the writes")
    assert store.order("A") is None and store.last_seq() == 0
    with store.transaction():
        store.insert_order(order_row("A", 1))
        with store.transaction():  # nested blocks join the outer transaction
            store.add_event(100.0, "decision", {"status": "accepted"}, "A")
    reopened = Store(tmp_path / "s.sqlite")
    assert reopened.order("A").status == "accepted"
    assert [e.kind for e in reopened.order_events("A")] == ["decision"]


def test_rows_round_trip_with_json_columns(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    with store.transaction():
        fid = store.insert_flight(FlightRow(0, "A", 3, "pad-1", "booked", 1.0, 2.0, 3.0, 4.0, 5.0, 100.0, 500.0,
                                            1000.0, [[0.0, 0.0], [10.0, 20.0]], ["z1"], "4@200",
                                            {"volumes": []}, plan={"layers": [45.0, 75.0]}))
        store.add_track(fid, [(2.5, -96.2, 30.5, 12.0), (3.5, -96.21, 30.51, 40.0)])
    f = store.flight(fid)
    assert f.route == [[0.0, 0.0], [10.0, 20.0]] and f.zones == ["z1"] and f.plan == {"layers": [45.0, 75.0]}
    assert [p[0] for p in store.track(fid)] == [2.5, 3.5]
    assert [x.flight_id for x in store.open_flights()] == [fid]
