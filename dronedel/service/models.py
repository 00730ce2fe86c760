"""Request and response bodies of the HTTP API (pydantic): what is accepted, and in which units.

Requests refuse unknown fields, non-finite numbers and coordinates out of range; positions are
``lon``/``lat`` degrees WGS84 (GeoJSON order), heights metres above the site's ground, speeds m/s,
times ISO 8601 with the offset.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "OrderIn", "BatchIn", "OrderOut", "OrderDetail", "BatchOut", "EventOut", "DroneOut", "WindIn",
    "RestrictionIn", "GeometryIn", "MAX_BATCH",
]

#: Most orders one batch request may carry.
MAX_BATCH = 200


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class OrderIn(_Strict):
    """An order: the door (lon, lat degrees WGS84) and the package's weight."""

    lon: float = Field(ge=-180, le=180, description="door longitude, degrees WGS84")
    lat: float = Field(ge=-90, le=90, description="door latitude, degrees WGS84")
    weight_kg: float = Field(gt=0, le=1000, description="package weight, kg")
    order_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$",
                                 description="the caller's id (default: one is given)")

    @model_validator(mode="before")
    @classmethod
    def _not_swapped(cls, data: Any) -> Any:
        """A latitude beyond 90 whose longitude would be a valid latitude: lon and lat were swapped."""
        if isinstance(data, dict):
            lon, lat = data.get("lon"), data.get("lat")
            numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lon, lat))
            if numbers and 90 < abs(lat) <= 180 and abs(lon) <= 90:
                raise ValueError(f"lat {lat:g} is out of range and lon {lon:g} would be a latitude: lon and lat "
                                 "look swapped (coordinates are lon, lat)")
        return data


class BatchIn(_Strict):
    """Several orders placed at once, decided in this order."""

    orders: list[OrderIn] = Field(min_length=1, max_length=MAX_BATCH)


class OrderOut(BaseModel):
    """An order's decision and where it stands. ``status``: accepted, rejected, loading, airborne,
    delivered, cancelled, failed. ``reason`` is a plan.json reason code when rejected, the cause when
    cancelled."""

    order_id: str
    status: str
    reason: str | None
    detail: str
    placed_at: str
    decided_at: str
    lon: float
    lat: float
    weight_kg: float
    flight_id: int | None = None
    drone: int | None = None
    pad: str | None = None
    takeoff_at: str | None = None
    door_eta: str | None = None


class EventOut(BaseModel):
    """One logged event; ``seq`` is also its Server-Sent Events id."""

    seq: int | None
    kind: str
    t: str | None
    order_id: str | None = None
    flight_id: int | None = None
    data: dict[str, Any]


class OrderDetail(OrderOut):
    """An order with its history."""

    history: list[EventOut]


class BatchOut(BaseModel):
    """The decisions of a batch, in its order."""

    orders: list[OrderOut]


class DroneOut(BaseModel):
    """A drone now: state, position (lon, lat degrees; altitude m above home), battery (0-1)."""

    drone: int
    state: Literal["idle", "loading", "airborne", "delivering", "returning", "turnaround", "failed"]
    lon: float
    lat: float
    alt_m: float
    battery: float | None
    flight_id: int | None
    order_id: str | None
    pad: str | None
    booked: int
    failure: str | None


class WindIn(_Strict):
    """The planning wind from now on: speed m/s, blowing from degrees true."""

    speed_ms: float = Field(ge=0, le=60)
    from_deg: float = Field(ge=0, lt=360)


class GeometryIn(_Strict):
    """A GeoJSON Polygon or MultiPolygon, (lon, lat) degrees."""

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(min_length=1, max_length=100)


class RestrictionIn(_Strict):
    """A temporary flight restriction activated now: prohibited from ``floor_m`` to ``ceiling_m`` above
    the ground, for ``minutes`` (None: until lifted)."""

    zone_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    name: str = Field("", max_length=200)
    geometry: GeometryIn
    floor_m: float = Field(0.0, ge=0, le=10000)
    ceiling_m: float = Field(10000.0, gt=0, le=100000)
    minutes: float | None = Field(None, gt=0, le=60 * 24 * 30)
