"""Errors dronedel raises for bad input, each naming what and where."""

from __future__ import annotations

__all__ = ["DronedelError", "InputError", "InputWarning"]


class DronedelError(Exception):
    """Base class of every error dronedel raises on purpose."""


class InputError(DronedelError, ValueError):
    """A file or argument is wrong; the message names the source, the place and the problem.

    ``source`` is a file name or argument name, ``where`` a line ("line 12"),
    a feature ("feature 3 'Stadium'") or row ("row 7"); either may be empty.
    """

    def __init__(self, message: str, source: str = "", where: str = "") -> None:
        self.source = str(source)
        self.where = where
        self.problem = message
        prefix = ": ".join(part for part in (self.source, where) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class InputWarning(UserWarning):
    """Input was accepted after a repair (for example an invalid polygon made valid)."""
