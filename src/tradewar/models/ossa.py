r"""Ossa (2014), "Trade Wars and Trade Talks with Data" (AER 104(12)): the model in changes.

Many industries s, one factor (labour, mobile across industries), monopolistic competition
a la Krugman (1980) within each industry with industry-specific elasticity of substitution
sigma_s and a fixed mass of firms, so that each industry earns profits Pi_is = Y_is / sigma_s
(the source of the profit-shifting motive). Cobb-Douglas upper tier with shares mu_ns, import
tariffs whose revenue goes to the importing government, and governments that weight industry
incomes with political-economy weights lambda_ns (lambda = 1: welfare).

Notation, in tradewar's axis order [importer n, exporter i, sector s] (Ossa's files are
exporter x importer; `tradewar.data.ossa2014` converts): X_nis baseline flow from i to n net of
tariffs (cif), t_nis baseline and t'_nis counterfactual tariffs, E_n = sum_{i,s} (1+t_nis) X_nis
spending, mu_ns = sum_i (1+t_nis) X_nis / E_n, gamma_nis = (1+t_nis) X_nis / (mu_ns E_n) import
shares, Y_is = sum_n X_nis sales, Pi_is = Y_is / sigma_s profits, L_i = w_i L_i labour income
= sum_s (sigma_s-1)/sigma_s Y_is, delta_is = (sigma_s-1)/sigma_s Y_is / L_i, R_n = sum t X tariff
revenue, NX_n = exports - imports. A hat is x'/x; tau_nis = (1+t'_nis)/(1+t_nis); d_nis iceberg
trade-cost change (1 unless given).

Equilibrium in changes (Ossa 2014, section I, the counterfactual system solved by his
`myconditions.m`). O1-O5 are this module's labels, NOT Ossa's equation numbers: the numbering of
neither the AER article nor NBER WP 17347 could be checked (the stored copies of both that were
searchable gave only the title page and abstract, without the model's equations), so no paper
number is cited rather than a guessed one. Each line was instead checked against Ossa's own
replication code, `myconditions.m` (as mirrored in github.com/psztorc/TRICE, model/), whose
variables are: O1 = PRICEINDEXHATADJs (P^{sigma-1}), O2 = TRADECs = TRADEs.*TEMP2,
O3 = EQUILIBRIUMCONDITION1 (PROFITSHATs = Y^hat, since Pi = Y / sigma), O4 =
EQUILIBRIUMCONDITION2 (solved there for E^hat), O5 = NUMERAIRECONDITION:

    (O1) P_ns^{1-sigma_s} = sum_i gamma_nis (w_i d_nis tau_nis)^{1-sigma_s}               price index
    (O2) X'_nis = X_nis (w_i d_nis)^{1-sigma_s} tau_nis^{-sigma_s} P_ns^{sigma_s-1} E_n   trade (cif)
    (O3) w_i = sum_s delta_is Y_is^hat,  Y_is^hat = sum_n X'_nis / Y_is                 labour market
    (O4) E_n E_n^hat = w_n L_n + sum_s Pi_ns Y_ns^hat + sum_{i,s} t'_nis X'_nis - NX'_n  budget
    (O5) sum_i L_i w_i / sum_i L_i = 1                                                    numeraire

(w, P, E here are hats). By Walras' law one condition of (O3)-(O4) is redundant; the residual
adds the numeraire gap (O5) to every labour-market condition (zero at the solution only if the
gap is zero, because sum_i L_i [O3 residual]_i = 0 whenever (O4) holds and sum NX' = 0).
NX'_n is Ossa's NXC: the baseline NX held fixed in numeraire units (``deficits="fixed"``) or
zero (``deficits="zero"``, the purge).

Welfare and government welfare (Ossa 2014, section I; `mycounterfactuals.m`, `mycongov.m`):

    welfare          W_n^hat = E_n^hat / prod_s P_ns^{mu_ns}
    government       G_n^hat = [sum_s lambda_ns (Y'_ns + delta'_ns R'_n)]
                               / [sum_s lambda_ns (Y_ns + delta_ns R_n)] / prod_s P_ns^{mu_ns}

(tariff revenue is rebated in proportion to labour income; with lambda = 1 and NX = 0,
G = W). Table 2's decomposition (`mydecomposition.m`), at baseline flows, in percent of E_n:

    terms of trade   sum_{i,s} X_nis (w_n - w_i) / E_n
    profit shifting  sum_s Pi_ns (Y_ns^hat - w_n) / E_n
    trade volume     sum_{i,s} t_nis [(X'_nis - X_nis) - X_nis (w_i - 1)] / E_n

Unknowns z = (log w [N], log E^hat [N]), solved by `tradewar.solver.newton.newton_root` (derivatives
with respect to the policy by the implicit function theorem).

Usage (the games layer builds the parameters once and swaps the policy inside jit):

    baseline = tradewar.load_dataset("ossa2014")             # purged; raw=True for the raw data
    p = ossa.params(baseline, lambdas="pol")                  # "pol" / "bas" / array [n, s]
    q = p._replace(tariff_new=tariffs)                        # [importer, exporter, sector]
    res = newton_root(ossa.residual, ossa.initial_guess(q), q)
    out = ossa.outcomes(res.value, q)   # welfare_hat, government_welfare_hat, wage_hat, ...

Checks (tests/test_ossa.py): `purge` reproduces Ossa's purged flows to 3e-10; Table 2 to
rounding; Ossa's own MFN optimal tariffs at LAMBDAPOL are stationary points of
``government_welfare_hat`` (|gradient| < 1e-5) and give Table 8b's rows.
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

NAME = "ossa"
DEFICIT_CLOSURES = ("fixed", "zero")
#: None: the params hold sigma = theta + 1 and derive labour income and its shares from it, so
#: draws must rebuild the params (games do, through the ``theta`` option).
ELASTICITY_FIELD = None


class Params(NamedTuple):
    """Baseline arrays and the policy, as a JAX pytree (float64)."""

    trade: jax.Array  # [n, i, s] baseline X (net of tariffs)
    gamma: jax.Array  # [n, i, s] tariff-inclusive import shares within (n, s)
    tariff: jax.Array  # [n, i, s] baseline
    tariff_new: jax.Array  # [n, i, s] counterfactual
    trade_cost_hat: jax.Array  # [n, i, s] iceberg d_hat
    sigma: jax.Array  # [s]
    expenditure: jax.Array  # [n] E (tariff-inclusive)
    mu: jax.Array  # [n, s] Cobb-Douglas shares
    sales: jax.Array  # [n, s] Y
    labor_income: jax.Array  # [n] L
    delta: jax.Array  # [n, s] labour-income shares
    nx_new: jax.Array  # [n] NX' (numeraire units)
    numeraire: jax.Array  # [n] weights, sum 1
    lambdas: jax.Array  # [n, s] political-economy weights


def params(
    baseline: Baseline,
    tariff_new: np.ndarray | None = None,
    *,
    lambdas: np.ndarray | str | None = None,
    sigma: np.ndarray | None = None,
    theta: np.ndarray | None = None,
    deficits: str = "fixed",
    numeraire: str = "world",
    trade_cost_hat: np.ndarray | None = None,
    nx_new: np.ndarray | None = None,
    **other,
) -> Params:
    """Model parameters from a baseline and a policy.

    ``lambdas``: [region, sector] weights, or "pol" / "bas" for the dataset's LAMBDAPOL /
    LAMBDABAS; default all ones (welfare). ``sigma``: [sector] elasticities of substitution
    (default ``baseline.extras["sigma"]``, else ``baseline.theta + 1``); ``theta`` is the
    trade elasticity sigma - 1 (the scenario files' ``[model.theta]``), give one or the other.
    ``deficits``: "fixed" keeps the baseline net exports, "zero" sets them to zero (the
    purge). ``numeraire``: "world" (world labour income, as in Ossa's code) or a region code.
    ``nx_new`` overrides the counterfactual net exports [region] (Ossa's NXC).
    """
    for key, value in other.items():
        if value is None:
            continue
        if key in ("export_taxes", "export_limits") and not np.any(np.asarray(value, dtype=float) != 0):
            continue
        if key in ("export_taxes", "export_limits"):
            instrument = "export_tax" if key == "export_taxes" else "export_limit"
            raise InputError(
                f"policy.instrument: the ossa model has import tariffs only, not {instrument!r}; "
                'use instrument = "tariff" or model caliendo-parro',
                field="policy.instrument",
            )
        raise InputError(
            f"{key}: the ossa model has no option {key!r} (it takes lambdas, sigma or theta, deficits, "
            "numeraire, trade_cost_hat); remove it",
            field=key,
        )
    n, s = baseline.n_regions, baseline.n_sectors
    if deficits not in DEFICIT_CLOSURES:
        raise InputError(
            f"model.deficits: {deficits!r} is not a deficit closure of the ossa model; use one of "
            f"{', '.join(DEFICIT_CLOSURES)}",
            field="model.deficits",
        )
    if sigma is not None and theta is not None:
        raise InputError("sigma: give either sigma or theta (= sigma - 1), not both", field="sigma")
    if sigma is None:
        if theta is not None:
            sigma = np.asarray(theta, dtype=float) + 1
        else:
            sigma = baseline.extras.get("sigma", baseline.theta + 1)
    sigma = np.asarray(sigma, dtype=float)
    if sigma.shape != (s,) or np.any(~np.isfinite(sigma)) or np.any(sigma <= 1):
        raise InputError(
            f"sigma: elasticities of substitution must be {s} finite numbers > 1 (theta > 0); got shape "
            f"{sigma.shape}, smallest {np.nanmin(sigma) if sigma.size else 'n/a'}",
            field="sigma",
        )
    if isinstance(lambdas, str):
        key = f"lambda_{lambdas}"
        if key not in baseline.extras:
            raise InputError(
                f"lambdas: {lambdas!r} is not in dataset {baseline.name}; use 'pol', 'bas' or an array",
                field="lambdas",
            )
        lambdas = baseline.extras[key]
    lambdas = np.ones((n, s)) if lambdas is None else np.asarray(lambdas, dtype=float)
    if lambdas.shape != (n, s) or np.any(~np.isfinite(lambdas)) or np.any(lambdas < 0):
        raise InputError(
            f"lambdas: political-economy weights must be finite, >= 0 and shaped ({n}, {s}); got shape {lambdas.shape}",
            field="lambdas",
        )

    trade = baseline.trade
    gross = trade * (1 + baseline.tariffs)
    spending_ns = gross.sum(axis=1)
    expenditure = spending_ns.sum(axis=1)
    total = spending_ns[:, None, :]
    gamma = np.divide(gross, total, out=np.zeros_like(gross), where=total > 0)
    sales = trade.sum(axis=0)  # [i, s]
    labor_sales = (sigma - 1) / sigma * sales
    labor_income = labor_sales.sum(axis=1)
    nx = trade.sum(axis=(0, 2)) - trade.sum(axis=(1, 2))  # exports + domestic - (imports + domestic)
    if nx_new is None:
        nx_new = np.zeros(n) if deficits == "zero" else nx
    if numeraire == "world":
        weights = labor_income / labor_income.sum()
    else:
        weights = np.zeros(n)
        weights[baseline.region_index(numeraire, "model.numeraire")] = 1.0
    as_j = lambda a: jnp.asarray(a, dtype=jnp.float64)
    return Params(
        trade=as_j(trade),
        gamma=as_j(gamma),
        tariff=as_j(baseline.tariffs),
        tariff_new=as_j(baseline.tariffs if tariff_new is None else tariff_new),
        trade_cost_hat=as_j(np.ones_like(trade) if trade_cost_hat is None else trade_cost_hat),
        sigma=as_j(sigma),
        expenditure=as_j(expenditure),
        mu=as_j(spending_ns / expenditure[:, None]),
        sales=as_j(sales),
        labor_income=as_j(labor_income),
        delta=as_j(labor_sales / labor_income[:, None]),
        nx_new=as_j(nx_new),
        numeraire=as_j(weights),
        lambdas=as_j(lambdas),
    )


def initial_guess(p: Params) -> jax.Array:
    return jnp.zeros(2 * p.expenditure.shape[0])


def _unpack(z: jax.Array, p: Params):
    n = p.expenditure.shape[0]
    return z[:n], z[n:]


def _trade(log_w, log_e, p: Params):
    """(O1)-(O2): log price-index changes [n, s] and new flows X' [n, i, s]."""
    one_minus_sigma = 1 - p.sigma
    log_cost = log_w[None, :, None] + jnp.log(p.trade_cost_hat)  # [n, i, s]
    log_tau = jnp.log1p(p.tariff_new) - jnp.log1p(p.tariff)
    log_p = logsumexp(one_minus_sigma * (log_cost + log_tau), b=p.gamma, axis=1) / one_minus_sigma  # [n, s]
    log_x_hat = (
        one_minus_sigma * log_cost - p.sigma * log_tau + (p.sigma - 1) * log_p[:, None, :] + log_e[:, None, None]
    )
    return log_p, p.trade * jnp.exp(log_x_hat)


def _accounts(trade_new, p: Params):
    """Sales [i, s], tariff revenue [n] at the new flows."""
    return trade_new.sum(axis=0), jnp.einsum("nis,nis->n", trade_new, p.tariff_new)


def _safe_ratio(new, old):
    return jnp.where(old > 0, new / jnp.where(old > 0, old, 1.0), 1.0)


def residual(z: jax.Array, p: Params) -> jax.Array:
    """Conditions (O3)-(O5) as unit-free residuals, zero at the equilibrium."""
    log_w, log_e = _unpack(z, p)
    w_hat, e_hat = jnp.exp(log_w), jnp.exp(log_e)
    _, trade_new = _trade(log_w, log_e, p)
    sales_new, revenue_new = _accounts(trade_new, p)
    sales_hat = _safe_ratio(sales_new, p.sales)
    normalisation = jnp.vdot(p.numeraire, w_hat) - 1.0
    r_w = (p.delta * sales_hat).sum(axis=1) - w_hat + normalisation
    profits_new = (sales_new / p.sigma).sum(axis=1)
    income_new = w_hat * p.labor_income + profits_new + revenue_new
    r_e = (income_new - p.nx_new - e_hat * p.expenditure) / p.expenditure
    return jnp.concatenate([r_w, r_e])


def _government(sales, revenue, lambdas, sigma):
    """sum_s lambda_ns (Y_ns + delta_ns R_n): the political-economy weighted income [n]."""
    labor = (sigma - 1) / sigma * sales
    delta = labor / labor.sum(axis=1, keepdims=True)
    return (lambdas * (sales + delta * revenue[:, None])).sum(axis=1)


def outcomes(z: jax.Array, p: Params) -> dict[str, jax.Array]:
    """Levels and changes at the solution z (see the module docstring)."""
    log_w, log_e = _unpack(z, p)
    w_hat, e_hat = jnp.exp(log_w), jnp.exp(log_e)
    log_p, trade_new = _trade(log_w, log_e, p)
    trade_old = p.trade
    sales_new, revenue_new = _accounts(trade_new, p)
    sales_old, revenue_old = p.sales, jnp.einsum("nis,nis->n", trade_old, p.tariff)
    cpi_hat = jnp.exp((p.mu * log_p).sum(axis=1))
    welfare_hat = e_hat / cpi_hat
    gov_hat = (
        _government(sales_new, revenue_new, p.lambdas, p.sigma)
        / _government(sales_old, revenue_old, p.lambdas, p.sigma)
        / cpi_hat
    )
    profits_old_s, profits_new_s = sales_old / p.sigma, sales_new / p.sigma
    sales_hat = _safe_ratio(sales_new, sales_old)
    # Ossa's decomposition (mydecomposition.m), baseline flows, fractions of E_n.
    dw = w_hat - 1
    terms_of_trade = jnp.einsum("nis,ni->n", trade_old, dw[:, None] - dw[None, :]) / p.expenditure
    profit_shifting = (profits_old_s * (sales_hat - w_hat[:, None])).sum(axis=1) / p.expenditure
    trade_volume = (
        jnp.einsum("nis,nis->n", p.tariff, trade_new - trade_old) - jnp.einsum("nis,nis,i->n", p.tariff, trade_old, dw)
    ) / p.expenditure
    domestic = lambda t: jnp.einsum("nns->n", t)
    exports = lambda t: t.sum(axis=(0, 2)) - domestic(t)
    imports = lambda t: t.sum(axis=(1, 2)) - domestic(t)
    expenditure_new = e_hat * p.expenditure
    return {
        "wage_hat": w_hat,
        "expenditure_hat": e_hat,
        "price_hat": jnp.exp(log_p),  # [n, s] industry price indices
        "cost_hat": jnp.broadcast_to(w_hat[:, None], p.sales.shape),  # unit cost = markup x wage
        "cpi_hat": cpi_hat,
        "real_wage_hat": w_hat / cpi_hat,
        "welfare_hat": welfare_hat,
        "government_welfare_hat": gov_hat,
        "income_old": p.expenditure,
        "income_new": expenditure_new,
        "trade_old": trade_old,
        "trade_new": trade_new,
        "output_old": sales_old,
        "output_new": sales_new,
        "sales_hat": sales_hat,  # [n, s] = industry profits hat
        "profits_old": profits_old_s.sum(axis=1),
        "profits_new": profits_new_s.sum(axis=1),
        "profits_sector_old": profits_old_s,
        "profits_sector_new": profits_new_s,
        "tariff_revenue_old": revenue_old,
        "tariff_revenue_new": revenue_new,
        "terms_of_trade": terms_of_trade,
        "profit_shifting": profit_shifting,
        "trade_volume": trade_volume,
        "exports_old": exports(trade_old),
        "exports_new": exports(trade_new),
        "imports_old": imports(trade_old),
        "imports_new": imports(trade_new),
        "deficit_old": imports(trade_old) - exports(trade_old),
        "deficit_new": -p.nx_new * jnp.ones_like(w_hat),
    }


def trade_elasticity(p: Params) -> jax.Array:
    """The trade elasticities theta = sigma - 1 [sector] of the params."""
    return p.sigma - 1


def region_summary(out: dict) -> dict[str, np.ndarray]:
    """Per-region columns of `Equilibrium.regions()`, in percent (levels where named)."""
    pct = lambda hat: (np.asarray(hat) - 1) * 100
    change = lambda new, old: pct(np.asarray(out[new]) / np.asarray(out[old]))
    wage_pct = pct(out["wage_hat"])
    return {
        "welfare_pct": pct(out["welfare_hat"]),
        "government_welfare_pct": pct(out["government_welfare_hat"]),
        "terms_of_trade_pct": 100 * np.asarray(out["terms_of_trade"]),
        "profit_shifting_pct": 100 * np.asarray(out["profit_shifting"]),
        "trade_volume_pct": 100 * np.asarray(out["trade_volume"]),
        "wage_pct": wage_pct,
        "relative_wage_pct": wage_pct - wage_pct.mean(),
        "real_wage_pct": pct(out["real_wage_hat"]),
        "price_index_pct": pct(out["cpi_hat"]),
        "profits_pct": change("profits_new", "profits_old"),
        "real_profits_pct": pct(
            np.asarray(out["profits_new"]) / np.asarray(out["profits_old"]) / np.asarray(out["wage_hat"])
        ),
        "exports_pct": change("exports_new", "exports_old"),
        "imports_pct": change("imports_new", "imports_old"),
        "tariff_revenue_old": np.asarray(out["tariff_revenue_old"]),
        "tariff_revenue_new": np.asarray(out["tariff_revenue_new"]),
        "trade_balance_old": -np.asarray(out["deficit_old"]),
        "trade_balance_new": -np.asarray(out["deficit_new"]),
    }


def purge(raw: Baseline, *, tol: float = 1e-12) -> Baseline:
    """Ossa's purge of trade imbalances: solve the model on the raw data at the factual tariffs
    with counterfactual net exports NX' = 0 (numeraire: world labour income) and return the
    validated `Baseline` with the balanced flows X'. On ``ossa2014`` raw data this reproduces
    Ossa's purged ``trade_tariff.csv`` (see tests/test_ossa.py for the measured accuracy).
    """
    p = params(raw, deficits="zero")
    res, out = solve_model(residual, initial_guess, outcomes, p, tol=tol)
    if not bool(res.converged):
        raise NotConverged(f"purge of {raw.name}", float(res.max_residual), int(res.iterations), tol)
    trade = np.asarray(out["trade_new"])
    gross = trade * (1 + raw.tariffs)
    spending = gross.sum(axis=1)
    # The model has no input-output links: all of gross output is value added (as in Ossa's
    # data), so the purged accounts balance whatever input-output shares the raw data carried.
    balanced = replace(
        raw,
        name=raw.name.replace("raw, unpurged", "purged by tradewar"),
        trade=trade,
        va_share=np.ones_like(raw.va_share),
        final_share=spending / spending.sum(axis=1, keepdims=True),
        extras={**raw.extras, "purge_max_residual": float(res.max_residual)},
        provenance=raw.provenance + "; purged: solved at factual tariffs with zero net exports (Ossa 2014)",
    )
    return balanced.validate()


def rebase(baseline: Baseline, tariffs: np.ndarray, *, tol: float = 1e-12, **options) -> Baseline:
    """The counterfactual equilibrium at `tariffs` as a new factual `Baseline` (flows X',
    tariffs t'), as Ossa does for his Table 5 "from Nash" and "from free trade" columns: later
    changes are then measured from that point. Welfare changes compose exactly:
    W_hat(t0 -> t2) = W_hat(t0 -> t1) W_hat(t1 -> t2) (tests/test_ossa.py). `options` go to
    `params` (``deficits``; lambdas do not matter here)."""
    tariffs = np.asarray(tariffs, dtype=np.float64)
    p = params(baseline, tariffs, **options)
    res, out = solve_model(residual, initial_guess, outcomes, p, tol=tol)
    if not bool(res.converged):
        raise NotConverged(f"rebasing {baseline.name}", float(res.max_residual), int(res.iterations), tol)
    trade = np.asarray(out["trade_new"])
    spending = (trade * (1 + tariffs)).sum(axis=1)
    rebased = replace(
        baseline,
        name=f"{baseline.name} rebased",
        trade=trade,
        tariffs=tariffs,
        final_share=spending / spending.sum(axis=1, keepdims=True),
        extras={**baseline.extras, "rebase_max_residual": float(res.max_residual)},
        provenance=baseline.provenance + "; rebased: the ossa equilibrium at other tariffs taken as the baseline",
    )
    return rebased.validate()


def calibrate(raw: Baseline, *, deficits: str = "zero", tol: float = 1e-12) -> Baseline:
    """Same role as `caliendo_parro.calibrate`: ``deficits="zero"`` is `purge`; "fixed" returns
    the data unchanged (any data set is already an equilibrium of this model with its own NX)."""
    if deficits == "zero":
        return purge(raw, tol=tol)
    if deficits == "fixed":
        return raw
    raise InputError(f"model.deficits: {deficits!r}; use 'fixed' or 'zero'", field="model.deficits")
