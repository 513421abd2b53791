"""AGTPA ch. 2's Stata procedure (Yotov, Piermartini, Monteiro and Larch 2016) and long data to a
gravity counterfactual (`tradewar gravity simulate`).

- `book_procedure`: AGTPA's Stata loop (``TradeWithoutBorder.do``, ``RTAsEffects.do``) exactly,
  including its stopping rule; it stops after 3 to 5 steps and is *not* an equilibrium. The
  PPML steps with exporter and importer effects and an offset are exact biproportional fits
  (their first-order conditions), computed by `tradewar.models.gravity.biproportional`.
- `baseline_resistances`: the baseline multilateral resistances in the book's normalisation.
- `simulate_long`: a counterfactual from a long table, by the book's loop or by the converged
  equilibrium of `tradewar.models.gravity`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from tradewar.data.long_table import square
from tradewar.errors import InputError, NotConverged
from tradewar.models.gravity import (
    biproportional,
    gravity_baseline,
    params,
    region_summary,
    solve_equilibrium,
)
from tradewar.replicate.gegravity import gegravity_counterfactual, resistances

#: The book's stopping rule: sd and max of the change in factory-gate prices below 0.01.
BOOK_TOL = 0.01


def book_procedure(
    cost_bln: np.ndarray,
    cost_cfl: np.ndarray,
    output: np.ndarray,
    expenditure: np.ndarray,
    *,
    sigma: float,
    reference: int,
    tol: float = BOOK_TOL,
    max_steps: int = 1000,
) -> dict:
    """AGTPA ch. 2's Stata procedure (``TradeWithoutBorder.do`` / ``RTAsEffects.do``, Step I-III).

    `cost_bln` and `cost_cfl` are the cost terms t^(1-sigma) [importer, exporter] before and
    after; `output` Y [i] and `expenditure` E [n] the observed totals (the data's column and row
    sums, so that their totals agree). Stage 0 is the baseline fit, stage 1 the conditional GE
    fit; each later stage s rescales the previous fitted flows by the step changes in prices
    and resistances, refits, sets E_s = phi Y_s, and the loop stops when both the standard
    deviation (over the N x N observations, as Stata's ``summarize``) and the absolute value of
    the *max* (not of the largest absolute value) of the step change in factory-gate prices are
    at most `tol` (0.01). This is the book's rule; the result is not an equilibrium.

    Returns baseline (BLN), conditional (CDL) and full-endowment (FULL) values in the book's
    Stata normalisation: IMR = E / (exp_chi E_R) = P^(1-sigma) (P_ref = 1) and OMR = Y E_R /
    exp_pi = Y Pi^(1-sigma); Xi = international exports; price = p_CFL / p_BLN; plus the
    stopping statistics of every step.
    """
    inv = 1.0 / (1.0 - sigma)
    y, e = np.asarray(output, float), np.asarray(expenditure, float)
    phi = e / y
    n = y.size
    offdiag = ~np.eye(n, dtype=bool)
    exports = lambda x: np.where(offdiag, x, 0.0).sum(axis=0)

    a0, b0, x0 = biproportional(cost_bln, y, e, reference)
    a1, b1, x1 = biproportional(cost_cfl, y, e, reference)
    er0 = e[reference]
    # stage lists: index s holds stage s (0 baseline, 1 conditional)
    pi_ = [a0, a1]
    chi = [b0, b1]
    er = [er0, er0]
    ys = [y, y]
    es = [e, e]
    xs = [x0, x1]
    price = [np.zeros(n), ((a1 / a0) / 1.0) ** inv]  # change_pricei_0 = 0 in the book
    omr = [y * er0 / a0, y * er0 / a1]
    imr = [e / (b0 * er0), e / (b1 * er0)]
    d_omr = [None, np.ones(n)]
    d_imr = [None, np.ones(n)]
    history = []
    s = 3
    sd_dif = max_dif = 1.0
    while sd_dif > tol or max_dif > tol:
        if s - 1 > max_steps:
            raise NotConverged("the book's iterative procedure", float(max(sd_dif, max_dif)), max_steps, tol)
        s1, s2, s3 = s - 1, s - 2, s - 3
        # (ii) trade_{s-1} = tradehat_{s-2} p_i p_j / (OMR_i IMR_j), all step changes
        trade = xs[s2] * price[s2][None, :] * price[s2][:, None] / (d_omr[s2][None, :] * d_imr[s2][:, None])
        # (iii) PPML with offset ln t_CFL: an exact biproportional fit of trade_{s-1}
        a, b, fitted = biproportional(cost_cfl, trade.sum(axis=0), trade.sum(axis=1), reference)
        y_s = fitted.sum(axis=0)
        e_s = phi * y_s
        er_s = e_s[reference]
        pi_.append(a)
        chi.append(b)
        er.append(er_s)
        ys.append(y_s)
        es.append(e_s)
        xs.append(fitted)
        price.append(((a / pi_[s2]) / (er_s / er[s2])) ** inv)
        omr.append(y_s * er_s / a)
        d_omr.append(omr[s1] / omr[s2])
        imr.append(e_s / (b * er_s))
        d_imr.append(imr[s1] / imr[s2])
        dif = np.repeat(price[s2] - price[s3], n)  # one value per exporter-importer row
        sd_dif, max_dif = float(np.std(dif, ddof=1)), float(abs(np.max(dif)))
        history.append({"step": s2, "sd": sd_dif, "max": max_dif})
        s += 1
    last = s - 2
    price_full = ((pi_[last] / pi_[0]) / (er[last] / er[0])) ** inv
    y_full = price_full * y
    e_full = phi * y_full
    omr_full = y_full * er[last] / pi_[last]
    imr_full = es[last] / (chi[last] * er[last])
    x_full = cost_cfl * y_full[None, :] * e_full[:, None] / (imr_full[:, None] * omr_full[None, :])
    p_bln = (e / (b0 * er0)) ** inv
    p_full = imr_full**inv
    return {
        "steps": len(history),
        "history": history,
        "exports_bln": exports(x0),
        "exports_cdl": exports(x1),
        "exports_full": exports(x_full),
        "price_hat": price_full,
        "output_bln": y,
        "output_full": y_full,
        "imr_bln": imr[0],
        "imr_cdl": imr[1],
        "imr_full": imr_full,
        "omr_bln": omr[0],
        "omr_cdl": omr[1],
        "omr_full": omr_full,
        "rgdp_bln": y / p_bln,
        "rgdp_full": y_full / p_full,
        "trade_bln": x0,
        "trade_cdl": x1,
        "trade_full": x_full,
    }


def baseline_resistances(
    cost: np.ndarray, output: np.ndarray, expenditure: np.ndarray, reference: int, *, procedure: str = "book"
) -> dict:
    """Baseline multilateral resistances in the book's Stata normalisation: IMR = P^(1-sigma) with
    P_reference = 1, and OMR = Y Pi^(1-sigma) (Y world output), for every region.

    "book": from the exporter and importer effects of the exact PPML fit (AGTPA ch. 2, Step I.b:
    OMR = Y_i E_R / exp_pi_i, IMR = E_j / (exp_chi_j E_R)); "converged": by solving the system
    (OMR)-(IMR) in JAX (`tradewar.replicate.gegravity.resistances`: residual and converged flag).
    Y and E must have equal totals (the flows' sums); the two agree to solver precision, which the
    tests check.
    """
    y, e = np.asarray(output, float), np.asarray(expenditure, float)
    if procedure == "book":
        a, b, _ = biproportional(cost, y, e, reference)
        er = e[reference]
        return {"imr": e / (b * er), "omr": y * er / a, "converged": None, "max_residual": None, "iterations": None}
    if procedure == "converged":
        imr, omr, res = resistances(cost, y, e, reference)
        return {
            "imr": imr,
            "omr": y.sum() * omr,
            "converged": bool(res.converged),
            "max_residual": float(res.max_residual),
            "iterations": int(res.iterations),
        }
    raise InputError(f"--procedure: {procedure!r}; use book or converged", field="procedure")


def simulate_long(
    data,
    cost_variables: list[str],
    coefficients: dict[str, float],
    *,
    shocks: dict[str, list[tuple[str, str, float]]] | None = None,
    tariffs: list[tuple[str, str, float]] | None = None,
    sigma: float,
    reference: str,
    procedure: Literal["book", "converged", "gegravity"] = "converged",
    deficits: str = "ratio",
    exporter: str = "exporter",
    importer: str = "importer",
    trade: str = "trade",
    output: str = "Y",
    expenditure: str = "E",
) -> dict:
    """A counterfactual from a square long table (one row per exporter-importer pair): a mapping
    of column names to columns, e.g. `tradewar.data.long_table.read_columns`'s or a pandas frame.

    Cost terms t^(1-sigma) = exp(sum_k b_k x_k) from `cost_variables` and `coefficients`;
    `shocks` sets variable values on listed (exporter, importer) pairs, e.g.
    {"pta": [("CAN", "JPN", 1), ("JPN", "CAN", 1)]} ("*" matches every region); `tariffs` lists
    (importer, exporter, rate) (decimals; only with procedure="converged"). The baseline is the
    PPML fit with exporter and importer effects and the baseline costs as offset (the book's tradehat_BLN), Y and E the
    flows' sums. Returns a dict with ``regions`` (code, exports_pct, real_gdp_pct, imr_pct,
    omr_pct, factory_gate_price_pct, welfare_pct) and the solver's diagnostics.
    procedure="gegravity" applies gegravity 0.3's definitions instead
    (`tradewar.replicate.gegravity.gegravity_counterfactual`), with each exporter's output and
    each importer's expenditure taken from the `output` and `expenditure` columns, as it does.
    """

    table = {str(name): np.asarray(data[name]) for name in data}
    for col in [exporter, importer, trade, *cost_variables]:
        if col not in table:
            raise InputError(f"data: column {col!r} not found; columns are {', '.join(table)}", field=col)
    missing = [v for v in cost_variables if v not in coefficients]
    if missing:
        raise InputError(
            f"coefficients: no value for {missing[0]!r}; give --coef {missing[0]}=VALUE or estimate it",
            field="coefficients",
        )
    table["exporter"], table["importer"] = table[exporter], table[importer]
    baseline = {v: _numbers(table, v) for v in cost_variables}
    shocked = dict(baseline)
    codes = {str(c) for c in table["exporter"]} | {str(c) for c in table["importer"]}
    for var, cells in (shocks or {}).items():
        if var not in cost_variables:
            raise InputError(
                f"shock: {var!r} is not a cost variable; use one of {', '.join(cost_variables)}", field="shock"
            )
        for e, m, value in cells:
            for code in (e, m):
                if code != "*" and code not in codes:
                    raise InputError(
                        f"shock: unknown region {code!r}; use codes of the data (e.g. {min(codes)}) or *", field="shock"
                    )
            rows = ((table["exporter"] == e) | (e == "*")) & ((table["importer"] == m) | (m == "*"))
            shocked[var] = np.where(rows, value, shocked[var])
    table["cost_bln"] = np.exp(sum(coefficients[v] * baseline[v] for v in cost_variables))
    table["cost_cfl"] = np.exp(sum(coefficients[v] * shocked[v] for v in cost_variables))
    countries, flows = square(table, trade)
    cost_bln = square(table, "cost_bln", countries)[1]
    cost_cfl = square(table, "cost_cfl", countries)[1]
    if reference not in countries:
        raise InputError(
            f"reference: unknown region {reference!r}; use one of {', '.join(countries)}", field="reference"
        )
    ref = countries.index(reference)
    y, e = flows.sum(axis=0), flows.sum(axis=1)
    n = len(countries)
    tariff_new = np.zeros((n, n))
    for m, x, rate in tariffs or []:
        for code in (m, x):
            if code not in countries:
                raise InputError(f"tariff: unknown region {code!r}; use one of {', '.join(countries)}", field="tariff")
        if not rate > -1:
            raise InputError(
                f"tariff: {m} on {x} is {rate:g}; tariffs are decimals above -1 (0.25 = 25 %)", field="tariff"
            )
        tariff_new[countries.index(m), countries.index(x)] = rate
    inv = 1.0 / (1.0 - sigma)
    if procedure == "book":
        if tariffs:
            raise InputError(
                "--procedure book: the book's loop has no tariffs; use --procedure converged", field="procedure"
            )
        r = book_procedure(cost_bln, cost_cfl, y, e, sigma=sigma, reference=ref)
        cols = {
            "exports_pct": 100 * (r["exports_full"] / r["exports_bln"] - 1),
            "real_gdp_pct": 100 * (r["rgdp_full"] / r["rgdp_bln"] - 1),
            "imr_pct": 100 * ((r["imr_full"] / r["imr_bln"]) ** inv - 1),
            "omr_pct": 100 * ((r["omr_full"] / r["omr_bln"]) ** inv - 1),
            "factory_gate_price_pct": 100 * (r["price_hat"] - 1),
        }
        diag = {"converged": False, "max_residual": None, "iterations": r["steps"], "book_stopping": r["history"]}
    elif procedure == "converged":
        _, _, fitted = biproportional(cost_bln, y, e, ref)
        base = gravity_baseline(countries, fitted, sigma=sigma, name="gravity-simulate")
        p = params(
            base, tariff_new[:, :, None], cost_term_hat=cost_cfl / cost_bln, deficits=deficits, numeraire=reference
        )
        res, out = solve_equilibrium(p, check=False)
        cols = dict(region_summary(out).items())
        diag = {
            "converged": bool(res.converged),
            "max_residual": float(res.max_residual),
            "iterations": int(res.iterations),
        }
    elif procedure == "gegravity":
        if tariffs:
            raise InputError(
                "--procedure gegravity: gegravity's model has no tariffs; use --procedure converged", field="procedure"
            )
        given_y = _per_region(table, output, countries, axis=0, what="output of an exporter")
        given_e = _per_region(table, expenditure, countries, axis=1, what="expenditure of an importer")
        r = gegravity_counterfactual(cost_bln, cost_cfl, given_y, given_e, sigma=sigma, reference=ref)
        keys = ("exports_pct", "imports_pct", "real_gdp_pct", "imr_pct", "omr_pct", "factory_gate_price_pct")
        cols = {k: r[k] for k in (*keys, "terms_of_trade_pct")}
        diag = {k: r[k] for k in ("converged", "max_residual", "iterations")}
    else:
        raise InputError(f"--procedure: {procedure!r}; use book, converged or gegravity", field="procedure")
    regions = [{"code": c, **{k: float(np.asarray(v)[i]) for k, v in cols.items()}} for i, c in enumerate(countries)]
    return {"procedure": procedure, "sigma": sigma, "reference_importer": reference, **diag, "regions": regions}


def _numbers(table: dict, column: str) -> np.ndarray:
    """A column of numbers (float64), or a one-line `InputError` naming it."""
    try:
        return table[column].astype(float)
    except (TypeError, ValueError):
        raise InputError(
            f"data: column {column!r} holds text where a number is needed; give a number in every row", field=column
        ) from None


def _per_region(table: dict, column: str, countries: list[str], *, axis: int, what: str) -> np.ndarray:
    """A per-exporter (axis 0) or per-importer (axis 1) column of a long table, which must hold
    one value per region (gegravity's Y and E)."""
    if column not in table:
        raise InputError(
            f"data: column {column!r} not found; --procedure gegravity takes the {what} from it", field=column
        )
    matrix = square(table, column, countries)[1]  # [importer, exporter]
    values = matrix[0] if axis == 0 else matrix[:, 0]
    spread = matrix - (values[None, :] if axis == 0 else values[:, None])
    if np.any(spread != 0):
        m, x = (int(v[0]) for v in np.nonzero(spread))
        code = countries[x] if axis == 0 else countries[m]
        raise InputError(f"data: column {column!r} differs between rows of {code}; it is the {what}", field=column)
    return values
