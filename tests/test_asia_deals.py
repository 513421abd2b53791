"""The Asia-tour deals (issue 13, Build item 5): the bundled scenario and the US-partner talks
with the April 2025 rates as the threat point.

- the scenario asia-tour-deals is what scripts/build_scenarios.py makes of the reciprocal-rates
  files (../shared/data/recent/us_tariffs_2025: Annex I of 2025-04-02 and the rates of
  2025-08-07), validates, and every step converges;
- the Nash-bargaining deal of USA-JPN against the April rates is certified (first-order
  residual, largest gain in the Nash product from other starts under 1e-6 %), both sides gain
  over the threat, its payoffs and the threat's equal independent solves, and no signed deal
  that leaves both better off than the threat has a larger Nash product;
- `tradewar talks --threat april-2025` adds the key threat_point to the JSON, and bad input is
  one line with exit status 2.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import timeline as tl  # scripts/timeline.py (pytest puts scripts/ on the path: pyproject)
from build_scenarios import ASIA_DEAL_PARTNERS
from checks import tradewar_cli

from tradewar.data.registry import load_dataset
from tradewar.games import Game
from tradewar.games.deals import ASIA_SCENARIO, THREATS, deal_talks, threat_tariffs
from tradewar.games.optimise import FOC_TOL
from tradewar.models.horizon import parse_horizon
from tradewar.scenario.compile import compile_steps
from tradewar.scenario.run import run_scenario
from tradewar.scenario.spec import load_scenario
from tradewar.solver.equilibrium import solve

REBUILD = "run: python scripts/build_scenarios.py"


@pytest.fixture(scope="module")
def world():
    return load_dataset("world2022")


@pytest.fixture(scope="module")
def src():
    return tl.Sources()


@pytest.fixture(scope="module")
def steps(world):
    return compile_steps(load_scenario(ASIA_SCENARIO), world)


def test_the_scenario_is_the_reciprocal_rates_files_on_the_timeline(world, src, steps):
    scenario = load_scenario(ASIA_SCENARIO)
    assert [s.date for s in scenario.steps] == ["2025-04-09", "2025-08-07", "2025-11-10"]
    assert "reciprocal_rates_2025-08-07.csv" in scenario.description
    assert "ASEAN_OTH" in scenario.description  # how the aggregate holding Cambodia is treated
    timeline = {s.date: s for s in tl.STEPS}
    which = {"2025-04-09": "april", "2025-08-07": "august", "2025-11-10": "august"}
    for step in steps:
        rates = src.reciprocal_rates(which[step.date])
        want = tl.levels_pct(
            world, tl.step_increases(src, timeline[step.date], {p: float(rates[p]) for p in ASIA_DEAL_PARTNERS})
        )
        assert np.abs(100 * step.tariffs - want).max() < 0.006, (step.date, REBUILD)
    # a sector the reciprocal rate reaches in full (no Section 232, no carve-out): the file's rate
    us, jpn, textiles = world.region_index("USA"), world.region_index("JPN"), world.sector_index("TEXT")
    applied = 100 * world.tariffs[us, jpn, textiles]
    for step, which_file in zip(steps[:2], ("april", "august")):
        rate = float(src.reciprocal_rates(which_file)["JPN"])
        assert 100 * step.tariffs[us, jpn, textiles] == pytest.approx(applied + rate, abs=0.006)
    # Cambodia (49 % -> 19 %) is one member of ASEAN_OTH: the region's tariff falls, by less
    asean = world.region_index("ASEAN_OTH")
    fall = 100 * (steps[0].tariffs[us, asean, textiles] - steps[1].tariffs[us, asean, textiles])
    assert 0 < fall < 49 - 19


def test_every_step_converges(steps):
    result = run_scenario(load_scenario(ASIA_SCENARIO))
    assert len(result.steps) == len(steps)
    for s in result.steps:
        assert s.equilibrium.converged, (s.label, s.equilibrium.max_residual)
    japan = [s.equilibrium.regions().loc["JPN", "real_income_pct"] for s in result.steps]
    assert japan[1] > japan[0]  # the deal's 15 % hurts Japan less than April's 24 %


@pytest.fixture(scope="module")
def game(world):
    return Game("caliendo-parro", world)


@pytest.fixture(scope="module")
def japan(game):
    return deal_talks(game, "USA,JPN", "april-2025")


def test_the_deal_is_certified_and_both_gain_over_the_april_threat(japan):
    deal = japan.deal
    assert deal.converged
    assert deal.certificate.foc_residual <= FOC_TOL
    assert deal.certificate.max_deviation_gain_pct < 1e-6
    assert deal.certificate.equilibrium_residual < 1e-8
    gains = japan.column(deal)["gain_over_threat_pct"]
    assert gains["USA"] > 0 and gains["JPN"] > 0, gains


def test_thailand_deal_where_the_us_gains_little_is_certified_below_1e_6_pct(game):
    """The US gains 0.01 % over the April threat in the US-Thailand deal, so the Nash product
    log(d_US) + log(d_THA) is ill-conditioned (curvature ~ 1/d^2 along the US payoff). There
    L-BFGS-B stopped with a first-order residual of 2.7e-6 and its restarts 2.6e-6 % apart in
    the product; projected Newton (`tradewar.games.optimise.uses_newton`) reaches the same deal
    from every start: the certificate is at the equilibrium's value noise (about 1e-8 %)."""
    deal = deal_talks(game, "USA,THA", "april-2025").deal
    assert deal.converged
    assert deal.certificate.max_deviation_gain_pct < 1e-6
    assert deal.certificate.foc_residual < 1e-8
    assert min(deal.details["gain_over_war_pct"].values()) > 0


def test_threat_and_signed_payoffs_are_independent_solves(game, japan):
    background, threatened = threat_tariffs(game, ["USA", "JPN"], "april-2025")
    for result, tariffs in ((japan.threat, threatened), (japan.signed, background), (japan.deal, japan.deal.tariffs)):
        eq = solve("caliendo-parro", game.baseline, tariffs)
        assert eq.converged
        assert np.allclose(100 * (eq.outcomes["welfare_hat"] - 1), result.payoff_pct, atol=1e-9)
    # the model's deal changes only the two players' tariffs on each other; the rest is the background
    us, jpn = game.baseline.region_index("USA"), game.baseline.region_index("JPN")
    same = np.ones(background.shape, bool)
    same[us, jpn] = same[jpn, us] = False
    assert np.array_equal(japan.deal.tariffs[same], background[same])


def test_no_signed_deal_beats_the_model_deal_on_the_nash_product(japan):
    """The deal maximises the product of the gains over the threat (Nash 1950); the signed deal
    is one policy of the same space, so its product cannot be larger."""

    def product(result):
        g = japan.column(result)["gain_over_threat_pct"]
        return g["USA"] * g["JPN"] if min(g.values()) > 0 else -np.inf

    assert product(japan.deal) >= product(japan.signed)


def test_cli_threat_point_json_and_errors():
    run = tradewar_cli("talks", "--players", "USA,MYS", "--threat", "april-2025", "--json")
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout)
    assert out["kind"] == "bargaining" and out["converged"] is True  # the deal's usual keys stay
    point = out["threat_point"]
    assert point["scenario"] == ASIA_SCENARIO and point["name"] in THREATS
    assert all(v > 0 for v in point["deal"]["gain_over_threat_pct"].values())
    assert point["signed"]["tariffs_pct"]["USA_on_MYS"] < point["threat"]["tariffs_pct"]["USA_on_MYS"]
    assert out["certificate"]["max_deviation_gain_pct"] < 1e-6
    for argv, field in (
        (("--players", "USA,CHN", "--threat", "april-2025"), "players"),
        (("--players", "USA,JPN", "--threat", "may-2025"), "--threat"),
        (("--players", "USA,JPN", "--threat", "april-2025", "--kind", "equal-gains"), "--threat"),
    ):
        bad = tradewar_cli("talks", *argv)
        assert bad.returncode == 2, bad.stderr
        lines = bad.stderr.strip().splitlines()
        assert len(lines) == 1 and field in lines[0] and "Traceback" not in bad.stderr


def test_cli_threat_point_at_the_short_horizon(world):
    """`tradewar talks --threat april-2025 --horizon short` plays the talks at one-year trade
    elasticities (`tradewar.models.horizon`, as `tradewar frontier --horizon`): the threat's
    payoffs equal an independent solve of the April tariffs at the scaled elasticities (1e-9 %:
    the same equilibrium solved twice to 1e-10), and the deal is certified below 1e-6 %."""
    run = tradewar_cli("talks", "--players", "USA,KOR", "--threat", "april-2025", "--horizon", "short", "--json")
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout)
    assert out["horizon"] == "short" and out["converged"] is True
    assert out["certificate"]["max_deviation_gain_pct"] < 1e-6
    _background, threatened = threat_tariffs(Game("caliendo-parro", world), ["USA", "KOR"], "april-2025")
    short = solve("caliendo-parro", world, threatened, theta=parse_horizon("short").theta(world.theta))
    long = solve("caliendo-parro", world, threatened)
    for code in ("USA", "KOR"):
        k = world.region_index(code)
        assert out["threat_point"]["threat"]["payoff_pct"][code] == pytest.approx(
            100 * (short.outcomes["welfare_hat"][k] - 1), abs=1e-9
        )
        assert abs(100 * (short.outcomes["welfare_hat"][k] - long.outcomes["welfare_hat"][k])) > 1e-3
    bad = tradewar_cli("talks", "--players", "USA,KOR", "--threat", "april-2025", "--horizon", "soon")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "--horizon" in bad.stderr
