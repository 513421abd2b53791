"""Yotov, Piermartini, Monteiro and Larch (2016), "An Advanced Guide to Trade Policy Analysis:
The Structural Gravity Model" (WTO/UNCTAD), chapter 2, applications 1 and 2.

- Application 1, "trade without borders" (``TradeWithoutBorder.do``): 69 countries, 2006,
  PPML with exporter and importer effects, ln DIST, CNTG and INTL_BRDR; counterfactual
  INTL_BRDR -> 0; sigma = 7, reference importer DEU.
- Application 2, NAFTA (``RTAsEffects.do``): two-stage trade costs (stage 1: PPML of trade on
  symmetric pair effects with one common domestic effect, exporter-year and importer-year
  effects and RTA, years 1986, 1990, ..., 2006; stage 2: PPML of exp(pair effect) on ln DIST,
  CNTG, LANG, CLNY with exporter and importer effects in 1994, filling the pairs without
  trade); baseline 1994, counterfactual RTA -> 0 on the six CAN/MEX/USA flows.

Computed values come from `tradewar.data.estimation.ppml` and `tradewar.models.gravity`; the book's
published Stata outputs (``../shared/data/yotov/results``) are set beside them, never used.
The NAFTA table reports the effect *of* NAFTA with the book's reversed convention:
(BLN - CFL) / CFL x 100, and the price column (1 - p_CFL / p_BLN) x 100 (``RTAsEffects.do``);
application 1 reports (CFL - BLN) / BLN x 100.

``procedure="book"`` runs the book's Stata loop with its stopping rule (3 steps for NAFTA, 5 for
the borders); ``procedure="converged"`` solves the full-endowment equilibrium of the same model
from the same baseline with Newton's method (`gravity.solve_equilibrium`), with the book's
assumptions: E_n = phi_n Y_n (deficit closure "ratio"), P_DEU = 1. Why they differ: the book's
loop updates prices with first-order step changes and stops at a loose rule (sd and max of the
step change in prices <= 0.01), long before its changes vanish, and the loop's limit is not the
model's equilibrium anyway: its flows do not satisfy E_n = phi_n Y_n (their column sums drift
from phi Y by up to 5 % in application 1), and its outcome depends on the path (any
biproportional flow matrix is a resting point). For NAFTA the loop, run past its rule,
oscillates. See docs/notes/gravity.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.data import yotov
from tradewar.data.estimation import GravityFit, gravity_panel, ppml
from tradewar.data.long_table import square
from tradewar.data.registry import default_data_path
from tradewar.errors import InputError
from tradewar.models import gravity
from tradewar.replicate import gravity_book

PROCEDURES = ("book", "converged")
NAFTA = ("CAN", "MEX", "USA")
NAFTA_YEARS = [1986, 1990, 1994, 1998, 2002, 2006]
#: Headline numbers of the book's tables (README of ../shared/data/yotov, from the Stata logs),
#: used only in the text output; tests compare with the full result files.
OUTPUT_KEYS = (
    "exports_pct",
    "real_gdp_pct",
    "imr_pct",
    "omr_pct",
    "factory_gate_price_pct",
    "exports_cdl_pct",
    "imr_cdl_pct",
    "omr_cdl_pct",
)
PUBLISHED_COLUMNS = {
    "exports_pct": "change_Xi_FULL",
    "real_gdp_pct": "change_rGDP_FULL",
    "imr_pct": "change_IMR_FULL",
    "omr_pct": "change_OMR_FULL",
    "factory_gate_price_pct": "change_price_FULL",
    "exports_cdl_pct": "change_Xi_CDL",
    "imr_cdl_pct": "change_IMR_CDL",
    "omr_cdl_pct": "change_OMR_CDL",
}


@dataclass(frozen=True, eq=False)
class Experiment:
    """Inputs of one application: square [importer, exporter] arrays in `countries` order."""

    name: str
    title: str
    countries: list[str]
    trade: np.ndarray
    cost_bln: np.ndarray
    cost_cfl: np.ndarray
    sigma: float
    reference: str
    reversed_sign: bool
    fits: dict[str, GravityFit] = field(default_factory=dict)

    @property
    def output(self) -> np.ndarray:
        return self.trade.sum(axis=0)

    @property
    def expenditure(self) -> np.ndarray:
        return self.trade.sum(axis=1)


def _key(data) -> str:
    """Cache key: the resolved data folder (the default one when none is given)."""
    if data is None:
        data = default_data_path("yotov")
    return str(Path(data).resolve())


@lru_cache(maxsize=4)
def _borders(key: str) -> Experiment:
    df = yotov.load_borders_2006(key or None)
    fit = ppml(df, "trade", ["ln_dist", "cntg", "intl_brdr"], fixed_effects=("exporter", "importer"))
    b = fit.coefficients
    geography = b["ln_dist"] * df["ln_dist"] + b["cntg"] * df["cntg"]
    df = df.assign(cost_bln=np.exp(geography + b["intl_brdr"] * df["intl_brdr"]), cost_cfl=np.exp(geography))
    countries, trade = square(df, "trade")
    return Experiment(
        name="borders",
        title="AGTPA ch. 2, application 1: trade without borders (2006, sigma = 7)",
        countries=countries,
        trade=trade,
        cost_bln=square(df, "cost_bln", countries)[1],
        cost_cfl=square(df, "cost_cfl", countries)[1],
        sigma=yotov.SIGMA,
        reference=yotov.REFERENCE,
        reversed_sign=False,
        fits={"baseline": fit},
    )


def pair_effects(panel: pd.DataFrame, fit: GravityFit, year: int, term: str = "rta") -> pd.Series:
    """Symmetric pair effects relative to the common domestic effect, from the fitted means.

    With exporter-year (e), importer-year (m) and symmetric pair effects g and a common domestic
    effect g_D, log mu_ijt + log mu_jit - log mu_iit - log mu_jjt = 2 (g_ij - g_D) + b (rta_ijt +
    rta_jit): the pair effect net of the domestic one, i.e. the book's _b[PAIR_FE] (the domestic
    dummy is the omitted one), without depending on how the solver normalised the effects.
    Pairs whose fitted values are missing (dropped for separation) get NaN.
    """
    d = panel[panel["year"] == year]
    log_mu = pd.Series(
        np.log(fit.fitted.loc[d.index].to_numpy()), index=pd.MultiIndex.from_arrays([d["exporter"], d["importer"]])
    )
    own = {e: log_mu.get((e, e), np.nan) for e in d["exporter"].unique()}
    rta = pd.Series(d[term].to_numpy(), index=log_mu.index)
    back = log_mu.reindex(pd.MultiIndex.from_arrays([d["importer"], d["exporter"]])).to_numpy()
    gamma = (log_mu.to_numpy() + back - d["exporter"].map(own).to_numpy() - d["importer"].map(own).to_numpy()) / 2
    gamma = gamma - fit.coefficients[term] * rta.to_numpy()
    gamma[(d["exporter"] == d["importer"]).to_numpy()] = 0.0
    return pd.Series(gamma, index=log_mu.index)


@lru_cache(maxsize=4)
def _nafta(key: str) -> Experiment:
    panel = yotov.load_panel(key or None, years=NAFTA_YEARS)
    panel = gravity_panel(panel, pair="symmetric", common_domestic_pair=True)
    stage1 = ppml(panel, "trade", ["rta"], fixed_effects=("pair", "exp_time", "imp_time"))
    b_rta = float(stage1.coefficients["rta"])
    d = panel[panel["year"] == 1994].copy()
    d["gamma"] = pair_effects(panel, stage1, 1994).to_numpy()
    d["tij"] = np.exp(d["gamma"])
    intl = d[d["exporter"] != d["importer"]]
    stage2 = ppml(
        intl,
        "tij",
        ["ln_dist", "cntg", "lang", "clny"],
        fixed_effects=("exporter", "importer"),
        vcov={"CRV1": "pair_id"},
        recover_fixed_effects=True,
    )
    fe_e, fe_m = stage2.fixed_effects["exporter"], stage2.fixed_effects["importer"]
    c2 = stage2.coefficients
    link = (
        c2["ln_dist"] * d["ln_dist"]
        + c2["cntg"] * d["cntg"]
        + c2["lang"] * d["lang"]
        + c2["clny"] * d["clny"]
        + d["exporter"].map(fe_e)
        + d["importer"].map(fe_m)
    )
    no_rta = np.where(d["exporter"] == d["importer"], 1.0, np.exp(link))
    filled = d["tij"].isna()
    d["tij_bar"] = np.where(filled, no_rta, d["tij"])
    nafta_pair = d["exporter"].isin(NAFTA) & d["importer"].isin(NAFTA) & (d["exporter"] != d["importer"])
    d["cost_bln"] = d["tij_bar"] * np.exp(b_rta * d["rta"])
    d["cost_cfl"] = d["tij_bar"] * np.exp(b_rta * np.where(nafta_pair, 0, d["rta"]))
    countries, trade = square(d, "trade")
    return Experiment(
        name="nafta",
        title="AGTPA ch. 2, application 2: the effects of NAFTA (1994, sigma = 7)",
        countries=countries,
        trade=trade,
        cost_bln=square(d, "cost_bln", countries)[1],
        cost_cfl=square(d, "cost_cfl", countries)[1],
        sigma=yotov.SIGMA,
        reference=yotov.REFERENCE,
        reversed_sign=True,
        fits={"stage1": stage1, "stage2": stage2},
    )


def experiment(name: str, data=None) -> Experiment:
    """The inputs of application "nafta" or "borders" (estimated once per data folder)."""
    if name == "nafta":
        return _nafta(_key(data))
    if name == "borders":
        return _borders(_key(data))
    raise InputError(f"experiment: {name!r}; use nafta or borders", field="experiment")


def _changes(ratio: np.ndarray, reversed_sign: bool) -> np.ndarray:
    """CFL/BLN ratios as the table's percent changes (reversed: the effect of the policy)."""
    return 100 * (1 / ratio - 1) if reversed_sign else 100 * (ratio - 1)


def _price(ratio: np.ndarray, reversed_sign: bool) -> np.ndarray:
    return 100 * (1 - ratio) if reversed_sign else 100 * (ratio - 1)


def book_ratios(exp: Experiment) -> tuple[dict[str, np.ndarray], dict]:
    """CFL/BLN ratios of the book's procedure, and its stopping diagnostics."""
    ref = exp.countries.index(exp.reference)
    r = gravity_book.book_procedure(
        exp.cost_bln, exp.cost_cfl, exp.output, exp.expenditure, sigma=exp.sigma, reference=ref
    )
    inv = 1 / (1 - exp.sigma)
    ratios = {
        "exports": r["exports_full"] / r["exports_bln"],
        "exports_cdl": r["exports_cdl"] / r["exports_bln"],
        "real_gdp": r["rgdp_full"] / r["rgdp_bln"],
        "imr": (r["imr_full"] / r["imr_bln"]) ** inv,
        "omr": (r["omr_full"] / r["omr_bln"]) ** inv,
        "price": r["price_hat"],
        "imr_cdl": (r["imr_cdl"] / r["imr_bln"]) ** inv,
        "omr_cdl": (r["omr_cdl"] / r["omr_bln"]) ** inv,
    }
    return ratios, {
        "steps": r["steps"],
        "history": r["history"],
        "trade_bln": r["trade_bln"],
        "exports_bln": r["exports_bln"],
    }


def converged_ratios(
    exp: Experiment, *, deficits: str = "ratio", tol: float = 1e-12
) -> tuple[dict[str, np.ndarray], dict]:
    """CFL/BLN ratios of the full-endowment equilibrium (Newton), from the book's fitted baseline."""
    ref = exp.countries.index(exp.reference)
    cdl = gravity.conditional_ge(
        exp.cost_bln, exp.cost_cfl, exp.output, exp.expenditure, sigma=exp.sigma, reference=ref
    )
    base = gravity.gravity_baseline(exp.countries, cdl["trade_bln"], sigma=exp.sigma, name=f"agtpa-{exp.name}")
    p = gravity.params(base, cost_term_hat=exp.cost_cfl / exp.cost_bln, deficits=deficits, numeraire=exp.reference)
    res, out = gravity.solve_equilibrium(p, tol=tol, check=False)
    ratios = {
        "exports": out["exports_new"] / out["exports_old"],
        "exports_cdl": cdl["exports"],
        "imr_cdl": cdl["imr"],
        "omr_cdl": cdl["omr"],
        "real_gdp": out["real_gdp_hat"],
        "imr": out["imr_hat"],
        "omr": out["omr_hat"],
        "price": out["price_hat"],
    }
    diag = {
        "converged": bool(res.converged),
        "max_residual": float(res.max_residual),
        "iterations": int(res.iterations),
    }
    return ratios, diag


def _as_table(ratios: dict, reversed_sign: bool) -> dict[str, np.ndarray]:
    return {
        "exports_pct": _changes(ratios["exports"], reversed_sign),
        "exports_cdl_pct": _changes(ratios["exports_cdl"], reversed_sign),
        "real_gdp_pct": _changes(ratios["real_gdp"], reversed_sign),
        "imr_pct": _changes(ratios["imr"], reversed_sign),
        "omr_pct": _changes(ratios["omr"], reversed_sign),
        "factory_gate_price_pct": _price(ratios["price"], reversed_sign),
        "imr_cdl_pct": _changes(ratios["imr_cdl"], reversed_sign),
        "omr_cdl_pct": _changes(ratios["omr_cdl"], reversed_sign),
    }


def replicate(name: str, data=None, *, procedure: str = "book") -> dict:
    """Run application `name` ("nafta" or "borders") with `procedure` ("book" or "converged").

    Returns one JSON-able dict: ``regions`` (one object per country, ``code`` ISO3 and the
    OUTPUT_KEYS, ``published`` (the book's Stata values) and, for "converged", ``book`` (our
    book procedure) beside them), the estimates with dropped/separated counts, the
    solver's diagnostics (``converged``, ``max_residual``; the book's loop reports its steps and
    ``converged: false`` since it stops before an equilibrium) and notes.
    """
    if procedure not in PROCEDURES:
        raise InputError(f"--procedure: {procedure!r}; use book or converged", field="procedure")
    exp = experiment(name, data)
    folder = data if data is not None else None
    published = yotov.load_published(name, folder)
    book, book_diag = book_ratios(exp)
    book_table = _as_table(book, exp.reversed_sign)
    result: dict = {
        "title": exp.title,
        "experiment": name,
        "procedure": procedure,
        "sigma": exp.sigma,
        "reference_importer": exp.reference,
        "sign_convention": (
            "effect of NAFTA: (BLN - CFL) / CFL x 100; price (1 - p_CFL / p_BLN) x 100 (the book's)"
            if exp.reversed_sign
            else "(CFL - BLN) / BLN x 100"
        ),
        "estimates": {k: f.to_dict() for k, f in exp.fits.items() if f is not None},
        "book_steps": book_diag["steps"],
        "book_stopping": book_diag["history"],
    }
    if procedure == "book":
        table = book_table
        last = book_diag["history"][-1]
        result.update(
            converged=False,
            max_residual=None,
            iterations=book_diag["steps"],
            stopping_rule="sd and max of the step change in factory-gate prices <= 0.01 (the book's)",
            stopped_at={"sd": last["sd"], "max": last["max"]},
        )
    else:
        conv, diag = converged_ratios(exp)
        table = _as_table(conv, exp.reversed_sign)
        result.update(diag)
        result["deficit_closure"] = "ratio (E = phi Y, the book's; world imbalance spread by output)"
    regions = []
    for k, code in enumerate(exp.countries):
        row = {"code": code, **{key: float(table[key][k]) for key in OUTPUT_KEYS}}
        if procedure == "converged":
            row["book"] = {key: float(book_table[key][k]) for key in OUTPUT_KEYS}
        if code in published.index:
            row["published"] = {key: float(published.loc[code, col]) for key, col in PUBLISHED_COLUMNS.items()}
        regions.append(row)
    focus = list(NAFTA) if name == "nafta" else ["CAN", "MEX", "USA", "DEU"]
    regions.sort(key=lambda r: (r["code"] not in focus, focus.index(r["code"]) if r["code"] in focus else 0, r["code"]))
    result["regions"] = regions
    result["notes"] = notes(name, procedure)
    return result


def notes(name: str, procedure: str) -> list[str]:
    out = [
        "Published values: the book's Stata outputs (../shared/data/yotov/results), beside, never used.",
        "PPML steps with exporter and importer effects and an offset are exact biproportional fits (their "
        "first-order conditions).",
    ]
    if procedure == "book":
        out.append(
            "The book's loop stops when sd and max of the step change in prices are <= 0.01; it is not a converged "
            "equilibrium."
        )
    else:
        out.append(
            "Converged: Newton solve of the full-endowment equilibrium (E = phi Y, P_DEU = 1); differs from the book's "
            "loop, which stops early on a loose rule and whose limit does not satisfy E = phi Y."
        )
    if name == "nafta":
        out.append(
            "Trade costs: two-stage (pair effects, then gravity variables for the 7 pairs with no trade in any year)."
        )
    return out
