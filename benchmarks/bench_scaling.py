"""Solve time and peak memory of one counterfactual as regions x sectors grow.

    python benchmarks/bench_scaling.py                    # ICIO 20x14, 40x50, 80x50; synthetic to 200x50
    python benchmarks/bench_scaling.py --synthetic 20x14 80x50 --icio 20x14

The counterfactual: the first two regions (USA and CHN in the ICIO baselines; R000 and R001 in
the synthetic ones) raise their tariffs on each other by 25 points in every tradable sector, in
the Caliendo-Parro model with deficits fixed. Each size runs in a fresh subprocess: it loads the
baseline (built and calibrated beforehand by this script), solves once (``first``: XLA compile,
or a load from tradewar's persistent compile cache), then three more times (``warm``: the best
of three, including building the params and copying the outcomes to numpy). Peak memory is the
subprocess's high-water resident set, VmHWM in /proc/self/status (tracemalloc does not see XLA's
allocations; ``ru_maxrss`` is not used because Linux carries the forking parent's RSS over the
exec into it); ``rss_loaded`` is its resident memory after imports and the baseline load, before
the first solve. Times are wall
clock and process CPU time (all threads); with other jobs on the machine, CPU time is the
steadier figure. The growth rate is the least-squares slope of log(warm time) and log(peak
memory above rss_loaded) on log(N^2 S), the size of the trade arrays: 1 means linear in it.

ICIO baselines (quick method, for timing only; not a dataset for analysis): from
../shared/data/recent/icio2022 (OECD ICIO 2025 ed., 2022, 80 economies x 50 industries):
- regions: the 80 economies, or the K-1 largest by gross output plus "ROW" (the rest);
  sectors: the 50 ICIO industries, or the README's 14 broad sectors (sector_map.csv);
- trade[n, i, j] = intermediate sales of (i, j) to n (icio2022_intermediate_by_origin_sector_
  dest_country) scaled up to i's gross output in j, i.e. final sales are assumed to go to the
  same destinations as intermediate sales (the extract has no bilateral final demand); nodes with
  output but no intermediate sales sell it at home;
- va_share = va_plus_tls_plus_row_inputs / gross_output; io_share: the input mix of the node's
  19-region aggregate (icio2022_Z_19regions_50sectors), summed over members;
- final_share: absorption minus intermediate demand (floored at 0), by sector, normalised;
- tariffs 0, theta 5 in every sector; deficits as implied by these flows; then
  `caliendo_parro.calibrate` makes the raw arrays an exact equilibrium.
Synthetic baselines: `tradewar.data.synthetic.synthetic_raw(n, s, seed=1)`, calibrated the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ICIO_SIZES = ["20x14", "40x50", "80x50"]
SYNTHETIC_SIZES = ["20x14", "40x50", "80x50", "120x50", "160x50", "200x50"]
CACHE = Path(tempfile.gettempdir()) / "tradewar_bench_scaling"


def parse_size(text: str) -> tuple[int, int]:
    n, s = text.lower().split("x")
    return int(n), int(s)


# ----------------------------------------------------------------------------- ICIO quick build
def icio_raw(n_regions: int, n_sectors: int):
    """Raw (not yet equilibrium) ICIO baseline at n_regions x n_sectors (50 or 14), see above."""
    import pandas as pd

    from tradewar.data.baseline import Baseline
    from tradewar.data.registry import default_data_path

    root = default_data_path("recent") / "icio2022"
    nodes = pd.read_csv(root / "icio2022_nodes.csv")
    flows = pd.read_csv(root / "icio2022_intermediate_by_origin_sector_dest_country.csv.gz")
    z19 = pd.read_csv(root / "icio2022_Z_19regions_50sectors.csv.gz")
    rmap = pd.read_csv(root / "region_map.csv").set_index("country")["region"]
    smap = pd.read_csv(root / "sector_map.csv")
    countries = sorted(nodes["country"].unique())
    sectors = list(smap["sector"])
    c_idx, s_idx = {c: k for k, c in enumerate(countries)}, {s: k for k, s in enumerate(sectors)}
    C, S = len(countries), len(sectors)

    go = np.zeros((C, S))
    va = np.zeros((C, S))
    go[nodes["country"].map(c_idx), nodes["sector"].map(s_idx)] = nodes["gross_output"]
    va[nodes["country"].map(c_idx), nodes["sector"].map(s_idx)] = nodes["va_plus_tls_plus_row_inputs"]
    inter = np.zeros((C, C, S))  # [dest, origin, sector]
    inter[flows["dest_country"].map(c_idx), flows["origin_country"].map(c_idx), flows["origin_sector"].map(s_idx)] = (
        flows["value_usd_mn"]
    )
    sold = inter.sum(axis=0)  # [origin, sector]
    trade = inter * np.divide(go, sold, out=np.zeros_like(go), where=sold > 0)[None]
    home = (sold <= 0) & (go > 0)
    ci, si = np.nonzero(home)
    trade[ci, ci, si] = go[ci, si]

    # Input mix [region19, input k, user j] from the 19-region matrix.
    regions19 = sorted(z19["dest_region"].unique())
    r_idx = {r: k for k, r in enumerate(regions19)}
    mix = np.zeros((len(regions19), S, S))
    np.add.at(
        mix,
        (z19["dest_region"].map(r_idx), z19["origin_sector"].map(s_idx), z19["dest_sector"].map(s_idx)),
        z19["value_usd_mn"],
    )
    input_spend = mix[[r_idx[rmap[c]] for c in countries]]  # [country, k, j] (region's mix)
    input_spend = input_spend / np.maximum(input_spend.sum(axis=1, keepdims=True), 1e-300) * (go - va)[:, None, :]

    # Region and sector grouping.
    if n_regions >= C:
        r_names = countries
        rg = np.arange(C)
    else:
        order = np.argsort(-go.sum(axis=1))
        keep = [countries[k] for k in order[: n_regions - 1]]
        r_names = [*keep, "ROW"]
        rg = np.array([keep.index(c) if c in keep else n_regions - 1 for c in countries])
    if n_sectors == S:
        s_names, sg = sectors, np.arange(S)
    elif n_sectors == 14:
        broad = list(dict.fromkeys(smap["broad_sector"]))
        s_names = broad
        sg = np.array([broad.index(b) for b in smap["broad_sector"]])
    else:
        raise SystemExit(f"ICIO sizes take 50 or 14 sectors, not {n_sectors}")
    N, J = len(r_names), len(s_names)
    R = np.zeros((N, C))
    R[rg, np.arange(C)] = 1
    G = np.zeros((J, S))
    G[sg, np.arange(S)] = 1
    trade_a = np.einsum("an,nij->aij", R, trade)
    trade_a = np.einsum("bi,aij->abj", R, trade_a)
    trade_a = np.einsum("cj,abj->abc", G, trade_a)
    go_a, va_a = R @ go @ G.T, R @ va @ G.T
    spend = np.einsum("an,nkj->akj", R, input_spend)
    spend = np.einsum("ck,akj->acj", G, spend)
    spend = np.einsum("dj,acj->acd", G, spend)

    va_share = np.clip(np.divide(va_a, go_a, out=np.full_like(go_a, 0.5), where=go_a > 0), 0.05, 1.0)
    tot = spend.sum(axis=1, keepdims=True)
    io_share = np.divide(spend, tot, out=np.full_like(spend, 1.0 / J), where=tot > 0)
    absorption = trade_a.sum(axis=1)
    inter_demand = np.einsum("nkj,nj->nk", io_share, (1 - va_share) * trade_a.sum(axis=0))
    final = np.maximum(absorption - inter_demand, 0) + 1e-6 * absorption.mean()
    final_share = final / final.sum(axis=1, keepdims=True)
    offdiag = trade_a.sum(axis=(0, 1)) - np.einsum("nnj->j", trade_a)
    raw = Baseline(
        name=f"ICIO 2022 quick {N}x{J}",
        regions=tuple(r_names),
        sectors=tuple(s_names),
        trade=trade_a,
        tariffs=np.zeros_like(trade_a),
        va_share=va_share,
        io_share=io_share,
        final_share=final_share,
        theta=np.full(J, 5.0),
        tradable=offdiag > 0,
        provenance="OECD ICIO 2025 ed. (2022) via ../shared/data/recent/icio2022; quick benchmark build",
    )
    value_added = (va_share * trade_a.sum(axis=0)).sum(axis=1)
    deficit = trade_a.sum(axis=(1, 2)) - trade_a.sum(axis=(0, 2))
    raw.extras["value_added_data"] = value_added
    raw.extras["deficit_data"] = deficit - value_added * deficit.sum() / value_added.sum()
    return raw


def build(kind: str, size: str) -> Path:
    """Calibrated baseline pickled in the cache folder (built once)."""
    from tradewar.models.caliendo_parro import calibrate

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{kind}_{size}.pkl"
    if path.exists():
        return path
    n, s = parse_size(size)
    t = time.perf_counter()
    if kind == "icio":
        raw = icio_raw(n, s)
    else:
        from tradewar.data.synthetic import synthetic_raw

        raw = synthetic_raw(n, s, seed=1)
    baseline = calibrate(raw, deficits="fixed")
    with open(path, "wb") as f:
        pickle.dump(baseline, f)
    print(f"  built and calibrated {kind} {size} in {time.perf_counter() - t:.1f} s wall", flush=True)
    return path


# ----------------------------------------------------------------------------- one size (child)
def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory (VmRSS) or its high-water mark (VmHWM) of this process, MB (Linux)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_one(path: str, repeats: int = 3) -> dict:
    import tradewar  # noqa: F401
    from tradewar.solver.equilibrium import solve

    with open(path, "rb") as f:
        baseline = pickle.load(f)
    tariffs = baseline.tariffs.copy()
    a, b = 0, 1
    tariffs[a, b, baseline.tradable] += 0.25
    tariffs[b, a, baseline.tradable] += 0.25
    loaded = rss_mb()

    def timed():
        w, c = time.perf_counter(), time.process_time()
        eq = solve("caliendo-parro", baseline, tariffs)
        return time.perf_counter() - w, time.process_time() - c, eq

    first_wall, first_cpu, eq = timed()
    warm = [timed() for _ in range(repeats)]
    best = min(warm, key=lambda x: x[0])
    n, s = baseline.n_regions, baseline.n_sectors
    return {
        "name": baseline.name,
        "regions": n,
        "sectors": s,
        "n2s": n * n * s,
        "unknowns": n + 2 * n * s,
        "first_wall_s": first_wall,
        "first_cpu_s": first_cpu,
        "warm_wall_s": best[0],
        "warm_cpu_s": min(x[1] for x in warm),
        "iterations": eq.iterations,
        "max_residual": eq.max_residual,
        "converged": eq.converged,
        "welfare_pct_first_two": [float(x) for x in eq.regions()["welfare_pct"].to_numpy()[:2]],
        "rss_loaded_mb": loaded,
        "peak_rss_mb": rss_mb("VmHWM"),
    }


def slope(x, y) -> float:
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(np.polyfit(lx, ly, 1)[0])


def report(kind: str, rows: list[dict]) -> None:
    print(f"\n{kind}: one counterfactual (first two regions +25 pp on each other), Caliendo-Parro")
    print(
        f"{'size':>8} {'N^2 S':>10} {'unknowns':>9} {'first wall':>11} {'warm wall':>10} {'warm cpu':>9} "
        f"{'iters':>5} {'residual':>9} {'rss loaded':>11} {'peak rss':>9}"
    )
    for r in rows:
        print(
            f"{r['regions']:>4}x{r['sectors']:<3} {r['n2s']:>10,} {r['unknowns']:>9,} {r['first_wall_s']:>10.2f}s "
            f"{r['warm_wall_s']:>9.3f}s {r['warm_cpu_s']:>8.3f}s {r['iterations']:>5} {r['max_residual']:>9.1e} "
            f"{r['rss_loaded_mb']:>8.0f} MB {r['peak_rss_mb']:>6.0f} MB"
        )
    if len(rows) >= 2:
        x = [r["n2s"] for r in rows]
        print(
            f"  growth vs N^2 S: warm wall time ~ (N^2 S)^{slope(x, [r['warm_wall_s'] for r in rows]):.2f}, "
            f"warm cpu ~ (N^2 S)^{slope(x, [r['warm_cpu_s'] for r in rows]):.2f}, "
            "peak - loaded memory ~ (N^2 "
            f"S)^{slope(x, [max(r['peak_rss_mb'] - r['rss_loaded_mb'], 1) for r in rows]):.2f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--icio", nargs="*", default=ICIO_SIZES, help="ICIO sizes NxS (S = 14 or 50)")
    ap.add_argument("--synthetic", nargs="*", default=SYNTHETIC_SIZES, help="synthetic sizes NxS")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--json", help="also write the rows to this JSON file")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}")
    results = {}
    for kind, sizes in (("icio", args.icio), ("synthetic", args.synthetic)):
        rows = []
        for size in sizes:
            path = build(kind, size)
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(path)], capture_output=True, text=True, check=False
            )
            if out.returncode != 0:
                print(f"  {kind} {size} failed:\n{out.stderr[-2000:]}")
                continue
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"  {kind} {size}: warm {row['warm_wall_s']:.3f} s wall, {row['warm_cpu_s']:.3f} s cpu, "
                f"peak {row['peak_rss_mb']:.0f} MB, load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            rows.append(row)
        results[kind] = rows
        if rows:
            report(kind, rows)
    print(f"\nload average after: {os.getloadavg()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
