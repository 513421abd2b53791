"""Build the bundled `world2022` dataset (18 regions x 16 sectors, 2022) from ../shared/data/recent.

    python scripts/build_world2022.py [--data ../shared/data/recent] [--out src/tradewar/datasets/world2022]

Reads the OECD ICIO 2022 extract, BACI 2023, the US 2024 duties by partner x HS2 and China's
2018-2019 tariffs on US goods, and writes compact CSVs (layout: docs/data-layout.md) plus the
figures of every step into PROVENANCE.md. Nothing from the source folders is copied.

Steps (each one's before/after figures go into PROVENANCE.md):
 1. aggregate ICIO nodes (gross output, value added + TLS, final sales) and intermediate flows by
    origin (country, sector) x destination country to 18 regions x 16 sectors;
 2. input-output shares from the 19-region x 50-sector matrix; AUS and ROW (both inside the
    extract's ROW80) start from ROW80's coefficients, RAS-balanced to their own input totals
    (from the country-level flows) and user totals (from the nodes);
 3. final demand by destination: final-use sourcing shares = intermediate-use sourcing shares
    per destination and sector; destination totals C_n^j >= 0 by non-negative least squares so
    that each supplier's final sales add up to its ICIO total, then an exact column scaling;
 4. bilateral goods totals vs BACI 2023 and US 2024 imports; final-goods flows of the pairs with
    the US or China are balanced (iterative proportional fitting) to BACI 2023 while every
    supplier's final sales stay at the ICIO total;
 5. baseline tariffs (US: 2024 duties / imports by partner x HS2; China on the US: June-2019
    HS10 rates with 2017 weights; every other pair: documented assumption);
 6. theta by sector from Caliendo-Parro (2015) T.txt (their Table 1 estimates as used in their
    code) mapped to the 16 sectors;
 7. `tradewar.models.caliendo_parro.calibrate` solves the model at the factual tariffs with the
    ICIO value added and the derived deficits, so that the stored flows are an equilibrium.
"""

from __future__ import annotations

import argparse
import io
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import nnls

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from tradewar.data.baseline import Baseline  # noqa: E402
from tradewar.data.files import write_atomic  # noqa: E402

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
REGION_NAMES = {
    "USA": "United States",
    "CHN": "China (excl. Hong Kong)",
    "JPN": "Japan",
    "KOR": "Korea",
    "TWN": "Taiwan",
    "IND": "India",
    "CAN": "Canada",
    "MEX": "Mexico",
    "BRA": "Brazil",
    "GBR": "United Kingdom",
    "EU27": "European Union (27)",
    "VNM": "Viet Nam",
    "MYS": "Malaysia",
    "THA": "Thailand",
    "IDN": "Indonesia",
    "ASEAN_OTH": "Other ASEAN (SGP PHL BRN KHM LAO MMR)",
    "AUS": "Australia",
    "ROW": "Rest of world (other ICIO economies incl. HKG)",
}
ASEAN_OTH = {"SGP", "PHL", "BRN", "KHM", "LAO", "MMR"}
SECTORS = {  # code: (name, ICIO 2025 industries)
    "AGR": ("Agriculture, forestry, fishing", ["A01", "A02", "A03"]),
    "ENRG": ("Coal, crude oil and gas", ["B05", "B06"]),
    "MINE": ("Metal ores (incl. rare-earth ores), other mining, mining services", ["B07", "B08", "B09"]),
    "FOOD": ("Food, beverages, tobacco", ["C10T12"]),
    "TEXT": ("Textiles, apparel, leather", ["C13T15"]),
    "WOOD": ("Wood, paper, printing", ["C16", "C17_18"]),
    "CHEM": (
        "Refined petroleum, chemicals (incl. rare-earth compounds), pharma, rubber, plastics",
        ["C19", "C20", "C21", "C22"],
    ),
    "METAL": ("Basic metals (iron and steel, non-ferrous)", ["C24A", "C24B"]),
    "FMET": ("Non-metallic minerals, fabricated metal products", ["C23", "C25"]),
    "ELEC": ("Computers, electronics, optical products", ["C26"]),
    "ELEQ": ("Electrical equipment (incl. magnets)", ["C27"]),
    "MACH": ("Machinery n.e.c.", ["C28"]),
    "AUTO": ("Motor vehicles", ["C29"]),
    "OMFG": ("Other transport equipment, furniture, other manufacturing", ["C301", "C302T309", "C31T33"]),
    "UTIL": ("Electricity, gas, water, waste, construction", ["D", "E", "F"]),
    "SERV": (
        "Services",
        [
            "G",
            "H49",
            "H50",
            "H51",
            "H52",
            "H53",
            "I",
            "J58T60",
            "J61",
            "J62_63",
            "K",
            "L",
            "M",
            "N",
            "O",
            "P",
            "Q",
            "R",
            "S",
            "T",
        ],
    ),
}
SECS = list(SECTORS)
GOODS = SECS[:14]
N, J = len(REGIONS), len(SECS)
NATIVE_TO_SECTOR = {nat: s for s, (_, nats) in SECTORS.items() for nat in nats}

# Caliendo-Parro (2015) sectors (their Table A1; theta from their T.txt, see ../shared/data/cp2015)
# that correspond to each world2022 sector, with the ICIO industries used to weight them.
THETA_MAP = {
    "AGR": {"Agriculture": ["A01", "A02", "A03"]},
    "ENRG": {"Mining": ["B05", "B06"]},
    "MINE": {"Mining": ["B07", "B08", "B09"]},
    "FOOD": {"Food": ["C10T12"]},
    "TEXT": {"Textile": ["C13T15"]},
    "WOOD": {"Wood": ["C16"], "Paper": ["C17_18"]},
    "CHEM": {"Petroleum": ["C19"], "Chemicals": ["C20", "C21"], "Plastic": ["C22"]},
    "METAL": {"Basic metals": ["C24A", "C24B"]},
    "FMET": {"Minerals": ["C23"], "Metal products": ["C25"]},
    "ELEC": {"Office": [], "Communication": [], "Medical": []},  # equal weights within C26
    "ELEQ": {"Electrical": ["C27"]},
    "MACH": {"Machinery n.e.c": ["C28"]},
    "AUTO": {"Auto": ["C29"]},
    "OMFG": {"Other Transport": ["C301", "C302T309"], "Other": ["C31T33"]},
    "UTIL": {"Electricity": ["D", "E", "F"]},
    "SERV": {"Retail": ["G"]},
}

# Zero-tariff agreements applied to "other" pairs (documented assumption, see PROVENANCE.md).
FTA_GROUPS = {
    "USMCA (CAN-MEX)": {"CAN", "MEX"},
    "ASEAN Free Trade Area": {"VNM", "MYS", "THA", "IDN", "ASEAN_OTH"},
    "EU-UK Trade and Cooperation Agreement": {"EU27", "GBR"},
}

PROVENANCE_HEADER = """# world2022: provenance

Built by `python scripts/build_world2022.py` from `../shared/data/recent` (never copied into the
repository). The build log below is written by the script on every run: every figure in it is
computed, none typed in.

## Sources
- **OECD ICIO 2025 edition, reference year 2022** (80 economies x 50 ISIC Rev.4 industries, USD
  million, current prices), as extracted in `../shared/data/recent/icio2022` (from the PyPI package
  `sanction-simulator` 0.1.4 benchmark cache; see that README). Cite: OECD (2025), OECD
  Inter-Country Input-Output Database, http://oe.cd/icio. Used: node vectors (gross output,
  intermediate inputs, value added + TLS, final sales), intermediate flows by origin country x
  sector x destination country, and the 19-region x 50-industry intermediate matrix.
- **CEPII BACI 2023** (HS22, V202501) aggregate bilateral goods trade, via
  `../shared/data/recent/baci2023_libday` (Ignatenko et al. 2025 replication): targets for the
  US and China bilateral goods totals.
- **US Census 2024 imports and calculated duties by partner x HS2**, via
  `../shared/data/recent/us_tariffs_2025` (tradewartracker, MIT): US baseline tariffs and a
  check of US imports by partner.
- **China's tariffs on US goods, HS10, 2018-2019** (Bown, Jung & Zhang 2019, PIIE), with
  China's 2017 imports from the US by HS8 as weights, via
  `../shared/data/recent/china_tariffs_2018_2019`.
- **Trade elasticities**: Caliendo and Parro (2015, REStud), the sector thetas their code uses
  (`T.txt`: Table 1, 99% sample, for 18 sectors; 8.22 for Auto, Other Transport and services), via
  `../shared/data/cp2015/theta.csv`. Standard errors are not in the shared data, so
  `sectors.csv` leaves `theta_se` empty (the column exists for users who supply them).

## HS 2-digit -> sector concordance (`hs2_to_sector.csv`)
Columns `hs2` (two-digit string, 01-97), `sector` (one of the 14 goods sectors), `note`. Method:
each HS chapter goes, one-to-one, to the world2022 sector holding the ISIC Rev.4 class that
produces the bulk of the chapter's trade value (judged with the US 2024 imports by chapter in
us_tariffs_2025 where a chapter spans two industries); the standard HS-ISIC correspondence
gives the class of each heading. The `note` names the ISIC division(s) and any minority part of
the chapter that belongs elsewhere. Known approximations:
- HS 27 -> ENRG: crude oil, gas and coal dominate; refined products (2710, ISIC C19 -> CHEM)
  and electricity (2716) are inside the chapter.
- HS 84 -> MACH, though computers (8471, ISIC C26 -> ELEC) are in this chapter.
- HS 85 -> ELEC (phones, ICs, displays dominate). ELEQ (ISIC C27: motors, batteries, magnets
  8505, cables) has no chapter of its own: **the chapter-85 rate is used for ELEQ too** (here
  and, for consistency, in every tariff built on this concordance).
- HS 71 -> METAL: unwrought gold/silver/platinum dominate (ISIC C24); jewellery is C32.
- HS 72/76 -> METAL (Section 232 steel and aluminium), HS 73 -> FMET (articles of iron or steel,
  C25; some Section 232 derivatives).
- Rare earths: ores (2530.90, chapter 26) -> MINE; rare-earth metals and compounds (2805, 2846)
  -> CHEM (chapter 28); magnets (8505) -> chapter 85.
- UTIL and SERV have no chapter (no goods tariffs). HS 98-99 (US special provisions) are outside
  01-97 and left out of every tariff average.

## Aggregation
- Regions (18): USA CHN JPN KOR TWN IND CAN MEX BRA GBR EU27 VNM MYS THA IDN ASEAN_OTH AUS ROW.
  ASEAN_OTH = SGP PHL BRN KHM LAO MMR; ROW = every other ICIO economy, including Hong Kong
  (HKG is not in CHN). The OECD's own residual region "ROW" is not in the extract: flows to and
  from it are missing, its purchases are inside the ICIO "final sales" of each node and inputs
  from it are inside "value added".
- Sectors (16): AGR (A01-A03), ENRG (B05-B06), MINE (B07-B09, metal ores incl. rare-earth ores),
  FOOD (C10T12), TEXT (C13T15), WOOD (C16, C17_18), CHEM (C19-C22; rare-earth compounds and
  metals HS 2805/2846), METAL (C24A, C24B), FMET (C23, C25), ELEC (C26), ELEQ (C27, incl.
  magnets), MACH (C28), AUTO (C29), OMFG (C301, C302T309, C31T33), UTIL (D, E, F), SERV (G-T).
  Every sector is tradable (services trade is in the ICIO flows).
- Value added is the ICIO's `va_plus_tls_plus_row_inputs`: value added + taxes less subsidies on
  products + inputs bought from the OECD residual ROW region.
- Flows are at basic prices and are treated as net of tariffs; the tariffs are added on top.

## Assumptions (each with its figures in the build log)
1. **AUS and ROW input-output shares.** The 19-region extract puts AUS inside ROW80. Their
   coefficients start from ROW80's and are RAS-balanced to their own input totals by sector
   (from the country-level flows) and their own intermediate-input totals by using sector (from
   the nodes), so that the model's intermediate demand matches the flows exactly.
2. **Final demand by destination** (the extract has none): final-use sourcing shares equal the
   intermediate-use sourcing shares in each destination and sector (the model's own assumption:
   one sourcing share per destination and sector); the destination totals C_n^j >= 0 solve
   sum_n s_ni^j C_n^j = F_i^j (each supplier's ICIO final sales) by non-negative least squares;
   a column scaling then makes each supplier's final sales add up exactly.
3. **Balancing to BACI 2023.** The final-goods flows of the pairs of the US or China with
   another region are scaled to the BACI 2023 bilateral goods totals, alternating with the
   supplier totals (iterative proportional fitting), so that US-China trade matches BACI while
   each supplier's final sales stay at the ICIO figure; the domestic final sales absorb the
   difference. Not targeted: US and Chinese exports to ROW (holds Hong Kong) and ASEAN_OTH
   (holds Singapore), because BACI counts the goods these entrepots re-export and the ICIO does
   not (the "entrepot absorption" of the earlier attempt); pairs with TWN (not in BACI). BACI
   flows of countries outside the ICIO 80 are left out, like the OECD residual region.
   BACI is 2023 and FOB; the ICIO is 2022 at basic prices: the year/valuation gap is accepted
   for these pairs because the allocation by 2022 sourcing shares alone understates US imports
   from China (-14%). Other pairs are reported, not targeted.
4. **Tariffs.** US: 2024 calculated duties / customs value by partner x sector (import-weighted
   over HS2 chapters, HS 98-99 left out; EU members take the EU27 total; ELEQ takes chapter 85).
   This includes the Section 301 duties in force in 2024. China on the US: the HS10 rates in force
   after 1 June 2019 (the data end there). China on everyone else: China's 2019 MFN rates.
   Every other importer: **assumed** to apply the US's 2024 applied rates on non-China partners
   by sector (an MFN-like low-tariff structure; no tariff data for other importers were
   obtainable, see ../shared/data/recent/README.md), zero inside USMCA (CAN-MEX), the ASEAN Free
   Trade Area and the EU-UK TCA. UTIL and SERV carry no tariffs.
5. **theta aggregation.** Where several CP sectors fall in one world2022 sector, theta is their
   harmonic mean weighted by the world intermediate exports of the matching ICIO industries
   (ELEC: equal weights of Office, Communication and Medical, all inside C26).
6. **Calibration.** `tradewar.models.caliendo_parro.calibrate` solves the model at the factual
   tariffs with the ICIO value added and the derived deficits (imports - exports, goods and
   services), so that the stored flows satisfy the model's accounts (`Baseline.validate`).

## Absorption band
Absorption is final expenditure I_n = VA_n + tariff revenue_n + D_n. Checks (tests/test_world2022.py):
I_n / (VA_n + D_n) - 1 equals tariff revenue over VA + D and lies in [0, 0.02]; and the implied
deficit is bounded: I_n / VA_n in [0.75, 1.25], i.e. no region's derived trade deficit or surplus
exceeds 25% of its value added. The band is a plausibility bound, not a match to national
accounts (not in the shared data). Known deviations from national accounts, from the
final-demand derivation: MEX, VNM and THA show deficits of about 14% of value added and TWN a
surplus of about 20% (national accounts 2022: roughly balanced, and a surplus near 10% of GDP),
and ASEAN_OTH a surplus of about 21% (Singapore's surplus against the Philippines' deficit
suggests less). The US deficit (3.5% of value added) and China's surplus (2.6%) are close to
their 2022 balances of goods and services.
"""

log_lines: list[str] = []


def log(msg: str = "") -> None:
    print(msg)
    log_lines.append(msg)


def country_regions(recent: Path) -> pd.Series:
    rm = pd.read_csv(recent / "icio2022" / "region_map.csv")

    def region(row):
        c, r = row.country, row.region
        if c in ASEAN_OTH:
            return "ASEAN_OTH"
        if c == "AUS":
            return "AUS"
        if r == "ROW80":
            return "ROW"
        return r

    out = pd.Series([region(r) for r in rm.itertuples()], index=rm.country)
    assert set(out) == set(REGIONS), set(out) ^ set(REGIONS)
    return out


def ras(a0: np.ndarray, rows: np.ndarray, cols: np.ndarray, iters: int = 2000, tol: float = 1e-12):
    a = a0.copy()
    for _ in range(iters):
        r = a.sum(axis=1)
        a *= np.divide(rows, r, out=np.zeros_like(r), where=r > 0)[:, None]
        c = a.sum(axis=0)
        a *= np.divide(cols, c, out=np.zeros_like(c), where=c > 0)[None, :]
        if np.abs(a.sum(axis=1) - rows).max() <= tol * max(rows.sum(), 1):
            break
    return a


def build(recent: Path, out: Path) -> None:
    ridx = {r: k for k, r in enumerate(REGIONS)}
    sidx = {s: k for k, s in enumerate(SECS)}
    creg = country_regions(recent)
    icio = recent / "icio2022"

    # ------------------------------------------------------------------ 1. ICIO aggregates
    nodes = pd.read_csv(icio / "icio2022_nodes.csv")
    nodes["r"] = nodes.country.map(creg).map(ridx)
    nodes["s"] = nodes.sector.map(NATIVE_TO_SECTOR).map(sidx)
    assert nodes[["r", "s"]].notna().all().all()
    agg = nodes.groupby(["r", "s"])[
        ["gross_output", "intermediate_inputs_from_80", "va_plus_tls_plus_row_inputs", "final_demand_plus_sales_to_row"]
    ].sum()
    grid = lambda col: agg[col].unstack().reindex(index=range(N), columns=range(J)).fillna(0).to_numpy()
    Y, Zin, VA, Fin = (
        grid(c)
        for c in [
            "gross_output",
            "intermediate_inputs_from_80",
            "va_plus_tls_plus_row_inputs",
            "final_demand_plus_sales_to_row",
        ]
    )
    flows = pd.read_csv(icio / "icio2022_intermediate_by_origin_sector_dest_country.csv.gz")
    flows["i"] = flows.origin_country.map(creg).map(ridx)
    flows["n"] = flows.dest_country.map(creg).map(ridx)
    flows["j"] = flows.origin_sector.map(NATIVE_TO_SECTOR).map(sidx)
    M = np.zeros((N, N, J))
    g = flows.groupby(["n", "i", "j"]).value_usd_mn.sum()
    M[tuple(np.array(g.index.tolist()).T)] = g.to_numpy()
    log("## Build log (all money in USD million, 2022, current prices)\n")
    log("### 1. ICIO 2022 aggregates (18 regions x 16 sectors)")
    log(
        f"- world gross output {Y.sum():,.0f}; value added + TLS + inputs from OECD ROW {VA.sum():,.0f}; "
        f"final sales (+ sales to OECD ROW) {Fin.sum():,.0f}; intermediate flows {M.sum():,.0f}"
    )
    gap = np.abs(M.sum(axis=0) + Fin - Y).max()
    log(f"- check: intermediate sales + final sales - gross output, largest gap {gap:.3g}")
    gap = np.abs(Zin + VA - Y).max()
    log(f"- check: intermediate inputs + value added - gross output, largest gap {gap:.3g}")

    # ------------------------------------------------------------------ 2. IO shares
    z19 = pd.read_csv(icio / "icio2022_Z_19regions_50sectors.csv.gz")
    z19["k"] = z19.origin_sector.map(NATIVE_TO_SECTOR).map(sidx)
    z19["j"] = z19.dest_sector.map(NATIVE_TO_SECTOR).map(sidx)
    zr = z19.groupby(["dest_region", "k", "j"]).value_usd_mn.sum()
    src = {"SGP": "ASEAN_OTH", "PHL": "ASEAN_OTH", "ASEAN_OTH": "ASEAN_OTH"}
    Z = np.zeros((N, J, J))  # [region, input k, user j], spending on inputs
    row80 = np.zeros((J, J))
    for (dr, k, j), v in zr.items():
        if dr == "ROW80":
            row80[k, j] += v
        else:
            Z[ridx[src.get(dr, dr)], k, j] += v
    Z[ridx["AUS"]] = row80
    Z[ridx["ROW"]] = row80
    input_totals = M.sum(axis=1)  # [n, k]: purchases of input k by region n, all origins
    log("\n### 2. Input-output shares")
    for r in REGIONS:
        n = ridx[r]
        before = np.abs(Z[n].sum(axis=1) - input_totals[n]).max() / input_totals[n].sum()
        Z[n] = ras(Z[n], input_totals[n], Zin[n])
        if r in ("AUS", "ROW") or before > 1e-6:
            after = np.abs(Z[n].sum(axis=1) - input_totals[n]).max() / input_totals[n].sum()
            log(
                f"- {r}: RAS of {'ROW80' if r in ('AUS', 'ROW') else 'own'} coefficients to its input and user "
                f"totals: largest input-total gap {100 * before:.2f}% -> {100 * after:.2g}% of its intermediates"
            )
    io_share = np.divide(Z, Zin[:, None, :], out=np.zeros_like(Z), where=Zin[:, None, :] > 0)
    empty = Zin <= 0
    for n, j in zip(*np.nonzero(empty)):
        io_share[n, :, j] = 0.0
        io_share[n, j, j] = 1.0  # inactive node: convention, no effect (va_share below)
    va_share = np.divide(VA, Y, out=np.ones_like(VA), where=Y > 0)
    log(f"- inactive region x sector nodes (zero output): {int((Y <= 0).sum())}")

    # ------------------------------------------------------------------ 3. final demand
    s = np.divide(M, M.sum(axis=1, keepdims=True), out=np.zeros_like(M), where=M.sum(axis=1, keepdims=True) > 0)
    for n in range(N):  # no intermediate purchases of j: source domestically
        for j in range(J):
            if s[n, :, j].sum() == 0:
                s[n, n, j] = 1.0
    C = np.zeros((N, J))
    misfit = []
    for j in range(J):
        A = s[:, :, j].T  # rows: supplier i, columns: destination n
        w = 1.0 / np.maximum(Fin[:, j], 1e-9 * Fin[:, j].sum() + 1e-12)
        C[:, j], _ = nnls(A * w[:, None], Fin[:, j] * w, maxiter=50 * N)
        fit = A @ C[:, j]
        misfit.append(np.abs(fit - Fin[:, j]).sum() / Fin[:, j].sum())
    F0 = s * C[:, None, :]
    colsum = F0.sum(axis=0)
    scale = np.divide(Fin, colsum, out=np.zeros_like(Fin), where=colsum > 0)
    F = F0 * scale[None, :, :]
    orphan = (colsum <= 0) & (Fin > 0)
    for i, j in zip(*np.nonzero(orphan)):
        F[i, i, j] = Fin[i, j]  # no destination at all: keep the final sales at home
    log("\n### 3. Final demand by destination")
    log(
        "- final-use sourcing shares = intermediate-use sourcing shares (destination, sector); destination "
        "totals C >= 0 by non-negative least squares on sum_n s_ni C_n = F_i (relative weights)"
    )
    log(
        "- NNLS misfit (sum |fit - F_i| / sum F_i) by sector: "
        + ", ".join(f"{SECS[j]} {100 * m:.2f}%" for j, m in enumerate(misfit))
    )
    log(
        f"- exact column scaling to each supplier's ICIO final sales: scale factors in "
        f"[{scale[colsum > 0].min():.3f}, {scale[colsum > 0].max():.3f}] "
        f"(final-sales weighted mean |1 - scale| {np.sum(np.abs(1 - scale) * Fin) / Fin.sum() * 100:.2f}%); "
        f"{int(orphan.sum())} suppliers with no destination keep their final sales at home"
    )
    zero_dest = [(REGIONS[n], SECS[j]) for n, j in zip(*np.nonzero(C <= 0)) if Fin[:, j].sum() > 0]
    log(
        f"- destinations with zero derived final demand (NNLS bound active): {len(zero_dest)} "
        + (str(zero_dest[:12]) if zero_dest else "")
    )

    # ------------------------------------------------------------------ 4. goods totals vs BACI
    baci = pd.read_csv(recent / "baci2023_libday" / "baci2023_bilateral_goods_total.csv")
    baci["i"] = baci.exporter_iso3.map(creg).map(ridx)
    baci["n"] = baci.importer_iso3.map(creg).map(ridx)
    unmatched = baci[baci.i.isna() | baci.n.isna()]
    baci = baci.dropna(subset=["i", "n"])  # countries outside the ICIO 80 are not in any region here
    baci["i"] = baci.i.astype(int)
    baci["n"] = baci.n.astype(int)
    B = np.zeros((N, N))
    gb = baci.groupby(["n", "i"]).value_kusd.sum() / 1e3
    B[tuple(np.array(gb.index.tolist()).T)] = gb.to_numpy()
    np.fill_diagonal(B, 0.0)
    have_baci = B > 0
    have_baci[:, ridx["TWN"]] = False  # BACI's 194 countries have no Taiwan
    have_baci[ridx["TWN"], :] = False
    ust = pd.read_csv(recent / "us_tariffs_2025" / "us_imports_tariffs_by_partner_hs2_2024.csv", dtype={"hs2": str})
    ust = ust[ust.hs2.astype(int) <= 97]
    eu_members = set(creg[creg == "EU27"].index)
    ust = ust[~ust.partner_iso3.isin(eu_members)]  # the EU27 row is the EU total
    ust["i"] = ust.partner_iso3.map(lambda c: "EU27" if c == "EU27" else creg.get(c)).map(ridx)  # non-ICIO: NaN
    # (the tariff averages below use every partner; the import comparison only the ICIO 80)
    us_imp = (
        (ust.dropna(subset=["i"]).groupby("i").us_imports_2024_usd.sum() / 1e6).reindex(range(N)).fillna(0).to_numpy()
    )

    goods = [sidx[x] for x in GOODS]
    Mg = M[:, :, goods].sum(axis=2)

    def goods_total(Fx):
        T = Mg + Fx[:, :, goods].sum(axis=2)
        np.fill_diagonal(T, 0.0)
        return T

    T0 = goods_total(F)
    usa, chn = ridx["USA"], ridx["CHN"]

    def report(T, label):
        log(
            f"- {label}: CHN->USA {T[usa, chn]:,.0f} (BACI {B[usa, chn]:,.0f}, gap "
            f"{100 * (T[usa, chn] / B[usa, chn] - 1):+.1f}%; "
            f"US 2024 {us_imp[chn]:,.0f}, gap {100 * (T[usa, chn] / us_imp[chn] - 1):+.1f}%); "
            f"USA->CHN {T[chn, usa]:,.0f} (BACI {B[chn, usa]:,.0f}, gap {100 * (T[chn, usa] / B[chn, usa] - 1):+.1f}%)"
        )
        lg = np.log(T[have_baci] / B[have_baci])
        log(
            f"  all {have_baci.sum()} region pairs with BACI data: median |log gap| {np.median(np.abs(lg)):.3f}, "
            f"share of pairs within 10% {np.mean(np.abs(np.exp(lg) - 1) <= 0.10):.2f}; world goods trade "
            f"{T.sum():,.0f} vs BACI {B.sum():,.0f}"
        )
        us_gap = {REGIONS[i]: 100 * (T[usa, i] / us_imp[i] - 1) for i in range(N) if i != usa and us_imp[i] > 0}
        log(
            "  US goods imports by partner vs US 2024 (Census): "
            + ", ".join(f"{k} {v:+.0f}%" for k, v in us_gap.items())
        )

    log("\n### 4. Bilateral goods trade vs BACI 2023 and US 2024 imports")
    log(
        f"- BACI flows from or to countries outside the ICIO 80 are left out, as the ICIO leaves out its residual "
        f"ROW region ({unmatched.value_kusd.sum() / 1e3:,.0f} of "
        f"{baci.value_kusd.sum() / 1e3:,.0f}); intra-region flows (e.g. intra-EU) dropped; Taiwan has no BACI data"
    )
    report(T0, "before balancing")

    # IPF: final-goods flows of pairs with the US or China -> BACI 2023 totals; each supplier's
    # final sales (sum over destinations) stay at the ICIO figure.
    target = np.zeros((N, N), dtype=bool)
    target[usa, :] = target[:, usa] = target[chn, :] = target[:, chn] = True
    np.fill_diagonal(target, False)
    target &= have_baci
    # entrepots: BACI's flows to Hong Kong (in ROW) and Singapore (in ASEAN_OTH) include goods
    # re-exported, which the ICIO leaves out; targeting them would inflate absorption there
    # (flows into them); their exports to the US and China are by origin in the importers' reports
    for r in ("ROW", "ASEAN_OTH"):
        target[ridx[r], :] = False
    F1 = F.copy()
    infeasible = []
    for it in range(500):  # noqa: B007 (the number of sweeps is logged after the loop)
        for n, i in zip(*np.nonzero(target)):
            need = B[n, i] - Mg[n, i]
            cur = F1[n, i, goods].sum()
            if need <= 0:
                F1[n, i, goods] = 0.0
                continue
            if cur > 0:
                F1[n, i, goods] *= need / cur
            else:
                w = M[n, i, goods] / max(Mg[n, i], 1e-300)
                F1[n, i, goods] = need * w
        cs = F1.sum(axis=0)
        F1 *= np.divide(Fin, cs, out=np.zeros_like(Fin), where=cs > 0)[None]
        T = goods_total(F1)
        err = np.abs(T[target] / B[target] - 1)
        if err.max() < 1e-6:
            break
    for n, i in zip(*np.nonzero(target)):
        if B[n, i] - Mg[n, i] <= 0:
            infeasible.append(f"{REGIONS[i]}->{REGIONS[n]}")
    log(
        f"- balancing: iterative proportional fitting of the final-goods flows of the {int(target.sum())} pairs "
        f"of the US or China with another region (except exports to ROW, which holds Hong Kong, and to ASEAN_OTH, "
        f"which holds Singapore: BACI counts the entrepots' re-exports, the ICIO does not; no BACI data for TWN) "
        f"to BACI 2023 (scale each targeted pair's final goods, then each supplier's final "
        f"sales back to its ICIO total); {it + 1} sweeps, largest remaining gap on targeted pairs "
        f"{100 * err.max():.3g}%; pairs whose intermediate trade alone exceeds BACI (final goods set to 0): "
        f"{infeasible or 'none'}"
    )
    changed = np.abs(F1 - F).sum() / 2
    dest_old, dest_new = F.sum(axis=1), F1.sum(axis=1)
    rel = np.abs(dest_new - dest_old) / np.maximum(dest_old, 1e-300)
    top = np.argsort(-(np.abs(dest_new - dest_old)).ravel())[:5]
    log(
        f"- final flows moved: {changed:,.0f} ({100 * changed / F.sum():.2f}% of world final sales); "
        f"destination final demand (region x sector) changed by more than 10% in {int((rel > 0.1).sum())} of "
        f"{rel.size} cells ({100 * np.abs(dest_new - dest_old)[rel > 0.1].sum() / dest_old.sum():.2f}% of world "
        f"final demand); largest absolute changes: "
        + ", ".join(
            f"{REGIONS[k // J]} {SECS[k % J]} {dest_old.ravel()[k]:,.0f} -> {dest_new.ravel()[k]:,.0f}" for k in top
        )
    )
    report(goods_total(F1), "after balancing")
    F = F1
    C = F.sum(axis=1)
    assert (F >= 0).all() and (C >= 0).all()
    assert np.allclose(F.sum(axis=0), Fin, rtol=1e-9, atol=1e-6)
    trade = M + F
    log(
        f"- check: trade summed over destinations - ICIO gross output, largest gap "
        f"{np.abs(trade.sum(axis=0) - Y).max():.3g}"
    )

    # ------------------------------------------------------------------ 5. tariffs
    tariffs, tsource, tariff_log = build_tariffs(recent, creg, ridx, sidx, ust, trade)
    log("\n### 5. Baseline tariffs")
    for line in tariff_log:
        log(line)

    # ------------------------------------------------------------------ 6. theta
    theta_rows = build_theta(recent, nodes, flows)
    theta = np.array([theta_rows[s]["theta"] for s in SECS])
    log("\n### 6. Trade elasticities")
    log("- " + ", ".join(f"{s} {theta_rows[s]['theta']:.2f}" for s in SECS))

    # ------------------------------------------------------------------ 7. calibration
    from tradewar.models.caliendo_parro import calibrate

    gross_final = np.einsum("nij,nij->nj", F, 1 + tariffs)
    final_share = gross_final / gross_final.sum(axis=1, keepdims=True)
    va_data = (va_share * Y).sum(axis=1)
    raw = Baseline(
        name="world2022 (raw)",
        regions=tuple(REGIONS),
        region_names=tuple(REGION_NAMES[r] for r in REGIONS),
        sectors=tuple(SECS),
        sector_names=tuple(SECTORS[s][0] for s in SECS),
        trade=trade,
        tariffs=tariffs,
        va_share=va_share,
        io_share=io_share,
        final_share=final_share,
        theta=theta,
        tradable=np.ones(J, dtype=bool),
    )
    deficit_data = raw.deficit.copy()
    raw = replace(raw, extras={"value_added_data": va_data, "deficit_data": deficit_data})
    cal = calibrate(raw)
    cal.validate()
    w_hat = cal.value_added / va_data
    rel = np.abs(cal.trade - trade).sum() / trade.sum() / 2
    log("\n### 7. Calibration to a model equilibrium at the factual tariffs")
    log(
        "- `caliendo_parro.calibrate`: observed expenditure shares, ICIO value added, derived deficits "
        "(imports - exports, all sectors), deficits held fixed, numeraire world value added"
    )
    log(
        f"- world gross output {Y.sum():,.0f} -> {cal.gross_output.sum():,.0f} "
        f"({100 * (cal.gross_output.sum() / Y.sum() - 1):+.3f}%); world value added {va_data.sum():,.0f} -> "
        f"{cal.value_added.sum():,.0f} ({100 * (cal.value_added.sum() / va_data.sum() - 1):+.4f}%)"
    )
    log(
        "- region value added (wage) changes: "
        f"{', '.join(f'{r} {100 * (w - 1):+.2f}%' for r, w in zip(REGIONS, w_hat))}"
    )
    log(
        f"- flows moved by calibration: {100 * rel:.2f}% of world trade (half the sum of absolute changes); "
        f"tariff revenue {cal.tariff_revenue.sum():,.0f}"
    )
    Tc = goods_total(cal.trade - M)
    report(Tc, "after calibration")
    gdp_ref = absorption_band(recent, creg, ridx, cal)
    gross = cal.expenditure - cal.intermediate_demand
    log(
        f"- derived final demand (X - intermediate demand) min {gross.min():,.1f}; "
        f"largest |sum_j final - income| {np.abs(gross.sum(axis=1) - cal.income).max():.3g}"
    )
    for line in gdp_ref:
        log(line)

    write_files(out, cal, Y, VA, Fin, C, theta_rows, tsource)


def build_tariffs(recent, creg, ridx, sidx, ust, trade):
    """Tariffs [importer, exporter, sector] (decimals) and a source code per cell."""
    conc = pd.read_csv(REPO / "src/tradewar/datasets/world2022/hs2_to_sector.csv", dtype={"hs2": str})
    hs2sec = dict(zip(conc.hs2, conc.sector))
    log_ = []
    t = np.zeros((N, N, J))
    src = np.full((N, N, J), "", dtype=object)
    usa, chn = ridx["USA"], ridx["CHN"]
    goods = [sidx[s] for s in GOODS]

    # US: duties / imports 2024 by partner region x sector; ELEQ uses chapter 85 (see concordance)
    u = ust.copy()
    u["sector"] = u.hs2.map(hs2sec)
    eleq = u[u.hs2 == "85"].copy()
    eleq["sector"] = "ELEQ"
    u = pd.concat([u, eleq])
    g = u.groupby(["i", "sector"])[["us_imports_2024_usd", "us_duty_2024_usd"]].sum()
    rate = (g.us_duty_2024_usd / g.us_imports_2024_usd).unstack()
    non_chn = u[u.i != chn].groupby("sector")[["us_imports_2024_usd", "us_duty_2024_usd"]].sum()
    mfn_like = non_chn.us_duty_2024_usd / non_chn.us_imports_2024_usd
    filled = 0
    for i in range(N):
        if i == usa:
            continue
        for s in GOODS:
            j = sidx[s]
            v = rate.loc[i, s] if (i in rate.index and s in rate.columns) else np.nan
            if np.isfinite(v):
                t[usa, i, j], src[usa, i, j] = v, "us_duties_2024"
            else:
                t[usa, i, j], src[usa, i, j] = mfn_like[s], "us_duties_2024_all_partners_ex_chn"
                filled += 1
    cu = u[(u.i == chn) & ~((u.hs2 == "85") & (u.sector == "ELEQ"))]
    rate_all_chn = cu.us_duty_2024_usd.sum() / cu.us_imports_2024_usd.sum()
    avg = lambda n, i: np.sum(t[n, i, goods] * trade[n, i, goods]) / trade[n, i, goods].sum()
    log_.append(
        f"- US on every partner: 2024 calculated duties / customs value (us_tariffs_2025, HS 01-97, HS2 -> "
        f"sector by hs2_to_sector.csv, import-weighted; ELEQ = chapter 85). {filled} partner x sector cells "
        f"without US imports take the US rate on all partners except China. Trade-weighted at baseline "
        f"flows: on CHN {100 * avg(usa, chn):.2f}% (all goods at 2024 US import weights "
        f"{100 * rate_all_chn:.2f}%; PIIE's statutory trade-weighted average at 20 Jan 2025 is 20.8%, "
        f"tariff_timeline_2018_2025.csv; likely reasons for the gap: product exclusions, and statutory rates "
        "weighted by pre-war trade vs duties actually paid on the 2024 mix), on EU27 "
        f"{100 * avg(usa, ridx['EU27']):.2f}%, on MEX "
        f"{100 * avg(usa, ridx['MEX']):.2f}%, on VNM {100 * avg(usa, ridx['VNM']):.2f}%"
    )

    # China: HS10 rates after the 2019-06-01 event, 2017 imports from the US as weights
    ct = pd.read_csv(
        recent / "china_tariffs_2018_2019" / "china_tariffs_hs10_2018_2019_long.csv.gz", dtype={"hs10": str}
    )
    last = ct[ct.date == ct.date.max()].copy()
    last["hs8"] = last.hs10.str[:8]
    hs8 = last.groupby("hs8")[["mfn_rate_pct", "rate_on_us_pct"]].mean()
    w = pd.read_csv(recent / "china_tariffs_2018_2019" / "china_imports_from_us_2017_hs8.csv", dtype={"hs8": str})
    w = w.set_index("hs8").china_imports_from_us_2017_kusd
    df = hs8.join(w, how="left").fillna({"china_imports_from_us_2017_kusd": 0.0})
    df["sector"] = df.index.str[:2].map(hs2sec)
    df["w"] = df.china_imports_from_us_2017_kusd
    recs = {}
    for s, d in df.groupby("sector"):
        ww = d.w if d.w.sum() > 0 else pd.Series(1.0, index=d.index)
        recs[s] = ((d.rate_on_us_pct * ww).sum() / ww.sum() / 100, (d.mfn_rate_pct * ww).sum() / ww.sum() / 100)
    recs["ELEQ"] = recs["ELEC"] if "ELEQ" not in recs else recs["ELEQ"]
    d85 = df[df.index.str[:2] == "85"]
    recs["ELEQ"] = (
        (d85.rate_on_us_pct * d85.w).sum() / d85.w.sum() / 100,
        (d85.mfn_rate_pct * d85.w).sum() / d85.w.sum() / 100,
    )
    all_w = (df.rate_on_us_pct * df.w).sum() / df.w.sum()
    for s in GOODS:
        j = sidx[s]
        t[chn, usa, j], src[chn, usa, j] = recs[s][0], "chn_on_us_jun2019"
    first = ct[ct.date == ct.date.min()].assign(hs8=lambda d: d.hs10.str[:8]).groupby("hs8").rate_on_us_pct.mean()
    f = pd.DataFrame({"rate": first}).join(w, how="inner")
    first_avg = (f.rate * f.china_imports_from_us_2017_kusd).sum() / f.china_imports_from_us_2017_kusd.sum()
    covered = df.w[df.w > 0].sum() / w.sum()
    log_.append(
        f"- China on the US: HS10 rates in force after 2019-06-01 (Bown, Jung & Zhang 2019), averaged to "
        f"HS8 and weighted by China's 2017 imports from the US within each sector (HS2 -> sector; ELEQ = "
        f"chapter 85; the tariff lines cover {100 * covered:.1f}% of the 2017 import value). All goods: "
        f"{all_w:.2f}% with 2017 weights, {100 * avg(chn, usa):.2f}% at baseline flows. PIIE's Figure 1 "
        f"(same workbook) gives 20.72% for June 2019 and 7.99% for 1 Jan 2018, where the same weighting "
        f"here gives {first_avg:.2f}%. The difference is the weights: PIIE weights by US exports to the "
        f"world in 2017 (note in china_tariff_by_sector_jun2019.csv), which are not in the data; China's "
        f"own imports from the US put more weight on low-tariff lines (chips, aircraft, soybeans before "
        f"retaliation), so the level here is about a quarter below PIIE's. Not in the "
        f"data: the September 2019 increases and their halving under the phase-one deal (14 Feb 2020); "
        f"PIIE's average after it is 21.1% and 21.2% at 20 Jan 2025 (tariff_timeline_2018_2025.csv)."
    )

    # every other pair
    mfn_chn = {s: recs[s][1] for s in GOODS}
    n_fta = 0
    for n in range(N):
        for i in range(N):
            if n in (i, usa) or (n == chn and i == usa):
                continue
            in_fta = [k for k, grp in FTA_GROUPS.items() if REGIONS[n] in grp and REGIONS[i] in grp]
            for s in GOODS:
                j = sidx[s]
                if in_fta:
                    t[n, i, j], src[n, i, j] = 0.0, "fta_zero"
                elif n == chn:
                    t[n, i, j], src[n, i, j] = mfn_chn[s], "chn_mfn_2019"
                else:
                    t[n, i, j], src[n, i, j] = mfn_like[s], "assumed_us_mfn_like"
            n_fta += bool(in_fta)
    log_.append(
        f"- China on every other partner: China's 2019 MFN rates from the same HS10 file (same weights), "
        f"all goods {np.sum(df.mfn_rate_pct * df.w) / df.w.sum():.2f}% (PIIE Figure 1: 6.67% toward "
        f"others); China's FTAs (ASEAN, Korea, Australia) are not applied (no data): an upper bound."
    )
    goods_imports = non_chn.us_imports_2024_usd[GOODS]
    goods_average = 100 * np.sum(mfn_like[GOODS] * goods_imports) / goods_imports.sum()
    log_.append(
        f"- every other importer (no tariff data for them in ../shared/data): ASSUMPTION, each applies by "
        f"sector the US 2024 applied rate on all partners except China (an MFN-like low-tariff "
        f"structure, goods average {goods_average:.2f}%), "
        f"and zero inside {', '.join(FTA_GROUPS)} ({n_fta} ordered pairs). UTIL and SERV: 0 everywhere."
    )
    return t, src, log_


def build_theta(recent, nodes, flows):
    cp = pd.read_csv(recent.parent / "cp2015" / "theta.csv").set_index("sector").theta
    exports = flows[flows.origin_country != flows.dest_country].groupby("origin_sector").value_usd_mn.sum()
    rows = {}
    for s, parts in THETA_MAP.items():
        weights, thetas, names = [], [], []
        for cps, nats in parts.items():
            names.append(f"{cps} {cp[cps]:g}")
            thetas.append(cp[cps])
            weights.append(exports.reindex(nats).sum() if nats else 1.0)
        weights = np.array(weights) / np.sum(weights)
        th = 1.0 / np.sum(weights / np.array(thetas))
        note = "CP2015 T.txt: " + "; ".join(names)
        if len(parts) > 1:
            note += (
                " (harmonic mean weighted by world intermediate exports of the ICIO industries)"
                if s != "ELEC"
                else " (harmonic mean, equal weights: all three are inside ICIO C26)"
            )
        if s in ("UTIL", "SERV"):
            note = "CP2015 script.m value for non-tradable sectors (8.22)"
        rows[s] = {"theta": round(float(th), 4), "note": note}
    return rows


def absorption_band(recent, creg, ridx, cal):
    """Absorption (final expenditure I_n) relative to value added plus the derived deficit, and the
    deficit relative to GDP vs the BACI 2023 goods balance: the documented band."""
    lines = ["\n### Absorption check"]
    va, dfc, inc = cal.value_added, cal.deficit, cal.income
    ratio = inc / (va + dfc)
    lines.append(
        "- absorption I_n / (VA_n + D_n) (income includes tariff revenue): "
        + ", ".join(f"{r} {x:.4f}" for r, x in zip(REGIONS, ratio))
    )
    lines.append(
        "- absorption / value added (band 0.75-1.25): " + ", ".join(f"{r} {x:.3f}" for r, x in zip(REGIONS, inc / va))
    )
    lines.append("- deficit D_n / VA_n in %: " + ", ".join(f"{r} {100 * x:+.1f}" for r, x in zip(REGIONS, dfc / va)))
    return lines


def write_files(out: Path, cal: Baseline, Y, VA, Fin, C, theta_rows, tsource):
    out.mkdir(parents=True, exist_ok=True)

    def csv(df: pd.DataFrame, name: str, fmt="%.6g"):
        buf = io.StringIO()
        df.to_csv(buf, index=False, float_format=fmt, lineterminator="\n")
        write_atomic(out / name, buf.getvalue())

    csv(pd.DataFrame({"code": REGIONS, "name": [REGION_NAMES[r] for r in REGIONS]}), "regions.csv")
    csv(
        pd.DataFrame(
            {
                "code": SECS,
                "name": [SECTORS[s][0] for s in SECS],
                "icio_industries": [" ".join(SECTORS[s][1]) for s in SECS],
                "tradable": [1] * J,
                "theta": [theta_rows[s]["theta"] for s in SECS],
                "theta_se": [np.nan] * J,
                "theta_source": [theta_rows[s]["note"] for s in SECS],
            }
        ),
        "sectors.csv",
    )
    idx = pd.MultiIndex.from_product([REGIONS, REGIONS, SECS], names=["importer", "exporter", "sector"])
    tr = pd.DataFrame({"value": cal.trade.ravel()}, index=idx).reset_index()
    csv(tr[tr.value > 0], "trade.csv", fmt="%.8g")
    ta = pd.DataFrame({"tariff": cal.tariffs.ravel(), "source": tsource.ravel()}, index=idx).reset_index()
    csv(ta[ta.tariff != 0], "tariffs.csv", fmt="%.10g")
    idx2 = pd.MultiIndex.from_product([REGIONS, SECS], names=["region", "sector"])
    csv(
        pd.DataFrame(
            {
                "va_share": cal.va_share.ravel(),
                "final_share": cal.final_share.ravel(),
                "icio_gross_output": Y.ravel(),
                "icio_value_added": VA.ravel(),
                "icio_final_sales": Fin.ravel(),
                "derived_final_demand": C.ravel(),
            },
            index=idx2,
        ).reset_index(),
        "region_sector.csv",
        fmt="%.10g",
    )
    idx3 = pd.MultiIndex.from_product([REGIONS, SECS, SECS], names=["region", "input", "user"])
    io_df = pd.DataFrame({"share": cal.io_share.ravel()}, index=idx3).reset_index()
    csv(io_df[io_df.share != 0], "io_shares.csv", fmt="%.8g")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "recent")
    ap.add_argument("--out", type=Path, default=REPO / "src" / "tradewar" / "datasets" / "world2022")
    args = ap.parse_args()
    build(args.data, args.out)
    header = PROVENANCE_HEADER
    write_atomic(args.out / "PROVENANCE.md", header + "\n" + "\n".join(log_lines) + "\n" + files_table(args.out))
    for f in args.out.iterdir():
        f.chmod(0o644)


def files_table(out: Path) -> str:
    lines = ["\n## Files (sizes in bytes)\n", "| file | bytes |", "|---|---|"]
    for f in sorted(out.glob("*.csv")):
        lines.append(f"| `{f.name}` | {f.stat().st_size:,} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
