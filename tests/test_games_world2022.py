"""Issue 3 on the bundled 2022 world data: the US-China Nash tariff war with every other region
passive, the Nash-bargaining deal with the war as threat point, and both set beside the actual
post-Busan tariffs (us-china-2025, step of 2025-11-10) by `tradewar.games.compare`.

No published targets exist for this case, so nothing here is a hard-coded result: the tests
check certificates (first-order and deviation-gain residuals, equilibrium residuals), relations
the answers must satisfy (every player gains over the war in the deal; the deal's tariffs
between the two are below the war's) and that the comparison's numbers are the ones the games,
the scenario module and an independent solve give (to 1e-9 where the same computation is
repeated, 1e-6 % where the same equilibrium is solved again from scratch).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from tradewar.data.registry import load_dataset
from tradewar.errors import InputError
from tradewar.games import Game, bargaining, nash
from tradewar.games import compare as tc
from tradewar.games.nash import DEVIATION_TOL
from tradewar.games.optimise import FOC_TOL
from tradewar.scenario.compile import compile_steps
from tradewar.scenario.run import average_tariff, scenario_inputs
from tradewar.scenario.spec import load_scenario
from tradewar.solver.equilibrium import solve

PLAYERS = ["USA", "CHN"]


@pytest.fixture(scope="module")
def game():
    return Game("caliendo-parro", load_dataset("world2022"))


@pytest.fixture(scope="module")
def war(game):
    return nash(game, "USA,CHN", targets="players")


@pytest.fixture(scope="module")
def deal(game, war):
    return bargaining(game, "USA,CHN", threat=war)


@pytest.fixture(scope="module")
def step(game):
    return tc.resolve_step("us-china-2025", game, "world2022")


@pytest.fixture(scope="module")
def columns(game, war, deal, step):
    return {
        "baseline": None,
        "war": tc.game_column(war),
        "deal": tc.game_column(deal),
        "step": tc.evaluate_step(game, step),
    }


@pytest.fixture(scope="module")
def frame(game, columns):
    return tc.comparison(game, PLAYERS, columns)


def _value(frame, region, measure, partner=""):
    rows = frame[(frame.region == region) & (frame.measure == measure) & (frame.partner == partner)]
    assert len(rows) == 1, (region, measure, partner)
    return rows.iloc[0]


# ------------------------------------------------------------------ the war and the deal
def test_war_is_certified_nash_equilibrium(game, war):
    assert war.kind == "nash" and war.converged
    assert war.players == ("USA", "CHN")
    cert = war.certificate
    assert set(cert.deviation_gain_pct) == set(PLAYERS)
    assert cert.max_deviation_gain_pct <= DEVIATION_TOL  # 1e-6 %: no player gains by deviating
    assert cert.equilibrium_residual <= 1e-9
    assert cert.foc_residual <= 10 * FOC_TOL  # nash's own first-order tolerance
    # Every other region passive: only US tariffs on China and China's on the US moved.
    b = game.baseline
    us, cn = b.region_index("USA"), b.region_index("CHN")
    moved = np.argwhere(np.abs(war.tariffs - b.tariffs) > 0)
    assert len(moved) > 0
    assert {(int(n), int(i)) for n, i, _ in moved} <= {(us, cn), (cn, us)}
    assert war.chosen[us, cn].any() and war.chosen[cn, us].any()
    assert war.chosen.sum() == war.chosen[us, cn].sum() + war.chosen[cn, us].sum()


def test_deal_gains_over_the_war_for_every_player(game, war, deal):
    assert deal.kind == "bargaining" and deal.converged
    assert deal.certificate.foc_residual <= FOC_TOL and deal.certificate.equilibrium_residual <= 1e-9
    idx = [game.baseline.region_index(p) for p in PLAYERS]
    assert np.all(deal.payoff_pct[idx] > war.payoff_pct[idx])  # strictly better than the threat point
    # The reported threat point is this war, and the reported gains follow from the payoffs.
    for p, k in zip(PLAYERS, idx):
        assert deal.details["threat_payoff_pct"][p] == pytest.approx(war.payoff_pct[k], abs=1e-12)
        gain = 100 * ((1 + deal.payoff_pct[k] / 100) / (1 + war.payoff_pct[k] / 100) - 1)
        assert deal.details["gain_over_war_pct"][p] == pytest.approx(gain, abs=1e-9)
        assert gain > 0


def test_mfn_deal_found_near_the_war(game):
    """MFN talks: at the MFN war each side's tariffs are best responses on the whole world, so
    neither the factual tariffs nor free trade need beat the war for both; a joint cut of the
    war's tariffs does (first-order gain for each). `bargaining` starts from such a cut and
    finds a deal that both prefer to the MFN war (before, this raised a meaningless error)."""
    deal = bargaining(game, ",".join(PLAYERS), mfn=True)
    assert deal.converged and deal.certificate.foc_residual <= FOC_TOL
    assert all(deal.details["gain_over_war_pct"][p] > 0 for p in PLAYERS)
    assert deal.details["threat_certificate"]["max_deviation_gain_pct"] <= DEVIATION_TOL


def test_deal_tariffs_between_the_two_are_below_the_war(game, war, deal):
    b = game.baseline
    for importer, exporter in (("USA", "CHN"), ("CHN", "USA")):
        in_deal = average_tariff(b, deal.tariffs, importer, exporter)
        in_war = average_tariff(b, war.tariffs, importer, exporter)
        assert in_deal < in_war, (importer, exporter, in_deal, in_war)


# ------------------------------------------------------------------ beside the post-Busan step
def test_step_is_the_post_busan_step_of_the_scenario(game, step):
    spec = load_scenario("us-china-2025")
    assert step.number == len(spec.steps)  # default: the last step
    assert step.date == "2025-11-10" and "Busan" in step.label
    # The same step named by its date, by its number and by a piece of its label.
    for name in ("us-china-2025:2025-11-10", f"us-china-2025:{len(spec.steps)}", "us-china-2025:Busan deal in force"):
        assert tc.resolve_step(name, game, "world2022").number == step.number
    compiled = compile_steps(spec, game.baseline)[-1]
    np.testing.assert_array_equal(step.tariffs, compiled.tariffs)
    assert step.other_instruments == ["export limits"]  # the eased rare-earth controls
    assert any("export limits" in n for n in step.notes)
    # A note is read in the terminal too: it names no JSON key (step_with_all_instruments)
    assert not [n for n in step.notes if re.search(r"\b[a-z]+(_[a-z]+)+\b", n)], step.notes


def test_comparison_structure(frame, columns):
    assert list(frame.columns) == ["region", "measure", "partner", *columns]
    expected = [
        ("USA", "tariff_pct", "CHN"),
        ("USA", "tariff_pct", "non-players"),
        ("USA", "welfare_pct", ""),
        ("CHN", "tariff_pct", "USA"),
        ("CHN", "tariff_pct", "non-players"),
        ("CHN", "welfare_pct", ""),
        ("non-players", "welfare_pct", ""),
        ("world", "welfare_pct", ""),
    ]
    assert list(frame[["region", "measure", "partner"]].itertuples(index=False, name=None)) == expected
    assert np.isfinite(frame[list(columns)].to_numpy()).all()


def test_comparison_tariffs_are_the_scenario_modules(game, frame, war, deal, step):
    """Each tariff cell is average_tariff of that column's tariffs; the post-Busan averages
    equal what the scenario module computes for that step (scenario_inputs, as `tradewar run`)."""
    b = game.baseline
    _name, base, _options, steps = scenario_inputs(load_scenario("us-china-2025"))
    post_busan = steps[-1][0]
    assert post_busan.date == "2025-11-10"
    others = [r for r in b.regions if r not in PLAYERS]
    for importer, exporter in (("USA", "CHN"), ("CHN", "USA")):
        row = _value(frame, importer, "tariff_pct", exporter)
        assert row["step"] == pytest.approx(average_tariff(base, post_busan.tariffs, importer, exporter), abs=1e-12)
        assert row["war"] == pytest.approx(average_tariff(b, war.tariffs, importer, exporter), abs=1e-12)
        assert row["deal"] == pytest.approx(average_tariff(b, deal.tariffs, importer, exporter), abs=1e-12)
        assert row["baseline"] == pytest.approx(average_tariff(b, b.tariffs, importer, exporter), abs=1e-12)
        row = _value(frame, importer, "tariff_pct", "non-players")
        assert row["step"] == pytest.approx(average_tariff(base, post_busan.tariffs, importer, others), abs=1e-12)
        # targets="players": the war and the deal leave tariffs on third countries as they were.
        assert row["war"] == pytest.approx(row["baseline"], abs=1e-12)
        assert row["deal"] == pytest.approx(row["baseline"], abs=1e-12)


def test_comparison_welfare_is_the_games_payoff_measure(game, frame, war, deal, step, columns):
    """Welfare cells are 100 (welfare_hat - 1), the games' payoff (exact real income), for the
    step too: the same number as an independent solve's real_income_pct, not CP's linearised
    welfare_pct (eq. 16)."""
    b = game.baseline
    eq = solve("caliendo-parro", b, step.tariffs)  # tariffs only, solved from scratch
    regions = eq.regions()
    for p in PLAYERS:
        k = b.region_index(p)
        row = _value(frame, p, "welfare_pct")
        assert row["war"] == pytest.approx(war.welfare_pct[k], abs=1e-12)
        assert row["deal"] == pytest.approx(deal.welfare_pct[k], abs=1e-12)
        assert row["baseline"] == 0.0
        assert row["step"] == pytest.approx(regions.loc[p, "real_income_pct"], abs=1e-6)
        assert row["deal"] > row["war"]
    assert columns["step"]["converged"] and columns["step"]["max_residual"] <= 1e-9
    # World and non-player rows: income-weighted averages of welfare_hat.
    w = b.income
    others = [k for k, r in enumerate(b.regions) if r not in PLAYERS]
    hat = eq.outcomes["welfare_hat"]
    assert _value(frame, "world", "welfare_pct")["step"] == pytest.approx(100 * (w @ hat / w.sum() - 1), abs=1e-6)
    assert _value(frame, "non-players", "welfare_pct")["step"] == pytest.approx(
        100 * (w[others] @ hat[others] / w[others].sum() - 1), abs=1e-6
    )


def test_beside_dict_and_the_step_with_all_instruments(game, war, columns, step, frame):
    """The JSON object: rows as in the frame; the step with its export limits too equals the
    scenario's own solve of that step (same measure, real_income_pct)."""
    out = tc.beside_dict(game, PLAYERS, step, columns, war=war)
    json.dumps(out)
    assert out["scenario"] == "us-china-2025" and out["step"]["date"] == "2025-11-10"
    assert list(out["columns"]) == ["baseline", "war", "deal", "step"]
    assert len(out["rows"]) == len(frame)
    assert out["war"]["converged"] and out["war"]["certificate"]["max_deviation_gain_pct"] <= DEVIATION_TOL
    # the talks' model keeps its long-run elasticities (tradewar run solves the scenario at the short horizon)
    name, base, options, steps = scenario_inputs(load_scenario("us-china-2025"), horizon="long")
    post_busan, extra = steps[-1]
    assert set(extra) == {"export_limits", "limit_slots"}  # limits padded to the scenario's slots
    eq = solve(name, base, post_busan.tariffs, **options, **extra)
    full = out["step_with_all_instruments"]
    assert full["instruments"] == ["tariffs", "export limits"] and full["converged"]
    for p in PLAYERS:
        assert full["welfare_pct"][p] == pytest.approx(eq.regions().loc[p, "real_income_pct"], abs=1e-6)


def test_comparison_without_a_war_and_model_option_notes(game, frame, columns):
    """Equal-gains talks have no war column: the other columns are unchanged. A scenario with
    another deficit closure is evaluated in the talks' model, and a note says so."""
    partial = tc.comparison(game, PLAYERS, {k: v for k, v in columns.items() if k != "war"})
    assert list(partial.columns) == ["region", "measure", "partner", "baseline", "deal", "step"]
    assert partial.equals(frame.drop(columns=["war"]))
    other = tc.resolve_step("deficit-rebalancing:1", game, "world2022")
    assert other.notes == ("the scenario's model.deficits is close; the talks' (fixed) is used",)


def test_cli_talks_beside_json(capsys, frame):
    """`tradewar talks --players USA,CHN --beside us-china-2025 --json`: the talks object keeps
    every key and gains `beside`, whose rows are this file's comparison (the same games solved
    again from the same start, so equal to solver precision)."""
    import sys

    from tradewar.cli import main

    capsys.readouterr()
    old, sys.argv = sys.argv, ["tradewar", "talks", "--players", "USA,CHN", "--beside", "us-china-2025", "--json"]
    try:
        with pytest.raises(SystemExit) as done:  # the console entry point always exits with a status
            main()
    finally:
        sys.argv = old
    assert done.value.code == 0
    run = capsys.readouterr()
    lines = run.out.strip().splitlines()
    assert len(lines) == 1, run.err
    out = json.loads(lines[0])
    assert set(out) == {
        "kind",
        "model",
        "dataset",
        "objective",
        "players",
        "mfn",
        "converged",
        "iterations",
        "evaluations",
        "seconds",
        "certificate",
        "regions",
        "details",
        "tariffs",
        "beside",
        "horizon",
    }
    assert out["horizon"] == "long"
    assert out["kind"] == "bargaining" and out["converged"] is True
    side = out["beside"]
    assert side["step"]["date"] == "2025-11-10" and side["war"]["converged"] is True
    assert [(r["region"], r["measure"], r["partner"]) for r in side["rows"]] == list(
        frame[["region", "measure", "partner"]].itertuples(index=False, name=None)
    )
    for r, (_, expected) in zip(side["rows"], frame.iterrows()):
        for c in ("baseline", "war", "deal", "step"):
            assert r[c] == pytest.approx(expected[c], abs=1e-6), (r, c)
    # The talks' own threat point is the war shown beside it.
    for p in PLAYERS:
        welfare = next(r["war"] for r in side["rows"] if r["region"] == p and r["measure"] == "welfare_pct")
        assert out["details"]["threat_payoff_pct"][p] == pytest.approx(welfare, abs=1e-9)


# ------------------------------------------------------------------ bad --beside values
@pytest.mark.parametrize(
    "value, words",
    [
        ("us-china-2052", ["us-china-2052", "us-china-2025"]),  # unknown scenario, lists the bundled ones
        ("us-china-2025:2031-01-01", ["2031-01-01", "2025-11-10"]),  # unknown step, lists the steps
        ("us-china-2025:Busan", ["matches 2 steps", "2025-10-30", "2025-11-10"]),  # ambiguous
        ("us-china-2025:19", ["out of range", "1 to 18"]),
        ("ossa-us-tariff", ["ossa2014", "world2022", "--dataset ossa2014"]),  # another dataset
    ],
)
def test_bad_beside_values(game, value, words):
    with pytest.raises(InputError) as e:
        tc.resolve_step(value, game, "world2022")
    assert e.value.field == "beside"
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("--beside")
    for w in words:
        assert w in msg, (w, msg)
