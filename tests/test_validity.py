"""An equilibrium is valid or it is an error (issue 11, finding 2).

The Caliendo-Parro equations are polynomial in expenditure, so Newton can converge (residual
~1e-13) to a root with negative trade flows, incomes or outputs: the shocks below have no
equilibrium with positive quantities (a 1,000 % tariff on everything leaves the surplus
regions unable to earn their fixed surpluses; a 90 % import subsidy on India's chemicals costs
the importers more than their income). Before the fix these roots came back as converged
(exit 0, TWN real income -166 %, 666 negative bilateral flows). Every solution must now pass
a check before it is returned: flows, incomes, expenditures, outputs and prices finite and
non-negative (income and prices positive), tariff revenue consistent with the tariffs' signs.
A root that fails is an `InvalidEquilibrium`, a `NotConverged`, whose one-line message names
the region, the quantity and the value.

The checks in this file are computed here from the published outcomes, not by the library's
own check, so that they test it.
"""

from __future__ import annotations

import json
import re
import textwrap

import numpy as np
import pytest
from checks import problems, tradewar_cli

import tradewar
from tradewar.games import Game
from tradewar.scenario.spec import load_scenario
from tradewar.solver.draws import solve_draws


@pytest.fixture(scope="module")
def world():
    return tradewar.load_dataset("world2022")


def offdiagonal(baseline) -> np.ndarray:
    n = baseline.n_regions
    return ~np.eye(n, dtype=bool)[:, :, None]


def every_importer_on(baseline, exporter=None, sector=None, rate=0.0) -> np.ndarray:
    """Baseline tariffs with `rate` set (off the diagonal) on `exporter`'s `sector` (all if None)."""
    cells = np.zeros(baseline.trade.shape, dtype=bool)
    i = slice(None) if exporter is None else baseline.region_index(exporter)
    j = slice(None) if sector is None else baseline.sector_index(sector)
    cells[:, i, j] = True
    return np.where(cells & offdiagonal(baseline), rate, baseline.tariffs)


def assert_one_line_invalid(err: BaseException, regions: tuple[str, ...]) -> None:
    message = str(err)
    assert "\n" not in message
    assert type(err).__name__ == "InvalidEquilibrium", type(err)
    assert re.search(r"negative|not positive|not finite", message), message
    assert any(re.search(rf"\b{code}\b", message) for code in regions), message


# -- the three cases of the issue: today they come back "converged" ------------------------------
IMPOSSIBLE = {
    "every importer on every exporter at 1000%": {"exporter": None, "sector": None, "rate": 10.0},
    "every importer on IND's CHEM at -90%": {"exporter": "IND", "sector": "CHEM", "rate": -0.9},
}


@pytest.mark.parametrize("case", sorted(IMPOSSIBLE))
def test_impossible_tariff_equilibria_are_errors(world, case):
    tariffs = every_importer_on(world, **IMPOSSIBLE[case])
    unchecked = tradewar.solve("caliendo-parro", world, tariffs, check=False)
    assert problems(unchecked), "this shock has no valid equilibrium; the test's premise changed"
    with pytest.raises(tradewar.NotConverged) as err:
        tradewar.solve("caliendo-parro", world, tariffs)
    assert_one_line_invalid(err.value, world.regions)


@pytest.mark.parametrize("exporter, rate", [("CHN", -0.99), ("IND", -0.9)])
def test_export_subsidies_beyond_any_equilibrium_are_errors(world, exporter, rate):
    """An export tax of -99 % (-90 %) on one exporter's CHEM: a root with hundreds of negative
    flows and gross output down thousands of percent came back converged."""
    export_taxes = np.where(every_importer_on(world, exporter, "CHEM", rate) == rate, rate, 0.0)
    with pytest.raises(tradewar.NotConverged) as err:
        tradewar.solve("caliendo-parro", world, world.tariffs, export_taxes=export_taxes)
    assert_one_line_invalid(err.value, world.regions)


def test_unchecked_solve_flags_an_invalid_root(world):
    """check=False (batch use) returns the root, flagged: not converged, with the reason."""
    eq = tradewar.solve("caliendo-parro", world, every_importer_on(world, "IND", "CHEM", -0.9), check=False)
    assert not eq.converged
    assert eq.problem and "negative" in eq.problem


@pytest.mark.parametrize("rate", [-0.75, 0.5, 2.0])
def test_sane_shocks_still_solve_and_pass_the_check(world, rate):
    """The same shock at -75 % is sane (the issue); so are ordinary tariffs. No false alarms."""
    eq = tradewar.solve("caliendo-parro", world, every_importer_on(world, "IND", "CHEM", rate))
    assert eq.converged
    assert problems(eq) == []


def test_every_valid_bundled_world_step_passes_the_check():
    """The shipped 2025 scenario: every step solves and is valid by the independent check."""
    result = tradewar.run_scenario(load_scenario("us-china-2025"))
    for step in result.steps:
        assert step.equilibrium.converged
        assert problems(step.equilibrium) == [], step.label


# -- the command line: an error, one line, nothing half-written ----------------------------------

SCENARIO_1000 = """
title = "every importer on every exporter at 1000%"
[model]
name = "caliendo-parro"
[[policy]]
importer = "all"
exporter = "all"
set_pct = 1000
"""


def test_cli_reports_the_impossible_equilibrium_in_one_line_and_writes_nothing(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(textwrap.dedent(SCENARIO_1000))
    report = tmp_path / "out" / "r.html"
    run = tradewar_cli("run", str(path), "--report", str(report))
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert "Traceback" not in run.stderr
    assert re.search(r"negative|not positive", lines[0]), lines[0]
    assert "converged=True" not in run.stdout
    assert not report.exists()


def test_cli_json_gives_an_error_not_a_converged_result(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(textwrap.dedent(SCENARIO_1000))
    run = tradewar_cli("run", str(path), "--json", "--no-report")
    assert run.returncode == 1
    assert run.stdout.strip() == "" or json.loads(run.stdout).get("converged") is not True
    assert len(run.stderr.strip().splitlines()) == 1


# -- batches and games ----------------------------------------------------------------------------
def test_batch_flags_invalid_draws_instead_of_counting_them(world):
    """Draws of the elasticities at the -90 % IND CHEM subsidy: every draw's root is checked;
    invalid ones are failed draws with the reason, never part of the percentiles."""
    tariffs = every_importer_on(world, "IND", "CHEM", -0.9)
    thetas = np.stack([world.theta, world.theta * 1.1])
    res = solve_draws("caliendo-parro", world, tariffs, thetas, chunk_size=2)
    assert res.n_failed == 2
    assert all("negative" in f["reason"] or "not positive" in f["reason"] for f in res.failed), res.failed
    assert np.all(np.isnan(res.percentiles().to_numpy()))


def test_batch_keeps_valid_draws(world):
    tariffs = every_importer_on(world, "IND", "CHEM", 0.5)
    res = solve_draws("caliendo-parro", world, tariffs, np.stack([world.theta, world.theta * 1.1]), chunk_size=2)
    assert res.n_failed == 0


def test_game_payoffs_at_impossible_tariffs_are_an_error(world):
    """A game evaluates payoffs = 100 log(welfare_hat); at an invalid root the welfare ratio is
    negative (TWN -166 %) and the payoff NaN. It must be an error that names the problem, without
    advising `tradewar data validate` (the data are fine) or counting '0 iterations'."""
    game = Game("caliendo-parro", world)
    with pytest.raises(tradewar.NotConverged) as err:
        game.payoffs(every_importer_on(world, rate=10.0))
    message = str(err.value)
    assert "\n" not in message
    assert "negative" in message or "not positive" in message, message
    assert "data validate" not in message
    assert "0 iterations" not in message
