"""Compiled payoff kernels of the tariff games: payoffs, their exact gradients (adjoint of the
implicit function theorem) and Hessians, jit-compiled once per model and payoff (see
`tradewar.games` for the method)."""

from __future__ import annotations

from functools import cache, partial
from types import ModuleType

import jax
import jax.numpy as jnp
from jax.scipy.sparse.linalg import gmres

from tradewar.solver.equilibrium import first_violation
from tradewar.solver.newton import newton_root

#: Equilibria with at most this many unknowns get a dense adjoint solve; larger ones GMRES.
DENSE_ADJOINT_MAX = 400
#: Equilibria with at most this many unknowns get the exact-Hessian kernels of projected Newton
#: (dense second-order adjoint; world2022's 594 unknowns included).
NEWTON_MAX_UNKNOWNS = 1000
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


@cache
def kernels(module: ModuleType, key: str, tol: float, max_iter: int, n_z: int, params_of=tariff_params):
    """jit-compiled payoff functions of one model and payoff (compiled once, reused for every
    player, instrument layout and starting point of the same shapes). ``params_of(x, groups,
    base, p0)`` maps the instruments x to the model's parameters (`tariff_params`, or
    `tradewar.games.instruments.policy_params` for export taxes and limits too); ``groups`` and
    ``base`` are whatever it needs (arrays or tuples of arrays)."""
    dense = n_z <= DENSE_ADJOINT_MAX

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

    @partial(jax.jit, static_argnames="kind")
    def hessian(x, groups, base, p0, z, rows, prm, kind):
        """Gradient and exact Hessian of the reduced objective f(z(x), x) at x, where z must
        solve F(z, p(x)) = 0 (the caller passes the solution: no Newton steps here).

        Adjoint: (dF/dz)' lambda = d_z f, gradient d_x L with L = f - lambda' F. Second-order
        adjoint (the reduced Hessian of SQP): H = W' (d2 L) W with W = [I; Z] and
        Z = dz/dx = -(dF/dz)^-1 dF/dx, all by automatic differentiation of the model's
        residual and outcomes (implicit function theorem, no finite differences)."""
        scal = scalarisation(kind)
        p_of = lambda x_: params_of(x_, groups, base, p0)
        big_f = lambda x_, z_: module.residual(z_, p_of(x_))
        small_f = lambda x_, z_: scal(payoff_of(z_, p_of(x_), rows), prm)
        f_z = jax.grad(small_f, argnums=1)(x, z)
        jac_z = jax.jacfwd(big_f, argnums=1)(x, z)
        lam = jnp.linalg.solve(jac_z.T, f_z)
        lagrangian = lambda x_, z_: small_f(x_, z_) - jnp.vdot(lam, big_f(x_, z_))
        gradient = jax.grad(lagrangian, argnums=0)(x, z)
        jac_x = jax.jacrev(big_f, argnums=0)(x, z)
        dz_dx = -jnp.linalg.solve(jac_z, jac_x)
        reduced = lambda step: lagrangian(x + step, z + dz_dx @ step)
        return gradient, jax.hessian(reduced)(jnp.zeros_like(x))

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
        if dense:
            f_z = jax.jacfwd(lambda z_: module.residual(z_, p))(z)
            lam = jnp.linalg.solve(f_z.T, u_z.T).T  # [rows, n_z]
        else:
            _, f_z_vjp = jax.vjp(lambda z_: module.residual(z_, p), z)
            solve_t = lambda b: gmres(lambda v: f_z_vjp(v)[0], b, tol=1e-12, atol=0.0, restart=60, maxiter=20)[0]
            lam = jax.vmap(solve_t)(u_z)

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

    return value_and_jacobian, evaluate, (value, hessian) if n_z <= NEWTON_MAX_UNKNOWNS else None
