"""Two orders flown at once through the service by two ArduPilot SITL vehicles, end to end."""

from __future__ import annotations

import os

import pytest

from dronedel.sitl import HOW_TO_PROVIDE, SitlNotFound, find_arducopter
from service_harness import wait_for

pytestmark = pytest.mark.sitl

SPEEDUP = os.environ.get("DRONEDEL_SITL_SPEEDUP", "30")
DOORS = [(-96.251249, 30.578128), (-96.2603, 30.5489)]
_FLYING = ("airborne", "delivering", "returning")


@pytest.fixture
def arducopter():
    try:
        return find_arducopter()
    except SitlNotFound:
        pytest.skip(HOW_TO_PROVIDE)


def test_two_orders_fly_concurrently_on_two_sitl_vehicles(make_server, arducopter):
    server = make_server("--vehicles", "sitl:2", "--speedup", SPEEDUP, "--sitl-binary", str(arducopter),
                         db="sitl.sqlite")
    with server.client() as api:
        assert len(api.get("/api/fleet").json()) == 2
        orders = [{"order_id": f"S{k}", "lon": lon, "lat": lat, "weight_kg": 1.0} for k, (lon, lat) in enumerate(DOORS)]
        placed = api.post("/api/orders/batch", json={"orders": orders}).json()["orders"]
        assert [o["status"] for o in placed] == ["accepted", "accepted"]
        assert {o["drone"] for o in placed} == {0, 1}
        # both vehicles are in the air at the same time
        wait_for(lambda: all(d["state"] in _FLYING and d["alt_m"] > 5 for d in api.get("/api/fleet").json()),
                 timeout_s=120, step_s=0.5)
        for o in placed:
            wait_for(lambda: api.get(f"/api/orders/{o['order_id']}").json()["status"] == "delivered",
                     timeout_s=180, step_s=0.5)
        for o in placed:
            wait_for(lambda: "landed" in [e["kind"] for e in api.get(f"/api/orders/{o['order_id']}").json()["history"]],
                     timeout_s=180, step_s=0.5)
            flight = api.get(f"/api/flights/{o['flight_id']}").json()
            assert flight["times"]["actual_takeoff"] and flight["times"]["actual_land"]
            track = flight["track"]
            assert max(p["alt_m"] for p in track) > 30  # flown at a cruise layer
            door = flight["route"]["coordinates"][-1]
            closest = min(abs(p["lon"] - door[0]) + abs(p["lat"] - door[1]) for p in track)
            assert closest < 2e-4  # the vehicle was at the door (about 20 m)
        kinds = {e["data"]["code"] for e in api.get("/api/alerts").json()}
        assert not kinds & {"vehicle_failed", "link_lost", "not_delivered"}


def test_a_running_vehicle_keeps_flying_through_a_kill_9_of_the_service(make_server, arducopter):
    from datetime import datetime

    from dronedel.config import load_site
    from dronedel.intent.f3548 import pads_lonlat
    from dronedel.sitl import Home, SitlOptions, SitlProcess, default_frame_file, default_param_file
    from service_harness import SITE

    config = load_site(SITE)
    lon, lat = next(iter(pads_lonlat(config).values()))
    options = SitlOptions(arducopter, Home(lon, lat, config.site.elevation_m), (default_param_file(),),
                          speedup=float(SPEEDUP), frame_file=default_frame_file())
    with SitlProcess(options) as vehicle:  # started by the test: it outlives the service
        server = make_server("--vehicles", vehicle.address, "--speedup", SPEEDUP, db="list.sqlite")
        with server.client() as api:
            placed = api.post("/api/orders", json={"order_id": "V1", "lon": -96.19, "lat": 30.53,
                                                   "weight_kg": 1.0}).json()
            assert placed["status"] == "accepted" and placed["drone"] == 0
            wait_for(lambda: api.get("/api/fleet").json()[0]["alt_m"] > 20, timeout_s=120, step_s=0.5)
            server.kill()
            server.start()
            restarted = datetime.fromisoformat(api.get("/api/status").json()["now"])
            flight = placed["flight_id"]
            wait_for(lambda: any(datetime.fromisoformat(p["t"]) > restarted and p["alt_m"] > 5
                                 for p in api.get(f"/api/flights/{flight}").json()["track"]),
                     timeout_s=60, step_s=0.5)
            assert "resumed" in [e["kind"] for e in api.get("/api/orders/V1").json()["history"]]
            wait_for(lambda: "landed" in [e["kind"] for e in api.get("/api/orders/V1").json()["history"]],
                     timeout_s=300, step_s=1.0)
            assert api.get("/api/orders/V1").json()["status"] == "delivered"
