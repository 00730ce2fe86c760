"""TOML input files (site files, SITL scenarios): read, check their keys, fill dataclasses.

Every problem is an :class:`~dronedel.errors.InputError` naming the file and the
``[section]`` at fault. TOML allows ``inf`` and ``nan``; no dronedel input means either, so
a non-finite number anywhere in a file is an error naming its key.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, TypeVar

from .errors import InputError
from .fileio import read_text

__all__ = ["read_toml", "sub_table", "check_keys", "build_dataclass"]

T = TypeVar("T")


def read_toml(path: str | Path) -> dict[str, Any]:
    """The TOML document at ``path`` as a dict; :class:`InputError` naming the key of any ``inf`` or ``nan``."""
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", str(path)) from None
    _check_finite(data, str(path), [])
    return data


def _check_finite(value: Any, source: str, keys: list[str]) -> None:
    """:class:`InputError` at ``[section] key`` for the first non-finite float in ``value``."""
    if isinstance(value, float) and not math.isfinite(value):
        tables, key = keys[:-1], keys[-1] if keys else ""
        where = (f"[{'.'.join(tables)}] " if tables else "") + key
        raise InputError(f"{key.split('[')[0]} is {value!r}: numbers must be finite", source, where)
    if isinstance(value, dict):
        for name, item in value.items():
            _check_finite(item, source, [*keys, str(name)])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_finite(item, source, [*keys[:-1], f"{keys[-1] if keys else ''}[{index}]"])


def sub_table(data: Mapping[str, Any], key: str, source: str) -> dict[str, Any]:
    """``data[key]`` as a dict (empty when absent); :class:`InputError` unless it is a table."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise InputError(f"{key} must be a table", source, f"[{key}]")
    return value


def check_keys(table: Mapping[str, Any], known: Iterable[str], source: str, where: str = "",
               what: str = "key") -> None:
    """:class:`InputError` listing the keys of ``table`` that are not ``known``, and the known ones."""
    known = list(known)
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise InputError(f"unknown {what}(s) {', '.join(unknown)} (known: {', '.join(known)})", source, where)


def build_dataclass(cls: type[T], table: Mapping[str, Any], source: str, section: str, *, base: T | None = None) -> T:
    """A ``cls`` dataclass from the TOML ``table`` of ``[section]``, or ``base`` with those keys changed.

    Keys must be fields of ``cls``; a float field takes an integer too, an int field only an
    integer, a str field only a string. The dataclass's own checks (``ValueError``) become
    :class:`InputError`.
    """
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    check_keys(table, known, source, f"[{section}]")
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        expected = known[key].type
        if expected in ("float", float) and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)
        elif expected in ("int", int) and not (isinstance(value, int) and not isinstance(value, bool)):
            raise InputError(f"{key} must be an integer, not {value!r}", source, f"[{section}]")
        elif expected in ("float", float) or (expected in ("str", str) and not isinstance(value, str)):
            raise InputError(f"{key} must be a {expected}, not {value!r}", source, f"[{section}]")
        kwargs[key] = value
    try:
        return cls(**kwargs) if base is None else replace(base, **kwargs)  # type: ignore[type-var]
    except (TypeError, ValueError) as exc:
        raise InputError(str(exc), source, f"[{section}]") from None
