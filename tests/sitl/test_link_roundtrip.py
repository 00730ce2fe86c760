"""Mission, fence and rally uploaded to SITL come back as sent."""

from pathlib import Path

import pytest

from dronedel.link import download_all, get_param, stored_as_sent, upload_all
from dronedel.sitl.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "sitl" / "scenarios"

pytestmark = pytest.mark.sitl


def test_upload_download_round_trip(vehicle):
    (flight,) = load_scenario(SCENARIOS / "no-fly-detour").flights()
    mission = flight.mission
    assert mission.fence and mission.rally
    upload_all(vehicle.conn, mission)
    back = download_all(vehicle.conn)
    for sent, got in ((mission.items, back.items), (mission.fence, back.fence), (mission.rally, back.rally)):
        assert len(got) == len(sent)
        first = 1 if sent is mission.items else 0  # ArduPilot puts its own home at seq 0
        for a, b in zip(sent[first:], got[first:]):
            assert stored_as_sent(a, b), (a.describe(), b.describe())
    for name, value in mission.params.items():
        assert get_param(vehicle.conn, name) == pytest.approx(value)
