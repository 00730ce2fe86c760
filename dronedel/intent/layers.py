"""Which cruise layer a leg flies: by its direction of travel, so opposite directions never share one.

With ``n`` layers (sorted, m AGL) the compass is cut into ``n`` sectors of ``360 / n`` degrees
from north; a leg whose overall bearing (pad to door, or door to pad) falls in sector ``k``
flies layer ``k``. A reversed bearing moves ``n / 2`` sectors on, so for ``n >= 2`` the
outbound and return legs of a flight, and any two flights flying opposite ways, are on
different layers: the quadrantal rule of manned flight (ICAO Annex 2, Appendix 3) generalised.
The rule gives each flight its preferred pair; the dispatcher may fall back to the other pairs
(:func:`layer_options`), which the volumes still keep separated.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

__all__ = ["bearing_deg", "layer_for", "layers_for", "layer_options"]


def bearing_deg(a: Sequence[float], b: Sequence[float]) -> float:
    """Bearing (degrees true, 0-360) from local point ``a`` to ``b`` ((x east, y north) metres)."""
    return math.degrees(math.atan2(b[0] - a[0], b[1] - a[1])) % 360.0


def _sector(bearing: float, n: int) -> float:
    """Where ``bearing`` (degrees true) falls among ``n`` sectors from north, as a number in [0, n)."""
    return (bearing % 360.0) / (360.0 / n)


def layer_for(bearing: float, layers: Sequence[float]) -> float:
    """The layer (m AGL) of a leg flying ``bearing`` degrees true among the sorted ``layers``."""
    n = len(layers)
    return float(layers[int(_sector(bearing, n)) % n])


def layers_for(bearing: float, layers: Sequence[float]) -> tuple[float, float]:
    """The (outbound, return) layers of a flight whose door lies ``bearing`` degrees true from its pad.

    The return's sector is counted ``n / 2`` sectors on from the outbound's position (not from
    the reversed bearing, whose rounding near a sector edge could land in the same sector).
    """
    n = len(layers)
    p = _sector(bearing, n)
    k = int(p) % n
    back = (k + n // 2 + (n % 2 and p - int(p) >= 0.5)) % n  # n / 2 sectors on, in whole sectors
    return float(layers[k]), float(layers[back])


def layer_options(bearing: float, layers: Sequence[float]) -> list[tuple[float, float]]:
    """Every (outbound, return) pair to try, the rule's pair first, then those changing the fewest and
    nearest layers; with two or more layers, the two legs of a flight never share one."""
    return list(_ranked(layers_for(bearing, layers), tuple(float(x) for x in layers)))


@functools.lru_cache(maxsize=256)
def _ranked(first: tuple[float, float], layers: tuple[float, ...]) -> tuple[tuple[float, float], ...]:
    """:func:`layer_options` once the rule's pair ``first`` is known (it depends on nothing else)."""
    if len(layers) == 1:
        return (first,)
    pairs = [(o, r) for o in layers for r in layers if o != r]
    return tuple(sorted(pairs, key=lambda p: ((p[0] != first[0]) + (p[1] != first[1]),
                                              abs(p[0] - first[0]) + abs(p[1] - first[1]))))
