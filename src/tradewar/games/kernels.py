"""Compiled payoff kernels of the tariff games: payoffs, their exact gradients (adjoint of the
implicit function theorem) and Hessians, jit-compiled once per model and payoff (see
`tradewar.games` for the method)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from types import ModuleType
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.scipy.sparse.linalg import gmres

from tradewar.solver.equilibrium import first_violation
from tradewar.solver.newton import newton_root

#: Equilibria with at most this many unknowns get a dense adjoint solve; larger ones GMRES.
DENSE_ADJOINT_MAX = 400
#: Equilibria with at most this many unknowns get dense exact-Hessian kernels of projected Newton
#: (dense second-order adjoint; world2022's 594 unknowns included); larger ones GMRES.
NEWTON_MAX_UNKNOWNS = 1000
#: Relative tolerance of the GMRES solves of an iterative system's adjoint and second-order adjoint.
ADJOINT_TOL = 1e-12
#: ... and of the Hessian's dz/dx, which only sets the length of Newton's steps (the gradient that
#: certifies an optimum is solved to ADJOINT_TOL).
HESSIAN_TOL = 1e-8
#: What to try when a game does not converge (the data are not the suspect: the baseline solved).
GAME_ADVICE = "Try narrower tariff bounds (--lower/--upper), fewer players, or MFN tariffs (--mfn)."


def scalarisation(kind: str):
    """The optimisers' objective as a function of the payoffs u (JAX): ``linear`` (w . u),
    ``equal_gains`` (the augmented Lagrangian of the equal-gains problem) or ``nash_product``
    (sum log(u - threat), continued linearly below a tiny surplus)."""
    if kind == "linear":
        return lambda u, prm: jnp.vdot(prm["w"], u)
    if kind == "equal_gains":

        def f(u, prm):
            gain = u - prm["u0"]
            c = gain - gain.mean()
            return gain.mean() + jnp.vdot(prm["mu"], c) - 0.5 * prm["rho"] * jnp.vdot(c, c)

        return f
    if kind == "nash_product":

        def f(u, prm):
            d = u - prm["threat"]
            eps = 1e-8
            return jnp.sum(jnp.where(d > eps, jnp.log(jnp.maximum(d, eps)), jnp.log(eps) + (d - eps) / eps))

        return f
    raise ValueError(kind)


def tariff_params(x, groups, base, p0):
    """The model's parameters at instruments x: tariffs[n, i, s] = x[groups[n, i, s]] where
    groups >= 0, the base tariffs elsewhere."""
    x_ext = jnp.concatenate([x, jnp.zeros(1, x.dtype)])
    return p0._replace(tariff_new=jnp.where(groups >= 0, x_ext[groups], base))


class NewtonKernels(NamedTuple):
    """The compiled kernels of projected Newton (`tradewar.games.optimise.projected_newton`):
    ``value`` solves the equilibrium at x; ``gradient`` and ``hessian`` differentiate the reduced
    objective at a solved z. ``exact_hessian_cheap``: the system is small enough for a dense
    Jacobian, so an exact Hessian at every step costs little."""

    value: Callable
    gradient: Callable
    hessian: Callable
    exact_hessian_cheap: bool


@cache
def kernels(module: ModuleType, key: str, tol: float, max_iter: int, n_z: int, params_of=tariff_params):
    """jit-compiled payoff functions of one model and payoff (compiled once, reused for every
    player, instrument layout and starting point of the same shapes). ``params_of(x, groups,
    base, p0)`` maps the instruments x to the model's parameters (`tariff_params`, or
    `tradewar.games.instruments.policy_params` for export taxes and limits too); ``groups`` and
    ``base`` are whatever it needs (arrays or tuples of arrays)."""
    dense, dense_hessian = n_z <= DENSE_ADJOINT_MAX, n_z <= NEWTON_MAX_UNKNOWNS

    def payoff_of(z, p, rows):
        return 100.0 * jnp.log(module.outcomes(z, p)[key][rows])

    def valid(z, p):
        """The root is an economy (`tradewar.solver.equilibrium.CHECKS`); a failed check counts
        as not converged."""
        return first_violation(module.outcomes(z, p), p.tariff_new) < 0

    @partial(jax.jit, static_argnames="kind")
    def value(x, groups, base, p0, z0, rows, prm, kind):
        """f(x), u(x), the solution z (for warm starts), its residual and flag."""
        p = params_of(x, groups, base, p0)
        res = newton_root(module.residual, z0, p, tol=tol, max_iter=max_iter)
        u = payoff_of(res.value, p, rows)
        ok = res.converged & valid(res.value, p)
        return scalarisation(kind)(u, prm), u, res.value, res.max_residual, ok

    def linear_solvers(z, residual_of_z, dense):
        """solve(B, tol) = (dF/dz)^-1 B and solve_t(B) = (dF/dz)'^-1 B (B: [n_z, k]) at the
        solution z: a dense Jacobian and LU where the system is small, else GMRES on
        Jacobian-vector products to relative tolerance tol (one Krylov solve per column, each as
        costly as an adjoint)."""
        if dense:
            jac_z = jax.jacfwd(residual_of_z)(z)
            return (lambda b, tol=None: jnp.linalg.solve(jac_z, b)), (lambda b: jnp.linalg.solve(jac_z.T, b))
        _, vjp = jax.vjp(residual_of_z, z)
        jvp = lambda v: jax.jvp(residual_of_z, (z,), (v,))[1]
        vjp_z = lambda v: vjp(v)[0]

        def columns(op, b, tol):
            krylov = lambda col: gmres(op, col, tol=tol, atol=0.0, restart=60, maxiter=20)[0]
            return jax.vmap(krylov, in_axes=1, out_axes=1)(b)

        return (lambda b, tol: columns(jvp, b, tol)), (lambda b: columns(vjp_z, b, ADJOINT_TOL))

    def reduced(x, groups, base, p0, z, rows, prm, kind):
        """The adjoint of the reduced objective f(z(x), x) at x, where z must solve F(z, p(x)) = 0
        (the caller passes the solution: no Newton steps here): (dF/dz)' lambda = d_z f, the
        Lagrangian L = f - lambda' F and its gradient d_x L, the reduced gradient (implicit
        function theorem)."""
        scal = scalarisation(kind)
        p_of = lambda x_: params_of(x_, groups, base, p0)
        big_f = lambda x_, z_: module.residual(z_, p_of(x_))
        small_f = lambda x_, z_: scal(payoff_of(z_, p_of(x_), rows), prm)
        solve, solve_t = linear_solvers(z, lambda z_: big_f(x, z_), dense_hessian)
        lam = solve_t(jax.grad(small_f, argnums=1)(x, z)[:, None])[:, 0]
        lagrangian = lambda x_, z_: small_f(x_, z_) - jnp.vdot(lam, big_f(x_, z_))
        return jax.grad(lagrangian, argnums=0)(x, z), lagrangian, solve, big_f

    @partial(jax.jit, static_argnames="kind")
    def gradient(x, groups, base, p0, z, rows, prm, kind):
        """Gradient of the reduced objective at x (adjoint; z as in `reduced`)."""
        return reduced(x, groups, base, p0, z, rows, prm, kind)[0]

    @partial(jax.jit, static_argnames="kind")
    def hessian(x, groups, base, p0, z, rows, prm, kind):
        """Gradient and exact Hessian of the reduced objective f(z(x), x) at x (z as in `reduced`).

        The second-order adjoint (the reduced Hessian of SQP): H = W' (d2 L) W with W = [I; Z]
        and Z = dz/dx = -(dF/dz)^-1 dF/dx, all by automatic differentiation of the model's
        residual and outcomes (implicit function theorem, no finite differences). Z takes one
        linear solve per instrument: on an iterative (GMRES) system that is the cost of as many
        adjoint gradients, which is why `tradewar.games.optimise` then updates this Hessian by BFGS
        instead of computing it at every step."""
        grad, lagrangian, solve, big_f = reduced(x, groups, base, p0, z, rows, prm, kind)
        dz_dx = -solve(jax.jacfwd(big_f, argnums=0)(x, z), HESSIAN_TOL)
        reduced_lagrangian = lambda step: lagrangian(x + step, z + dz_dx @ step)
        return grad, jax.hessian(reduced_lagrangian)(jnp.zeros_like(x))

    @jax.jit
    def value_and_jacobian(x, groups, base, p0, z0, rows):
        """u(x) and du/dx by the adjoint form of the implicit function theorem:
        du/dx = dU/dx - lambda' dF/dx with (dF/dz)' lambda = (dU/dz)' at the solution z*."""
        p_of = lambda x_: params_of(x_, groups, base, p0)
        p = p_of(x)
        res = newton_root(module.residual, z0, p, tol=tol, max_iter=max_iter)
        z = jax.lax.stop_gradient(res.value)
        u, u_z_vjp = jax.vjp(lambda z_: payoff_of(z_, p, rows), z)
        eye = jnp.eye(u.shape[0], dtype=u.dtype)
        (u_z,) = jax.vmap(u_z_vjp)(eye)  # [rows, n_z]
        _solve, solve_t = linear_solvers(z, lambda z_: module.residual(z_, p), dense)
        lam = solve_t(u_z.T).T  # [rows, n_z]

        def lagrangian(x_, lam_row, row_onehot):
            p_ = p_of(x_)
            return jnp.vdot(row_onehot, payoff_of(z, p_, rows)) - jnp.vdot(lam_row, module.residual(z, p_))

        jac = jax.vmap(jax.grad(lagrangian), in_axes=(None, 0, 0))(x, lam, eye)
        return u, jac, (res.value, res.max_residual, res.converged & valid(z, p))

    @jax.jit
    def evaluate(tariffs, p0, z0):
        p = p0._replace(tariff_new=tariffs)
        res = newton_root(module.residual, z0, p, tol=tol, max_iter=max_iter)
        return res, module.outcomes(res.value, p)

    return value_and_jacobian, evaluate, NewtonKernels(value, gradient, hessian, exact_hessian_cheap=dense_hessian)
