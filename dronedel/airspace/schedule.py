"""When a zone is active: validity bounds, weekly periods that may cross midnight, one-off windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone, tzinfo

__all__ = ["WeeklyPeriod", "Schedule", "DAY_NAMES", "OPEN_START", "OPEN_END"]

#: ISO weekday index (Monday = 0) of each day name used by ED-269.
DAY_NAMES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

#: Start and end of a window with no known start or end (OpenAir ``AA NONE/end``, ``AA start/NONE``).
OPEN_START = datetime.min.replace(tzinfo=timezone.utc)
OPEN_END = datetime.max.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class WeeklyPeriod:
    """Active from ``start`` to ``end`` local time on each of ``days`` (0 = Monday).

    ``end <= start`` means the period runs past midnight into the next day;
    ``start == end == 00:00`` means the whole day.
    """

    days: frozenset[int]
    start: time
    end: time

    def contains(self, local: datetime) -> bool:
        """True if the naive-or-local ``local`` time falls inside this period."""
        t = local.time().replace(tzinfo=None)
        today = local.weekday()
        if self.start == self.end == time(0):
            return today in self.days
        if self.start < self.end:
            return today in self.days and self.start <= t < self.end
        # crosses midnight: the evening part belongs to today, the morning part to yesterday
        yesterday = (today - 1) % 7
        return (today in self.days and t >= self.start) or (yesterday in self.days and t < self.end)

    def describe(self) -> str:
        """``SAT,SUN 17:00-23:00`` (``daily`` for all seven days), local clock times."""
        days = ",".join(DAY_NAMES[d] for d in sorted(self.days)) if len(self.days) < 7 else "daily"
        return f"{days} {self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Schedule:
    """Active periods of a zone. The default is permanently active.

    ``valid_from``/``valid_until`` (timezone-aware) bound the whole schedule. Within them
    the zone is active during any of its ``weekly`` periods (read in ``tz``, the zone's or
    site's time zone; ED-269 times are UTC) or one-off ``windows`` ``(start, end)`` (aware,
    end exclusive; :data:`OPEN_START`/:data:`OPEN_END` for an unknown start or end); with
    neither, it is active throughout the bounds. ``until_announced`` (OpenAir ``AA NONE``)
    means active at no time the schedule knows of: only an announcement (a NOTAM) activates it.
    """

    valid_from: datetime | None = None
    valid_until: datetime | None = None
    weekly: tuple[WeeklyPeriod, ...] = ()
    tz: tzinfo = field(default=timezone.utc)
    windows: tuple[tuple[datetime, datetime], ...] = ()
    until_announced: bool = False

    @property
    def permanent(self) -> bool:
        """True if always active: no validity bounds, weekly periods or windows, not waiting for an announcement."""
        return (self.valid_from is None and self.valid_until is None and not self.weekly and not self.windows
                and not self.until_announced)

    def is_active(self, at: datetime | None) -> bool:
        """True if active at ``at``; ``None`` means "at any time", which counts as active.

        A naive ``at`` is read in the schedule's time zone.
        """
        if at is None or self.permanent:
            return True
        if self.until_announced:
            return False
        if at.tzinfo is None:
            at = at.replace(tzinfo=self.tz)
        if self.valid_from is not None and at < self.valid_from:
            return False
        if self.valid_until is not None and at >= self.valid_until:
            return False
        if not self.weekly and not self.windows:
            return True
        if any(start <= at < end for start, end in self.windows):
            return True
        local = at.astimezone(self.tz)
        return any(period.contains(local) for period in self.weekly)

    def active_during(self, start: datetime, end: datetime) -> bool:
        """True if active at any instant of [start, end] (exact, by checking each period start)."""
        if self.is_active(start):
            return True
        if self.permanent:
            return True
        if start.tzinfo is None:
            start, end = start.replace(tzinfo=self.tz), end.replace(tzinfo=self.tz)
        candidates = [self.valid_from] if self.valid_from is not None else []
        candidates += [window_start for window_start, _ in self.windows]
        day = start.astimezone(self.tz).date() - timedelta(days=1)
        while day <= end.astimezone(self.tz).date():
            for period in self.weekly:
                if day.weekday() in period.days:
                    candidates.append(datetime.combine(day, period.start, tzinfo=self.tz))
            day += timedelta(days=1)
        return any(start < c <= end and self.is_active(c) for c in candidates)

    def describe(self) -> str:
        """Short text, e.g. ``SAT 17:00-23:00 or 2026-06-12 19:00 to 2026-06-13 01:00``, times in ``tz``."""
        if self.permanent:
            return "permanent"
        if self.until_announced:
            return "inactive until announced"

        def stamp(when: datetime | None) -> str:
            if when is None or when in (OPEN_START, OPEN_END):
                return "..."
            return when.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

        parts = [p.describe() for p in self.weekly]
        parts += [f"{stamp(lo)} to {stamp(hi)}" for lo, hi in self.windows]
        text = " or ".join(parts)
        if self.valid_from or self.valid_until:
            bounds = f"valid {stamp(self.valid_from)} to {stamp(self.valid_until)}"
            text = f"{text}, {bounds}" if text else bounds
        return text
