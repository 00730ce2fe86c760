"""`dronedel mission`, `upload` and `download` from the command line."""

from __future__ import annotations

from pathlib import Path

from dronedel.cli import main
from dronedel.formats import read_mission
from fake_vehicle import FakeVehicle

DATA = Path(__file__).parent / "data" / "formats"


def test_convert_and_check(tmp_path, capsys):
    assert main(["mission", "convert", str(DATA / "delivery.waypoints"), str(tmp_path / "d.plan")]) == 0
    assert main(["mission", "check", str(tmp_path / "d.plan"), "--plot", str(tmp_path / "d.png")]) == 0
    out = capsys.readouterr().out
    assert "d.plan: ok" in out and "payload_place" in out and (tmp_path / "d.png").stat().st_size > 10_000


def test_check_reports_problem_with_place(tmp_path, capsys):
    text = (DATA / "delivery.waypoints").read_text().replace("\t60\t1\n2", "\t90\t1\n2", 1)
    (tmp_path / "high.waypoints").write_text(text)
    for companion in ("fence.waypoints", "rally.waypoints", "param"):
        (tmp_path / f"high.{companion}").write_text((DATA / f"delivery.{companion}").read_text())
    assert main(["mission", "check", str(tmp_path / "high.waypoints")]) == 2
    err = capsys.readouterr().err
    assert "high.waypoints: item 1 (NAV_TAKEOFF): altitude 90 m is above FENCE_ALT_MAX 75 m" in err


def test_bad_file_is_one_line_error(capsys):
    assert main(["mission", "convert", str(DATA / "nan.waypoints"), "x.plan"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("nan.waypoints: line 4: latitude 'nan' is not a finite number") and "\n" not in err


def test_upload_and_download(tmp_path, capsys):
    with FakeVehicle() as vehicle:
        args = ["--connect", vehicle.address, "--timeout", "0.3", "--heartbeat-timeout", "5"]
        assert main(["upload", str(DATA / "delivery.waypoints"), *args, "--verify"]) == 0
        assert "uploaded 7 mission items, 8 fence items, 2 rally points; set FENCE_ACTION" in capsys.readouterr().out
        assert vehicle.params["FENCE_ALT_MAX"] == 75
    with FakeVehicle() as vehicle:
        vehicle.lists = {0: [i.to_message() for i in read_mission(DATA / "delivery.waypoints").items], 1: [], 2: []}
        assert main(["download", str(tmp_path / "got.plan"), "--connect", vehicle.address, "--timeout", "0.3"]) == 0
    assert read_mission(tmp_path / "got.plan").items == read_mission(DATA / "delivery.waypoints").items


def test_upload_refuses_invalid_mission_before_connecting(tmp_path, capsys):
    assert main(["upload", str(DATA / "delivery.waypoints"), "--connect", "tcp:127.0.0.1:9",
                 "--fence", str(DATA / "delivery.rally.waypoints")]) == 2
    assert "expected a fence list, found a rally list" in capsys.readouterr().err


def test_upload_to_nobody_fails_cleanly(capsys):
    assert main(["upload", str(DATA / "delivery.waypoints"), "--connect", "tcp:127.0.0.1:9",
                 "--heartbeat-timeout", "1"]) == 2
    err = capsys.readouterr().err
    assert "dronedel upload: error:" in err and "Traceback" not in err


def test_build_from_orders(tmp_path, capsys):
    from dronedel.data import example_path

    assert main(["mission", "build", "--site", str(example_path("site.toml")), "--orders",
                 str(example_path("orders.csv")), "-o", str(tmp_path), "--first", "2", "--delivery", "winch",
                 "--plot"]) == 0
    assert "2 mission(s), 12 file(s)" in capsys.readouterr().out  # 5 files and a map each
    plans = sorted(tmp_path.glob("*.plan"))
    assert len(plans) == 2 and len(list(tmp_path.glob("*.png"))) == 2
    assert all(read_mission(p).delivery == "winch" for p in plans)
