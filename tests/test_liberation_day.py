"""The Liberation Day model (Ignatenko, Lashkaripour, Macedoni & Simonovska 2025, JIE) on the
194-country BACI 2023 data in ../shared/data/recent/baci2023_libday.

Reference cells are the paper's printed numbers (Tables 1, 2, 3 and the main column of Table 11,
cited in `tradewar.replicate.liberation_day.PUBLISHED` by table, case and row). The tolerance is
the printed rounding: half a unit of the last printed digit (0.005 for 2-decimal cells, 0.05 for
1-decimal cells); our solves converge to 1e-10, so any larger gap would be a modelling error, not
solver noise. Every solve shares one compiled solver (`tradewar.solve`), compiled once here.
"""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from typer.testing import CliRunner

from tradewar.data.baci import load_baci2023
from tradewar.data.registry import default_data_path
from tradewar.errors import InputError
from tradewar.models import get_model
from tradewar.models import liberation_day as ld
from tradewar.replicate.liberation_day import PUBLISHED, replicate
from tradewar.solver.equilibrium import solve


@pytest.fixture(scope="module")
def data_path():
    return default_data_path("recent/baci2023_libday")


@pytest.fixture(scope="module")
def raw(data_path):
    return load_baci2023(data_path)


@pytest.fixture(scope="module")
def baseline(raw):
    return ld.calibrate(raw)


@pytest.fixture(scope="module")
def result(data_path):
    return replicate(data_path)


@pytest.fixture(scope="module")
def ustr_eq(baseline):
    return solve(ld.NAME, baseline, ld.ustr_tariffs(baseline))


def _cell(result, key):
    _table, _case, _row, _column = key
    found = [c for c in result["cells"] if (c["table"], c["case"], c["row"], c["column"]) == key]
    assert len(found) == 1, key
    return found[0]


@pytest.mark.parametrize("key", list(PUBLISHED), ids=lambda k: f"{k[0]}|{k[1]}|{k[2]}|{k[3]}")
def test_published_cell_to_printed_rounding(result, key):
    value, decimals = PUBLISHED[key]
    computed = _cell(result, key)["computed"]
    assert abs(computed - value) <= 0.5 * 10.0**-decimals + 1e-12, f"{key}: computed {computed:.4f}, published {value}"


def test_every_solve_converged(result):
    assert result["converged"] is True
    assert result["max_residual"] < 1e-9
    assert all(s["converged"] for s in result["solves"])
    assert result["matches_published"] is True


def test_calibration_matches_paper(result, baseline, raw):
    # JIE 2025 reports nu = 0.114 (non-US) and 0.270 (US); MODEL.md: 0.1143 / 0.2705.
    assert result["parameters"]["nu_nonUS"] == pytest.approx(0.1143, abs=5e-5)
    assert result["parameters"]["nu_US"] == pytest.approx(0.2705, abs=5e-5)
    # MODEL.md section 2: model US GDP $28.29 tn, transfer +$0.47 tn (kUSD units); GMB, MHL clipped.
    us = baseline.region_index("USA")
    assert baseline.extras["libday_income"][us] / 1e9 == pytest.approx(28.29, abs=0.005)
    assert baseline.extras["libday_transfer"][us] / 1e9 == pytest.approx(0.47, abs=0.005)
    assert abs(baseline.extras["libday_transfer"].sum()) < 1e-9 * baseline.extras["libday_income"].sum()
    for code in ("GMB", "MHL"):
        k = baseline.region_index(code)
        assert baseline.trade[k, k, 0] == 0.0
    # The international flows are the data's: 25,398 non-zero flows, about $21.75 tn.
    assert np.count_nonzero(raw.trade) == 25398
    assert raw.trade.sum() / 1e9 == pytest.approx(21.75, abs=0.005)


def test_tariff_rates(result, baseline):
    # MODEL.md section 3: 21.8 % (Table 1 case 3), 18.5 % (Table 2 case 4), 22.7 % retaliation,
    # import-weighted USTR average 24.9 % (paper: "around 25 %").
    r = result["rates"]
    assert 100 * r["optimal_us_tariff"] == pytest.approx(21.8, abs=0.05)
    assert 100 * r["optimal_us_tariff_table2"] == pytest.approx(18.5, abs=0.05)
    assert 100 * r["optimal_retaliation_rate"] == pytest.approx(22.7, abs=0.05)
    assert 100 * r["ustr_import_weighted_average"] == pytest.approx(24.9, abs=0.05)
    t = ld.ustr_tariffs(baseline)
    us = baseline.region_index("USA")
    rate = lambda code: t[us, baseline.region_index(code), 0]
    assert (rate("CHN"), rate("MEX"), rate("CAN"), rate("RUS"), rate("DEU")) == pytest.approx(
        (0.54, 0.17, 0.10, 0.10, 0.20)
    )
    assert t[us, us, 0] == 0.0 and np.count_nonzero(np.delete(t, us, axis=0)) == 0


def test_paper_text_versions_differ_as_documented(result):
    # MODEL.md: MEX at 10 % gives about 1.01; transfers from the model identity about 1.15.
    assert result["alternatives"]["us_welfare_mexico_10pct"] == pytest.approx(1.01, abs=0.01)
    assert result["alternatives"]["us_welfare_transfers_identity"] == pytest.approx(1.15, abs=0.01)


def test_zero_shock_changes_nothing(baseline):
    eq = solve(ld.NAME, baseline, np.zeros_like(baseline.tariffs))
    out = eq.outcomes
    assert eq.converged
    for key in ("welfare_hat", "wage_hat", "expenditure_hat", "employment_hat", "cpi_hat"):
        np.testing.assert_allclose(out[key], 1.0, atol=1e-10, err_msg=key)
    np.testing.assert_allclose(out["trade_new"], out["trade_old"], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(out["tariff_revenue_new"], 0.0, atol=1e-9)


def _z(eq):
    """The unknowns (log w_hat, log E_hat, log L_hat) of a solved equilibrium."""
    o = eq.outcomes
    return jnp.log(jnp.concatenate([o["wage_hat"], o["expenditure_hat"], o["employment_hat"]]))


def test_residual_small_and_accounts_hold(baseline, ustr_eq):
    p = ld.params(baseline, ld.ustr_tariffs(baseline))
    assert ustr_eq.converged and ustr_eq.max_residual < 1e-9
    # The residual re-evaluated independently of the solver at the reported solution.
    assert float(jnp.max(jnp.abs(jax.jit(ld.residual)(_z(ustr_eq), p)))) < 1e-9
    out = ustr_eq.outcomes
    nu = baseline.extras["libday_nu"]
    trade = out["trade_new"][:, :, 0]
    # Eq. (7): D'_i = T'_i + nu_i sum_o X'[i, o] - sum_d nu_d X'[d, i] (imports minus exports, net).
    implied = out["transfer_new"] + nu * trade.sum(axis=1) - (nu[:, None] * trade).sum(axis=0)
    np.testing.assert_allclose(out["deficit_new"], implied, atol=1e-8 * out["income_old"].max())
    # World budget: sum E' = sum Y' + sum R' (transfers sum to zero).
    assert out["expenditure_new"].sum() == pytest.approx(
        out["income_new"].sum() + out["tariff_revenue_new"].sum(), rel=1e-10
    )


def test_protocol_and_registry(baseline, ustr_eq):
    assert get_model("liberation-day") is ld
    out = ustr_eq.outcomes
    n = baseline.n_regions
    assert out["welfare_hat"].shape == (n,)
    assert out["trade_old"].shape == out["trade_new"].shape == (n, n, 1)
    regions = ustr_eq.regions()
    assert list(regions.index[:2]) == list(baseline.regions[:2])
    assert regions.loc["USA", "welfare_pct"] == pytest.approx(1.13, abs=0.005)


def test_raw_baseline_is_calibrated_on_the_fly(raw, baseline):
    p_raw, p_cal = ld.params(raw), ld.params(baseline)
    np.testing.assert_allclose(p_raw.lam, p_cal.lam)
    np.testing.assert_allclose(p_raw.transfer, p_cal.transfer)


def test_welfare_gradient_matches_finite_difference(baseline):
    """The games layer differentiates welfare through the equilibrium (implicit function
    theorem). Here the IFT derivative dz/dt = -(dF/dz)^-1 dF/dt of the model's own equations,
    with exact JAX Jacobians, against central finite differences of converged solves.
    (Differentiating through `newton_root` itself is a solver issue tracked in test_ossa.py.)"""
    us = baseline.region_index("USA")
    base = ld.params(baseline)
    mask = ld.uniform_us_tariffs(baseline, 1.0)
    at = lambda rate: base._replace(tariff_new=rate * jnp.asarray(mask))
    welfare = lambda z, rate: ld.outcomes(z, at(rate))["welfare_hat"][us]
    rate, h = 0.15, 1e-3
    z = _z(solve(ld.NAME, baseline, rate * mask))
    f = lambda z_, r_: ld.residual(z_, at(r_))

    @jax.jit
    def ift_gradient(z, rate):
        dz = -jnp.linalg.solve(jax.jacfwd(f, 0)(z, rate), jax.jacfwd(f, 1)(z, rate))
        return jax.grad(welfare, 1)(z, rate) + jax.grad(welfare, 0)(z, rate) @ dz

    grad = float(ift_gradient(z, rate))
    w = [float(solve(ld.NAME, baseline, r * mask).outcomes["welfare_hat"][us]) for r in (rate - h, rate + h)]
    fd = (w[1] - w[0]) / (2 * h)
    # Central differences with h = 1e-3 carry an O(h^2) truncation error (~1e-6 relative) and
    # solver noise of at most 1e-10 / h; 1e-4 relative is well above both.
    assert grad == pytest.approx(fd, rel=1e-4)


def test_bad_input_is_one_line_error(baseline, tmp_path):
    with pytest.raises(InputError, match=r"model.rebate"):
        ld.params(baseline, rebate="helicopter")
    with pytest.raises(InputError, match=r"model.deficits"):
        ld.params(baseline, deficits="zero")
    with pytest.raises(InputError, match="shape"):
        ld.params(baseline, np.zeros((3, 3, 1)))
    with pytest.raises(InputError, match="file not found"):
        load_baci2023(tmp_path)


def test_cli_json_shape(data_path):
    from tradewar.cli import app

    run = CliRunner().invoke(app, ["replicate", "liberation-day", "--data", str(data_path), "--json"])
    assert run.exit_code == 0, run.output
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert obj["converged"] is True and obj["max_residual"] < 1e-9
    columns = {
        "welfare",
        "deficit",
        "exports_gdp",
        "imports_gdp",
        "employment",
        "prices",
        "revenue_gdp",
        "revenue_federal_budget",
        "trade_gdp",
    }
    for cell in obj["cells"]:
        assert {"table", "case", "row", "column", "computed", "published"} <= set(cell)
        assert cell["column"] in columns
        assert cell["row"] in {"USA", "CHN", "EU", "nonUS_average", "world"}
        assert isinstance(cell["computed"], float)
    assert sum(c["published"] is not None for c in obj["cells"]) == len(PUBLISHED)
    assert obj["notes"]


def test_bundled_scenario_reproduces_tables(data_path):
    """The bundled April 2025 scenario: step 1 is Table 1 case 1 (US welfare +1.13), step 2 adds
    reciprocal retaliation (Table 2 case 1, -0.36); same rounding tolerance as above."""
    from tradewar.data.registry import load_dataset
    from tradewar.scenario.run import run_scenario
    from tradewar.scenario.spec import load_scenario

    assert load_dataset("baci2023", data_path).n_regions == 194
    spec = load_scenario("liberation-day-194")
    assert spec.model.name == ld.NAME and spec.dataset.source == "baci2023"
    result = run_scenario(spec)
    assert result.converged
    welfare = [float(s.equilibrium.regions().loc["USA", "welfare_pct"]) for s in result.steps]
    assert welfare[0] == pytest.approx(1.13, abs=0.005)
    assert welfare[1] == pytest.approx(-0.36, abs=0.005)
