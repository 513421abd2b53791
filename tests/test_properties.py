"""Properties every Caliendo-Parro equilibrium must have, on synthetic economies (Hypothesis)."""

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.data.synthetic import synthetic_raw
from tradewar.models.caliendo_parro import calibrate
from tradewar.solver.equilibrium import solve

MODEL = "caliendo-parro"
SEEDS = st.integers(0, 2**16)
PROPERTY_SETTINGS = settings(max_examples=12, deadline=None)


def economy(seed):
    return calibrate(synthetic_raw(4, 3, seed=seed), tol=1e-13)


def tariff_shock(baseline, seed, size=0.3):
    rng = np.random.default_rng(seed)
    offdiag = ~np.eye(baseline.n_regions, dtype=bool)[:, :, None] & baseline.tradable
    return np.where(offdiag, baseline.tariffs + rng.uniform(-0.1, size, baseline.tariffs.shape), 0.0).clip(0.0)


@PROPERTY_SETTINGS
@given(seed=SEEDS)
def test_zero_shock_changes_nothing(seed):
    b = economy(seed)
    eq = solve(MODEL, b, b.tariffs)
    out = eq.outcomes
    for key in ("wage_hat", "price_hat", "cost_hat", "real_income_hat"):
        assert np.abs(out[key] - 1).max() < 1e-12, key
    flows = out["trade_old"] > 0
    assert np.abs(out["trade_new"][flows] / out["trade_old"][flows] - 1).max() < 1e-12
    assert np.all(out["trade_new"][~flows] == 0)


@PROPERTY_SETTINGS
@given(seed=SEEDS, shock=SEEDS)
def test_counterfactual_accounts_balance(seed, shock):
    # The counterfactual economy is itself a valid baseline: goods markets clear with
    # income = value added + tariff revenue + deficit, and world deficits sum to zero.
    b = economy(seed)
    tariffs = tariff_shock(b, shock)
    eq = solve(MODEL, b, tariffs)
    after = replace(b, name="counterfactual", trade=eq.outcomes["trade_new"], tariffs=tariffs)
    after.validate()
    assert abs(after.deficit.sum()) < 1e-10 * after.value_added.sum()
    # deficits held fixed in units of world value added
    np.testing.assert_allclose(after.deficit, b.deficit, atol=1e-9 * b.value_added.sum())


@PROPERTY_SETTINGS
@given(seed=SEEDS, shock=SEEDS, unit=st.sampled_from([1e-6, 1e3, 1e9]))
def test_results_do_not_depend_on_the_unit_of_money(seed, shock, unit):
    b = economy(seed)
    tariffs = tariff_shock(b, shock)
    scaled = replace(b, trade=b.trade * unit)
    one, other = solve(MODEL, b, tariffs), solve(MODEL, scaled, tariffs)
    for key in ("wage_hat", "price_hat", "real_income_hat", "welfare_linear"):
        np.testing.assert_allclose(one.outcomes[key], other.outcomes[key], rtol=1e-9, atol=1e-12)


@PROPERTY_SETTINGS
@given(seed=SEEDS, pair=st.tuples(st.integers(0, 3), st.integers(0, 3)).filter(lambda p: p[0] != p[1]))
def test_bilateral_tariff_cut_raises_that_pairs_trade(seed, pair):
    b = economy(seed)
    n, i = pair
    tariffs = b.tariffs.copy()
    tariffs[n, i, b.tradable] += 0.2  # raise first, then compare the cut against that world
    high = solve(MODEL, b, tariffs)
    low = solve(MODEL, b, b.tariffs)
    j = np.flatnonzero(b.tradable)
    assert np.all(low.outcomes["trade_new"][n, i, j] > high.outcomes["trade_new"][n, i, j])
