r"""The "Liberation Day" model of Ignatenko, Lashkaripour, Macedoni and Simonovska (2025), in changes.

"Making America Great Again? The Economic Impacts of Liberation Day Tariffs", Journal of
International Economics (2025), Sections 2-4; working paper (July 2025) Appendix E (exact hat
algebra) and F (data, calibration). The setup is described in
``../shared/data/recent/baci2023_libday/MODEL.md``; conventions the paper leaves implicit follow
the authors' MATLAB code (``main_baseline.m``), as that file documents.

One sector, N countries; Melitz-Pareto with fixed (overhead) costs paid to labour in the
destination, scale economies and endogenous labour supply. Axis order (tradewar's):
bilateral arrays are [importer d, exporter o] (the tariff arrays of the model protocol carry a
trailing sector axis of length 1, [importer, exporter, 1]). Baseline tariffs are zero (the 2023
flows absorb them, JIE fn. 8); t[d, o] is the counterfactual tariff of d on goods from o. A hat
is the ratio of counterfactual to baseline.

Parameters: trade elasticity eps = 4, scale elasticity psi with eps*psi = 0.67, labour-supply
elasticity kappa = 0.5, firm-level pass-through phi~ = 1, fixed-cost share of sales nu_d paid to
labour in destination d, and price-index pass-through of the importer
phi_d = phi~ + nu_d / (1 - nu_d) (1 + psi).

Equilibrium conditions (JIE 2025 numbering):

    (22) lam'[d,o] = lam[d,o] (w_o L_o^-psi)^-eps (1+t[d,o])^(-eps phi_d) / S_d,
         S_d = sum_o lam[d,o] (w_o L_o^-psi)^-eps (1+t[d,o])^(-eps phi_d)
         X'[d,o] = lam'[d,o] E'_d / (1 + t[d,o])                        (flows net of tariffs)
    (23) w'_c L'_c = sum_d (1 - nu_d) X'[d,c] + nu_c sum_o X'[c,o]      (labour market)
    (25) E'_d = w'_d L'_d + R'_d + T_d * Yw_hat,  R'_d = sum_o t/(1+t) lam'[d,o] E'_d
    (24) P_d = (E_d / w_d)^(1 - phi_d) S_d^(-1/eps)                       (price index, hats)
         L_d = (tau_d w_d / P_d)^kappa                                    (labour supply)

with T_d the transfer held as a share of world income (Yw_hat = sum Y' / sum Y; or fixed with
``deficits="fixed"``) and tau_d = 1 / (1 - R'_d / Y'_d) when tariff revenue replaces income tax
(``rebate="income_tax"``, the paper's baseline) or 1 when it is rebated lump-sum. Unknowns are
z = (log w_hat, log E_hat, log L_hat) [3N]; the last country's labour-market condition is
replaced by the numeraire sum_d E_d (P_d - 1) = 0 (world expenditure-weighted price index; or
one country's wage with ``numeraire="<ISO3>"``).

Welfare (money-metric change of U = C - kappa/(1+kappa) L^(1+1/kappa)):
W_hat = delta E_hat / P_hat + (1 - delta) w_hat L_hat / P_hat, with
delta = E / (E - kappa/(1+kappa) (1 - tau) Y) at baseline E and Y and tau = R'/Y' (income-tax
relief) or 0 (lump sum), as in the authors' code.

Calibration (`calibrate`, App. F.4 and MODEL.md section 2) on the 194-country BACI data: nu
from SG&A/sales targets in a US / non-US aggregate (targets 0.12 / 0.26 as coded; the paper text
says 0.13 / 0.24, the coded ones give the published nu = 0.114 / 0.270), transfers
T = (1 - nu_i)[M_i - sum_n (1 - nu_n) X_in] (the code's form; the model identity drops the
first (1 - nu_i) on the export term and moves US welfare from 1.13 to 1.15), domestic absorption
X_ii = max(E_i - M_i, 0), then E, Y = sum_d (1 - nu_d) X[d, c] + nu_c E_c and T = E - Y.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError

jax.config.update("jax_enable_x64", True)

NAME = "liberation-day"
#: Parameters of the paper's baseline (JIE 2025, section 4 / Table 1 notes).
EPS = 4.0
EPS_PSI = 0.67
KAPPA = 0.5
PHI_TILDE = 1.0
#: SG&A-to-sales targets (non-US, US) as the authors' code has them; the paper text says
#: 0.13 / 0.24, the coded targets give the paper's reported nu = 0.114 / 0.270.
SGA_TARGETS = (0.12, 0.26)
REBATES = ("income_tax", "lump_sum")
DEFICIT_CLOSURES = ("share", "fixed")
#: Draws of the trade elasticity replace this params field (eps; eps * psi is held fixed).
ELASTICITY_FIELD = "theta"


class Params(NamedTuple):
    """Baseline arrays and the policy, as a JAX pytree (float64)."""

    lam: jax.Array  # [d, o] baseline expenditure shares
    tariff_new: jax.Array  # [d, o, 1] counterfactual tariffs (baseline tariffs are zero)
    expenditure: jax.Array  # [n] E
    value_added: jax.Array  # [n] Y = w L (model GDP; all value added is labour income)
    transfer: jax.Array  # [n] T = E - Y
    nu: jax.Array  # [n]
    theta: jax.Array  # [1] trade elasticity eps (one sector; named as in the other models)
    eps_psi: jax.Array  # eps * psi, the scale elasticity times eps (held fixed when eps varies)
    phi_tilde: jax.Array  # firm-level pass-through
    kappa: jax.Array
    income_tax_relief: jax.Array  # 1.0: revenue replaces income tax; 0.0: lump-sum rebate
    transfer_follows_world: jax.Array  # 1.0: T scales with world income; 0.0: T fixed
    numeraire_price: jax.Array  # [n] weights on P_hat - 1
    numeraire_wage: jax.Array  # [n] weights on w_hat - 1


# ----------------------------------------------------------------------------- calibration
def solve_nu(flows: np.ndarray, gdp: np.ndarray, large: int, targets=SGA_TARGETS, tol: float = 1e-14) -> np.ndarray:
    """nu (non-`large`, `large`) from SG&A/sales targets in a two-region aggregate (App. F.4).

    `flows` is [importer, exporter] without domestic flows. In the aggregate the non-US block
    includes intra-non-US trade; E_r = Y_r + (1 - nu_r)(M_r - sum_s (1 - nu_s) X[s, r]); the
    SG&A/sales ratio of r is its domestic-sales-share-weighted mix of own and partner nu. Solved
    by fixed-point iteration on the (linear in nu) target equations; raises if it does not settle.
    """
    n = flows.shape[0]
    agg = np.zeros((2, n))
    agg[0] = 1.0
    agg[0, large] = 0.0
    agg[1, large] = 1.0
    x = agg @ flows @ agg.T  # [importer, exporter]
    y = agg @ gdp
    nu = np.array([0.1, 0.24])
    for _ in range(200):
        e = y + (1 - nu) * (x.sum(axis=1) - ((1 - nu)[:, None] * x).sum(axis=0))
        r_home = (e - np.array([x[0, 1], x[1, 0]])) / (e - np.array([x[0, 1], x[1, 0]]) + np.array([x[1, 0], x[0, 1]]))
        a = np.array([[r_home[0], 1 - r_home[0]], [1 - r_home[1], r_home[1]]])
        new = np.linalg.solve(a, np.asarray(targets, dtype=np.float64))
        if np.max(np.abs(new - nu)) < tol:
            return np.maximum(new, 0.0)
        nu = new
    raise InputError("calibration: the SG&A targets give no fixed point for nu; check the targets", field="targets")


def calibrate(
    raw: Baseline,
    *,
    large: str = "USA",
    targets: tuple[float, float] = SGA_TARGETS,
    transfers: Literal["published", "identity"] = "published",
    deficits: str = "share",
) -> Baseline:
    """The paper's calibration of international flows and GDP (MODEL.md section 2).

    `raw` holds international flows (empty diagonal) and ``extras['gdp']`` (e.g.
    `tradewar.data.baci.load_baci2023`). Returns a validated `Baseline` whose diagonal is the
    derived domestic absorption, with ``extras``: ``libday_nu`` [n], ``libday_income`` (model
    GDP Y), ``libday_transfer`` (T = E - Y), ``libday_nu_pair`` (non-US, US) and
    ``libday_notes`` (where code and paper text differ). ``transfers="identity"`` uses the
    model identity instead of the code's form (US welfare 1.15 instead of the published 1.13).
    """
    if deficits not in DEFICIT_CLOSURES:
        raise InputError(
            f"model.deficits: {deficits!r} is not available in the liberation-day model (its transfers are "
            f"calibrated); use one of {', '.join(DEFICIT_CLOSURES)}",
            field="model.deficits",
        )
    if transfers not in ("published", "identity"):
        raise InputError(f"transfers: {transfers!r}; use 'published' or 'identity'", field="transfers")
    if raw.n_sectors != 1:
        raise InputError(
            f"{raw.name}: the liberation-day model has one sector, the data has {raw.n_sectors}", field="sectors"
        )
    if "gdp" not in raw.extras:
        raise InputError(
            f"{raw.name}: no GDP (extras['gdp']); load the data with tradewar.data.baci.load_baci2023", field="gdp"
        )
    us = raw.region_index(large, "large")
    x = raw.trade[:, :, 0].copy()
    np.fill_diagonal(x, 0.0)
    gdp = np.asarray(raw.extras["gdp"], dtype=np.float64)
    nu_pair = solve_nu(x, gdp, us, targets)
    nu = np.full(raw.n_regions, nu_pair[0])
    nu[us] = nu_pair[1]
    imports = x.sum(axis=1)
    exports_net_of_fixed = ((1 - nu)[:, None] * x).sum(axis=0)  # sum_d (1 - nu_d) X[d, c]
    if transfers == "published":
        transfer = (1 - nu) * (imports - exports_net_of_fixed)
    else:
        transfer = (1 - nu) * imports - exports_net_of_fixed
    expenditure = gdp + transfer
    domestic = np.maximum(expenditure - imports, 0.0)
    clipped = [raw.regions[k] for k in np.nonzero(expenditure - imports < 0)[0]]
    np.fill_diagonal(x, domestic)
    expenditure = x.sum(axis=1)
    income = ((1 - nu)[:, None] * x).sum(axis=0) + nu * expenditure
    notes = [
        f"nu from SG&A/sales targets {targets[0]:g} (non-{large}) / {targets[1]:g} ({large}) as in the authors' code "
        f"(paper text: 0.13 / 0.24): nu = {nu_pair[0]:.4f} / {nu_pair[1]:.4f} (paper reports 0.114 / 0.270)",
        "transfers in the code's form T = (1-nu_i)[M_i - sum_n (1-nu_n) X_in], which the published numbers use "
        "(the model identity, eq. 7, drops the first (1-nu_i) on the export term)"
        if transfers == "published"
        else "transfers from the model identity (eq. 7), not the code's form behind the published tables",
        f"domestic absorption max(E - M, 0): clipped at zero for {', '.join(clipped) or 'none'}",
    ]
    out = replace(
        raw,
        name=raw.name.replace(")", ", liberation-day calibration)")
        if raw.name.endswith(")")
        else raw.name + " (liberation-day calibration)",
        trade=x[:, :, None],
        tariffs=np.zeros_like(raw.tariffs),
        extras={
            **raw.extras,
            "libday_nu": nu,
            "libday_nu_pair": nu_pair,
            "libday_income": income,
            "libday_transfer": expenditure - income,
            "libday_large": large,
            "libday_notes": tuple(notes),
        },
        provenance=raw.provenance + "; calibrated as Ignatenko et al. (2025) App. F (domestic absorption derived)",
    )
    return out.validate()


def is_calibrated(baseline: Baseline) -> bool:
    return "libday_nu" in baseline.extras


def params(
    baseline: Baseline,
    tariff_new: np.ndarray | None = None,
    *,
    rebate: str = "income_tax",
    deficits: str = "share",
    numeraire: str = "world",
    eps: float = EPS,
    theta: np.ndarray | None = None,
    eps_psi: float = EPS_PSI,
    kappa: float = KAPPA,
    phi_tilde: float = PHI_TILDE,
) -> Params:
    """Model parameters from a (calibrated, or raw: then `calibrate`d here) baseline and tariffs
    [importer, exporter, 1] (decimals; baseline tariffs are zero).

    `theta` (shape [1], as scenario files' ``[model.theta]`` give it) overrides `eps`; psi and
    phi follow eps with eps*psi held at `eps_psi`."""
    if theta is not None:
        theta = np.asarray(theta, dtype=np.float64).ravel()
        if theta.shape != (1,):
            raise InputError(
                f"model.theta: {theta.size} values; the liberation-day model has one sector (goods)",
                field="model.theta",
            )
        eps = float(theta[0])
    if rebate not in REBATES:
        raise InputError(f"model.rebate: {rebate!r}; use one of {', '.join(REBATES)}", field="model.rebate")
    if deficits not in DEFICIT_CLOSURES:
        raise InputError(
            f"model.deficits: {deficits!r} is not available in the liberation-day model (transfers are held "
            f"as a share of world GDP, 'share', or fixed, 'fixed')",
            field="model.deficits",
        )
    for name, value in (("eps", eps), ("kappa", kappa), ("eps_psi", eps_psi)):
        if not (np.isfinite(value) and value >= 0) or (name == "eps" and value <= 0):
            raise InputError(
                f"model.{name}: {value!r}; it must be a finite number > 0 (>= 0 for kappa, eps_psi)",
                field=f"model.{name}",
            )
    if not is_calibrated(baseline):
        baseline = calibrate(baseline)
    n = baseline.n_regions
    x = baseline.trade[:, :, 0]
    expenditure = x.sum(axis=1)
    nu = np.asarray(baseline.extras["libday_nu"])
    tariffs = np.zeros((n, n, 1)) if tariff_new is None else np.asarray(tariff_new, dtype=np.float64)
    if tariffs.shape != (n, n, 1):
        raise InputError(
            f"tariffs: shape {tariffs.shape}, expected {(n, n, 1)} [importer, exporter, sector]", field="tariffs"
        )
    w_price, w_wage = np.zeros(n), np.zeros(n)
    if numeraire == "world":
        w_price = expenditure / expenditure.sum()
    else:
        w_wage[baseline.region_index(numeraire, "model.numeraire")] = 1.0
    f = lambda a: jnp.asarray(a, dtype=jnp.float64)
    return Params(
        lam=f(x / expenditure[:, None]),
        tariff_new=f(tariffs),
        expenditure=f(expenditure),
        value_added=f(baseline.extras["libday_income"]),
        transfer=f(baseline.extras["libday_transfer"]),
        nu=f(nu),
        theta=f([eps]),
        eps_psi=f(eps_psi),
        phi_tilde=f(phi_tilde),
        kappa=f(kappa),
        income_tax_relief=f(1.0 if rebate == "income_tax" else 0.0),
        transfer_follows_world=f(1.0 if deficits == "share" else 0.0),
        numeraire_price=f(w_price),
        numeraire_wage=f(w_wage),
    )


# --------------------------------------------------------------------------- equilibrium
def initial_guess(p: Params) -> jax.Array:
    return jnp.zeros(3 * p.expenditure.shape[0])


def _core(z: jax.Array, p: Params) -> dict:
    """Everything at z: eqs. (22)-(25) and the labour supply."""
    n = p.expenditure.shape[0]
    log_w, log_e, log_l = z[:n], z[n : 2 * n], z[2 * n :]
    w_hat, e_hat, l_hat = jnp.exp(log_w), jnp.exp(log_e), jnp.exp(log_l)
    t = p.tariff_new[:, :, 0]
    eps = p.theta[0]
    psi = p.eps_psi / eps
    phi = p.phi_tilde + p.nu / (1 - p.nu) * (1 + psi)  # importer's price-index pass-through
    log_cost = log_w - psi * log_l  # w_hat L_hat^-psi of the exporter
    expo = -eps * log_cost[None, :] - eps * phi[:, None] * jnp.log1p(t)  # [d, o]
    log_s = logsumexp(expo, b=p.lam, axis=1)  # eq. (22) denominator
    lam_new = p.lam * jnp.exp(expo - log_s[:, None])
    e_new = p.expenditure * e_hat
    trade_new = lam_new * e_new[:, None] / (1 + t)  # net of tariffs
    revenue = jnp.sum(lam_new * (t / (1 + t)), axis=1) * e_new
    y_new = p.value_added * w_hat * l_hat
    world_income_hat = jnp.sum(y_new) / jnp.sum(p.value_added)
    transfer_new = p.transfer * (1 + p.transfer_follows_world * (world_income_hat - 1))
    labour_demand = ((1 - p.nu)[:, None] * trade_new).sum(axis=0) + p.nu * trade_new.sum(axis=1)  # eq. (23)
    log_p = (1 - phi) * (log_e - log_w) - log_s / eps  # eq. (24)
    p_hat = jnp.exp(log_p)
    tax = p.income_tax_relief * revenue / y_new  # income-tax rate replaced by tariff revenue
    return {
        "w_hat": w_hat,
        "e_hat": e_hat,
        "l_hat": l_hat,
        "p_hat": p_hat,
        "log_p": log_p,
        "lam_new": lam_new,
        "e_new": e_new,
        "trade_new": trade_new,
        "revenue": revenue,
        "y_new": y_new,
        "transfer_new": transfer_new,
        "labour_demand": labour_demand,
        "tax": tax,
        "log_cost": log_cost,
        "world_income_hat": world_income_hat,
    }


def residual(z: jax.Array, p: Params) -> jax.Array:
    """Labour markets (23), budgets (25) and labour supply, unit-free; zero at the equilibrium."""
    c = _core(z, p)
    n = p.expenditure.shape[0]
    r_labour = (c["labour_demand"] - c["y_new"]) / p.value_added
    numeraire = jnp.vdot(p.numeraire_price, c["p_hat"] - 1) + jnp.vdot(p.numeraire_wage, c["w_hat"] - 1)
    r_labour = r_labour.at[n - 1].set(numeraire)
    r_budget = (c["y_new"] + c["revenue"] + c["transfer_new"] - c["e_new"]) / p.expenditure
    log_tau_hat = -jnp.log1p(-c["tax"])
    r_supply = z[2 * n :] - p.kappa * (log_tau_hat + z[:n] - c["log_p"])
    return jnp.concatenate([r_labour, r_budget, r_supply])


def outcomes(z: jax.Array, p: Params) -> dict[str, jax.Array]:
    """Levels and changes at z (see the module docstring); flows in the baseline's money unit."""
    c = _core(z, p)
    n = p.expenditure.shape[0]
    t = p.tariff_new[:, :, 0]
    off = 1.0 - jnp.eye(n)
    trade_old = p.lam * p.expenditure[:, None]
    trade_new = c["trade_new"]
    delta = p.expenditure / (p.expenditure - p.kappa / (1 + p.kappa) * (1 - c["tax"]) * p.value_added)
    welfare_hat = delta * c["e_hat"] / c["p_hat"] + (1 - delta) * c["w_hat"] * c["l_hat"] / c["p_hat"]
    imports_old, imports_new = (trade_old * off).sum(axis=1), (trade_new * off).sum(axis=1)
    exports_old, exports_new = (trade_old * off).sum(axis=0), (trade_new * off).sum(axis=0)
    deficit_old, deficit_new = imports_old - exports_old, imports_new - exports_new
    world_trade_old = jnp.sum(trade_old * off)
    world_trade_new_gross = jnp.sum(trade_new * (1 + t) * off)
    return {
        "welfare_hat": welfare_hat,
        "wage_hat": c["w_hat"],
        "expenditure_hat": c["e_hat"],
        "employment_hat": c["l_hat"],
        "cpi_hat": c["p_hat"],
        "price_hat": c["p_hat"][:, None],
        "cost_hat": jnp.exp(c["log_cost"])[:, None],
        "real_wage_hat": c["w_hat"] / c["p_hat"],
        "income_old": p.value_added,
        "income_new": c["y_new"],
        "expenditure_old": p.expenditure,
        "expenditure_new": c["e_new"],
        "transfer_old": p.transfer,
        "transfer_new": c["transfer_new"],
        "income_tax_cut": c["tax"],
        "trade_old": trade_old[:, :, None],
        "trade_new": trade_new[:, :, None],
        "output_old": trade_old.sum(axis=0)[:, None],
        "output_new": trade_new.sum(axis=0)[:, None],
        "tariff_revenue_old": jnp.zeros(n),
        "tariff_revenue_new": c["revenue"],
        "exports_old": exports_old,
        "exports_new": exports_new,
        "imports_old": imports_old,
        "imports_new": imports_new,
        "deficit_old": deficit_old,
        "deficit_new": deficit_new,
        # The paper's reported columns (Tables 1-3, 11), as the authors' code computes them.
        "welfare_pct": 100 * (welfare_hat - 1),
        "deficit_change_pct": 100 * (deficit_new - deficit_old) / jnp.abs(deficit_old),
        "exports_gdp_pct": 100 * ((exports_new / c["y_new"]) / (exports_old / p.value_added) - 1),
        "imports_gdp_pct": 100 * ((imports_new / c["y_new"]) / (imports_old / p.value_added) - 1),
        "employment_pct": 100 * (c["l_hat"] - 1),
        "prices_pct": 100 * (c["p_hat"] - 1),
        "revenue_share_of_expenditure": c["revenue"] / p.expenditure,
        "world_trade_to_gdp_pct": 100 * ((world_trade_new_gross / world_trade_old) / c["world_income_hat"] - 1),
        "world_employment_pct": jnp.sum(100 * (c["l_hat"] - 1) * p.value_added) / jnp.sum(p.value_added),
    }


def trade_elasticity(p: Params) -> jax.Array:
    """The trade elasticity eps [1] of the params (one sector)."""
    return p.theta


def region_summary(out: dict) -> dict[str, np.ndarray]:
    """Per-region columns of `Equilibrium.regions()`, in percent (levels where named)."""
    a = lambda k: np.asarray(out[k])
    pct = lambda k: (a(k) - 1) * 100
    return {
        "welfare_pct": a("welfare_pct"),
        "real_wage_pct": pct("real_wage_hat"),
        "wage_pct": pct("wage_hat"),
        "employment_pct": a("employment_pct"),
        "price_index_pct": a("prices_pct"),
        "exports_pct": (a("exports_new") / a("exports_old") - 1) * 100,
        "imports_pct": (a("imports_new") / a("imports_old") - 1) * 100,
        "exports_gdp_pct": a("exports_gdp_pct"),
        "imports_gdp_pct": a("imports_gdp_pct"),
        "deficit_change_pct": a("deficit_change_pct"),
        "tariff_revenue_old": a("tariff_revenue_old"),
        "tariff_revenue_new": a("tariff_revenue_new"),
        "trade_balance_old": -a("deficit_old"),
        "trade_balance_new": -a("deficit_new"),
    }


# ------------------------------------------------------------------------ tariff vectors
def ustr_tariffs(
    baseline: Baseline, *, large: str = "USA", floor: float = 0.10, rates: dict[str, float] | None = None
) -> np.ndarray:
    """The USTR "Liberation Day" tariffs [importer, exporter, 1]: the US charges partner o
    max(floor, us_applied_tariff_libday_o) (App. F.3), everyone else zero.

    As published: MEX 17 % (the paper text says 10 %) and RUS 10 % (0 in the data, floored).
    `rates` overrides partners' rates by ISO3 code (e.g. {"MEX": 0.10} for the text's version).
    """
    if "us_applied_tariff_libday" not in baseline.extras:
        raise InputError(
            f"{baseline.name}: no USTR tariff column; load the data with tradewar.data.baci.load_baci2023",
            field="tariffs",
        )
    n = baseline.n_regions
    us = baseline.region_index(large, "large")
    rate = np.maximum(floor, np.asarray(baseline.extras["us_applied_tariff_libday"], dtype=np.float64))
    for code, value in (rates or {}).items():
        rate[baseline.region_index(code, "rates")] = value
    tariffs = np.zeros((n, n, 1))
    tariffs[us, :, 0] = rate
    tariffs[us, us, 0] = 0.0
    return tariffs


def _supply_elasticity(x: np.ndarray, nu: np.ndarray, k: int, eps: float, denominator: np.ndarray) -> float:
    """Prop. 2's export-supply term of country k: eps sum_{n != k} (1 - nu_n) X[n, k] (1 - lam[n, k])
    / ((1 - nu_k) (denominator - X[k, k])), on [importer, exporter] flows."""
    lam = x / x.sum(axis=1, keepdims=True)
    off = np.arange(x.shape[0]) != k
    num = np.sum(((1 - nu) * x[:, k] * (1 - lam[:, k]))[off])
    return eps * num / ((1 - nu[k]) * (denominator - x[k, k]))


def optimal_us_tariff(
    baseline: Baseline,
    *,
    large: str = "USA",
    denominator: Literal["expenditure", "income"] = "expenditure",
    eps: float = EPS,
    eps_psi: float = EPS_PSI,
) -> float:
    """Prop. 2: t* = 1 / ((1 + E_US) phi_US - 1), uniform on all partners.

    ``denominator="expenditure"`` (E_US - X_US,US) gives 21.8 % and Table 1 case 3;
    ``"income"`` (Y_US - X_US,US) gives 18.5 %, the rate of Table 2 case (3) (the paper text
    says 19 %). It is Prop. 2's formula, not the numerical maximiser of US welfare here.
    """
    b = baseline if is_calibrated(baseline) else calibrate(baseline, large=large)
    x = b.trade[:, :, 0]
    nu = np.asarray(b.extras["libday_nu"])
    k = b.region_index(large, "large")
    den = x.sum(axis=1)[k] if denominator == "expenditure" else np.asarray(b.extras["libday_income"])[k]
    elasticity = _supply_elasticity(x, nu, k, eps, den)
    phi = 1 + nu[k] / (1 - nu[k]) * (1 + eps_psi / eps)
    return float(1 / ((1 + elasticity) * phi - 1))


def optimal_retaliation_rate(
    baseline: Baseline, *, large: str = "USA", eps: float = EPS, eps_psi: float = EPS_PSI
) -> float:
    """The uniform rate every other country charges `large` under optimal retaliation (Table 2):
    Prop. 2 for the rest of the world as one country in the two-region aggregate, with
    Y_RoW - X_RoW,RoW in the denominator (22.7 %)."""
    b = baseline if is_calibrated(baseline) else calibrate(baseline, large=large)
    x = b.trade[:, :, 0]
    k = b.region_index(large, "large")
    agg = np.zeros((2, b.n_regions))
    agg[0] = 1.0
    agg[0, k] = 0.0
    agg[1, k] = 1.0
    xa = agg @ x @ agg.T
    ya = agg @ np.asarray(b.extras["libday_income"])
    nu_pair = np.asarray(b.extras["libday_nu_pair"])
    elasticity = _supply_elasticity(xa, nu_pair, 0, eps, ya[0])
    phi = 1 + nu_pair[0] / (1 - nu_pair[0]) * (1 + eps_psi / eps)
    return float(1 / ((1 + elasticity) * phi - 1))


def uniform_us_tariffs(baseline: Baseline, rate: float, *, large: str = "USA") -> np.ndarray:
    """The US charges every partner `rate`; everyone else zero."""
    n = baseline.n_regions
    k = baseline.region_index(large, "large")
    tariffs = np.zeros((n, n, 1))
    tariffs[k, :, 0] = rate
    tariffs[k, k, 0] = 0.0
    return tariffs


def reciprocal_retaliation(tariffs: np.ndarray, baseline: Baseline, *, large: str = "USA") -> np.ndarray:
    """Every partner charges `large` what `large` charges it (mirror image, floor included)."""
    k = baseline.region_index(large, "large")
    out = np.array(tariffs, dtype=np.float64, copy=True)
    out[:, k, 0] = out[k, :, 0]
    out[k, k, 0] = 0.0
    return out


def uniform_retaliation(tariffs: np.ndarray, baseline: Baseline, rate: float, *, large: str = "USA") -> np.ndarray:
    """Every partner charges `large` the same `rate` (optimal retaliation with
    `optimal_retaliation_rate`); retaliation targets `large` only, no global war."""
    k = baseline.region_index(large, "large")
    out = np.array(tariffs, dtype=np.float64, copy=True)
    out[:, k, 0] = rate
    out[k, k, 0] = 0.0
    return out
