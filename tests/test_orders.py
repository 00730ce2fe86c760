from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dronedel.errors import InputError
from dronedel.orders import load_orders

TZ = ZoneInfo("America/Chicago")


def test_iso_and_seconds_and_sorting(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,placed_at,lon,lat,weight_kg\n"
        "b,2026-06-13T12:00:00,-96.28,30.56,1.2\n"
        "a,2026-06-13T09:30:00-05:00,-96.26,30.55,0.4\n"
        "c,3600,-96.25,30.57,2.0\n"
    )
    book = load_orders(path, TZ)
    assert [o.order_id for o in book.orders] == ["c", "a", "b"]
    assert book.start == datetime(2026, 6, 13, tzinfo=TZ)
    assert book.orders[0].placed_at == datetime(2026, 6, 13, 1, tzinfo=TZ)
    assert book.seconds().tolist() == [3600.0, 9.5 * 3600, 12 * 3600]
    assert book.lonlat().shape == (3, 2)
    assert book.problems == ()


def test_bad_rows_are_reported_not_dropped(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,placed_at,lon,lat,weight_kg\n"
        "ok,2026-06-13T12:00:00,-96.28,30.56,1.2\n"
        "ok,2026-06-13T12:01:00,-96.28,30.56,1.2\n"
        "swap,2026-06-13T12:02:00,30.56,-96.28,1.0\n"
        "nan,2026-06-13T12:03:00,abc,30.56,1.0\n"
        "when,yesterday,-96.28,30.56,1.0\n"
        ",2026-06-13T12:04:00,-96.28,30.56,1.0\n"
        "heavy,2026-06-13T12:05:00,-96.28,30.56,-1\n"
    )
    book = load_orders(path, TZ)
    assert [o.order_id for o in book.orders] == ["ok"]
    problems = {p.row: p.problem for p in book.problems}
    assert len(book.orders) + len(book.problems) == 7
    assert "duplicate order_id 'ok'" in problems[3]
    assert "look swapped" in problems[4]
    assert "lon 'abc' is not a number" in problems[5]
    assert "neither ISO 8601 nor seconds" in problems[6]
    assert "order_id is empty" in problems[7]
    assert "weight_kg is negative" in problems[8]
    assert str(book.problems[0]).startswith(f"{path}: row 3: ")


def test_missing_column_named(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,placed_at,lon,lat\nx,0,1,2\n")
    with pytest.raises(InputError, match="missing column\\(s\\) weight_kg"):
        load_orders(path, TZ)


def test_seconds_need_a_start(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,placed_at,lon,lat,weight_kg\nx,60,-96.2,30.5,1\n")
    book = load_orders(path, TZ)
    assert book.orders == () and "needs a plan start" in book.problems[0].problem
    start = datetime(2026, 6, 13, 8, tzinfo=TZ)
    book = load_orders(path, TZ, start=start)
    assert book.orders[0].placed_at == datetime(2026, 6, 13, 8, 1, tzinfo=TZ)
