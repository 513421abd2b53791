"""Benchmark: the main job, `tradewar run us-china-2025`, on the bundled world2022 data.

Prints the whole job from a fresh process including the HTML report, with an empty compile cache
(cold) and with the cache the first run left, and the warm solve of one step (the April peak).
Targets (issue 4): whole job cold under 60 s on 2 cores; one step warm under 0.5 s.

    python benchmarks/bench_world2022.py
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

from tradewar.scenario.run import run_scenario, scenario_inputs
from tradewar.scenario.spec import load_scenario
from tradewar.solver.equilibrium import solve


def main(repeats: int = 20) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("empty compile cache", "warm compile cache"):
            env = dict(os.environ, TRADEWAR_CACHE_DIR=os.path.join(tmp, "cache"))
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "tradewar.cli", "run", "us-china-2025", "--report", os.path.join(tmp, "r.html")],
                check=True,
                capture_output=True,
                env=env,
            )
            print(
                f"tradewar run us-china-2025 (18 steps + HTML report), fresh process, {label}: "
                f"{time.perf_counter() - t0:.1f} s"
            )
    spec = load_scenario("us-china-2025")
    model, baseline, options, steps = scenario_inputs(spec)
    step, extra = max(steps, key=lambda s: s[0].tariffs.max())
    solve(model, baseline, step.tariffs, **options, **extra)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        eq = solve(model, baseline, step.tariffs, **options, **extra)
        times.append(time.perf_counter() - t0)
    print(
        f"one step warm ({step.date} {step.label[:40]}...): median {statistics.median(times) * 1e3:.0f} ms, "
        f"min {min(times) * 1e3:.0f} ms ({eq.iterations} Newton iterations, residual {eq.max_residual:.1e})"
    )
    t0 = time.perf_counter()
    run_scenario(spec)
    print(f"all 18 steps warm, in process: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
