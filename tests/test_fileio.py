import os
import stat

import pytest

from dronedel.fileio import write_json, write_text


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "sub" / "out.json"
    write_json(path, {"a": 1})
    write_json(path, {"a": 2})
    assert path.read_text() == '{\n  "a": 2\n}\n'
    assert os.listdir(path.parent) == ["out.json"]


def test_written_files_get_the_usual_mode(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = write_text(tmp_path / "a.txt", "x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "out.json"
    write_json(path, {"ok": True})
    with pytest.raises(ValueError):
        write_json(path, {"bad": float("nan")})
    assert path.read_text() == '{\n  "ok": true\n}\n'
    assert os.listdir(tmp_path) == ["out.json"]
