"""``dronedel serve`` starts without importing the other subcommands' modules (a restart answers sooner), and
``dronedel --help`` still lists every subcommand."""

from __future__ import annotations

import subprocess
import sys

from dronedel.cli import COMMAND_MODULES

#: Imported by other subcommands (plots, studies), never needed to serve.
HEAVY = ("matplotlib", "dask", "distributed", "pandas", "pyarrow")

_PROBE = f"""
import sys
from dronedel.cli import main
try:
    main(["serve", "--help"])
except SystemExit:
    pass
print("imported:", *(m for m in {HEAVY!r} if m in sys.modules))
"""


def test_serve_imports_only_its_own_command():
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True).stdout
    assert "--vehicles" in out
    assert out.strip().splitlines()[-1] == "imported:"  # none of HEAVY


def test_help_lists_every_command_with_its_help():
    out = subprocess.run([sys.executable, "-m", "dronedel", "--help"], capture_output=True, text=True,
                         check=True).stdout
    listed = out.split("commands:")[1]
    for name in COMMAND_MODULES:
        assert f"\n    {name}  " in listed or f"\n    {name}\n" in listed, name
    assert "network study on Dask" in listed and "live dispatch service" in listed
