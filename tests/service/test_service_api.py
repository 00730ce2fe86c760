"""The HTTP API end to end: a real server on a loopback port, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime

import httpx
import pytest

from dronedel.dispatch import REASONS

from service_harness import SITE, TOKEN, wait_for

#: Doors of the example's orders that a drone reaches within the promise.
NEAR = {"lon": -96.251249, "lat": 30.578128}
EAST = {"lon": -96.250488, "lat": 30.564350}
#: Inside the prohibited hospital helipad zone.
HELIPAD = {"lon": -96.26687, "lat": 30.58387}


def square(lon: float, lat: float, half_deg: float) -> dict:
    ring = [[lon - half_deg, lat - half_deg], [lon + half_deg, lat - half_deg], [lon + half_deg, lat + half_deg],
            [lon - half_deg, lat + half_deg], [lon - half_deg, lat - half_deg]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_order_decided_at_once_with_drone_pad_and_etas(api):
    r = api.post("/api/orders", json={**NEAR, "weight_kg": 1.0, "order_id": "A1"})
    assert r.status_code == 201, r.text
    o = r.json()
    assert o["status"] == "accepted" and o["reason"] is None
    assert 0 <= o["drone"] < 8 and o["pad"] is not None
    assert o["placed_at"] < o["takeoff_at"] < o["door_eta"]
    detail = api.get("/api/orders/A1").json()
    assert [e["kind"] for e in detail["history"]][0] == "decision"
    listed = {s: [o["order_id"] for o in api.get("/api/orders", params={"status": s}).json()]
              for s in ("accepted", "loading", "rejected")}
    assert "A1" in listed["accepted"] + listed["loading"] and "A1" not in listed["rejected"]


def test_rejections_carry_plan_json_reason_codes(api):
    r = api.post("/api/orders/batch", json={"orders": [
        {**HELIPAD, "weight_kg": 1.0}, {**NEAR, "weight_kg": 5.0}, {"lon": -90.0, "lat": 30.0, "weight_kg": 1.0}]})
    assert r.status_code == 201, r.text
    reasons = [o["reason"] for o in r.json()["orders"]]
    assert reasons == ["no_fly_zone", "overweight", "invalid_input"]
    assert all(code in REASONS for code in reasons)
    assert "hospital-helipad" in r.json()["orders"][0]["detail"]


def test_batch_is_decided_in_order_and_ids_are_unique(make_server):
    with make_server("--speedup", "30", db="batch.sqlite").client() as api:
        _check_batch(api)


def _check_batch(api) -> None:
    batch = [{**EAST, "weight_kg": 1.0, "order_id": f"B{k}"} for k in range(12)]
    out = api.post("/api/orders/batch", json={"orders": batch}).json()["orders"]
    assert [o["order_id"] for o in out] == [f"B{k}" for k in range(12)]
    accepted = [o for o in out if o["status"] == "accepted"]
    # eight drones, one pad each at most once at the same time: later orders wait or are turned away
    assert 1 <= len(accepted) <= 12
    assert len({(o["drone"], o["takeoff_at"]) for o in accepted}) == len(accepted)
    again = api.post("/api/orders", json={**EAST, "weight_kg": 1.0, "order_id": "B3"})
    assert again.status_code == 409 and "B3" in again.json()["error"]


def test_cancel_before_takeoff_frees_the_booking(api):
    o = api.post("/api/orders", json={"lon": -96.2603, "lat": 30.5489, "weight_kg": 1.0, "order_id": "C1"}).json()
    assert o["status"] == "accepted", o
    r = api.post("/api/orders/C1/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    assert api.post("/api/orders/C1/cancel").status_code == 409
    assert api.post("/api/orders/nope/cancel").status_code == 404
    kinds = [e["kind"] for e in api.get("/api/orders/C1").json()["history"]]
    assert kinds[:1] == ["decision"] and "cancelled" in kinds
    assert api.get(f"/api/flights/{o['flight_id']}").json()["state"] == "cancelled"


def test_a_cancelled_flight_frees_its_airspace(make_server):
    """A second order to the same door gets the cancelled flight's slot: were the cancelled intent still held, it
    would wait until the first drone had left the door (about 3 minutes at this door)."""
    with make_server("--speedup", "1", db="release.sqlite").client() as api:
        def lead_s(o: dict) -> float:  # seconds from the order to the drone at the door
            return (datetime.fromisoformat(o["door_eta"]) - datetime.fromisoformat(o["placed_at"])).total_seconds()

        first = api.post("/api/orders", json={**NEAR, "weight_kg": 1.0, "order_id": "R1"}).json()
        assert first["status"] == "accepted", first
        assert api.post("/api/orders/R1/cancel").status_code == 200
        second = api.post("/api/orders", json={**NEAR, "weight_kg": 1.0, "order_id": "R2"}).json()
        assert second["status"] == "accepted", second
        assert lead_s(second) <= lead_s(first) + 30.0
        third = api.post("/api/orders", json={**NEAR, "weight_kg": 1.0, "order_id": "R3"}).json()
        assert third["status"] != "accepted" or lead_s(third) > lead_s(second) + 60.0  # R2's intent is held


def test_flight_flies_with_mission_intent_and_track(api):
    o = api.post("/api/orders", json={**NEAR, "weight_kg": 1.0, "order_id": "F1"}).json()
    fid = o["flight_id"]
    # loading takes 120 s, 8 s at 15x; then the drone is airborne and reports positions
    fleet = wait_for(lambda: (f := api.get("/api/fleet").json()) and f[o["drone"]]["state"] in
                     ("airborne", "delivering", "returning") and f[o["drone"]]["alt_m"] > 1 and f, timeout_s=40)
    drone = fleet[o["drone"]]
    assert drone["flight_id"] == fid and drone["order_id"] == "F1" and 0 < drone["battery"] < 1
    flight = wait_for(lambda: (f := api.get(f"/api/flights/{fid}").json()) and len(f["track"]) >= 3 and f)
    assert flight["mission"]["fileType"] == "Plan" and flight["mission"]["mission"]["items"]
    volumes = flight["intent"]["f3548"]["volumes"]
    assert volumes and volumes[0]["volume"]["altitude_lower"]["reference"] == "W84"
    assert len(flight["intent"]["geojson"]["features"]) == len(volumes)
    assert flight["route"]["coordinates"][-1] == pytest.approx(
        [NEAR["lon"], NEAR["lat"]], abs=1e-6)
    assert all(abs(p["lat"] - 30.56) < 0.05 for p in flight["track"])
    delivered = wait_for(lambda: api.get("/api/orders/F1").json()["status"] == "delivered", timeout_s=90)
    assert delivered
    assert api.get("/api/flights/999999").status_code == 404


def test_dispatch_zone_airspace_and_wind(api):
    zone = api.get("/api/zone").json()
    assert zone["type"] == "FeatureCollection" and zone["features"][0]["properties"]["kind"] == "dispatch_zone"
    assert zone["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    air = api.get("/api/airspace").json()
    ids = {f["properties"]["id"] for f in air["features"]}
    assert {"hospital-helipad", "kcll-class-d", "operating_area"} <= ids
    assert api.put("/api/wind", json={"speed_ms": 9.0, "from_deg": 270.0}).status_code == 200
    assert api.get("/api/status").json()["wind"] == {"speed_ms": 9.0, "from_deg": 270.0}
    windy = api.get("/api/zone").json()["features"][0]["properties"]
    assert windy["wind"] == "9@270"


def test_restriction_replans_or_cancels_flights_not_yet_airborne(make_server):
    server = make_server("--speedup", "5", db="tfr.sqlite")
    with server.client() as api:
        blocked = api.post("/api/orders", json={**NEAR, "weight_kg": 1.0, "order_id": "T1"}).json()
        crossed = api.post("/api/orders", json={**EAST, "weight_kg": 1.0, "order_id": "T2"}).json()
        assert blocked["status"] == crossed["status"] == "accepted"
        # a restriction over T1's door, and one across the middle of T2's route
        r = api.post("/api/restrictions", json={"zone_id": "fire", "name": "fire", "geometry":
                                                square(NEAR["lon"], NEAR["lat"], 0.003)})
        assert r.status_code == 201 and r.json()["affected_orders"] == ["T1"]
        mid = (-96.27 + EAST["lon"]) / 2, (30.555 + EAST["lat"]) / 2
        r = api.post("/api/restrictions", json={"zone_id": "crane", "geometry": square(*mid, 0.0015),
                                                "minutes": 60})
        assert r.json()["affected_orders"] == ["T2"]
        t1, t2 = api.get("/api/orders/T1").json(), api.get("/api/orders/T2").json()
        assert t1["status"] == "cancelled" and t1["reason"] == "restriction" and "fire" in t1["detail"]
        # re-planned into the airspace its first flight released: it may be loading already
        assert t2["status"] in ("accepted", "loading") and t2["flight_id"] != crossed["flight_id"]
        assert "replanned" in [e["kind"] for e in t2["history"]]
        route = api.get(f"/api/flights/{t2['flight_id']}").json()["route"]["coordinates"]
        assert len(route) > 2  # around the crane
        air = {f["properties"]["id"]: f["properties"] for f in api.get("/api/airspace").json()["features"]}
        assert air["fire"]["temporary"] and air["fire"]["blocking"]
        assert api.delete("/api/restrictions/fire").status_code == 200
        assert api.delete("/api/restrictions/fire").status_code == 404
        assert "fire" not in {f["properties"]["id"] for f in api.get("/api/airspace").json()["features"]}
        assert api.post("/api/orders", json={**NEAR, "weight_kg": 1.0}).json()["status"] == "accepted"


def test_event_stream_carries_decisions_takeoffs_and_positions(server, api):
    kinds: list[str] = []
    with httpx.stream("GET", f"{server.url}/api/events", timeout=30) as stream:
        api.post("/api/orders", json={**NEAR, "weight_kg": 1.0, "order_id": "S1"})
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kinds.append(line[7:])
            if line.startswith("data: ") and kinds[-1] == "takeoff":
                assert json.loads(line[6:])["order_id"] == "S1"
                break
    assert "decision" in kinds and "loading" in kinds and "positions" in kinds
    # resuming after the first logged event replays the rest
    with httpx.stream("GET", f"{server.url}/api/events", params={"after": 1}, timeout=30) as stream:
        ids = []
        for line in stream.iter_lines():
            if line.startswith("id: "):
                ids.append(int(line[4:]))
            if len(ids) >= 2:
                break
    assert ids[0] == 2 and ids[1] > ids[0]


@pytest.mark.parametrize("body, status, words", [
    ('{"lon": -96.26, "lat": 30.56, "weight_kg": 1', 400, "not valid JSON"),
    ('{"lon": "east", "lat": 30.56, "weight_kg": 1}', 422, "body.lon"),
    ('{"lon": -96.26, "lat": 30.56, "weight_kg": 1, "colour": "red"}', 422, "body.colour"),
    ('{"lon": -196.26, "lat": 30.56, "weight_kg": 1}', 422, "body.lon"),
    ('{"lon": 30.555, "lat": -96.27, "weight_kg": 1}', 422, "swapped"),
    ('{"lon": -96.26, "lat": 30.56, "weight_kg": -1}', 422, "body.weight_kg"),
    ('{"lon": -96.26, "lat": 30.56}', 422, "body.weight_kg"),
    ('{"lon": NaN, "lat": 30.56, "weight_kg": 1}', 422, "body.lon"),
    ('[1, 2]', 422, "body"),
])
def test_bad_bodies_get_a_clear_4xx(api, body, status, words):
    r = api.post("/api/orders", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert words in r.json()["error"]


def test_swapped_coordinates_in_range_are_refused(api):
    # both numbers are valid latitudes: only the distance from the site shows the swap
    r = api.post("/api/orders", json={"lon": 30.555, "lat": -96.27 + 180 - 180, "weight_kg": 1})
    assert r.status_code == 422
    r = api.post("/api/orders", json={"lon": 30.56, "lat": 26.0, "weight_kg": 1})
    assert r.status_code == 201 and r.json()["reason"] == "invalid_input"


def test_oversized_body_is_413(api):
    batch = {"orders": [{**NEAR, "weight_kg": 1.0}] * 30000}
    r = api.post("/api/orders/batch", content=json.dumps(batch), headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = api.post("/api/orders/batch", json={"orders": [{**NEAR, "weight_kg": 1.0}] * 201})
    assert r.status_code == 422 and "body.orders" in r.json()["error"]


def test_state_changes_need_the_token(server):
    with server.client(token=None) as anonymous:
        assert anonymous.get("/api/fleet").status_code == 200  # reads are open on loopback
        r = anonymous.post("/api/orders", json={**NEAR, "weight_kg": 1.0})
        assert r.status_code == 401 and "token" in r.json()["error"]
        for method, path, body in [("PUT", "/api/wind", {"speed_ms": 1, "from_deg": 0}),
                                   ("POST", "/api/orders/x/cancel", None), ("DELETE", "/api/restrictions/x", None),
                                   ("POST", "/api/restrictions", {})]:
            assert anonymous.request(method, path, json=body).status_code == 401
    with server.client(token="wrong") as intruder:
        assert intruder.post("/api/orders", json={**NEAR, "weight_kg": 1.0}).status_code == 403
    assert httpx.post(f"{server.url}/api/orders", json={**NEAR, "weight_kg": 1.0},
                      headers={"X-API-Token": TOKEN}).status_code == 201


def test_openapi_document_and_docs(api):
    doc = api.get("/openapi.json").json()
    assert {"/api/orders", "/api/orders/batch", "/api/fleet", "/api/events", "/api/zone", "/api/restrictions",
            "/api/wind", "/api/flights/{flight_id}"} <= set(doc["paths"])
    assert api.get("/docs").status_code == 200


def test_replay_feeds_an_orders_file_at_its_times(server, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,placed_at,lon,lat,weight_kg\n"
                      "R1,2026-06-13T12:00:00,-96.251249,30.578128,1.0\n"
                      "R2,2026-06-13T12:00:30,-96.26687,30.58387,1.0\n"
                      "R3,2026-06-13T12:01:00,-96.250488,30.564350,9.0\n"
                      "R4,not a time,-96.25,30.56,1.0\n")
    began = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "dronedel", "replay", str(orders), "--to", server.url,
                          "--speedup", "30", "--token", TOKEN], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - began >= 2.0  # 60 s of orders at 30x
    assert "row 5" in run.stderr and "not sent" in run.stderr
    with server.client() as api:
        got = {k: api.get(f"/api/orders/{k}").json() for k in ("R1", "R2", "R3")}
    assert got["R1"]["reason"] is None and got["R2"]["reason"] == "no_fly_zone" and got["R3"]["reason"] == "overweight"
    assert "no_fly_zone" in run.stdout and "overweight" in run.stdout
    again = subprocess.run([sys.executable, "-m", "dronedel", "replay", str(orders), "--to", server.url,
                            "--speedup", "600", "--token", TOKEN], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0  # already placed: the stored decisions, not new orders


def test_serve_refuses_another_interface_without_a_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DRONEDEL_TOKEN"}
    run = subprocess.run([sys.executable, "-m", "dronedel", "serve", "--site", str(SITE), "--db",
                          str(tmp_path / "x.sqlite"), "--host", "0.0.0.0"], capture_output=True, text=True,
                         timeout=60, env=env)
    assert run.returncode == 2 and "needs an API token" in run.stderr
