"""Which zones block a flight: vertical overlap, schedule, authorisation, restriction."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import shapely

from dronedel.airspace import (
    GROUND, Airspace, Exemption, Height, Restriction, Schedule, VerticalReference, WeeklyPeriod, Zone,
)
from dronedel.airspace.heights import FOOT_M

TZ = ZoneInfo("America/Chicago")
AGL, AMSL = VerticalReference.AGL, VerticalReference.AMSL
BOX = shapely.box(-96.01, 30.0, -96.0, 30.01)
BAND = (0.0, 60.0)  # take-off to cruise, m AGL


def zone(zone_id, restriction=Restriction.PROHIBITED, floor=GROUND, ceiling=Height(120.0, AGL), schedule=None):
    return Zone(zone_id, zone_id, restriction, BOX, floor, ceiling, schedule or Schedule())


def blocking_ids(zones, ground=90.0, **kwargs):
    return {z.id for z in Airspace(zones, ground_amsl_m=ground).blocking(*kwargs.pop("band", BAND), **kwargs)}


def test_vertical_overlap_in_agl_and_amsl():
    zones = [
        zone("high-floor", floor=Height(500 * FOOT_M, AGL), ceiling=Height(2800 * FOOT_M, AMSL)),
        zone("low-ceiling", ceiling=Height(30.0, AGL)),
        zone("amsl-ceiling-below-ground-band", ceiling=Height(100.0, AMSL)),  # 10 m AGL over 90 m ground
        zone("amsl-floor-above-band", floor=Height(160.0, AMSL), ceiling=Height(300.0, AMSL)),  # 70 m AGL floor
        zone("touching-floor", floor=Height(60.0, AGL)),  # starts exactly at the band's top: no overlap
    ]
    assert blocking_ids(zones) == {"low-ceiling", "amsl-ceiling-below-ground-band"}
    assert blocking_ids(zones, band=(40.0, 60.0)) == set()
    assert blocking_ids(zones, band=(0.0, 200.0)) == {z.id for z in zones}
    # the same AMSL floor is below the band over higher ground
    assert "amsl-floor-above-band" in blocking_ids(zones, ground=120.0)


def test_schedule_decides_activity():
    game = Schedule(weekly=(WeeklyPeriod(frozenset({5}), time(17), time(23)),), tz=TZ)
    zones = [zone("stadium", schedule=game), zone("prison")]
    saturday = datetime(2026, 6, 13, tzinfo=TZ)
    assert blocking_ids(zones, at=saturday + timedelta(hours=12)) == {"prison"}
    assert blocking_ids(zones, at=saturday + timedelta(hours=18)) == {"stadium", "prison"}
    # a flight from 16:50 to 17:10 meets the game
    assert blocking_ids(zones, at=saturday + timedelta(hours=16, minutes=50),
                        until=saturday + timedelta(hours=17, minutes=10)) == {"stadium", "prison"}
    # no time given: every zone counts as active (the conservative answer)
    assert blocking_ids(zones) == {"stadium", "prison"}


def test_authorisations_lift_all_but_prohibited_zones():
    zones = [
        zone("class-d", Restriction.REQUIRES_AUTHORISATION),
        zone("park", Restriction.CONDITIONAL),
        zone("helipad", Restriction.PROHIBITED),
        zone("field", Restriction.NO_RESTRICTION),
    ]
    assert blocking_ids(zones) == {"class-d", "park", "helipad"}
    held = ["class-d", "park", "helipad", "field"]
    assert blocking_ids(zones, authorisations=held) == {"helipad"}
    assert blocking_ids(zones, authorisations=["class-d"]) == {"park", "helipad"}


def test_exemption_says_why_a_zone_lets_the_flight_through():
    game = Schedule(weekly=(WeeklyPeriod(frozenset({5}), time(17), time(23)),), tz=TZ)
    noon = datetime(2026, 6, 13, 12, tzinfo=TZ)
    cases = {
        Exemption.NO_RESTRICTION: zone("field", Restriction.NO_RESTRICTION, schedule=game),
        Exemption.AUTHORISED: zone("class-d", Restriction.REQUIRES_AUTHORISATION, ceiling=Height(30.0, AGL)),
        Exemption.OUTSIDE_BAND: zone("high", floor=Height(200.0, AGL), ceiling=Height(300.0, AGL), schedule=game),
        Exemption.INACTIVE: zone("stadium", schedule=game),
        None: zone("helipad"),
    }
    for expected, z in cases.items():
        assert z.exemption(*BAND, 90.0, noon, authorisations={"class-d", "helipad"}) is expected, z.id
        assert (expected is None) == (z in Airspace([z], ground_amsl_m=90.0).blocking(
            *BAND, noon, authorisations={"class-d", "helipad"}))
    assert cases[Exemption.INACTIVE].exemption(*BAND, 90.0, noon.replace(hour=18)) is None
    assert not cases[None].is_authorised({"helipad"}) and cases[Exemption.AUTHORISED].is_authorised({"class-d"})


def test_one_off_windows_or_weekly_within_validity():
    sched = Schedule(
        valid_from=datetime(2026, 6, 1, tzinfo=TZ), valid_until=datetime(2026, 7, 1, tzinfo=TZ),
        weekly=(WeeklyPeriod(frozenset({5}), time(17), time(23)),), tz=TZ,
        windows=((datetime(2026, 6, 12, 19, tzinfo=TZ), datetime(2026, 6, 13, 1, tzinfo=TZ)),),
    )
    assert not sched.permanent
    assert sched.is_active(datetime(2026, 6, 13, 0, 59, tzinfo=TZ))
    assert not sched.is_active(datetime(2026, 6, 13, 1, 0, tzinfo=TZ))
    assert sched.is_active(datetime(2026, 6, 20, 18, 0, tzinfo=TZ))
    assert not sched.is_active(datetime(2026, 7, 4, 18, 0, tzinfo=TZ))
    # the window's start is found inside an interval that begins before it
    assert sched.active_during(datetime(2026, 6, 12, 18, tzinfo=TZ), datetime(2026, 6, 12, 19, 5, tzinfo=TZ))
    assert not sched.active_during(datetime(2026, 6, 12, 12, tzinfo=TZ), datetime(2026, 6, 12, 18, 59, tzinfo=TZ))
    assert sched.describe() == (
        "SAT 17:00-23:00 or 2026-06-12 19:00 to 2026-06-13 01:00, valid 2026-06-01 00:00 to 2026-07-01 00:00"
    )


def test_windows_alone_are_active_only_inside_them():
    sched = Schedule(windows=((datetime(2026, 6, 12, 19, tzinfo=TZ), datetime(2026, 6, 13, 1, tzinfo=TZ)),), tz=TZ)
    assert sched.is_active(datetime(2026, 6, 12, 20, tzinfo=TZ))
    assert not sched.is_active(datetime(2026, 6, 12, 18, tzinfo=TZ))
    assert sched.is_active(None)


@pytest.mark.parametrize("point, expected", [((-96.005, 30.005), {"a"}), ((-95.5, 30.5), set())])
def test_touching_uses_the_spatial_index(point, expected):
    airspace = Airspace([zone("a")])
    assert {z.id for z in airspace.touching(shapely.Point(point))} == expected
