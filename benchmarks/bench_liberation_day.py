"""Benchmark: the Liberation Day model (Ignatenko et al. 2025) on 194 countries.

Prints (i) the cold time of the first counterfactual (jit compilation + solve), (ii) the warm
time of one 194-country counterfactual (USTR tariffs, income-tax relief), the median and the
best of several repeats, and (iii) the warm time of the whole replication (Tables 1, 2, 3, 11:
six published cases, plus data loading, calibration and the two text variants of
`tradewar.replicate.liberation_day.replicate`). Target (issue 5): the counterfactual under 1 s
warm; an independent scipy implementation takes about 3 s for the whole table.

    python benchmarks/bench_liberation_day.py [--data DIR] [--repeats 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import jax

from tradewar.data.baci import load_baci2023
from tradewar.data.registry import default_data_path
from tradewar.models import liberation_day as ld
from tradewar.replicate.liberation_day import cases, replicate
from tradewar.solver.equilibrium import solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    path = args.data or default_data_path("recent/baci2023_libday")

    t0 = time.perf_counter()
    baseline = ld.calibrate(load_baci2023(path))
    t_load = time.perf_counter() - t0
    tariffs = ld.ustr_tariffs(baseline)

    t0 = time.perf_counter()
    eq = solve(ld.NAME, baseline, tariffs)
    t_cold = time.perf_counter() - t0

    warm = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        eq = solve(ld.NAME, baseline, tariffs)
        warm.append(time.perf_counter() - t0)

    case_list, _ = cases(baseline)
    t0 = time.perf_counter()
    for c in case_list:
        solve(ld.NAME, baseline, c.tariffs, rebate=c.rebate)
    t_six = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = replicate(path)
    t_table = time.perf_counter() - t0

    us = baseline.region_index("USA")
    print(f"machine: {os.cpu_count()} cores visible, jax {jax.__version__} on {jax.default_backend()}, float64")
    print(f"data load + calibration (194 countries):             {t_load:8.3f} s")
    print(f"first counterfactual, cold (compile + solve):         {t_cold:8.3f} s")
    print(
        f"194-country counterfactual (USTR), warm:  median {statistics.median(warm):.3f} s, best {min(warm):.3f} s "
        f"over {args.repeats} (target < 1 s); {eq.iterations} Newton iterations, max residual {eq.max_residual:.1e}, "
        f"US welfare {eq.outcomes['welfare_pct'][us]:+.2f}%"
    )
    print(f"the six published cases (Tables 1-3, 11), warm solves: {t_six:8.3f} s")
    print(
        f"whole replication (load, calibrate, 6 cases + 2 text variants), warm: {t_table:.3f} s "
        f"(reference: independent scipy implementation ~3 s for the table); "
        f"converged={result['converged']}, all cells matched={result['matches_published']}"
    )


if __name__ == "__main__":
    main()
