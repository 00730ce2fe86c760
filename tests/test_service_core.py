"""The service core in-process with a scripted fleet: refusals, silence, restarts of persistent vehicles, flights
moved later with their airspace, the admission control's history across a restart."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest
import shapely

from dronedel.airspace.parsing import parse_when
from dronedel.config import load_site
from dronedel.data import example_path
from dronedel.service import DispatchService, OrderRequest, ServiceOptions, Store
from dronedel.service.vehicles import Report, VirtualFleet

DOOR = (-96.251249, 30.578128)


class ScriptedFleet(VirtualFleet):
    """Virtual drones that refuse the missions of ``refuse`` drones and fall silent when told."""

    def __init__(self, count, frame, battery_wh, refuse=(), silent_after_s=None, home_pads=None):
        super().__init__(count, frame, battery_wh)
        self.home_pads = home_pads  # as SITL vehicles homed at their pads
        self.refuse = set(refuse)
        self.silent_after_s = silent_after_s
        self.pending: list[Report] = []
        self.prepared: list[int] = []

    def prepare(self, flight, mission):
        self.prepared.append(flight.drone)
        mission()  # the mission is built as a real vehicle would get it
        if flight.drone in self.refuse:
            self.pending.append(Report("failed", flight.drone, flight.loading_s, flight.flight_id,
                                       detail="PreArm: Fence requires position"))

    def poll(self, now_s):
        out, self.pending = self.pending + super().poll(now_s), []
        if self.silent_after_s is not None:  # nothing heard from a silent vehicle
            out = [r for r in out if r.kind != "telemetry"]
        return out

    def silent_s(self, drone, now_s):
        return 0.0 if self.silent_after_s is None else 3600.0


@pytest.fixture
def make(tmp_path):
    config = load_site(example_path("site.toml"))
    start = parse_when("2026-06-13T12:00", config.site.tz)

    def build(speedup=600.0, promise_s=None, **fleet):
        options = ServiceOptions(speedup=speedup, start_at=start)
        site = config if promise_s is None else replace(config, planning=replace(config.planning, promise_s=promise_s))
        fleets = []

        def factory(n, frame, clock):
            fleets.append(ScriptedFleet(n, frame, config.aircraft.battery_wh, **fleet))
            return fleets[-1]
        service = DispatchService(site, Store(tmp_path / "s.sqlite"), factory, options)
        service.recover()
        return service, fleets[0]
    return build


def run(service, seconds: float) -> None:
    """Tick for ``seconds`` of real time, and at least 10 times."""
    end, ticks = time.monotonic() + seconds, 0
    while time.monotonic() < end or ticks < 10:
        service.tick()
        ticks += 1
        time.sleep(0.05)


def test_a_refused_mission_fails_the_flight_and_the_order_gets_another_drone(make):
    service, fleet = make(refuse={0})
    [row] = service.place([OrderRequest(*DOOR, 1.0, "F1")])
    assert row.status == "accepted" and service.flights[row.flight_id].drone == 0
    run(service, 1.0)
    order = service.store.order("F1")
    kinds = [e.kind for e in service.store.order_events("F1")]
    assert "failed" in kinds and "replanned" in kinds
    assert service.store.flight(row.flight_id).state == "failed"
    assert "PreArm" in service.store.flight(row.flight_id).note
    assert order.flight_id != row.flight_id and service.store.flight(order.flight_id).drone != 0
    assert order.status in ("accepted", "loading", "airborne", "delivered")
    # the refused flight's airspace is released: only the new flight's intent is held
    again = service.live.volumes(service.planned(service.flights[order.flight_id]))
    assert len(service.live.dispatcher.intents) == len(again)


def test_a_flight_failed_in_the_air_keeps_its_airspace(make):
    service, fleet = make()
    [row] = service.place([OrderRequest(-96.19, 30.53, 1.0, "A1")])
    run(service, 0.6)  # 6 service minutes: airborne
    f = service.flights[row.flight_id]
    assert f.state in ("airborne", "delivering", "returning")
    held = len(service.live.dispatcher.intents)
    fleet.pending.append(Report("failed", f.drone, service.clock.now_s(), f.flight_id, detail="motor failure"))
    run(service, 0.1)
    assert service.store.flight(row.flight_id).state == "failed"
    assert held > 0 and len(service.live.dispatcher.intents) == held


def test_every_vehicle_refusing_cancels_with_vehicle_failed(make):
    service, fleet = make(refuse=set(range(8)))
    service.place([OrderRequest(*DOOR, 1.0, "F2")])
    run(service, 2.0)
    order = service.store.order("F2")
    assert order.status == "cancelled" and order.reason == "vehicle_failed" and "PreArm" in order.detail


def test_a_silent_vehicle_raises_link_lost_once(make):
    service, fleet = make(silent_after_s=0)
    service.place([OrderRequest(*DOOR, 1.0, "L1")])
    run(service, 1.5)
    alerts = [e.data["code"] for e in service.store.last_events(("alert",))]
    assert alerts.count("link_lost") == 1


def test_restart_with_persistent_vehicles_follows_the_airborne_flight(make, tmp_path):
    service, fleet = make()
    [row] = service.place([OrderRequest(-96.19, 30.53, 1.0, "P1")])
    run(service, 0.6)  # 6 service minutes: loading done, airborne
    assert service.store.flight(row.flight_id).state in ("airborne", "delivering", "returning")
    before = len(service.store.track(row.flight_id))
    service.store.close()  # the process dies here; a new service opens the same store
    again, _ = make()
    assert again.flights[row.flight_id].state in ("airborne", "delivering", "returning")
    run(again, 0.3)
    assert len(again.store.track(row.flight_id)) > before
    assert "resumed" in [e.kind for e in again.store.order_events("P1")]
    # the restored flight's intent is back in the dispatcher's index: a flight along the same line now
    # may not take the same pad, layer and time
    assert len(again.live.dispatcher.intents) >= 1


def down_until(service, t_s: float) -> None:
    """The service dies now and stays down until its clock reads ``t_s``."""
    service.store.close()
    time.sleep(max(t_s - service.clock.now_s(), 0.0) / service.clock.speedup)


def test_a_late_start_moves_the_flights_intent_with_it(make):
    service, _ = make(speedup=60.0)
    [row] = service.place([OrderRequest(*DOOR, 1.0, "S1")])
    planned = service.flights[row.flight_id]
    down_until(service, planned.takeoff_s + 100.0)  # missed by more than late_start_s, the promise still kept
    again, _ = make(speedup=60.0)
    assert "late_start" in [e.kind for e in again.store.order_events("S1")]
    moved = again.flights[row.flight_id]
    assert moved.takeoff_s > planned.takeoff_s + 100.0
    held, shifted = again.live.dispatcher.intents.volumes, again.live.volumes(again.planned(moved))
    # only the moved volumes are held: the planned ones are released
    assert len(held) == len(shifted) and np.allclose(held.t_lo, shifted.t_lo) and np.allclose(held.t_hi, shifted.t_hi)


def _late_pair(make, **site):
    """M1 and M2 to the same door (M2 after M1 has left it); the service down until M1 is 100 s late, so that
    M1 moved to now + loading would meet M2. The service restarted."""
    service, _ = make(speedup=60.0, **site)
    [a] = service.place([OrderRequest(*DOOR, 1.0, "M1")])
    [b] = service.place([OrderRequest(*DOOR, 1.0, "M2")])
    fa, fb = service.flights[a.flight_id], service.flights[b.flight_id]
    assert b.status == "accepted" and fb.takeoff_s > fa.takeoff_s + 100.0 and fa.drone != fb.drone
    down_until(service, fa.takeoff_s + 100.0)
    again, _ = make(speedup=60.0, **site)
    return again, fa, fb


def _clear_of(service, order_id: str, flight_id: int) -> bool:
    """True if no other flight's held intent meets ``order_id``'s flight."""
    service.live.release(order_id)
    return service.live.dispatcher.intents.conflicts(
        service.live.volumes(service.planned(service.flights[flight_id]))) is None


def test_a_late_start_meeting_another_flight_waits_until_clear(make):
    again, fa, fb = _late_pair(make)
    events = {e.kind: e.data for e in again.store.order_events("M1")}
    held = again.flights[fa.flight_id]
    assert "late_start" in events and "held" in events["delayed"]["why"] and "'M2'" in events["delayed"]["why"]
    assert held.takeoff_s > again.clock.now_s() + again.config.fleet.loading_s
    assert again.store.order("M1").eta_s == pytest.approx(held.door_s)
    assert again.flights[fb.flight_id].takeoff_s == fb.takeoff_s and _clear_of(again, "M2", fb.flight_id)


def test_a_late_start_that_cannot_wait_is_decided_again(make):
    # a promise M1's moved door time keeps with 1.5 min to spare, too little to wait for M2
    again, fa, fb = _late_pair(make, promise_s=760.0)
    kinds = [e.kind for e in again.store.order_events("M1")]
    assert "late_start" not in kinds and again.store.flight(fa.flight_id).state == "cancelled"
    order = again.store.order("M1")
    if order.status == "cancelled":
        assert order.reason == "airspace_conflict" and "M2" in order.detail
    else:
        assert "replanned" in kinds and order.flight_id != fa.flight_id
    assert again.store.order("M2").flight_id == fb.flight_id and _clear_of(again, "M2", fb.flight_id)


def test_admission_history_survives_a_restart(make):
    service, _ = make()
    doors = [(-96.2603, 30.5489), (-96.250488, 30.564350), DOOR, (-96.19, 30.53), (-96.23, 30.60),
             (-96.28, 30.56), (-96.22, 30.54), (-96.27, 30.59)]
    rows = service.place([OrderRequest(lon, lat, 1.0, f"H{k}") for k, (lon, lat) in enumerate(doors)])
    accepted = [r for r in rows if r.status == "accepted"]
    assert len(accepted) >= 6
    run(service, 300.0 / service.clock.speedup)  # the flights take off and fly
    service.store.close()
    again, _ = make()
    admission = again.live.dispatcher.admission
    # the accepted orders' drone cycles, 300 s and more back, saturate 8 drones: the limit is finite at once
    # (a history starting empty would wait min_window_s before any limit)
    cycles = sorted(f.ready_s - f.loading_s for f in again.flights.values())
    assert len(cycles) == len(accepted)
    limit = admission.limit(again.clock.now_s())
    assert np.isfinite(limit) and np.min(np.abs(np.asarray(cycles) - limit)) < 1e-6


def test_vehicles_homed_at_pads_fly_every_flight_from_their_own_pad(make):
    """A vehicle that cannot move between pads (SITL homed at its pad) gets only flights from that pad."""
    homes = (3, 2, 1, 0, 3, 2, 1, 0)
    service, _ = make(home_pads=homes)
    rows = service.place([OrderRequest(*DOOR, 1.0, f"H{k}") for k in range(8)])
    flights = [service.flights[r.flight_id] for r in rows if r.status == "accepted"]
    assert len(flights) >= 4
    pads = [p.name for p in service.config.separation.pads]
    assert all(f.pad == pads[homes[f.drone]] for f in flights)
    assert len({f.drone for f in flights}) >= 4


def test_the_index_forgets_intents_that_ended_long_ago(make):
    """A service running for days keeps only the recent and future cells of its intent index."""
    service, _ = make(speedup=3600.0)
    [row] = service.place([OrderRequest(*DOOR, 1.0, "OLD")])
    assert row.status == "accepted"
    index = service.live.dispatcher.intents
    first = index._first_bin
    run(service, 2.5)  # about two and a half service hours
    assert index._first_bin > first
    assert index._first_bin * index.bin_s >= service.clock.now_s() - 2 * 3600.0
    [again] = service.place([OrderRequest(*DOOR, 1.0, "NEW")])
    assert again.status == "accepted"


def test_a_flight_moved_into_a_scheduled_zone_is_decided_again_around_it(tmp_path):
    """Lick Creek Park is closed to flights on Saturdays from 08:00. A flight through it planned to land before
    then, started late into the closure, is not flown through the park: it is planned again around it."""
    config = load_site(example_path("site.toml"))
    start = parse_when("2026-06-13T07:20", config.site.tz)  # a Saturday
    door = (-96.190, 30.562)  # east of the depot, beyond the park

    def build():
        service = DispatchService(config, Store(tmp_path / "s.sqlite"),
                                  lambda n, frame, clock: ScriptedFleet(n, frame, config.aircraft.battery_wh),
                                  ServiceOptions(speedup=60.0, start_at=start))
        service.recover()
        return service

    service = build()
    [row] = service.place([OrderRequest(*door, 1.0, "P1")])
    planned = service.flights[row.flight_id]
    assert row.status == "accepted" and "lick-creek-park" not in planned.zones
    assert service.live.dispatcher.activity.during(planned.takeoff_s, planned.land_s) == frozenset(planned.zones)
    park = service.live.context.table.local("lick-creek-park")
    assert shapely.LineString(planned.route).intersects(park)  # the open park is flown over
    down_until(service, planned.takeoff_s + 900.0)  # late into the closure, the promise still kept
    again = build()
    order = again.store.order("P1")
    kinds = [e.kind for e in again.store.order_events("P1")]
    assert "replanned" in kinds or order.status == "cancelled", kinds
    if order.status != "cancelled":
        flight = again.flights[order.flight_id]
        assert "lick-creek-park" in flight.zones
        assert shapely.LineString(flight.route).distance(park) >= config.planning.margin_m - 1e-6
