"""Find the ArduPilot Copter SITL binary (``arducopter``).

The search order is fixed: an explicit path (``--sitl-binary``), the environment variable
``DRONEDEL_ARDUCOPTER``, ``arducopter`` on ``PATH``, ``$ARDUPILOT_HOME/build/sitl/bin/arducopter``
and ``~/ardupilot/build/sitl/bin/arducopter``. The first that names an executable file wins.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from .errors import SitlNotFound

__all__ = ["ENV_VAR", "HOW_TO_PROVIDE", "candidates", "find_arducopter"]

#: Environment variable naming the binary.
ENV_VAR = "DRONEDEL_ARDUCOPTER"

_BUILD_PATH = Path("build", "sitl", "bin", "arducopter")

#: What to tell a user who has no binary.
HOW_TO_PROVIDE = (
    "the ArduPilot Copter SITL binary 'arducopter' was not found; provide it with "
    f"{ENV_VAR}=/path/to/arducopter, put 'arducopter' on PATH, pass --sitl-binary PATH, "
    "or build ArduPilot's SITL under $ARDUPILOT_HOME or ~/ardupilot (see docs/sitl.md)"
)


def candidates(explicit: str | Path | None = None, env: Mapping[str, str] | None = None) -> list[tuple[str, Path]]:
    """Places to look, in search order, as ``(how it was named, path)``; nothing is checked yet."""
    env = os.environ if env is None else env
    found: list[tuple[str, Path]] = []
    if explicit:
        found.append(("argument", Path(explicit).expanduser()))
    if env.get(ENV_VAR):
        found.append((ENV_VAR, Path(env[ENV_VAR]).expanduser()))
    on_path = shutil.which("arducopter", path=env.get("PATH", os.defpath))
    if on_path:
        found.append(("PATH", Path(on_path)))
    if env.get("ARDUPILOT_HOME"):
        found.append(("ARDUPILOT_HOME", Path(env["ARDUPILOT_HOME"]).expanduser() / _BUILD_PATH))
    home = env.get("HOME")
    if home:
        found.append(("~/ardupilot", Path(home) / "ardupilot" / _BUILD_PATH))
    return found


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_arducopter(explicit: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Absolute path of the first executable ``arducopter`` in the search order.

    An explicit path or ``DRONEDEL_ARDUCOPTER`` that names no executable is an error of its
    own (the user asked for that file); otherwise :class:`SitlNotFound` says how to provide one.
    """
    for how, path in candidates(explicit, env):
        if _executable(path):
            return path.resolve()
        if how in ("argument", ENV_VAR):
            raise SitlNotFound(f"{how} names {path}, which is not an executable file; {HOW_TO_PROVIDE}")
    raise SitlNotFound(HOW_TO_PROVIDE)
