"""The bundled world2022 dataset (OECD ICIO 2022, 18 regions x 16 sectors), its loader,
aggregation with mapping files and `tradewar data`.

Reference figures are recomputed here from ../shared/data/recent (found with
`tradewar.data.registry.default_data_path`), never read from the bundled files:
- world gross output and value added: OECD ICIO 2025 ed., 2022 (icio2022_nodes.csv). Tolerance
  0.1 % (issue 4): the calibration to a model equilibrium moves gross output by -0.03 %
  (PROVENANCE.md, step 7) and preserves world value added (the numeraire).
- US-China goods trade: CEPII BACI 2023 (baci2023_bilateral_goods_total.csv; README: CHN->USA
  440,477,681 kUSD, USA->CHN 145,334,425 kUSD). Tolerance 10 % (issue 4): ICIO 2022 at basic
  prices and BACI 2023 FOB are different years and valuations.
- US tariffs by sector: US Census 2024 calculated duties / customs value (us_tariffs_2025).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tradewar.data.aggregate import aggregate, read_mappings
from tradewar.data.registry import default_data_path, load_dataset
from tradewar.data.world2022 import ABSORPTION_BAND, bundled_path, hs2_to_sector, load_world2022, read_dataset
from tradewar.errors import InputError
from tradewar.solver.equilibrium import solve

REGIONS = [
    "USA",
    "CHN",
    "JPN",
    "KOR",
    "TWN",
    "IND",
    "CAN",
    "MEX",
    "BRA",
    "GBR",
    "EU27",
    "VNM",
    "MYS",
    "THA",
    "IDN",
    "ASEAN_OTH",
    "AUS",
    "ROW",
]
SECTORS = [
    "AGR",
    "ENRG",
    "MINE",
    "FOOD",
    "TEXT",
    "WOOD",
    "CHEM",
    "METAL",
    "FMET",
    "ELEC",
    "ELEQ",
    "MACH",
    "AUTO",
    "OMFG",
    "UTIL",
    "SERV",
]
GOODS = SECTORS[:14]


@pytest.fixture(scope="module")
def recent():
    return default_data_path("recent")


@pytest.fixture(scope="module")
def base():
    return load_world2022()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """A writable copy of the bundled folder."""
    out = tmp_path_factory.mktemp("w22")
    for f in bundled_path().iterdir():
        (out / f.name).write_bytes(f.read_bytes())
    return out


def _one_line_error(run, *words):
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])


# ------------------------------------------------------------------------------ the data
def test_labels_and_validation(base):
    assert base.regions == tuple(REGIONS)
    assert base.sectors == tuple(SECTORS)
    assert base.trade.shape == (18, 18, 16)
    base.validate()  # load_world2022 validated already; explicit here
    assert load_dataset("world2022").regions == base.regions
    assert load_dataset().name == "world2022"  # the default dataset


def test_world_totals_match_icio(base, recent):
    nodes = pd.read_csv(recent / "icio2022" / "icio2022_nodes.csv")
    go, va = nodes.gross_output.sum(), nodes.va_plus_tls_plus_row_inputs.sum()
    assert go == pytest.approx(192.4e6, rel=1e-3)  # README: 192.4 trillion USD
    assert base.gross_output.sum() == pytest.approx(go, rel=1e-3)
    assert base.value_added.sum() == pytest.approx(va, rel=1e-3)
    # region detail: USA and CHN value added (README: 25.2 tn and 17.4 tn)
    by_country = nodes.groupby("country").va_plus_tls_plus_row_inputs.sum()
    for code in ("USA", "CHN"):
        assert base.value_added[base.region_index(code)] == pytest.approx(by_country[code], rel=1e-3)


def _region_of_country(recent):
    rm = pd.read_csv(recent / "icio2022" / "region_map.csv")
    named = {
        "SGP": "ASEAN_OTH",
        "PHL": "ASEAN_OTH",
        "BRN": "ASEAN_OTH",
        "KHM": "ASEAN_OTH",
        "LAO": "ASEAN_OTH",
        "MMR": "ASEAN_OTH",
        "AUS": "AUS",
    }
    return {c: named.get(c, "ROW" if r == "ROW80" else r) for c, r in zip(rm.country, rm.region)}


def test_region_totals_and_input_demand_match_icio(base, recent):
    """Each region's gross output and its intermediate purchases (from the RAS-balanced input-output
    shares, ROW80's coefficients for AUS and ROW) against the ICIO country-level figures. Tolerance
    0.5 %: the calibration moves region totals by at most about 0.2 % (PROVENANCE.md, step 7); an
    input-output method error shows up at tens of percent (AUS from ROW80's shares alone: 300 %)."""
    region = _region_of_country(recent)
    nodes = pd.read_csv(recent / "icio2022" / "icio2022_nodes.csv")
    go = nodes.groupby(nodes.country.map(region)).gross_output.sum().reindex(REGIONS).to_numpy()
    np.testing.assert_allclose(base.gross_output.sum(axis=1), go, rtol=5e-3)
    flows = pd.read_csv(recent / "icio2022" / "icio2022_intermediate_by_origin_sector_dest_country.csv.gz")
    bought = flows.groupby(flows.dest_country.map(region)).value_usd_mn.sum().reindex(REGIONS).to_numpy()
    np.testing.assert_allclose(base.intermediate_demand.sum(axis=1), bought, rtol=5e-3)


def test_derived_final_demand_nonnegative_and_adds_up(base, recent):
    final = base.expenditure - base.intermediate_demand  # = final_share * income in the model
    assert final.min() >= -1e-9 * base.expenditure.max()
    np.testing.assert_allclose(final.sum(axis=1), base.income, rtol=1e-6)
    # cell by cell, to the accounting tolerance of Baseline.validate (relative to absorption)
    gap = np.abs(final - base.final_share * base.income[:, None])
    assert np.all(gap <= 1e-6 * np.maximum(base.expenditure, base.expenditure.mean()))
    # the derivation from the ICIO (before calibration): destination totals >= 0, and world final
    # demand by sector = world final sales by sector, which must equal the ICIO's own figure
    rs = pd.read_csv(bundled_path().joinpath("region_sector.csv").open())
    assert (rs.derived_final_demand >= 0).all()
    nodes = pd.read_csv(recent / "icio2022" / "icio2022_nodes.csv")
    icio_final = nodes.final_demand_plus_sales_to_row.sum()
    assert rs.icio_final_sales.sum() == pytest.approx(icio_final, rel=1e-9)
    by_sector = rs.groupby("sector")[["derived_final_demand", "icio_final_sales"]].sum()
    np.testing.assert_allclose(by_sector.derived_final_demand, by_sector.icio_final_sales, rtol=1e-8)


def test_us_china_goods_trade_within_10pct_of_baci(base, recent):
    baci = (
        pd.read_csv(recent / "baci2023_libday" / "baci2023_bilateral_goods_total.csv")
        .set_index(["exporter_iso3", "importer_iso3"])
        .value_kusd
        / 1e3
    )  # USD million
    assert baci["CHN", "USA"] == pytest.approx(440_477.681)
    assert baci["USA", "CHN"] == pytest.approx(145_334.425)
    usa, chn = base.region_index("USA"), base.region_index("CHN")
    goods = [base.sector_index(s) for s in GOODS]
    chn_to_usa = base.trade[usa, chn, goods].sum()
    usa_to_chn = base.trade[chn, usa, goods].sum()
    assert abs(chn_to_usa / baci["CHN", "USA"] - 1) < 0.10, chn_to_usa
    assert abs(usa_to_chn / baci["USA", "CHN"] - 1) < 0.10, usa_to_chn


def test_absorption_band(base):
    va, d, income = base.value_added, base.deficit, base.income
    # absorption = VA + deficit + tariff revenue: the excess over VA + D is the revenue (< 2 % of it)
    excess = income / (va + d) - 1
    assert np.all(excess >= 0) and np.all(excess < 0.02), dict(zip(base.regions, excess))
    ratio = income / va
    lo, hi = ABSORPTION_BAND
    outside = [r for r, x in zip(base.regions, ratio) if not lo <= x <= hi]
    # Taiwan (0.737) is the documented deviation (PROVENANCE.md, "Known deviation: Taiwan"): its
    # final health and textile sales are imputed abroad (40,131, 5.3% of value added); see
    # tests/test_world2022_full.py::test_taiwans_absorption_deviation_is_its_exported_health_services
    assert set(outside) <= {"TWN"}, dict(zip(base.regions, ratio.round(3)))
    assert "Known deviation: Taiwan" in bundled_path().joinpath("PROVENANCE.md").read_text(encoding="utf-8")
    # the two largest economies' deficits have the signs of their national accounts
    assert d[base.region_index("USA")] > 0 > d[base.region_index("CHN")]


def test_us_tariffs_follow_census_duties(base, recent):
    us = pd.read_csv(recent / "us_tariffs_2025" / "us_imports_tariffs_by_partner_hs2_2024.csv", dtype={"hs2": str})
    chn = us[(us.partner_iso3 == "CHN") & (us.hs2 == "87")]
    expected = chn.us_duty_2024_usd.sum() / chn.us_imports_2024_usd.sum()  # HS 87 is all of AUTO
    assert base.tariffs[base.region_index("USA"), base.region_index("CHN"), base.sector_index("AUTO")] == pytest.approx(
        expected, rel=1e-6
    )
    assert np.all(base.tariffs[:, :, [base.sector_index("UTIL"), base.sector_index("SERV")]] == 0)
    # a region's own sales carry no tariff, except ROW's: its economies trade with each other at
    # the assumed MFN-like rates in world2022-full, of which world2022 is the aggregation
    own = np.einsum("nnj->nj", base.tariffs)
    assert [base.regions[n] for n in np.nonzero(own.any(axis=1))[0]] == ["ROW"]


def test_theta_from_caliendo_parro(base):
    cp = pd.read_csv(default_data_path("cp2015") / "theta.csv").set_index("sector").theta
    assert base.theta[base.sector_index("AGR")] == pytest.approx(cp["Agriculture"])
    assert base.theta[base.sector_index("METAL")] == pytest.approx(cp["Basic metals"])
    assert base.theta[base.sector_index("MACH")] == pytest.approx(cp["Machinery n.e.c"])
    chem = base.theta[base.sector_index("CHEM")]  # harmonic mean of Petroleum, Chemicals, Plastic
    assert min(cp["Plastic"], cp["Chemicals"]) < chem < cp["Petroleum"]


def test_hs2_concordance_covers_all_chapters():
    conc = pd.read_csv(bundled_path().joinpath("hs2_to_sector.csv").open(), dtype={"hs2": str})
    assert list(conc.columns) == ["hs2", "sector", "note"]
    assert list(conc.hs2) == [f"{k:02d}" for k in range(1, 98)]
    assert set(conc.sector) <= set(GOODS)
    assert conc.note.str.len().min() > 0
    assert conc.set_index("hs2").sector[["26", "28", "72", "76", "85", "87"]].tolist() == [
        "MINE",
        "CHEM",
        "METAL",
        "METAL",
        "ELEC",
        "AUTO",
    ]
    assert hs2_to_sector() == dict(zip(conc.hs2, conc.sector))


# ------------------------------------------------------------------------------ solving
def test_smoke_solve_converges(base):
    """A US-China tariff war (+25 points on goods both ways): converges; bilateral trade falls."""
    usa, chn = base.region_index("USA"), base.region_index("CHN")
    tariffs = base.tariffs.copy()
    tariffs[usa, chn, :14] += 0.25
    tariffs[chn, usa, :14] += 0.25
    eq = solve("caliendo-parro", base, tariffs)
    assert eq.converged and eq.max_residual < 1e-8
    assert eq.outcomes["trade_new"][usa, chn, :14].sum() < 0.8 * base.trade[usa, chn, :14].sum()
    # at the factual tariffs the baseline is its own equilibrium (it was calibrated to be one)
    eq0 = solve("caliendo-parro", base, base.tariffs)
    np.testing.assert_allclose(eq0.outcomes["trade_new"], base.trade, rtol=1e-6, atol=1e-6 * base.trade.max())


# ------------------------------------------------------------------------------ aggregation
def _write_map(path, kind, pairs):
    path.write_text(f"{kind},new_{kind}\n" + "".join(f"{a},{b}\n" for a, b in pairs))
    return path


def test_aggregation_keeps_the_accounts(base, tmp_path):
    nafta = {"USA": "NAM", "CAN": "NAM", "MEX": "NAM"}
    rmap = _write_map(tmp_path / "r.csv", "region", [(r, nafta.get(r, r)) for r in REGIONS])
    smap = _write_map(tmp_path / "s.csv", "sector", [(s, "GOODS" if s in GOODS else s) for s in SECTORS])
    agg = load_world2022(mapping=[rmap, smap])  # validated inside
    assert agg.regions[0] == "NAM" and len(agg.regions) == 16
    assert agg.sectors == ("GOODS", "UTIL", "SERV")
    for attr in ("gross_output", "value_added", "tariff_revenue", "income"):
        assert getattr(agg, attr).sum() == pytest.approx(getattr(base, attr).sum(), rel=1e-9)
    # the identity mapping changes nothing
    same = aggregate(base, {r: r for r in REGIONS}, None)
    np.testing.assert_allclose(same.trade, base.trade)
    np.testing.assert_allclose(same.theta, base.theta)


def test_bad_mapping_files_are_one_line_input_errors(base, tmp_path):
    unmapped = _write_map(tmp_path / "r.csv", "region", [(r, r) for r in REGIONS if r != "AUS"])
    with pytest.raises(InputError, match="region AUS is not mapped"):
        load_world2022(mapping=unmapped)
    unknown = _write_map(tmp_path / "s.csv", "sector", [(s, s) for s in SECTORS] + [("STEEL", "METAL")])
    with pytest.raises(InputError, match="sector 'STEEL' is not in data set"):
        load_world2022(mapping=unknown)
    header = tmp_path / "h.csv"
    header.write_text("from,to\nUSA,USA\n")
    with pytest.raises(InputError, match="region,new_region"):
        read_mappings(header, base)


# ------------------------------------------------------------------------------ reading a folder
def test_read_dataset_round_trip_and_errors(base, bundled, tmp_path):
    again = read_dataset(bundled)
    np.testing.assert_allclose(again.trade, base.trade)
    bad = tmp_path / "bad"
    shutil.copytree(bundled, bad)
    trade = (bad / "trade.csv").read_text().splitlines()
    fields = trade[5].split(",")
    trade[5] = ",".join([fields[0], "XXX", *fields[2:]])
    (bad / "trade.csv").write_text("\n".join(trade) + "\n")
    with pytest.raises(InputError, match=r"trade.csv: row 6, column exporter: unknown region code 'XXX'"):
        read_dataset(bad)
    (bad / "trade.csv").write_text((bundled / "trade.csv").read_text())
    rs = pd.read_csv(bad / "region_sector.csv")
    rs.loc[0, "final_share"] += 0.1
    rs.to_csv(bad / "region_sector.csv", index=False)
    with pytest.raises(InputError, match="final-demand shares of USA add up to"):
        read_dataset(bad)
    (bad / "region_sector.csv").write_text((bundled / "region_sector.csv").read_text())
    (bad / "regions.csv").write_text("code,name\n")  # a header and no rows (a review found a traceback)
    with pytest.raises(InputError, match=r"regions\.csv: no rows; list at least one code"):
        read_dataset(bad)
    (bad / "regions.csv").write_text("code,name\nUSA,United States,extra\n")
    with pytest.raises(InputError, match=r"regions.csv: not a readable CSV file \(row 2 has 3 fields"):
        read_dataset(bad)


# ------------------------------------------------------------------------------ CLI
def test_cli_entry_point_subprocess(tmp_path):
    """One real subprocess: the installed entry point prints one error line, no traceback."""
    rmap = _write_map(tmp_path / "r.csv", "region", [(r, r) for r in REGIONS if r != "MEX"])
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tradewar.cli",
            "data",
            "aggregate",
            "--mapping",
            str(rmap),
            "--out",
            str(tmp_path / "x"),
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    _one_line_error(run, "region MEX is not mapped")
    assert not (tmp_path / "x").exists()


def test_cli_data_list(cli):
    run = cli("data", "list", "--json")
    assert run.returncode == 0, run.stderr
    obj = json.loads(run.stdout)
    (w,) = [d for d in obj["datasets"] if d["name"] == "world2022"]
    assert w["regions"] == REGIONS and w["sectors"] == SECTORS
    assert "OECD ICIO 2025 edition" in w["provenance"]
    assert w["bytes"] < 5_000_000  # compact: well under 5 MB
    assert "cp2015" in obj["other_sources"]


def test_cli_data_aggregate_and_validate(tmp_path, cli):
    rmap = _write_map(tmp_path / "r.csv", "region", [(r, "ASIA" if r in ("JPN", "KOR", "TWN") else r) for r in REGIONS])
    out = tmp_path / "agg"
    run = cli("data", "aggregate", "--mapping", str(rmap), "--out", str(out), "--json")
    assert run.returncode == 0, run.stderr
    obj = json.loads(run.stdout)
    assert obj["n_regions"] == 16 and "ASIA" in obj["regions"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "PROVENANCE.md",
            "regions.csv",
            "sectors.csv",
            "trade.csv",
            "tariffs.csv",
            "region_sector.csv",
            "io_shares.csv",
        ]
    )
    run = cli("data", "validate", str(out), "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["valid"] is True
    assert json.loads(run.stdout)["value_added"] == pytest.approx(obj["value_added"], rel=1e-9)


def test_cli_data_errors_write_nothing(tmp_path, bundled, cli):
    rmap = _write_map(tmp_path / "r.csv", "region", [(r, r) for r in REGIONS if r != "VNM"])
    out = tmp_path / "never"
    _one_line_error(cli("data", "aggregate", "--mapping", str(rmap), "--out", str(out)), "VNM", "not mapped")
    assert not out.exists()
    _one_line_error(cli("data", "validate", str(tmp_path / "missing")), "not a folder")
    broken = tmp_path / "broken"
    shutil.copytree(bundled, broken)
    (broken / "io_shares.csv").unlink()
    _one_line_error(cli("data", "validate", str(broken)), "missing file io_shares.csv")
    (broken / "io_shares.csv").write_text("region,input,share\nUSA,AGR,1\n")
    _one_line_error(cli("data", "validate", str(broken)), "missing column 'user'")
