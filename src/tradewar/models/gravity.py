r"""One-sector structural gravity in general equilibrium (Anderson and van Wincoop 2003; Yotov,
Piermartini, Monteiro and Larch 2016, "An Advanced Guide to Trade Policy Analysis", ch. 2).

Axis order (tradewar's): bilateral arrays are [importer n, exporter i]; the tariff arrays of the
model protocol carry a trailing sector axis of length 1, [importer, exporter, 1]. A hat is the
ratio of counterfactual to baseline. sigma is the elasticity of substitution (theta = sigma - 1
is the trade elasticity, `Baseline.theta`).

The model in levels (the structural gravity system of AGTPA ch. 2; Larch and Yotov
2016, "General equilibrium trade policy analysis with structural gravity", WTO ERSD-2016-08, whose
eq. (30) is E = phi Y, as gegravity cites it). Labels (G), (OMR), ... are this module's:

    X_ni  = (Y_i E_n / Y) (t_ni / (Pi_i P_n))^(1-sigma)            gravity            (G)
    Pi_i^(1-sigma) = sum_n (t_ni / P_n)^(1-sigma) E_n / Y          outward MR         (OMR)
    P_n^(1-sigma)  = sum_i (t_ni / Pi_i)^(1-sigma) Y_i / Y         inward MR          (IMR)
    p_i = (Y_i / Y)^(1/(1-sigma)) / (gamma_i Pi_i),  Y_i = p_i Q_i  market clearing    (MC)
    E_n = phi_n Y_n                                                 expenditure        (E)

"t_ni^(1-sigma)" is the trade-cost term a PPML gravity regression estimates (exp of the fitted
cost variables); the book, gegravity and this module call it the *cost term*.

Equilibrium in changes (full endowment), with tariffs tau_ni (decimals, on the value at the
border) as well as cost shocks, so this model runs the same tariff scenarios as the others:

    P_hat_n^(1-sigma) = sum_i pi_ni (c_hat_ni p_hat_i)^(1-sigma),   c_hat_ni = t_hat_ni (1+tau'_ni)/(1+tau_ni)
    pi'_ni = pi_ni (c_hat_ni p_hat_i / P_hat_n)^(1-sigma)           (pi: tariff-inclusive expenditure shares)
    X'_ni  = pi'_ni E'_n / (1 + tau'_ni)                            (flows net of tariffs)
    E'_n   = p_hat_n Y_n + R'_n + D'_n,   R'_n = sum_i tau'_ni X'_ni (tariff revenue)
    p_hat_i Y_i = sum_n X'_ni                                       (market clearing, residual)

Unknowns z = log p_hat [N] (factory-gate prices), solved by `tradewar.solver.newton.newton_root`; the
numeraire (one region's IMR, P_hat_ref = 1 as the book's reference importer DEU, or world
output) is added to every market-clearing residual (Walras' law makes one of them redundant).
Deficit closures: "share" (D'_n = D_n Y'_world / Y_world, the default), "fixed" (D'_n = D_n
in numeraire units), "zero", and "ratio" (the book's E_n = phi_n Y_n: D'_n = (D_n/Y_n) Y'_n,
with the world imbalance this leaves spread over regions by output, so that deficits still sum
to zero). Outcomes (gegravity's vocabulary, AGTPA's definitions):

- exports: international exports sum_{n != i} X'_ni (baseline: the model's fitted flows);
- real GDP: Y_n / P_n (the book's rGDP), hat = p_hat_n / P_hat_n; welfare: real expenditure
  E'_n / P'_n (equal to real GDP without deficits and tariffs);
- IMR: P_hat_n (on the power 1/(1-sigma), as the book reports it);
- OMR in Stata's normalisation Y Pi_i^(1-sigma), reported on the power 1/(1-sigma) (for this
  model its hat is p_hat^(sigma/(1-sigma)));
- factory-gate price p_hat_i; terms of trade p_hat_i / P_hat_i (gegravity's definition).

The book's Stata procedure and gegravity's definitions, which reproduce published numbers,
are replication code: `tradewar.replicate.gravity_book` and `tradewar.replicate.gegravity`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError, NotConverged
from tradewar.solver.newton import solve_model

jax.config.update("jax_enable_x64", True)

NAME = "gravity"
DEFICIT_CLOSURES = ("share", "fixed", "zero", "ratio")
#: None: the params hold sigma = theta + 1, so draws of theta cannot replace a field as they are
#: (games under draws rebuild the params through the ``theta`` option).
ELASTICITY_FIELD = None


# ------------------------------------------------------------------------------ baselines
def gravity_baseline(
    regions: list[str] | tuple[str, ...],
    flows: np.ndarray,
    *,
    sigma: float,
    tariffs: np.ndarray | None = None,
    name: str = "gravity",
    provenance: str = "",
) -> Baseline:
    """A one-sector `Baseline` from a square [importer, exporter] flow matrix (net of tariffs).

    Gross output is the column sum (the exporter's sales), expenditure the tariff-inclusive row
    sum; deficits are their difference. sigma sets theta = sigma - 1.
    """
    flows = np.asarray(flows, dtype=np.float64)
    n = len(regions)
    if flows.shape != (n, n):
        raise InputError(f"flows: shape {flows.shape}, expected ({n}, {n}) [importer, exporter]", field="flows")
    if not sigma > 1:
        raise InputError(f"sigma: {sigma:g}; the elasticity of substitution must be > 1", field="sigma")
    tariffs = np.zeros((n, n)) if tariffs is None else np.asarray(tariffs, dtype=np.float64).reshape(n, n)
    return Baseline(
        name=name,
        regions=tuple(regions),
        sectors=("TOT",),
        trade=flows[:, :, None],
        tariffs=tariffs[:, :, None],
        va_share=np.ones((n, 1)),
        io_share=np.zeros((n, 1, 1)),
        final_share=np.ones((n, 1)),
        theta=np.array([sigma - 1.0]),
        sector_names=("All goods",),
        provenance=provenance,
    ).validate()


def _one_sector(baseline: Baseline) -> None:
    if baseline.n_sectors != 1:
        raise InputError(
            f"dataset: {baseline.name} has {baseline.n_sectors} sectors; the gravity model is one-sector. "
            "Collapse it with tradewar.models.gravity.one_sector(baseline, tariffs) "
            "or use a multi-sector model (caliendo-parro)",
            field="model.name",
        )


def one_sector(baseline: Baseline, tariffs: np.ndarray | None = None, *, sigma: float | None = None):
    """Collapse a multi-sector baseline (and counterfactual tariffs [n, i, j]) to one sector.

    Flows are summed over sectors; baseline and counterfactual tariffs become averages weighted
    by baseline flows (so that baseline tariff revenue is preserved); sigma defaults to 1 plus
    the flow-weighted mean of the sectors' theta. Returns (baseline, tariffs [n, i, 1]).
    """
    flows = baseline.trade.sum(axis=2)
    weights = np.where(
        flows[:, :, None] > 0, baseline.trade / np.where(flows > 0, flows, 1.0)[:, :, None], 1.0 / baseline.n_sectors
    )
    average = lambda t: (weights * t).sum(axis=2)
    if sigma is None:
        sigma = 1.0 + float((baseline.trade.sum(axis=(0, 1)) * baseline.theta).sum() / baseline.trade.sum())
    collapsed = gravity_baseline(
        baseline.regions,
        flows,
        sigma=sigma,
        tariffs=average(baseline.tariffs),
        name=f"{baseline.name} (one sector)",
        provenance=baseline.provenance + "; collapsed to one sector (flows summed, tariffs flow-weighted)",
    )
    new = None if tariffs is None else average(np.asarray(tariffs, dtype=np.float64))[:, :, None]
    return collapsed, new


# ----------------------------------------------------------------------- model protocol
class Params(NamedTuple):
    """Baseline arrays and the policy, as a JAX pytree (float64)."""

    pi: jax.Array  # [n, i] tariff-inclusive expenditure shares
    tariff: jax.Array  # [n, i, 1] baseline (the protocol's [importer, exporter, sector] layout)
    tariff_new: jax.Array  # [n, i, 1] counterfactual (the games layer replaces it)
    log_cost_hat: jax.Array  # [n, i] log of the change in the cost term t^(1-sigma)
    output: jax.Array  # [i] Y
    expenditure: jax.Array  # [n] E (tariff-inclusive)
    deficit: jax.Array  # [n] D = E - Y - R
    sigma: jax.Array  # scalar
    closure: jax.Array  # [4] one-hot over DEFICIT_CLOSURES
    numeraire_imr: jax.Array  # [n] weights on log P_hat (reference importer)
    numeraire_world: jax.Array  # scalar 1.0: world output is the numeraire


def params(
    baseline: Baseline,
    tariff_new: np.ndarray | None = None,
    *,
    sigma: float | None = None,
    trade_cost_hat: np.ndarray | None = None,
    cost_term_hat: np.ndarray | None = None,
    deficits: str = "share",
    numeraire: str = "world",
    theta: np.ndarray | None = None,
    export_taxes: np.ndarray | None = None,
    export_limits: np.ndarray | None = None,
) -> Params:
    """Model parameters from a one-sector baseline and a policy.

    `tariff_new` [importer, exporter, 1] (decimals); `trade_cost_hat` is the change in iceberg
    costs t (as in the other models), `cost_term_hat` the change in the cost term t^(1-sigma)
    (the book's and gegravity's tij); both [importer, exporter] or [..., 1], and they multiply.
    `numeraire` is "world" (world output at baseline value) or a region code whose inward
    resistance stays 1 (the book's reference importer). sigma defaults to 1 + theta (the
    scenario's override, else the baseline's). Multi-sector data: collapse with `one_sector`.
    """
    _one_sector(baseline)
    n = baseline.n_regions
    if (export_taxes is not None and np.any(np.asarray(export_taxes) != 0)) or (
        export_limits is not None and np.any(np.isfinite(np.asarray(export_limits, dtype=float)))
    ):
        raise InputError(
            "policy: the gravity model has import tariffs and trade-cost shocks only; for export taxes or "
            "export limits use model caliendo-parro",
            field="steps",
        )
    if sigma is None and theta is not None:
        sigma = 1.0 + float(np.asarray(theta, dtype=float).reshape(-1)[0])
    if deficits not in DEFICIT_CLOSURES:
        raise InputError(
            f"model.deficits: {deficits!r}; use one of {', '.join(DEFICIT_CLOSURES)}", field="model.deficits"
        )
    sigma = float(1.0 + baseline.theta[0]) if sigma is None else float(sigma)
    if not sigma > 1:
        raise InputError(f"sigma: {sigma:g}; the elasticity of substitution must be > 1", field="sigma")
    weights = np.zeros(n)
    world = 1.0
    if numeraire != "world":
        weights[baseline.region_index(numeraire, "numeraire")] = 1.0
        world = 0.0
    log_cost = np.zeros((n, n))
    for arr, label, power in ((trade_cost_hat, "trade_cost_hat", 1 - sigma), (cost_term_hat, "cost_term_hat", 1.0)):
        if arr is None:
            continue
        a = np.asarray(arr, dtype=np.float64).reshape(n, n)
        if not np.all(np.isfinite(a)) or np.any(a <= 0):
            m, x = (int(v[0]) for v in np.nonzero(~np.isfinite(a) | (a <= 0)))
            raise InputError(
                f"{label}: {a[m, x]:g} for exporter {baseline.regions[x]} -> importer {baseline.regions[m]}; "
                "changes in trade costs must be finite and > 0",
                field=label,
            )
        log_cost += power * np.log(a)
    output = baseline.gross_output[:, 0]
    if np.any(output <= 0):
        k = int(np.nonzero(output <= 0)[0][0])
        raise InputError(
            f"dataset: {baseline.regions[k]} sells nothing (gross output {output[k]:g}); the gravity model needs "
            "positive output in every region; drop or aggregate that region",
            field="trade",
        )
    tariff = baseline.tariffs[:, :, 0]
    tnew = tariff if tariff_new is None else np.asarray(tariff_new, dtype=np.float64).reshape(n, n)
    closure = np.zeros(len(DEFICIT_CLOSURES))
    closure[DEFICIT_CLOSURES.index(deficits)] = 1.0
    as_j = lambda a: jnp.asarray(a, dtype=jnp.float64)
    return Params(
        pi=as_j(baseline.expenditure_shares[:, :, 0]),
        tariff=as_j(tariff[:, :, None]),
        tariff_new=as_j(tnew[:, :, None]),
        log_cost_hat=as_j(log_cost),
        output=as_j(baseline.gross_output[:, 0]),
        expenditure=as_j(baseline.expenditure[:, 0]),
        deficit=as_j(baseline.deficit),
        sigma=as_j(sigma),
        closure=as_j(closure),
        numeraire_imr=as_j(weights),
        numeraire_world=as_j(world),
    )


def initial_guess(p: Params) -> jax.Array:
    return jnp.zeros_like(p.output)


def _tariffs(p: Params):
    """Baseline and counterfactual tariffs as [n, i] (the pytree holds them as [n, i, 1])."""
    return p.tariff[:, :, 0], p.tariff_new[:, :, 0]


def _core(z: jax.Array, p: Params) -> dict:
    """Prices, shares, flows, expenditure and the market-clearing gap at log p_hat = z."""
    one_minus = 1.0 - p.sigma
    tariff, tariff_new = _tariffs(p)
    p_hat = jnp.exp(z)
    log_c = p.log_cost_hat / one_minus + jnp.log1p(tariff_new) - jnp.log1p(tariff)  # log c_hat [n, i]
    exponent = one_minus * (log_c + z[None, :])
    log_p_index = logsumexp(exponent, b=p.pi, axis=1) / one_minus  # log P_hat [n]
    pi_new = p.pi * jnp.exp(exponent - one_minus * log_p_index[:, None])
    y_new = p_hat * p.output
    world_hat = jnp.sum(y_new) / jnp.sum(p.output)
    ratio = p.deficit / p.output * y_new
    ratio = ratio - y_new / jnp.sum(y_new) * jnp.sum(ratio)
    share, fixed, _zero, as_ratio = p.closure
    deficit_new = share * p.deficit * world_hat + fixed * p.deficit + as_ratio * ratio
    net = jnp.sum(pi_new / (1 + tariff_new), axis=1)  # share of spending that reaches producers
    e_new = (y_new + deficit_new) / net
    flows = pi_new * e_new[:, None] / (1 + tariff_new)
    revenue = jnp.sum(tariff_new * flows, axis=1)
    return {
        "p_hat": p_hat,
        "log_p_index": log_p_index,
        "pi_new": pi_new,
        "flows": flows,
        "output_new": y_new,
        "expenditure_new": e_new,
        "deficit_new": deficit_new,
        "revenue_new": revenue,
        "world_hat": world_hat,
    }


def residual(z: jax.Array, p: Params) -> jax.Array:
    """Market clearing (MC) in changes, unit-free, plus the numeraire condition."""
    c = _core(z, p)
    excess = (jnp.sum(c["flows"], axis=0) - c["output_new"]) / p.output
    normalisation = jnp.vdot(p.numeraire_imr, c["log_p_index"]) + p.numeraire_world * (c["world_hat"] - 1.0)
    return excess + normalisation


def outcomes(z: jax.Array, p: Params) -> dict[str, jax.Array]:
    """Levels and changes at the solution z (see the module docstring)."""
    c = _core(z, p)
    p_hat = c["p_hat"]
    p_index_hat = jnp.exp(c["log_p_index"])
    tariff, tariff_new = _tariffs(p)
    trade_old = p.pi * p.expenditure[:, None] / (1 + tariff)
    trade_new = c["flows"]
    revenue_old = jnp.sum(tariff * trade_old, axis=1)
    domestic = lambda t: jnp.diagonal(t)
    exports_old = jnp.sum(trade_old, axis=0) - domestic(trade_old)
    exports_new = jnp.sum(trade_new, axis=0) - domestic(trade_new)
    imports_old = jnp.sum(trade_old, axis=1) - domestic(trade_old)
    imports_new = jnp.sum(trade_new, axis=1) - domestic(trade_new)
    # Stata's OMR, Y Pi^(1-sigma) = sum_n (t (1+tau) / P_n)^(1-sigma) E_n / (1+tau), in changes
    one_minus = 1.0 - p.sigma
    sales_share = trade_old / p.output[None, :]
    log_c = p.log_cost_hat / one_minus + jnp.log1p(tariff_new) - jnp.log1p(tariff)
    omr_term = jnp.exp(one_minus * (log_c - c["log_p_index"][:, None])) * ((1 + tariff) / (1 + tariff_new))
    omr_hat = jnp.sum(sales_share * omr_term * (c["expenditure_new"] / p.expenditure)[:, None], axis=0)
    real_gdp_hat = p_hat / p_index_hat
    return {
        "price_hat": p_hat,
        "imr_hat": p_index_hat,
        "omr_hat": omr_hat ** (1.0 / one_minus),
        "cpi_hat": p_index_hat,
        "real_gdp_hat": real_gdp_hat,
        "real_wage_hat": real_gdp_hat,
        "terms_of_trade_hat": real_gdp_hat,
        "welfare_hat": c["expenditure_new"] / p.expenditure / p_index_hat,
        "trade_old": trade_old[:, :, None],
        "trade_new": trade_new[:, :, None],
        "exports_old": exports_old,
        "exports_new": exports_new,
        "imports_old": imports_old,
        "imports_new": imports_new,
        "output_old": p.output[:, None],
        "output_new": c["output_new"][:, None],
        "expenditure_old": p.expenditure,
        "expenditure_new": c["expenditure_new"],
        "tariff_revenue_old": revenue_old,
        "tariff_revenue_new": c["revenue_new"],
        "deficit_old": p.deficit,
        "deficit_new": c["deficit_new"],
        # sector-detail entries read by `Equilibrium.sectors()` ([n, 1])
        "cost_hat": p_hat[:, None],
    }


def trade_elasticity(p: Params) -> jax.Array:
    """The trade elasticity theta = sigma - 1 [1] of the params (one sector)."""
    return jnp.reshape(p.sigma - 1, (1,))


def calibrate(raw: Baseline, *, deficits: str) -> Baseline:
    """The gravity model takes the data as its baseline equilibrium and has no calibration step:
    its ``deficits`` option is the counterfactual closure. Raises a one-line `InputError`."""
    raise InputError(
        f"model.deficits: the gravity model cannot purge the data's trade imbalances ({deficits!r} on "
        f'{raw.name}); use a balanced dataset, or deficits = "share", "fixed" or "ratio"',
        field="model.deficits",
    )


def region_summary(out: dict) -> dict[str, np.ndarray]:
    """Per-region columns of `Equilibrium.regions()`, in percent (levels where named)."""
    pct = lambda hat: (np.asarray(hat) - 1) * 100
    change = lambda new, old: pct(np.asarray(out[new]) / np.asarray(out[old]))
    return {
        "welfare_pct": pct(out["welfare_hat"]),
        "real_gdp_pct": pct(out["real_gdp_hat"]),
        "real_wage_pct": pct(out["real_wage_hat"]),
        "exports_pct": change("exports_new", "exports_old"),
        "imports_pct": change("imports_new", "imports_old"),
        "imr_pct": pct(out["imr_hat"]),
        "omr_pct": pct(out["omr_hat"]),
        "factory_gate_price_pct": pct(out["price_hat"]),
        "terms_of_trade_pct": pct(out["terms_of_trade_hat"]),
        "tariff_revenue_old": np.asarray(out["tariff_revenue_old"]),
        "tariff_revenue_new": np.asarray(out["tariff_revenue_new"]),
        "trade_balance_old": -np.asarray(out["deficit_old"]),
        "trade_balance_new": -np.asarray(out["deficit_new"]),
    }


def solve_equilibrium(p: Params, *, tol: float = 1e-12, max_iter: int = 60, check: bool = True):
    """Solve the full-endowment equilibrium; returns (RootResult, outcomes as numpy arrays).

    Raises `NotConverged` unless ``check=False`` (the result then carries converged=False).
    """
    res, out = solve_model(residual, initial_guess, outcomes, p, tol=tol, max_iter=max_iter)
    if check and not bool(res.converged):
        raise NotConverged("gravity equilibrium", float(res.max_residual), int(res.iterations), tol)
    return res, {k: np.asarray(v) for k, v in out.items()}


# ------------------------------------------------------------------ conditional GE (PPML)
def biproportional(
    cost: np.ndarray,
    output: np.ndarray,
    expenditure: np.ndarray,
    reference: int,
    *,
    tol: float = 1e-14,
    max_iter: int = 100_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact PPML fit of structural gravity with exporter and importer effects and an offset.

    Finds exporter effects a_i and importer effects b_n with b_reference = 1 such that
    X_ni = b_n a_i cost_ni has column sums `output` (exporters) and row sums `expenditure`
    (importers): these are the first-order conditions of PPML with those fixed effects and
    log(cost) as offset (Fally 2015), i.e. the fitted values Stata's ``ppml ..., offset()``
    returns. In the book's notation exp_pi = a, exp_chi = b. Returns (a, b, X) [X: importer,
    exporter]. Iterative proportional fitting; raises `NotConverged` if it stalls.
    """
    cost = np.asarray(cost, dtype=np.float64)
    total_y, total_e = output.sum(), expenditure.sum()
    if abs(total_y - total_e) > 1e-9 * total_y:
        raise InputError(
            f"output and expenditure add up to {total_y:.10g} and {total_e:.10g}; a PPML fit with exporter "
            "and importer effects needs equal totals",
            field="expenditure",
        )
    b = np.ones(cost.shape[0])
    gap = np.inf
    for _ in range(max_iter):
        a = output / (cost.T @ b)
        b = expenditure / (cost @ a)
        gap = np.max(np.abs((cost.T @ b) * a / output - 1))
        if gap < tol:
            break
    else:
        raise NotConverged("biproportional (PPML) fit", float(gap), max_iter, tol)
    a, b = a * b[reference], b / b[reference]
    return a, b, b[:, None] * a[None, :] * cost


def conditional_ge(
    cost_bln: np.ndarray,
    cost_cfl: np.ndarray,
    output: np.ndarray,
    expenditure: np.ndarray,
    *,
    sigma: float,
    reference: int,
) -> dict:
    """Conditional general equilibrium (Y and E fixed; AGTPA ch. 2, Step III.a): the exact
    PPML fits of the baseline and counterfactual cost terms to the same Y and E.

    Returns CDL/BLN ratios of international exports, of the IMR (P, P_ref = 1) and of Stata's
    OMR (Y Pi^(1-sigma)) on the power 1/(1-sigma), as the book reports them, and both fits.
    """
    inv = 1.0 / (1.0 - sigma)
    a0, b0, x0 = biproportional(cost_bln, output, expenditure, reference)
    a1, b1, x1 = biproportional(cost_cfl, output, expenditure, reference)
    off = ~np.eye(output.size, dtype=bool)
    return {
        "exports": np.where(off, x1, 0).sum(axis=0) / np.where(off, x0, 0).sum(axis=0),
        "imr": (b0 / b1) ** inv,  # IMR = E / (exp_chi E_R)
        "omr": (a0 / a1) ** inv,  # OMR = Y E_R / exp_pi
        "trade_bln": x0,
        "trade_cdl": x1,
    }
