"""The game commands of the CLI: `tradewar optimal`, `nash`, `talks` and `replicate ossa2014`.

Run in-process through `tradewar.cli.main` (the console entry point, which turns user errors
into one-line messages), as in tests/test_world2022.py, so that the JAX kernels compile once for
the whole file; one real subprocess checks the installed entry point's error path.

On the CP2015 data (31 regions, 20 sectors). `optimal` is run with --mfn (20 instruments): the
discriminatory problem has 600 and took 487 s in the optimiser (8 min wall, L-BFGS-B to its
iteration limit) when measured on 2026-11-29, far beyond this file's budget; tests/test_games.py
covers discriminatory optimal tariffs on Ossa's data.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tradewar.data.registry import default_data_path, load_dataset
from tradewar.games.nash import DEVIATION_TOL
from tradewar.games.optimise import FOC_TOL
from tradewar.solver.equilibrium import solve


def _json(run) -> dict:
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1, "--json prints exactly one JSON object and nothing else on stdout"
    return json.loads(lines[0])


@pytest.fixture(scope="module")
def cp():
    return load_dataset("cp2015")


def _full_tariffs(baseline, rows) -> np.ndarray:
    """The full tariff array from the baseline and the JSON `tariffs` list."""
    t = np.array(baseline.tariffs)
    for r in rows:
        n, i = baseline.region_index(r["importer"]), baseline.region_index(r["exporter"])
        t[n, i, baseline.sector_index(r["sector"])] = r["tariff_pct"] / 100
    return t


GAME_KEYS = {
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
}


# ------------------------------------------------------------------ optimal
def test_optimal_mfn_mexico(cli, cp):
    out = _json(cli("optimal", "--dataset", "cp2015", "--player", "MEX", "--mfn", "--json"))
    assert set(out) == GAME_KEYS
    assert out["kind"] == "optimal" and out["players"] == ["MEX"] and out["mfn"] is True
    assert out["model"] == "caliendo-parro" and out["dataset"] == cp.name
    assert out["converged"] is True
    cert = out["certificate"]
    assert set(cert) == {
        "foc_residual",
        "equilibrium_residual",
        "deviation_gain_pct",
        "max_deviation_gain_pct",
        "constraint_residual",
    }
    assert cert["foc_residual"] <= FOC_TOL and cert["equilibrium_residual"] <= 1e-9
    regions = {r["code"]: r for r in out["regions"]}
    assert list(regions) == list(cp.regions)
    mex = regions["MEX"]
    assert mex["player"] is True and mex["gain_vs_start_pct"] > 0  # better than the baseline tariffs
    # Chosen: Mexico's tariffs on every partner in every tradable sector, one rate per sector.
    t = pd.DataFrame(out["tariffs"])
    assert set(t.importer) == {"MEX"} and set(t.exporter) == set(cp.regions) - {"MEX"}
    assert len(t) == (cp.n_regions - 1) * int(np.sum(cp.tradable))
    assert (t.groupby("sector").tariff_pct.nunique() == 1).all()
    assert ((t.tariff_pct >= 0) & (t.tariff_pct <= 225)).all()  # default bounds
    # An independent solve at the reported tariffs gives the reported welfare, above the start's
    # (0 at the baseline) and above Mexico's payoff one point either side of its answer.
    best = _full_tariffs(cp, out["tariffs"])
    eq = solve("caliendo-parro", cp, best)
    k = cp.region_index("MEX")
    u = 100 * (eq.outcomes["welfare_hat"][k] - 1)
    assert u == pytest.approx(mex["welfare_pct"], abs=1e-6) and u > 0
    chosen = np.zeros(cp.trade.shape, bool)
    chosen[k] = True
    chosen[k, k] = False
    chosen &= cp.tradable[None, None, :].astype(bool)
    for step in (0.01, -0.01):
        trial = np.where(chosen, np.clip(best + step, 0.0, 2.25), best)
        other = solve("caliendo-parro", cp, trial)
        assert 100 * (other.outcomes["welfare_hat"][k] - 1) < u


# ------------------------------------------------------------------ nash
def test_nash_us_mexico_players(cli, cp):
    out = _json(cli("nash", "--dataset", "cp2015", "--players", "USA,MEX", "--targets", "players", "--json"))
    assert set(out) == GAME_KEYS
    assert out["kind"] == "nash" and out["players"] == ["USA", "MEX"] and out["converged"] is True
    cert = out["certificate"]
    assert set(cert["deviation_gain_pct"]) == {"USA", "MEX"}
    assert cert["max_deviation_gain_pct"] <= DEVIATION_TOL  # 1e-6 %
    assert max(cert["deviation_gain_pct"].values()) == cert["max_deviation_gain_pct"]
    assert cert["equilibrium_residual"] <= 1e-9
    assert out["details"]["targets"] == "players"
    t = pd.DataFrame(out["tariffs"])
    assert set(zip(t.importer, t.exporter)) == {("USA", "MEX"), ("MEX", "USA")}  # on each other only


# ------------------------------------------------------------------ talks
def test_talks_us_mexico_gain_over_the_war(cli):
    out = _json(cli("talks", "--dataset", "cp2015", "--players", "USA,MEX", "--json"))
    assert set(out) == GAME_KEYS | {"horizon"}  # no --beside: no "beside" key
    assert out["horizon"] == "long"  # the data's elasticities unless --horizon says otherwise
    assert out["kind"] == "bargaining" and out["players"] == ["USA", "MEX"] and out["converged"] is True
    d = out["details"]
    assert d["threat_certificate"]["max_deviation_gain_pct"] <= DEVIATION_TOL  # the war is a certified Nash
    regions = {r["code"]: r for r in out["regions"]}
    for p in ("USA", "MEX"):
        assert d["gain_over_war_pct"][p] > 0
        assert regions[p]["payoff_pct"] > d["threat_payoff_pct"][p]
        gain = 100 * ((1 + regions[p]["payoff_pct"] / 100) / (1 + d["threat_payoff_pct"][p] / 100) - 1)
        assert d["gain_over_war_pct"][p] == pytest.approx(gain, abs=1e-9)


# ------------------------------------------------------------------ replicate ossa2014
def test_replicate_ossa2014_table2(cli):
    """Table 2 of Ossa (2014): the US raises its tariff by 50 points on all partners in one
    industry (crp, wap). Published values: ../shared/data/ossa2014/reference_results/
    ossa_tables_from_tablesm.csv (Ossa's own tables.m output); tolerance 0.1, one unit of the
    printed digit of the welfare figures (issue 3), which the sales figures meet too."""
    out = _json(cli("replicate", "ossa2014", "--table", "2", "--json"))
    assert isinstance(out["cells"], list) and out["cells"]
    for cell in out["cells"]:
        assert set(cell) == {"table", "panel", "row", "column", "computed", "published"}
        assert cell["table"] == "TABLE2"
    ref = pd.read_csv(default_data_path("ossa2014") / "reference_results" / "ossa_tables_from_tablesm.csv")
    ref = ref[ref.table == "TABLE2"].set_index(["panel", "row", "column"]).value_pct
    cells = {(c["panel"], c["row"], c["column"]): c for c in out["cells"]}
    assert set(cells) == set(ref.index)  # every published cell, named as in the file
    for key in [
        ("US_plus50pp_all_partners", "crp_welfarerow", "col1"),  # crp welfare +0.17
        ("US_plus50pp_all_partners", "crp_salesrow", "col2"),  # crp sales 5.73
        ("US_plus50pp_all_partners", "wap_salesrow", "col2"),  # wap sales 33.35
        ("US_plus50pp_all_partners", "wap_welfarerow", "col3"),
    ]:  # wap profit shifting -0.15
        assert cells[key]["published"] == pytest.approx(ref[key], abs=1e-12)
        assert cells[key]["computed"] == pytest.approx(ref[key], abs=0.1), key
    for key, cell in cells.items():
        assert abs(cell["computed"] - ref[key]) <= 0.1, (key, cell["computed"], ref[key])


# ------------------------------------------------------------------ bad input
BAD = [
    (["optimal", "--dataset", "cp2015", "--player", "XYZ"], ["player", "XYZ", "MEX"]),
    (["nash", "--dataset", "cp2015", "--players", "USA,XYZ", "--targets", "players"], ["players", "XYZ"]),
    (["optimal", "--dataset", "cp2015", "--player", "MEX", "--lower", "50", "--upper", "10"], ["--lower", "50", "10"]),
    (["optimal", "--dataset", "cp2015", "--player", "MEX", "--lower", "10", "--upper", "10"], ["--lower", "10"]),
    (["talks", "--dataset", "cp2015", "--players", "USA,MEX", "--kind", "bad"], ["--kind", "bad", "equal-gains"]),
    (["talks", "--dataset", "cp2015", "--players", "USA"], ["players", "two"]),
    (
        ["nash", "--dataset", "cp2015", "--players", "USA,MEX", "--lambdas", "pol"],
        ["--lambdas", "ossa", "caliendo-parro"],
    ),
    (
        ["talks", "--dataset", "ossa2014", "--players", "USA,JPN", "--horizon", "short"],
        ["--horizon", "short", "caliendo-parro", "ossa"],
    ),
    (["replicate", "ossa2014", "--table", "7"], ["--table", "7", "2, 3, 4 or 5"]),
    (["replicate", "ossa2014", "--panels", "c"], ["--panels", "'c'", "a,b"]),
    (
        ["talks", "--dataset", "cp2015", "--players", "USA,MEX", "--beside", "us-china-2025"],
        ["--beside", "us-china-2025", "world2022", "cp2015"],
    ),
    (
        ["talks", "--players", "USA,CHN", "--beside", "us-china-2025:2031-01-01"],
        ["--beside", "2031-01-01", "2025-11-10"],
    ),
]


@pytest.mark.parametrize("args, words", BAD, ids=[" ".join(a[:1] + a[-2:]) for a, _ in BAD])
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_bad_input_is_one_line(cli, args, words, as_json):
    run = cli(*args, *(["--json"] if as_json else []))
    assert run.returncode == 2, (run.returncode, run.stderr)
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert "Traceback" not in run.stderr + run.stdout and run.stdout == ""
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_bad_input_entry_point_subprocess(tmp_path):
    """The installed entry point: exit status 2, one line, no traceback."""
    run = subprocess.run(
        [sys.executable, "-m", "tradewar.cli", "replicate", "ossa2014", "--table", "7", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip().splitlines() == ["error: --table: 7; use 2, 3, 4 or 5"]
