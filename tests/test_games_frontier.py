"""Issue 13: the frontier of two players' payoffs, the war and the deal on it, and the Busan
policy evaluated (`tradewar.games.frontier`).

The frontier's shape and certificates are checked on a small synthetic economy (3 regions x 3
sectors, seed 0), where a full run takes seconds; the Busan policy on world2022 is checked
against an independent solve of the same policy by `tradewar.solve` (same equilibrium
solved twice from scratch: 1e-8 %, the solver's tolerance is 1e-10 in log units).
"""

from __future__ import annotations

import numpy as np
import pytest

from tradewar import load_dataset, solve
from tradewar.data.synthetic import synthetic_raw
from tradewar.errors import InputError
from tradewar.games.frontier import (
    SOYBEAN_PLEDGE,
    SOYBEAN_PLEDGE_MT,
    busan_policy,
    equal_gain_to_frontier,
    talks_frontier,
)
from tradewar.games.instruments import InstrumentGame, apply_pledges, evaluate, implied_cuts
from tradewar.games.optimise import FOC_TOL
from tradewar.models import caliendo_parro as cp


@pytest.fixture(scope="module")
def synthetic():
    return cp.calibrate(synthetic_raw(3, 3, seed=0))


@pytest.fixture(scope="module")
def talks(synthetic):
    return talks_frontier(synthetic, "R000,R002", n_points=4).to_dict()


def test_equal_gain_to_frontier_on_a_known_polyline():
    frontier = [(0.0, 2.0), (1.0, 1.0), (2.0, 0.0)]  # the line x + y = 2
    assert equal_gain_to_frontier((0.0, 0.0), frontier) == pytest.approx(1.0, abs=1e-12)
    assert equal_gain_to_frontier((0.5, -0.5), frontier) == pytest.approx(1.0, abs=1e-12)
    assert equal_gain_to_frontier((5.0, -10.0), frontier) is None  # the 45-degree line misses it


def test_frontier_json_shape_and_certificates(talks):
    assert set(talks) >= {"frontier", "war", "deal", "busan", "baseline"}
    assert talks["busan"] is None  # Busan is a USA-CHN policy
    assert len(talks["frontier"]) == 4
    for p in talks["frontier"]:
        assert set(p) >= {"R000", "R002"} and p["foc_residual"] <= FOC_TOL
    for key in ("war", "deal"):
        assert set(talks[key]["certificate"]) >= {"max_deviation_gain_pct", "foc_residual"}
        assert talks[key]["converged"]
    assert talks["war"]["certificate"]["max_deviation_gain_pct"] <= 1e-6
    assert talks["deal"]["certificate"]["foc_residual"] <= FOC_TOL
    assert "certificate" not in talks["baseline"]
    assert talks["baseline"]["payoffs"] == pytest.approx({"R000": 0.0, "R002": 0.0}, abs=1e-8)


def test_frontier_points_undominated_and_dominate_nothing_they_should_not(talks):
    pts = [(p["R000"], p["R002"]) for p in talks["frontier"]]
    others = [tuple(talks[k]["payoffs"][c] for c in ("R000", "R002")) for k in ("war", "deal", "baseline")]
    for a in pts:
        for b in pts + others:
            assert not (b[0] > a[0] + 1e-7 and b[1] > a[1] + 1e-7), (a, b)
    # The deal gains over the war for both, and lies (to the frontier's first-order accuracy)
    # on the frontier: no frontier point beats it for both.
    war, deal = others[0], others[1]
    assert deal[0] > war[0] and deal[1] > war[1]
    assert talks["deal"]["gain_over_war_pct"]["R000"] > 0 and talks["deal"]["gain_over_war_pct"]["R002"] > 0


def test_bad_players_are_one_line_errors(synthetic):
    for players, match in (
        ("R000,XXX", "players: unknown region code 'XXX'"),
        ("R000", "two different players"),
    ):
        with pytest.raises(InputError, match=match) as e:
            talks_frontier(synthetic, players, n_points=2)
        assert "\n" not in str(e.value)
    with pytest.raises(InputError, match="controls: export controls are defined for the USA-CHN talks only"):
        talks_frontier(synthetic, "R000,R001", controls=True, n_points=2)


def test_busan_evaluation_equals_independent_solve():
    b = load_dataset("world2022")
    policy = busan_policy(b)
    us, cn = b.region_index("USA"), b.region_index("CHN")
    # Only the US-China pair differs from the baseline; China's rare-earth caps are on the US.
    differs = np.argwhere(np.abs(policy.tariffs - b.tariffs) > 0)
    assert {(int(n), int(i)) for n, i, _ in differs} == {(us, cn), (cn, us)}
    assert np.isfinite(policy.export_limits).sum() == 3 and np.isfinite(policy.export_limits[us, cn]).sum() == 3
    game = InstrumentGame("caliendo-parro", b, limit_cells=np.isfinite(policy.export_limits))
    policy, pledges = apply_pledges(game, policy, [SOYBEAN_PLEDGE])
    assert pledges["soybeans"]["purchases"] >= SOYBEAN_PLEDGE.floor * (1 - 1e-9)
    result = evaluate(game, policy, ["USA", "CHN"], kind="busan")
    eq = solve("caliendo-parro", b, policy.tariffs, export_limits=policy.export_limits)
    independent = 100 * (eq.outcomes["welfare_hat"] - 1)
    np.testing.assert_allclose(result.payoff_pct, independent, atol=1e-8)
    # The caps hold: China's sales of the three sectors to the US fall by at least the cut (at
    # Busan's US tariffs they fall by more, so the eased caps do not bind: zero tax equivalent).
    cells = [(us, cn, b.sector_index(s)) for s in ("CHEM", "MINE", "ELEQ")]
    cuts = implied_cuts(result.outcomes, cells)
    assert np.all(cuts >= np.array([policy.export_limits[c] for c in cells]) - 1e-9)


def test_soybean_pledge_is_the_timeline_s():
    """The pledge's 25 Mt a year is the Busan row of the shared timeline (read, not copied)."""
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "recent" / "tariff_timeline_2018_2025.csv"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    rows = [r for r in csv.DictReader(path.open()) if r["date"] == "2025-10-30"]
    assert len(rows) == 1 and f"{SOYBEAN_PLEDGE_MT:g} Mt/yr" in rows[0]["measure"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--players", "USA,XXX"), "--players: unknown region code 'XXX'"),
        (("--players", "USA"), "players: USA; the frontier is of two different players"),
        (("--points", "1"), "--points: 1; trace at least 2 frontier points"),
        (("--elec-share", "120"), "--elec-share: 120; give a percent in [0, 100)"),
        (("--horizon", "decade"), "--horizon: unknown horizon 'decade'"),
        (("--players", "USA,JPN", "--controls"), "controls: export controls are defined for the USA-CHN talks only"),
    ],
)
def test_frontier_cli_bad_input_is_one_line_error(cli, args, message):
    run = cli("frontier", *args, "--json")
    assert run.returncode == 2
    assert message in run.stderr and run.stderr.count("\n") == 1 and run.stdout == ""
