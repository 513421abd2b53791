"""1,000 elasticity draws of the April-peak step of the bundled `us-china-2025` scenario.

    python benchmarks/bench_draws.py --workers 2                   # 1000 draws, chunks of 50, here and on Dask
    python benchmarks/bench_draws.py --draws 64 --chunk 16 --vmap-width 0     # the whole chunk vmapped

The step: the April 2025 step of us-china-2025 with the highest US average tariff on China
(trade-weighted at baseline trade), solved in the scenario's model (Caliendo-Parro, deficits
fixed, world2022: 18 regions x 16 sectors). Draws: lognormal, cv 0.25 (median = the dataset's
theta), seed 0, made up front; solved by `tradewar.solver.draws.solve_draws` (jit(vmap) over
chunks) or, with --workers K, on a Dask LocalCluster of K single-threaded processes.

Printed: the compile (first chunk) time, then the wall and process CPU time of all the draws with
a warm compilation; the number of failed draws; welfare percentiles of a few regions. With
--workers, the CPU time printed is the client's only (the workers' is not in it). Target (issue
7): 1,000 draws within 60 s on 2 cores. No assertions: figures only.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def april_peak(scenario_name: str = "us-china-2025"):
    from tradewar.scenario.run import average_tariff, scenario_inputs
    from tradewar.scenario.spec import load_scenario

    spec = load_scenario(scenario_name)
    model, baseline, options, steps = scenario_inputs(spec)
    april = [(k, s) for k, s in enumerate(steps) if (s[0].date or "").startswith("2025-04")]
    k, (step, extra) = max(april, key=lambda ks: average_tariff(baseline, ks[1][0].tariffs, "USA", "CHN"))
    return model, baseline, {**options, **extra}, step, k


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunk", type=int, nargs="*", default=[50], help="chunk sizes to time")
    ap.add_argument("--workers", type=int, default=None, help="also time a Dask LocalCluster of K workers")
    ap.add_argument("--workers-chunk", type=int, default=50, help="chunk size of the Dask run")
    ap.add_argument(
        "--vmap-width",
        type=int,
        default=1,
        help="draws vmapped together inside a chunk (1, the library default: lax.map, one after "
        "another; 0: vmap the whole chunk)",
    )
    args = ap.parse_args()
    args.vmap_width = args.vmap_width or None  # 0 -> None: vmap the whole chunk

    import tradewar  # noqa: F401
    from tradewar.scenario.run import average_tariff
    from tradewar.solver.draws import draw_theta, solve_draws
    from tradewar.solver.equilibrium import solve

    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}")
    model, baseline, options, step, k = april_peak()
    print(f"step {k}: {step.date} {step.label}")
    print(
        f"  US on China {average_tariff(baseline, step.tariffs, 'USA', 'CHN'):.1f}%, "
        f"China on US {average_tariff(baseline, step.tariffs, 'CHN', 'USA'):.1f}% (trade-weighted)"
    )
    print(
        f"  data: {baseline.name}, {baseline.n_regions} regions x {baseline.n_sectors} sectors; options: "
        f"{sorted(options)}"
    )
    centre = options.get("theta", baseline.theta)
    thetas = draw_theta(centre, args.draws, args.seed, distribution="lognormal", cv=0.25)

    point = solve(model, baseline, step.tariffs, **options)  # compile
    w = time.perf_counter()
    point = solve(model, baseline, step.tariffs, **options)
    print(
        f"  point solve (warm): {time.perf_counter() - w:.3f} s, {point.iterations} iterations, residual "
        f"{point.max_residual:.1e}"
    )

    regions = [r for r in ("USA", "CHN", "VNM", "MEX", "EU27") if r in baseline.regions]
    runs = [(c, None) for c in args.chunk] + ([(args.workers_chunk, args.workers)] if args.workers else [])
    for chunk, workers in runs:
        from tradewar.solver.dask import cluster

        with cluster(workers=workers) as client:
            w, c = time.perf_counter(), time.process_time()
            solve_draws(
                model,
                baseline,
                step.tariffs,
                thetas[:chunk],
                chunk_size=chunk,
                client=client,
                vmap_width=args.vmap_width,
                **options,
            )
            compile_wall, compile_cpu = time.perf_counter() - w, time.process_time() - c
            w, c = time.perf_counter(), time.process_time()
            res = solve_draws(
                model,
                baseline,
                step.tariffs,
                thetas,
                chunk_size=chunk,
                client=client,
                vmap_width=args.vmap_width,
                **options,
            )
            wall, cpu = time.perf_counter() - w, time.process_time() - c
        how = f"Dask LocalCluster, {workers} workers" if workers else "this process"
        width = args.vmap_width or chunk
        print(
            f"\n{args.draws} draws, chunk {chunk}, vmap width {width}, {how}: {wall:.1f} s wall, {cpu:.1f} s cpu "
            f"({args.draws / wall:.1f} draws/s); first chunk incl. compile {compile_wall:.1f} s wall, "
            f"{compile_cpu:.1f} s cpu"
        )
        print(
            f"  failed draws: {res.n_failed}; iterations min/median/max "
            f"{res.batch.iterations.min()}/{int(np.median(res.batch.iterations))}/{res.batch.iterations.max()}; "
            f"largest residual {np.nanmax(res.batch.max_residual):.1e}"
        )
        pct = res.percentiles()
        pt = point.regions()
        for r in regions:
            print(
                f"  {r:>5} welfare %: point {pt.loc[r, 'welfare_pct']:+.3f}  p5 {pct.loc[r, 'welfare_pct_p5']:+.3f}  "
                f"p50 {pct.loc[r, 'welfare_pct_p50']:+.3f}  p95 {pct.loc[r, 'welfare_pct_p95']:+.3f}"
            )
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
