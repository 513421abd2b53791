"""The overview table and the US headline figures (`tradewar.report.summary`), checked against
the model's own outcomes recomputed here, and the number format people read."""

from __future__ import annotations

import numpy as np
import pytest

from tradewar.report.numbers import format_number
from tradewar.report.summary import (
    MONEY_UNITS,
    US_HOUSEHOLDS_2022,
    add_headline_keys,
    formatted_rows,
    headline,
    headline_sentences,
    money_unit,
    overview,
)
from tradewar.scenario.run import run_scenario
from tradewar.scenario.spec import parse_scenario


@pytest.fixture(scope="module")
def two_steps():
    """US +20 points on China, then China +20 on the US: two steps on the bundled world2022."""
    return run_scenario(
        parse_scenario(
            {
                "title": "two steps",
                "dataset": {"source": "world2022"},
                "model": {"name": "caliendo-parro", "deficits": "fixed"},
                "step": [
                    {
                        "date": "2025-02-04",
                        "label": "US +20",
                        "policy": [{"importer": "USA", "exporter": "CHN", "add_pp": 20}],
                    },
                    {
                        "date": "2025-03-04",
                        "label": "China +20",
                        "policy": [{"importer": "CHN", "exporter": "USA", "add_pp": 20}],
                    },
                ],
            }
        )
    )


def test_headline_is_the_models_outcomes_in_dollars(two_steps):
    eq = two_steps.steps[-1].equilibrium
    out, u = eq.outcomes, eq.baseline.region_index("USA")
    h = headline(eq)
    # consumer prices relative to wages: P'/w' over P/w, from the CPI and wage changes themselves
    prices = 100 * (out["cpi_hat"][u] / out["wage_hat"][u] - 1)
    assert h["us_consumer_prices_pct"] == pytest.approx(prices, rel=1e-12)
    assert h["us_consumer_prices_pct"] > 0  # a tariff on imports raises what the basket costs
    # world2022 money is USD million of 2022; final expenditure is the model's income
    income_usd = out["income_old"][u] * 1e6
    assert 20e12 < income_usd < 30e12  # US final expenditure 2022: about 26 trillion dollars
    assert h["us_cost_per_household_usd"] == pytest.approx(prices / 100 * income_usd / 131_202_000, rel=1e-12)
    real_income_loss = -(out["real_income_hat"][u] - 1) * income_usd / 131_202_000
    assert h["us_real_income_cost_per_household_usd"] == pytest.approx(real_income_loss, rel=1e-12)
    # revenue: tariff x imports net of tariffs, summed by hand from the new flows
    revenue = np.sum(eq.tariffs[u] * out["trade_new"][u]) - np.sum(eq.tariffs[u, u] * out["trade_new"][u, u])
    assert h["us_tariff_revenue_usd_bn"] == pytest.approx(revenue * 1e6 / 1e9, rel=1e-9)
    base = np.sum(eq.baseline.tariffs[u] * eq.baseline.trade[u])
    assert h["us_tariff_revenue_change_usd_bn"] == pytest.approx((revenue - base) * 1e-3, rel=1e-6)
    assert h["money_year"] == 2022


def test_money_unit_is_known_only_where_documented(two_steps, small_economy):
    assert money_unit(two_steps.baseline) is MONEY_UNITS["world2022"]
    assert MONEY_UNITS["world2022"].households == US_HOUSEHOLDS_2022
    assert money_unit(small_economy) is None


def test_overview_rows_and_columns(two_steps):
    view = overview(two_steps)
    keys = [c.key for c in view.columns]
    assert keys[0] == "date" and keys[1:4] == [
        "us_tariff_on_china_pct",
        "china_tariff_on_us_pct",
        "us_imports_from_china_pct",
    ]
    assert [k for k in keys if k.startswith("welfare_")] == ["welfare_USA", "welfare_CHN", "welfare_EU27"]
    assert keys[-3:] == ["us_consumer_prices_pct", "us_cost_per_household_usd", "us_tariff_revenue_usd_bn"]
    assert len(set(keys)) == len(keys)  # no duplicated column
    for c in view.columns[1:]:
        assert any(unit in c.header for unit in ("%", "$")), c.header  # a unit in every header
    # dated steps are solved at the short horizon; the last one again in the long run, as a last row
    assert two_steps.long_run is not None
    assert [r["date"] for r in view.rows] == ["2025-02-04", "2025-03-04", "long run"]
    end = view.rows[-1]
    assert end["welfare_USA"] == two_steps.long_run.equilibrium.regions().loc["USA", "real_income_pct"]
    assert end["us_tariff_on_china_pct"] == view.rows[1]["us_tariff_on_china_pct"]  # same tariffs, longer run
    # the US tariff on China rose by 20 points in step 1 and stays; China's rises in step 2
    first, second = view.rows[:2]
    assert second["us_tariff_on_china_pct"] == pytest.approx(first["us_tariff_on_china_pct"])
    assert second["china_tariff_on_us_pct"] > first["china_tariff_on_us_pct"] + 15
    assert first["us_imports_from_china_pct"] < 0
    regions = two_steps.steps[0].equilibrium.regions()
    assert first["welfare_USA"] == regions.loc["USA", "real_income_pct"]
    assert view.welfare_measure == "real_income_pct"
    assert len(formatted_rows(view)) == 3


def test_headline_sentences_name_the_last_step(two_steps):
    view = overview(two_steps)
    text = " ".join(headline_sentences(view))
    last = view.rows[-1]
    assert text.startswith("Last step, 2025-03-04 (China +20): US consumer prices ")
    assert f"${format_number(last['us_cost_per_household_usd'], -1, False)} per household a year" in text
    assert "2022 dollars" in text


def test_json_keys_are_added_not_renamed(two_steps):
    before = two_steps.to_dict()
    after = add_headline_keys(two_steps.to_dict(), two_steps)
    assert set(after) == set(before) | {"headline"}
    for old, new in zip(before["steps"], after["steps"]):
        assert set(new) == set(old) | {"headline"}
    assert after["headline"] == headline(two_steps.steps[-1].equilibrium)


def test_overview_without_us_china_or_dollars(small_economy):
    from tradewar.scenario.run import ScenarioResult, StepResult
    from tradewar.solver.equilibrium import solve

    tariffs = small_economy.tariffs.copy()
    tariffs[0, 1] += 0.1
    eq = solve("caliendo-parro", small_economy, tariffs)
    result = ScenarioResult("small", small_economy, [StepResult(None, "one step", eq)])
    view = overview(result)
    assert [c.key for c in view.columns] == ["date"] + [f"welfare_{c}" for c in small_economy.regions[:3]]
    assert view.money is None and headline_sentences(view) == [] and headline(eq) == {}
    assert view.rows[0]["date"] == "step 1"


@pytest.mark.parametrize(
    ("value", "digits", "signed", "text"),
    [
        (-0.0001, 2, True, "0.00"),  # never "-0.00"
        (-0.004999, 2, False, "0.00"),
        (0.005001, 2, True, "+0.01"),
        (-0.126, 2, True, "-0.13"),
        (1747.46, -1, False, "1,750"),
        (-1747.46, -1, True, "-1,750"),
        (float("nan"), 2, True, "-"),
        (None, 2, True, "-"),
        (np.float32(2.5), 1, False, "2.5"),
        ("USA", 2, True, "USA"),
    ],
)
def test_format_number(value, digits, signed, text):
    assert format_number(value, digits, signed) == text
