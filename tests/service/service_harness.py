"""A real ``dronedel serve`` on a free loopback port, spoken to over HTTP (httpx): the tests' harness.

The server runs as a subprocess over a SQLite file in the test's temporary folder, with
virtual drones unless told otherwise; the example site's clock starts on its orders' day.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from dronedel.data import example_path

TOKEN = "test-token-0123456789"
SITE = example_path("site.toml")
#: Noon on the example's order day: its scheduled zones and busy hours.
START = "2026-06-13T12:00"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One ``dronedel serve`` process; :meth:`start` (again after :meth:`kill`) on the same store."""

    db: Path
    args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> float:
        """Start and wait until it answers; returns the seconds it took."""
        began = time.monotonic()
        self.log = self.db.with_suffix(f".{int(began * 1000)}.log")
        command = [sys.executable, "-m", "dronedel", "serve", "--site", str(SITE), "--db", str(self.db),
                   "--port", str(self.port), "--token", TOKEN, "--start", START, *self.args]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        while time.monotonic() - began < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"dronedel serve exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/status", timeout=1.0).status_code == 200:
                    return time.monotonic() - began
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"dronedel serve did not answer within {timeout_s} s: {self.log.read_text()}")

    def kill(self) -> None:
        """``kill -9``: no chance to flush or close anything."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self, token: str | None = TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30.0)


def wait_for(check, timeout_s: float = 30.0, step_s: float = 0.1):
    """Poll ``check()`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step_s)
    raise AssertionError(f"condition not met within {timeout_s} s")
