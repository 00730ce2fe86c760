"""Helpers the airspace readers share: JSON with positions, error context, ids, times."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, tzinfo
from typing import Any

from ..errors import InputError
from .schedule import DAY_NAMES

__all__ = ["load_json", "located", "slugify", "parse_days", "parse_clock", "parse_when", "feature_where"]


def load_json(text: str, source: str) -> Any:
    """Parse JSON text; a syntax error becomes an :class:`InputError` with its line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", source, f"line {exc.lineno} column {exc.colno}") from None


@contextmanager
def located(source: str, where: str) -> Iterator[None]:
    """Turn a ``ValueError`` raised inside the block into an :class:`InputError` at ``source``/``where``."""
    try:
        yield
    except InputError:
        raise
    except ValueError as exc:
        raise InputError(str(exc), source, where) from None


def feature_where(index: int, ident: object = None) -> str:
    """``features[3] 'kyle-field'``: the JSON path of a feature and its id when known."""
    return f"features[{index}]" + (f" {str(ident)!r}" if ident not in (None, "") else "")


#: Letters spelt out before accents are stripped (German convention: Zürich -> zuerich).
_SPELT_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa", "œ": "oe"})


def slugify(text: str) -> str:
    """Lower-case ASCII letters and digits joined by single hyphens: ``"KCLL Class D"`` -> ``kcll-class-d``,
    ``"Zürich Süd"`` -> ``zuerich-sued``, ``"Genève"`` -> ``geneve``."""
    ascii_text = unicodedata.normalize("NFKD", str(text).lower().translate(_SPELT_OUT))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def parse_days(value: Any) -> frozenset[int]:
    """Weekday indices (Monday = 0) from ``"SAT"``, ``["MON", "TUE"]``, ``"ANY"`` or ``"DAILY"``."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        raise ValueError(f"days {value!r} is not a day name or a non-empty list of them")
    days: set[int] = set()
    for name in names:
        key = str(name).strip().upper()[:3]
        if key in ("ANY", "DAI", "ALL"):
            days.update(range(7))
        elif key in DAY_NAMES and len(str(name).strip()) >= 3:
            days.add(DAY_NAMES.index(key))
        else:
            raise ValueError(f"unknown day {name!r} (expected {', '.join(DAY_NAMES)} or ANY)")
    return frozenset(days)


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*Z?$", re.IGNORECASE)


def parse_clock(text: Any) -> time:
    """A time of day from ``HH:MM`` or ``HH:MM:SS`` (a trailing ``Z`` is allowed); ``24:00`` is midnight."""
    match = _CLOCK.match(str(text).strip())
    if not match:
        raise ValueError(f"time {text!r} is not HH:MM")
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if (hour, minute, second) == (24, 0, 0):
        return time(0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"time {text!r} is not a valid time of day")
    return time(hour, minute, second)


def parse_when(text: Any, tz: tzinfo) -> datetime:
    """An aware date-time from ISO 8601 text; without an offset it is read in ``tz``."""
    try:
        when = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date-time") from None
    return when.replace(tzinfo=tz) if when.tzinfo is None else when
