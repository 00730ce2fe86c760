"""Generated national-scale airspace for the airspace benchmark.

:func:`national_openair` writes an OpenAir 2 file of ``n`` records spread over a country-sized
box, mixed as national exports are: polygons, circles, arc sectors, two-point cables and
polyline ropeways (floor equal to ceiling), ``DY`` airways, activation times (``AA``),
frequencies and stations, names with umlauts; UTF-8 with a byte-order mark and CRLF line ends.

:func:`facility_grid` builds a UAS facility map grid (the FAA's GeoJSON fields) of one
arc-minute cells around an airport, ceilings falling towards the field and along its runway
axis. Both are illustrative, not published data.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["national_openair", "facility_grid", "BOX"]

#: (lon_min, lat_min, lon_max, lat_max) of the generated country: about Germany.
BOX = (6.0, 47.5, 15.0, 55.0)
_NAMES = ("Süd", "Nord", "Öhringen", "Weißenburg", "Bach", "Tal", "Höhe", "Brücke", "Feld", "Straße")


def _dms(value: float, positive: str, negative: str, width: int) -> str:
    hemisphere = positive if value >= 0 else negative
    value = abs(value)
    degrees = int(value)
    minutes = (value - degrees) * 60
    whole = int(minutes)
    seconds = round((minutes - whole) * 60)
    if seconds == 60:
        whole, seconds = whole + 1, 0
    if whole == 60:
        degrees, whole = degrees + 1, 0
    return f"{degrees:0{width}d}:{whole:02d}:{seconds:02d} {hemisphere}"


def _point(lon: float, lat: float) -> str:
    return f"{_dms(lat, 'N', 'S', 2)} {_dms(lon, 'E', 'W', 3)}"


def national_openair(n: int, seed: int = 0, box: tuple[float, float, float, float] = BOX) -> bytes:
    """An OpenAir 2 file of ``n`` records (see the module docstring), as UTF-8 bytes with BOM and CRLF."""
    rng = np.random.default_rng(seed)
    lines = ["*VERSION: 2.0", "*WRITTEN_BY: dronedel bench/national_airspace.py", ""]
    kinds = rng.choice(["polygon", "circle", "sector", "cable", "ropeway", "airway"], n,
                       p=[0.4, 0.25, 0.1, 0.15, 0.05, 0.05])
    for k, kind in enumerate(kinds):
        lon, lat = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
        name = f"{kind.title()} {_NAMES[k % len(_NAMES)]} {k}"
        cls, typ = (("R", "R"), ("D", "CTR"), ("UNC", "Q"), ("E", "TMZ"))[k % 4]
        if kind == "airway":
            cls, typ = "E", "AWY"
        lines += [f"AC {cls}", f"AY {typ}", f"AN {name}"]
        if k % 5 == 0:
            start = 1 + k % 28
            lines.append(f"AA 2026-06-{start:02d}T06:00Z/2026-06-{start:02d}T18:00Z")
        if k % 7 == 0:
            lines += [f"AF {118 + k % 19}.{(k * 25) % 1000:03d}", f"AG {_NAMES[k % len(_NAMES)]} Info"]
        if kind in ("cable", "ropeway"):
            height = int(rng.integers(10, 60)) * 10
            lines += [f"AL {height}ft AGL", f"AH {height}ft AGL"]
        elif kind == "airway":
            lines += ["AL FL45", "AH FL195"]
        else:
            lines += ["AL GND", f"AH {int(rng.integers(2, 60)) * 100}ft AMSL"]
        if kind == "polygon":
            count = int(rng.integers(4, 13))
            angles = np.sort(rng.uniform(0, 2 * math.pi, count))[::-1]  # clockwise
            radius = rng.uniform(0.02, 0.15, count)
            for a, r in zip(angles, radius):
                lines.append(f"DP {_point(lon + r * math.sin(a) / math.cos(math.radians(lat)), lat + r * math.cos(a))}")
        elif kind == "circle":
            lines += [f"V X={_point(lon, lat)}", f"DC {rng.uniform(0.5, 8):.1f}"]
        elif kind == "sector":
            a1 = int(rng.integers(0, 360))
            lines += [f"V X={_point(lon, lat)}", f"DP {_point(lon, lat)}",
                      f"DA {rng.uniform(1, 5):.1f}, {a1}, {(a1 + int(rng.integers(30, 180))) % 360}"]
        elif kind == "airway":
            lines += [f"V W={rng.choice([4, 8, 10])}", f"DY {_point(lon, lat)}",
                      f"DY {_point(lon + rng.uniform(0.3, 1.0), lat + rng.uniform(-0.3, 0.3))}"]
        else:
            count = 2 if kind == "cable" else int(rng.integers(3, 7))
            steps = rng.uniform(-0.01, 0.01, (count, 2)).cumsum(axis=0)
            lines += [f"DP {_point(lon + dx, lat + dy)}" for dx, dy in steps]
        lines.append("")
    return ("\r\n".join(lines)).encode("utf-8-sig")


def facility_grid(lon: float, lat: float, *, radius_nm: float = 4.4, runway_deg: float = 160.0,
                  icao: str = "KCLL", faa_id: str = "CLL", name: str = "Easterwood Field") -> dict:
    """A UAS facility map grid (GeoJSON FeatureCollection with the FAA's fields) around an airport at (lon, lat)."""
    minute = 1 / 60
    span = radius_nm / 60 + minute
    lat_edges = np.arange(math.floor((lat - span) * 60), math.ceil((lat + span) * 60) + 1) * minute
    lon_span = span / math.cos(math.radians(lat))
    lon_edges = np.arange(math.floor((lon - lon_span) * 60), math.ceil((lon + lon_span) * 60) + 1) * minute
    features = []
    for south in lat_edges[:-1]:
        for west in lon_edges[:-1]:
            clat, clon = south + minute / 2, west + minute / 2
            dy = (clat - lat) * 60
            dx = (clon - lon) * 60 * math.cos(math.radians(lat))
            distance = math.hypot(dx, dy)
            if distance > radius_nm:
                continue
            off_axis = abs(math.sin(math.atan2(dx, dy) - math.radians(runway_deg))) * distance
            ceiling = 0 if distance < 1.2 else 100 if distance < 2.0 else 200 if distance < 2.8 else (
                300 if distance < 3.5 else 400)
            if off_axis < 0.6 and distance >= 1.2:
                ceiling = max(0, ceiling - 100)  # lower under the approach and departure paths
            ring = [[west, south], [west + minute, south], [west + minute, south + minute], [west, south + minute],
                    [west, south]]
            props = {"OBJECTID": len(features) + 1, "CEILING": ceiling, "UNIT": "Feet", "MAP_EFF": "10/30/2025",
                     "LATITUDE": clat, "LONGITUDE": clon, "ARPT_COUNT": 1, "APT1_FAAID": faa_id, "APT1_ICAO": icao,
                     "APT1_NAME": name, "APT1_LAANC": 1, "AIRS_COUNT": 1, "AIRSPACE_1": "D", "REGION": "Southwest"}
            features.append({"type": "Feature", "properties": props,
                             "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": features}
