"""``dronedel serve``: the live dispatch service (HTTP JSON API, event stream, dashboard)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import sys
from dataclasses import replace
from pathlib import Path

from ..airspace.parsing import parse_when
from ..dispatch import POLICIES
from ..errors import InputError
from .common import add_site_argument, site_from_args

__all__ = ["register", "run", "TOKEN_ENV", "parse_vehicles"]

#: Environment variable holding the API token (``--token`` wins).
TOKEN_ENV = "DRONEDEL_TOKEN"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="the live dispatch service: orders decided as they come, the fleet flown, an HTTP API and a dashboard",
        description="Serve the site's live dispatcher over HTTP: place orders and get their decisions at once, "
        "follow the fleet, flights and alerts, activate restrictions, set the wind; a Server-Sent Events stream "
        "and a dashboard at /. Everything is kept in the SQLite store (--db) and survives a restart. API "
        "documentation at /docs, the OpenAPI document at /openapi.json.",
    )
    add_site_argument(parser)
    parser.add_argument("--db", type=Path, default=Path("dronedel-service.sqlite"), metavar="PATH",
                        help="SQLite store (created if missing; default ./dronedel-service.sqlite)")
    parser.add_argument("--vehicles", default="none", metavar="none|sitl:N|LIST",
                        help="none: virtual drones flying their planned trajectories (default); sitl:N: N ArduPilot "
                        "SITL vehicles started here; LIST: comma-separated MAVLink endpoints of running vehicles "
                        "(tcp:HOST:PORT, udp:...), one per drone. sitl:N and LIST set the fleet size")
    parser.add_argument("--speedup", type=float, default=1.0, metavar="K",
                        help="service seconds per real second (default 1; SITL runs at the same speed-up)")
    parser.add_argument("--start", metavar="TIME", help="service clock's first instant for a new store "
                        "(ISO 8601, site time without an offset; default now)")
    parser.add_argument("--policy", choices=POLICIES, default="online",
                        help="dispatch policy: online (default), batch (a request's orders decided together), fcfs")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="TCP port (default 8080)")
    parser.add_argument("--token", help=f"API token for state-changing requests (default ${TOKEN_ENV}; without "
                        "either one is made up and printed; required beyond loopback)")
    parser.add_argument("--sitl-binary", type=Path, metavar="PATH", help="arducopter binary for sitl:N")
    parser.set_defaults(func=run)


def parse_vehicles(text: str) -> tuple[str, int | list[str]]:
    """``none`` -> ("none", 0); ``sitl:N`` -> ("sitl", N); ``A,B`` -> ("list", [A, B]); InputError otherwise."""
    text = text.strip()
    if text == "none":
        return "none", 0
    if text.startswith("sitl:"):
        count = text[5:]
        if not count.isdigit() or int(count) < 1:
            raise InputError(f"{text!r}: sitl:N needs a positive number of vehicles", "--vehicles")
        return "sitl", int(count)
    endpoints = [e.strip() for e in text.split(",") if e.strip()]
    bad = [e for e in endpoints if not e.split(":")[0] in ("tcp", "udp", "udpin", "udpout", "tcpin", "serial")]
    if not endpoints or bad:
        raise InputError(f"{(bad or [text])[0]!r} is not none, sitl:N or a MAVLink endpoint like tcp:HOST:PORT",
                         "--vehicles")
    return "list", endpoints


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from ..service.app import ServerSettings, create_app
    except ImportError as exc:
        raise InputError(f"the service needs the 'service' extra (pip install 'dronedel[service]'): {exc}") from None
    from ..service import DispatchService, ServiceOptions, Store
    from ..service.vehicles import fleet_factory

    config = site_from_args(args)
    if not args.speedup > 0:
        raise InputError("must be a positive number", "--speedup")
    if not 0 < args.port < 65536:
        raise InputError("must be a TCP port number", "--port")
    kind, spec = parse_vehicles(args.vehicles)
    if kind != "none":
        count = spec if kind == "sitl" else len(spec)
        config = replace(config, fleet=replace(config.fleet, drones=count))
    public = not _loopback(args.host)
    token = args.token or os.environ.get(TOKEN_ENV)
    if public and not token:
        raise InputError(f"listening on {args.host} needs an API token (--token or ${TOKEN_ENV})", "--host")
    if not token:
        token = secrets.token_urlsafe(24)
        print(f"API token (pass it as {TOKEN_ENV} or --token to dronedel replay): {token}", file=sys.stderr)
    start = None
    if args.start:
        try:
            start = parse_when(args.start, config.site.tz)
        except ValueError as exc:
            raise InputError(str(exc), "--start") from None
    options = ServiceOptions(policy=args.policy, speedup=args.speedup, start_at=start)
    service = DispatchService(config, Store(args.db), fleet_factory(kind, spec, config, args.speedup, args.sitl_binary),
                              options)
    service.recover()
    app = create_app(service, ServerSettings(token, public))
    print(f"dronedel serve: {config.site.name}, {len(service.drones)} drones ({args.vehicles}), store {args.db}, "
          f"x{args.speedup:g}; http://{args.host}:{args.port}/ (API docs /docs)", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                timeout_keep_alive=30)
    return 0
