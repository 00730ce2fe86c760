"""Data shipped with dronedel: the College Station example (``example/``).

``site.toml`` (site, fleet, aircraft, airspace, planning), ``orders.csv`` (a Saturday of
orders), ``operating_area.geojson`` and the same airspace zones in three formats:
``example.geojson``, ``example.ed269.json`` and ``example.openair.txt``; ``study.toml``, a small
network study of the site, and ``climate.toml``, the climate its weather draws come from.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["EXAMPLE_FILES", "example_path", "example_dir"]

#: The example's files, by name.
EXAMPLE_FILES = (
    "site.toml", "orders.csv", "operating_area.geojson",
    "example.geojson", "example.ed269.json", "example.openair.txt",
    "study.toml", "climate.toml",
)


def example_dir() -> Path:
    """The folder holding the installed example files."""
    return Path(str(files(__name__) / "example"))


def example_path(name: str) -> Path:
    """Path of one example file, e.g. ``example_path("site.toml")``; ValueError for an unknown name."""
    if name not in EXAMPLE_FILES:
        raise ValueError(f"no example file {name!r} (available: {', '.join(EXAMPLE_FILES)})")
    return example_dir() / name
