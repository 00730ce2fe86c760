"""Finding the arducopter binary: the documented search order and the messages when it is missing."""

from pathlib import Path

import pytest

from dronedel.sitl.binary import ENV_VAR, candidates, find_arducopter
from dronedel.sitl.errors import SitlNotFound


def _exe(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def places(tmp_path):
    """One executable in each of the five places, and an environment naming them all."""
    explicit = _exe(tmp_path / "explicit" / "arducopter")
    env_named = _exe(tmp_path / "env" / "my-arducopter")
    on_path = _exe(tmp_path / "bin" / "arducopter")
    ap_home = _exe(tmp_path / "aphome" / "build" / "sitl" / "bin" / "arducopter")
    user = _exe(tmp_path / "home" / "ardupilot" / "build" / "sitl" / "bin" / "arducopter")
    env = {ENV_VAR: str(env_named), "PATH": str(on_path.parent), "ARDUPILOT_HOME": str(tmp_path / "aphome"),
           "HOME": str(tmp_path / "home")}
    return explicit, env_named, on_path, ap_home, user, env


def test_search_order_takes_each_place_in_turn(tmp_path, places):
    explicit, env_named, on_path, ap_home, user, env = places
    assert find_arducopter(explicit, env) == explicit.resolve()
    assert find_arducopter(None, env) == env_named.resolve()
    del env[ENV_VAR]
    assert find_arducopter(None, env) == on_path.resolve()
    env["PATH"] = str(tmp_path / "empty")
    assert find_arducopter(None, env) == ap_home.resolve()
    del env["ARDUPILOT_HOME"]
    assert find_arducopter(None, env) == user.resolve()


def test_candidates_are_listed_in_order(places):
    explicit, *_, env = places
    assert [how for how, _ in candidates(explicit, env)] == ["argument", ENV_VAR, "PATH", "ARDUPILOT_HOME",
                                                            "~/ardupilot"]


def test_nothing_found_says_how_to_provide_one(tmp_path):
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path)}
    with pytest.raises(SitlNotFound) as info:
        find_arducopter(None, env)
    message = str(info.value)
    assert f"{ENV_VAR}=/path/to/arducopter" in message and "PATH" in message


@pytest.mark.parametrize("how", ["argument", "env"])
def test_a_named_file_that_is_not_executable_is_an_error(tmp_path, places, how):
    *_, env = places
    named = tmp_path / "not-executable"
    named.write_text("")
    if how == "env":
        env[ENV_VAR] = str(named)
    with pytest.raises(SitlNotFound, match="not an executable file"):
        find_arducopter(named if how == "argument" else None, env)


def test_a_skipped_place_does_not_stop_the_search(tmp_path, places):
    *_, user, env = places
    env.pop(ENV_VAR)
    env["PATH"] = str(tmp_path / "empty")
    env["ARDUPILOT_HOME"] = str(tmp_path / "no-build-here")
    assert find_arducopter(None, env) == user.resolve()
