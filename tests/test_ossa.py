"""Ossa (2014): the ossa2014 loader, the model in changes, the purge and Table 2.

Data: ../shared/data/ossa2014 (see its README). Published targets: Ossa (2014), AER 104(12),
Table 2, as produced by Ossa's tables.m (reference_results/ossa_tables_from_tablesm.csv).
"""

import json
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from tradewar.data.ossa2014 import load_ossa2014
from tradewar.data.registry import default_data_path, load_dataset
from tradewar.errors import InputError
from tradewar.models import get_model, ossa
from tradewar.replicate.ossa2014 import outcome_rows, replicate_table2, unilateral_row
from tradewar.solver.equilibrium import solve
from tradewar.solver.newton import newton_root


@pytest.fixture(scope="module")
def path():
    return default_data_path("ossa2014")


@pytest.fixture(scope="module")
def base(path):
    return load_ossa2014(path)


@pytest.fixture(scope="module")
def raw(path):
    return load_ossa2014(path, raw=True)


# ----------------------------------------------------------------------------- loader
def test_loader_shape_labels_and_axis_order(base, path):
    assert base.regions == ("BRA", "CHN", "EU", "IND", "JPN", "ROW", "USA")
    assert len(base.sectors) == 33 and base.sectors[0] == "ric" and base.sectors[-1] == "omf"
    assert base.sectors[23] == "crp" and base.sectors[19] == "wap"
    assert base.trade.shape == base.tariffs.shape == (7, 7, 33)
    # Ossa's files are exporter x importer: the row "China -> US, crp" is trade[USA, CHN, crp].
    df = pd.read_csv(Path(path) / "trade_tariff.csv")
    row = df[(df.exporter == "China") & (df.importer == "US") & (df.industry_code == "crp")].iloc[0]
    assert base.trade[6, 1, 23] == row.trade_value and base.tariffs[6, 1, 23] == row.tariff
    assert np.all(np.einsum("nns->ns", base.tariffs) == 0)
    # Purged data are balanced (README: largest |NX| 2e-5 on flows of order 1e7).
    assert np.abs(base.deficit).max() < 1e-4
    ex = base.extras
    assert ex["sigma"].shape == (33,) and ex["sigma"].mean() == pytest.approx(3.4216, abs=1e-4)
    assert np.allclose(base.theta, ex["sigma"] - 1)
    assert ex["lambda_pol"].shape == ex["lambda_bas"].shape == (7, 33)
    assert np.allclose(ex["lambda_pol"].mean(axis=1), 1) and np.all(ex["lambda_bas"] == 1)
    assert ex["lambda_pol"][2, base.sectors.index("wol")] == 0  # README: EU wol is exactly 0
    assert set(ex["sigma_alt"]) == {"low_mean3p5", "med_mean5", "high_mean6p5", "novar"}
    assert ex["sigma_alt"]["med_mean5"].mean() == pytest.approx(5.0, abs=1e-6)


def test_raw_data_keep_their_imbalances(raw, path):
    # README: US net exports -556,524 and China's +406,597 in the raw data.
    nx = -raw.deficit
    assert nx[6] == pytest.approx(-556524, abs=1)
    assert nx[1] == pytest.approx(406597, abs=1)
    assert np.array_equal(raw.tariffs, load_dataset("ossa2014", path).tariffs)
    assert load_dataset("ossa2014", path, raw=True).name == raw.name


# ------------------------------------------------------------------------------ purge
def test_purge_reproduces_ossas_purged_flows(raw, base):
    purged = ossa.purge(raw)
    rel = np.abs(purged.trade / base.trade - 1)
    # Ossa's purged flows (trade_tariff.csv, from his DATA.mat) come from his fsolve on the same
    # equations. We solve to a residual of 1e-12 and measure a largest relative gap of 3e-10
    # (median 2e-12) over all 1617 flows, the precision of the solve that produced DATA.mat.
    # 1e-8 keeps a margin for platform rounding and still fails for any modelling error: a
    # wrong numeraire or a missing term moves flows by 1e-3 or more. (The README's 1e-4 was
    # Octave fsolve at default tolerances.)
    assert rel.max() < 1e-8
    assert np.abs(purged.deficit).max() < 1e-6 * purged.trade.sum() / 49
    assert purged.extras["purge_max_residual"] < 1e-12


# ------------------------------------------------------------------------------ model
def test_zero_shock_changes_nothing(base, raw):
    for b in (base, raw):  # any data are an equilibrium with their own net exports
        eq = solve("ossa", b, b.tariffs, lambdas="pol")
        out = eq.outcomes
        assert eq.converged and eq.max_residual < 1e-12
        for key in ("wage_hat", "welfare_hat", "government_welfare_hat", "expenditure_hat", "cpi_hat"):
            assert np.allclose(out[key], 1, atol=1e-12), key
        assert np.allclose(out["trade_new"], out["trade_old"], rtol=1e-12)
        assert np.allclose(out["terms_of_trade"], 0, atol=1e-14)


@pytest.fixture(scope="module")
def us_crp_shock(base):
    tariffs = base.tariffs.copy()
    tariffs[6, :6, 23] += 0.5
    return tariffs


def test_counterfactual_accounts_balance(base, us_crp_shock):
    eq = solve("ossa", base, us_crp_shock, lambdas="pol")
    out, t = eq.outcomes, us_crp_shock
    # Cobb-Douglas: tariff-inclusive spending by industry is mu_ns E'_n.
    spending = np.einsum("nis,nis->ns", out["trade_new"], 1 + t)
    mu = base.final_share
    assert np.allclose(spending, mu * out["income_new"][:, None], rtol=1e-10)
    # Budget (O4): E' = labour income + profits + tariff revenue (net exports stay 0).
    sigma = base.extras["sigma"]
    sales = out["output_new"]
    labour0 = ((sigma - 1) / sigma * base.gross_output).sum(axis=1)
    income = out["wage_hat"] * labour0 + (sales / sigma).sum(axis=1) + out["tariff_revenue_new"]
    assert np.allclose(income, out["income_new"], rtol=1e-10)
    # Labour market (O3) and the numeraire (O5).
    assert np.allclose(((sigma - 1) / sigma * sales).sum(axis=1), out["wage_hat"] * labour0, rtol=1e-10)
    assert np.vdot(labour0 / labour0.sum(), out["wage_hat"]) == pytest.approx(1, abs=1e-12)
    # lambda = 1 and balanced trade: government welfare is welfare; lobbying weights differ.
    welfare_only = solve("ossa", base, t).outcomes
    assert np.allclose(welfare_only["government_welfare_hat"], welfare_only["welfare_hat"], rtol=1e-9)
    assert not np.allclose(out["government_welfare_hat"], out["welfare_hat"], rtol=1e-6)


def test_rebase_composes_welfare_changes(base, us_crp_shock):
    """Table 5 measures talks from the Nash or free-trade equilibrium taken as a new baseline
    (Ossa's tables.m): rebasing must compose, W(t0 -> t2) = W(t0 -> t1) W(t1 -> t2)."""
    free = np.zeros_like(base.tariffs)
    rebased = ossa.rebase(base, free)
    assert np.array_equal(rebased.tariffs, free) and np.abs(rebased.deficit).max() < 1e-6 * base.trade.sum() / 49
    direct = solve("ossa", base, us_crp_shock, lambdas="pol").outcomes
    step1 = solve("ossa", base, free, lambdas="pol").outcomes
    step2 = solve("ossa", rebased, us_crp_shock, lambdas="pol").outcomes
    for key in ("welfare_hat", "government_welfare_hat"):
        assert np.allclose(direct[key], step1[key] * step2[key], rtol=1e-10, atol=0), key
    assert np.allclose(step2["trade_new"] / step2["trade_new"].sum(), direct["trade_new"] / direct["trade_new"].sum())


@pytest.fixture(scope="module")
def gov_welfare(base):
    """100 log G_hat of the region picked by `onehot` [n] at full tariffs, and its gradient with
    respect to all tariffs through `newton_root` (reverse mode), compiled once."""
    p = ossa.params(base, lambdas="pol")

    def value(t, onehot):
        q = p._replace(tariff_new=t)
        z = newton_root(ossa.residual, ossa.initial_guess(q), q, tol=1e-12).value
        return 100 * jnp.log(jnp.vdot(onehot, ossa.outcomes(z, q)["government_welfare_hat"]))

    return jax.jit(value), jax.jit(jax.grad(value))


def test_gradient_through_the_solve_matches_finite_differences(gov_welfare, us_crp_shock):
    """The games layer differentiates government welfare through `newton_root` (implicit
    function theorem, reverse mode); compare with central differences of full solves."""
    f, grad_f = gov_welfare
    us = jnp.zeros(7).at[6].set(1.0)
    t0 = jnp.asarray(us_crp_shock)
    grad = grad_f(t0, us)
    h = 1e-5
    for cell in [(6, 1, 23), (6, 2, 19), (1, 6, 30)]:
        e = jnp.zeros_like(t0).at[cell].set(h)
        fd = (f(t0 + e, us) - f(t0 - e, us)) / (2 * h)
        # Central differences with h = 1e-5 of solves to 1e-12: truncation ~1e-10 and rounding
        # ~1e-9 on derivatives of order 0.1 (percent per unit of tariff).
        assert float(grad[cell]) == pytest.approx(float(fd), rel=1e-6, abs=1e-8), cell


def test_ossas_mfn_optimal_tariffs_satisfy_our_first_order_conditions(base, gov_welfare):
    """Ossa's own MFN optimal tariffs with lobbying weights (``MFNOPTIMALTARIFFPOL``, each region
    alone, the others at factual tariffs) must be a stationary point of our government welfare:
    an independent check of the objective (lambda-weighted incomes, revenue rebated with labour
    income) and of the model, since any error in either moves the optimum."""
    _, grad_f = gov_welfare
    mfn = base.extras["mfn_optimal_tariff_pol"]
    upper = np.maximum(base.extras["target_tariff"] + 0.03, 2.25)  # Ossa's bounds (README)

    def mfn_gradient(j, x):  # d(100 log G_j)/d x_s, x_s = j's tariff on all partners in s
        t = base.tariffs.copy()
        partners = [i for i in range(7) if i != j]
        t[j, partners, :] = x
        g = np.asarray(grad_f(jnp.asarray(t), jnp.zeros(7).at[j].set(1.0)))
        return g[j, partners, :].sum(axis=0)

    for j, code in enumerate(base.regions):
        g_opt = mfn_gradient(j, mfn[j])
        interior = (mfn[j] > 1e-6) & (mfn[j] < upper[j] - 1e-6)
        # Measured: largest interior |dG/dt| 9e-6 (IND) and <= 1.1e-6 elsewhere, in percent of
        # government welfare per unit of tariff; Ossa's optimiser stops at its own tolerance.
        assert np.abs(g_opt[interior]).max() < 1e-4, code
        # The test can fail: at the mean factual tariffs the same gradient is far from zero.
        g_fact = mfn_gradient(j, base.tariffs[j].sum(axis=0) / 6)
        assert np.abs(g_fact).max() > 1e-2, code


def test_table8b_rows_at_ossas_mfn_optimal_tariffs(base, path):
    """Ossa (2014) Table 8 panel b (MFN optimal tariffs, lobbying weights), evaluated at Ossa's
    own MFN optimal tariffs from DATA.mat (each region alone): our model and the row builder
    must give the published columns to rounding (one decimal: 0.05)."""
    ref = pd.read_csv(Path(path) / "reference_results" / "ossa_tables_from_tablesm.csv")
    ref = ref[(ref.table == "TABLE8") & ref.panel.str.startswith("b")]
    published = {(r.row, r.column): r.value_pct for r in ref.itertuples()}
    names = dict(zip(base.regions, base.region_names))
    same_vector = 0
    for j, code in enumerate(base.regions):
        tariffs = base.tariffs.copy()
        tariffs[j, [i for i in range(7) if i != j], :] = base.extras["mfn_optimal_tariff_pol"][j]
        row = unilateral_row(base, code, tariffs, lambdas="pol")
        assert row["max_residual"] < 1e-10
        # The objective itself: government welfare at the optimum, every region.
        assert row["gov_welfare_own"] == pytest.approx(published[(names[code], "gov_welfare_own")], abs=0.05 + 1e-9)
        # DATA.mat's MFNOPTIMALTARIFFPOL (from the lambda calibration) is not the exact vector
        # behind Table 8 for JPN (median 76.1 vs 77.8) and IND (50.1 vs 49.9): the objective is
        # flat near the optimum, so other columns move. Where the medians agree, all must.
        if abs(row["median_tariff"] - published[(names[code], "median_tariff")]) <= 0.05:
            same_vector += 1
            for column, value in row.items():
                if column != "max_residual":
                    assert value == pytest.approx(published[(names[code], column)], abs=0.05 + 1e-9), (code, column)
    assert same_vector >= 5  # BRA, CHN, EU, ROW, USA


def test_bad_options_are_one_line_input_errors(base):
    with pytest.raises(InputError, match=r"model.deficits"):
        ossa.params(base, deficits="share")
    with pytest.raises(InputError, match="export_tax"):
        ossa.params(base, export_taxes=np.full(base.trade.shape, 0.1))
    with pytest.raises(InputError, match="sigma"):
        ossa.params(base, sigma=np.ones(33))
    with pytest.raises(InputError, match="lambdas"):
        ossa.params(base, lambdas=np.ones((7, 2)))
    with pytest.raises(InputError, match="gmres"):
        ossa.params(base, gmres=3)
    ossa.params(base, export_taxes=np.zeros(base.trade.shape))  # an all-zero instrument is fine
    assert get_model("ossa") is ossa


# ---------------------------------------------------------------------------- Table 2
@pytest.fixture(scope="module")
def table2(path):
    return {(c["row"], c["column"]): c for c in replicate_table2(path)}


# Ossa (2014) Table 2 (US +50 points on all partners in one industry), printed with two decimals.
TABLE2_PRINTED = {
    ("crp_salesrow", "col1"): 1.45,
    ("crp_salesrow", "col2"): 5.73,
    ("crp_salesrow", "col3"): -1.40,
    ("wap_salesrow", "col1"): 0.67,
    ("wap_salesrow", "col2"): 33.35,
    ("wap_salesrow", "col3"): -0.97,
    ("crp_welfarerow", "col1"): 0.17,
    ("crp_welfarerow", "col2"): 0.34,
    ("crp_welfarerow", "col3"): 0.12,
    ("wap_welfarerow", "col1"): -0.14,
    ("wap_welfarerow", "col2"): 0.16,
    ("wap_welfarerow", "col3"): -0.15,
}


@pytest.mark.parametrize("key", list(TABLE2_PRINTED))
def test_table2_rounds_to_printed_value(table2, key):
    # The same equations solved to 1e-10: each computed value must round to the printed one
    # (half a unit of the last printed digit), stricter than the 0.01 the issue asks.
    cell = table2[key]
    assert cell["converged"] and cell["max_residual"] < 1e-10
    assert cell["computed"] == pytest.approx(TABLE2_PRINTED[key], abs=0.005 + 1e-9)
    assert cell["published"] == TABLE2_PRINTED[key]  # the reference file agrees with the paper
    assert {"table", "panel", "row", "column", "computed", "published"} <= set(cell)


def test_outcome_rows_follow_tables_m_definitions(base, us_crp_shock, table2):
    rows = outcome_rows(base, us_crp_shock, lambdas="bas")
    us = rows["USA"]
    # Table 2's relative wage is Table 4's wage_normalized; welfare is the same number.
    assert us["wage_normalized"] == pytest.approx(table2[("crp_salesrow", "col1")]["computed"], abs=1e-9)
    assert us["welfare"] == pytest.approx(table2[("crp_welfarerow", "col1")]["computed"], abs=1e-9)
    assert us["gov_welfare"] == pytest.approx(us["welfare"], abs=1e-9)  # lambda = 1, balanced trade
    regions = [rows[c] for c in base.regions]
    for column in ("gov_welfare", "welfare", "wage_normalized", "profits_adj", "median_tariff"):
        assert rows["Average"][column] == pytest.approx(np.mean([r[column] for r in regions]), abs=1e-12)
    assert np.mean([r["wage_normalized"] for r in regions]) == pytest.approx(0, abs=1e-9)
    assert us["median_tariff"] == pytest.approx(100 * np.median(np.delete(us_crp_shock[6], 6, axis=0)))


# -------------------------------------------------------------------------------- CLI
def test_cli_runs_the_bundled_ossa_scenario():
    out = subprocess.run(
        [sys.executable, "-m", "tradewar.cli", "run", "ossa-us-tariff", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    obj = json.loads(out.stdout)
    assert obj["model"] == "ossa" and obj["converged"] is True and obj["max_residual"] < 1e-10
    assert len(obj["steps"]) == 2
    first = {r["code"]: r for r in obj["steps"][0]["regions"]}
    assert first["CHN"]["welfare_pct"] < 0 < first["USA"]["terms_of_trade_pct"]
    assert obj["steps"][0]["us_tariff_on_china_pct"] > obj["steps"][0]["china_tariff_on_us_pct"]
    # steps are cumulative: China's retaliation leaves the US's +25 points where they were
    first, second = obj["steps"]
    assert second["us_tariff_on_china_pct"] == pytest.approx(first["us_tariff_on_china_pct"], abs=1e-9)
    assert second["china_tariff_on_us_pct"] > first["china_tariff_on_us_pct"] + 20
