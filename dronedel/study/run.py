"""Run a study on Dask: a LocalCluster of worker processes, or an existing cluster by address.

Cells that share a day of orders and weather go to a worker together (:func:`~.cells.run_day`)
and the longest days are sent first. Each finished cell is written at once to
``DIR/cells/KEY.json``, ``KEY`` a hash of all its inputs (:func:`~.cells.cell_key`): a run that
is interrupted resumes where it stopped, and a study with one more fleet size computes only
the new cells. Failed cells are not cached (a re-run tries them again).
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import DronedelError, InputError
from ..fileio import write_json
from .cells import DayOptions, SiteInputs, cell_key, day_options, describe, prepare_sites, run_day
from .spec import Cell, Study

__all__ = ["StudyRun", "run_study", "dask_client", "day_groups", "CellCache"]

#: Seconds to wait for a scheduler given by address.
CONNECT_TIMEOUT_S = 10.0


@dataclass
class StudyRun:
    """A study's outcome: one row per cell that worked (in :meth:`Study.cells` order), the failed cells
    (inputs and error), and how many cells came from the cache."""

    rows: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    cached: int = 0
    computed: int = 0
    wall_s: dict[str, float] = field(default_factory=dict)


class CellCache:
    """Finished cells as JSON files ``KEY.json`` in ``folder`` (written atomically)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def get(self, key: str) -> dict[str, Any] | None:
        path = self.folder / f"{key}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))["row"]
        except (OSError, ValueError, KeyError):
            return None

    def put(self, key: str, row: dict[str, Any]) -> None:
        write_json(self.folder / f"{key}.json", {"row": row})


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A ``dask.distributed.Client``: to the scheduler at ``scheduler`` (``tcp://HOST:PORT``), else to a new
    LocalCluster of ``workers`` single-threaded worker processes (default: the machine's cores)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise DronedelError("studies run on Dask: pip install 'dronedel[study]'") from None
    if scheduler:
        _probe(scheduler)
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"cannot reach a Dask scheduler there within {CONNECT_TIMEOUT_S:g} s ({exc})",
                             "--scheduler", scheduler) from None
        with client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def _probe(address: str) -> None:
    """Fail at once, naming ``address``, when nothing listens at a ``tcp://HOST:PORT`` scheduler address
    (the Dask client would retry until its timeout)."""
    parsed = urlsplit(address if "://" in address else f"tcp://{address}")
    if parsed.scheme != "tcp":
        return
    try:
        port = parsed.port
        with socket.create_connection((parsed.hostname or "", port or 8786), timeout=CONNECT_TIMEOUT_S):
            pass
    except ValueError:
        raise InputError("is not tcp://HOST:PORT", "--scheduler", address) from None
    except OSError as exc:
        raise InputError(f"cannot reach a Dask scheduler there ({exc.strerror or exc})", "--scheduler",
                         address) from None


def day_groups(cells: Sequence[Cell]) -> list[list[Cell]]:
    """Cells grouped by the day they share, the biggest days (orders x cells) first."""
    groups: dict[tuple, list[Cell]] = {}
    for c in cells:
        groups.setdefault(c.day_key, []).append(c)
    return sorted(groups.values(), key=lambda g: (-g[0].orders_per_day * len(g), g[0].day_key))


def run_study(study: Study, out: Path, *, scheduler: str | None = None, workers: int | None = None,
              fresh: bool = False, progress: Callable[[int, int], None] | None = None,
              client: Any = None) -> StudyRun:
    """Run every cell of ``study`` not yet in ``out/cells`` (all of them if ``fresh``).

    Inputs are read and checked before any worker starts. ``client`` (a connected Dask client)
    overrides ``scheduler``/``workers``; ``progress(done, total)`` counts cells.
    """
    if scheduler and client is None:
        _probe(scheduler)  # before the inputs are read: a wrong address is the quicker mistake to report
    sites = prepare_sites(study)
    options = day_options(study)
    cells = study.cells()
    keys = {c: cell_key(c, sites[c.site], options) for c in cells}
    cache = CellCache(Path(out) / "cells")
    rows: dict[Cell, dict[str, Any]] = {}
    if not fresh:
        for c in cells:
            row = cache.get(keys[c])
            if row is not None:
                rows[c] = row
    todo = [c for c in cells if c not in rows]
    run = StudyRun([], [], cached=len(rows))
    if progress is not None:
        progress(len(rows), len(cells))
    if todo:
        if client is not None:
            _compute(client, sites, options, todo, keys, cache, rows, run, progress, len(cells))
        else:
            with dask_client(scheduler, workers) as c:
                _compute(c, sites, options, todo, keys, cache, rows, run, progress, len(cells))
    run.rows = [rows[c] for c in cells if c in rows]
    return run


def _compute(client: Any, sites: dict[str, SiteInputs], options: DayOptions, todo: list[Cell],
             keys: dict[Cell, str], cache: CellCache, rows: dict[Cell, dict[str, Any]], run: StudyRun,
             progress: Callable[[int, int], None] | None, total: int) -> None:
    from dask.distributed import as_completed

    site_futures = {k: client.scatter(v, broadcast=True, hash=False) for k, v in sites.items()
                    if any(c.site == k for c in todo)}
    days = day_groups(todo)
    futures = {client.submit(run_day, site_futures[g[0].site], options, g, pure=False): g for g in days}
    for future in as_completed(futures):
        group = futures[future]
        try:
            results = future.result()
        except Exception as exc:  # a worker died or the task could not run: report its cells, go on
            results = [{"cell": c.as_dict(), "error": describe(exc)} for c in group]
        for cell, result in zip(group, results):
            if "row" in result:
                row = {**result["row"], "cell": keys[cell]}
                cache.put(keys[cell], row)
                rows[cell] = row
                run.computed += 1
                run.wall_s[keys[cell]] = result["wall_s"]
            else:
                run.errors.append({**result["cell"], "error": result["error"]})
        if progress is not None:
            progress(len(rows) + len(run.errors), total)
