"""End-to-end safety invariants: random days at the example site, planned and turned into missions.

No generated mission leaves its fence, enters a zone that blocks it at its time, or lands
with less than the reserve energy, whatever the orders and the wind.
"""

import csv
from datetime import timedelta

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dronedel.aircraft import fly
from dronedel.airspace import site_airspace
from dronedel.config import Wind, load_site
from dronedel.data import example_path
from dronedel.dispatch import plan_day
from dronedel.geo import LocalFrame
from dronedel.mission import validate_mission
from dronedel.mission.flights import plan_missions
from dronedel.mission.items import has_location
from dronedel.orders import load_orders

CONFIG = load_site(example_path("site.toml"))
AIRSPACE = site_airspace(CONFIG)
FRAME = LocalFrame(CONFIG.site.lon, CONFIG.site.lat)


def write_orders(path, seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.uniform(7 * 3600, 22 * 3600, n))
    radius = 12_000 * np.sqrt(rng.uniform(0, 1, n))
    bearing = rng.uniform(0, 2 * np.pi, n)
    lon, lat = FRAME.to_lonlat(radius * np.sin(bearing), radius * np.cos(bearing))
    start = CONFIG.planning.start
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["order_id", "placed_at", "lon", "lat", "weight_kg"])
        for i in range(n):
            when = (start + timedelta(seconds=float(seconds[i]))).isoformat()
            out.writerow([f"R{i:03d}", when, f"{lon[i]:.6f}", f"{lat[i]:.6f}", f"{rng.uniform(0.1, 2.5):.2f}"])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), wind_speed=st.floats(0, 10), wind_from=st.floats(0, 360))
def test_missions_keep_fence_zones_and_reserve(tmp_path, seed, wind_speed, wind_from):
    orders = tmp_path / f"orders-{seed}.csv"
    write_orders(orders, seed, 40)
    book = load_orders(orders, CONFIG.site.tz, CONFIG.planning.start)
    wind = Wind(wind_speed, wind_from)
    plan = plan_day(CONFIG, book, AIRSPACE, wind=wind)
    profile = CONFIG.aircraft
    missions = list(plan_missions(plan, AIRSPACE))
    assert len(missions) == len(plan.accepted)
    for decision, mission in missions:
        flight = decision.flight
        # inside the inclusion fence and outside every exclusion, with FENCE_MARGIN, legs included
        validate_mission(mission)
        # the flown path (every positioned item, in order) keeps clear of the zones blocking it in flight
        points = [(i.y, i.x) for i in mission.items[1:] if has_location(i.command)]
        path = shapely.LineString(points) if len(set(points)) > 1 else shapely.Point(points[0])
        at, until = plan.at(flight.takeoff_s), plan.at(flight.land_s)
        for zone in AIRSPACE.blocking(0.0, max(flight.layers), at, until, CONFIG.airspace.authorisations):
            assert not path.intersects(zone.geometry), (decision.order_id, zone.id)
        # lands with at least the reserve, by an independent evaluation of the route flown
        flown = fly(flight.route, decision.weight_kg, profile, wind, flight.layers)
        assert flown.feasible
        assert flown.reserve_wh >= profile.battery_wh * profile.reserve_fraction - 1e-6
        assert abs(flown.energy_wh - flight.energy_wh) < 1e-6
