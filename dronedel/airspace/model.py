"""Zones with vertical limits and schedules, and the airspace that indexes them.

Geometries are shapely (Multi)Polygons in WGS84 ``(lon, lat)`` degrees. Heights are
metres with an explicit reference: AGL (above the ground at the site) or AMSL.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from fnmatch import fnmatchcase

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .schedule import Schedule

__all__ = [
    "Restriction", "VerticalReference", "Height", "Circle", "Exemption", "Zone", "Airspace", "GROUND", "UNLIMITED",
]


class Restriction(str, Enum):
    """What a zone means for a flight (ED-269 vocabulary)."""

    PROHIBITED = "prohibited"
    REQUIRES_AUTHORISATION = "requires_authorisation"
    CONDITIONAL = "conditional"
    NO_RESTRICTION = "no_restriction"

    @classmethod
    def parse(cls, text: str) -> "Restriction":
        """Read a restriction from its name in any of the supported formats; ValueError if unknown."""
        key = str(text).strip().lower().replace("-", "_").replace(" ", "_")
        aliases = {
            "prohibited": cls.PROHIBITED, "no_fly": cls.PROHIBITED, "nofly": cls.PROHIBITED,
            "requires_authorisation": cls.REQUIRES_AUTHORISATION,
            "requires_authorization": cls.REQUIRES_AUTHORISATION,
            "req_authorisation": cls.REQUIRES_AUTHORISATION, "req_authorization": cls.REQUIRES_AUTHORISATION,
            "restricted": cls.REQUIRES_AUTHORISATION,
            "conditional": cls.CONDITIONAL,
            "no_restriction": cls.NO_RESTRICTION, "none": cls.NO_RESTRICTION,
        }
        if key not in aliases:
            raise ValueError(
                f"unknown restriction {text!r} (expected one of: prohibited, requires_authorisation, "
                "conditional, no_restriction)"
            )
        return aliases[key]


class VerticalReference(str, Enum):
    """What a height is measured from: the ground at the site (AGL) or mean sea level (AMSL)."""

    AGL = "AGL"
    AMSL = "AMSL"


@dataclass(frozen=True)
class Height:
    """A height in metres above a reference; ``inf`` metres is unlimited."""

    metres: float
    reference: VerticalReference = VerticalReference.AGL

    def agl(self, ground_amsl_m: float) -> float:
        """This height as metres above a ground at ``ground_amsl_m`` metres AMSL."""
        if self.reference is VerticalReference.AMSL:
            return self.metres - ground_amsl_m
        return self.metres

    def __str__(self) -> str:
        if math.isinf(self.metres):
            return "UNL"
        if self.metres == 0 and self.reference is VerticalReference.AGL:
            return "GND"
        return f"{self.metres:.0f} m {self.reference.value}"


GROUND = Height(0.0, VerticalReference.AGL)
UNLIMITED = Height(math.inf, VerticalReference.AMSL)


@dataclass(frozen=True)
class Circle:
    """A circle a zone was defined by: centre ``(lon, lat)`` degrees and radius in metres."""

    lon: float
    lat: float
    radius_m: float


class Exemption(str, Enum):
    """Why a zone does not block a flight (see :meth:`Zone.exemption`)."""

    NO_RESTRICTION = "no restriction"
    AUTHORISED = "authorised"
    OUTSIDE_BAND = "outside band"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Zone:
    """One airspace volume: a footprint, a vertical extent, a restriction and a schedule.

    ``geometry`` is a valid (Multi)Polygon in (lon, lat) degrees; ``circle`` is set when the
    zone is a circle (the polygon then approximates it from outside); ``line`` is set when it
    is a line obstacle (a wire, or an airway's centreline): ``geometry`` is then that
    (lon, lat) line buffered by its hazard width. ``source`` and ``where`` name the file and
    line/feature the zone was read from.

    Authorisations (:meth:`is_authorised`) name the zone by its ``id``, by one of its
    ``groups`` (the airports of a UAS facility-map cell) or by a shell-style pattern over ids
    (``uasfm-kcll-*``). ``authorised_ceiling`` caps what an authorisation allows: a LAANC
    grid cell lets an authorised flight through only below its ceiling (0 ft: never).
    ``properties`` carries what the file says beyond that (frequency, station, transponder
    code, effective date), as text.
    """

    id: str
    name: str
    restriction: Restriction
    geometry: BaseGeometry
    floor: Height = GROUND
    ceiling: Height = UNLIMITED
    schedule: Schedule = field(default_factory=Schedule)
    kind: str = ""
    reason: str = ""
    circle: Circle | None = None
    source: str = ""
    where: str = ""
    line: BaseGeometry | None = None
    groups: tuple[str, ...] = ()
    authorised_ceiling: Height | None = None
    properties: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def vertical_overlap(self, lo_agl: float, hi_agl: float, ground_amsl_m: float) -> bool:
        """True if the band [lo_agl, hi_agl] (m AGL) overlaps this zone's floor-ceiling."""
        return self.floor.agl(ground_amsl_m) < hi_agl and self.ceiling.agl(ground_amsl_m) > lo_agl

    def authorised_view(self, authorisations: Collection[str], ground_amsl_m: float) -> "Zone":
        """This zone as it stands for a holder of ``authorisations``: with its floor raised to the
        authorised ceiling when one applies (a LAANC cell), else unchanged."""
        if self.authorised_ceiling is None or not self.is_authorised(authorisations):
            return self
        if self.authorised_ceiling.agl(ground_amsl_m) <= self.floor.agl(ground_amsl_m):
            return self
        return replace(self, floor=self.authorised_ceiling)

    def is_active(self, at: datetime | None = None, until: datetime | None = None) -> bool:
        """True if active at ``at`` (or at any time in [at, until]); ``at=None`` counts as active."""
        return self.schedule.is_active(at) if until is None else self.schedule.active_during(at, until)

    def is_authorised(self, authorisations: Collection[str]) -> bool:
        """True if ``authorisations`` name it (id, group or id pattern) and it is not prohibited
        (nothing authorises that)."""
        if self.restriction is Restriction.PROHIBITED or not authorisations:
            return False
        if self.id in authorisations or any(g in authorisations for g in self.groups):
            return True
        return any(fnmatchcase(self.id, a) for a in authorisations if any(c in a for c in "*?["))

    def exemption(
        self,
        lo_agl: float,
        hi_agl: float,
        ground_amsl_m: float,
        at: datetime | None = None,
        until: datetime | None = None,
        authorisations: Collection[str] = (),
    ) -> Exemption | None:
        """Why this zone lets a flight in [lo_agl, hi_agl] m AGL through, or ``None`` if it blocks it.

        Heights are over a ground at ``ground_amsl_m`` m AMSL; the flight is at ``at`` (to
        ``until``; ``at=None`` counts every zone as active). A zone blocks unless it has no
        restriction, is authorised (:meth:`is_authorised`; with an ``authorised_ceiling`` only
        for a band wholly below it), lies wholly above or below the band, or is inactive,
        which are tried in that order.
        """
        if self.restriction is Restriction.NO_RESTRICTION:
            return Exemption.NO_RESTRICTION
        view = self.authorised_view(authorisations, ground_amsl_m)
        if self.is_authorised(authorisations) and (
                self.authorised_ceiling is None or hi_agl <= self.authorised_ceiling.agl(ground_amsl_m)):
            return Exemption.AUTHORISED
        if not view.vertical_overlap(lo_agl, hi_agl, ground_amsl_m):
            return Exemption.OUTSIDE_BAND
        if not self.is_active(at, until):
            return Exemption.INACTIVE
        return None


@dataclass
class Airspace:
    """Zones with a spatial index, and the operating area (an inclusion boundary, (lon, lat))."""

    zones: list[Zone]
    operating_area: BaseGeometry | None = None
    ground_amsl_m: float = 0.0
    _tree: shapely.STRtree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ids = [z.id for z in self.zones]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate zone ids: {', '.join(dup)}")
        self._tree = shapely.STRtree([z.geometry for z in self.zones])

    def __len__(self) -> int:
        return len(self.zones)

    def __iter__(self):
        return iter(self.zones)

    def __getitem__(self, zone_id: str) -> Zone:
        for zone in self.zones:
            if zone.id == zone_id:
                return zone
        raise KeyError(zone_id)

    def touching(self, geometry: BaseGeometry) -> list[Zone]:
        """Zones whose footprint intersects ``geometry`` ((lon, lat) degrees)."""
        idx = self._tree.query(geometry, predicate="intersects")
        return [self.zones[i] for i in np.sort(idx)]

    def active(self, at: datetime | None = None, until: datetime | None = None) -> list[Zone]:
        """Zones active at ``at`` (or at any time in [at, until]); ``at=None`` returns all."""
        return [z for z in self.zones if z.is_active(at, until)]

    def blocking(
        self,
        lo_agl: float,
        hi_agl: float,
        at: datetime | None = None,
        until: datetime | None = None,
        authorisations: Iterable[str] = (),
    ) -> list[Zone]:
        """Zones that block a flight in the band [lo_agl, hi_agl] m AGL at ``at`` (to ``until``).

        A zone blocks where its vertical extent overlaps the band, it is active, and it is
        not authorised: prohibited zones always block; requires-authorisation and conditional
        zones block unless ``authorisations`` name them; no-restriction zones never do
        (:meth:`Zone.exemption`). ``at=None`` treats every zone as active (the conservative answer).
        Zones come as the holder of ``authorisations`` sees them (:meth:`Zone.authorised_view`:
        an authorised LAANC cell starts at its ceiling).
        """
        held = set(authorisations)
        ground = self.ground_amsl_m
        return [z.authorised_view(held, ground) for z in self.zones
                if z.exemption(lo_agl, hi_agl, ground, at, until, held) is None]
