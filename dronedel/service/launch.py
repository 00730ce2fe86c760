"""Run ``dronedel serve`` as a child process: start it, wait until it answers, stop or ``kill -9`` it.

Used by the end-to-end tests and the service benchmark, which speak to the real server over
HTTP; needs the ``service`` extra (httpx).
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

__all__ = ["ServiceProcess", "free_port"]


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServiceProcess:
    """``dronedel serve --site SITE --db DB --port PORT --token TOKEN ARGS...`` on 127.0.0.1.

    :meth:`start` may be called again after :meth:`kill` or :meth:`stop`: the same store, the same
    port. Each start's output goes to ``DB.<ms>.log`` beside the store.
    """

    site: Path
    db: Path
    token: str
    args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        """The service's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> float:
        """Start and wait until ``/api/status`` answers; returns the seconds that took."""
        import httpx

        began = time.monotonic()
        self.log = self.db.with_suffix(f".{int(time.time() * 1000)}.log")
        command = [sys.executable, "-m", "dronedel", "serve", "--site", str(self.site), "--db", str(self.db),
                   "--port", str(self.port), "--token", self.token, *self.args]
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
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"dronedel serve did not answer within {timeout_s:g} s: {self.log.read_text()}")

    def kill(self) -> None:
        """``kill -9``: the process gets no chance to flush or close anything."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """Ask it to stop (SIGTERM), then kill it if it does not within 10 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_mb(self) -> float:
        """The process's resident memory (MB, Linux /proc)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")
