"""What the service tests share: the example site, the token, a server over a store, polling."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from dronedel.data import example_path
from dronedel.service.launch import ServiceProcess

TOKEN = "test-token-0123456789"
SITE = example_path("site.toml")
#: Noon on the example's order day: its scheduled zones and busy hours.
START = "2026-06-13T12:00"


class Server(ServiceProcess):
    """``dronedel serve`` on the example site from :data:`START`, with :data:`TOKEN`."""

    def __init__(self, db: Path, args: list[str]) -> None:
        super().__init__(SITE, db, TOKEN, ["--start", START, *args])

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
