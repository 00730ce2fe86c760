"""Argument helpers shared by subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import SiteConfig, load_site

__all__ = ["add_site_argument", "site_from_args", "print_table"]


def add_site_argument(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--site", type=Path, required=required, metavar="SITE.toml", help="site file (TOML)")


def site_from_args(args: argparse.Namespace) -> SiteConfig:
    return load_site(args.site)


def print_table(headers: list[str], rows: list[list[object]]) -> None:
    """Print rows as a plain aligned text table on stdout."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
