"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs playwright (pip install '.[test]')")

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Set to a file name to keep the screenshot (docs/service.md shows it).
SCREENSHOT_ENV = "DRONEDEL_DASHBOARD_PNG"


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip("the browser test needs Debian's chromium: apt-get install chromium chromium-driver")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


def test_dashboard_draws_zones_and_a_drone_moving(make_server, browser, tmp_path):
    server = make_server("--speedup", "20", db="dashboard.sqlite")
    page = browser.new_page(viewport={"width": 1400, "height": 860})
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")
    page.wait_for_function("window.dashboard && window.dashboard.zonesDrawn > 0 && window.dashboard.positionsSeen > 0",
                           timeout=60_000)
    zones = page.evaluate("window.dashboard.zonesDrawn")
    assert zones >= 5  # the example's zones, drawn on the canvas
    page.wait_for_function("window.dashboard.zone !== null", timeout=60_000)  # the dispatch zone too
    with server.client() as api:
        placed = api.post("/api/orders", json={"lon": -96.19, "lat": 30.53, "weight_kg": 1.0, "order_id": "W1"}).json()
        api.post("/api/orders", json={"lon": -96.251249, "lat": 30.578128, "weight_kg": 1.0, "order_id": "W2"})
    drone = placed["drone"]
    page.wait_for_selector('#orders tr[data-order="W1"]', timeout=10_000)
    moving = f"(window.dashboard.trails[{drone}] || []).length >= 3"
    page.wait_for_function(moving, timeout=60_000)
    first = page.evaluate(f"window.dashboard.drones[{drone}]")
    page.wait_for_function(f"window.dashboard.drones[{drone}].lon !== {first['lon']}", timeout=10_000)
    later = page.evaluate(f"window.dashboard.drones[{drone}]")
    assert later["state"] in ("airborne", "delivering", "returning")
    assert (later["lon"], later["lat"]) != (first["lon"], first["lat"])
    assert page.locator(f'#fleet tr[data-drone="{drone}"]').get_attribute("data-state") in (
        "airborne", "delivering", "returning")
    page.wait_for_function("Object.keys(window.dashboard.intents).length > 0", timeout=10_000)
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get(SCREENSHOT_ENV):
        shutil.copyfile(shot, os.environ[SCREENSHOT_ENV])
    assert not errors
    assert all(url.startswith(server.url) for url in requested), [u for u in requested if not u.startswith(server.url)]
