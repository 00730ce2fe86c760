"""The golden missions in missions/ are exactly what `dronedel mission golden missions` writes today."""

from __future__ import annotations

from pathlib import Path

from dronedel.cli import main

GOLDEN = Path(__file__).resolve().parent.parent / "missions"


def test_golden_missions_regenerate_byte_for_byte(tmp_path):
    assert main(["mission", "golden", str(tmp_path)]) == 0
    ours = sorted(p.name for p in tmp_path.iterdir())
    golden = sorted(p.name for p in GOLDEN.iterdir() if p.name != "README.md")
    assert ours == golden
    for name in ours:
        assert (tmp_path / name).read_bytes() == (GOLDEN / name).read_bytes(), (
            f"missions/{name} differs; regenerate with: dronedel mission golden missions")
