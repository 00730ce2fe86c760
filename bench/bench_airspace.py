"""Airspace benchmark: national OpenAir files and a UAS facility map grid.

1. Load time of generated national OpenAir 2 files (bench/national_airspace.py: polygons,
   circles, arc sectors, cables, ropeways, airways, activation times; UTF-8 BOM, CRLF) of
   1,000 to 5,000 records, best of ``--repeat``; every record must come back as a zone.
2. Planning against the 5,000-record file from a site in its middle (a point no zone
   covers): the zones kept within the site's planning range (the 100 km frame disc), the
   time to read and filter the file, and the router's preparation time over those zones.
3. Figures: ``airspace_load.png`` (load time against records) and ``uasfm_example.png``
   (an illustrative facility map grid around Easterwood Field beside the example site, with
   a LAANC authorisation for KCLL: the cells that still block the example's 60 m band).

Run from the repository root::

    nice python bench/bench_airspace.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import shapely
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national_airspace import BOX, facility_grid, national_openair

from dronedel.airspace import Airspace, read_airspace, read_zones
from dronedel.airspace.read import planning_range
from dronedel.config import load_site
from dronedel.errors import InputWarning
from dronedel.fileio import save_figure, write_json
from dronedel.geo import LocalFrame
from dronedel.plot.facility import plot_facility_map
from dronedel.routing import Router

EXAMPLE = Path(__file__).resolve().parents[1] / "dronedel" / "data" / "example" / "site.toml"
#: Easterwood Field (KCLL) airport reference point, approximately (lon, lat).
KCLL = (-96.3638, 30.5886)


def timed(function, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - t0)
    return best, result


def load_times(folder: Path, sizes: list[int], repeat: int) -> list[tuple[int, float, int]]:
    rows = []
    for n in sizes:
        path = folder / f"national_{n}.openair"
        path.write_bytes(national_openair(n, seed=n))
        seconds, zones = timed(lambda p=path: read_zones(p), repeat)
        rows.append((n, seconds, len(zones)))
        print(f"  {n:>5} records: {seconds:6.2f} s ({n / seconds:,.0f} records/s), {len(zones)} zones, "
              f"{path.stat().st_size / 1e6:.1f} MB")
    return rows


def clear_site(path: Path) -> tuple[float, float]:
    """A point near the middle of the generated country that no zone covers (the depot)."""
    every = Airspace(read_zones(path))
    lon0, lat0 = (BOX[0] + BOX[2]) / 2, (BOX[1] + BOX[3]) / 2
    for k in range(10_000):
        lon, lat = lon0 + 0.01 * k * np.cos(k), lat0 + 0.01 * k * np.sin(k)
        if not every.touching(shapely.Point(lon, lat).buffer(0.01)):
            return float(lon), float(lat)
    raise RuntimeError("no clear site found")


def planning(folder: Path, n: int, repeat: int) -> dict:
    path = folder / f"national_{n}.openair"
    site = folder / "site.toml"
    lon, lat = clear_site(path)
    site.write_text(f'[site]\nlon = {lon!r}\nlat = {lat!r}\n\n[airspace]\nfiles = ["{path}"]\n')
    config = load_site(site)
    area = planning_range(config)
    seconds, airspace = timed(lambda: read_airspace(path, planning_range=area), repeat)
    frame = LocalFrame(config.site.lon, config.site.lat)
    prep, router = timed(lambda: Router.for_airspace(airspace, frame, band=(0.0, 60.0), margin_m=30.0), 1)
    return {"records": n, "kept": len(airspace), "read_s": seconds, "router_s": prep,
            "obstacles": len(router.obstacles), "range_km2": frame.geometry_to_local(area, check=False).area / 1e6}


def plot_load(rows: list[tuple[int, float, int]], path: Path) -> Path:
    fig = Figure(figsize=(5.5, 3.6))
    ax = fig.add_subplot()
    n = np.array([r[0] for r in rows])
    s = np.array([r[1] for r in rows])
    ax.plot(n, s, "o-", color="#1f77b4")
    for x, y in zip(n, s):
        ax.annotate(f"{y:.2f} s", (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlabel("records in the OpenAir file")
    ax.set_ylabel("read time (s), best of runs")
    ax.set_title("Reading a national OpenAir 2 file", fontsize=9)
    ax.set_ylim(0, s.max() * 1.25)
    ax.set_xlim(0, n.max() * 1.15)
    ax.grid(True, linewidth=0.3)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_grid(folder: Path, path: Path) -> tuple[Path, int, int]:
    grid_path = folder / "kcll_uasfm.geojson"
    write_json(grid_path, facility_grid(*KCLL))
    config = load_site(EXAMPLE)
    example = read_airspace(config.airspace.files, ground_amsl_m=config.site.elevation_m, tz=config.site.tz,
                            operating_area=config.airspace.operating_area)
    cells = read_zones(grid_path, ground_amsl_m=config.site.elevation_m)
    others = [z for z in example if z.id != "kcll-class-d"]  # the grid stands for the class D surface area
    airspace = Airspace(others + cells, example.operating_area, example.ground_amsl_m)
    band = (0.0, config.aircraft.cruise_alt_m)
    blocking = [z for z in airspace.blocking(*band, authorisations=["KCLL"]) if z.authorised_ceiling is not None]
    out = plot_facility_map(airspace, path, site=config.site, authorisations=["KCLL"], band_agl=band,
                            title=f"Illustrative UAS facility map grid around KCLL ({len(cells)} cells); "
                                  f"LAANC for KCLL, {band[1]:g} m band: {len(blocking)} cells still block")
    return out, len(cells), len(blocking)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--figures", type=Path, default=Path("docs/figures"))
    args = parser.parse_args()
    warnings.simplefilter("ignore", InputWarning)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("national OpenAir 2 files (generated):")
        rows = load_times(folder, args.sizes, args.repeat)
        assert all(zones == n for n, _, zones in rows), "every record must be read"
        result = planning(folder, max(args.sizes), args.repeat)
        print(f"planning from a site in the middle of the {result['records']}-record file: "
              f"{result['kept']} zones within its planning range ({result['range_km2']:,.0f} km²), read and "
              f"filtered in {result['read_s']:.2f} s; router prepared in {result['router_s']:.2f} s over "
              f"{result['obstacles']} blocking zones")
        print(f"figure: {plot_load(rows, args.figures / 'airspace_load.png')}")
        out, cells, blocking = plot_grid(folder, args.figures / "uasfm_example.png")
        print(f"figure: {out} ({cells} cells, {blocking} block the example band with LAANC for KCLL)")


if __name__ == "__main__":
    main()
