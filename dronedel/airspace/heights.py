"""Heights and distances as airspace files write them, converted to SI.

Feet, nautical miles and flight levels exist only here. Parsers raise ``ValueError`` with
a message saying what is wrong; readers add the file and line or feature.

Text grammar (case-insensitive): ``GND``/``SFC`` (the ground), ``UNL``/``UNLIM``/``UNLIMITED``,
``FL95`` (flight level: hundreds of feet of pressure altitude, read as AMSL in the standard
atmosphere), or a number with a unit and a reference in either order: ``400ft AGL``,
``1500 ft AMSL``, ``300 m AGL``, ``2800 MSL``, ``500ft GND`` (GND/SFC after a number mean AGL;
STD, a pressure altitude, is read as AMSL like a flight level).
"""

from __future__ import annotations

import math
import re

from .model import GROUND, UNLIMITED, Height, VerticalReference

__all__ = [
    "FOOT_M", "NAUTICAL_MILE_M", "UNIT_METRES", "parse_unit", "parse_reference", "height_from_parts",
    "parse_height", "check_limits", "format_height",
]

#: Metres per international foot and per nautical mile.
FOOT_M = 0.3048
NAUTICAL_MILE_M = 1852.0

#: Length units accepted in airspace files, in metres.
UNIT_METRES = {
    "m": 1.0, "meter": 1.0, "meters": 1.0, "metre": 1.0, "metres": 1.0,
    "ft": FOOT_M, "f": FOOT_M, "feet": FOOT_M, "foot": FOOT_M,
}

_REFERENCES = {
    "AGL": VerticalReference.AGL, "GND": VerticalReference.AGL, "SFC": VerticalReference.AGL,
    "ASFC": VerticalReference.AGL,
    "AMSL": VerticalReference.AMSL, "MSL": VerticalReference.AMSL, "ALT": VerticalReference.AMSL,
    "STD": VerticalReference.AMSL,
}

_GROUND_WORDS = {"GND", "SFC", "SURFACE", "GROUND"}
_UNLIMITED_WORDS = {"UNL", "UNLIM", "UNLTD", "UNLIMITED"}
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(.*)$")
_FLIGHT_LEVEL = re.compile(r"^FL\s*(\d+(?:\.\d*)?)$", re.IGNORECASE)


def parse_unit(text: str) -> float:
    """Metres per ``text`` (``m``, ``ft`` and spellings); ValueError for an unknown unit."""
    key = str(text).strip().lower()
    if key not in UNIT_METRES:
        raise ValueError(f"unknown unit {text!r} (expected m or ft)")
    return UNIT_METRES[key]


def parse_reference(text: str) -> VerticalReference:
    """The vertical reference ``text`` names (AGL, AMSL, MSL, GND, SFC); ValueError if unknown."""
    key = str(text).strip().upper()
    if key not in _REFERENCES:
        raise ValueError(f"unknown height reference {text!r} (expected AGL or AMSL; MSL, GND, SFC also read)")
    return _REFERENCES[key]


def height_from_parts(value: object, unit: str, reference: str) -> Height:
    """A height from a number, its unit and its reference, as JSON formats give them."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"height value {value!r} is not a finite number")
    return Height(float(value) * parse_unit(unit), parse_reference(reference))


def parse_height(
    text: str,
    *,
    default_unit: str | None = None,
    default_reference: VerticalReference | None = None,
) -> Height:
    """Parse a height written as text (grammar in the module docstring).

    ``default_unit``/``default_reference`` apply when the text omits them (OpenAir: feet,
    AMSL); without a default a missing unit or reference is an error.
    """
    raw = str(text)
    words = raw.strip().upper()
    if words in _GROUND_WORDS:
        return GROUND
    if words in _UNLIMITED_WORDS:
        return UNLIMITED
    level = _FLIGHT_LEVEL.match(words)
    if level:
        return Height(float(level.group(1)) * 100.0 * FOOT_M, VerticalReference.AMSL)
    number = _NUMBER.match(raw)
    if not number:
        raise ValueError(f"height {raw!r} is not GND, UNL, FL<n> or a number with unit and reference")
    value = float(number.group(1))
    unit: float | None = None
    reference: VerticalReference | None = None
    for word in re.findall(r"[A-Za-z]+", number.group(2)):
        if word.lower() in UNIT_METRES and unit is None:
            unit = UNIT_METRES[word.lower()]
        elif word.upper() in _REFERENCES and reference is None:
            reference = _REFERENCES[word.upper()]
        else:
            raise ValueError(
                f"unknown unit or reference {word!r} in height {raw!r} "
                "(units: m, ft; references: AGL, AMSL, MSL, GND, SFC)"
            )
    leftover = re.sub(r"[A-Za-z\s]+", "", number.group(2))
    if leftover:
        raise ValueError(f"height {raw!r} has unexpected characters {leftover!r}")
    if unit is None:
        if default_unit is None:
            raise ValueError(f"height {raw!r} has no unit (m or ft)")
        unit = parse_unit(default_unit)
    if reference is None:
        if default_reference is None:
            raise ValueError(f"height {raw!r} has no reference (AGL or AMSL)")
        reference = default_reference
    return Height(value * unit, reference)


def check_limits(floor: Height, ceiling: Height, ground_amsl_m: float) -> None:
    """ValueError unless ``ceiling`` is above ``floor`` over a ground at ``ground_amsl_m`` m AMSL."""
    if not ceiling.agl(ground_amsl_m) > floor.agl(ground_amsl_m):
        raise ValueError(
            f"ceiling {format_height(ceiling)} is not above floor {format_height(floor)}"
            + (f" (ground {ground_amsl_m:g} m AMSL)" if floor.reference is not ceiling.reference else "")
        )


def format_height(height: Height) -> str:
    """``GND``, ``UNL`` or metres with reference and the feet in brackets, e.g. ``122 m AGL (400 ft)``."""
    text = str(height)
    if text in ("GND", "UNL"):
        return text
    return f"{text} ({height.metres / FOOT_M:.0f} ft)"
