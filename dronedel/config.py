"""The site file (TOML): site position, fleet, aircraft profile, airspace files, planning options.

Everything but ``[site] lon``/``lat`` has a documented default. Units are SI: metres,
seconds, m/s, kilograms, watt-hours; headings and wind directions in degrees true.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from .errors import InputError
from .geo import LocalFrame, check_lon_lat
from .tomlfile import build_dataclass, check_keys, read_toml, sub_table

__all__ = [
    "DELIVERY_METHODS", "SPEED_REFERENCES", "ALTITUDE_LIMIT_M", "Site", "Fleet", "AircraftProfile", "AirspaceConfig",
    "PlanningOptions", "Wind", "Pad", "Separation", "SiteConfig", "load_site", "parse_wind",
]

#: How the package reaches the door.
DELIVERY_METHODS = ("payload_place", "land", "winch", "drop")

#: What ``cruise_speed_ms`` holds constant in wind: the speed over the ground (ArduPilot
#: Copter's WPNAV_SPEED) or the speed through the air.
SPEED_REFERENCES = ("ground", "air")


@dataclass(frozen=True)
class Site:
    """The depot: ``lon``, ``lat`` degrees WGS84, ground ``elevation_m`` AMSL, IANA ``timezone``.

    ``geoid_undulation_m`` is the height of the geoid above the WGS84 ellipsoid at the site
    (EGM96, m; ellipsoidal height = AMSL + undulation), used where no geoid grid is installed.
    """

    lon: float
    lat: float
    name: str = "site"
    elevation_m: float = 0.0
    timezone: str = "UTC"
    heading_deg: float = 0.0
    geoid_undulation_m: float | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Fleet:
    """Drones based at the site; ``turnaround_s`` between flights (battery swap, loading)."""

    drones: int = 8
    turnaround_s: float = 300.0
    loading_s: float = 120.0


@dataclass(frozen=True)
class AircraftProfile:
    """Performance and energy-model coefficients of the delivery multicopter.

    Speeds match the SITL parameter file (WPNAV_SPEED, WPNAV_SPEED_UP, WPNAV_SPEED_DN,
    WPNAV_ACCEL, LAND_SPEED; ``jerk_ms3`` WPNAV_JERK, ``vertical_accel_ms2`` WPNAV_ACCEL_Z,
    ``wp_radius_m`` WPNAV_RADIUS, ``land_alt_low_m`` LAND_ALT_LOW) so planned and flown times
    compare. So do the timings ArduCopter adds around them (docs/model.md):
    ``arming_delay_s``, the motors held still after arming (ARMING_DELAY_SEC, 2 s);
    ``spool_up_s``, from the motors starting to lift-off (MOT_SPOOL_TIME 0.5 s, then the
    throttle ramped at 1/TKOFF_SLEW_TIME per second to about MOT_THST_HOVER, 0.39);
    ``vertical_jerk_ms3``, the position controller's vertical jerk (PSC_JERK_Z) in take-off,
    landing and payload place; ``input_tc_s``, ATC_INPUT_TC, whose double is how long the
    S-curves of waypoint legs take to ramp the jerk up or down; ``land_detect_s``, from
    touchdown to NAV_LAND done (throttle down to its lower limit, the land detector's 1 s,
    the spool-down over MOT_SPOOL_TIME).
    ``speed_reference`` says whether ``cruise_speed_ms`` is held over the ground (ArduPilot
    Copter) or through the air; ``max_airspeed_ms`` bounds the airspeed either way.
    Energy-model defaults give 20-30 Wh/km for the 9 kg quad with a 2 kg package (see
    docs/model.md for the model and its sources).
    """

    cruise_speed_ms: float = 15.0
    climb_rate_ms: float = 3.0
    descent_rate_ms: float = 2.0
    accel_ms2: float = 2.5
    land_speed_ms: float = 0.5
    cruise_alt_m: float = 60.0
    max_payload_kg: float = 2.5
    battery_wh: float = 800.0
    reserve_fraction: float = 0.2
    delivery: str = "payload_place"
    empty_mass_kg: float = 9.0
    rotor_count: int = 4
    rotor_diameter_m: float = 0.7
    hover_efficiency: float = 0.55
    drag_area_m2: float = 0.2
    avionics_power_w: float = 30.0
    air_density_kgm3: float = 1.225
    delivery_hover_s: float = 15.0
    drop_height_m: float = 4.0
    winch_height_m: float = 7.0
    winch_rate_ms: float = 1.0
    land_dwell_s: float = 20.0
    speed_reference: str = "ground"
    max_airspeed_ms: float = 25.0
    jerk_ms3: float = 1.0
    vertical_accel_ms2: float = 1.0
    wp_radius_m: float = 2.0
    land_alt_low_m: float = 10.0
    arming_delay_s: float = 2.0
    spool_up_s: float = 1.3
    vertical_jerk_ms3: float = 5.0
    input_tc_s: float = 0.15
    land_detect_s: float = 2.0

    def __post_init__(self) -> None:
        if self.delivery not in DELIVERY_METHODS:
            raise ValueError(f"delivery must be one of {', '.join(DELIVERY_METHODS)}, not {self.delivery!r}")
        if self.speed_reference not in SPEED_REFERENCES:
            raise ValueError(
                f"speed_reference must be one of {', '.join(SPEED_REFERENCES)}, not {self.speed_reference!r}"
            )
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, str) and not value >= 0:
                raise ValueError(f"{f.name} must be a non-negative number, not {value!r}")
        for name in ("cruise_speed_ms", "climb_rate_ms", "descent_rate_ms", "accel_ms2", "land_speed_ms",
                     "cruise_alt_m", "battery_wh", "empty_mass_kg", "rotor_count", "rotor_diameter_m",
                     "hover_efficiency", "air_density_kgm3", "max_airspeed_ms", "jerk_ms3",
                     "vertical_accel_ms2", "winch_rate_ms", "vertical_jerk_ms3"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if not self.reserve_fraction < 1:
            raise ValueError("reserve_fraction must be below 1")
        if self.hover_efficiency > 1:
            raise ValueError("hover_efficiency must be at most 1")


@dataclass(frozen=True)
class Wind:
    """Steady wind: ``speed_ms`` blowing *from* ``from_deg`` degrees true (meteorological)."""

    speed_ms: float = 0.0
    from_deg: float = 0.0

    def __str__(self) -> str:
        return f"{self.speed_ms:g}@{self.from_deg:g}"


def parse_wind(text: str) -> Wind:
    """Parse ``SPEED@FROM`` (m/s, degrees true), e.g. ``8@270`` for an 8 m/s westerly."""
    try:
        speed, _, direction = str(text).partition("@")
        wind = Wind(float(speed), float(direction or 0.0) % 360.0)
    except ValueError:
        raise InputError(f"wind {text!r} is not SPEED@FROM_DEG (m/s, degrees), e.g. 8@270", "--wind") from None
    if wind.speed_ms < 0:
        raise InputError("wind speed must not be negative", "--wind")
    return wind


#: Highest cruise altitude (m AGL) a site may plan without saying it is authorised higher
#: (EU 2019/947 open category 120 m; US 14 CFR 107.51 400 ft).
ALTITUDE_LIMIT_M = 120.0


@dataclass(frozen=True)
class AirspaceConfig:
    """Airspace files (paths relative to the site file), authorisations held, operating area file,
    and ``altitude_limit_m``, the highest cruise altitude (m AGL) the operation is authorised to fly."""

    files: tuple[Path, ...] = ()
    authorisations: tuple[str, ...] = ()
    operating_area: Path | None = None
    altitude_limit_m: float = ALTITUDE_LIMIT_M


@dataclass(frozen=True)
class PlanningOptions:
    """Dispatch options: the promise (s), lateral safety margin (m), wind and plan start time."""

    promise_s: float = 1800.0
    margin_m: float = 30.0
    wind: Wind = field(default_factory=Wind)
    start: datetime | None = None


@dataclass(frozen=True)
class Pad:
    """A launch and landing pad at the depot: ``name`` and its position ``east_m``, ``north_m``
    (metres east and north of the site point, in the site's local frame)."""

    name: str
    east_m: float = 0.0
    north_m: float = 0.0

    @property
    def xy(self) -> tuple[float, float]:
        """The pad in local metres (x east, y north)."""
        return (self.east_m, self.north_m)


@dataclass(frozen=True)
class Separation:
    """How concurrent flights are kept apart: pads, altitude layers, 4D volumes (docs/separation.md).

    ``pads`` are the depot's launch and landing pads (default one at the site point).
    ``layers_m`` are the cruise altitudes (m AGL, above home) flights may use (default the
    aircraft's ``cruise_alt_m`` alone); the outbound leg takes the layer of its direction of
    travel and the return the layer of the opposite direction (:func:`dronedel.intent.layers_for`).
    ``horizontal_m`` and ``vertical_m`` are the separation standard: two airborne drones are
    separated when at least one of the two distances is kept. ``lateral_containment_m`` and
    ``vertical_containment_m`` bound where the aircraft is around its planned track (navigation
    plus flight technical error, 95 %); a volume's half-width and half-height are the larger of
    these and half the standard, so disjoint volumes keep the standard. ``time_buffer_s`` plus
    ``time_buffer_rate`` times the time since take-off widens each volume's time window;
    ``slice_s`` bounds how long one cruise volume lasts; ``pad_clear_s`` is how long a pad
    stays occupied after touchdown. ``min_layer_m`` is the obstacle clearance no layer may be
    below; no layer may be above ``[airspace] altitude_limit_m`` (120 m AGL unless authorised).
    """

    pads: tuple[Pad, ...] = (Pad("pad-1"),)
    layers_m: tuple[float, ...] = ()
    horizontal_m: float = 50.0
    vertical_m: float = 15.0
    lateral_containment_m: float = 20.0
    vertical_containment_m: float = 5.0
    time_buffer_s: float = 5.0
    time_buffer_rate: float = 0.01
    slice_s: float = 20.0
    pad_clear_s: float = 30.0
    min_layer_m: float = 30.0

    @property
    def half_width_m(self) -> float:
        """Half the width of a volume around its track (m)."""
        return max(self.lateral_containment_m, self.horizontal_m / 2)

    @property
    def half_height_m(self) -> float:
        """Half the height of a cruise volume around its layer (m)."""
        return max(self.vertical_containment_m, self.vertical_m / 2)


def _check_separation(sep: Separation, aircraft: AircraftProfile, limit_m: float, source: str) -> Separation:
    """``sep`` with its layers filled in from the aircraft, or :class:`InputError` naming the key."""
    where = "[separation]"
    for name in ("horizontal_m", "vertical_m", "lateral_containment_m", "vertical_containment_m", "time_buffer_s",
                 "time_buffer_rate", "pad_clear_s", "min_layer_m"):
        if not getattr(sep, name) >= 0:
            raise InputError(f"{name} must not be negative, not {getattr(sep, name)!r}", source, where)
    if not sep.slice_s > 0:
        raise InputError(f"slice_s must be positive, not {sep.slice_s!r}", source, where)
    layers = tuple(sorted(sep.layers_m)) or (aircraft.cruise_alt_m,)
    if len(set(layers)) != len(layers):
        raise InputError(f"layers_m {list(sep.layers_m)} names a layer twice", source, where)
    for layer in layers:
        if layer < sep.min_layer_m:
            raise InputError(f"layer {layer:g} m AGL is below the obstacle clearance min_layer_m = "
                             f"{sep.min_layer_m:g} m", source, f"{where} layers_m")
        if layer > limit_m:
            raise InputError(f"layer {layer:g} m AGL is above {limit_m:g} m AGL; if the operation is authorised "
                             "to fly higher, say so with [airspace] altitude_limit_m", source, f"{where} layers_m")
    for a in range(len(layers) - 1):
        if layers[a + 1] - layers[a] < sep.vertical_m:
            raise InputError(f"layers {layers[a]:g} and {layers[a + 1]:g} m are closer than the vertical "
                             f"separation vertical_m = {sep.vertical_m:g} m", source, f"{where} layers_m")
    names = [p.name for p in sep.pads]
    if not names:
        raise InputError("at least one pad is needed", source, f"{where} pads")
    if len(set(names)) != len(names):
        raise InputError(f"pad names {names} are not unique", source, f"{where} pads")
    for a, p in enumerate(sep.pads):
        for q in sep.pads[a + 1:]:
            gap = math.hypot(p.east_m - q.east_m, p.north_m - q.north_m)
            if gap < sep.horizontal_m:
                raise InputError(f"pads {p.name!r} and {q.name!r} are {gap:.1f} m apart, closer than the "
                                 f"horizontal separation horizontal_m = {sep.horizontal_m:g} m", source,
                                 f"{where} pads")
    return replace(sep, layers_m=layers)


def _read_pads(table: Any, site: Site, source: str) -> tuple[Pad, ...]:
    """Pads from ``[[separation.pads]]``: ``name`` and ``east_m``/``north_m`` or ``lon``/``lat``."""
    if not isinstance(table, list) or not all(isinstance(t, dict) for t in table):
        raise InputError("pads must be an array of tables ([[separation.pads]])", source, "[separation] pads")
    pads = []
    for k, t in enumerate(table, 1):
        where = f"[separation] pads #{k}"
        check_keys(t, ("name", "east_m", "north_m", "lon", "lat"), source, where)
        by_lonlat, by_metres = {"lon", "lat"} & set(t), {"east_m", "north_m"} & set(t)
        if by_lonlat and by_metres or len(by_lonlat) == 1 or len(by_metres) == 1:
            raise InputError("give either east_m and north_m, or lon and lat", source, where)
        values = {key: t[key] for key in ("east_m", "north_m", "lon", "lat") if key in t}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(f"{key} must be a finite number, not {value!r}", source, where)
        if by_lonlat:
            check_lon_lat(float(t["lon"]), float(t["lat"]), source, where)
            x, y = LocalFrame(site.lon, site.lat).to_local(float(t["lon"]), float(t["lat"]))
            east, north = float(np.ravel(x)[0]), float(np.ravel(y)[0])
        else:
            east, north = float(t.get("east_m", 0.0)), float(t.get("north_m", 0.0))
        pads.append(Pad(str(t.get("name", f"pad-{k}")), east, north))
    return tuple(pads)


def _load_separation(data: dict[str, Any], site: Site, aircraft: AircraftProfile, limit_m: float,
                     source: str) -> Separation:
    table = dict(sub_table(data, "separation", source))
    pads = _read_pads(table.pop("pads"), site, source) if "pads" in table else Separation().pads
    layers = table.pop("layers_m", [])
    if not isinstance(layers, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                               and math.isfinite(v) for v in layers):
        raise InputError(f"layers_m must be a list of finite numbers (m AGL), not {layers!r}", source,
                         "[separation]")
    sep = build_dataclass(Separation, table, source, "separation")
    return _check_separation(replace(sep, pads=pads, layers_m=tuple(float(v) for v in layers)), aircraft, limit_m,
                             source)


@dataclass(frozen=True)
class SiteConfig:
    """Everything the site file says; ``path`` is the file it came from."""

    site: Site
    fleet: Fleet = field(default_factory=Fleet)
    aircraft: AircraftProfile = field(default_factory=AircraftProfile)
    airspace: AirspaceConfig = field(default_factory=AirspaceConfig)
    planning: PlanningOptions = field(default_factory=PlanningOptions)
    separation: Separation = field(default_factory=Separation)
    path: Path | None = None

    def __post_init__(self) -> None:
        if not self.separation.layers_m:
            object.__setattr__(self, "separation", replace(self.separation, layers_m=(self.aircraft.cruise_alt_m,)))

    def with_planning(self, **changes: Any) -> "SiteConfig":
        return replace(self, planning=replace(self.planning, **changes))


def _parse_time(value: Any, source: str, where: str) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{value!r} is not an ISO 8601 date-time", source, where) from None


def load_site(path: str | Path) -> SiteConfig:
    """Read and validate a site file; relative airspace paths resolve against its folder."""
    path = Path(path)
    source = str(path)
    data = read_toml(path)
    check_keys(data, ("site", "fleet", "aircraft", "airspace", "planning", "separation"), source, what="section")
    site_table = sub_table(data, "site", source)
    for key in ("lon", "lat"):
        if key not in site_table:
            raise InputError(f"missing {key} (degrees WGS84)", source, "[site]")
    site = build_dataclass(Site, site_table, source, "site")
    check_lon_lat(site.lon, site.lat, source, "[site]")
    n = site.geoid_undulation_m
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, float)) or not abs(n) < 200):
        raise InputError(f"geoid_undulation_m must be a number of metres (|N| < 200), not {n!r}", source, "[site]")
    try:
        site.tz
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {site.timezone!r}", source, "[site]") from None

    fleet = build_dataclass(Fleet, sub_table(data, "fleet", source), source, "fleet")
    if fleet.drones < 1:
        raise InputError("drones must be at least 1", source, "[fleet]")
    aircraft = build_dataclass(AircraftProfile, sub_table(data, "aircraft", source), source, "aircraft")

    air = sub_table(data, "airspace", source)
    check_keys(air, ("files", "authorisations", "operating_area", "altitude_limit_m"), source, "[airspace]")
    base = path.parent
    files = tuple(base / str(f) for f in air.get("files", []))
    operating_area = base / str(air["operating_area"]) if "operating_area" in air else None
    limit = air.get("altitude_limit_m", ALTITUDE_LIMIT_M)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not limit > 0:
        raise InputError(f"altitude_limit_m must be a positive number of metres AGL, not {limit!r}", source,
                         "[airspace] altitude_limit_m")
    if aircraft.cruise_alt_m > limit:
        raise InputError(
            f"cruise_alt_m {aircraft.cruise_alt_m:g} m AGL is above {limit:g} m AGL; if the operation is authorised "
            "to fly higher, say so with [airspace] altitude_limit_m", source, "[aircraft] cruise_alt_m")
    airspace = AirspaceConfig(files, tuple(str(a) for a in air.get("authorisations", [])), operating_area,
                              float(limit))

    plan = sub_table(data, "planning", source)
    check_keys(plan, ("promise_min", "margin_m", "wind", "start"), source, "[planning]")
    start = _parse_time(plan["start"], source, "[planning] start") if "start" in plan else None
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=site.tz)
    try:
        planning = PlanningOptions(
            promise_s=float(plan.get("promise_min", 30.0)) * 60.0,
            margin_m=float(plan.get("margin_m", 30.0)),
            wind=parse_wind(plan["wind"]) if "wind" in plan else Wind(),
            start=start,
        )
    except (TypeError, ValueError) as exc:
        raise InputError(str(exc), source, "[planning]") from None
    if planning.promise_s <= 0 or planning.margin_m < 0:
        raise InputError("promise_min must be positive and margin_m non-negative", source, "[planning]")
    separation = _load_separation(data, site, aircraft, airspace.altitude_limit_m, source)
    return SiteConfig(site, fleet, aircraft, airspace, planning, separation, path)

