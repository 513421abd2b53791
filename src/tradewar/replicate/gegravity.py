"""gegravity's (v0.3) ``OneSectorGE`` definitions of a structural-gravity counterfactual.

`gegravity_counterfactual` differs from the book's definition (`tradewar.models.gravity`): its
"full GE" system keeps the baseline output and expenditure *shares* Y_i/Y, E_n/E in the
resistance equations, so its resistances are the conditional ones and prices follow as
p_hat_i = Pi_i / Pi'_i; its OMR change is Pi'/Pi - 1 (not the book's Stata-normalised OMR);
real GDP is Y_i p_hat_i / P'_i relative to Y_i / P_i (as the book's), with P_ref = 1 in both
scenarios; Y and E are taken as given (not sums of the flows).

The resistances are solved in JAX by a fixed-point iteration (`resistances`), not by the Newton
solver: with Y and E given the system is a matrix scaling, and alternating sweeps of its two
equations converge in about 90 sweeps on gegravity's 30 countries (70 on the book's 69), with no
linear algebra. The solve is a plain `jax.jit` (JAX's persistent cache keeps its executable), not
a `jax.export`ed solver (`tradewar.solver.compiled`), whose call initialises JAX's LAPACK kernels
whatever it computes. So `tradewar gravity simulate --procedure gegravity` loads no scipy (issue
15: about 0.2 s of that command).
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp

from tradewar.errors import NotConverged
from tradewar.solver.newton import RootResult


class _MRParams(NamedTuple):
    log_cost: jax.Array  # [n, i] log t^(1-sigma)
    log_out_share: jax.Array  # [i] log Y_i / sum Y
    log_exp_share: jax.Array  # [n] log E_n / sum E
    reference: jax.Array  # [n] one-hot


def _mr_unpack(z, p: _MRParams):
    n = p.log_out_share.shape[0]
    log_imr = z[:n] * (1.0 - p.reference)  # log P^(1-sigma), reference fixed at 0
    log_omr = z[n:]  # log Pi^(1-sigma)
    return log_imr, log_omr


def _mr_residual(z, p: _MRParams):
    """(OMR)-(IMR) with baseline shares, as gegravity's `_multilateral_resistances`; the
    reference importer's IMR equation is replaced by its normalisation P_ref = 1."""
    log_imr, log_omr = _mr_unpack(z, p)
    imr_model = logsumexp(p.log_cost + p.log_out_share[None, :] - log_omr[None, :], axis=1)
    omr_model = logsumexp(p.log_cost + p.log_exp_share[:, None] - log_imr[:, None], axis=0)
    r_imr = jnp.where(p.reference > 0, z[: log_imr.shape[0]], imr_model - log_imr)
    return jnp.concatenate([r_imr, omr_model - log_omr])


def _mr_sweep(z, p: _MRParams):
    """One sweep of (OMR) then (IMR): the OMRs from the current IMRs, the IMRs from those OMRs,
    both shifted so that the reference's log IMR is 0. The system fixes the resistances only up
    to (P^(1-sigma) c, Pi^(1-sigma) / c), so the shift changes no equation. In levels this is one
    step of iterative proportional fitting (Sinkhorn) of the cost matrix to the output and
    expenditure shares, as `tradewar.models.gravity.biproportional`; its fixed point is the
    root of `_mr_residual`."""
    n = p.log_out_share.shape[0]
    log_omr = logsumexp(p.log_cost + p.log_exp_share[:, None] - z[:n, None], axis=0)
    log_imr = logsumexp(p.log_cost + p.log_out_share[None, :] - log_omr[None, :], axis=1)
    shift = jnp.dot(p.reference, log_imr)
    return jnp.concatenate([log_imr - shift, log_omr + shift])


@partial(jax.jit, static_argnames=("tol", "max_iter"))
def _solve_resistances(p: _MRParams, tol: float, max_iter: int) -> RootResult:
    """`_mr_sweep` from zero log resistances until the largest absolute `_mr_residual` is at
    most `tol` (or `max_iter` sweeps, or a non-finite residual): one `lax.while_loop`, compiled
    once per number of regions (JAX's persistent cache keeps it across processes)."""

    def cond(state):
        _z, r, it = state
        return (jnp.max(jnp.abs(r)) > tol) & (it < max_iter) & jnp.all(jnp.isfinite(r))

    def body(state):
        z = _mr_sweep(state[0], p)
        return z, _mr_residual(z, p), state[2] + 1

    z0 = jnp.zeros(2 * p.log_out_share.shape[0])
    z, r, iterations = jax.lax.while_loop(cond, body, (z0, _mr_residual(z0, p), 0))
    max_residual = jnp.max(jnp.abs(r))
    return RootResult(z, max_residual, iterations, max_residual <= tol)


def resistances(
    cost: np.ndarray,
    output: np.ndarray,
    expenditure: np.ndarray,
    reference: int,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
):
    """Solve the multilateral resistances (OMR)-(IMR) given Y and E (taken as given, shares of
    their own totals, as gegravity does) by `_mr_sweep` to a largest residual of `tol`; raises
    `NotConverged` otherwise. Returns (P^(1-sigma) [n], Pi^(1-sigma) [i], RootResult)."""
    n = output.size
    ref = np.zeros(n)
    ref[reference] = 1.0
    # numpy in and out: each eager jax operation here would be one more compilation per process
    p = _MRParams(np.log(cost), np.log(output / output.sum()), np.log(expenditure / expenditure.sum()), ref)
    res = jax.device_get(_solve_resistances(p, tol, max_iter))  # a RootResult of numpy arrays
    if not bool(res.converged):
        raise NotConverged("multilateral resistances", float(res.max_residual), int(res.iterations), tol)
    log_imr, log_omr = _mr_unpack(res.value, p)
    return np.exp(log_imr), np.exp(log_omr), res


def gegravity_counterfactual(
    cost_bln: np.ndarray,
    cost_cfl: np.ndarray,
    output: np.ndarray,
    expenditure: np.ndarray,
    *,
    sigma: float,
    reference: int,
    tol: float = 1e-12,
) -> dict:
    """gegravity 0.3's ``OneSectorGE`` baseline, experiment and results (see the module
    docstring for where its definitions differ from the book's). Y and E are taken as given.

    Returns percent changes keyed as gegravity's country results: factory-gate price, OMR
    (Pi'/Pi), IMR (P'/P), real GDP (Y'/P' over Y/P), terms of trade, foreign exports and
    imports (of modeled flows), with the solver diagnostics of both resistance solves.
    """
    y, e = np.asarray(output, float), np.asarray(expenditure, float)
    inv = 1.0 / (1.0 - sigma)
    imr0, omr0, res0 = resistances(cost_bln, y, e, reference, tol=tol)
    imr1, omr1, res1 = resistances(cost_cfl, y, e, reference, tol=tol)
    price = (omr0 / omr1) ** inv  # 1 = (Y_i/Y) x_omr' / (beta_i p^(1-sigma)), beta = (Y_i/Y) x_omr
    p0, p1 = imr0**inv, imr1**inv
    big_pi0, big_pi1 = omr0**inv, omr1**inv
    y_new, e_new = price * y, price * e
    out_share0, out_share1 = y / y.sum(), y_new / y_new.sum()
    x0 = e[:, None] * out_share0[None, :] * cost_bln / (imr0[:, None] * omr0[None, :])
    x1 = e_new[:, None] * out_share1[None, :] * cost_cfl / (imr1[:, None] * omr1[None, :])
    off = ~np.eye(y.size, dtype=bool)
    fx0, fx1 = np.where(off, x0, 0).sum(axis=0), np.where(off, x1, 0).sum(axis=0)
    fm0, fm1 = np.where(off, x0, 0).sum(axis=1), np.where(off, x1, 0).sum(axis=1)
    pct = lambda r: 100 * (r - 1)
    return {
        "factory_gate_price_pct": pct(price),
        "omr_pct": pct(big_pi1 / big_pi0),
        "imr_pct": pct(p1 / p0),
        "real_gdp_pct": pct((y_new / p1) / (y / p0)),
        "terms_of_trade_pct": pct(price / (p1 / p0)),
        "exports_pct": pct(fx1 / fx0),
        "imports_pct": pct(fm1 / fm0),
        "trade_bln": x0,
        "trade_new": x1,
        "baseline_imr": p0,
        "baseline_omr": big_pi0,
        "converged": bool(res0.converged) and bool(res1.converged),
        "max_residual": float(max(res0.max_residual, res1.max_residual)),
        "iterations": int(res0.iterations) + int(res1.iterations),
    }
