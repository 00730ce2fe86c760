"""Benchmark the live dispatch service on loopback: a real ``dronedel serve`` spoken to over HTTP.

1. Load: orders placed at 10, 100, 200 and 300 orders/s for ``--seconds`` each by a bounded asyncio
   client (keep-alive HTTP/1.1 on asyncio streams, at most 64 requests in flight, open loop: sends
   keep to the rate whatever the answers), then a closed loop of 32 clients as fast as the service
   answers; decisions/s and decision latency (request sent to decision received) p50/p99.
2. A 10,000-order day (the example's doors, times spread over the day) replayed at a speed-up
   with the virtual drones flying; the server's resident memory sampled every second.
3. Restart-to-serving: ``kill -9`` with the full day in the store, time until it answers again.
4. 20 random ``kill -9`` restarts while a day is replayed (``dronedel replay``'s client, which
   retries an unanswered order with the same id): every order placed has its decision in the
   store afterwards, the one the client was told.
5. schemathesis against the OpenAPI document (every operation but the event stream): 5xx count.

    python bench/bench_service.py [--seconds 20] [--day-orders 10000] [--kills 20] [--out DIR]

Prints the figures, writes ``service.json`` and the figures (latency distribution, memory over
the day) into ``--out`` (default docs/figures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dronedel.cli.replay import replay_orders  # noqa: E402
from dronedel.config import load_site  # noqa: E402
from dronedel.data import example_path  # noqa: E402
from dronedel.fileio import save_figure, write_json  # noqa: E402
from dronedel.orders import Order, load_orders  # noqa: E402
from dronedel.service.launch import ServiceProcess  # noqa: E402

TOKEN = "bench-token"
SITE = example_path("site.toml")
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def doors() -> list[tuple[float, float, float]]:
    """The example day's doors and weights, to draw orders from."""
    config = load_site(SITE)
    book = load_orders(example_path("orders.csv"), config.site.tz, config.planning.start)
    return [(o.lon, o.lat, o.weight_kg) for o in book.orders]


class _Connection:
    """One keep-alive HTTP/1.1 connection that POSTs JSON and reads the answer (Content-Length framed, as
    uvicorn sends it). A load generator of a few lines of asyncio streams spends a small fraction of the
    CPU an HTTP client library would: on 2 cores, the generator must not be what limits the service."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, payload: dict) -> int:
        """POST ``payload`` to ``path``; the status code (599 if the connection failed)."""
        body = json.dumps(payload).encode()
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAuthorization: Bearer {TOKEN}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.write(head + body)
            lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            size = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
            await self.reader.readexactly(size)
            return int(lines[0].split()[1])
        except (OSError, asyncio.IncompleteReadError, StopIteration):
            self.close()
            return 599

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _endpoint(url: str) -> tuple[str, int]:
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    return host, int(port)


def _summary(latencies: list[float], wall: float) -> dict:
    lat = np.array(latencies)
    return {"orders": len(lat), "decisions_per_s": round(len(lat) / wall, 1),
            "p50_ms": round(float(np.percentile(lat, 50)), 1), "p99_ms": round(float(np.percentile(lat, 99)), 1)}


async def load(url: str, rate: float, seconds: float, pool: list, prefix: str) -> dict:
    """Open loop at ``rate`` orders/s for ``seconds`` (at most 64 in flight, one keep-alive connection
    each); latencies in ms, from the request sent to the decision received."""
    idle = [_Connection(*_endpoint(url)) for _ in range(64)]
    gate = asyncio.Semaphore(64)
    latencies, statuses = [], []

    async def one(k: int) -> None:
        lon, lat, kg = pool[k % len(pool)]
        async with gate:
            connection = idle.pop()
            began = time.perf_counter()
            status = await connection.post("/api/orders", {"order_id": f"{prefix}{k}", "lon": lon, "lat": lat,
                                                           "weight_kg": kg})
            idle.append(connection)
            statuses.append(status)
            if status < 500:
                latencies.append((time.perf_counter() - began) * 1000)

    began = time.perf_counter()
    tasks = []
    for k in range(int(rate * seconds)):
        delay = began + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(k)))
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - began
    for connection in idle:
        connection.close()
    return {"offered_per_s": rate, **_summary(latencies, wall), "orders": len(statuses),
            "errors": int(sum(s >= 400 for s in statuses)), "latencies_ms": latencies}


async def closed_loop(url: str, clients: int, seconds: float, pool: list, prefix: str) -> dict:
    """``clients`` clients each placing an order as soon as the last was answered."""
    latencies = []
    stop = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        connection = _Connection(*_endpoint(url))
        k = 0
        while time.perf_counter() < stop:
            lon, lat, kg = pool[(w * 1000 + k) % len(pool)]
            began = time.perf_counter()
            await connection.post("/api/orders", {"order_id": f"{prefix}{w}-{k}", "lon": lon, "lat": lat,
                                                  "weight_kg": kg})
            latencies.append((time.perf_counter() - began) * 1000)
            k += 1
        connection.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(clients)))
    return {"clients": clients, **_summary(latencies, time.perf_counter() - began)}


def day_orders(n: int, pool: list, start, seed: int = 0) -> list[Order]:
    """``n`` orders over 06:00-22:00 of the example day at the example's doors."""
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.uniform(6 * 3600, 22 * 3600, n))
    picks = rng.integers(0, len(pool), n)
    return [Order(f"D{k}", start + timedelta(seconds=float(t)), *pool[p], k) for k, (t, p) in
            enumerate(zip(seconds, picks))]


def orders_by_status(url: str) -> dict[str, int]:
    """How many orders the service holds in each status now (accepted ones move on to loading, airborne,
    delivered, or cancelled and failed with a reason)."""
    counts = {}
    with httpx.Client(base_url=url, headers=HEADERS, timeout=60.0) as client:
        for status in ("accepted", "loading", "airborne", "delivered", "cancelled", "failed"):
            n, offset = 0, 0
            while True:
                page = client.get("/api/orders", params={"status": status, "limit": 1000, "offset": offset}).json()
                n, offset = n + len(page), offset + 1000
                if len(page) < 1000:
                    break
            counts[status] = n
    return counts


def stored_decisions(url: str, ids: list[str]) -> dict[str, dict]:
    """Each order's first logged decision, as the store has it now."""
    out = {}
    with httpx.Client(base_url=url, headers=HEADERS, timeout=60.0) as client:
        for order_id in ids:
            r = client.get(f"/api/orders/{order_id}")
            if r.status_code == 200:
                first = r.json()["history"][0]["data"]
                out[order_id] = {k: first.get(k) for k in ("status", "reason", "drone", "door_eta")}
    return out


async def replay_with_kills(server: ServiceProcess, orders: list[Order], speedup: float, kills: int,
                            rng: random.Random) -> dict:
    """Replay ``orders`` while ``kills`` kill -9 + restarts happen at random instants."""
    span = (orders[-1].placed_at - orders[0].placed_at).total_seconds() / speedup
    gap = span / (kills + 1)
    restarts = []

    async def killer() -> None:
        for _ in range(kills):  # each kill at a random instant of the service's next up-time
            await asyncio.sleep(rng.uniform(0.2, 1.8) * gap)
            server.kill()
            restarts.append(await asyncio.to_thread(server.start))

    told, _ = await asyncio.gather(replay_orders(orders, server.url, TOKEN, speedup=speedup, retry_s=3600.0),
                                   killer())
    return {"told": told, "restarts_s": restarts}


def schemathesis_5xx(url: str, examples: int, work: Path) -> dict:
    """Run schemathesis (check: not_a_server_error) over every operation but the event stream."""
    # the command installed beside this interpreter, whether or not its environment is activated
    command = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{url}/openapi.json", "--checks",
               "not_a_server_error", "-H", f"Authorization: Bearer {TOKEN}", "--exclude-path", "/api/events",
               "--max-examples", str(examples), "--workers", "1", "--request-timeout", "120"]
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=work)  # its cache stays out of the tree
    tail = "\n".join(result.stdout.strip().splitlines()[-12:])
    errors = sum(line.strip().startswith("- ST101 Server error") for line in result.stdout.splitlines())
    return {"exit_code": result.returncode, "seconds": round(time.perf_counter() - began, 1),
            "server_errors": errors, "summary": tail}


def plot(results: dict, memory: list[tuple[float, float, int]] | None, out: Path) -> list[Path]:
    paths = []
    timed = [run for run in results.get("load", []) if "latencies_ms" in run]
    fig, ax = plt.subplots(figsize=(6.4, 3.6)) if timed else (None, None)
    for run in timed:
        lat = np.sort(run["latencies_ms"])
        ax.plot(lat, np.linspace(0, 1, len(lat)), label=f"{run['offered_per_s']:g} orders/s offered")
    if timed:
        ax.set_xscale("log")
        ax.set_xlabel("decision latency (ms, request to answer)")
        ax.set_ylabel("share of orders")
        ax.grid(True, alpha=0.3)
        ax.legend()
        ax.set_title("dronedel serve on loopback, 2 cores")
        paths.append(save_figure(fig, out / "service_latency.png"))
    if memory is None:
        return paths
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    t, rss, placed = (np.array(c) for c in zip(*memory))
    ax.plot(t, rss, color="C3")
    ax.set_xlabel("wall seconds into the replayed day")
    ax.set_ylabel("server resident memory (MB)", color="C3")
    twin = ax.twinx()
    twin.plot(t, placed, color="C0")
    twin.set_ylabel("orders placed", color="C0")
    ax.set_title(f"{results['day']['orders']:,}-order day at {results['day']['speedup']:g}x")
    paths.append(save_figure(fig, out / "service_memory.png"))
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds per load level")
    parser.add_argument("--day-orders", type=int, default=10_000)
    parser.add_argument("--day-speedup", type=float, default=240.0)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--kill-orders", type=int, default=1500)
    parser.add_argument("--examples", type=int, default=30, help="schemathesis examples per operation")
    parser.add_argument("--out", type=Path, default=Path("docs/figures"))
    parser.add_argument("--phases", default="load,day,kills,schema",
                        help="which parts to run (load, day, kills, schema)")
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    pool = doors()
    config = load_site(SITE)
    start = config.planning.start
    args.out.mkdir(parents=True, exist_ok=True)
    saved = args.out / "service.json"
    results: dict = json.loads(saved.read_text()) if saved.exists() else {}
    work = Path(tempfile.mkdtemp(prefix="bench-service-"))
    if "load" in phases:
        run_load(args, results, pool, work)
    memory = run_day(args, results, pool, start, work) if "day" in phases else None
    if "kills" in phases:
        run_kills(args, results, pool, start, work)
    if "schema" in phases:
        run_schema(args, results, work)
    paths = plot(results, memory, args.out)
    for run in results.get("load", []):
        run.pop("latencies_ms", None)
    write_json(saved, results)
    print("figures:", *paths)
    return 0


def run_load(args: argparse.Namespace, results: dict, pool: list, work: Path) -> None:
    """Part 1: load levels and the closed loop."""
    results["load"] = []

    # 1. load at 10, 100, 200 and 300 orders/s, then closed loop
    server = ServiceProcess(SITE, work / "load.sqlite", TOKEN, ["--start", "2026-06-13T08:00"])
    server.start()
    try:
        for rate in (10.0, 100.0, 200.0, 300.0):
            run = asyncio.run(load(server.url, rate, args.seconds, pool, f"L{int(rate)}-"))
            results["load"].append(run)
            print(f"load {rate:g}/s: {run['decisions_per_s']} decisions/s, p50 {run['p50_ms']} ms, "
                  f"p99 {run['p99_ms']} ms, {run['errors']} errors", flush=True)
        results["closed_loop"] = asyncio.run(closed_loop(server.url, 32, args.seconds, pool, "C"))
        print(f"closed loop, 32 clients: {results['closed_loop']}", flush=True)
    finally:
        server.stop()


def run_schema(args: argparse.Namespace, results: dict, work: Path) -> None:
    """Part 5: schemathesis against a fresh server."""
    server = ServiceProcess(SITE, work / "schema.sqlite", TOKEN, ["--start", "2026-06-13T08:00"])
    server.start()
    try:
        results["schemathesis"] = schemathesis_5xx(server.url, args.examples, work)
        print(f"schemathesis: exit {results['schemathesis']['exit_code']}\n{results['schemathesis']['summary']}",
              flush=True)
    finally:
        server.stop()



def run_day(args: argparse.Namespace, results: dict, pool: list, start, work: Path) -> list:
    """Parts 2 and 3: a whole day's memory, restart-to-serving with it in the store."""
    # 2. + 3. a whole day at speed-up, memory; restart with the full day in the store
    day = day_orders(args.day_orders, pool, start)
    server = ServiceProcess(SITE, work / "day.sqlite", TOKEN,
                            ["--start", "2026-06-13T06:00", "--speedup", str(args.day_speedup)])
    server.start()
    memory: list[tuple[float, float, int]] = []
    began = time.monotonic()
    done = {"n": 0}

    async def day_run() -> list[dict]:
        async def sample() -> None:
            while done["n"] < len(day):
                memory.append((time.monotonic() - began, server.rss_mb(), done["n"]))
                await asyncio.sleep(1.0)
        task = asyncio.create_task(sample())
        out = await replay_orders(day, server.url, TOKEN, speedup=args.day_speedup, concurrency=64,
                                  progress=lambda n, total: done.__setitem__("n", n))
        await task
        return out
    told = asyncio.run(day_run())
    wall = time.monotonic() - began
    memory.append((wall, server.rss_mb(), len(day)))
    statuses = {}
    for d in told:
        statuses[d.get("status")] = statuses.get(d.get("status"), 0) + 1
    results["day"] = {"orders": len(day), "speedup": args.day_speedup, "wall_s": round(wall, 1),
                      "peak_rss_mb": round(max(m[1] for m in memory), 1), "final_rss_mb": round(memory[-1][1], 1),
                      "statuses": statuses, "at_the_end": orders_by_status(server.url)}
    print(f"day: {results['day']}", flush=True)
    server.kill()
    results["restart_to_serving_s"] = round(server.start(), 2)
    print(f"restart with {len(day)} orders in the store: serving after {results['restart_to_serving_s']} s",
          flush=True)
    server.stop()

    return memory


def run_kills(args: argparse.Namespace, results: dict, pool: list, start, work: Path) -> None:
    """Part 4: random kill -9 restarts during a replayed day."""
    # 4. random kill -9 restarts during a replayed day
    rng = random.Random(1)
    server = ServiceProcess(SITE, work / "kills.sqlite", TOKEN,
                            ["--start", "2026-06-13T06:00", "--speedup", str(args.day_speedup)])
    server.start()
    orders = day_orders(args.kill_orders, pool, start, seed=1)
    run = asyncio.run(replay_with_kills(server, orders, args.day_speedup, args.kills, rng))
    stored = stored_decisions(server.url, [o.order_id for o in orders])
    decided = [(o, t) for o, t in zip(orders, run["told"]) if "order_id" in t]
    lost = [o.order_id for o, t in decided if o.order_id not in stored]
    # answers the client got from its POST (a GET after a 409 shows the order as it is now)
    changed = [o.order_id for o, t in decided if o.order_id in stored and "history" not in t
               and (stored[o.order_id]["reason"], stored[o.order_id]["drone"]) != (t["reason"], t["drone"])]
    unanswered = sum(t.get("status") == "unanswered" for t in run["told"])
    results["kills"] = {"kills": args.kills, "orders": len(orders), "decided": len(decided), "lost": len(lost),
                        "decision_changed": len(changed), "unanswered": unanswered,
                        "restart_s_mean": round(float(np.mean(run["restarts_s"])), 2),
                        "restart_s_max": round(float(np.max(run["restarts_s"])), 2)}
    print(f"kill -9 x{args.kills}: {results['kills']}", flush=True)
    server.stop()



if __name__ == "__main__":
    sys.exit(main())
