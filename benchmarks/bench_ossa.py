"""Benchmark: Ossa's (2014) model, 7 regions x 33 industries.

Prints (i) the cold time of the first counterfactual (jit compilation + solve), (ii) the warm
time of one counterfactual (Table 2's experiment: the US raises its crp tariff by 50 points on
all partners), median and best of several repeats, both through `tradewar.solve` (which
also copies the outcomes to numpy) and for the jitted solve alone (`newton_root` + outcomes,
what the games layer calls in its loops) and of a value and gradient through the solve,
(iii) the purge of the raw data, and (iv) the whole
of Table 2 (two experiments). Reference: Ossa's Matlab `mycounterfactuals.m` (fsolve) is the
inner loop of his optimal-tariff searches, which take 322 s (Matlab) / 679 s (Octave) for the
US's 198 tariffs (issue 3).

    python benchmarks/bench_ossa.py [--data DIR] [--repeats 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import jax
import numpy as np

from tradewar.data.ossa2014 import load_ossa2014
from tradewar.data.registry import default_data_path
from tradewar.models import ossa
from tradewar.replicate.ossa2014 import replicate_table2
from tradewar.solver.equilibrium import solve
from tradewar.solver.newton import newton_root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    path = args.data or default_data_path("ossa2014")

    t0 = time.perf_counter()
    baseline = load_ossa2014(path)
    t_load = time.perf_counter() - t0
    us, crp = baseline.region_index("USA"), baseline.sector_index("crp")
    tariffs = baseline.tariffs.copy()
    tariffs[us, [i for i in range(7) if i != us], crp] += 0.5

    t0 = time.perf_counter()
    eq = solve(ossa.NAME, baseline, tariffs)
    t_cold = time.perf_counter() - t0
    warm = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        eq = solve(ossa.NAME, baseline, tariffs)
        warm.append(time.perf_counter() - t0)

    p = ossa.params(baseline, tariffs, lambdas="pol")

    @jax.jit
    def core(p):
        res = newton_root(ossa.residual, ossa.initial_guess(p), p)
        return res, ossa.outcomes(res.value, p)["government_welfare_hat"]

    jax.block_until_ready(core(p))
    rng = np.random.default_rng(0)
    inner = []
    for _ in range(args.repeats):  # a different tariff vector each time, as in a search
        q = p._replace(tariff_new=p.tariff_new + rng.uniform(0, 0.2, size=tariffs.shape))
        t0 = time.perf_counter()
        jax.block_until_ready(core(q))
        inner.append(time.perf_counter() - t0)

    def us_government_welfare(t, p):
        q = p._replace(tariff_new=t)
        res = newton_root(ossa.residual, ossa.initial_guess(q), q)
        return ossa.outcomes(res.value, q)["government_welfare_hat"][us]

    value_grad = jax.jit(jax.value_and_grad(us_government_welfare))
    t0 = time.perf_counter()
    jax.block_until_ready(value_grad(p.tariff_new, p))
    t_grad_cold = time.perf_counter() - t0
    grads = []
    for _ in range(args.repeats):
        t_new = p.tariff_new + rng.uniform(0, 0.2, size=tariffs.shape)
        t0 = time.perf_counter()
        jax.block_until_ready(value_grad(t_new, p))
        grads.append(time.perf_counter() - t0)

    raw = load_ossa2014(path, raw=True)
    t0 = time.perf_counter()
    purged = ossa.purge(raw)
    t_purge_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    purged = ossa.purge(raw)
    t_purge = time.perf_counter() - t0
    rel = np.abs(purged.trade / baseline.trade - 1).max()

    t0 = time.perf_counter()
    cells = replicate_table2(path)
    t_table = time.perf_counter() - t0
    worst = max(abs(c["computed"] - c["published"]) for c in cells)

    print(f"machine: {os.cpu_count()} cores visible, jax {jax.__version__} on {jax.default_backend()}, float64")
    print(f"data load (7 regions x 33 industries):                 {t_load:8.3f} s")
    print(f"first counterfactual, cold (compile + solve):           {t_cold:8.3f} s")
    print(
        f"one counterfactual via api.solve, warm:  median {statistics.median(warm) * 1e3:.1f} ms, "
        f"best {min(warm) * 1e3:.1f} ms over {args.repeats}; {eq.iterations} Newton iterations, "
        f"max residual {eq.max_residual:.1e}, US welfare {100 * (eq.outcomes['welfare_hat'][us] - 1):+.3f}%"
    )
    print(
        f"jitted solve + government welfare (games' inner call), warm: median "
        f"{statistics.median(inner) * 1e3:.1f} ms, best {min(inner) * 1e3:.1f} ms over {args.repeats} random tariff "
        "vectors"
    )
    print(
        f"US government welfare and its gradient w.r.t. all 1617 tariffs (reverse mode through the solve): "
        f"cold {t_grad_cold:.2f} s, warm median {statistics.median(grads) * 1e3:.1f} ms, best {min(grads) * 1e3:.1f} ms"
    )
    print(
        f"purge of the raw data: cold {t_purge_cold:.3f} s, warm {t_purge:.3f} s; "
        f"largest relative gap to Ossa's purged flows {rel:.1e}"
    )
    print(f"Table 2 (two experiments, load included), warm: {t_table:.3f} s; largest |computed - printed| {worst:.4f}")


if __name__ == "__main__":
    main()
