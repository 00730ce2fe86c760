"""The site file (TOML): site position, fleet, aircraft profile, airspace files, planning options.

Everything but ``[site] lon``/``lat`` has a documented default. Units are SI: metres,
seconds, m/s, kilograms, watt-hours; headings and wind directions in degrees true.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InputError
from .geo import check_lon_lat
from .tomlfile import build_dataclass, check_keys, read_toml, sub_table

__all__ = [
    "DELIVERY_METHODS", "SPEED_REFERENCES", "ALTITUDE_LIMIT_M", "Site", "Fleet", "AircraftProfile", "AirspaceConfig",
    "PlanningOptions", "Wind", "SiteConfig", "load_site", "parse_wind",
]

#: How the package reaches the door.
DELIVERY_METHODS = ("payload_place", "land", "winch", "drop")

#: What ``cruise_speed_ms`` holds constant in wind: the speed over the ground (ArduPilot
#: Copter's WPNAV_SPEED) or the speed through the air.
SPEED_REFERENCES = ("ground", "air")


@dataclass(frozen=True)
class Site:
    """The depot: ``lon``, ``lat`` degrees WGS84, ground ``elevation_m`` AMSL, IANA ``timezone``."""

    lon: float
    lat: float
    name: str = "site"
    elevation_m: float = 0.0
    timezone: str = "UTC"
    heading_deg: float = 0.0

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
class SiteConfig:
    """Everything the site file says; ``path`` is the file it came from."""

    site: Site
    fleet: Fleet = field(default_factory=Fleet)
    aircraft: AircraftProfile = field(default_factory=AircraftProfile)
    airspace: AirspaceConfig = field(default_factory=AirspaceConfig)
    planning: PlanningOptions = field(default_factory=PlanningOptions)
    path: Path | None = None

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
    check_keys(data, ("site", "fleet", "aircraft", "airspace", "planning"), source, what="section")
    site_table = sub_table(data, "site", source)
    for key in ("lon", "lat"):
        if key not in site_table:
            raise InputError(f"missing {key} (degrees WGS84)", source, "[site]")
    site = build_dataclass(Site, site_table, source, "site")
    check_lon_lat(site.lon, site.lat, source, "[site]")
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
    return SiteConfig(site, fleet, aircraft, airspace, planning, path)

