"""Benchmark: the main job (us-china-2025) step by step on world2022-full (80 economies x 50
industries), one step warm, the whole backtest, peak memory, and optionally an MFN game.

    python benchmarks/bench_world2022_full.py [--games | --games-only]

Runs in this process: loads the scenario's inputs on world2022-full, then solves every step from
the baseline as `tradewar run` does (`scenario_inputs` + `tradewar.solve`), printing for each
step its wall and process CPU time, Newton iterations, residual and converged flag (the first
step of each solver shape includes its compile, or its load from the compile cache); then the
first policy step again, best of 5 (warm); then the whole backtest (every horizon x basis setting,
every observed month, each partner on its own). With other jobs on the machine, CPU time is the
steadier figure; the load average is printed beside. Peak memory is the high-water resident set
(VmHWM in /proc/self/status; tracemalloc does not see XLA's memory). With ``--games``, the US's
optimal MFN tariffs (50, one per industry) and the MFN Nash war of the US and China on
world2022-full, with their certificates and equilibrium evaluations (``--games-only``: only these).
Targets (issue 17): one step warm under 2 s, the main job under 60 s, on 2 cores; figures in
the README (world2022-full).
"""

from __future__ import annotations

import os
import sys
import time


def peak_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(f):
    w, c = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - w, time.process_time() - c


def main_job() -> None:
    """The main job step by step, one step warm, the backtest."""
    from tradewar.scenario.backtest import run_backtest
    from tradewar.scenario.run import scenario_inputs
    from tradewar.scenario.spec import load_scenario, with_dataset
    from tradewar.solver.equilibrium import solve

    spec = with_dataset(load_scenario("us-china-2025"), "world2022-full")
    (model, baseline, options, steps), wall, cpu = timed(lambda: scenario_inputs(spec))
    print(f"inputs (load world2022-full, compile the steps): {wall:.1f} s wall, {cpu:.1f} s cpu", flush=True)
    total_wall, total_cpu, converged = wall, cpu, True
    for k, (step, extra) in enumerate(steps):
        eq, wall, cpu = timed(lambda step=step, extra=extra: solve(model, baseline, step.tariffs, **options, **extra))
        total_wall, total_cpu, converged = total_wall + wall, total_cpu + cpu, converged and bool(eq.converged)
        print(
            f"step {k:2d} {step.date} {step.label[:45]:45s} {'+limits' if extra else '       '} "
            f"{wall:6.1f} s wall {cpu:6.1f} s cpu  {eq.iterations} it  residual {eq.max_residual:.1e}  "
            f"converged {eq.converged}",
            flush=True,
        )
    print(
        f"main job us-china-2025 on world2022-full, {len(steps)} steps: {total_wall:.0f} s wall, {total_cpu:.0f} s "
        f"cpu; every step converged: {converged}; peak memory {peak_rss_mb():.0f} MB; load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    step, extra = steps[1]
    runs = [timed(lambda: solve(model, baseline, step.tariffs, **options, **extra)) for _ in range(5)]
    unknowns = baseline.n_regions * (2 * baseline.n_sectors + 1) + extra.get("limit_slots", 0)
    print(
        f"one step warm (step 1, {step.label[:40]}; {unknowns} unknowns with the limits' slots): "
        f"best of 5 {min(r[1] for r in runs):.2f} s wall, {min(r[2] for r in runs):.2f} s cpu",
        flush=True,
    )
    result, wall, cpu = timed(lambda: run_backtest(spec))
    print(
        f"backtest us-china-2025 on world2022-full: {len(result.settings)} settings x {len(result.months)} months, "
        f"{len(result.coverage['regions'])} partners: {wall:.0f} s wall, {cpu:.0f} s cpu; peak memory "
        f"{peak_rss_mb():.0f} MB; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def games() -> None:
    """The US's optimal MFN tariffs and the MFN US-China war on world2022-full."""
    from tradewar.data.registry import load_dataset
    from tradewar.games import Game, nash, optimal_tariffs

    game = Game("caliendo-parro", load_dataset("world2022-full"))
    start = time.perf_counter()

    def say(message):
        print(f"  {time.perf_counter() - start:6.0f} s: {message}", flush=True)

    plays = (
        ("optimal MFN tariffs of the USA", lambda: optimal_tariffs(game, "USA", mfn=True, check=False)),
        ("the MFN Nash war of the USA and China", lambda: nash(game, "USA,CHN", mfn=True, progress=say, check=False)),
    )
    for what, play in plays:
        result, wall, cpu = timed(play)
        cert = result.certificate
        print(
            f"{what} on world2022-full (50 tariffs per player): {wall:.0f} s wall, {cpu:.0f} s cpu, "
            f"{result.evaluations} equilibrium evaluations; converged {result.converged}, first-order residual "
            f"{cert.foc_residual:.1e}, largest gain from deviating {cert.max_deviation_gain_pct}%; "
            f"peak memory {peak_rss_mb():.0f} MB; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )


def main() -> None:
    print(f"cores available: {len(os.sched_getaffinity(0))}; load average: {os.getloadavg()[0]:.1f}", flush=True)
    if "--games-only" not in sys.argv:
        main_job()
    if "--games" in sys.argv or "--games-only" in sys.argv:
        games()


if __name__ == "__main__":
    main()
