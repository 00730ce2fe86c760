"""A day's weather for dispatch: hourly wind and the hours the weather grounds the site.

Two sources:

- :class:`Climate` (a TOML climate file): per calendar month a Weibull distribution of the
  hourly mean wind speed at flight height (shape ``weibull_k``, scale ``weibull_c_ms``), a
  direction rose (probability per sector, clockwise from north), and the share of hours with
  rain and the mean length of a rain spell. A day is drawn hour by hour: the speed follows a
  Gaussian AR(1) process (``hourly_correlation``) mapped through the normal CDF onto the
  month's Weibull (a Gaussian copula, so each hour's speed has exactly the Weibull
  distribution), its scale modulated by a daily cycle (``diurnal_amplitude``, strongest at
  ``peak_hour``); the direction keeps its sector from one hour to the next with probability
  ``direction_persistence`` and is otherwise drawn afresh from the rose (uniform within the
  sector); rain is a two-state Markov chain with the month's rain share and spell length.
- :class:`Observations` (the user's hourly observations CSV): a whole observed day, drawn
  from the days of the same month when there are any.

:meth:`WeatherDay.no_fly` marks the hours the site is grounded: mean wind above the site's
limit, rain, or visibility below the minimum (4,828 m, the 3 statute miles of 14 CFR 107.51).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from ..config import Wind
from ..errors import InputError
from ..fileio import read_csv
from ..simulate import WindSchedule
from ..tomlfile import check_keys, read_toml, sub_table

__all__ = ["MIN_VISIBILITY_M", "WeatherDay", "MonthClimate", "Climate", "Observations", "read_climate",
           "read_observations", "read_weather"]

#: Minimum flight visibility of 14 CFR 107.51(c): 3 statute miles, in metres.
MIN_VISIBILITY_M = 4828.0


@dataclass(frozen=True)
class WeatherDay:
    """Hourly weather of one local day: ``speed_ms`` (mean wind at flight height, m/s), ``from_deg``
    (degrees true, where the wind blows from), ``rain`` (bool) and ``visibility_m`` (NaN: not
    observed), each 24 values for hours 00-23; ``source`` says where the day came from."""

    day: date
    speed_ms: NDArray
    from_deg: NDArray
    rain: NDArray
    visibility_m: NDArray
    source: str = ""

    def no_fly(self, max_wind_ms: float, min_visibility_m: float = MIN_VISIBILITY_M) -> NDArray:
        """True for each hour the weather grounds the site."""
        low = self.visibility_m < min_visibility_m  # NaN (not observed) compares False
        return (self.speed_ms > max_wind_ms) | self.rain | low

    def no_fly_intervals(self, max_wind_ms: float, min_visibility_m: float = MIN_VISIBILITY_M
                         ) -> tuple[tuple[float, float], ...]:
        """Grounded stretches as ``(start_s, end_s)`` after local midnight, consecutive hours merged."""
        grounded = np.concatenate([[False], self.no_fly(max_wind_ms, min_visibility_m), [False]])
        edges = np.flatnonzero(np.diff(grounded.astype(int)))
        return tuple((float(a) * 3600.0, float(b) * 3600.0) for a, b in zip(edges[::2], edges[1::2]))

    def schedule(self) -> WindSchedule:
        """The wind hour by hour from local midnight, for :class:`~dronedel.simulate.SimOptions`."""
        return WindSchedule(tuple(h * 3600.0 for h in range(24)),
                            tuple(Wind(float(s), float(d) % 360.0) for s, d in zip(self.speed_ms, self.from_deg)))


@dataclass(frozen=True)
class MonthClimate:
    """One month: Weibull ``weibull_k`` (shape) and ``weibull_c_ms`` (scale, m/s) of the hourly mean wind,
    the direction ``rose`` (relative frequency per sector, clockwise from north), the ``rain_share`` of
    hours and the mean ``rain_spell_h`` (hours)."""

    weibull_k: float
    weibull_c_ms: float
    rose: tuple[float, ...]
    rain_share: float = 0.0
    rain_spell_h: float = 3.0

    def __post_init__(self) -> None:
        if not (self.weibull_k > 0 and self.weibull_c_ms > 0):
            raise ValueError("weibull_k and weibull_c_ms must be positive")
        rose = np.asarray(self.rose, float)
        if rose.size < 1 or not np.all(np.isfinite(rose)) or (rose < 0).any() or not (rose > 0).any():
            raise ValueError("rose must list non-negative sector frequencies, not all zero")
        if not 0.0 <= self.rain_share < 1.0:
            raise ValueError("rain_share must be at least 0 and below 1")
        if not self.rain_spell_h >= 1.0:
            raise ValueError("rain_spell_h must be at least 1 hour")


@dataclass(frozen=True)
class Climate:
    """Monthly wind and rain statistics of a site (``months[m - 1]`` for month m) and how hours follow
    one another; see the module docstring for the model."""

    months: tuple[MonthClimate, ...]
    hourly_correlation: float = 0.85
    direction_persistence: float = 0.8
    diurnal_amplitude: float = 0.3
    peak_hour: float = 15.0
    source: str = ""

    def __post_init__(self) -> None:
        if len(self.months) != 12:
            raise ValueError(f"a climate needs 12 months, not {len(self.months)}")
        for name in ("hourly_correlation", "direction_persistence", "diurnal_amplitude"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")

    def draw_day(self, day: date, rng: np.random.Generator) -> WeatherDay:
        """The weather of ``day``, drawn from its month."""
        m = self.months[day.month - 1]
        phi = self.hourly_correlation
        z = np.empty(24)
        z[0] = rng.normal()
        for h in range(1, 24):
            z[h] = phi * z[h - 1] + np.sqrt(1 - phi * phi) * rng.normal()
        hours = np.arange(24) + 0.5
        scale = m.weibull_c_ms * (1 + self.diurnal_amplitude * np.cos(2 * np.pi * (hours - self.peak_hour) / 24))
        speed = scale * (-np.log1p(-np.clip(ndtr(z), 0.0, 1 - 1e-12))) ** (1 / m.weibull_k)

        rose = np.asarray(m.rose, float)
        p, width = rose / rose.sum(), 360.0 / len(rose)
        keep = rng.random(24) < self.direction_persistence
        fresh = rng.choice(len(rose), size=24, p=p)
        sector = fresh.copy()
        for h in range(1, 24):
            if keep[h]:
                sector[h] = sector[h - 1]
        direction = (sector * width + (rng.random(24) - 0.5) * width) % 360.0

        leave = 1.0 / m.rain_spell_h
        enter = m.rain_share * leave / (1 - m.rain_share)
        rain = np.empty(24, bool)
        u = rng.random(24)
        rain[0] = u[0] < m.rain_share
        for h in range(1, 24):
            rain[h] = u[h] < (1 - leave if rain[h - 1] else enter)
        return WeatherDay(day, speed, direction, rain, np.full(24, np.nan), f"{self.source} (drawn)")


@dataclass(frozen=True)
class Observations:
    """Observed days (each a :class:`WeatherDay`); ``source`` names the file."""

    days: tuple[WeatherDay, ...]
    source: str = ""

    def draw_day(self, day: date, rng: np.random.Generator) -> WeatherDay:
        """An observed day of ``day``'s month (any observed day if that month has none), relabelled ``day``."""
        same = [d for d in self.days if d.day.month == day.month] or list(self.days)
        pick = same[int(rng.integers(len(same)))]
        return WeatherDay(day, pick.speed_ms, pick.from_deg, pick.rain, pick.visibility_m,
                          f"{self.source}: observed {pick.day.isoformat()}")


_CLIMATE_KEYS = ("name", "hourly_correlation", "direction_persistence", "diurnal_amplitude", "peak_hour")
_MONTH_KEYS = ("weibull_k", "weibull_c_ms", "rose", "rain_share", "rain_spell_h")


def read_climate(path: str | Path) -> Climate:
    """Read a climate file: ``[climate]`` options and ``[month.1]`` to ``[month.12]`` (see docs/studies.md)."""
    source = str(path)
    data = read_toml(path)
    check_keys(data, ("climate", "month"), source, what="section")
    head = sub_table(data, "climate", source)
    check_keys(head, _CLIMATE_KEYS, source, "[climate]")
    months_table = sub_table(data, "month", source)
    missing = [str(m) for m in range(1, 13) if str(m) not in months_table]
    if missing:
        raise InputError(f"missing month table(s) {', '.join(f'[month.{m}]' for m in missing)}", source)
    check_keys(months_table, [str(m) for m in range(1, 13)], source, "[month]", what="month")
    months = []
    for m in range(1, 13):
        table = sub_table(months_table, str(m), source)
        check_keys(table, _MONTH_KEYS, source, f"[month.{m}]")
        try:
            months.append(MonthClimate(float(table["weibull_k"]), float(table["weibull_c_ms"]),
                                       tuple(float(v) for v in table["rose"]),
                                       float(table.get("rain_share", 0.0)), float(table.get("rain_spell_h", 3.0))))
        except KeyError as exc:
            raise InputError(f"missing {exc.args[0]}", source, f"[month.{m}]") from None
        except (TypeError, ValueError) as exc:
            raise InputError(str(exc), source, f"[month.{m}]") from None
    options = {k: float(v) for k, v in head.items() if k != "name"}
    try:
        return Climate(tuple(months), source=str(head.get("name", source)), **options)
    except (TypeError, ValueError) as exc:
        raise InputError(str(exc), source, "[climate]") from None


_OBS_COLUMNS = ("time", "wind_speed_ms", "wind_from_deg")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


def _flag(text: str | None, column: str) -> bool:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{column} {text!r} is not a yes/no flag (1/0, true/false)")


def read_observations(path: str | Path, tz: tzinfo) -> Observations:
    """Read hourly observations: ``time,wind_speed_ms,wind_from_deg`` and optional ``rain`` (1/0) and
    ``visibility_m`` columns; naive times are in ``tz``. Each local hour takes its last observation;
    a day is kept when at least 18 of its hours are observed, the others filled from the nearest
    observed hour."""
    source = str(path)
    hours: dict[date, dict[int, tuple[float, float, bool, float]]] = {}
    for number, raw in enumerate(read_csv(path, _OBS_COLUMNS, ("rain", "visibility_m")), start=2):
        try:
            when = datetime.fromisoformat((raw["time"] or "").strip())
            when = (when.replace(tzinfo=tz) if when.tzinfo is None else when).astimezone(tz)
            speed, direction = float(raw["wind_speed_ms"]), float(raw["wind_from_deg"])
            vis = float(raw["visibility_m"]) if (raw.get("visibility_m") or "").strip() else float("nan")
            if not (np.isfinite(speed) and speed >= 0 and np.isfinite(direction)):
                raise ValueError("wind_speed_ms must be a non-negative number and wind_from_deg finite")
            obs = (speed, direction % 360.0, _flag(raw.get("rain"), "rain"), vis)
        except (TypeError, ValueError) as exc:
            raise InputError(str(exc), source, f"row {number}") from None
        hours.setdefault(when.date(), {})[when.hour] = obs
    days = [_fill_day(d, h, source) for d, h in sorted(hours.items()) if len(h) >= 18]
    if not days:
        raise InputError("no day has observations in at least 18 of its 24 hours", source)
    return Observations(tuple(days), source)


def _fill_day(day: date, observed: dict[int, tuple[float, float, bool, float]], source: str) -> WeatherDay:
    have = np.array(sorted(observed))
    nearest = have[np.abs(np.arange(24)[:, None] - have[None, :]).argmin(axis=1)]
    rows = np.array([observed[int(h)] for h in nearest], float)
    return WeatherDay(day, rows[:, 0], rows[:, 1], rows[:, 2].astype(bool), rows[:, 3], source)


def read_weather(table: dict[str, Any], base: Path, tz: tzinfo, source: str) -> Climate | Observations:
    """The climate or observations a study's ``[weather]`` table names (paths relative to ``base``)."""
    if ("climate" in table) == ("observations" in table):
        raise InputError("give either climate = \"FILE.toml\" or observations = \"FILE.csv\"", source, "[weather]")
    if "climate" in table:
        return read_climate(base / str(table["climate"]))
    return read_observations(base / str(table["observations"]), tz)
