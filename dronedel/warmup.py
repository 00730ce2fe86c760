"""Load the package's compiled kernels (numba, cached beside their modules) before they are needed.

Each kernel is loaded from its cache (or compiled, the first time on a machine) when first
called; a service calls :func:`warm_up` before it starts serving, so that its first answer
is as fast as the next.
"""

from __future__ import annotations

from . import rotor, scurve
from .intent import kernels as intent_kernels
from .routing import kernels as routing_kernels

__all__ = ["warm_up"]


def warm_up() -> None:
    """Load (or compile) every kernel of the package now."""
    for module in (intent_kernels, rotor, routing_kernels, scurve):
        module.warm_up()
