"""Speed of issue 13's talks on the bundled world2022 data (18 regions x 16 sectors), printed.

    python benchmarks/bench_talks.py [--points 20]

Targets on 2 cores: the US-China war with export controls (tariffs, China's rare-earth caps,
the US's ELEC cap) under 60 s; the frontier of 20 points under 3 minutes. The war is timed
twice in one process (the first run compiles the kernels); the frontier after it (compiled).
The load average is printed beside the figures because the 2 cores are shared.
"""

from __future__ import annotations

import argparse
import os
import time

from tradewar import load_dataset
from tradewar.games.frontier import talks_instruments, trace_frontier
from tradewar.games.instruments import InstrumentGame, nash


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=20)
    args = parser.parse_args()
    baseline = load_dataset("world2022")
    instruments = talks_instruments(baseline, ("USA", "CHN"), controls=True)
    t = time.perf_counter()
    game = InstrumentGame("caliendo-parro", baseline)
    print(f"game built: {time.perf_counter() - t:.1f} s")
    for run in ("first (compiling)", "second"):
        t = time.perf_counter()
        war = nash(game, instruments)
        c = war.certificate
        print(
            f"US-China war with controls, {run} run: {time.perf_counter() - t:.1f} s; largest gain from deviating "
            f"{c.max_deviation_gain_pct:.1e} %, first-order residual {c.foc_residual:.1e}; "
            f"load {os.getloadavg()[0]:.1f}"
        )
    t = time.perf_counter()
    points = trace_frontier(game, instruments, args.points)
    worst = max(p.certificate.foc_residual for p in points)
    print(
        f"frontier of {args.points} points: {time.perf_counter() - t:.1f} s; largest first-order residual {worst:.1e}; "
        f"load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
