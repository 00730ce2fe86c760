"""The HTTP JSON API of the live service (FastAPI on uvicorn), its event stream and the dashboard.

FastAPI was chosen because it generates the OpenAPI document and the interactive docs from
the pydantic models that also validate every body, runs on uvicorn's asyncio loop (which
serves Server-Sent Events without extra machinery), and is the most used Python framework of
its kind. Every state change runs on the loop's thread, so the dispatcher, the store and the
flights are never touched by two requests at once; orders arriving while a decision is being
made are decided together in the next dispatcher call (one vectorised flight-table fill, one
commit), each still in its arrival order.

Security: state-changing requests need the API token (``Authorization: Bearer TOKEN`` or
``X-API-Token``); when the service listens on anything but loopback every request needs it
(``?token=`` is accepted on GET, for the browser's EventSource). Bodies larger than
:data:`MAX_BODY_BYTES` get 413, invalid ones 400/422 naming the field and the problem.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..airspace.geojson import polygon_from_coordinates
from ..config import Wind
from ..errors import DronedelError, InputError
from ..formats import plan_document
from ..geo import geodesic_distance
from ..routing import Router
from ..zone import DispatchZone
from .core import Conflict, DispatchService, NotFound, OrderRequest
from .models import (
    BatchIn, BatchOut, DroneOut, EventOut, OrderDetail, OrderIn, OrderOut, RestrictionIn, WindIn,
)
from .store import FlightRow, OrderRow, RestrictionRow

__all__ = ["create_app", "ServerSettings", "MAX_BODY_BYTES", "TICK_S"]

#: Largest request body accepted (bytes).
MAX_BODY_BYTES = 1 << 20
#: Real seconds between two ticks of the flights.
TICK_S = 0.25
#: Most orders decided in one dispatcher call.
_MAX_ROUND = 512
_STATUSES = ("accepted", "rejected", "loading", "airborne", "delivered", "cancelled", "failed")
_ALERT_KINDS = ("alert",)


@dataclass
class ServerSettings:
    """``token``: the API token; ``public``: listening beyond loopback (every request then needs it)."""

    token: str
    public: bool = False


class _ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


class _BodyLimit:
    """ASGI middleware refusing bodies over ``limit`` bytes (declared or streamed) with 413."""

    def __init__(self, app: Callable, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = _error(413, f"request body larger than {self.limit} bytes")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await too_big(scope, receive, send)
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _ApiError(413, f"request body larger than {self.limit} bytes")
            return message

        try:
            await self.app(scope, limited, send)
        except _ApiError as exc:
            await _error(exc.status, exc.message)(scope, receive, send)


class _Decider:
    """Decides queued placement requests on the loop, several per dispatcher call."""

    def __init__(self, service: DispatchService) -> None:
        self.service = service
        self.queue: asyncio.Queue[tuple[list[OrderRequest], asyncio.Future]] = asyncio.Queue()

    async def submit(self, requests: list[OrderRequest]) -> list[OrderRow]:
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((requests, future))
        return await future

    async def run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            size = len(batch[0][0])
            while not self.queue.empty() and size < _MAX_ROUND:
                batch.append(self.queue.get_nowait())
                size += len(batch[-1][0])
            try:
                results = self.service.place_groups([requests for requests, _ in batch])
            except Exception as exc:  # a failure reaches every waiting request, the loop goes on
                results = [exc] * len(batch)
            for (_, future), result in zip(batch, results):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)


@dataclass
class _ZoneCache:
    key: tuple = ()
    geojson: dict = field(default_factory=dict)


def create_app(service: DispatchService, settings: ServerSettings) -> FastAPI:
    """The FastAPI application serving ``service``."""
    decider = _Decider(service)
    zone_cache = _ZoneCache()

    async def ticker() -> None:
        while True:
            began = time.perf_counter()
            try:
                service.tick()
            except DronedelError as exc:  # a vehicle's trouble is an alert, never the end of the loop
                print(f"dronedel serve: tick: {exc}")
            await asyncio.sleep(max(0.0, TICK_S - (time.perf_counter() - began)))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(decider.run()), asyncio.create_task(ticker())]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            service.close()

    app = FastAPI(title="dronedel live dispatch", version="1", lifespan=lifespan,
                  description="Orders decided as they come against the 30-minute promise, the fleet flown and "
                              "watched. Positions are (lon, lat) degrees WGS84, heights metres, times ISO 8601.")
    app.add_middleware(_BodyLimit, limit=MAX_BODY_BYTES)

    # ------------------------------------------------------------------ errors
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
                    for e in exc.errors()]
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return _error(400, "the body is not valid JSON", problems=problems)
        text = "; ".join(f"{p['where']}: {p['problem']}" for p in problems[:5])
        return _error(422, f"invalid request: {text}", problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(_ApiError)
    async def api_error(request: Request, exc: _ApiError) -> JSONResponse:
        return _error(exc.status, exc.message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> JSONResponse:
        return _error(409, str(exc))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> JSONResponse:
        return _error(422, str(exc))

    # ------------------------------------------------------------------ security
    def token_of(request: Request, authorization: str | None, x_api_token: str | None) -> str | None:
        if authorization and authorization.lower().startswith("bearer "):
            return authorization[7:].strip()
        return x_api_token or (request.query_params.get("token") if request.method == "GET" else None)

    def check(given: str | None) -> None:
        if not given:
            raise _ApiError(401, "this request needs the API token (Authorization: Bearer TOKEN)")
        if not hmac.compare_digest(given.encode(), settings.token.encode()):
            raise _ApiError(403, "wrong API token")

    async def reader(request: Request, authorization: str | None = Header(None),
                     x_api_token: str | None = Header(None)) -> None:
        if settings.public:
            check(token_of(request, authorization, x_api_token))

    async def writer(request: Request, authorization: str | None = Header(None),
                     x_api_token: str | None = Header(None)) -> None:
        check(token_of(request, authorization, x_api_token))

    read, write = [Depends(reader)], [Depends(writer)]

    # ------------------------------------------------------------------ views
    def order_out(row: OrderRow) -> dict[str, Any]:
        f = service.store.flight(row.flight_id) if row.flight_id else None
        live = f is not None and f.state not in ("cancelled", "failed")
        return {"order_id": row.order_id, "status": row.status, "reason": row.reason, "detail": row.detail,
                "placed_at": service.iso(row.placed_s), "decided_at": service.iso(row.decided_s),
                "lon": row.lon, "lat": row.lat, "weight_kg": row.weight_kg, "flight_id": row.flight_id,
                "drone": f.drone if f else None, "pad": f.pad if f else None,
                "takeoff_at": service.iso(f.actual_takeoff_s or f.takeoff_s) if live else None,
                "door_eta": service.iso(row.eta_s)}

    def check_door(o: OrderIn, where: str) -> None:
        """Refuse a door that is far from the site but near it with lon and lat swapped."""
        site = service.config.site
        far = float(np.ravel(geodesic_distance(site.lon, site.lat, o.lon, o.lat))[0])
        if abs(o.lon) <= 90 and far > service.frame.max_radius_m:
            swapped = float(np.ravel(geodesic_distance(site.lon, site.lat, o.lat, o.lon))[0])
            if swapped <= service.frame.max_radius_m:
                raise _ApiError(422, f"{where}: lon {o.lon:g} and lat {o.lat:g} look swapped: the door would lie "
                                     f"{far / 1000:.0f} km from the site, {swapped / 1000:.1f} km with them "
                                     f"exchanged (coordinates are lon, lat)")

    def requests_of(orders: list[OrderIn], where: str) -> list[OrderRequest]:
        for k, o in enumerate(orders):
            check_door(o, where.format(k))
        return [OrderRequest(o.lon, o.lat, o.weight_kg, o.order_id) for o in orders]

    # ------------------------------------------------------------------ routes
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def dashboard() -> HTMLResponse:
        return HTMLResponse(resources.files("dronedel.service").joinpath("static/dashboard.html").read_text())

    @app.get("/api/status", dependencies=read, summary="Clock, wind, fleet size and order counts")
    async def status() -> dict[str, Any]:
        return service.status()

    @app.post("/api/orders", dependencies=write, status_code=201, response_model=OrderOut,
              summary="Place one order; the decision comes back at once")
    async def place(order: OrderIn) -> dict[str, Any]:
        rows = await decider.submit(requests_of([order], "body"))
        return order_out(rows[0])

    @app.post("/api/orders/batch", dependencies=write, status_code=201, response_model=BatchOut,
              summary="Place several orders; decided in their order, answered together")
    async def place_batch(batch: BatchIn) -> dict[str, Any]:
        rows = await decider.submit(requests_of(batch.orders, "body.orders.{}"))
        return {"orders": [order_out(r) for r in rows]}

    @app.get("/api/orders", dependencies=read, response_model=list[OrderOut], summary="Orders by status, newest first")
    async def orders(status: str | None = Query(None, pattern="^(" + "|".join(_STATUSES) + ")$"),
                     limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**9)) -> list[dict]:
        return [order_out(r) for r in service.store.orders(status, limit, offset)]

    @app.get("/api/orders/{order_id}", dependencies=read, response_model=OrderDetail,
             summary="One order, its decision and its history")
    async def order(order_id: str) -> dict[str, Any]:
        row = service.store.order(order_id)
        if row is None:
            raise NotFound(f"no order {order_id!r}")
        history = [event_out(e) for e in service.store.order_events(order_id)]
        return {**order_out(row), "history": history}

    @app.post("/api/orders/{order_id}/cancel", dependencies=write, response_model=OrderOut,
              summary="Cancel an order before its take-off")
    async def cancel(order_id: str) -> dict[str, Any]:
        return order_out(service.cancel(order_id))

    @app.get("/api/fleet", dependencies=read, response_model=list[DroneOut], summary="Every drone now")
    async def fleet() -> list[dict[str, Any]]:
        return service.fleet_view()

    @app.get("/api/flights/{flight_id}", dependencies=read,
             summary="A flight: plan, state, mission (QGroundControl .plan JSON), intent and track so far")
    async def flight(flight_id: int = Path(ge=1, le=2**62, description="the flight's id")) -> dict[str, Any]:
        f = service.flights.get(flight_id) or service.store.flight(flight_id)
        if f is None:
            raise NotFound(f"no flight {flight_id}")
        return flight_out(f)

    def flight_out(f: FlightRow) -> dict[str, Any]:
        route = np.asarray(f.route, float)
        lon, lat = service.frame.to_lonlat(route[:, 0], route[:, 1])
        times = {k: service.iso(getattr(f, k)) for k in
                 ("loading_s", "takeoff_s", "door_s", "land_s", "ready_s", "actual_takeoff_s", "actual_door_s",
                  "actual_land_s")}
        return {"flight_id": f.flight_id, "order_id": f.order_id, "drone": f.drone, "pad": f.pad, "state": f.state,
                "times": {k[:-2]: v for k, v in times.items()}, "energy_wh": f.energy_wh, "reserve_wh": f.reserve_wh,
                "distance_m": f.distance_m, "zones": f.zones, "wind": f.wind, "note": f.note,
                "route": {"type": "LineString", "coordinates": np.column_stack([lon, lat]).round(7).tolist()},
                "mission": plan_document(service.mission(f)),
                "intent": {**service.intent_export(f), "volumes": f.intent},
                "track": [{"t": service.iso(t), "lon": x, "lat": y, "alt_m": z}
                          for t, x, y, z in service.store.track(f.flight_id)]}

    @app.get("/api/zone", dependencies=read, summary="The dispatch zone now (GeoJSON) at the current wind")
    async def zone() -> dict[str, Any]:
        now = service.clock.now_s()
        key = (service.airspace_version, service.wind, service.live.context.activity.during(now))
        if zone_cache.key != key:
            zone_cache.geojson = await asyncio.to_thread(build_zone, now, service.wind)
            zone_cache.key = key
        return zone_cache.geojson

    def build_zone(now: float, wind: Wind) -> dict[str, Any]:
        cfg = service.config
        at = service.clock.at(now)
        router = Router.for_airspace(service.live.airspace, service.frame, band=(0.0, cfg.aircraft.cruise_alt_m),
                                     at=at, authorisations=cfg.airspace.authorisations, margin_m=cfg.planning.margin_m)
        return DispatchZone.build(router, cfg.aircraft, promise_s=cfg.planning.promise_s,
                                  loading_s=cfg.fleet.loading_s, wind=wind, at=at, sectors=36,
                                  tolerance_m=5.0).to_geojson()

    @app.get("/api/airspace", dependencies=read, summary="Every zone (GeoJSON) and whether it blocks flights now")
    async def airspace() -> dict[str, Any]:
        cfg = service.config
        at = service.clock.at(service.clock.now_s())
        air = service.live.airspace
        features = [{"type": "Feature", "geometry": shapely.geometry.mapping(z.geometry),
                     "properties": {"id": z.id, "name": z.name, "restriction": z.restriction.value, "kind": z.kind,
                                    "floor": str(z.floor), "ceiling": str(z.ceiling), "active": z.is_active(at),
                                    "blocking": z.exemption(0.0, cfg.aircraft.cruise_alt_m, air.ground_amsl_m, at,
                                                            None, cfg.airspace.authorisations) is None,
                                    "temporary": z.source == "service"}}
                    for z in air.zones]
        if air.operating_area is not None:
            features.insert(0, {"type": "Feature", "geometry": shapely.geometry.mapping(air.operating_area),
                                "properties": {"id": "operating_area", "kind": "operating_area"}})
        return {"type": "FeatureCollection", "features": features}

    @app.post("/api/restrictions", dependencies=write, status_code=201,
              summary="Activate a temporary restriction now; crossing flights are re-planned or cancelled")
    async def activate(body: RestrictionIn) -> dict[str, Any]:
        geometry = restriction_geometry(body)
        now = service.clock.now_s()
        until = now + body.minutes * 60 if body.minutes is not None else None
        if body.ceiling_m <= body.floor_m:
            raise _ApiError(422, "body.ceiling_m: must be above floor_m")
        affected = service.activate(RestrictionRow(body.zone_id, body.name, shapely.geometry.mapping(geometry),
                                                   body.floor_m, body.ceiling_m, now, until, None))
        return {"zone_id": body.zone_id, "affected_orders": affected}

    def restriction_geometry(body: RestrictionIn) -> shapely.Geometry:
        polygons = [body.geometry.coordinates] if body.geometry.type == "Polygon" else body.geometry.coordinates
        try:
            parts = [polygon_from_coordinates(p, "body", f"geometry polygon {k}") for k, p in enumerate(polygons)]
        except InputError as exc:
            raise _ApiError(422, str(exc)) from None
        geometry = shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]
        if not geometry.is_valid or geometry.is_empty:
            raise _ApiError(422, f"body.geometry: not a valid polygon ({shapely.is_valid_reason(geometry)})")
        return geometry

    @app.delete("/api/restrictions/{zone_id}", dependencies=write, summary="Lift a temporary restriction")
    async def lift(zone_id: str) -> dict[str, Any]:
        service.lift(zone_id)
        return {"zone_id": zone_id, "state": "lifted"}

    @app.put("/api/wind", dependencies=write, summary="Set the planning wind from now on")
    async def wind(body: WindIn) -> dict[str, Any]:
        service.set_wind(Wind(body.speed_ms, body.from_deg))
        return {"speed_ms": body.speed_ms, "from_deg": body.from_deg}

    def event_out(e: Any) -> dict[str, Any]:
        return {"seq": e.seq, "kind": e.kind, "t": service.iso(e.t_s), "order_id": e.order_id,
                "flight_id": e.flight_id, "data": e.data}

    @app.get("/api/alerts", dependencies=read, response_model=list[EventOut], summary="Latest alerts, newest first")
    async def alerts(limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
        return [event_out(e) for e in service.store.last_events(_ALERT_KINDS, limit)]

    @app.get("/api/events", dependencies=read, summary="Live Server-Sent Events stream",
             description="Events: decision, loading, takeoff, delayed, delivered, landed, ready, cancelled, "
                         "replanned, failed, alert, restriction, wind, positions (not logged, no id). Resume with "
                         "Last-Event-ID or ?after=SEQ to receive the logged events missed.",
             response_class=StreamingResponse)
    async def events(request: Request, after: int | None = Query(None, ge=0, le=2**62),
                     last_event_id: str | None = Header(None)) -> StreamingResponse:
        resume = last_event_id if (last_event_id or "").isdigit() and len(last_event_id) < 19 else None
        start = after if after is not None else (int(resume) if resume else None)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=5000)

        def listener(event: dict[str, Any]) -> None:
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a client this far behind reconnects with Last-Event-ID
                service.listeners.remove(listener)
                queue.get_nowait()
                queue.put_nowait(None)

        service.listeners.append(listener)

        async def stream() -> AsyncIterator[str]:
            try:
                yield "retry: 1000\n\n"
                last = start or 0
                if start is not None:
                    for e in service.store.events(after=start, limit=100_000):
                        last = e.seq
                        yield sse(event_out(e))
                while not await request.is_disconnected():
                    try:
                        event = await asyncio.wait_for(queue.get(), 10.0)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if event is None:
                        return
                    if event["seq"] is None or event["seq"] > last:
                        yield sse(event)
            finally:
                if listener in service.listeners:
                    service.listeners.remove(listener)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return app


def sse(event: dict[str, Any]) -> str:
    """One Server-Sent Events message (id = the event's sequence number when logged)."""
    head = f"id: {event['seq']}\n" if event.get("seq") is not None else ""
    return f"{head}event: {event['kind']}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n"
