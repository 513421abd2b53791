"""Elasticity Monte Carlo (tradewar.solver.draws), its Dask scale-out (tradewar.solver.dask) and
`tradewar run --draws`.

Data: the 4-region, 3-sector synthetic economy of conftest (calibrated to an exact equilibrium),
with a bilateral tariff war between R000 and R001, so that every test compiles small programs.
Tolerances: results of the same compiled function on the same chunks are compared exactly;
results of different programs (the batch against one-at-a-time solves, vmap against lax.map) at
1e-7 percentage points, because each solve stops once its largest residual is below 1e-10
(the two programs stop at slightly different iterates).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tradewar.errors import InputError
from tradewar.solver.dask import cluster
from tradewar.solver.draws import QUANTILES, draw_theta, solve_draws
from tradewar.solver.equilibrium import solve
from tradewar.solver.sweep import sweep, tariff_grid

MODEL = "caliendo-parro"
N_DRAWS, CHUNK, SEED = 12, 6, 11


@pytest.fixture(scope="module")
def economy(small_economy):
    tariffs = small_economy.tariffs.copy()
    tariffs[0, 1] += 0.30  # R000 on R001
    tariffs[1, 0] += 0.25  # R001 retaliates
    return small_economy, tariffs


@pytest.fixture(scope="module")
def thetas(economy):
    baseline, _ = economy
    return draw_theta(baseline.theta, N_DRAWS, SEED, distribution="lognormal", cv=0.3)


@pytest.fixture(scope="module")
def local(economy, thetas):
    baseline, tariffs = economy
    return solve_draws(MODEL, baseline, tariffs, thetas, chunk_size=CHUNK, seed=SEED, distribution="lognormal", cv=0.3)


@pytest.fixture(scope="module")
def client():
    with cluster(workers=2) as c:
        yield c


# ----------------------------------------------------------------------------- draws
def test_draws_reproducible_and_seed_dependent(economy):
    baseline, _ = economy
    a = draw_theta(baseline.theta, 50, 3, distribution="normal", cv=0.4)
    b = draw_theta(baseline.theta, 50, 3, distribution="normal", cv=0.4)
    c = draw_theta(baseline.theta, 50, 4, distribution="normal", cv=0.4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.all(a > 0)  # truncated at zero even with cv = 0.4


def test_lognormal_has_the_requested_median_and_cv():
    theta = np.array([2.0, 8.0])
    d = draw_theta(theta, 40_000, 0, distribution="lognormal", cv=0.25)
    # Sampling error of the median and of the cv at n = 40,000 is below 0.5 %; 2 % is generous.
    np.testing.assert_allclose(np.median(d, axis=0), theta, rtol=0.02)
    s = np.sqrt(np.log1p(0.25**2))
    np.testing.assert_allclose(d.std(axis=0) / d.mean(axis=0), 0.25, rtol=0.02)
    np.testing.assert_allclose(np.log(d).std(axis=0), s, rtol=0.02)


def test_published_standard_errors():
    theta, se = np.array([4.0, 9.0]), np.array([0.5, 3.0])
    d = draw_theta(theta, 40_000, 1, distribution="se", se=se)
    np.testing.assert_allclose(d.std(axis=0), se, rtol=0.03)  # truncation at 0 is > 3 sd away
    with pytest.raises(InputError, match="theta_se"):
        draw_theta(theta, 10, 1, distribution="se")


@pytest.mark.parametrize(
    "kwargs, field",
    [({"distribution": "uniform"}, "theta_dist"), ({"cv": 0.0}, "theta_cv"), ({"cv": float("nan")}, "theta_cv")],
)
def test_bad_draw_settings_are_input_errors(kwargs, field):
    with pytest.raises(InputError) as e:
        draw_theta(np.ones(3), 10, 0, **kwargs)
    assert e.value.field == field


def test_bad_thetas_are_input_errors(economy):
    baseline, tariffs = economy
    bad = np.tile(baseline.theta, (2, 1))
    bad[1, 2] = -1.0
    with pytest.raises(InputError, match="draw 1, sector S002"):
        solve_draws(MODEL, baseline, tariffs, bad)


# ----------------------------------------------------------------------------- batched solve
def test_same_seed_gives_identical_percentiles(economy, local):
    baseline, tariffs = economy
    again = solve_draws(MODEL, baseline, tariffs, draw_theta(baseline.theta, N_DRAWS, SEED, cv=0.3), chunk_size=CHUNK)
    np.testing.assert_array_equal(local.percentiles().values, again.percentiles().values)
    other = solve_draws(
        MODEL, baseline, tariffs, draw_theta(baseline.theta, N_DRAWS, SEED + 1, cv=0.3), chunk_size=CHUNK
    )
    assert not np.allclose(local.percentiles().values, other.percentiles().values)


def test_percentiles_ordered_and_not_degenerate(local):
    assert local.n_failed == 0
    pct = local.percentiles()
    for col in local.summary:
        p5, p50, p95 = (pct[f"{col}_p{q}"].to_numpy() for q in QUANTILES)
        assert np.all(p5 <= p50) and np.all(p50 <= p95), col
    # Theta varies, so the welfare of the two belligerents varies across draws.
    spread = pct["welfare_pct_p95"] - pct["welfare_pct_p5"]
    assert spread.loc["R000"] > 1e-3 and spread.loc["R001"] > 1e-3


def test_batch_equals_one_solve_per_draw(economy, thetas, local):
    """The vmapped chunks give each draw's own equilibrium (api.solve with that theta)."""
    baseline, tariffs = economy
    for d in (0, 5, 11):  # first, last of a chunk, last of the batch
        eq = solve(MODEL, baseline, tariffs, theta=thetas[d])
        regions = eq.regions()
        for col in ("welfare_pct", "real_wage_pct", "exports_pct"):
            np.testing.assert_allclose(local.summary[col][d], regions[col].to_numpy(), atol=1e-7, rtol=0)
        assert local.batch.converged[d] and local.batch.max_residual[d] <= 1e-10


def test_pure_vmap_equals_the_default(economy, thetas, local):
    """The whole chunk vmapped (vmap_width=None) gives the same draws as the default lax.map."""
    baseline, tariffs = economy
    vm = solve_draws(MODEL, baseline, tariffs, thetas[:CHUNK], chunk_size=CHUNK, vmap_width=None)
    assert vm.batch.converged.all()
    for col in ("welfare_pct", "real_wage_pct", "exports_pct"):
        np.testing.assert_allclose(vm.summary[col], local.summary[col][:CHUNK], atol=1e-7, rtol=0)


def test_percentiles_are_those_of_the_draws(local):
    pct = local.percentiles()
    w = local.summary["welfare_pct"]
    np.testing.assert_array_equal(pct["welfare_pct_p50"].to_numpy(), np.percentile(w, 50, axis=0))


def test_failed_draws_are_counted_and_listed(economy):
    """Absurd elasticities (10^-30 and 10^-20 in every sector: price indices raised to the power
    -1/theta overflow) do not converge; they are listed and left out of the percentiles, and the
    other draws are unaffected. (A huge elasticity such as 10^6 is no such case: it solves to the
    Ricardian limit with this solver, so it is not used here.)"""
    baseline, tariffs = economy
    th = np.tile(baseline.theta, (CHUNK, 1)) * np.linspace(0.8, 1.2, CHUNK)[:, None]
    th[1] = 1e-30
    th[3] = 1e-20
    res = solve_draws(MODEL, baseline, tariffs, th, chunk_size=CHUNK)  # same compiled chunk as above
    assert res.n_failed == 2
    assert [f["draw"] for f in res.failed] == [1, 3]
    assert all(f["reason"] == "not converged" for f in res.failed)
    assert res.failed[0]["theta"]["S000"] == 1e-30
    good = res.summary["welfare_pct"][[0, 2, 4, 5]]
    np.testing.assert_array_equal(res.percentiles()["welfare_pct_p95"].to_numpy(), np.percentile(good, 95, axis=0))
    keys = res.json_keys()
    assert keys["draws_failed"] == 2 and len(keys["failed_draws"]) == 2
    json.dumps(keys)  # plain JSON types


# ----------------------------------------------------------------------------- Dask
def test_local_cluster_gives_the_same_percentiles(economy, thetas, local, client):
    baseline, tariffs = economy
    assert len(client.scheduler_info()["workers"]) == 2
    dist = solve_draws(MODEL, baseline, tariffs, thetas, chunk_size=CHUNK, client=client)
    np.testing.assert_array_equal(local.percentiles().values, dist.percentiles().values)
    np.testing.assert_array_equal(local.batch.iterations, dist.batch.iterations)


def test_grid_sweep_on_the_cluster(economy, thetas, client):
    baseline, _ = economy
    pairs = [("R000", "R001"), ("R001", "R000")]
    grid, labels = tariff_grid(baseline, pairs, [0, 40], combine="product")
    assert grid.shape == (4, *baseline.trade.shape) and labels[3] == "R000 on R001 40%, R001 on R000 40%"
    assert np.all(grid[3, 0, 1] == 0.4) and np.all(grid[0, 0, 1] == 0.0)
    np.testing.assert_array_equal(grid[:, 2, 3], np.broadcast_to(baseline.tariffs[2, 3], (4, 3)))
    dist = sweep(MODEL, baseline, grid, thetas[:2], labels=labels, client=client, chunk_size=4)
    here = sweep(MODEL, baseline, grid, thetas[:2], labels=labels, chunk_size=4)
    np.testing.assert_array_equal(dist.frame["welfare_pct"].to_numpy(), here.frame["welfare_pct"].to_numpy())
    assert dist.frame["ok"].all() and len(dist.failed) == 0
    # Cross-check one cell against a direct solve.
    eq = solve(MODEL, baseline, grid[3], theta=thetas[1])
    got = here.frame.xs((3, 1), level=("policy", "theta_draw"))["welfare_pct"].to_numpy()
    np.testing.assert_allclose(got, eq.regions()["welfare_pct"].to_numpy(), atol=1e-7, rtol=0)


# ----------------------------------------------------------------------------- CLI
SCENARIO = """
title = "US-China 25% tariff war"
[dataset]
source = "world2022"
[[policy]]
importer = "USA"
exporter = "CHN"
add_pp = 25
[[policy]]
importer = "CHN"
exporter = "USA"
add_pp = 25
"""


def test_cli_run_draws_json(tmp_path, capsys):
    from tradewar.cli import app

    path = tmp_path / "war.toml"
    path.write_text(SCENARIO)
    app(["run", str(path), "--json", "--draws", "4", "--seed", "5", "--chunk", "4"], standalone_mode=False)
    out = json.loads(capsys.readouterr().out)
    assert out["draws"] == 4 and out["seed"] == 5 and out["draws_failed"] == 0 and out["failed_draws"] == []
    assert out["converged"] is True and "max_residual" in out
    usa = next(r for r in out["regions"] if r["code"] == "USA")
    for key in ("welfare_pct", "welfare_pct_p5", "welfare_pct_p50", "welfare_pct_p95", "real_wage_pct_p50"):
        assert isinstance(usa[key], float), key
    assert usa["welfare_pct_p5"] <= usa["welfare_pct_p50"] <= usa["welfare_pct_p95"]
    step = out["steps"][-1]
    assert step["draws_failed"] == 0 and step["regions"][0].keys() == out["regions"][0].keys()


def test_cli_bad_theta_dist_is_one_line(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "war.toml"
    path.write_text(SCENARIO)
    proc = subprocess.run(
        [sys.executable, "-m", "tradewar.cli", "run", str(path), "--json", "--draws", "3", "--theta-dist", "gamma"],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and "gamma" in proc.stderr and "lognormal" in proc.stderr


# ----------------------------------------------------------------------------- games
def test_optimal_tariffs_under_draws(economy, capsys):
    """One optimal-tariff game per draw; the draw at the baseline's theta reproduces the point
    answer (same game, same optimiser: compared at 1e-6 percent, the optimiser's certificate
    tolerance scale), and `--json` of `tradewar optimal --draws` carries the bands."""
    from tradewar.cli import uncertainty as cu
    from tradewar.games import Game, optimal_tariffs
    from tradewar.games.draws import game_draws

    baseline, _ = economy
    game = Game(MODEL, baseline)
    point = optimal_tariffs(game, "R000")
    thetas = np.stack([baseline.theta, baseline.theta * 1.5])
    res = game_draws(
        "optimal", MODEL, baseline, thetas, options={}, call={"player": "R000"}, seed=1, distribution="given"
    )
    assert res.n_failed == 0 and res.converged.all()
    np.testing.assert_allclose(res.summary["welfare_pct"][0], point.welfare_pct, atol=1e-6, rtol=0)
    assert abs(res.summary["median_tariff_pct"][1, 0] - res.summary["median_tariff_pct"][0, 0]) > 1e-3
    cu.emit_game(point, res, True, None)
    out = json.loads(capsys.readouterr().out)
    r0 = next(r for r in out["regions"] if r["code"] == "R000")
    assert r0["welfare_pct_p5"] <= r0["welfare_pct_p50"] <= r0["welfare_pct_p95"]
    assert out["draws"] == 2 and out["draws_failed"] == 0 and out["failed_draws"] == []
