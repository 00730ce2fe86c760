"""A study through ``--scheduler``: a real ``dask scheduler`` and ``dask worker`` processes on loopback
give the same rows as a local run."""

import json
import subprocess
import sys
import time

import pytest

distributed = pytest.importorskip("dask.distributed")

from dronedel.cli import main  # noqa: E402
from study_files import write_study  # noqa: E402


def _start(args, log):
    return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
def cluster(tmp_path):
    """``dask scheduler`` on 127.0.0.1 (a free port) and ``dask worker`` with two processes; yields the address."""
    info = tmp_path / "scheduler.json"
    log = (tmp_path / "dask.log").open("w")
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(info)], log)]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            if procs[0].poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dask scheduler did not start: {(tmp_path / 'dask.log').read_text()}")
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        procs.append(_start(["worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard",
                             "--local-directory", str(tmp_path / "workers")], log))
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()


def test_rows_through_a_scheduler_equal_a_local_run(tmp_path, cluster, capsys):
    assert cluster.startswith("tcp://127.0.0.1:")
    study = write_study(tmp_path, fleets=(2, 5), orders=(40,), draws=2)
    assert main(["study", str(study), "-o", str(tmp_path / "remote"), "--scheduler", cluster, "--no-figures"]) == 0
    assert "4 cells, 4 computed" in capsys.readouterr().out
    assert main(["study", str(study), "-o", str(tmp_path / "local"), "--workers", "1", "--no-figures"]) == 0
    remote = (tmp_path / "remote" / "rows.csv").read_text()
    assert remote == (tmp_path / "local" / "rows.csv").read_text()
    assert len(remote.splitlines()) == 5
