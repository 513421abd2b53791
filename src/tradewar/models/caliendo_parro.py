r"""Caliendo and Parro (2015): multi-sector Eaton-Kortum trade with input-output links, in changes.

Notation (axis order [importer n, exporter i, sector j], see `tradewar.data.baseline`):
pi_ni^j baseline expenditure shares, tau_ni^j baseline and tau'_ni^j counterfactual tariffs,
gamma_n^j value-added shares, gamma_n^{k,j} = (1 - gamma_n^j) io_n^{k,j} input shares, alpha_n^j
final-demand shares, theta^j trade elasticities, VA_n = w_n L_n, D_n deficits. A hat is the
ratio of counterfactual to baseline: x_hat = x' / x.

Equilibrium conditions (CP 2015, section 3, eqs. 10-14 in the paper's numbering):

    (10) c_n^j  = w_n^{gamma_n^j} prod_k (P_n^k)^{gamma_n^{k,j}}                    unit costs
    (11) P_n^j  = [sum_i pi_ni^j (kappa_ni^j c_i^j)^{-theta^j}]^{-1/theta^j}         price index
    (12) pi'_ni^j = pi_ni^j (kappa_ni^j c_i^j / P_n^j)^{-theta^j}                    trade shares
    (13) X'_n^j = sum_k gamma_n^{j,k} sum_i pi'_in^k X'_i^k / (1 + tau'_in^k) + alpha_n^j I'_n
         I'_n   = w_n VA_n + sum_j X'_n^j (1 - F'_n^j) + D'_n,  F'_n^j = sum_i pi'_ni^j/(1+tau'_ni^j)
    (14) w_n VA_n = sum_j gamma_n^j sum_i pi'_in^j X'_i^j / (1 + tau'_in^j)          labour market

(all of c, P, w here are hats), with kappa_ni^j = (1 + tau'_ni^j)/(1 + tau_ni^j) (1 + t'_ni^j) d_ni^j
(d: iceberg trade-cost changes; t': the exporter i's tax on its sales to n, zero in the data).
With export taxes, sales at factory-gate prices are border values / (1 + t'), and the tax's revenue
adds to the exporter's income. An export limit caps the quantity of i's sales to n, pi'_ni X'_n /
((1 + tau')(1 + t') c_i) <= (1 - cut) times its baseline, and is solved as the export tax that
achieves it: t' >= 0 and the cap are complementary (Fischer-Burmeister). The cap's slack enters
the complementarity in units of the flow's own log export wedge: the log gap divided by
1 + theta^j (1 - pi_ni^j), the elasticity of the flow's quantity to its own wedge at fixed prices,
expenditure and baseline shares (eq. 12). A positive constant per flow leaves the solutions as
they are; it puts the limits' Jacobian diagonal near 1 whatever theta^j (1.45 to 65 on
world2022-full at the short horizon), which GMRES needs: unscaled, each Newton step of a
world2022-full step with 626 limited flows took 124-429 Jacobian-vector products instead of 63-124,
and a step 24-112 s. The tolerance on these rows is therefore in log-wedge units: the log
quantity meets its cap to (1 + theta^j (1 - pi_ni^j)) times it (1.3e-10 at residual 2.1e-11 in
the rare-earth step of us-china-2025 on world2022-full). Condition (14) is
equivalent to the paper's trade balance given (13). The numeraire is world value added, sum_n w_n
VA_n = sum_n VA_n, as in CP's code, or one region's wage. Deficits D'_n are held fixed in numeraire
units ("fixed"), or as a share of world value added ("share"), or closed, D' = 0, as part of the
counterfactual ("close").
The "zero" closure of CP's Table 2 compares two balanced worlds: the baseline is first rebalanced by
`calibrate` with D' = 0 (`tradewar.scenario.run.scenario_inputs` does this), then D' = 0.

Unknowns: z = (log w [N], log P [N, J], X' / X [N, J], log(1 + t') [K limited flows]), solved by
`tradewar.solver.newton.newton_root`.

Welfare (CP 2015, eq. 16; their `Welfarelineal.m`): the change in real income is decomposed to
first order into terms of trade, sum_{i,j} (E_ni^j dln c_n^j - M_ni^j dln c_i^j) / I_n, and
volume of trade, sum_{i,j} tau_ni^j M_ni^j (dln M_ni^j - dln c_i^j) / I_n, evaluated with
baseline flows and discrete changes; `welfare_pct` is their sum, as in the paper's Table 2.
`real_income_pct` is the exact change I'_n / (I_n prod_j P_n^j^alpha_n^j) - 1.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError, NotConverged
from tradewar.solver.newton import solve_model

NAME = "caliendo-parro"
DEFICIT_CLOSURES = ("zero", "fixed", "share", "close")
#: Policy instruments of scenario files this model solves (others: import tariffs only).
INSTRUMENTS = ("tariff", "export_tax", "export_limit")
#: Draws of the trade elasticities replace this params field (nothing else derives from it).
ELASTICITY_FIELD = "theta"


class Params(NamedTuple):
    """Baseline arrays and the policy, as a JAX pytree (float64)."""

    pi: jax.Array  # [n, i, j]
    tariff: jax.Array  # [n, i, j] baseline
    tariff_new: jax.Array  # [n, i, j] counterfactual
    trade_cost_hat: jax.Array  # [n, i, j] iceberg d_hat
    expenditure: jax.Array  # [n, j] baseline X
    value_added: jax.Array  # [n]
    deficit_new: jax.Array  # [n] D' at the numeraire's baseline value
    va_share: jax.Array  # [n, j]
    input_share: jax.Array  # [n, k, j] gamma_n^{k,j}
    final_share: jax.Array  # [n, j]
    theta: jax.Array  # [j]
    numeraire: jax.Array  # [n] weights, sum 1
    deficit_follows_world_va: jax.Array  # scalar 0 or 1
    export_tax: jax.Array  # [n, i, j] t' set by policy (zero in the baseline)
    limit_cells: jax.Array  # [K, 3] int (n, i, j) of flows under an export limit
    limit_log_target: jax.Array  # [K] log(1 - cut)
    limit_active: jax.Array  # [K] 1 for a limited flow, 0 for a padding slot (see `params`' limit_slots)


def params(
    baseline: Baseline,
    tariff_new: np.ndarray | None = None,
    *,
    trade_cost_hat: np.ndarray | None = None,
    theta: np.ndarray | None = None,
    deficits: str = "fixed",
    numeraire: str = "world",
    value_added: np.ndarray | None = None,
    deficit_new: np.ndarray | None = None,
    export_taxes: np.ndarray | None = None,
    export_limits: np.ndarray | None = None,
    limit_slots: int | None = None,
) -> Params:
    """Model parameters from a baseline and a policy.

    `export_taxes` [n, i, j] are the exporters' taxes (decimals); `export_limits` [n, i, j] are
    quantity cuts as fractions (NaN where there is no limit). `value_added` and `deficit_new`
    override the baseline accounts (used by `calibrate` on raw data). `numeraire` is "world"
    (world value added) or a region code (its wage). `limit_slots`: the limited flows are padded
    with inactive slots up to this number, so that every step of a scenario has the same array
    shapes and shares one compiled solver (a slot's unknown is then pinned at zero).
    """
    n = baseline.n_regions
    if deficits not in DEFICIT_CLOSURES:
        raise InputError(
            f"model.deficits: unknown closure {deficits!r}; use one of {', '.join(DEFICIT_CLOSURES)}",
            field="model.deficits",
        )
    if numeraire == "world":
        weights = baseline.value_added / baseline.value_added.sum()
    else:
        weights = np.zeros(n)
        weights[baseline.region_index(numeraire, "numeraire")] = 1.0
    if deficit_new is None:
        deficit_new = np.zeros(n) if deficits in ("zero", "close") else baseline.deficit
    va = baseline.value_added if value_added is None else value_added
    limits = np.full(baseline.trade.shape, np.nan) if export_limits is None else np.asarray(export_limits, float)
    cells = np.argwhere(np.isfinite(limits) & (baseline.trade > 0))
    targets, active = np.log1p(-limits[tuple(cells.T)]), np.ones(len(cells))
    padding = max(0, (limit_slots or 0) - len(cells))
    if padding:  # inactive slots on the largest flow: a cell with trade, so their unused gap is finite
        largest = np.unravel_index(np.argmax(baseline.trade), baseline.trade.shape)
        cells = np.vstack([cells.reshape(-1, 3), np.tile(largest, (padding, 1))])
        targets, active = np.concatenate([targets, np.zeros(padding)]), np.concatenate([active, np.zeros(padding)])
    as_j = lambda a: jnp.asarray(a, dtype=jnp.float64)
    return Params(
        pi=as_j(baseline.expenditure_shares),
        tariff=as_j(baseline.tariffs),
        tariff_new=as_j(baseline.tariffs if tariff_new is None else tariff_new),
        trade_cost_hat=as_j(np.ones_like(baseline.trade) if trade_cost_hat is None else trade_cost_hat),
        expenditure=as_j(baseline.expenditure),
        value_added=as_j(va),
        deficit_new=as_j(deficit_new),
        va_share=as_j(baseline.va_share),
        input_share=as_j((1 - baseline.va_share)[:, None, :] * baseline.io_share),
        final_share=as_j(baseline.final_share),
        theta=as_j(baseline.theta if theta is None else theta),
        numeraire=as_j(weights),
        deficit_follows_world_va=as_j(1.0 if deficits == "share" else 0.0),
        export_tax=as_j(np.zeros_like(baseline.trade) if export_taxes is None else export_taxes),
        limit_cells=jnp.asarray(cells, dtype=jnp.int32).reshape(-1, 3),
        limit_log_target=as_j(targets),
        limit_active=as_j(active),
    )


def _scale(p: Params) -> jax.Array:
    """Units of X' in the unknowns: baseline X plus 0.1 % of the region's mean sector, so that
    empty or near-empty cells (CP's raw data has 1-dollar placeholders) stay well scaled."""
    return p.expenditure + 1e-3 * jnp.mean(p.expenditure, axis=1, keepdims=True)


def initial_guess(p: Params) -> jax.Array:
    n, j = p.expenditure.shape
    k = p.limit_log_target.shape[0]
    return jnp.concatenate([jnp.zeros(n), jnp.zeros(n * j), (p.expenditure / _scale(p)).ravel(), jnp.zeros(k)])


def _unpack(z: jax.Array, p: Params):
    """Split z; the last block is log(1 + t') on limited flows, scattered onto [n, i, j]."""
    n, j = p.expenditure.shape
    log_w = z[:n]
    log_p = z[n : n + n * j].reshape(n, j)
    x_new = z[n + n * j : n + 2 * n * j].reshape(n, j) * _scale(p)
    limit_wedge = z[n + 2 * n * j :]
    cells = tuple(p.limit_cells.T)
    log_export_wedge = jnp.log1p(p.export_tax).at[cells].add(limit_wedge * p.limit_active)
    return log_w, log_p, x_new, log_export_wedge


def _prices(log_w, log_p, log_export_wedge, p: Params):
    """Eqs. (10)-(12): unit costs, the price index implied by them, and new trade shares."""
    log_c = p.va_share * log_w[:, None] + jnp.einsum("nkj,nk->nj", p.input_share, log_p)
    log_kappa = jnp.log1p(p.tariff_new) - jnp.log1p(p.tariff) + jnp.log(p.trade_cost_hat) + log_export_wedge
    exponent = -p.theta * (log_kappa + log_c[None, :, :])  # [n, i, j]
    log_p_model = -logsumexp(exponent, b=p.pi, axis=1) / p.theta
    pi_new = p.pi * jnp.exp(exponent + p.theta * log_p_model[:, None, :])
    return log_c, log_p_model, pi_new


def _flows(x_new, pi_new, log_export_wedge, p: Params):
    """Trade at the border net of tariffs [n, i, j], sales at factory-gate prices [n, i, j],
    gross output [i, j], tariff revenue [n] and export-tax revenue [i]."""
    trade = pi_new * x_new[:, None, :] / (1 + p.tariff_new)
    sales = trade * jnp.exp(-log_export_wedge)
    revenue = jnp.einsum("nij,nij->n", trade, p.tariff_new)
    export_revenue = (trade - sales).sum(axis=(0, 2))
    return trade, sales, sales.sum(axis=0), revenue, export_revenue


def _deficit(w_hat, p: Params):
    world_va = jnp.vdot(p.value_added, w_hat) / p.value_added.sum()
    return p.deficit_new * (1 + p.deficit_follows_world_va * (world_va - 1))


def _limit_gap(sales, log_c, p: Params):
    """The cap's slack on limited flows, >= 0 when the cap holds: log(1 - cut) - log(quantity hat),
    divided by the flow's own-wedge elasticity 1 + theta^j (1 - pi_ni^j) (module docstring)."""
    n, i, j = p.limit_cells.T
    baseline_sales = p.pi[n, i, j] * p.expenditure[n, j] / (1 + p.tariff[n, i, j])
    log_quantity_hat = jnp.log(sales[n, i, j] / baseline_sales) - log_c[i, j]
    own_elasticity = 1 + p.theta[j] * (1 - p.pi[n, i, j])
    return (p.limit_log_target - log_quantity_hat) / own_elasticity


def residual(z: jax.Array, p: Params) -> jax.Array:
    """Equilibrium conditions (10)-(14) as unit-free residuals, zero at the equilibrium."""
    log_w, log_p, x_new, log_export_wedge = _unpack(z, p)
    w_hat = jnp.exp(log_w)
    log_c, log_p_model, pi_new = _prices(log_w, log_p, log_export_wedge, p)
    _, sales, output, revenue, export_revenue = _flows(x_new, pi_new, log_export_wedge, p)
    income = w_hat * p.value_added + revenue + export_revenue + _deficit(w_hat, p)
    x_model = jnp.einsum("njk,nk->nj", p.input_share, output) + p.final_share * income[:, None]
    labour_demand = (p.va_share * output).sum(axis=1)
    normalisation = jnp.vdot(p.numeraire, w_hat) - 1.0
    r_w = (labour_demand - w_hat * p.value_added) / p.value_added + normalisation
    r_p = log_p - log_p_model
    r_x = (x_model - x_new) / _scale(p)
    # Export limits: t' >= 0, cap >= quantity, one of them binding (Fischer-Burmeister).
    tax, gap = z[log_w.shape[0] + 2 * r_x.size :], _limit_gap(sales, log_c, p)
    r_limit = jnp.where(p.limit_active > 0, tax + gap - jnp.sqrt(tax**2 + gap**2 + 1e-20), tax)
    return jnp.concatenate([r_w, r_p.ravel(), r_x.ravel(), r_limit])


def outcomes(z: jax.Array, p: Params) -> dict[str, jax.Array]:
    """Levels and changes at the solution z (see the module docstring for welfare)."""
    log_w, log_p, x_new, log_export_wedge = _unpack(z, p)
    w_hat = jnp.exp(log_w)
    p_hat = jnp.exp(log_p)
    log_c, _, pi_new = _prices(log_w, log_p, log_export_wedge, p)
    c_hat = jnp.exp(log_c)
    trade_new, _, output_new, revenue_new, export_revenue_new = _flows(x_new, pi_new, log_export_wedge, p)
    no_tax = jnp.zeros_like(log_export_wedge)
    trade_old, _, output_old, revenue_old, _ = _flows(p.expenditure, p.pi, no_tax, p._replace(tariff_new=p.tariff))
    deficit_new = _deficit(w_hat, p)
    deficit_old = trade_old.sum(axis=(1, 2)) - trade_old.sum(axis=(0, 2))
    income_old = p.value_added + revenue_old + deficit_old
    income_new = w_hat * p.value_added + revenue_new + export_revenue_new + deficit_new
    cpi_hat = jnp.exp((p.final_share * log_p).sum(axis=1))
    # CP (2015) eq. 16, discrete form of Welfarelineal.m: baseline flows times changes.
    exports_old = jnp.swapaxes(trade_old, 0, 1)  # [n, i, j]: from n to i
    terms_of_trade = (
        jnp.einsum("nij,nj->n", exports_old, c_hat - 1) - jnp.einsum("nij,ij->n", trade_old, c_hat - 1)
    ) / income_old
    safe_old = jnp.where(trade_old > 0, trade_old, 1.0)
    volume_of_trade = (
        jnp.einsum(
            "nij,nij->n",
            p.tariff * trade_old,
            jnp.where(trade_old > 0, trade_new / safe_old, 0.0) - c_hat[None, :, :],
        )
        / income_old
    )
    domestic = lambda t: jnp.einsum("nnj->n", t)
    return {
        "wage_hat": w_hat,
        "price_hat": p_hat,
        "cost_hat": c_hat,
        "cpi_hat": cpi_hat,
        "real_wage_hat": w_hat / cpi_hat,
        "income_old": income_old,
        "income_new": income_new,
        "real_income_hat": income_new / income_old / cpi_hat,
        "welfare_hat": income_new / income_old / cpi_hat,  # the games' objective: exact real income
        "terms_of_trade": terms_of_trade,
        "volume_of_trade": volume_of_trade,
        "welfare_linear": terms_of_trade + volume_of_trade,
        "trade_old": trade_old,
        "trade_new": trade_new,
        "output_old": output_old,
        "output_new": output_new,
        "expenditure_new": x_new,
        "tariff_revenue_old": revenue_old,
        "tariff_revenue_new": revenue_new,
        "export_tax_new": jnp.expm1(log_export_wedge),
        "export_tax_revenue_new": export_revenue_new,
        "exports_old": trade_old.sum(axis=(0, 2)) - domestic(trade_old),
        "exports_new": trade_new.sum(axis=(0, 2)) - domestic(trade_new),
        "imports_old": trade_old.sum(axis=(1, 2)) - domestic(trade_old),
        "imports_new": trade_new.sum(axis=(1, 2)) - domestic(trade_new),
        "deficit_old": deficit_old,
        "deficit_new": deficit_new,
    }


def trade_elasticity(p: Params) -> jax.Array:
    """The trade elasticities theta [sector] of the params."""
    return p.theta


def region_summary(out: dict) -> dict[str, np.ndarray]:
    """Per-region columns of `Equilibrium.regions()`, in percent (levels where named)."""
    pct = lambda hat: (np.asarray(hat) - 1) * 100
    change = lambda new, old: pct(np.asarray(out[new]) / np.asarray(out[old]))
    return {
        "welfare_pct": 100 * np.asarray(out["welfare_linear"]),
        "terms_of_trade_pct": 100 * np.asarray(out["terms_of_trade"]),
        "volume_of_trade_pct": 100 * np.asarray(out["volume_of_trade"]),
        "real_wage_pct": pct(out["real_wage_hat"]),
        "real_income_pct": pct(out["real_income_hat"]),
        "wage_pct": pct(out["wage_hat"]),
        "price_index_pct": pct(out["cpi_hat"]),
        "exports_pct": change("exports_new", "exports_old"),
        "imports_pct": change("imports_new", "imports_old"),
        "tariff_revenue_old": np.asarray(out["tariff_revenue_old"]),
        "tariff_revenue_new": np.asarray(out["tariff_revenue_new"]),
        "trade_balance_old": -np.asarray(out["deficit_old"]),
        "trade_balance_new": -np.asarray(out["deficit_new"]),
    }


def calibrate(raw: Baseline, *, deficits: str = "fixed", tol: float = 1e-10) -> Baseline:
    """Make raw data an equilibrium of the model: solve at the factual tariffs and rebuild flows.

    This is CP's own first step (their `script.m` then `initial_condition_1993_noS.mat`): take
    the observed expenditure shares, value added (``raw.extras['value_added_data']`` if present)
    and deficits (``raw.extras['deficit_data']``; all zero with ``deficits="zero"``), solve the
    equilibrium conditions with tau' = tau, and return the validated `Baseline` with flows
    pi' X' / (1 + tau). Ossa (2014) calls the zero-deficit version "purging" the data.
    """
    value_added = raw.extras.get("value_added_data", raw.value_added)
    target = np.zeros(raw.n_regions) if deficits == "zero" else raw.extras.get("deficit_data", raw.deficit)
    p = params(raw, deficits=deficits, value_added=value_added, deficit_new=target)
    res, _ = solve_model(residual, initial_guess, outcomes, p, tol=tol)
    if not bool(res.converged):
        raise NotConverged(f"calibration of {raw.name}", float(res.max_residual), int(res.iterations), tol)
    out = outcomes(res.value, p)
    extras = {k: v for k, v in raw.extras.items() if k not in ("value_added_data", "deficit_data")}
    label = "zero deficits" if deficits == "zero" else "deficits as observed"
    balanced = replace(
        raw,
        name=raw.name.replace("(with-deficits)", f"(calibrated, {label})"),
        trade=np.asarray(out["trade_new"]),
        extras=extras,
        provenance=raw.provenance + f"; calibrated to an equilibrium at factual tariffs with {label}",
    )
    return balanced.validate(negative_input_share_floor=-1e-3)
