"""SITL process life cycle and vehicle faults, against a fake arducopter (tests/data/sitl/fake_arducopter.py)."""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dronedel.config import Wind
from dronedel.mission.items import FRAME_RELATIVE, Mission, MissionItem, home_item, mavlink
from dronedel.sitl.errors import ArmingRefused, LinkLost, SitlCrashed
from dronedel.sitl.flight import fly
from dronedel.sitl.process import Home, SitlOptions, SitlProcess, instance_ports, reserve_instance
from dronedel.sitl.vehicle import Vehicle

FAKE = Path(__file__).parent / "data" / "sitl" / "fake_arducopter.py"
HOME = Home(-96.3344, 30.628, 96.0, 90.0)
# Instance numbers far from the ones SITL runs on this machine use.
FIRST_INSTANCE = 40


@pytest.fixture
def fake_binary(tmp_path):
    script = tmp_path / "arducopter"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n')
    script.chmod(0o755)
    return script


@pytest.fixture
def options(fake_binary, tmp_path):
    params = tmp_path / "quad.parm"
    params.write_text("FRAME_CLASS 1\n")
    return SitlOptions(fake_binary, HOME, (params,), speedup=50.0, wind=Wind(8.0, 270.0),
                       instance=reserve_instance(FIRST_INSTANCE).number)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie left for its parent to reap is dead too.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def _fake_pid(proc: SitlProcess, timeout_s: float = 10.0) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        path = proc.workdir / "args.json"
        if path.exists() and path.stat().st_size:
            return json.loads(path.read_text())["pid"]
        time.sleep(0.02)
    raise AssertionError("fake arducopter did not start")


def test_reserve_instance_skips_locked_numbers_and_busy_ports(tmp_path):
    first = reserve_instance(FIRST_INSTANCE, tmp_path)
    busy = first.number + 1
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", instance_ports(busy)[0][0]))
        listener.listen(1)
        second = reserve_instance(FIRST_INSTANCE, tmp_path)
    assert second.number == busy + 1
    first.release()
    assert reserve_instance(FIRST_INSTANCE, tmp_path).number == first.number
    second.release()


def test_command_line_working_folder_and_cleanup(options, tmp_path):
    frame = tmp_path / "frame.json"
    frame.write_text('{"refSpd": 25}')
    # no instance given: the process reserves a free one and holds its lock while running
    options = SitlOptions(options.binary, options.home, options.param_files, speedup=50.0,
                          wind=Wind(8.0, 270.0), turbulence_ms=1.5, params={"ANGLE_MAX": 4500}, frame_file=frame)
    with SitlProcess(options) as proc:
        pid = _fake_pid(proc)
        args = json.loads((proc.workdir / "args.json").read_text())
        workdir = proc.workdir
        overrides = (workdir / "overrides.parm").read_text().split("\n")
        assert Path(args["cwd"]) == workdir
        assert args["home"] == "30.62800000,-96.33440000,96.00,90.0"
        assert args["model"] == "quad:frame.json" and (workdir / "frame.json").read_text() == '{"refSpd": 25}'
        assert args["instance"] == proc.instance and args["wipe"] and args["speedup"] == 50.0
        assert args["defaults"].split(",") == [str(options.param_files[0].resolve()), str(workdir / "overrides.parm")]
        assert {"SIM_WIND_SPD 8", "SIM_WIND_DIR 270", "SIM_WIND_TURB 1.5", "ANGLE_MAX 4500"} <= set(overrides)
        instance = proc.instance
        assert reserve_instance(instance).number != instance  # held
    assert not _alive(pid)
    assert not workdir.exists()
    again = reserve_instance(instance)
    assert again.number == instance  # released
    again.release()


def test_vehicle_gets_ready_switches_mode_and_arms(options):
    with SitlProcess(options) as proc:
        vehicle = Vehicle.connect(proc, timeout_s=20)
        vehicle.request_rates()
        vehicle.wait_ready_to_arm(20)
        vehicle.set_mode("AUTO")
        vehicle.arm(20)
        assert vehicle.armed and vehicle.mode == "AUTO"
        assert vehicle.time_s > 0
        vehicle.close()


def test_refusal_to_arm_reports_the_reason(options, monkeypatch):
    monkeypatch.setenv("FAKE_ARDUCOPTER", "refuse_arm=Fence requires position")
    with SitlProcess(options) as proc:
        vehicle = Vehicle.connect(proc, timeout_s=20)
        with pytest.raises(ArmingRefused) as info:
            vehicle.arm(20)
        assert info.value.reasons == ["PreArm: Fence requires position"]
        assert info.value.kind == "arming_refused"


def test_crash_is_reported_with_exit_code_and_output(options, monkeypatch):
    monkeypatch.setenv("FAKE_ARDUCOPTER", "crash_after=0.5")
    with SitlProcess(options) as proc:
        vehicle = Vehicle.connect(proc, timeout_s=20)
        with pytest.raises(SitlCrashed) as info:
            vehicle.wait_sim(10_000, timeout_s=20)
        assert info.value.returncode == 3
        assert "SERIAL0 on TCP port" in info.value.output_tail


def test_silent_vehicle_is_a_lost_link(options, monkeypatch):
    monkeypatch.setenv("FAKE_ARDUCOPTER", "silent_after=0.3")
    with SitlProcess(options) as proc:
        vehicle = Vehicle.connect(proc, timeout_s=20, link_timeout_s=1.0)
        started = time.monotonic()
        with pytest.raises(LinkLost):
            vehicle.wait_sim(10_000, timeout_s=20)
        assert time.monotonic() - started < 5


def test_panic_is_a_crash(options, monkeypatch):
    monkeypatch.setenv("FAKE_ARDUCOPTER", "panic")
    with SitlProcess(options) as proc:
        with pytest.raises(SitlCrashed, match="panicked"):
            proc.wait_listening(10)


def test_fly_survives_a_crash_and_records_it(options, monkeypatch):
    monkeypatch.setenv("FAKE_ARDUCOPTER", "crash_on=COMMAND_LONG")
    mission = Mission((home_item(HOME.lon, HOME.lat, HOME.alt_amsl_m),
                       MissionItem(0, FRAME_RELATIVE, mavlink.MAV_CMD_NAV_TAKEOFF, z=60.0)), name="crash")
    with SitlProcess(options) as proc:
        vehicle = Vehicle.connect(proc, timeout_s=20)
        record = fly(vehicle, mission, ready_timeout_s=20)
    assert record.fault is not None and record.fault.kind == "crash"
    assert not record.completed


_PARENT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from dronedel.sitl.process import Home, SitlOptions, SitlProcess
    options = SitlOptions(Path(sys.argv[1]), Home(-96.3, 30.6, 96.0), (Path(sys.argv[2]),), instance=int(sys.argv[3]))
    proc = SitlProcess(options).start()
    proc.wait_listening(20)
    print(proc.workdir, flush=True)
    if sys.argv[4] == "exit":
        sys.exit(0)
    time.sleep(60)
""")


@pytest.mark.parametrize("how", ["exit", "SIGTERM", "SIGINT", "SIGKILL"])
def test_sitl_dies_with_its_parent(options, how):
    """Leaving without stop(), a SIGTERM/SIGINT, or even SIGKILL of the parent ends SITL."""
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, str(options.binary), str(options.param_files[0]), str(options.instance), how],
        stdout=subprocess.PIPE, text=True,
    )
    workdir = Path(parent.stdout.readline().strip())
    args = workdir / "args.json"
    deadline = time.monotonic() + 10
    while not (args.exists() and args.stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.02)
    pid = json.loads(args.read_text())["pid"]
    if how != "exit":
        parent.send_signal(getattr(signal, how))
    parent.wait(10)
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
