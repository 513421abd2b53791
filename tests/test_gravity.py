"""Structural gravity: PPML estimation, the book's procedure, gegravity's definition and the
Newton equilibrium, against Yotov, Piermartini, Monteiro and Larch (2016), "An Advanced Guide
to Trade Policy Analysis" (AGTPA), chapter 2, and gegravity 0.3's documented example.

Published values come from ../shared/data/yotov/results (the book's own Stata outputs, cited per
test) and ../shared/data/gegravity/README.md ("Reference outputs"). Every computed value comes
from the estimator and the solvers. Tolerances: 0.01 points for the book's tables (the issue's
requirement; the reproduction is much closer, ~2e-5, the gap coming from Stata's PPML stopping
rule); printed rounding for gegravity's numbers; 1e-6 for PPML coefficients printed to 6-7
digits.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.data import gegravity as gg
from tradewar.data.estimation import ppml
from tradewar.data.long_table import read_columns, square
from tradewar.data.registry import default_data_path
from tradewar.data.yotov import load_published
from tradewar.models import gravity
from tradewar.replicate import gegravity, gravity_book
from tradewar.replicate import yotov as ry
from tradewar.solver.newton import solve_model

KEYS = ("exports_pct", "real_gdp_pct", "imr_pct", "omr_pct", "factory_gate_price_pct")


@pytest.fixture(scope="module")
def sample():
    return gg.load_sample(default_data_path("gegravity"))


@pytest.fixture(scope="module")
def nafta_book():
    return ry.replicate("nafta", procedure="book")


@pytest.fixture(scope="module")
def nafta_converged(nafta_book):  # same cached estimation
    return ry.replicate("nafta", procedure="converged")


@pytest.fixture(scope="module")
def borders_book():
    return ry.replicate("borders", procedure="book")


def _row(result, code):
    return next(r for r in result["regions"] if r["code"] == code)


# ------------------------------------------------------------------------------ PPML
def test_ppml_gegravity_sample_coefficients(sample):
    """gegravity README, "Reference outputs": the Stata PPML of examples_OneSectorGE.py, printed
    to 7 significant digits; 1e-6 is the printed precision."""
    fit = ppml(sample, "trade", list(gg.STATA_COEFFICIENTS), fixed_effects=("exporter", "importer"))
    assert fit.coefficients["pta"] == pytest.approx(0.471138, abs=1e-6)
    assert fit.coefficients["international"] == pytest.approx(-3.412584, abs=1e-6)
    for term, value in gg.STATA_COEFFICIENTS.items():
        assert fit.coefficients[term] == pytest.approx(value, abs=1e-6), term
    assert (fit.n_obs, fit.n_dropped, fit.n_separated) == (900, 0, 0)


def test_ppml_reports_separation_and_missing(sample):
    """An importer that buys nothing (all its flows zero) has an importer effect of -infinity:
    its 30 rows are separated, dropped and counted, never silently; missing values too."""
    df = sample.copy()
    df.loc[df.importer == "ZAF", "trade"] = 0.0
    df.loc[df.index[5], "lndist"] = np.nan
    with pytest.warns(UserWarning, match="observations dropped"):
        fit = ppml(df, "trade", ["lndist", "pta"], fixed_effects=("exporter", "importer"))
    assert fit.n_missing == 1 and fit.n_separated == 30
    assert fit.n_dropped == fit.n_separated + fit.n_missing
    assert fit.n_obs == fit.n_input - fit.n_dropped
    assert "dropped" in fit.summary() and str(fit.n_dropped) in fit.summary()
    assert fit.fitted.loc[fit.dropped].isna().all()


def test_ppml_bad_input(sample):
    with pytest.raises(Exception, match="not found"):
        ppml(sample, "trade", ["nope"])
    bad = sample.assign(trade=sample.trade - 1e9)
    with pytest.raises(Exception, match="trade flows must be >= 0"):
        ppml(bad, "trade", ["lndist"])


# ------------------------------------------------------------------- AGTPA application 2
def test_nafta_rta_estimate(nafta_book):
    """AGTPA ch. 2 app. 2 (RTAsEffects.log): stage-1 RTA = 0.5571853; 7 symmetric pairs with no
    trade in any year are separated (14 directed flows x 6 years = 84 rows), as the book's."""
    s1 = nafta_book["estimates"]["stage1"]
    assert s1["coefficients"]["rta"] == pytest.approx(0.5571853, abs=1e-6)
    assert s1["n_separated"] == 84 and s1["n_dropped"] == 84


def test_nafta_book_headline(nafta_book):
    """AGTPA Table (ch. 2 app. 2, full endowment, effect of NAFTA, %): CAN exports 37.46, real
    GDP 3.40; MEX 43.51, 3.81; USA 14.88, 0.33 (the README's headline rows); 0.01 points."""
    published = {"CAN": (37.46, 3.40), "MEX": (43.51, 3.81), "USA": (14.88, 0.33)}
    for code, (exports, rgdp) in published.items():
        row = _row(nafta_book, code)
        assert row["exports_pct"] == pytest.approx(exports, abs=0.01), code
        assert row["real_gdp_pct"] == pytest.approx(rgdp, abs=0.01), code
    assert nafta_book["book_steps"] == 3  # the book's loop stops after 3 steps (README caveats)
    assert nafta_book["converged"] is False


def test_nafta_book_all_columns(nafta_book):
    """Every country and column of results/ch2_app2_nafta_removal_stata.csv (reversed sign:
    (BLN - CFL)/CFL; price (1 - p_CFL/p_BLN)), including IMR, OMR and factory-gate prices."""
    pub = load_published("nafta", default_data_path("yotov"))
    columns = dict(ry.PUBLISHED_COLUMNS)
    assert len(nafta_book["regions"]) == 69
    for row in nafta_book["regions"]:
        for key, col in columns.items():
            assert row[key] == pytest.approx(pub.loc[row["code"], col], abs=0.01), (row["code"], key)
    can = _row(nafta_book, "CAN")  # the README's headline row
    assert (round(can["imr_pct"], 2), round(can["omr_pct"], 2), round(can["factory_gate_price_pct"], 2)) == (
        -1.48,
        -2.14,
        1.84,
    )


def test_nafta_converged_beside_book(nafta_converged):
    """The Newton equilibrium of the same model: converged with a tiny residual, beside the
    book's loop. The book's loop stops after 3 steps by a loose rule, so the gaps are real
    (expected 0.1-0.3 points in the issue; measured: <= 0.13 for real GDP, IMR, OMR and prices
    of CAN/MEX/USA, and 0.75 for Canada's exports). 0.3 bounds the former, 1.0 the latter."""
    assert nafta_converged["converged"] is True
    assert nafta_converged["max_residual"] < 1e-10
    gaps = dict.fromkeys(KEYS, 0.0)
    for code in ry.NAFTA:
        row = _row(nafta_converged, code)
        for k in KEYS:
            gaps[k] = max(gaps[k], abs(row[k] - row["book"][k]))
        # conditional GE does not depend on the procedure
        assert row["exports_cdl_pct"] == pytest.approx(row["book"]["exports_cdl_pct"], abs=1e-8)
    assert max(gaps[k] for k in ("real_gdp_pct", "imr_pct", "omr_pct", "factory_gate_price_pct")) <= 0.3
    assert gaps["exports_pct"] <= 1.0
    assert max(gaps.values()) > 0.01  # the two procedures are not the same computation


# ------------------------------------------------------------------- AGTPA application 1
def test_borders_book(borders_book):
    """AGTPA ch. 2 app. 1 (trade without borders, 2006): CAN exports +137.19 %, real GDP
    +54.36 %; USA +438.31 %, +10.65 % (book procedure, 5 steps); 0.01 points; and every
    column of results/ch2_app1_trade_without_borders_stata.csv to 0.01."""
    can, usa = _row(borders_book, "CAN"), _row(borders_book, "USA")
    assert can["exports_pct"] == pytest.approx(137.19, abs=0.01)
    assert can["real_gdp_pct"] == pytest.approx(54.36, abs=0.01)
    assert usa["exports_pct"] == pytest.approx(438.31, abs=0.01)
    assert usa["real_gdp_pct"] == pytest.approx(10.65, abs=0.01)
    assert borders_book["book_steps"] == 5
    b = borders_book["estimates"]["baseline"]["coefficients"]  # TradeWithoutBorder.log
    assert (b["ln_dist"], b["cntg"], b["intl_brdr"]) == pytest.approx((-0.7912879, 0.6736456, -2.47445), abs=1e-6)
    pub = load_published("borders", default_data_path("yotov"))
    for row in borders_book["regions"]:
        for key, col in ry.PUBLISHED_COLUMNS.items():
            assert row[key] == pytest.approx(pub.loc[row["code"], col], abs=0.01), (row["code"], key)


# ------------------------------------------------------------------ gegravity's example
@pytest.fixture(scope="module")
def can_jpn(sample):
    df = sample.copy()
    df["cost_bln"] = np.exp(sum(v * df[k] for k, v in gg.STATA_COEFFICIENTS.items()))
    cj = ((df.exporter == "CAN") & (df.importer == "JPN")) | ((df.exporter == "JPN") & (df.importer == "CAN"))
    df["cost_cfl"] = df["cost_bln"] * np.exp(gg.STATA_COEFFICIENTS["pta"] * (np.where(cj, 1, df.pta) - df.pta))
    c, tb = square(df, "cost_bln")
    tc = square(df, "cost_cfl", c)[1]
    y = df.groupby("exporter")["Y"].first().reindex(c).to_numpy(float)
    e = df.groupby("importer")["E"].first().reindex(c).to_numpy(float)
    out = gegravity.gegravity_counterfactual(tb, tc, y, e, sigma=gg.SIGMA, reference=c.index(gg.REFERENCE))
    return c, tb, tc, out


def test_gegravity_can_jpn(can_jpn):
    """gegravity README "Reference outputs" (examples_OneSectorGE.py, gegravity 0.3, Stata
    coefficients, sigma 5, DEU): GDP CAN +0.4183 %, JPN +0.0538 %, USA -0.0074 %, MEX -0.0128 %;
    foreign exports CAN +1.5732 %, JPN +1.2496 %; CAN->JPN +62.44 %, JPN->CAN +55.29 %,
    USA->CAN -2.22 %; cost term +60.18165 %. Tolerance: half a unit of the printed digit."""
    c, tb, tc, out = can_jpn
    i = c.index
    assert out["converged"] and out["max_residual"] < 1e-10
    assert 100 * (tc[i("JPN"), i("CAN")] / tb[i("JPN"), i("CAN")] - 1) == pytest.approx(60.18165, abs=5e-6)
    gdp = {"CAN": 0.4183, "JPN": 0.0538, "USA": -0.0074, "MEX": -0.0128}
    for code, value in gdp.items():
        assert out["real_gdp_pct"][i(code)] == pytest.approx(value, abs=5e-5), code
    assert round(out["real_gdp_pct"][i("CAN")], 3) == 0.418 and round(out["real_gdp_pct"][i("JPN")], 3) == 0.054
    assert out["exports_pct"][i("CAN")] == pytest.approx(1.5732, abs=5e-5)
    assert out["exports_pct"][i("JPN")] == pytest.approx(1.2496, abs=5e-5)
    x0, x1 = out["trade_bln"], out["trade_new"]
    bil = lambda e, m: 100 * (x1[i(m), i(e)] / x0[i(m), i(e)] - 1)
    assert bil("CAN", "JPN") == pytest.approx(62.44, abs=5e-3)
    assert bil("JPN", "CAN") == pytest.approx(55.29, abs=5e-3)
    assert bil("USA", "CAN") == pytest.approx(-2.22, abs=5e-3)
    # gegravity's definition: prices follow the conditional OMRs, p = Pi / Pi'
    assert np.allclose((1 + out["factory_gate_price_pct"] / 100) * (1 + out["omr_pct"] / 100), 1, atol=1e-12)


def test_gegravity_resistances_are_the_biproportional_fit(can_jpn):
    """The fixed point of `gegravity.resistances` (alternating sweeps in logs, JAX) is the exact
    biproportional fit of the costs to the output and expenditure shares that
    `gravity.biproportional` computes by another route (IPF in levels, numpy): P^(1-sigma) =
    (E_n/E) / (b_n E_ref/E), Pi^(1-sigma) = (Y_i/Y) (E_ref/E) / a_i. Tolerance: both stop at
    residuals of about 1e-12 (logs) and 1e-14; 1e-9 relative leaves room for the conditioning."""
    c, tb, _, _ = can_jpn
    sample_y = np.linspace(1.0, 3.0, len(c))
    sample_e = sample_y[::-1].copy()
    ref = c.index(gg.REFERENCE)
    imr, omr, res = gegravity.resistances(tb, sample_y, sample_e, ref)
    assert bool(res.converged) and float(res.max_residual) <= 1e-12
    ys, es = sample_y / sample_y.sum(), sample_e / sample_e.sum()
    a, b, _ = gravity.biproportional(tb, ys, es, ref)
    np.testing.assert_allclose(imr, es / (b * es[ref]), rtol=1e-9)
    np.testing.assert_allclose(omr, ys * es[ref] / a, rtol=1e-9)
    assert imr[ref] == 1.0


def test_long_table_reads_as_pandas(sample):
    """`read_columns` (csv module and numpy: the solve's path, without pandas) reads gegravity's
    sample as pandas does, codes and numbers alike, and `simulate_long` gives the same
    counterfactual, to the bit, from either."""
    columns = read_columns(default_data_path("gegravity") / gg.SAMPLE)
    assert list(columns) == list(sample.columns)
    for name in sample.columns:
        if sample[name].dtype.kind in "if":
            np.testing.assert_array_equal(columns[name], sample[name].to_numpy(float))
        else:
            assert list(columns[name]) == list(sample[name])
    spec = {
        "cost_variables": list(gg.STATA_COEFFICIENTS),
        "coefficients": gg.STATA_COEFFICIENTS,
        "shocks": {"pta": [("CAN", "JPN", 1.0), ("JPN", "CAN", 1.0)]},
        "sigma": gg.SIGMA,
        "reference": gg.REFERENCE,
    }
    for procedure in ("gegravity", "book"):
        assert gravity_book.simulate_long(columns, procedure=procedure, **spec) == gravity_book.simulate_long(
            sample, procedure=procedure, **spec
        )


def test_cli_gravity_bad_long_table(cli, tmp_path):
    """A row with more cells than the header, or a cost column with text, is a one-line error
    naming the line or the column (exit status 2), not a traceback."""
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("exporter,importer,trade,dist\nA,A,1,1\nA,B,1,2,3\nB,A,1,2\nB,B,1,1\n")
    text = tmp_path / "text.csv"
    text.write_text("exporter,importer,trade,dist\nA,A,1,1\nA,B,1,far\nB,A,1,2\nB,B,1,1\n")
    for path, named in ((ragged, "line 3"), (text, "'dist'")):
        args = ["--data", str(path), "--costs", "dist", "--coef", "dist=-1", "--sigma", "5", "--reference", "A"]
        run = cli("gravity", "simulate", *args, "--shock", "dist=0:A-B", "--json")
        assert run.returncode == 2 and run.stdout == "", run.stderr
        assert named in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr


# -------------------------------------------------------------------------- properties
def _economy(n: int, seed: int):
    rng = np.random.default_rng(seed)
    flows = rng.lognormal(size=(n, n)) + 5 * n * np.eye(n)
    return gravity.gravity_baseline([f"R{k}" for k in range(n)], flows, sigma=5.0)


def test_zero_shock_is_no_change():
    base = _economy(6, 1)
    flows = base.trade[:, :, 0]
    balanced = gravity.gravity_baseline(base.regions, flows + flows.T, sigma=5.0)  # no deficits
    for closure in gravity.DEFICIT_CLOSURES:
        # "zero" closes the baseline's deficits, a shock in itself unless there are none
        economy = balanced if closure == "zero" else base
        _res, out = gravity.solve_equilibrium(gravity.params(economy, deficits=closure, numeraire="R0"))
        summary = gravity.region_summary(out)
        for key in (*KEYS, "welfare_pct"):
            assert np.max(np.abs(summary[key])) < 1e-9, (closure, key)
    cost = np.exp(-np.random.default_rng(2).random((6, 6)))
    r = gravity_book.book_procedure(cost, cost, base.gross_output[:, 0], base.expenditure[:, 0], sigma=5.0, reference=0)
    assert np.allclose(r["exports_full"], r["exports_bln"], rtol=1e-10)
    assert np.allclose(r["price_hat"], 1, atol=1e-12)


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    tariff=st.floats(0.0, 0.6),
    shock=st.floats(0.5, 2.0),
    closure=st.sampled_from(gravity.DEFICIT_CLOSURES),
)
def test_equilibrium_conditions_hold(seed, tariff, shock, closure):
    """Random economies, tariffs and cost shocks: converged, residual tiny, and the accounts of
    the solution hold (market clearing, E' = Y' + R' + D', world deficits sum to zero)."""
    base = _economy(5, seed)
    rng = np.random.default_rng(seed)
    t_new = tariff * (rng.random((5, 5, 1)) < 0.5) * (1 - np.eye(5))[:, :, None]
    cost = np.where(rng.random((5, 5)) < 0.3, shock, 1.0)
    p = gravity.params(base, t_new, cost_term_hat=cost, deficits=closure, numeraire="world")
    res, out = gravity.solve_equilibrium(p)
    assert bool(res.converged) and float(res.max_residual) < 1e-10
    flows = out["trade_new"][:, :, 0]
    assert np.allclose(flows.sum(axis=0), out["output_new"][:, 0], rtol=1e-9)
    revenue = (t_new[:, :, 0] * flows).sum(axis=1)
    assert np.allclose(out["tariff_revenue_new"], revenue, rtol=1e-9)
    expenditure = (flows * (1 + t_new[:, :, 0])).sum(axis=1)
    assert np.allclose(expenditure, out["output_new"][:, 0] + revenue + out["deficit_new"], rtol=1e-9)
    assert abs(out["deficit_new"].sum()) < 1e-8 * out["output_new"].sum()


def test_tariff_through_api_and_gradient():
    """The model runs the others' tariff scenarios through `tradewar.solve`; a tariff
    raises revenue and lowers the target's exports; the welfare gradient exists (implicit
    differentiation through newton_root) and matches finite differences."""
    import jax

    from tradewar.solver.equilibrium import solve

    base = _economy(4, 3)
    tariffs = np.zeros((4, 4, 1))
    tariffs[0, 1, 0] = 0.25
    eq = solve("gravity", base, tariffs)
    regions = eq.regions()
    assert eq.converged and eq.max_residual < 1e-10
    assert regions.loc["R0", "tariff_revenue_new"] > 0
    assert regions.loc["R1", "exports_pct"] < 0
    for key in KEYS:
        assert key in regions.columns

    def welfare(rate):
        t = jax.numpy.zeros((4, 4, 1)).at[0, 1, 0].set(rate)
        p = gravity.params(base, np.zeros((4, 4, 1)))._replace(tariff_new=t)
        _res, out = solve_model(gravity.residual, gravity.initial_guess, gravity.outcomes, p, tol=1e-12)
        return out["welfare_hat"][0]

    grad = float(jax.grad(welfare)(0.1))
    fd = (float(welfare(0.1 + 1e-5)) - float(welfare(0.1 - 1e-5))) / 2e-5
    assert grad == pytest.approx(fd, rel=1e-5)


def test_multi_sector_baseline_is_refused_or_collapsed(small_economy):
    """A multi-sector dataset is refused with a fix; `one_sector` collapses it, keeping total
    flows and baseline tariff revenue; the factual tariffs then give no change."""
    from tradewar.errors import InputError

    with pytest.raises(InputError, match="one-sector"):
        gravity.params(small_economy)
    with pytest.raises(InputError, match="export taxes"):
        b1, _ = gravity.one_sector(small_economy)
        gravity.params(b1, export_taxes=np.full(b1.trade.shape, 0.1))
    b1, t1 = gravity.one_sector(small_economy, small_economy.tariffs)
    assert b1.trade.sum() == pytest.approx(small_economy.trade.sum(), rel=1e-12)
    assert np.allclose(b1.tariff_revenue, small_economy.tariff_revenue, rtol=1e-10)
    _res, out = gravity.solve_equilibrium(gravity.params(b1, t1))
    assert np.max(np.abs(gravity.region_summary(out)["welfare_pct"])) < 1e-9


# ---------------------------------------------------------------------------------- CLI


@pytest.mark.parametrize("command", ["yotov-nafta", "yotov-borders"])
@pytest.mark.parametrize("procedure", ["book", "converged"])
def test_cli_replicate_json(cli, nafta_book, borders_book, command, procedure):
    run = cli("replicate", command, "--data", str(default_data_path("yotov")), "--procedure", procedure, "--json")
    assert run.returncode == 0, run.stderr
    obj = json.loads(run.stdout)  # exactly one JSON object
    assert run.stdout.count("\n") == 1
    assert len(obj["regions"]) == 69
    for row in obj["regions"]:
        assert len(row["code"]) == 3
        for key in KEYS:
            assert isinstance(row[key], float)
    can = next(r for r in obj["regions"] if r["code"] == "CAN")
    if procedure == "book":
        target = 37.46 if command == "yotov-nafta" else 137.19
        assert can["exports_pct"] == pytest.approx(target, abs=0.01)
    else:
        assert obj["converged"] is True and obj["max_residual"] < 1e-10


def test_cli_gravity_commands(cli):
    data = str(default_data_path("gegravity"))
    run = cli("gravity", "estimate", "--data", data, "--json")
    assert run.returncode == 0, run.stderr
    est = json.loads(run.stdout)
    assert est["coefficients"]["pta"] == pytest.approx(0.471138, abs=1e-6) and est["n_dropped"] == 0
    # baseline resistances from the fixed effects (book) and solved from the system (converged) agree
    run = cli("gravity", "estimate", "--data", data, "--procedure", "converged", "--json")
    solved = json.loads(run.stdout)
    assert solved["converged"] is True and solved["max_residual"] < 1e-10
    for a, b in zip(est["regions"], solved["regions"]):
        assert a["code"] == b["code"]
        assert a["imr"] == pytest.approx(b["imr"], rel=1e-8) and a["omr"] == pytest.approx(b["omr"], rel=1e-8)
    assert next(r for r in est["regions"] if r["code"] == "DEU")["imr"] == pytest.approx(1.0, abs=1e-12)
    run = cli(
        "gravity", "simulate", "--data", data, "--shock", "pta=1:CAN-JPN,JPN-CAN", "--procedure", "converged", "--json"
    )
    assert run.returncode == 0, run.stderr
    sim = json.loads(run.stdout)
    assert sim["converged"] is True
    can = next(r for r in sim["regions"] if r["code"] == "CAN")
    assert can["real_gdp_pct"] > 0 and set(KEYS) <= set(can)
    run = cli("gravity", "simulate", "--data", data, "--tariff", "USA:XXX=0.25", "--procedure", "converged", "--json")
    assert run.returncode == 2 and run.stdout == ""
    assert "XXX" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    # the book's trade-without-borders experiment through the generic command (estimated coefficients)
    run = cli("gravity", "simulate", "--data", str(default_data_path("yotov")), "--shock", "intl_brdr=0:*-*", "--json")
    assert run.returncode == 0, run.stderr
    can = next(r for r in json.loads(run.stdout)["regions"] if r["code"] == "CAN")
    assert (can["exports_pct"], can["real_gdp_pct"]) == pytest.approx((137.19, 54.36), abs=0.01)
    run = cli("replicate", "yotov-nafta", "--procedure", "fast", "--json")
    assert run.returncode == 2 and "book or converged" in run.stderr


def test_games_layer_optimal_tariff():
    """The games layer runs on this model: R0's optimal tariffs in a balanced 4-region economy
    (sigma 5) are interior and certified, and no uniform deviation of +-5 points improves R0's
    welfare when checked by the model's own solver."""
    from tradewar.games import Game, optimal_tariffs

    base = _economy(4, 0)
    flows = base.trade[:, :, 0]
    balanced = gravity.gravity_baseline(base.regions, flows + flows.T, sigma=5.0)
    result = optimal_tariffs(Game("gravity", balanced, deficits="zero"), "R0")
    assert result.converged
    rates = result.tariffs[0, 1:, 0]
    assert np.all((rates > 0.05) & (rates < 1.0))

    def welfare(t):
        _res, out = gravity.solve_equilibrium(gravity.params(balanced, t, deficits="zero"))
        return out["welfare_hat"][0]

    best = welfare(result.tariffs)
    for step in (-0.05, 0.05):
        t = result.tariffs.copy()
        t[0, 1:, 0] += step
        assert welfare(t) <= best + 1e-12
