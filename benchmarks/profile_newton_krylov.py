"""Where one large counterfactual's time goes: residual, JVP, GMRES variants, whole Newton solve.

    python benchmarks/bench_scaling.py --synthetic --icio 80x50     # builds the cached baseline
    python benchmarks/profile_newton_krylov.py /tmp/tradewar_bench_scaling/icio_80x50.pkl

Same counterfactual as bench_scaling (first two regions +25 pp on each other). For the first
Newton step (forcing term 1e-3, as in `tradewar.solver.newton.newton_root`), it times jax's GMRES as the
solver calls it (solve_method="batched", restart 60: the full 60-vector Krylov space is built
before the tolerance is checked) against smaller restarts and solve_method="incremental" (checks
the residual at every Arnoldi step), and prints the relative linear residual each reaches.
Figures only (best of 3, wall and process CPU seconds).
"""

import pickle
import sys
import time

import jax
import jax.numpy as jnp
from jax.scipy.sparse.linalg import gmres

import tradewar  # noqa: F401
from tradewar.models import caliendo_parro as cp
from tradewar.solver.newton import newton_root


def timed(f, reps=3):
    jax.block_until_ready(f())
    wall, cpu = 1e9, 1e9
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        jax.block_until_ready(f())
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return f"{wall:.3f} s wall, {cpu:.3f} s cpu"


def main(path: str) -> None:
    with open(path, "rb") as f:
        b = pickle.load(f)
    tar = b.tariffs.copy()
    tar[0, 1, b.tradable] += 0.25
    tar[1, 0, b.tradable] += 0.25
    p = cp.params(b, tar)
    z0 = cp.initial_guess(p)
    print(f"{b.name}: {z0.size} unknowns, N^2 S = {b.trade.size}")
    res = jax.jit(cp.residual)
    jvp = jax.jit(lambda z, v, p: jax.jvp(lambda z: cp.residual(z, p), (z,), (v,))[1])
    print("residual:", timed(lambda: res(z0, p)))
    print("jvp (with its primal):", timed(lambda: jvp(z0, jnp.ones_like(z0), p)))
    r0 = res(z0, p)
    for method, restart, maxiter in (
        ("batched", 60, 8),
        ("batched", 20, 24),
        ("batched", 10, 48),
        ("incremental", 60, 8),
    ):

        @jax.jit
        def step(z, r, p, method=method, restart=restart, maxiter=maxiter):
            _, jv = jax.linearize(lambda z: cp.residual(z, p), z)
            x, _ = gmres(jv, -r, tol=1e-3, atol=0.0, restart=restart, maxiter=maxiter, solve_method=method)
            return x, jnp.linalg.norm(jv(x) + r) / jnp.linalg.norm(r)

        _, rel = step(z0, r0, p)
        print(
            f"first Newton step, GMRES {method} restart {restart}: relative linear residual {float(rel):.1e}, "
            + timed(lambda: step(z0, r0, p))
        )
    full = jax.jit(lambda p: newton_root(cp.residual, cp.initial_guess(p), p))
    out = full(p)
    print(
        f"newton_root: {int(out.iterations)} iterations, residual {float(out.max_residual):.1e}, "
        + timed(lambda: full(p))
    )


if __name__ == "__main__":
    main(sys.argv[1])
