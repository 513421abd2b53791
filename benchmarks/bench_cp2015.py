"""Benchmark: the Caliendo-Parro NAFTA counterfactual (31 regions x 40 sectors).

Prints the warm solve time (after compilation; median of repeats), the first (compiling) solve,
and the whole CLI run `tradewar replicate cp2015` from a fresh process, with an empty compile
cache (cold) and with the cache a previous run left (the usual case).
Peers on this kind of machine (issue 2): R cp2015 8-13 s for its two equilibria, a public JAX
port 13-17 s warm, the authors' Matlab code 410 s under Octave. Targets: warm < 0.1 s, CLI < 10 s.

    python benchmarks/bench_cp2015.py
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

import tradewar
from tradewar.data.registry import load_dataset
from tradewar.solver.equilibrium import solve


def main(repeats: int = 20) -> None:
    baseline = load_dataset("cp2015")
    tariffs = baseline.extras["tariff_cf_nafta"]
    t0 = time.perf_counter()
    eq = solve("caliendo-parro", baseline, tariffs)
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        eq = solve("caliendo-parro", baseline, tariffs)
        times.append(time.perf_counter() - t0)
    print(f"NAFTA counterfactual, first call (compiles): {first:.2f} s")
    print(
        f"NAFTA counterfactual, warm: median {statistics.median(times) * 1e3:.1f} ms, "
        f"min {min(times) * 1e3:.1f} ms over {repeats} runs ({eq.iterations} Newton iterations, "
        f"residual {eq.max_residual:.1e})"
    )
    with tempfile.TemporaryDirectory() as cache:
        for label in ("empty compile cache", "warm compile cache"):
            env = dict(os.environ, TRADEWAR_CACHE_DIR=cache)
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "tradewar.cli", "replicate", "cp2015", "--json"],
                check=True,
                capture_output=True,
                env=env,
            )
            print(
                f"whole CLI run `tradewar replicate cp2015`, fresh process, {label}: {time.perf_counter() - t0:.2f} s"
            )
    print(f"tradewar {tradewar.__version__}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
