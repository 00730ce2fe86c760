"""Problems found while reading one airspace file, reported together at the end of the file.

A reader notes every record or feature it cannot read (:meth:`ProblemLog.add`, or
:meth:`ProblemLog.attempt` around the code that reads it) and goes on with the next one.
:meth:`ProblemLog.finish` then decides, for the whole file at once: a problem is an error
where it could matter to the site (its record lies within the site's planning range, or
cannot be placed at all because none of its coordinates could be read), and a warning
naming the skipped record elsewhere; with ``strict`` every problem is an error, and
without a planning range every problem could matter. All errors of the file are raised
together as one :class:`InputErrors`. Warnings are given once each per file.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from ..errors import InputError, InputWarning

__all__ = ["Problem", "InputErrors", "ProblemLog", "Attempt", "points_near"]


@dataclass(frozen=True)
class Problem:
    """What is wrong (``message``) at ``where`` (a line or feature); ``near`` is the (lon, lat)
    geometry of what could be read of the record, or None when it cannot be placed."""

    where: str
    message: str
    near: BaseGeometry | None = None


class InputErrors(InputError):
    """Every error found in one file; ``problems`` lists them in file order.

    With one problem the message reads like any :class:`InputError`
    (``file: line 6: what``); with several, one problem per line below a count.
    """

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            super().__init__(self.problems[0].message, source, self.problems[0].where)
        else:
            listed = "\n".join(f"  {p.where}: {p.message}" for p in self.problems)
            super().__init__(f"{len(self.problems)} problems:\n{listed}", source)


def points_near(coords: Iterable[Any]) -> BaseGeometry | None:
    """A MultiPoint of the plausible (lon, lat) pairs in ``coords`` (nested lists and dicts), or None."""
    pairs: list[tuple[float, float]] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            walk(list(item.values()))
        elif isinstance(item, (list, tuple)):
            if len(item) in (2, 3) and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in item):
                lon, lat = float(item[0]), float(item[1])
                if math.isfinite(lon) and math.isfinite(lat) and abs(lon) <= 180 and abs(lat) <= 90:
                    pairs.append((lon, lat))
            else:
                for sub in item:
                    walk(sub)

    walk(list(coords))
    return shapely.MultiPoint(pairs) if pairs else None


def _file_order(problem: Problem) -> float:
    """The first number in a problem's place (``line 12``, ``features[3]``), for sorting in file order."""
    number = re.search(r"\d+", problem.where)
    return int(number.group()) if number else math.inf


class Attempt:
    """The outcome of :meth:`ProblemLog.attempt`: ``ok`` is False when the block raised."""

    ok = True


class ProblemLog:
    """Problems and warnings of one file ``source``, judged against ``planning_range`` ((lon, lat))."""

    def __init__(self, source: str, planning_range: BaseGeometry | None = None, strict: bool = False) -> None:
        self.source = source
        self.planning_range = planning_range
        self.strict = strict
        self.problems: list[Problem] = []
        self._warned: set[str] = set()
        if planning_range is not None:
            shapely.prepare(planning_range)

    def add(self, where: str, message: str, near: Any = None) -> None:
        """Note that the record at ``where`` cannot be read, because of ``message``; ``near`` is its
        (lon, lat) geometry, or a callable giving it once the whole file is read (a record's later
        lines may still place it)."""
        self.problems.append(Problem(where, message, near))

    @contextmanager
    def attempt(self, where: str, near: Any = None) -> Iterator[Attempt]:
        """Run the block; a ``ValueError`` (an :class:`InputError` too) it raises becomes a problem.

        ``near`` is a geometry or a callable giving one, evaluated when the file is finished.
        The yielded :class:`Attempt` says whether the block completed.
        """
        outcome = Attempt()
        try:
            yield outcome
        except ValueError as exc:
            outcome.ok = False
            if isinstance(exc, InputError):
                message, place = exc.problem, exc.where or where
            else:
                message, place = str(exc), where
            self.add(place, message, near)

    def warn(self, message: str, where: str = "") -> None:
        """An :class:`InputWarning` naming this file (and ``where``); the same text only once."""
        text = ": ".join(p for p in (self.source, where, message) if p)
        if text not in self._warned:
            self._warned.add(text)
            warnings.warn(InputWarning(text), stacklevel=3)

    def matters(self, problem: Problem) -> bool:
        """True if ``problem`` is an error: strict, no planning range, unplaceable, or within the range."""
        if self.strict or self.planning_range is None or problem.near is None:
            return True
        return bool(self.planning_range.intersects(problem.near))

    def finish(self) -> None:
        """Raise :class:`InputErrors` with every problem that matters, in file order; warn about each
        record skipped."""
        self.problems = sorted(
            (Problem(p.where, p.message, p.near() if callable(p.near) else p.near) for p in self.problems),
            key=_file_order)
        errors = [p for p in self.problems if self.matters(p)]
        if errors:
            raise InputErrors(self.source, errors)
        for problem in self.problems:
            self.warn(f"{problem.message}; skipped (it lies outside the site's planning range)", problem.where)
