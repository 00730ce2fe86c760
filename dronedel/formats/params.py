"""Parameter files: one ``NAME VALUE`` a line (MAVProxy's layout; Mission Planner's ``NAME,VALUE`` is read too)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import InputError
from ..fileio import read_text, write_text
from .numbers import format_number, parse_number

__all__ = ["format_params", "write_params", "parse_params", "read_params"]

_NAME_LENGTH = 16


def format_params(params: Mapping[str, float]) -> str:
    """Text of a parameter file, names sorted."""
    return "".join(f"{name} {format_number(value)}\n" for name, value in sorted(params.items()))


def write_params(path: str | Path, params: Mapping[str, float]) -> Path:
    """Write a parameter file (see :func:`format_params`) atomically; return the path."""
    return write_text(path, format_params(params))


def parse_params(text: str, source: str = "") -> dict[str, float]:
    """``{name: value}`` from parameter-file text; ``#`` starts a comment; :class:`InputError` names the line."""
    params: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#")[0].replace(",", " ").strip()
        if not line:
            continue
        fields = line.split()
        where = f"line {number}"
        if len(fields) != 2:
            raise InputError(f"expected NAME VALUE, found {len(fields)} fields", source, where)
        name, value = fields
        if len(name) > _NAME_LENGTH or not name.replace("_", "").isalnum():
            raise InputError(f"{name!r} is not a parameter name", source, where)
        try:
            params[name] = parse_number(value)
        except ValueError:
            raise InputError(f"value {value!r} of {name} is not a finite number", source, where) from None
    return params


def read_params(path: str | Path) -> dict[str, float]:
    """``{name: value}`` of a parameter file (see :func:`parse_params`)."""
    return parse_params(read_text(path), str(path))
