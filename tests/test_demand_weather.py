"""Weather for studies: the climate's distributions, observations by day, no-fly hours, and the simulator grounding."""

from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from dronedel.airspace import site_airspace
from dronedel.config import load_site
from dronedel.demand import (
    Climate, DemandArea, DemandModel, MonthClimate, WeatherDay, order_day, read_climate, read_observations,
)
from dronedel.dispatch import prepare_day
from dronedel.errors import InputError
from dronedel.simulate import SimOptions, simulate_day

EXAMPLE = Path(__file__).parents[1] / "dronedel" / "data" / "example"
CONFIG = load_site(EXAMPLE / "site.toml")
TZ = CONFIG.site.tz
JUNE = date(2026, 6, 13)


def _climate(**options):
    month = MonthClimate(2.2, 6.0, (1, 0, 0, 3, 4, 0, 0, 0), rain_share=0.1, rain_spell_h=4.0)
    return Climate((month,) * 12, **options)


def test_hourly_speed_has_the_months_weibull():
    climate = _climate(diurnal_amplitude=0.3, peak_hour=15.0)
    rng = np.random.default_rng(1)
    days = [climate.draw_day(JUNE, rng) for _ in range(3000)]
    for hour in (3, 14):  # each hour's speed is Weibull with the scale of its place in the daily cycle
        scale = 6.0 * (1 + 0.3 * np.cos(2 * np.pi * (hour + 0.5 - 15.0) / 24))
        speeds = np.array([d.speed_ms[hour] for d in days])
        assert stats.kstest(speeds, stats.weibull_min(2.2, scale=scale).cdf).pvalue > 1e-3
    # successive hours are correlated (AR(1) in the Gaussian copula), hours far apart much less
    s = np.array([d.speed_ms for d in days])
    assert np.corrcoef(s[:, 10], s[:, 11])[0, 1] > 0.7 > 0.3 > np.corrcoef(s[:, 0], s[:, 20])[0, 1]


def test_directions_follow_the_rose_and_rain_its_share():
    climate = _climate()
    rng = np.random.default_rng(2)
    days = [climate.draw_day(JUNE, rng) for _ in range(2000)]
    sector = np.concatenate([((d.from_deg + 22.5) // 45).astype(int) % 8 for d in days])
    counts = Counter(sector.tolist())
    assert set(counts) == {0, 3, 4}
    share = np.array([counts[0], counts[3], counts[4]]) / sector.size
    assert share == pytest.approx([1 / 8, 3 / 8, 4 / 8], abs=0.02)
    rain = np.array([d.rain for d in days])
    assert rain.mean() == pytest.approx(0.1, abs=0.01)
    # spells: once raining, it goes on with probability 1 - 1/4
    wet = rain[:, :-1]
    assert rain[:, 1:][wet].mean() == pytest.approx(0.75, abs=0.03)


def test_example_climate_reads_and_differs_by_month():
    climate = read_climate(EXAMPLE / "climate.toml")
    rng = np.random.default_rng(3)
    jan = np.mean([climate.draw_day(date(2026, 1, 10), rng).speed_ms.mean() for _ in range(400)])
    aug = np.mean([climate.draw_day(date(2026, 8, 10), rng).speed_ms.mean() for _ in range(400)])
    assert jan > aug * 1.15


def test_no_fly_hours_and_intervals():
    speed = np.full(24, 5.0)
    speed[[3, 4, 5, 23]] = 13.0
    rain = np.zeros(24, bool)
    rain[10] = True
    vis = np.full(24, np.nan)
    vis[12] = 3000.0
    vis[13] = 9000.0
    day = WeatherDay(JUNE, speed, np.zeros(24), rain, vis)
    assert np.flatnonzero(day.no_fly(12.0)).tolist() == [3, 4, 5, 10, 12, 23]
    assert day.no_fly_intervals(12.0) == ((3 * 3600.0, 6 * 3600.0), (10 * 3600.0, 11 * 3600.0),
                                          (12 * 3600.0, 13 * 3600.0), (23 * 3600.0, 24 * 3600.0))
    assert not day.no_fly(20.0, min_visibility_m=1000.0)[[3, 12]].any()
    wind = day.schedule()
    assert wind.at(3.5 * 3600).speed_ms == 13.0 and wind.at(2 * 3600).speed_ms == 5.0


def test_observations_by_day(tmp_path):
    rows = ["time,wind_speed_ms,wind_from_deg,rain,visibility_m"]
    for day, hours in ((9, range(24)), (10, range(0, 24, 2)), (11, range(20))):
        for h in hours:
            rows.append(f"2025-06-{day:02d}T{h:02d}:10:00,{day + h / 10:.1f},{10 * h},{int(h == 7)},"
                        f"{'2000' if h == 8 else ''}")
    rows.append("2025-07-01T00:00:00-05:00,3,90,no,")
    path = tmp_path / "obs.csv"
    path.write_text("\n".join(rows) + "\n")
    obs = read_observations(path, TZ)
    # June 10 has 12 observed hours (dropped); June 11 has 20 (kept, 20-23 filled from 19); July 1 one hour
    assert [d.day for d in obs.days] == [date(2025, 6, 9), date(2025, 6, 11)]
    june11 = obs.days[1]
    assert june11.speed_ms[23] == pytest.approx(11 + 1.9) and june11.rain[7] and june11.visibility_m[8] == 2000
    assert np.flatnonzero(june11.no_fly(15.0)).tolist() == [7, 8]
    picked = {obs.draw_day(JUNE, np.random.default_rng(s)).source for s in range(20)}
    assert picked == {f"{path}: observed 2025-06-09", f"{path}: observed 2025-06-11"}
    assert obs.draw_day(date(2026, 1, 5), np.random.default_rng(0)).day == date(2026, 1, 5)


@pytest.mark.parametrize(("text", "message"), [
    ("time,wind_speed_ms\n", r"row 1: missing column\(s\) wind_from_deg"),
    ("time,wind_speed_ms,wind_from_deg\n2025-06-09T00:00,-3,0\n", r"row 2: wind_speed_ms must be a non-negative"),
    ("time,wind_speed_ms,wind_from_deg\nyesterday,3,0\n", r"row 2: Invalid isoformat"),
    ("time,wind_speed_ms,wind_from_deg,rain\n2025-06-09T00:00,3,0,maybe\n", r"row 2: rain 'maybe' is not a yes/no"),
    ("time,wind_speed_ms,wind_from_deg\n2025-06-09T00:00,3,0\n", r"no day has observations in at least 18"),
])
def test_observation_errors(tmp_path, text, message):
    path = tmp_path / "obs.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_observations(path, TZ)


def test_climate_errors(tmp_path):
    text = (EXAMPLE / "climate.toml").read_text()
    cases = {
        "missing month": (text.split("[month.12]")[0], r"missing month table\(s\) \[month.12\]"),
        "unknown key": (text.replace("[month.3]\n", "[month.3]\nweibul_k = 2\n"),
                        r"\[month.3\]: unknown key\(s\) weibul_k"),
        "bad rose": (text.replace("rose = [0.1, 0.06, 0.08, 0.22, 0.3, 0.1, 0.06, 0.08]", "rose = [0, 0, 0]", 1),
                     r"\[month.3\]: rose must list non-negative sector frequencies, not all zero"),
        "unknown option": (text.replace("[climate]\n", "[climate]\nturbulence = 1\n"), r"\[climate\]: unknown key"),
    }
    for name, (body, message) in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.toml"
        path.write_text(body)
        with pytest.raises(InputError, match=message):
            read_climate(path)


@pytest.fixture(scope="module")
def day_context():
    area = DemandArea.reachable(CONFIG, site_airspace(CONFIG))
    book = order_day(DemandModel(80), area, JUNE, TZ, 5)
    return prepare_day(CONFIG, book, site_airspace(CONFIG))


def test_simulator_grounds_the_site_in_no_fly_hours(day_context):
    ctx = day_context
    free = simulate_day(ctx, SimOptions(8, seed=1))
    assert "weather" not in free.metrics()["rejected_by_reason"]
    # ground the site from just after a lunchtime order: it is accepted, then its take-off falls in the window
    first = next(f for f in free.flights if f.placed_s > 11.5 * 3600)
    window = (first.placed_s + 1.0, first.placed_s + 1.0 + 2 * 3600.0)
    grounded = simulate_day(ctx, SimOptions(8, seed=1, no_fly=(window,)))
    for d in grounded.decisions:
        inside = window[0] <= d.decided_s < window[1]
        assert (d.reason == "weather") == inside
        if inside:
            assert "grounded by the weather" in d.detail
    assert not any(window[0] <= f.takeoff_s < window[1] for f in grounded.flights)
    weather = [i for i, r in grounded.cancelled if r == "weather"]
    assert first.order in weather
    assert all(ctx.placed_s[i] < window[0] for i in weather)
    assert grounded.metrics()["delivered"] < free.metrics()["delivered"]
    whole_day = simulate_day(ctx, SimOptions(8, seed=1, no_fly=((0.0, 86400.0),)))
    assert {d.reason for d in whole_day.decisions} == {"weather"} and not whole_day.flights


def test_weather_schedule_is_hourly_from_local_midnight():
    day = _climate().draw_day(JUNE, np.random.default_rng(0))
    wind = day.schedule()
    assert wind.times_s == tuple(3600.0 * h for h in range(24))
    assert [w.speed_ms for w in wind.winds] == pytest.approx(day.speed_ms.tolist())
