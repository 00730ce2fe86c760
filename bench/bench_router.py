"""Router benchmark: preparation and query time, exactness, and peers side by side.

Random fields of disjoint convex no-fly polygons in a 20 km square (bench/fields.py), the
site at the centre, 1,000 random free targets. For each field size it measures

- dronedel's Router: preparation (graph + shortest-path tree) and per-target time in one
  batch of ``--queries`` targets;
- an independent brute-force reference: the visibility graph over *all* vertex pairs
  checked with GEOS (``shapely.covers`` of the free space), Dijkstra, then every target
  against every vertex; dronedel's lengths must equal it to 1e-6 relative;
- extremitypathfinder and pyvisgraph on the same polygons, preparation and per-query
  time over ``--peer-queries`` targets, and their lengths against the reference.

Then how cost grows: preparation against the number of obstacle vertices and batch
time against the number of targets (log-log figure ``router_scaling.png``).

Run from the repository root (it takes several minutes; be kind to shared machines)::

    nice python bench/bench_router.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fields import SIDE_M, free_targets, random_field

from dronedel.routing import Router

ORIGIN = (SIDE_M / 2, SIDE_M / 2)


def brute_force(obstacles, targets, boundary) -> np.ndarray:
    """Shortest lengths from ORIGIN on the visibility graph of all vertices (GEOS predicates)."""
    free = boundary.difference(shapely.union_all(obstacles))
    shapely.prepare(free)
    verts = np.vstack([np.array([ORIGIN])] + [shapely.get_coordinates(p.exterior)[:-1] for p in obstacles])
    i, j = np.triu_indices(len(verts), 1)
    ok = np.zeros(len(i), bool)
    for s in range(0, len(i), 200_000):
        lines = shapely.linestrings(np.stack([verts[i[s:s + 200_000]], verts[j[s:s + 200_000]]], axis=1))
        ok[s:s + 200_000] = shapely.covers(free, lines)
    w = np.hypot(*(verts[i[ok]] - verts[j[ok]]).T)
    dist = dijkstra(coo_matrix((w, (i[ok], j[ok])), shape=(len(verts),) * 2), directed=False, indices=0)
    out = np.empty(len(targets))
    for k, t in enumerate(targets):
        seen = shapely.covers(free, shapely.linestrings(np.stack([verts, np.broadcast_to(t, verts.shape)], 1)))
        out[k] = np.min(dist[seen] + np.hypot(*(verts[seen] - t).T))
    return out


def run_extremity(obstacles, targets):
    from extremitypathfinder import PolygonEnvironment

    env = PolygonEnvironment()
    boundary = [(0.0, 0.0), (SIDE_M, 0.0), (SIDE_M, SIDE_M), (0.0, SIDE_M)]
    holes = [[tuple(c) for c in shapely.get_coordinates(p.exterior)[:-1][::-1]] for p in obstacles]  # clockwise
    t0 = time.perf_counter()
    env.store(boundary, holes, validate=False)  # stores and prepares the graph
    prep = time.perf_counter() - t0
    lengths = np.empty(len(targets))
    t0 = time.perf_counter()
    for k, t in enumerate(targets):
        _, length = env.find_shortest_path(ORIGIN, tuple(t))
        lengths[k] = np.inf if length is None else length
    return prep, (time.perf_counter() - t0) / len(targets), lengths


def run_pyvisgraph(obstacles, targets):
    import pyvisgraph as vg

    polys = [[vg.Point(*c) for c in shapely.get_coordinates(p.exterior)[:-1]] for p in obstacles]
    t0 = time.perf_counter()
    graph = vg.VisGraph()
    graph.build(polys, workers=1, status=False)
    prep = time.perf_counter() - t0
    lengths = np.empty(len(targets))
    t0 = time.perf_counter()
    for k, t in enumerate(targets):
        path = graph.shortest_path(vg.Point(*ORIGIN), vg.Point(*t))
        xy = np.array([(p.x, p.y) for p in path])
        lengths[k] = np.hypot(*np.diff(xy, axis=0).T).sum()
    return prep, (time.perf_counter() - t0) / len(targets), lengths


def rel(a, b):
    return float(np.max(np.abs(a - b) / b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 300, 1000], help="obstacle counts")
    parser.add_argument("--queries", type=int, default=1000, help="targets per batch for dronedel")
    parser.add_argument("--peer-queries", type=int, default=50, help="targets each peer answers (one by one)")
    parser.add_argument("--peer-max", type=int, default=300, help="largest field the peers are run on")
    parser.add_argument("--brute-max", type=int, default=300, help="largest field checked by brute force")
    parser.add_argument("--brute-queries", type=int, default=200, help="targets checked by brute force")
    parser.add_argument("--figures", type=Path, default=Path("docs/figures"), help="folder for figures")
    args = parser.parse_args()

    boundary = shapely.box(0, 0, SIDE_M, SIDE_M)
    rows = []
    scaling = []
    for n in args.sizes:
        obstacles = random_field(n, seed=n)
        nv = sum(len(p.exterior.coords) - 1 for p in obstacles)
        targets = free_targets(obstacles, args.queries, seed=n + 1)
        t0 = time.perf_counter()
        router = Router(obstacles, boundary, ORIGIN)
        prep = time.perf_counter() - t0
        t0 = time.perf_counter()
        lengths, _ = router.distances(targets)
        query = (time.perf_counter() - t0) / len(targets)
        scaling.append((nv, prep))
        row = {"n": n, "vertices": nv, "corners": len(router.nodes) - 1, "edges": router.graph.nnz,
               "prep": prep, "query": query}
        if n <= args.brute_max:
            k = min(args.brute_queries, len(targets))
            ref = brute_force(obstacles, targets[:k], boundary)
            row["err"] = rel(lengths[:k], ref)
            row["shorter"] = int(np.sum(lengths[:k] < ref * (1 - 1e-9)))
        if n <= args.peer_max:
            k = min(args.peer_queries, len(targets))
            for name, fn in (("epf", run_extremity), ("pvg", run_pyvisgraph)):
                p_prep, p_query, p_len = fn(obstacles, targets[:k])
                row[f"{name}_prep"], row[f"{name}_query"] = p_prep, p_query
                if "err" in row:
                    row[f"{name}_err"] = rel(p_len, ref[:k])
        rows.append(row)
        print_row(row)
    print_table(rows, args)

    # cost against the number of targets, on the 300-polygon field
    obstacles = random_field(300, seed=300)
    router = Router(obstacles, boundary, ORIGIN)
    batch = []
    for m in (1, 10, 100, 1000, 10_000, 100_000):
        targets = free_targets(obstacles, m, seed=7)
        t0 = time.perf_counter()
        router.distances(targets)
        batch.append((m, time.perf_counter() - t0))
    print("\nbatch size vs time (300 polygons):")
    for m, t in batch:
        print(f"  {m:>7} targets  {t * 1000:9.1f} ms  {t / m * 1e3:8.3f} ms/target")
    plot(scaling, batch, args.figures / "router_scaling.png")
    plot_example(router, args.figures / "router_example.png")


def print_row(row) -> None:
    print(f"# {row['n']} polygons: prep {row['prep']:.2f} s, query {row['query'] * 1e3:.3f} ms", flush=True)


def fmt(v, scale=1.0, spec=".2f"):
    return "-" if v is None else format(v * scale, spec)


def print_table(rows, args) -> None:
    print()
    print("| polygons | vertices | tangent corners | graph edges | dronedel prep s | dronedel query ms "
          "| max rel. error vs brute force | extremitypathfinder prep s / query ms / max rel. error "
          "| pyvisgraph prep s / query ms / max rel. error |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        epf = (f"{fmt(r.get('epf_prep'))} / {fmt(r.get('epf_query'), 1e3)} / {fmt(r.get('epf_err'), 1, '.1e')}"
               if "epf_prep" in r else f"not run beyond {args.peer_max}")
        pvg = (f"{fmt(r.get('pvg_prep'))} / {fmt(r.get('pvg_query'), 1e3)} / {fmt(r.get('pvg_err'), 1, '.1e')}"
               if "pvg_prep" in r else f"not run beyond {args.peer_max}")
        err = f"{r['err']:.1e} ({r['shorter']} shorter)" if "err" in r else f"not run beyond {args.brute_max}"
        print(f"| {r['n']} | {r['vertices']} | {r['corners']} | {r['edges']} | {r['prep']:.2f} "
              f"| {r['query'] * 1e3:.3f} | {err} | {epf} | {pvg} |")


def plot(scaling, batch, path: Path) -> None:
    from matplotlib.figure import Figure

    from dronedel.fileio import save_figure

    fig = Figure(figsize=(9, 3.8))
    ax1, ax2 = fig.subplots(1, 2)
    v, t = np.array(scaling).T
    ax1.loglog(v, t, "o-", label="dronedel preparation")
    ref = t[-1] * (v / v[-1]) ** 2
    ax1.loglog(v, ref, ":", color="grey", label="slope 2")
    ax1.set_xlabel("obstacle vertices")
    ax1.set_ylabel("seconds")
    ax1.set_title("preparation vs obstacle vertices", fontsize=9)
    ax1.legend(fontsize=8)
    m, bt = np.array(batch).T
    ax2.loglog(m, bt, "o-", label="batch time")
    ax2.loglog(m, bt[-1] * m / m[-1], ":", color="grey", label="slope 1")
    ax2.set_xlabel("targets in one batch (300 polygons)")
    ax2.set_ylabel("seconds")
    ax2.set_title("query time vs number of targets", fontsize=9)
    ax2.legend(fontsize=8)
    for ax in (ax1, ax2):
        ax.grid(True, which="both", linewidth=0.3)
    save_figure(fig, path)
    print(f"figure: {path}")


def plot_example(router: Router, path: Path) -> None:
    from matplotlib.figure import Figure

    from dronedel.fileio import save_figure

    fig = Figure(figsize=(6, 6))
    ax = fig.add_subplot()
    for p in router.obstacles:
        ax.fill(*p.exterior.xy, color="#d62728", alpha=0.5, linewidth=0)
    rows, cols = router.graph.nonzero()
    seg = np.stack([router.nodes[rows], router.nodes[cols]], axis=1)
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection(seg, colors="#999999", linewidths=0.15, alpha=0.5))
    targets = free_targets(list(router.obstacles), 12, seed=3)
    for route in router.routes(targets):
        ax.plot(*route.points.T, color="#1f77b4", linewidth=1.2)
    ax.plot(*router.origin, marker="*", markersize=14, color="black")
    ax.set_aspect("equal")
    ax.set_xlim(0, SIDE_M)
    ax.set_ylim(0, SIDE_M)
    ax.set_title("300 obstacles: tangent visibility graph (grey) and shortest routes", fontsize=9)
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    save_figure(fig, path)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
