"""Benchmark: the whole backtest (`tradewar backtest us-china-2025`: every horizon x basis
setting, every observed month from January 2025) on the bundled data.

Prints the first run in this process (it compiles the solver for the two array shapes, with and
without China's export limits) and the best of `repeats` warm runs. Target (issue 16): whole
backtest warm under 60 s on 2 cores.

    python benchmarks/bench_backtest.py
"""

import time

from tradewar.scenario.backtest import run_backtest
from tradewar.scenario.spec import load_scenario


def main(repeats: int = 3) -> None:
    spec = load_scenario("us-china-2025")
    t0 = time.perf_counter()
    result = run_backtest(spec)
    first = time.perf_counter() - t0
    warm = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run_backtest(spec)
        warm.append(time.perf_counter() - t0)
    solves = len(result.settings) * len(result.months)
    print(f"backtest us-china-2025: {len(result.settings)} settings x {len(result.months)} months = {solves} solves")
    print(f"first run in process (compiles): {first:.2f} s")
    print(f"warm, best of {repeats}: {min(warm):.2f} s (target < 60 s on 2 cores)")


if __name__ == "__main__":
    main()
