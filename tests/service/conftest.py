"""Fixtures for the service tests: real ``dronedel serve`` processes over stores in the test's folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("httpx", reason="the service tests need the 'service' extra (pip install '.[service]')")
pytest.importorskip("fastapi", reason="the service tests need the 'service' extra (pip install '.[service]')")

from service_harness import Server  # noqa: E402


@pytest.fixture
def make_server(tmp_path) -> Iterator:
    """Start servers over stores in ``tmp_path``: ``make_server(*args, db=name)``."""
    made: list[Server] = []

    def make(*args: str, db: str = "service.sqlite", start: bool = True) -> Server:
        server = Server(tmp_path / db, list(args))
        made.append(server)
        if start:
            server.start()
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """A server at 15x real time with the example's 8 virtual drones, shared by a module's tests."""
    shared = Server(tmp_path_factory.mktemp("service") / "service.sqlite", ["--speedup", "15"])
    shared.start()
    yield shared
    shared.stop()


@pytest.fixture
def api(server):
    with server.client() as client:
        yield client


