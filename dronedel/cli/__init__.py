"""The ``dronedel`` command: one module per subcommand, each with ``register(subparsers)``.

A subcommand module defines ``register(subparsers)`` that adds its parser and sets
``func`` to a callable taking the parsed arguments and returning an exit code. Errors
dronedel raises on purpose (:class:`~dronedel.errors.DronedelError`) are printed as one
line on stderr with exit code 2; no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence

from .. import __version__
from ..errors import DronedelError

__all__ = ["main", "build_parser"]

#: Subcommand modules of this package, in the order ``--help`` lists them.
COMMAND_MODULES = ("demo", "airspace", "zone", "plan", "simulate", "mission", "upload", "download", "sitl", "demand", "study", "serve", "replay")


def build_parser(commands: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The ``dronedel`` parser with the subcommands ``commands`` (default every one of :data:`COMMAND_MODULES`);
    only their modules are imported."""
    parser = argparse.ArgumentParser(
        prog="dronedel",
        description="Plan 30-minute drone deliveries around airspace, export MAVLink missions, "
        "and fly them in ArduPilot SITL.",
    )
    parser.add_argument("--version", action="version", version=f"dronedel {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for name in commands:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dronedel`` with ``argv`` (default: the command line); return the exit code.

    Only the module of the subcommand named is imported (a service restart does not wait for the study's
    Dask or the plots' matplotlib); without one, every subcommand is, so that ``--help`` lists them all.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser((command,) if command in COMMAND_MODULES else COMMAND_MODULES)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    warnings.showwarning = _show_warning
    try:
        return int(args.func(args) or 0)
    except DronedelError as exc:
        print(f"dronedel {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"dronedel {args.command}: interrupted", file=sys.stderr)
        return 130
