"""Arguments, input and output shared by subcommands."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path

from ..airspace.parsing import parse_when
from ..config import SiteConfig, Wind, load_site, parse_wind
from ..errors import InputError, InputWarning
from ..intent import SeparationAudit
from ..orders import OrderBook, load_orders

__all__ = [
    "add_batch_argument", "batch_from_args", "add_site_argument", "add_orders_argument", "add_wind_argument", "site_from_args", "wind_from_args",
    "time_from_args", "read_orders", "print_table", "progress_printer",
]

#: Invalid order rows listed one by one on stderr; beyond that only counted.
_MAX_LISTED = 20


def add_site_argument(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """``--site SITE.toml``, the site file."""
    parser.add_argument("--site", type=Path, required=required, metavar="SITE.toml", help="site file (TOML)")


def add_orders_argument(parser: argparse.ArgumentParser) -> None:
    """``--orders ORDERS.csv`` (required), the orders file."""
    parser.add_argument("--orders", type=Path, required=True, metavar="ORDERS.csv",
                        help="orders file: order_id,placed_at,lon,lat,weight_kg")


def add_wind_argument(parser: argparse.ArgumentParser | argparse._ActionsContainer, what: str, default: str) -> None:
    """``--wind SPEED@FROM`` (read by :func:`wind_from_args`); ``what`` names the wind, ``default`` its default."""
    parser.add_argument("--wind", metavar="SPEED@FROM",
                        help=f"{what} in m/s from degrees true, e.g. 8@270 (default: {default})")


def site_from_args(args: argparse.Namespace) -> SiteConfig:
    """The site file ``--site`` names."""
    return load_site(args.site)


def wind_from_args(args: argparse.Namespace, default: Wind | None) -> Wind | None:
    """The ``--wind`` given, else ``default``; :class:`InputError` naming ``--wind`` if it is not SPEED@FROM."""
    return parse_wind(args.wind) if args.wind else default


def time_from_args(args: argparse.Namespace, tz: tzinfo) -> datetime | None:
    """The ``--at`` time (ISO 8601, read in ``tz`` without an offset), or ``None`` when not given."""
    if not args.at:
        return None
    try:
        return parse_when(args.at, tz)
    except ValueError as exc:
        raise InputError(str(exc), "--at") from None


def read_orders(config: SiteConfig, path: Path) -> OrderBook:
    """Load the orders file for ``config``'s site; each invalid row becomes an InputWarning."""
    book = load_orders(path, config.site.tz, config.planning.start)
    for problem in book.problems[:_MAX_LISTED]:
        warnings.warn(f"{problem} (rejected as invalid_input)", InputWarning, stacklevel=2)
    if len(book.problems) > _MAX_LISTED:
        warnings.warn(f"{path}: {len(book.problems) - _MAX_LISTED} more invalid rows (see plan.csv)", InputWarning,
                      stacklevel=2)
    return book


def print_table(headers: list[str], rows: list[list[object]]) -> None:
    """Print rows as a plain aligned text table on stdout."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def progress_printer(label: str, min_total: int = 2000) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback drawing a one-line bar on stderr for long runs."""
    began = time.perf_counter()

    def show(done: int, total: int) -> None:
        if total < min_total or not sys.stderr.isatty():
            return
        width = 30
        filled = int(width * done / total)
        rate = done / max(time.perf_counter() - began, 1e-9)
        end = "\n" if done >= total else ""
        print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {rate:,.0f}/s", end=end,
              file=sys.stderr, flush=True)

    return show


_BATCH_HELP = ("seconds between the batch policy's decisions (default 60): an order placed in an interval is "
               "decided at its end, its promise still counted from when it was placed")


def add_batch_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--batch-s`` option of the batch policy."""
    parser.add_argument("--batch-s", type=float, default=60.0, metavar="S", help=_BATCH_HELP)


def batch_from_args(args: argparse.Namespace) -> float:
    """``--batch-s`` checked: a positive number of seconds (InputError otherwise)."""
    if not args.batch_s > 0:
        raise InputError("must be a positive number of seconds", "--batch-s")
    return float(args.batch_s)


def separation_line(audit: SeparationAudit) -> str:
    """One line on a plan's separation: the closest approach and the losses against the standard."""
    standard = f"{audit.horizontal_m:g} m horizontally or {audit.vertical_m:g} m vertically"
    if audit.closest_pair is None:
        return f"separation: no two drones airborne within {audit.vertical_m:g} m of altitude (standard {standard})"
    a, b = audit.closest_pair
    return (f"separation: closest approach {audit.closest_m:.1f} m ({a} and {b}); "
            f"{audit.losses} losses of separation (standard {standard}) among {audit.pairs} pairs airborne together")
