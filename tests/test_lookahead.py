"""The look-ahead process: results handed over in order, its failures raised here, and planning with it
makes the decisions planning without it makes."""

import os

import pytest

from dronedel.airspace import site_airspace
from dronedel.config import load_site
from dronedel.data import example_path
from dronedel.dispatch import lookahead, plan_day, prepare_day
from dronedel.dispatch.lookahead import Lookahead
from dronedel.dispatch.table import FlightTable
from dronedel.orders import load_orders

EXAMPLE = load_site(example_path("site.toml"))


def square_and_pid(k: int) -> tuple[int, int]:
    return k * k, os.getpid()


def test_results_come_in_order_from_another_process():
    ahead = Lookahead([3, 1, 2], square_and_pid)
    try:
        assert 1 in ahead and 7 not in ahead
        got = list(ahead.until(1))  # what comes before 1 is handed over with it
        assert [item for item, _ in got] == [3, 1]
        assert [square for _, (square, _) in got] == [9, 1]
        assert {pid for _, (_, pid) in got} != {os.getpid()}
        assert 3 not in ahead and list(ahead.until(3)) == []
        assert [(item, square) for item, (square, _) in ahead.until(2)] == [(2, 4)]
        assert list(ahead.until(7)) == []  # never planned: nothing to wait for
    finally:
        ahead.close()


def fails_at_two(k: int) -> int:
    if k == 2:
        raise ValueError("two has no look-ahead")
    return k


def test_an_error_in_the_process_is_raised_here_naming_the_item():
    ahead = Lookahead([1, 2, 3], fails_at_two)
    with pytest.raises(RuntimeError, match=r"failed computing 2:(?s:.*)ValueError: two has no look-ahead"):
        list(ahead.until(3))
    assert 3 not in ahead


def test_a_process_that_dies_is_an_error_not_a_wait():
    ahead = Lookahead([1, 2], lambda k: os._exit(3))
    with pytest.raises(RuntimeError, match=r"ended before computing 2 \(exit code 3\)"):
        list(ahead.until(2))


def test_items_must_be_distinct():
    with pytest.raises(ValueError, match="distinct"):
        Lookahead([1, 1], square_and_pid)


def test_planning_with_the_look_ahead_makes_the_same_decisions(monkeypatch):
    """The example day, with the flight table computed 64 doors at a time (five blocks): the look-ahead
    process computes the flights, this process hardly any, and every decision is the same."""
    airspace = site_airspace(EXAMPLE)
    book = load_orders(example_path("orders.csv"), EXAMPLE.site.tz, EXAMPLE.planning.start)
    serial = plan_day(EXAMPLE, book, context=prepare_day(EXAMPLE, book, airspace, chunk=64))

    fills = []
    fill = FlightTable._fill
    ctx = prepare_day(EXAMPLE, book, airspace, chunk=64)
    dispatcher = ctx.dispatcher()
    dispatcher.look_ahead(EXAMPLE.planning.wind)
    monkeypatch.setattr(FlightTable, "_fill", lambda self, *args: fills.append(args[2]) or fill(self, *args))
    try:
        decisions = [d for now, index in dispatcher.rounds()
                     for d in dispatcher.decide_round(now, index, EXAMPLE.planning.wind)]
    finally:
        ctx.table.close()
    decisions.sort(key=lambda d: d.row)

    def key(d):
        f = d.flight
        return (d.order_id, d.reason, d.detail,
                None if f is None else (f.drone, f.takeoff_s, f.pad, f.layers, f.land_s, f.energy_wh))

    assert sum(d.flight is not None for d in decisions) > 50
    assert [key(d) for d in decisions] == [key(d) for d in serial.decisions if d.reason != "invalid_input"]
    assert sum(map(len, fills)) < 0.1 * len(book) * len(EXAMPLE.separation.pads)  # the rest came from it


def test_plan_day_without_a_second_cpu_plans_in_one_process(monkeypatch):
    monkeypatch.setattr("dronedel.dispatch.lookahead.available", lambda: False)
    started = []
    monkeypatch.setattr(FlightTable, "look_ahead", lambda self, asks: started.append(1))
    book = load_orders(example_path("orders.csv"), EXAMPLE.site.tz, EXAMPLE.planning.start)
    plan = plan_day(EXAMPLE, book, site_airspace(EXAMPLE), look_ahead=True,
                    context=prepare_day(EXAMPLE, book, site_airspace(EXAMPLE), chunk=64))
    assert plan.accepted and not started


def test_the_day_starts_a_look_ahead_only_where_it_helps():
    if lookahead.why_not():
        pytest.skip(f"no look-ahead process can start here: {lookahead.why_not()}")
    airspace = site_airspace(EXAMPLE)
    book = load_orders(example_path("orders.csv"), EXAMPLE.site.tz, EXAMPLE.planning.start)
    for chunk, started in ((64, True), (512, False)):  # 300 orders: five blocks of 64, or one of 512
        ctx = prepare_day(EXAMPLE, book, airspace, chunk=chunk)
        try:
            assert ctx.look_ahead(ctx.dispatcher(), EXAMPLE.planning.wind) is started
        finally:
            ctx.table.close()


def test_a_pair_of_layers_asked_later_stops_the_look_ahead_and_the_flights_stay_right():
    """The look-ahead's blocks hold the site's pairs of layers; a flight asked at another pair makes the table
    compute its layers' flights again, here, and they equal those of a table that never looked ahead."""
    airspace = site_airspace(EXAMPLE)
    book = load_orders(example_path("orders.csv"), EXAMPLE.site.tz, EXAMPLE.planning.start)
    wind, other = EXAMPLE.planning.wind, (50.0, 65.0)
    ahead = prepare_day(EXAMPLE, book, airspace, chunk=64)
    plain = prepare_day(EXAMPLE, book, airspace, chunk=64)
    ahead.dispatcher().look_ahead(wind)
    zones, pairs = ahead.activity.always, list(ahead.table.pairs)

    def same(asked):
        for i in (3, 130, 290):  # the first block, a middle one, the last
            for pad in range(len(EXAMPLE.separation.pads)):
                got = ahead.table.phases(zones, wind, i, pad, asked)
                want = plain.table.phases(zones, wind, i, pad, asked)
                assert [g.tolist() for g in got] == [w.tolist() for w in want], (i, pad, asked)

    try:
        same(pairs[:3])  # handed over by the look-ahead
        same([other])  # computed here, with the site's pairs again
        same(pairs[-3:])
        assert other in ahead.table.pairs
    finally:
        ahead.table.close()
