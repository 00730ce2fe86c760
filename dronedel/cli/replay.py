"""``dronedel replay``: feed an orders file into a running service at the file's times."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sys
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import InputError
from ..orders import Order, load_orders
from .common import print_table, progress_printer
from .serve import TOKEN_ENV

__all__ = ["register", "run", "replay_orders"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="feed an orders file into a running dronedel serve at the file's times",
        description="Place the orders of ORDERS.csv on a running service (dronedel serve) one by one at the "
        "file's times (relative to the first order), --speedup times faster; print the decisions by status and "
        "reason. A service that restarts meanwhile is waited for; an order already placed is not placed twice.",
    )
    parser.add_argument("orders", type=Path, metavar="ORDERS.csv", help="orders file: order_id,placed_at,lon,lat,weight_kg")
    parser.add_argument("--to", required=True, metavar="URL", help="the service, e.g. http://127.0.0.1:8080")
    parser.add_argument("--speedup", type=float, default=1.0, metavar="K",
                        help="replay K times faster than the file's times (use the service's --speedup)")
    parser.add_argument("--token", help=f"API token (default ${TOKEN_ENV})")
    parser.add_argument("--timezone", default="UTC", help="time zone of placed_at values without an offset "
                        "(only differences between them count; default UTC)")
    parser.add_argument("--concurrency", type=int, default=32, metavar="N", help="requests in flight at most")
    parser.add_argument("--retry-s", type=float, default=60.0, metavar="S",
                        help="how long to keep retrying an order while the service is unreachable (default 60)")
    parser.set_defaults(func=run)


async def replay_orders(orders: list[Order], url: str, token: str, *, speedup: float = 1.0, concurrency: int = 32,
                        retry_s: float = 60.0, progress=None) -> list[dict]:
    """Place ``orders`` on the service at ``url`` at their times / ``speedup``; the decisions, in order.

    An order whose request fails to get an answer is retried (the same id) for ``retry_s`` seconds; a 409
    (already placed before a restart) fetches the stored decision instead.
    """
    import httpx

    if not orders:
        return []
    t0 = orders[0].placed_at
    began = time.monotonic()
    gate = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    out: list[dict] = [{} for _ in orders]
    done = 0

    async with httpx.AsyncClient(base_url=url.rstrip("/"), headers=headers, timeout=30.0) as client:
        async def place(k: int, o: Order) -> None:
            nonlocal done
            body = {"order_id": o.order_id, "lon": o.lon, "lat": o.lat, "weight_kg": o.weight_kg}
            deadline = time.monotonic() + retry_s
            async with gate:
                while True:
                    try:
                        r = await client.post("/api/orders", json=body)
                        if r.status_code == 409:
                            r = await client.get(f"/api/orders/{o.order_id}")
                        if r.status_code >= 500:
                            raise httpx.TransportError(f"HTTP {r.status_code}")
                        out[k] = r.json() if r.status_code < 300 else {"status": f"error {r.status_code}",
                                                                      "reason": r.json().get("error")}
                        break
                    except httpx.TransportError as exc:
                        if time.monotonic() > deadline:
                            out[k] = {"status": "unanswered", "reason": str(exc) or type(exc).__name__}
                            break
                        await asyncio.sleep(0.2)
            done += 1
            if progress is not None:
                progress(done, len(orders))

        tasks = []
        for k, o in enumerate(orders):
            wait = began + (o.placed_at - t0).total_seconds() / speedup - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(place(k, o)))
        await asyncio.gather(*tasks)
    return out


def run(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("httpx") is None:
        raise InputError("dronedel replay needs the 'service' extra (pip install 'dronedel[service]')")
    if not args.speedup > 0:
        raise InputError("must be a positive number", "--speedup")
    if args.concurrency < 1:
        raise InputError("must be at least 1", "--concurrency")
    token = args.token or os.environ.get(TOKEN_ENV)
    if not token:
        raise InputError(f"the service's API token is needed (--token or ${TOKEN_ENV})", "--token")
    try:
        tz = ZoneInfo(args.timezone)
    except (KeyError, ValueError):
        raise InputError(f"unknown time zone {args.timezone!r}", "--timezone") from None
    book = load_orders(args.orders, tz)
    for problem in book.problems:
        print(f"warning: {problem} (not sent)", file=sys.stderr)
    span = (book.orders[-1].placed_at - book.orders[0].placed_at).total_seconds() if book.orders else 0.0
    print(f"replaying {len(book.orders)} orders over {span / 60 / args.speedup:.1f} min to {args.to}",
          file=sys.stderr)
    decisions = asyncio.run(replay_orders(list(book.orders), args.to, token, speedup=args.speedup,
                                          concurrency=args.concurrency, retry_s=args.retry_s,
                                          progress=progress_printer("replay", min_total=1)))
    by = Counter((d.get("status"), d.get("reason")) for d in decisions)
    print_table(["orders", "status", "reason"], [[n, s, r or ""] for (s, r), n in by.most_common()])
    return 0 if not any(d.get("status") in ("unanswered",) for d in decisions) else 1
