"""The service clock: plan seconds since the service day's start, running ``speedup`` times real time.

Times inside the service are seconds after ``start`` (local midnight of the day the service
first ran, an aware datetime), as in a plan. The clock is anchored at one instant
(``anchor_wall`` Unix seconds, ``anchor_s`` service seconds) so it keeps running while the
service is down: after a restart the same anchor gives the same time, and flights due while
it was down are found late, not forgotten.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

__all__ = ["ServiceClock", "day_start"]


def day_start(at: datetime, tz: tzinfo) -> datetime:
    """Local midnight (in ``tz``) of the day of ``at``."""
    local = at.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class ServiceClock:
    """Service time ``anchor_s + (wall - anchor_wall) * speedup`` seconds after ``start``."""

    start: datetime
    anchor_wall: float
    anchor_s: float
    speedup: float = 1.0

    def __post_init__(self) -> None:
        if not self.speedup > 0:
            raise ValueError(f"speedup must be positive, not {self.speedup!r}")

    @classmethod
    def begin(cls, at: datetime, tz: tzinfo, speedup: float = 1.0) -> ServiceClock:
        """A clock showing ``at`` now, counting from local midnight of that day."""
        start = day_start(at, tz)
        return cls(start, time.time(), (at - start).total_seconds(), speedup)

    def now_s(self) -> float:
        """Service seconds after ``start`` now."""
        return self.anchor_s + (time.time() - self.anchor_wall) * self.speedup

    def at(self, seconds: float) -> datetime:
        """The instant ``seconds`` after ``start`` (in ``start``'s time zone)."""
        return self.start + timedelta(seconds=float(seconds))

    def seconds(self, when: datetime) -> float:
        """Service seconds of the aware datetime ``when``."""
        return (when - self.start).total_seconds()

    def wall_delay(self, service_s: float) -> float:
        """Real seconds until service time ``service_s`` (negative if past)."""
        return (service_s - self.now_s()) / self.speedup

    def respeed(self, speedup: float) -> ServiceClock:
        """The same clock from now on running at ``speedup``."""
        return ServiceClock(self.start, time.time(), self.now_s(), speedup)
