"""Bad study input: one clear line naming the file and key (or the address), exit code 2, no traceback."""

import re
import socket

import pytest

from dronedel.cli import main
from study_files import EXAMPLE, write_study

SITE = EXAMPLE / "site.toml"
CLIMATE = EXAMPLE / "climate.toml"


def _study(axes='fleet = [2]\norders_per_day = [20]', site=f'file = "{SITE}"', weather=f'climate = "{CLIMATE}"',
           head='date = 2026-06-13'):
    return f"[study]\n{head}\n\n[[site]]\n{site}\n\n[axes]\n{axes}\n\n[weather]\n{weather}\n"


CASES = {
    "unknown section": (_study() + "\n[plot]\ndpi = 3\n", r"study.toml: unknown section\(s\) plot"),
    "unknown axis": (_study(axes="fleet = [2]\norders_per_day = [20]\nflets = [3]"),
                     r"study.toml: \[axes\]: unknown key\(s\) flets"),
    "unknown site key": (_study(site=f'file = "{SITE}"\ndensty = "uniform"'),
                         r"study.toml: \[\[site\]\] 1: unknown key\(s\) densty"),
    "empty fleet axis": (_study(axes="fleet = []\norders_per_day = [20]"),
                         r"study.toml: \[axes\] fleet: is empty: give at least one value"),
    "missing demand axis": (_study(axes="fleet = [2]"), r"study.toml: \[axes\] orders_per_day: missing"),
    "bad fleet": (_study(axes="fleet = [0, 2]\norders_per_day = [20]"), r"\[axes\] fleet: 0 is not a whole number"),
    "bad policy": (_study(axes='fleet = [2]\norders_per_day = [20]\npolicy = ["greedy"]'),
                   r"\[axes\] policy: 'greedy' is not a policy"),
    "missing site file": (_study(site='file = "nowhere/site.toml"'),
                          r"study.toml: \[site.1\] file: site file .*nowhere/site.toml not found"),
    "missing density file": (_study(site=f'file = "{SITE}"\ndensity = "pop.tif"'),
                             r"study.toml: \[site.1\] density: density file .*pop.tif not found"),
    "missing climate": (_study(weather='climate = "none.toml"'),
                        r"study.toml: \[weather\] climate: weather file .*none.toml not found"),
    "no weather": (_study(weather=""), r"study.toml: \[weather\] climate: give either climate"),
    "no date": (_study(head='name = "x"'), r"study.toml: \[study\] date: missing"),
    "bad metric": (_study(head='date = 2026-06-13\nmetric = "profit"'), r"\[study\] metric: 'profit' is not one of"),
    "no site": ("[study]\ndate = 2026-06-13\n[axes]\nfleet = [1]\norders_per_day = [1]\n",
                r"study.toml: \[\[site\]\]: no \[\[site\]\]"),
    "clusters without clusters": (_study(site=f'file = "{SITE}"\ndensity = "clusters"'),
                                  r"\[site.1\] cluster: density = \"clusters\" needs"),
    "bad profile": (_study() + "\n[demand]\nprofile = [1, 2, 3]\n", r"\[demand\] profile: the profile needs 24"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_study_files(tmp_path, capsys, case):
    text, message = CASES[case]
    path = write_study(tmp_path, body=text)
    assert main(["study", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dronedel study: error: ") and "Traceback" not in err
    assert re.search(message, err), err


def test_bad_density_files_fail_before_any_worker(tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text("lon,lat,weight\n-96.27,30.55,2\n-96.26,30.56,-1\n")
    path = write_study(tmp_path, body=_study(site=f'file = "{SITE}"\ndensity = "{points}"'))
    assert main(["study", str(path), "-o", str(tmp_path / "out")]) == 2
    assert "points.csv: row 3: weight -1 is negative" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_unreachable_scheduler(tmp_path, capsys):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = write_study(tmp_path, body=_study())
    address = f"tcp://127.0.0.1:{port}"
    assert main(["study", str(path), "-o", str(tmp_path / "out"), "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert f"dronedel study: error: --scheduler: {address}: cannot reach a Dask scheduler there" in err
    assert "Traceback" not in err


def test_bad_worker_count(tmp_path, capsys):
    assert main(["study", str(write_study(tmp_path, body=_study())), "-o", str(tmp_path), "--workers", "0"]) == 2
    assert "--workers: must be at least 1 worker" in capsys.readouterr().err
