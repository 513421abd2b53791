"""Properties every registered model must have, run over every model in `tradewar.models.MODELS`
on small synthetic economies (4 regions; 3 sectors where the model has sectors):

- it implements the `tradewar.models.base.Model` protocol;
- a zero shock (the baseline's own tariffs) changes nothing: welfare and every trade flow stay;
- accounts add up under a tariff shock: world deficits sum to zero, tariff revenue is the
  tariffs times the flows they are levied on, exports and imports are the sums of the flows;
- elasticity draws: the ``theta`` option is what `trade_elasticity` reads back (games under draws
  rely on it), batched draws solve on every model (the centre draw equals the point solve);
- `calibrate` to zero deficits returns a balanced equilibrium or a one-line `InputError`.

Model-specific identities (each paper's own accounts and published numbers) stay in the
model's own test file.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tradewar.data.synthetic import synthetic_raw
from tradewar.errors import InputError
from tradewar.models import MODELS, caliendo_parro, gravity, liberation_day
from tradewar.models.base import Model
from tradewar.scenario.run import prepare_baseline
from tradewar.solver.draws import solve_draws
from tradewar.solver.equilibrium import solve

REGIONS = ("USA", "CHN", "EU27", "JPN")


def multi_sector(seed: int):
    """A calibrated 4 x 3 economy with deficits and without input-output links (all gross output
    is value added, as in Ossa 2014), so that it is data of both multi-sector models."""
    raw = synthetic_raw(4, 3, seed=seed)
    raw = replace(raw, va_share=np.ones_like(raw.va_share), io_share=np.zeros_like(raw.io_share))
    raw.extras["value_added_data"] = raw.trade.sum(axis=(0, 2))
    return caliendo_parro.calibrate(raw, tol=1e-13)


@pytest.fixture(scope="module")
def economies() -> dict:
    """One baseline per model: a calibrated multi-sector economy (caliendo-parro, ossa) and a
    one-sector one (gravity, liberation-day, calibrated as that paper does)."""
    multi = multi_sector(1)
    rng = np.random.default_rng(3)
    flows = rng.lognormal(size=(4, 4)) + 20 * np.eye(4)
    one = gravity.gravity_baseline(list(REGIONS), flows, sigma=5.0)
    international = flows * (1 - np.eye(4))
    raw_ld = replace(
        one,
        name="synthetic one-sector",
        trade=international[:, :, None],
        extras={"gdp": 3 * international.sum(axis=0) + 5},
    )
    by_model = {
        caliendo_parro.NAME: multi,
        "ossa": multi,
        gravity.NAME: one,
        liberation_day.NAME: liberation_day.calibrate(raw_ld),
    }
    assert set(by_model) == set(MODELS), "a new model needs an economy here"
    return by_model


def shock(baseline):
    """Tariffs 20 points higher on every tradable international flow."""
    offdiag = ~np.eye(baseline.n_regions, dtype=bool)[:, :, None] & baseline.tradable
    return np.where(offdiag, baseline.tariffs + 0.2, baseline.tariffs)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_implements_the_protocol(name):
    model = MODELS[name]
    assert isinstance(model, Model)
    assert name == model.NAME
    assert model.ELASTICITY_FIELD is None or model.ELASTICITY_FIELD in model.Params._fields


@pytest.mark.parametrize("name", sorted(MODELS))
def test_zero_shock_changes_nothing(name, economies):
    b = economies[name]
    eq = solve(name, b, b.tariffs)
    out = eq.outcomes
    assert eq.converged and eq.max_residual < 1e-10
    np.testing.assert_allclose(out["welfare_hat"], 1.0, atol=1e-10)
    np.testing.assert_allclose(out["trade_new"], out["trade_old"], rtol=1e-9, atol=1e-12 * out["trade_old"].max())
    for key, value in eq.regions().items():
        if key.endswith("_pct"):
            assert np.abs(value.to_numpy()).max() < 1e-7, key


@pytest.mark.parametrize("name", sorted(MODELS))
def test_accounts_add_up_under_a_shock(name, economies):
    b = economies[name]
    tariffs = shock(b)
    eq = solve(name, b, tariffs)
    out = eq.outcomes
    trade = out["trade_new"]
    scale = trade.sum()
    assert eq.converged
    assert abs(out["deficit_new"].sum()) < 1e-10 * scale
    np.testing.assert_allclose(out["tariff_revenue_new"], (tariffs * trade).sum(axis=(1, 2)), atol=1e-10 * scale)
    international = trade * ~np.eye(b.n_regions, dtype=bool)[:, :, None]
    np.testing.assert_allclose(out["exports_new"], international.sum(axis=(0, 2)), atol=1e-10 * scale)
    np.testing.assert_allclose(out["imports_new"], international.sum(axis=(1, 2)), atol=1e-10 * scale)
    assert not np.allclose(out["welfare_hat"], 1.0)  # the shock is one


@pytest.mark.parametrize("name", sorted(MODELS))
def test_theta_option_is_the_trade_elasticity(name, economies):
    b = economies[name]
    model = MODELS[name]
    theta = np.linspace(2.5, 3.5, b.n_sectors)
    np.testing.assert_allclose(model.trade_elasticity(model.params(b, b.tariffs, theta=theta)), theta, rtol=1e-14)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_draws_run_on_every_model(name, economies):
    """Draws set what each model's params derive from theta (Ossa's sigma = theta + 1, gravity's
    scalar sigma); the centre draw equals the point solve."""
    b = economies[name]
    model = MODELS[name]
    centre = np.asarray(model.trade_elasticity(model.params(b, b.tariffs)))
    thetas = np.stack([centre, 0.8 * centre, 1.25 * centre])
    tariffs = shock(b)
    res = solve_draws(name, b, tariffs, thetas)
    assert res.n_failed == 0
    point = solve(name, b, tariffs).regions()
    np.testing.assert_allclose(res.summary["welfare_pct"][0], point["welfare_pct"].to_numpy(), rtol=1e-8, atol=1e-10)
    assert not np.allclose(res.summary["welfare_pct"][1], res.summary["welfare_pct"][0])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_calibrate_to_zero_deficits_balances_or_refuses_in_one_line(name, economies):
    b = economies[name]
    unbalanced = multi_sector(2) if b.n_sectors > 1 else b
    assert np.abs(unbalanced.deficit).max() > 1e-6 * unbalanced.value_added.sum()
    model = MODELS[name]
    try:
        balanced = prepare_baseline(unbalanced, model, "zero")
    except InputError as e:
        assert "\n" not in str(e) and e.field == "model.deficits"
        return
    assert np.abs(balanced.deficit).max() < 1e-8 * balanced.value_added.sum()
    eq = solve(name, balanced, balanced.tariffs, deficits="zero")
    np.testing.assert_allclose(eq.outcomes["welfare_hat"], 1.0, atol=1e-9)
