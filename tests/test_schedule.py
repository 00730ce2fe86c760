from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from dronedel.airspace.schedule import Schedule, WeeklyPeriod

TZ = ZoneInfo("America/Chicago")
SAT = 5


def test_permanent_by_default():
    assert Schedule().permanent
    assert Schedule().is_active(datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert Schedule().is_active(None)


def test_evening_game_on_saturdays_in_local_time():
    game = Schedule(weekly=(WeeklyPeriod(frozenset({SAT}), time(17), time(23)),), tz=TZ)
    assert game.is_active(datetime(2026, 6, 13, 18, tzinfo=TZ))  # Saturday
    assert not game.is_active(datetime(2026, 6, 13, 16, 59, tzinfo=TZ))
    assert not game.is_active(datetime(2026, 6, 13, 23, 0, tzinfo=TZ))
    assert not game.is_active(datetime(2026, 6, 12, 18, tzinfo=TZ))  # Friday
    # 23:30 UTC on Saturday is 18:30 in Chicago (CDT)
    assert game.is_active(datetime(2026, 6, 13, 23, 30, tzinfo=timezone.utc))


def test_period_crossing_midnight_belongs_to_the_day_it_starts():
    friday_night = Schedule(weekly=(WeeklyPeriod(frozenset({4}), time(19), time(1)),), tz=TZ)
    assert friday_night.is_active(datetime(2026, 6, 12, 23, 30, tzinfo=TZ))  # Fri
    assert friday_night.is_active(datetime(2026, 6, 13, 0, 30, tzinfo=TZ))  # Sat early
    assert not friday_night.is_active(datetime(2026, 6, 13, 1, 0, tzinfo=TZ))
    assert not friday_night.is_active(datetime(2026, 6, 14, 0, 30, tzinfo=TZ))  # Sun early


def test_validity_window():
    once = Schedule(
        valid_from=datetime(2026, 6, 13, 10, tzinfo=TZ), valid_until=datetime(2026, 6, 13, 12, tzinfo=TZ), tz=TZ
    )
    assert not once.permanent
    assert once.is_active(datetime(2026, 6, 13, 11, tzinfo=TZ))
    assert not once.is_active(datetime(2026, 6, 13, 12, tzinfo=TZ))
    assert once.active_during(datetime(2026, 6, 13, 9, 50, tzinfo=TZ), datetime(2026, 6, 13, 10, 5, tzinfo=TZ))
    assert not once.active_during(datetime(2026, 6, 13, 9, 0, tzinfo=TZ), datetime(2026, 6, 13, 9, 59, tzinfo=TZ))


@settings(max_examples=200, deadline=None)
@given(
    start_min=st.integers(0, 7 * 24 * 60),
    length_min=st.integers(0, 120),
    days=st.frozensets(st.integers(0, 6), min_size=1),
    a=st.integers(0, 47),
    b=st.integers(0, 47),
)
def test_active_during_matches_minute_sampling(start_min, length_min, days, a, b):
    sched = Schedule(weekly=(WeeklyPeriod(days, time(a // 2, 30 * (a % 2)), time(b // 2, 30 * (b % 2))),), tz=TZ)
    start = datetime(2026, 6, 8, tzinfo=TZ) + timedelta(minutes=start_min)
    end = start + timedelta(minutes=length_min)
    sampled = any(sched.is_active(start + timedelta(minutes=m)) for m in range(length_min + 1))
    assert sched.active_during(start, end) == sampled
