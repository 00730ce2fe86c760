"""Reading input files, and writing files atomically (a temporary file in the same folder, then rename).

Reading raises :class:`~dronedel.errors.InputError` naming the file when it is missing, a
folder, unreadable or not text, so no ``OSError`` or ``UnicodeDecodeError`` reaches a user.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import InputError

_UMASK = os.umask(0)
os.umask(_UMASK)

__all__ = ["read_bytes", "read_text", "read_csv", "atomic_path", "write_text", "write_json", "save_figure", "write_with"]


def read_bytes(path: str | Path) -> bytes:
    """The contents of the file at ``path``; :class:`InputError` naming it if it cannot be read."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", str(path)) from None


def read_text(path: str | Path, encoding: str = "utf-8", *, fallback: str | None = None) -> str:
    """The text of the file at ``path``, decoded with ``encoding`` (or else ``fallback``).

    Newlines are left as they are in the file (``\\r\\n`` stays). :class:`InputError` naming
    the file if it cannot be read, or is not text in ``encoding`` and there is no ``fallback``.
    """
    data = read_bytes(path)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        if fallback is None:
            raise InputError(f"not a text file: not valid {encoding}", str(path)) from None
        return data.decode(fallback)


def read_csv(path: str | Path, required: Sequence[str], optional: Sequence[str] = ()) -> list[dict[str, str]]:
    """The rows of a CSV file with a header, as dicts keyed by the stripped column names (a UTF-8 BOM
    is skipped). :class:`InputError` naming the file and row 1 if a ``required`` column is missing."""
    reader = csv.DictReader(io.StringIO(read_text(path, "utf-8-sig"), newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        extra = "".join(f"[,{c}]" for c in optional)
        raise InputError(f"missing column(s) {', '.join(missing)}; expected {','.join(required)}{extra}",
                         str(path), "row 1")
    reader.fieldnames = header
    return list(reader)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the mode open() would
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` newlines) to ``path`` atomically; return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


def write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented JSON atomically."""
    return write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def save_figure(fig: Any, path: str | Path, dpi: int = 150) -> Path:
    """Save a matplotlib figure atomically (format from the suffix) and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=path.suffix.lstrip(".") or "png")
    plt.close(fig)
    return path


def write_with(path: str | Path, writer: Callable[[IO[str]], None]) -> Path:
    """Open a temporary file for text, let ``writer`` fill it, then rename it to ``path``."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        writer(handle)
    return Path(path)
