"""Work computed ahead, in order, in a second process, while this one goes on.

The dispatcher decides orders one after another, and most of what it asks the flight table for
(the flights of the next doors from every pad) depends on the doors and the zones only, never
on the decisions. :class:`Lookahead` computes such items in a forked copy of the process, in
the order they will be asked for, and hands each result over when it is asked for: on two
cores the table's work then overlaps the decisions instead of adding to them. Results are
those the asking process would have computed itself (same code, same inputs), so planning
with or without it makes the same decisions.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any

__all__ = ["Lookahead", "available", "why_not"]

#: How often (s) a wait for a result checks that the process is still running.
_POLL_S = 1.0


def available() -> bool:
    """True where a look-ahead process can help and can be started safely (:func:`why_not`)."""
    return why_not() is None


def why_not() -> str | None:
    """Why no look-ahead process is started here, or None where one is: it needs more than one CPU for this
    process, the ``fork`` start method (the child inherits the caller's state instead of rebuilding it),
    a caller that may have children (a daemonic process, such as a Dask worker's, may not) and that runs
    no other thread (a fork copies only the calling thread, and any lock another one held stays held)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if cpus < 2:
        return "one CPU"
    if "fork" not in multiprocessing.get_all_start_methods():
        return "no fork start method on this platform"
    if multiprocessing.current_process().daemon:
        return "a daemonic process may not start one"
    if threading.active_count() > 1:
        return f"{threading.active_count() - 1} other threads are running"
    return None


class _Failed:
    """An exception raised in the look-ahead process, as its traceback's text (an exception need not pickle)."""

    def __init__(self, error: BaseException) -> None:
        self.trace = "".join(traceback.format_exception(error))


def _work(items: Sequence[Hashable], compute: Callable[[Hashable], Any], results: Any) -> None:
    """The look-ahead process: put ``(item, compute(item))`` for each of ``items`` in order. The queue's feeder
    thread sends them on, so computing goes on while the asking process has not yet taken them. Ctrl-C is
    the asking process's to handle (it stops this one)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for item in items:
        try:
            result = compute(item)
        except Exception as exc:  # handed to the asking process, which raises it there
            results.put((item, _Failed(exc)))
            return
        results.put((item, result))


class Lookahead:
    """``compute(item)`` for each of ``items`` (distinct, hashable), in order, in a forked process.

    :meth:`until` hands over the results up to a given item, waiting for them where the
    process has not got that far. ``compute`` runs in the child on the state the caller had
    when the look-ahead started; it should return what the caller needs to install the result
    (it is pickled through a pipe). Call :meth:`close` when done (the process is a daemon, so
    it never outlives the caller).
    """

    def __init__(self, items: Sequence[Hashable], compute: Callable[[Hashable], Any]) -> None:
        ctx = multiprocessing.get_context("fork")
        # the items not yet handed over, each the caller's own object, handed back in place of the process's
        # copy: a dictionary keyed by them then finds them by identity, without comparing equal copies field by field
        self._pending = {item: item for item in items}
        if len(self._pending) != len(items):
            raise ValueError("look-ahead items must be distinct")
        self._results = ctx.Queue()
        self._process = ctx.Process(target=_work, args=(list(items), compute, self._results), daemon=True,
                                    name="dronedel-lookahead")
        self._process.start()

    def __contains__(self, item: Hashable) -> bool:
        """True if ``item`` is planned and not yet handed over."""
        return item in self._pending

    def _next(self, item: Hashable) -> tuple[Hashable, Any]:
        """The next result, waiting for it; RuntimeError if the process ended without it."""
        while True:
            try:
                return self._results.get(timeout=_POLL_S)
            except queue.Empty:
                if not self._process.is_alive():
                    code = self._process.exitcode
                    self.close()
                    raise RuntimeError(f"the look-ahead process ended before computing {item!r} "
                                       f"(exit code {code})") from None

    def until(self, item: Hashable) -> Iterator[tuple[Hashable, Any]]:
        """The ``(item, result)`` pairs not yet handed over, in order, up to and including ``item`` (nothing if
        ``item`` is not pending), each item the object the look-ahead was given. An exception raised by
        ``compute`` in the process is raised here, as a RuntimeError naming the item, with the process's
        traceback."""
        while item in self._pending:
            done, result = self._next(item)
            done = self._pending.pop(done, done)
            if isinstance(result, _Failed):
                self.close()
                raise RuntimeError(f"the look-ahead process failed computing {done!r}:\n{result.trace}")
            yield done, result

    def close(self) -> None:
        """Stop the process (if still running) and forget what it had not handed over."""
        self._pending.clear()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._results.close()
