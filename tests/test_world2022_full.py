"""The bundled world2022-full dataset (every economy and industry of the OECD ICIO 2022 extract),
its aggregation to world2022, the bundled mappings and mapping files from the API, the CLI and a
scenario's [dataset].

Reference figures are recomputed here from ../shared/data/recent, never read from the bundled
files:
- world and economy totals: OECD ICIO 2025 ed., 2022 (icio2022_nodes.csv). Tolerance 0.1 %
  (issue 17): the calibration to a model equilibrium moves world gross output by -0.03 % and each
  economy's value added by at most 0.04 % (PROVENANCE.md, step 7).
- US-China goods trade: CEPII BACI 2023 (baci2023_bilateral_goods_total.csv). Tolerance 10 %
  (as for world2022): ICIO 2022 at basic prices and BACI 2023 FOB are different years and valuations.
- US tariffs: US Census 2024 calculated duties / customs value (us_tariffs_2025).
world2022 is written by the same build as the aggregation of world2022-full; its CSVs round
flows to 8 and shares/tariffs to 10 significant digits, thetas to 4 decimals: the tolerances of
the reproduction test.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tradewar.data.registry import default_data_path, load_dataset
from tradewar.data.world2022_full import bundled_mappings
from tradewar.errors import InputError
from tradewar.scenario.compile import compile_steps
from tradewar.scenario.run import run_scenario
from tradewar.scenario.spec import load_scenario, parse_scenario, with_dataset


@pytest.fixture(scope="module")
def recent():
    return default_data_path("recent")


@pytest.fixture(scope="module")
def full():
    return load_dataset("world2022-full")


@pytest.fixture(scope="module")
def nodes(recent):
    return pd.read_csv(recent / "icio2022" / "icio2022_nodes.csv")


def _one_line_error(run, *words):
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])


# ------------------------------------------------------------------------------ the data
def test_every_economy_and_industry_validates(full, nodes):
    assert set(full.regions) == set(nodes.country) and full.n_regions == 80
    assert set(full.sectors) == set(nodes.sector) and full.n_sectors == 50
    assert full.regions[:2] == ("USA", "CHN") and "HKG" in full.regions and "DEU" in full.regions
    full.validate()
    assert full.tradable.all()
    assert np.all(np.einsum("nnj->nj", full.tariffs) == 0)  # no tariff on an economy's own sales


def test_totals_match_icio_to_a_tenth_of_a_percent(full, nodes):
    assert full.gross_output.sum() == pytest.approx(nodes.gross_output.sum(), rel=1e-3)
    assert full.value_added.sum() == pytest.approx(nodes.va_plus_tls_plus_row_inputs.sum(), rel=1e-3)
    va = nodes.groupby("country").va_plus_tls_plus_row_inputs.sum()[list(full.regions)].to_numpy()
    np.testing.assert_allclose(full.value_added, va, rtol=1e-3)
    go = nodes.groupby("country").gross_output.sum()[list(full.regions)].to_numpy()
    np.testing.assert_allclose(full.gross_output.sum(axis=1), go, rtol=1e-2)  # calibration moves output


def test_taiwans_absorption_deviation_is_its_exported_health_services(full, nodes):
    """PROVENANCE.md, "Known deviation: Taiwan": final-use sourcing taken from intermediate use
    imputes more foreign demand for Taiwan's health services (Q) than its final sales (ICIO nodes),
    so its own final health demand is zero and the sales are exported; netting those exports out
    puts Taiwan's absorption (0.737 of value added) inside the band (0.780)."""
    from tradewar.data.world2022 import ABSORPTION_BAND

    twn, q = full.region_index("TWN"), full.sector_index("Q")
    node = nodes[(nodes.country == "TWN") & (nodes.sector == "Q")].iloc[0]
    lo, hi = ABSORPTION_BAND
    va = full.value_added[twn]
    absorption = full.income[twn] / va
    exports = full.trade[:, twn, q].sum() - full.trade[twn, twn, q]
    imports = full.trade[twn, :, q].sum() - full.trade[twn, twn, q]
    assert absorption == pytest.approx(0.737, abs=5e-4) and absorption < lo
    assert exports > node.final_demand_plus_sales_to_row  # every final sale abroad (31,512 of 32,628 exports)
    assert exports > 0.85 * node.gross_output and full.expenditure[twn, q] < 0.15 * node.gross_output
    netted = (full.income[twn] + exports - imports) / va
    assert netted == pytest.approx(0.780, abs=5e-4) and lo <= netted <= hi


def test_us_china_goods_trade_within_10pct_of_baci(full, recent):
    baci = pd.read_csv(recent / "baci2023_libday" / "baci2023_bilateral_goods_total.csv")
    flow = lambda e, i: baci[(baci.exporter_iso3 == e) & (baci.importer_iso3 == i)].value_kusd.sum() / 1e3
    goods = [k for k, s in enumerate(full.sectors) if s[0] in "ABC"]
    us, cn = full.region_index("USA"), full.region_index("CHN")
    assert full.trade[us, cn, goods].sum() == pytest.approx(flow("CHN", "USA"), rel=0.10)
    assert full.trade[cn, us, goods].sum() == pytest.approx(flow("USA", "CHN"), rel=0.10)
    de = full.region_index("DEU")  # a partner that world2022 folds into EU27, targeted on its own
    assert full.trade[us, de, goods].sum() == pytest.approx(flow("DEU", "USA"), rel=0.10)


def test_us_tariffs_by_partner_and_industry_follow_census_duties(full, recent):
    us = pd.read_csv(recent / "us_tariffs_2025" / "us_imports_tariffs_by_partner_hs2_2024.csv", dtype={"hs2": str})
    for partner in ("DEU", "CHN", "SGP"):
        row = us[(us.partner_iso3 == partner) & (us.hs2 == "87")]  # HS 87 is all of ICIO C29
        expected = row.us_duty_2024_usd.sum() / row.us_imports_2024_usd.sum()
        got = full.tariffs[full.region_index("USA"), full.region_index(partner), full.sector_index("C29")]
        assert got == pytest.approx(expected, rel=1e-6), partner
    eu = [full.region_index(c) for c in ("DEU", "FRA", "IRL", "POL")]
    assert np.all(full.tariffs[np.ix_(eu, eu)] == 0)  # single market
    services = [k for k, s in enumerate(full.sectors) if s[0] not in "ABC"]
    assert np.all(full.tariffs[:, :, services] == 0)


def test_aggregation_reproduces_world2022(full):
    agg = load_dataset("world2022-full", mapping=["world2022-regions", "world2022-sectors"])
    w22 = load_dataset("world2022")
    assert agg.regions == w22.regions and agg.sectors == w22.sectors
    np.testing.assert_allclose(agg.trade, w22.trade, rtol=1e-7, atol=1e-6)
    np.testing.assert_allclose(agg.tariffs, w22.tariffs, rtol=1e-9, atol=1e-12)
    for attr in ("va_share", "io_share", "final_share"):
        np.testing.assert_allclose(getattr(agg, attr), getattr(w22, attr), rtol=1e-7, atol=1e-9, err_msg=attr)
    np.testing.assert_allclose(agg.theta, w22.theta, atol=5e-5)
    np.testing.assert_allclose(agg.value_added, w22.value_added, rtol=1e-7)
    assert agg.tariff_revenue.sum() == pytest.approx(full.tariff_revenue.sum(), rel=1e-7)


# ------------------------------------------------------------------------------ mappings
def test_bundled_mappings(full):
    assert set(bundled_mappings()) >= {"world2022-regions", "world2022-sectors", "g7-china-asean-rest", "eu-members"}
    g7 = load_dataset("world2022-full", mapping="g7-china-asean-rest")
    assert g7.regions == ("G7", "CHN", "REST", "ASEAN")  # in the order of their first member
    assert g7.n_sectors == 50
    assert g7.value_added[g7.region_index("CHN")] == pytest.approx(full.value_added[full.region_index("CHN")])
    eu = load_dataset("world2022-full", mapping=["eu-members", "world2022-sectors"])
    assert eu.n_regions == 17 + 27 and "DEU" in eu.regions and "EU27" not in eu.regions and eu.n_sectors == 16


def _write_map(path, kind, pairs):
    path.write_text(f"{kind},new_{kind}\n" + "".join(f"{a},{b}\n" for a, b in pairs))
    return path


def test_unmapped_and_doubly_mapped_codes_are_one_line_errors(full, tmp_path, cli):
    codes = list(full.regions)
    unmapped = _write_map(tmp_path / "unmapped.csv", "region", [(c, "X") for c in codes[:-1]])
    with pytest.raises(InputError, match=f"region {codes[-1]} is not mapped"):
        load_dataset("world2022-full", mapping=unmapped)
    double = _write_map(tmp_path / "double.csv", "region", [(c, "X") for c in codes] + [("DEU", "Y")])
    with pytest.raises(InputError, match="maps region DEU twice"):
        load_dataset("world2022-full", mapping=double)
    run = cli(
        "data", "aggregate", "--dataset", "world2022-full", "--mapping", str(unmapped), "--out", str(tmp_path / "o")
    )
    _one_line_error(run, "is not mapped")
    run = cli("data", "aggregate", "--dataset", "world2022-full", "--mapping", "no-such-map", "--out", str(tmp_path))
    _one_line_error(run, "no-such-map", "g7-china-asean-rest")
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f'[dataset]\nsource = "world2022-full"\nmapping = "{double}"\n'
        '[[policy]]\nimporter = "X"\nexporter = "all"\nadd_pp = 10\n'
    )
    _one_line_error(cli("run", str(scenario), "--no-report"), "maps region DEU twice")


def test_cli_aggregate_with_a_bundled_mapping(cli, tmp_path):
    run = cli(
        "data", "aggregate", "--dataset", "world2022-full", "--mapping", "g7-china-asean-rest", "--out", str(tmp_path)
    )
    assert run.returncode == 0, run.stderr
    assert load_dataset("world2022", path=tmp_path).n_regions == 4


def test_scenario_mapping_from_the_dataset_table(tmp_path):
    scenario = parse_scenario(
        {
            "dataset": {"source": "world2022-full", "mapping": "g7-china-asean-rest"},
            "policy": [{"importer": "G7", "exporter": "CHN", "add_pp": 20}],
        }
    )
    result = run_scenario(scenario)
    eq = result.steps[0].equilibrium
    assert eq.baseline.regions == ("G7", "CHN", "REST", "ASEAN")
    assert bool(eq.converged)
    g7, cn = eq.baseline.region_index("G7"), eq.baseline.region_index("CHN")
    assert np.allclose(eq.tariffs[g7, cn], eq.baseline.tariffs[g7, cn] + 0.20)


# ------------------------------------------------------------------------------ scenarios
def test_world2022_codes_name_groups_of_economies_and_industries(full):
    spec = with_dataset(load_scenario("us-china-2025"), "world2022-full")
    steps = compile_steps(spec, full)
    de, us, c24a = full.region_index("DEU"), full.region_index("USA"), full.sector_index("C24A")
    assert any(s.tariffs[us, de, c24a] > full.tariffs[us, de, c24a] for s in steps)  # EU27 and METAL expand
    bad = parse_scenario({"policy": [{"importer": "NOPE", "exporter": "CHN", "add_pp": 1}]})
    with pytest.raises(InputError, match="unknown region code 'NOPE'"):
        compile_steps(bad, full)


def test_every_bundled_world2022_scenario_compiles_on_full_data(full):
    from tradewar.scenario.spec import bundled_scenarios

    names = [n for n in bundled_scenarios() if load_scenario(n).dataset.source == "world2022"]
    assert {"us-china-2025", "liberation-day", "busan-deal", "rare-earth-controls"} <= set(names)
    for name in names:
        assert compile_steps(with_dataset(load_scenario(name), "world2022-full"), full), name


@pytest.mark.heavy  # 19 solves: 34 s of CPU, 87 s wall at load 8 (2026-11-30); was 650 s of CPU
def test_main_job_converges_at_every_step_on_full_data():
    result = run_scenario(with_dataset(load_scenario("us-china-2025"), "world2022-full"))
    assert len(result.steps) > 1
    for step in result.steps:
        eq = step.equilibrium
        assert bool(eq.converged), step.label
        assert eq.max_residual <= 1e-10, step.label


# ------------------------------------------------------------------------------ games
def test_games_beyond_the_size_limit_say_their_size(cli):
    run = cli("nash", "--players", "USA,CHN", "--targets", "all", "--dataset", "world2022-full", "--json")
    _one_line_error(run, "discriminatory (79 partners x 50 sectors)", "3,950 tariffs per player", "8,080 unknowns")
    assert "use --mfn, --targets players, or aggregate first" in run.stderr and "fewer players" not in run.stderr
    run = cli("optimal", "--player", "USA", "--dataset", "world2022-full", "--json")
    _one_line_error(run, "--mfn")
    assert "--targets" not in run.stderr and "fewer players" not in run.stderr  # optimal has neither


def test_the_size_guard_estimates_minutes_from_its_measurements(full):
    """The guard's estimate (`game_minutes`) against the measurements its constants cite: cp2015's
    600 discriminatory optimal tariffs of the US by L-BFGS-B (8 min), one best response of 50 MFN
    tariffs on world2022-full by projected Newton (4 min). The MFN US-China war on world2022-full
    (8 best responses) is within the limit; trade talks over it (the war and a deal over both
    players' 100 tariffs) are not."""
    from tradewar.cli.games import GAME_MINUTES_LIMIT, game_minutes

    assert game_minutes(load_dataset("cp2015"), 600, 1) == pytest.approx(8, rel=0.05)
    assert game_minutes(full, 50, 1) == pytest.approx(4.65, rel=0.05)
    war = game_minutes(full, 50, 8)
    assert war < GAME_MINUTES_LIMIT < war + game_minutes(full, 100, 3)


def test_full_data_games_beyond_the_limit_say_their_minutes(cli):
    """Trade talks over MFN tariffs on world2022-full: the war (2 players x NASH_BEST_RESPONSES) and
    a deal over both players' 100 tariffs, about 55 min on 2 cores, are refused with their size
    and estimate; the MFN war alone (37 min) and one player's optimal MFN tariffs are played
    (benchmarks/bench_world2022_full.py --games measures both)."""
    run = cli("talks", "--players", "USA,CHN", "--mfn", "--dataset", "world2022-full", "--json")
    _one_line_error(run, "50 tariffs per player", "8,080 unknowns", "320,000 trade flows", "8 best responses")
    assert "and 3 maximisations of a deal over 100 tariffs" in run.stderr
    assert "about 55 min on 2 cores, beyond the 45 min the CLI plays" in run.stderr
    assert "aggregate first" in run.stderr
    run = cli("frontier", "--players", "USA,CHN", "--dataset", "world2022-full", "--json")
    _one_line_error(run, "tariffs on each other (50 sectors)", "8 best responses", "26 maximisations of a deal")
    assert "fewer --points, or aggregate first" in run.stderr


# ------------------------------------------------------------------------------ backtest
def test_backtest_compares_every_observed_partner_on_its_own(full):
    from tradewar.data.observed import ALL, load_observed
    from tradewar.scenario.backtest import applies_to, run_backtest

    observed = load_observed()
    partners = sorted(set(observed.table.partner_iso3) - {ALL})
    assert len(partners) == 30 and set(partners) <= set(full.regions)  # every partner is an ICIO economy
    spec = with_dataset(load_scenario("us-china-2025"), "world2022-full")
    assert applies_to(spec, observed)
    month = "2025-02"  # one month at one setting: the comparison's layout, not its figures
    result = run_backtest(
        spec, observed=observed, horizons=("long",), bases=("statutory",), first_month=month, last_month=month
    )
    rows = result.rows[(result.settings[0].label, month)]
    assert sorted(rows.index) == partners  # DEU, IRL, CHE, SGP, SAU ... each on its own, not in EU27 or ROW
    assert set(result.coverage["regions"]) == set(partners)
    assert rows.observed_share_pct.sum() == pytest.approx(100.0)
    assert np.isfinite(rows.model_change_pp).all()


def test_cli_run_on_full_data_with_a_bundled_mapping(cli, tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('[[policy]]\nimporter = "USA"\nexporter = "CHN"\nadd_pp = 10\n')  # written for world2022
    run = cli("run", str(scenario), "--dataset", "world2022-full", "--mapping", "g7-china-asean-rest", "--json")
    assert run.returncode == 2 and "unknown region code 'USA'" in run.stderr  # USA is inside G7 there
    run = cli("run", str(scenario), "--dataset", "world2022-full", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert "DEU" in json.dumps(out) and "EU27" not in json.dumps(out)
