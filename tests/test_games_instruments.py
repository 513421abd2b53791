"""Issue 13: games over export taxes and export limits beside tariffs, on a small synthetic
economy (3 regions x 3 sectors, `tradewar.data.synthetic`, seed 0, calibrated to an
equilibrium), where brute force is cheap.

Brute force uses the model's own export-limit solve (`tradewar.solve(export_limits=...)`:
the cap and its tax equivalent as a complementarity pair), independent of the games' tax
parametrisation and implicit-function gradients. Tolerances: the grid's spacing (0.005 in the
cut) bounds the distance of the optimum from the grid's best point; payoffs agree to 1e-8 %
where the same equilibrium is solved twice (solver tolerance 1e-10 on log quantities).
"""

from __future__ import annotations

import numpy as np
import pytest

from tradewar import solve
from tradewar.data.synthetic import synthetic_raw
from tradewar.errors import InputError, NotConverged
from tradewar.games import instruments as games_instruments
from tradewar.games.instruments import (
    InstrumentGame,
    Instruments,
    Pledge,
    Policy,
    apply_pledges,
    bargaining,
    best_response,
    implied_cuts,
    nash,
    parse_instruments,
    weighted_optimum,
)
from tradewar.games.nash import DEVIATION_TOL
from tradewar.games.optimise import FOC_TOL, nash_product_from_cold
from tradewar.models import caliendo_parro as cp

EXPORTER, IMPORTER, SECTOR = 0, 2, 0  # R000's sales to R002 in S000: a flow where restraint pays
LARGEST_CUT = 0.6


@pytest.fixture(scope="module")
def baseline():
    return cp.calibrate(synthetic_raw(3, 3, seed=0))


@pytest.fixture(scope="module")
def game(baseline):
    return InstrumentGame("caliendo-parro", baseline)


def _welfare_with_cap(baseline, cut: float) -> float:
    caps = np.full(baseline.trade.shape, np.nan)
    caps[IMPORTER, EXPORTER, SECTOR] = cut
    eq = solve("caliendo-parro", baseline, baseline.tariffs, export_limits=caps)
    return float(100 * np.log(eq.outcomes["welfare_hat"][EXPORTER]))


def test_export_limit_best_response_matches_brute_force(baseline, game):
    inst = Instruments(tariffs=False, export_limits={"S000": LARGEST_CUT})
    policy, inner, _ = best_response(game, EXPORTER, inst, Policy.of(baseline), [IMPORTER])
    assert inner.foc <= FOC_TOL
    out, _, ok, _ = game.solve_policy(policy)
    assert ok
    cut = float(implied_cuts(out, [(IMPORTER, EXPORTER, SECTOR)])[0])
    grid = np.arange(0.0, LARGEST_CUT + 1e-12, 0.005)
    values = np.array([_welfare_with_cap(baseline, c) for c in grid])
    best = int(np.argmax(values))
    assert 0 < best < len(grid) - 1  # an interior optimum: restraint pays, but not the largest cut
    assert abs(cut - grid[best]) <= 0.005
    assert inner.value >= values.max() - 1e-9  # no grid point beats the best response
    # The best response's welfare is the model's own solve of that cap.
    assert inner.value == pytest.approx(_welfare_with_cap(baseline, cut), abs=1e-8)


def test_export_tax_best_response_matches_brute_force(baseline, game):
    inst = Instruments(tariffs=False, export_taxes=("S000",))
    policy, inner, _ = best_response(game, EXPORTER, inst, Policy.of(baseline), [IMPORTER])
    tax = float(policy.export_taxes[IMPORTER, EXPORTER, SECTOR])
    grid = np.arange(0.0, 0.5, 0.0025)
    values = []
    for t in grid:
        taxes = np.zeros(baseline.trade.shape)
        taxes[IMPORTER, EXPORTER, SECTOR] = t
        eq = solve("caliendo-parro", baseline, baseline.tariffs, export_taxes=taxes)
        values.append(float(100 * np.log(eq.outcomes["welfare_hat"][EXPORTER])))
    values = np.array(values)
    assert abs(tax - grid[int(np.argmax(values))]) <= 0.0025
    assert inner.value >= values.max() - 1e-9


def test_war_with_limits_is_certified(baseline, game):
    instruments = {
        "R000": Instruments(export_limits={"S000": LARGEST_CUT}),
        "R002": Instruments(export_limits={"S001": 0.5}),
    }
    war = nash(game, instruments)
    cert = war.certificate
    assert war.converged and cert.max_deviation_gain_pct <= DEVIATION_TOL and cert.foc_residual <= FOC_TOL
    assert cert.max_deviation_gain_pct <= 1e-6  # the bar: largest gain from deviating below 1e-6 %
    limits = {(d["exporter"], d["sector"]): d for d in war.details["export_limits"]}
    assert set(limits) == {("R000", "S000"), ("R002", "S001")}
    # R000 uses its limit (a positive tax equivalent) and it cuts the flow.
    assert limits["R000", "S000"]["tax_equivalent_pct"] > 0 and limits["R000", "S000"]["quantity_change_pct"] < 0
    # Only the players' instruments on each other moved.
    moved = np.argwhere(np.abs(war.policy.tariffs - baseline.tariffs) > 0)
    assert {(int(n), int(i)) for n, i, _ in moved} <= {(0, 2), (2, 0)}


def test_frontier_points_are_undominated(baseline, game):
    instruments = {"R000": Instruments(export_taxes="all"), "R002": Instruments(export_limits={"S001": 0.5})}
    points, x = [], None
    for w in (0.2, 0.5, 0.8):
        result, x = weighted_optimum(game, instruments, [w, 1 - w], x0=x)
        assert result.converged and result.certificate.foc_residual <= FOC_TOL
        points.append((result.payoff_pct[0], result.payoff_pct[2]))
    for a in points:
        for b in points:
            assert not (b[0] > a[0] + 1e-9 and b[1] > a[1] + 1e-9)
    # The payoffs move along the frontier with the weights.
    assert points[0][0] < points[1][0] < points[2][0] and points[0][1] > points[1][1] > points[2][1]


def test_unsupported_instrument_is_one_line_error(baseline):
    with pytest.raises(InputError, match="instruments: 'quotas' is not an instrument") as e:
        parse_instruments("tariffs,quotas")
    assert "\n" not in str(e.value)
    ossa = InstrumentGame("ossa", baseline)  # the Ossa model has no export taxes in its parameters
    with pytest.raises(InputError, match="model ossa does not support export_limits") as e:
        nash(ossa, {"R000": Instruments(export_limits={"S000": 0.5}), "R002": Instruments()})
    assert "\n" not in str(e.value)


def test_purchase_pledge_binds_at_its_floor(baseline, game):
    n, i, s = 2, 0, 0  # R002 pledges to buy S000 from R000
    flow = float(baseline.trade[n, i, s])
    pledge = Pledge("R002", "R000", "S000", floor=1.2 * flow, label="pledge")
    policy, report = apply_pledges(game, Policy.of(baseline), [pledge])
    entry = report["pledge"]
    assert entry["binding"] and entry["purchases"] == pytest.approx(1.2 * flow, rel=1e-8)
    assert entry["tariff_pct"] < 100 * baseline.tariffs[n, i, s]  # met by a lower tariff (or a subsidy)
    # Only the pledged flow's tariff moved, and an independent solve of the policy meets the floor.
    changed = np.argwhere(policy.tariffs != baseline.tariffs)
    assert [tuple(c) for c in changed] == [(n, i, s)]
    eq = solve("caliendo-parro", baseline, policy.tariffs)
    quantity_change = 1 - implied_cuts({k: np.asarray(v) for k, v in eq.outcomes.items()}, [(n, i, s)])[0]
    assert flow * quantity_change == pytest.approx(1.2 * flow, rel=1e-8)
    # A floor below today's purchases does not bind: the tariff stays.
    slack, report = apply_pledges(game, Policy.of(baseline), [Pledge("R002", "R000", "S000", 0.5 * flow, "low")])
    assert not report["low"]["binding"] and np.array_equal(slack.tariffs, baseline.tariffs)


def test_pledge_larger_than_absorption_is_one_line_error(baseline, game):
    absorption = float(baseline.trade[2, :, 0].sum())
    with pytest.raises(InputError, match="exceed its whole absorption") as e:
        apply_pledges(game, Policy.of(baseline), [Pledge("R002", "R000", "S000", 1.01 * absorption)])
    assert "\n" not in str(e.value)


def test_deal_containing_a_pledge_meets_it_at_its_floor(baseline, game):
    """A purchase pledge as a constraint of the deal (issue 13, Build item 1): R002 pledges to buy
    more S000 from R000 than it buys in the unconstrained deal; the deal with the pledge meets
    the floor exactly with R002's tariff on the flow (the import tariff or subsidy that achieves
    it), both still gain over the war, the constraint costs Nash product, the other instruments
    are at their first-order conditions, and an independent solve of the deal meets the floor."""
    instruments = {"R000": Instruments(), "R002": Instruments()}
    war = nash(game, instruments)
    free = bargaining(game, instruments, war)
    n, i, s = 2, 0, 0
    flow = float(baseline.trade[n, i, s])
    eq_free = solve("caliendo-parro", baseline, free.policy.tariffs)
    free_purchases = flow * (1 - implied_cuts({k: np.asarray(v) for k, v in eq_free.outcomes.items()}, [(n, i, s)])[0])
    floor = 1.1 * free_purchases
    deal = bargaining(game, instruments, war, pledges=[Pledge("R002", "R000", "S000", floor, "pledge")])
    entry = deal.details["pledges"]["pledge"]
    assert deal.converged and entry["binding"]
    assert entry["purchases"] == pytest.approx(floor, rel=1e-8)
    assert entry["tariff_pct"] < 100 * free.policy.tariffs[n, i, s]
    assert all(g > 0 for g in deal.details["gain_over_threat_pct"].values())
    assert deal.certificate.max_deviation_gain_pct < 1e-6
    # free instruments at their first-order conditions (the pledged tariff sits at its cap)
    assert deal.certificate.foc_residual <= FOC_TOL

    def nash_product(result):
        return np.prod(list(result.details["gain_over_threat_pct"].values()))

    assert nash_product(deal) < nash_product(free)  # a binding constraint costs
    eq = solve("caliendo-parro", baseline, deal.policy.tariffs)
    quantity_change = 1 - implied_cuts({k: np.asarray(v) for k, v in eq.outcomes.items()}, [(n, i, s)])[0]
    assert flow * quantity_change == pytest.approx(floor, rel=1e-8)
    # a pledge the deal meets anyway is slack and changes nothing
    slack = bargaining(game, instruments, war, pledges=[Pledge("R002", "R000", "S000", 0.5 * free_purchases, "low")])
    assert not slack.details["pledges"]["low"]["binding"]
    assert np.allclose(slack.policy.tariffs, free.policy.tariffs, atol=1e-9)
    # a pledge between a player and someone outside the deal is refused in one line
    with pytest.raises(InputError, match="pledge: R001's tariff") as e:
        bargaining(game, instruments, war, pledges=[Pledge("R001", "R000", "S000", 0.5 * flow)])
    assert "\n" not in str(e.value)


def test_a_deal_with_no_other_start_is_uncertified_not_certified_at_zero(game, monkeypatch):
    """A deal's certificate re-maximises the Nash product from starts other than the deal's own
    (`tradewar.games.optimise.deal_deviation_gain_pct`). With none left (here: the feasible
    starts cut to the first), there is nothing to compare with: the certificate is None, not a
    gain of 0 that could not have failed, and the deal is not converged (an error with check)."""
    instruments = {"R000": Instruments(), "R002": Instruments()}
    war = nash(game, instruments)
    every_start = games_instruments.feasible_starts
    monkeypatch.setattr(games_instruments, "feasible_starts", lambda *a, **k: every_start(*a, **k)[:1])
    deal = bargaining(game, instruments, war, check=False)
    assert deal.certificate.deviation_gain_pct is None and deal.certificate.max_deviation_gain_pct is None
    assert not deal.converged
    assert deal.certificate.foc_residual <= FOC_TOL  # the deal itself was found
    with pytest.raises(NotConverged, match="no other feasible start"):
        bargaining(game, instruments, war)


def test_deal_certificate_products_do_not_depend_on_the_solver_path(baseline, game):
    """The deal certificate compares Nash products evaluated from the game's initial guess
    (`nash_product_from_cold`): the same policy gives the same product whatever the problem
    solved before (a warm start would carry that path's solver error), and it is the log
    product of the surpluses of an independent solve (1e-9: solves to 1e-10 in log payoffs)."""
    instruments = {"R000": Instruments(), "R002": Instruments()}
    war = nash(game, instruments)
    deal = bargaining(game, instruments, war)
    idx = [game.region_index(p) for p in instruments]
    problem, _layout, _kinds = games_instruments._joint_problem(
        game, games_instruments._choices(game, instruments), games_instruments.Bounds(), Policy.of(baseline), idx
    )
    threat = 100 * np.log1p(war.payoff_pct[idx] / 100)
    x = problem.x_of(deal.policy)
    values = []
    for elsewhere in (problem.x_of(war.policy), np.zeros(problem.size)):
        problem(elsewhere)  # leaves a different warm start behind
        values.append(nash_product_from_cold(problem, threat, x))
    assert values[0] == values[1]
    eq = solve("caliendo-parro", baseline, deal.policy.tariffs)
    u = 100 * np.log(np.asarray(eq.outcomes["welfare_hat"])[idx])
    assert values[0] == pytest.approx(float(np.sum(np.log(u - threat))), abs=1e-9)
