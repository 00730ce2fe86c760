import os
import stat

import pytest

from dronedel.errors import InputError
from dronedel.fileio import read_text, write_json, write_text


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


def test_read_text_names_the_file_it_cannot_read(tmp_path):
    with pytest.raises(InputError, match=r"gone\.txt: file not found"):
        read_text(tmp_path / "gone.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match=r"binary\.txt: not a text file"):
        read_text(binary)


def test_read_text_keeps_newlines_and_falls_back(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbfcaf\xe9\r\n")
    assert read_text(path, "utf-8-sig", fallback="latin-1") == "\xef\xbb\xbfcaf\xe9\r\n"
    path.write_bytes("\ufeffcafé\r\n".encode())
    assert read_text(path, "utf-8-sig") == "café\r\n"
