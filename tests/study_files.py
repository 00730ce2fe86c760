"""Small study files for the study tests, on the bundled example site."""

from pathlib import Path

EXAMPLE = Path(__file__).parents[1] / "dronedel" / "data" / "example"


def write_study(folder: Path, *, fleets=(2, 6), orders=(40,), draws=2, extra_sites: str = "", name="small",
                body: str | None = None) -> Path:
    """A study file in ``folder`` over the example site: ``fleets`` x ``orders`` x ``draws`` cells."""
    text = body if body is not None else f"""
[study]
name = "{name}"
date = 2026-06-13
seed = 7
target = 0.9

[[site]]
file = "{EXAMPLE / 'site.toml'}"
name = "cs"
{extra_sites}
[axes]
fleet = {list(fleets)}
orders_per_day = {list(orders)}
weather_draws = {draws}

[weather]
climate = "{EXAMPLE / 'climate.toml'}"
"""
    path = folder / "study.toml"
    path.write_text(text)
    return path
