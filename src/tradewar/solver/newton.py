"""Root finding for equilibrium conditions, with implicit differentiation.

`newton_root(residual, z0, params)` solves residual(z, params) = 0 by a damped Newton method
whose linear systems are solved matrix-free by GMRES on Jacobian-vector products (Newton-Krylov;
Knoll and Keyes 2004), inside one `jax.lax.while_loop` so that the whole solve compiles once.
Steps are damped by backtracking on the sum of squared residuals (Armijo).

Derivatives of the solution with respect to `params` come from the implicit function theorem
(`jax.lax.custom_root`): dz/dp = -(dF/dz)^-1 dF/dp, solved with the same GMRES, never by
differentiating the iterations. Forward mode (jvp, jacfwd) and reverse mode (grad, vjp) both work.

Every solve returns a `RootResult` with the solution, the largest absolute residual, the
iteration count and a converged flag. `solve_model` is the one compiled solve of a model's
equilibrium (from its initial guess, with its outcomes) that `tradewar.solve`, the batch solver
and the models' own calibrations share.

This module knows no model (it takes functions), so the models may use it: it sits below
`tradewar.models` in the layers although it lives in `tradewar.solver`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.scipy.sparse.linalg import gmres

from tradewar import runtime  # noqa: F401 (float64 and the compilation caches, before any array)

#: Default tolerance on the largest absolute residual (residuals are scaled to be unit-free).
TOL = 1e-10


class RootResult(NamedTuple):
    value: jax.Array
    max_residual: jax.Array
    iterations: jax.Array
    converged: jax.Array


def _krylov_solve(matvec: Callable, rhs: jax.Array, tol: float, restart: int, maxiter: int):
    """Solve matvec(x) = rhs by restarted GMRES (matrix-free)."""
    x, _ = gmres(matvec, rhs, tol=tol, atol=0.0, restart=restart, maxiter=maxiter, solve_method="batched")
    return x


def newton_root(
    residual: Callable,
    z0: jax.Array,
    params,
    *,
    tol: float = TOL,
    max_iter: int = 60,
    gmres_restart: int = 60,
    gmres_maxiter: int = 8,
) -> RootResult:
    """Solve residual(z, params) = 0 for z, starting at z0 (see the module docstring).

    `residual` must be a pure JAX function of (z, params) returning an array shaped like z.
    The result is differentiable with respect to `params` by the implicit function theorem.
    """

    def newton_solve(fun, z_init):
        def cond(state):
            _z, r, it = state
            return (jnp.max(jnp.abs(r)) > tol) & (it < max_iter) & jnp.all(jnp.isfinite(r))

        def body(state):
            z, r, it = state
            _, jvp_at_z = jax.linearize(fun, z)
            # Inexact Newton: the forcing term shrinks with the residual (Eisenstat-Walker).
            forcing = jnp.clip(jnp.max(jnp.abs(r)), 1e-10, 1e-3)
            step = _krylov_solve(jvp_at_z, -r, forcing, gmres_restart, gmres_maxiter)
            f0 = 0.5 * jnp.vdot(r, r)

            def try_step(carry):
                t, _, _ = carry
                z_new = z + t * step
                return t * 0.5, z_new, fun(z_new)

            def needs_backtrack(carry):
                t, _, r_new = carry
                f_new = 0.5 * jnp.vdot(r_new, r_new)
                bad = ~jnp.isfinite(f_new) | (f_new > (1 - 1e-4 * 2 * t) * f0)  # Armijo
                return bad & (t > 1e-4)

            _, z1, r1 = jax.lax.while_loop(needs_backtrack, try_step, try_step((1.0, z, r)))
            return z1, r1, it + 1

        z, r, it = jax.lax.while_loop(cond, body, (z_init, fun(z_init), jnp.array(0)))
        return z, jnp.max(jnp.abs(r)), it

    # The iterations see constant parameters: derivatives never flow through them.
    frozen = jax.lax.stop_gradient(params)
    z_star, max_res, iters = newton_solve(lambda z: residual(z, frozen), jax.lax.stop_gradient(z0))

    def tangent_solve(linear_fun, rhs):
        import lineax as lx  # (with equinox, 0.3 s) traced only where a solve is traced, not when cached

        # lineax's GMRES, whose solve JAX can transpose inside custom_root (reverse mode);
        # jax.scipy's gmres nests a custom_linear_solve that JAX cannot transpose there.
        operator = lx.FunctionLinearOperator(linear_fun, jax.eval_shape(lambda: rhs))
        solver = lx.GMRES(rtol=1e-12, atol=1e-14, restart=gmres_restart, max_steps=2 * gmres_maxiter * gmres_restart)
        return lx.linear_solve(operator, rhs, solver, throw=False).value

    # Implicit function theorem at the solution: custom_root hands z_star back unchanged and
    # attaches dz/dparams = -(dF/dz)^-1 dF/dparams, in forward and reverse mode.
    z = jax.lax.custom_root(lambda z: residual(z, params), z_star, lambda f, z: z, tangent_solve)
    converged = jnp.isfinite(max_res) & (max_res <= tol)
    return RootResult(z, max_res, iters, converged)


@partial(jax.jit, static_argnames=("residual", "initial_guess", "outcomes", "tol", "max_iter"))
def solve_model(
    residual: Callable, initial_guess: Callable, outcomes: Callable, params, tol: float = TOL, max_iter: int = 60
):
    """A model's equilibrium at `params`: `newton_root` from ``initial_guess(params)``, and the
    model's ``outcomes`` there; returns (RootResult, outcomes). Compiled once per model, tolerance
    and parameter shapes."""
    res = newton_root(residual, initial_guess(params), params, tol=tol, max_iter=max_iter)
    return res, outcomes(res.value, params)
