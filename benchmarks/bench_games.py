"""Speed of the tariff games on Ossa's (2014) data (7 regions x 33 industries), printed.

    python benchmarks/bench_games.py [--skip-talks]

Reference points (issue 3): the author's Matlab code takes 322 s (Matlab) and 679 s (Octave)
for the US's 198 optimal tariffs, 442 s under Octave for the MFN Nash war, about four days for
the whole replication. Targets on 2 cores: US optimal tariffs 5 s, the worldwide Nash war 60 s,
Table 5's cooperative tariffs 5 minutes. Each figure is printed with the first (compiling) run
and a second run in the same process; the machine's load average is printed beside them because
the 2 cores are shared.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from tradewar import games
from tradewar.data.registry import load_dataset
from tradewar.models import ossa


def timed(label, fn):
    t = time.perf_counter()
    res = fn()
    dt = time.perf_counter() - t
    c = res.certificate
    dev = "" if c.deviation_gain_pct is None else f", max deviation gain {c.max_deviation_gain_pct:.1e}%"
    spread = "" if c.constraint_residual is None else f", gains spread {c.constraint_residual:.1e}"
    print(
        f"{label:55s} {dt:8.1f} s  converged={res.converged} FOC {c.foc_residual:.1e}{dev}{spread}  "
        f"(load {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    return res


def main() -> None:
    baseline = load_dataset("ossa2014")
    game = games.Game("ossa", baseline, objective="government", lambdas="bas")
    print(f"tradewar games on {baseline.name}, {os.cpu_count()} cores")
    timed("US optimal tariffs (198, discriminatory), first run", lambda: games.optimal_tariffs(game, "USA"))
    timed("US optimal tariffs (198, discriminatory), second run", lambda: games.optimal_tariffs(game, "USA"))
    timed("US optimal MFN tariffs (33)", lambda: games.optimal_tariffs(game, "USA", mfn=True))
    war = timed("worldwide Nash war, discriminatory (7 x 198)", lambda: games.nash(game, check=False))
    timed("worldwide Nash war, MFN (7 x 33)", lambda: games.nash(game, mfn=True, check=False))
    if "--skip-talks" not in sys.argv:
        starts = {"Nash": war.tariffs, "factual": None, "free trade": np.zeros_like(baseline.tariffs)}
        t = time.perf_counter()
        for name, tariffs in starts.items():
            base = baseline if tariffs is None else ossa.rebase(baseline, tariffs)
            start_game = games.Game("ossa", base, objective="government", lambdas="bas")
            res = timed(
                f"Table 5: equal-gains tariffs from {name} (1386)",
                lambda g=start_game: games.equal_gains(g, check=False),
            )
            print(f"{'':55s} common gain {res.details['common_gain_pct']:.4f} %")
        print(f"{'Table 5: the three cooperative solutions':55s} {time.perf_counter() - t:8.1f} s")


if __name__ == "__main__":
    main()
