"""Build the bundled `world2022-full` (80 economies x 50 industries, 2022) and `world2022` (its
aggregation to 18 regions x 16 sectors) from ../shared/data/recent.

    python scripts/build_world2022.py [--data ../shared/data/recent] [--out src/tradewar/datasets]

Reads the OECD ICIO 2022 extract, BACI 2023, the US 2024 duties by partner x HS2 and China's
2018-2019 tariffs on US goods, and writes `world2022-full/world2022-full.npz` (compressed numpy
arrays), the world2022 CSVs (layout: docs/data-layout.md), the bundled mapping files
(`mappings/`) and the figures of every step into each folder's PROVENANCE.md. Nothing from the
source folders is copied.

Steps, all at economy x industry level (each one's before/after figures go into PROVENANCE.md):
 1. ICIO nodes (gross output, value added + TLS, final sales) and intermediate flows by origin
    (economy, industry) x destination economy;
 2. input-output shares: each economy starts from the coefficients of its region in the
    extract's 19-region x 50-industry matrix, RAS-balanced to its own input totals (from the
    economy-level flows) and user totals (from the nodes);
 3. final demand by destination: final-use sourcing shares = intermediate-use sourcing shares
    per destination and industry; destination totals C_n^j >= 0 by non-negative least squares so
    that each supplier's final sales add up to its ICIO total, then an exact column scaling;
 4. bilateral goods totals vs BACI 2023 and US 2024 imports; final-goods flows of the pairs with
    the US or China are balanced (iterative proportional fitting) to BACI 2023 while every
    supplier's final sales stay at the ICIO total;
 5. baseline tariffs (US: 2024 duties / imports by partner x HS2; China on the US: June-2019
    HS10 rates with 2017 weights; every other pair: documented assumption);
 6. theta by industry from Caliendo-Parro (2015) T.txt (their Table 1 estimates as used in their
    code);
 7. `tradewar.models.caliendo_parro.calibrate` solves the model at the factual tariffs with the
    ICIO value added and the derived deficits, so that the stored flows are an equilibrium;
 8. world2022 = `tradewar.data.aggregate.aggregate(world2022-full)` by the bundled mappings
    `mappings/world2022-regions.csv` and `mappings/world2022-sectors.csv`.
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

from tradewar.data.aggregate import aggregate  # noqa: E402
from tradewar.data.baseline import Baseline  # noqa: E402
from tradewar.data.files import write_atomic  # noqa: E402
from tradewar.data.world2022 import HS2_PROXY  # noqa: E402
from tradewar.data.world2022_full import write_npz_dataset  # noqa: E402

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
SECTOR_OF_INDUSTRY = {ind: s for s, (_, inds) in SECTORS.items() for ind in inds}
#: The ICIO industries in world2022's sector order (so that aggregation keeps that order).
INDUSTRIES = [ind for s in SECS for ind in SECTORS[s][1]]
GOODS_INDUSTRIES = [ind for s in GOODS for ind in SECTORS[s][1]]

# HS chapters of world2022 sectors that hold several ICIO industries: the industry of the
# chapter (the ISIC class named in hs2_to_sector.csv's note; chapters of one-industry sectors go
# to that industry). Industries with no chapter of their own (A02 has 13-14 only, B05, B09, C19,
# C27) take the rate of their world2022 sector's chapters (C27: chapter 85, HS2_PROXY).
HS2_INDUSTRY = {
    "01": "A01",
    "03": "A03",
    "05": "A01",
    "06": "A01",
    "07": "A01",
    "08": "A01",
    "09": "A01",
    "10": "A01",
    "12": "A01",
    "13": "A02",  # lac, gums, resins: gathering of non-wood forest products (ISIC 0230)
    "14": "A02",  # vegetable plaiting materials (bamboo, rattan): ISIC 0230
    "25": "B08",
    "26": "B07",
    "27": "B06",  # crude oil and gas dominate; coal (B05) is the smaller part
    "28": "C20",
    "29": "C20",
    "30": "C21",
    **{f"{c}": "C20" for c in range(31, 39)},
    "39": "C22",  # plastics: primary forms (C20) and articles (C22); with C22 (rubber 40 is its only other)
    "40": "C22",
    "44": "C16",
    "45": "C16",
    "46": "C16",
    "47": "C17_18",
    "48": "C17_18",
    "49": "C17_18",
    "71": "C24B",  # precious metals: non-ferrous basic metals (ISIC 2420)
    "72": "C24A",  # iron and steel (ISIC 2410)
    **{f"{c}": "C24B" for c in range(74, 82)},  # copper ... other base metals (ISIC 2420)
    "68": "C23",
    "69": "C23",
    "70": "C23",
    "73": "C25",
    "82": "C25",
    "83": "C25",
    "93": "C25",
    "86": "C302T309",
    "88": "C302T309",
    "89": "C301",
    **dict.fromkeys(("66", "67", "92", "94", "95", "96", "97"), "C31T33"),
}

# Caliendo-Parro (2015) sectors (their Table A1; theta from their T.txt, see ../shared/data/cp2015)
# of each goods industry; ICIO C26 holds three of them (equal weights). UTIL and SERV industries
# take CP's script.m value for non-tradables (8.22).
THETA_CP = {
    "A01": ["Agriculture"],
    "A02": ["Agriculture"],
    "A03": ["Agriculture"],
    **{b: ["Mining"] for b in ("B05", "B06", "B07", "B08", "B09")},
    "C10T12": ["Food"],
    "C13T15": ["Textile"],
    "C16": ["Wood"],
    "C17_18": ["Paper"],
    "C19": ["Petroleum"],
    "C20": ["Chemicals"],
    "C21": ["Chemicals"],
    "C22": ["Plastic"],
    "C23": ["Minerals"],
    "C24A": ["Basic metals"],
    "C24B": ["Basic metals"],
    "C25": ["Metal products"],
    "C26": ["Office", "Communication", "Medical"],
    "C27": ["Electrical"],
    "C28": ["Machinery n.e.c"],
    "C29": ["Auto"],
    "C301": ["Other Transport"],
    "C302T309": ["Other Transport"],
    "C31T33": ["Other"],
}
NONTRADABLE_THETA = "Electricity"  # CP2015 script.m: every non-tradable sector 8.22

#: Entrepots: BACI counts their re-exports, the ICIO does not (not targeted as destinations).
ENTREPOTS = ("HKG", "SGP")
#: Economies without BACI data (BACI's 194 countries have no Taiwan).
NO_BACI = ("TWN",)

PROVENANCE_HEADER = """# world2022-full and world2022: provenance

Built by `python scripts/build_world2022.py` from `../shared/data/recent` (never copied into the
repository). `world2022-full` has every economy of the ICIO extract (80) and every industry (50);
`world2022` is its aggregation to 18 regions x 16 sectors by the bundled mappings
`datasets/mappings/world2022-regions.csv` and `world2022-sectors.csv`
(`tradewar.data.aggregate.aggregate`: flows summed, tariffs trade-weighted, shares from summed
spending, theta a trade-weighted harmonic mean; the accounts stay exact). The build log below is
written by the script on every run: every figure in it is computed, none typed in.

## Sources
- **OECD ICIO 2025 edition, reference year 2022** (80 economies x 50 ISIC Rev.4 industries, USD
  million, current prices), as extracted in `../shared/data/recent/icio2022` (from the PyPI package
  `sanction-simulator` 0.1.4 benchmark cache; see that README). Cite: OECD (2025), OECD
  Inter-Country Input-Output Database, http://oe.cd/icio. Used: node vectors (gross output,
  intermediate inputs, value added + TLS, final sales), intermediate flows by origin country x
  industry x destination country, and the 19-region x 50-industry intermediate matrix.
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
  `../shared/data/cp2015/theta.csv`. Standard errors are not in the shared data, so `theta_se`
  is empty (NaN; the column exists for users who supply them).

## HS 2-digit -> sector and industry concordance
`world2022/hs2_to_sector.csv` (columns `hs2`, `sector`, `note`): each HS chapter goes, one-to-one,
to the world2022 sector holding the ISIC Rev.4 class that produces the bulk of the chapter's
trade value (judged with the US 2024 imports by chapter in us_tariffs_2025 where a chapter spans
two industries); the standard HS-ISIC correspondence gives the class of each heading. The `note`
names the ISIC division(s) and any minority part of the chapter that belongs elsewhere. The ICIO
industry of each chapter is the one its note names (`HS2_INDUSTRY` in the script; 39 plastics ->
C22, 27 mineral fuels -> B06, 71 precious metals -> C24B); **industries with no chapter of their
own (B05 coal, B09 mining services, C19 refined petroleum, C27 electrical equipment) take the
rate of their world2022 sector's chapters**, C27 that of chapter 85. Known approximations:
- HS 27 -> ENRG (B06): crude oil, gas and coal dominate; refined products (2710, ISIC C19 -> CHEM)
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

## Economies, industries and the world2022 aggregation
- world2022-full: the 80 ICIO economies (ISO3 codes; HKG separate from CHN) in world2022's region
  order, and the 50 ICIO 2025 industries (ICIO codes) in world2022's sector order. No industry is
  merged: industries without output in an economy (51 nodes) are inactive there (value-added share
  1, no sales), which the model handles; every industry has output in most economies.
- world2022 regions (18): USA CHN JPN KOR TWN IND CAN MEX BRA GBR EU27 VNM MYS THA IDN ASEAN_OTH
  AUS ROW. ASEAN_OTH = SGP PHL BRN KHM LAO MMR; ROW = every other ICIO economy, including Hong Kong
  (HKG is not in CHN). The OECD's own residual region "ROW" is not in the extract: flows to and
  from it are missing, its purchases are inside the ICIO "final sales" of each node and inputs
  from it are inside "value added".
- world2022 sectors (16): AGR (A01-A03), ENRG (B05-B06), MINE (B07-B09, metal ores incl.
  rare-earth ores), FOOD (C10T12), TEXT (C13T15), WOOD (C16, C17_18), CHEM (C19-C22; rare-earth
  compounds and metals HS 2805/2846), METAL (C24A, C24B), FMET (C23, C25), ELEC (C26), ELEQ (C27,
  incl. magnets), MACH (C28), AUTO (C29), OMFG (C301, C302T309, C31T33), UTIL (D, E, F), SERV (G-T).
  Every sector is tradable (services trade is in the ICIO flows).
- Value added is the ICIO's `va_plus_tls_plus_row_inputs`: value added + taxes less subsidies on
  products + inputs bought from the OECD residual ROW region.
- Flows are at basic prices and are treated as net of tariffs; the tariffs are added on top.
- In world2022, trade among members of one region is domestic; its tariffs (trade among ROW
  economies, which have no free-trade agreement in the assumptions below) become a tariff on
  ROW's own sales (the diagonal), so that tariff revenue is the same at both resolutions.

## Assumptions (each with its figures in the build log)
1. **Input-output shares by economy.** The extract's full intermediate matrix (input industry x
   using industry) exists only for 19 regions. Each economy starts from its region's
   coefficients (its own where the region is the economy) and is RAS-balanced to its own input
   totals by industry (from the economy-level flows) and its own intermediate-input totals by
   using industry (from the nodes), so that the model's intermediate demand matches the flows.
2. **Final demand by destination** (the extract has none): final-use sourcing shares equal the
   intermediate-use sourcing shares in each destination and industry (the model's own
   assumption: one sourcing share per destination and sector); the destination totals
   C_n^j >= 0 solve sum_n s_ni^j C_n^j = F_i^j (each supplier's ICIO final sales) by
   non-negative least squares; a column scaling then makes each supplier's final sales add up.
3. **Balancing to BACI 2023.** The final-goods flows of the pairs of the US or China with
   another economy are scaled to the BACI 2023 bilateral goods totals, alternating with the
   supplier totals (iterative proportional fitting), so that US-China trade matches BACI while
   each supplier's final sales stay at the ICIO figure; the domestic final sales absorb the
   difference. Not targeted: US and Chinese exports to Hong Kong and Singapore, because BACI
   counts the goods these entrepots re-export and the ICIO does not; pairs with Taiwan (not in
   BACI); pairs whose ICIO intermediate goods trade alone exceeds BACI (listed in the log; their
   final goods are left as derived). BACI flows of countries outside the ICIO 80 are left out,
   like the OECD residual region. BACI is 2023 and FOB; the ICIO is 2022 at basic prices: the
   year/valuation gap is accepted for these pairs because the allocation by 2022 sourcing shares
   alone misstates US-China trade. Other pairs are reported, not targeted.
4. **Tariffs.** US: 2024 calculated duties / customs value by partner economy x industry
   (import-weighted over HS2 chapters, HS 98-99 left out). This includes the Section 301 duties
   in force in 2024. China on the US: the HS10 rates in force after 1 June 2019 (the data end
   there). China on everyone else: China's 2019 MFN rates. Every other importer: **assumed** to
   apply the US's 2024 applied rates on non-China partners by industry (an MFN-like low-tariff
   structure; no tariff data for other importers were obtainable, see
   ../shared/data/recent/README.md), zero inside USMCA (CAN-MEX), the ASEAN Free Trade Area
   (its 10 members) and the EU single market with the EU-UK TCA (27 members and GBR). UTIL and
   SERV industries carry no tariffs.
5. **theta.** Each industry takes the Caliendo-Parro sector it belongs to (C26: harmonic mean of
   Office, Communication and Medical, equal weights). world2022's sectors take the harmonic mean
   of their industries weighted by the industries' international trade (the aggregation rule).
6. **Calibration.** `tradewar.models.caliendo_parro.calibrate` solves the model at the factual
   tariffs with the ICIO value added and the derived deficits (imports - exports, goods and
   services), so that the stored flows satisfy the model's accounts (`Baseline.validate`).

## Absorption band
Absorption is final expenditure I_n = VA_n + tariff revenue_n + D_n. Checks (tests/test_world2022.py,
tests/test_world2022_full.py): I_n / (VA_n + D_n) - 1 equals tariff revenue over VA + D and lies
in [0, 0.02]; and for world2022's regions the implied deficit is bounded: I_n / VA_n in
[0.75, 1.25], i.e. no region's derived trade deficit or surplus exceeds 25% of its value added.
The band is a plausibility bound, not a match to national accounts (not in the shared data); the
log lists every economy of world2022-full outside it (small open economies and entrepots, where
the derived final demand carries the largest error).

**Known deviation: Taiwan.** Taiwan's absorption is 0.737 of its value added (derived surplus
26.5% of value added, against a 2022 current-account surplus of about 13% of GDP), just outside
the band. The cause is assumption 2 in two industries whose intermediate use is a poor guide to
final use. Health (Q): China buys 10,371 of health services as intermediates, 478 (4.6%) of them
from Taiwan; the same share applied to China's final health demand (491,183) sends Taiwan 22,645,
and with VNM (3,808), KHM (3,517), JPN (2,850), KOR (1,544), THA (1,521) and others the
destinations' imputed demand for Taiwan's health services (41,847) exceeds all of Taiwan's health
final sales (31,512). The non-negative least squares therefore sets Taiwan's own final health
demand to zero and the column scaling exports all 31,512: in the data Taiwan exports 32,628 of
health services, 90% of its health output, and spends 3,777 on them. Textiles (C13T15) likewise:
the garment makers' fabric sourcing (VNM 4.0%, KHM 6.2%, JOR 12.0% from Taiwan) applied to their
final textile demand sends Taiwan 8,725 against its final sales of 8,619, so its own final
textile demand is zero too. Together 40,131 (5.3% of value added) of final sales that belong at
home are exports; without the health exports alone Taiwan's absorption would be 0.780 of value
added, inside the band (tests/test_world2022_full.py checks these figures). Taiwan is not in BACI,
so step 3 does not correct it. The rest of the surplus (about 20% of value added) is mostly
electronics (C26: derived final exports 85,608 against final imports 18,276), where the ICIO
"final sales" also hold sales to the OECD residual region. Results on Taiwan's absorption and
welfare carry this error; step 3 below counts every economy x industry with a zero own final
demand (175 cells). Other known deviations: MEX, VNM and THA show deficits above
10% of value added (national accounts 2022: roughly balanced).
"""

log_lines: list[str] = []


def log(msg: str = "") -> None:
    print(msg)
    log_lines.append(msg)


def country_regions(recent: Path) -> pd.DataFrame:
    """The 80 ICIO economies: code, name, region of the extract (19) and world2022 region (18),
    in world2022's region order."""
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

    rm["world2022"] = [region(r) for r in rm.itertuples()]
    assert set(rm.world2022) == set(REGIONS), set(rm.world2022) ^ set(REGIONS)
    rm["order"] = rm.world2022.map(REGIONS.index)
    return rm.sort_values(["order", "country"]).reset_index(drop=True)


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


def build(recent: Path):
    """world2022-full (calibrated) and its ICIO side tables."""
    icio = recent / "icio2022"
    econ = country_regions(recent)
    countries = list(econ.country)
    N, J = len(countries), len(INDUSTRIES)
    cidx = {c: k for k, c in enumerate(countries)}
    sidx = {s: k for k, s in enumerate(INDUSTRIES)}

    # ------------------------------------------------------------------ 1. ICIO nodes and flows
    nodes = pd.read_csv(icio / "icio2022_nodes.csv")
    assert set(nodes.country) == set(countries) and set(nodes.sector) == set(INDUSTRIES)

    def grid(col):
        out = np.zeros((N, J))
        out[nodes.country.map(cidx), nodes.sector.map(sidx)] = nodes[col]
        return out

    Y, Zin, VA, Fin = (
        grid(c)
        for c in (
            "gross_output",
            "intermediate_inputs_from_80",
            "va_plus_tls_plus_row_inputs",
            "final_demand_plus_sales_to_row",
        )
    )
    flows = pd.read_csv(icio / "icio2022_intermediate_by_origin_sector_dest_country.csv.gz")
    M = np.zeros((N, N, J))
    np.add.at(
        M,
        (flows.dest_country.map(cidx), flows.origin_country.map(cidx), flows.origin_sector.map(sidx)),
        flows.value_usd_mn.to_numpy(),
    )
    log("## Build log (all money in USD million, 2022, current prices)\n")
    log(f"### 1. ICIO 2022 nodes and flows ({N} economies x {J} industries)")
    log(
        f"- world gross output {Y.sum():,.0f}; value added + TLS + inputs from OECD ROW {VA.sum():,.0f}; "
        f"final sales (+ sales to OECD ROW) {Fin.sum():,.0f}; intermediate flows {M.sum():,.0f}"
    )
    log(f"- check: intermediate sales + final sales - gross output, largest gap {np.abs(M.sum(0) + Fin - Y).max():.3g}")
    log(f"- check: intermediate inputs + value added - gross output, largest gap {np.abs(Zin + VA - Y).max():.3g}")
    log(f"- inactive economy x industry nodes (zero output): {int((Y <= 0).sum())}")

    # ------------------------------------------------------------------ 2. IO shares
    z19 = pd.read_csv(icio / "icio2022_Z_19regions_50sectors.csv.gz")
    regions19 = sorted(set(econ.region))
    r19 = {r: k for k, r in enumerate(regions19)}
    Z19 = np.zeros((len(regions19), J, J))  # [region, input k, user j]
    np.add.at(
        Z19,
        (z19.dest_region.map(r19), z19.origin_sector.map(sidx), z19.dest_sector.map(sidx)),
        z19.value_usd_mn.to_numpy(),
    )
    input_totals = M.sum(axis=1)  # [n, k]: purchases of input k by economy n, all origins
    Z = np.zeros((N, J, J))
    gaps = []
    for n, c in enumerate(countries):
        start = Z19[r19[econ.region[n]]]
        before = np.abs(start.sum(axis=1) - input_totals[n]).max() / input_totals[n].sum()
        Z[n] = ras(start, input_totals[n], Zin[n])
        after = np.abs(Z[n].sum(axis=1) - input_totals[n]).max() / input_totals[n].sum()
        gaps.append((c, econ.region[n], before, after))
    log("\n### 2. Input-output shares")
    own = [g for g in gaps if g[0] == g[1]]
    shared = [g for g in gaps if g[0] != g[1]]
    log(
        f"- {len(own)} economies that are a region of the extract keep its coefficients: largest input-total gap "
        f"{100 * max(g[2] for g in own):.2g}% -> {100 * max(g[3] for g in own):.2g}% of its intermediates"
    )
    log(
        f"- {len(shared)} economies inside a region (EU27, ASEAN_OTH, ROW80) start from the region's "
        f"coefficients, RAS-balanced to their own input and user totals: input-total gap before RAS median "
        f"{100 * np.median([g[2] for g in shared]):.1f}%, largest {100 * max(g[2] for g in shared):.1f}% "
        f"({max(shared, key=lambda g: g[2])[0]}); after RAS largest {100 * max(g[3] for g in shared):.2g}%"
    )
    io_share = np.divide(Z, Zin[:, None, :], out=np.zeros_like(Z), where=Zin[:, None, :] > 0)
    for n, j in zip(*np.nonzero(Zin <= 0)):
        io_share[n, :, j] = 0.0
        io_share[n, j, j] = 1.0  # inactive node: convention, no effect (va_share below)
    va_share = np.divide(VA, Y, out=np.ones_like(VA), where=Y > 0)

    # ------------------------------------------------------------------ 3. final demand
    tot = M.sum(axis=1, keepdims=True)
    s = np.divide(M, tot, out=np.zeros_like(M), where=tot > 0)
    for n, j in zip(*np.nonzero(s.sum(axis=1) == 0)):  # no intermediate purchases of j: source at home
        s[n, n, j] = 1.0
    C = np.zeros((N, J))
    misfit = []
    for j in range(J):
        A = s[:, :, j].T  # rows: supplier i, columns: destination n
        w = 1.0 / np.maximum(Fin[:, j], 1e-9 * Fin[:, j].sum() + 1e-12)
        C[:, j], _ = nnls(A * w[:, None], Fin[:, j] * w, maxiter=50 * N)
        misfit.append(np.abs(A @ C[:, j] - Fin[:, j]).sum() / Fin[:, j].sum())
    F0 = s * C[:, None, :]
    colsum = F0.sum(axis=0)
    scale = np.divide(Fin, colsum, out=np.zeros_like(Fin), where=colsum > 0)
    F = F0 * scale[None, :, :]
    orphan = (colsum <= 0) & (Fin > 0)
    for i, j in zip(*np.nonzero(orphan)):
        F[i, i, j] = Fin[i, j]  # no destination at all: keep the final sales at home
    misfit = np.array(misfit)
    log("\n### 3. Final demand by destination")
    log(
        "- final-use sourcing shares = intermediate-use sourcing shares (destination, industry); destination "
        "totals C >= 0 by non-negative least squares on sum_n s_ni C_n = F_i (relative weights)"
    )
    worst = np.argsort(-misfit)[:5]
    log(
        f"- NNLS misfit (sum |fit - F_i| / sum F_i) by industry: median {100 * np.median(misfit):.2f}%, "
        f"final-sales weighted {100 * np.sum(misfit * Fin.sum(0)) / Fin.sum():.2f}%; largest "
        + ", ".join(f"{INDUSTRIES[j]} {100 * misfit[j]:.2f}%" for j in worst)
    )
    log(
        f"- exact column scaling to each supplier's ICIO final sales: scale factors in "
        f"[{scale[colsum > 0].min():.3f}, {scale[colsum > 0].max():.3f}] "
        f"(final-sales weighted mean |1 - scale| {np.sum(np.abs(1 - scale) * Fin) / Fin.sum() * 100:.2f}%); "
        f"{int(orphan.sum())} suppliers with no destination keep their final sales at home"
    )
    zero_dest = (C <= 0) & (Fin.sum(axis=0) > 0)[None, :]
    log(
        f"- destination x industry cells with zero derived final demand (NNLS bound active): "
        f"{int(zero_dest.sum())} of {C.size}, holding {100 * (Y * zero_dest).sum() / Y.sum():.2f}% of world output"
    )

    # ------------------------------------------------------------------ 4. goods totals vs BACI
    baci = pd.read_csv(recent / "baci2023_libday" / "baci2023_bilateral_goods_total.csv")
    inside = baci.exporter_iso3.isin(cidx) & baci.importer_iso3.isin(cidx)
    unmatched = baci[~inside]
    baci = baci[inside]
    B = np.zeros((N, N))
    np.add.at(B, (baci.importer_iso3.map(cidx), baci.exporter_iso3.map(cidx)), baci.value_kusd.to_numpy() / 1e3)
    np.fill_diagonal(B, 0.0)
    have_baci = B > 0
    for c in NO_BACI:
        have_baci[cidx[c], :] = have_baci[:, cidx[c]] = False
    ust = pd.read_csv(recent / "us_tariffs_2025" / "us_imports_tariffs_by_partner_hs2_2024.csv", dtype={"hs2": str})
    ust = ust[(ust.hs2.astype(int) <= 97) & (ust.partner_iso3 != "EU27")]  # EU members are listed one by one
    us_imp = (ust[ust.partner_iso3.isin(cidx)].groupby("partner_iso3").us_imports_2024_usd.sum() / 1e6).reindex(
        countries, fill_value=0.0
    )
    goods = np.array([sidx[x] for x in GOODS_INDUSTRIES])
    Mg = M[:, :, goods].sum(axis=2)
    # world2022 regions: membership matrix [18, 80]
    R = np.zeros((len(REGIONS), N))
    R[econ.world2022.map(REGIONS.index), np.arange(N)] = 1.0

    def goods_total(Fx):
        T = Mg + Fx[:, :, goods].sum(axis=2)
        np.fill_diagonal(T, 0.0)
        return T

    usa, chn = cidx["USA"], cidx["CHN"]

    def report(T, label):
        log(
            f"- {label}: CHN->USA {T[usa, chn]:,.0f} (BACI {B[usa, chn]:,.0f}, gap "
            f"{100 * (T[usa, chn] / B[usa, chn] - 1):+.1f}%; "
            f"US 2024 {us_imp['CHN']:,.0f}, gap {100 * (T[usa, chn] / us_imp['CHN'] - 1):+.1f}%); "
            f"USA->CHN {T[chn, usa]:,.0f} (BACI {B[chn, usa]:,.0f}, gap {100 * (T[chn, usa] / B[chn, usa] - 1):+.1f}%)"
        )
        both = have_baci & (T > 0)
        lg = np.log(T[both] / B[both])
        log(
            f"  all {have_baci.sum()} economy pairs with BACI data: {int((have_baci & (T <= 0)).sum())} without "
            f"ICIO goods trade; the others: median |log gap| {np.median(np.abs(lg)):.3f}, share within 10% "
            f"{np.mean(np.abs(np.exp(lg) - 1) <= 0.10):.2f}; world goods trade {T.sum():,.0f} vs BACI {B.sum():,.0f}"
        )
        Tr, Br = R @ T @ R.T, R @ (B * have_baci) @ R.T
        np.fill_diagonal(Tr, 0.0)
        np.fill_diagonal(Br, 0.0)
        ok = Br > 0
        lr = np.log(Tr[ok] / Br[ok])
        log(
            f"  the 18 world2022 regions: median |log gap| {np.median(np.abs(lr)):.3f} over {ok.sum()} pairs "
            f"(Taiwan left out of BACI's side)"
        )
        big = us_imp.sort_values(ascending=False).index[:30]
        log(
            "  US goods imports by partner vs US 2024 (Census), the 30 largest: "
            + ", ".join(f"{c} {100 * (T[usa, cidx[c]] / us_imp[c] - 1):+.0f}%" for c in big)
        )

    log("\n### 4. Bilateral goods trade vs BACI 2023 and US 2024 imports")
    log(
        f"- BACI flows from or to countries outside the ICIO 80 are left out, as the ICIO leaves out its residual "
        f"ROW region ({unmatched.value_kusd.sum() / 1e3:,.0f} of "
        f"{(baci.value_kusd.sum() + unmatched.value_kusd.sum()) / 1e3:,.0f}); Taiwan has no BACI data"
    )
    T0 = goods_total(F)
    report(T0, "before balancing")

    target = np.zeros((N, N), dtype=bool)
    target[usa, :] = target[:, usa] = target[chn, :] = target[:, chn] = True
    np.fill_diagonal(target, False)
    target &= have_baci
    for c in ENTREPOTS:
        target[cidx[c], :] = False
    need = B - Mg
    infeasible = target & (need <= 0)
    target &= ~infeasible
    F1 = F.copy()
    gi = goods[None, :]
    for it in range(2000):  # noqa: B007 (the number of sweeps is logged after the loop)
        cur = F1[:, :, goods].sum(axis=2)
        factor = np.where(target & (cur > 0), need / np.where(cur > 0, cur, 1.0), 1.0)
        F1[:, :, goods] *= factor[:, :, None]
        ni, ii = np.nonzero(target & (cur <= 0) & (Mg > 0))
        if len(ni):
            F1[ni[:, None], ii[:, None], gi] = (
                need[ni, ii][:, None] * M[ni[:, None], ii[:, None], gi] / Mg[ni, ii][:, None]
            )
        cs = F1.sum(axis=0)
        F1 *= np.divide(Fin, cs, out=np.zeros_like(Fin), where=cs > 0)[None]
        T = goods_total(F1)
        err = np.abs(T[target] / B[target] - 1)
        if err.max() < 1e-6:
            break
    pairs = lambda mask: [f"{countries[i]}->{countries[n]}" for n, i in zip(*np.nonzero(mask))]
    log(
        f"- balancing: iterative proportional fitting of the final-goods flows of the {int(target.sum())} pairs "
        f"of the US or China with another economy (except their exports to the entrepots {', '.join(ENTREPOTS)}: "
        f"BACI counts the re-exports, the ICIO does not; no BACI data for {', '.join(NO_BACI)}) to BACI 2023 "
        f"(scale each targeted pair's final goods, then each supplier's final sales back to its ICIO total); "
        f"{it + 1} sweeps, largest remaining gap on targeted pairs {100 * err.max():.3g}%"
    )
    off = target.copy()
    off[target] = err > 0.01
    log(
        f"- targeted pairs still more than 1% off BACI ({int(off.sum())}; the supplier totals bind: a small "
        f"supplier whose final sales go mostly to the US or China cannot match both): "
        + (
            ", ".join(
                f"{p} {100 * (T[n, i] / B[n, i] - 1):+.1f}%" for p, (n, i) in zip(pairs(off), zip(*np.nonzero(off)))
            )
            or "none"
        )
    )
    log(
        f"- pairs left out because their intermediate goods trade alone exceeds BACI ({int(infeasible.sum())}): "
        + (", ".join(pairs(infeasible)) or "none")
    )
    changed = np.abs(F1 - F).sum() / 2
    dest_old, dest_new = F.sum(axis=1), F1.sum(axis=1)
    rel = np.abs(dest_new - dest_old) / np.maximum(dest_old, 1e-300)
    top = np.argsort(-(np.abs(dest_new - dest_old)).ravel())[:5]
    log(
        f"- final flows moved: {changed:,.0f} ({100 * changed / F.sum():.2f}% of world final sales); "
        f"destination final demand (economy x industry) changed by more than 10% in {int((rel > 0.1).sum())} of "
        f"{rel.size} cells ({100 * np.abs(dest_new - dest_old)[rel > 0.1].sum() / dest_old.sum():.2f}% of world "
        f"final demand); largest absolute changes: "
        + ", ".join(
            f"{countries[k // J]} {INDUSTRIES[k % J]} {dest_old.ravel()[k]:,.0f} -> {dest_new.ravel()[k]:,.0f}"
            for k in top
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
    tariffs, tsource, tariff_log = build_tariffs(recent, econ, cidx, sidx, ust, trade)
    log("\n### 5. Baseline tariffs")
    for line in tariff_log:
        log(line)

    # ------------------------------------------------------------------ 6. theta
    theta, theta_note = build_theta(recent)
    log("\n### 6. Trade elasticities")
    log("- " + ", ".join(f"{s} {t:.2f}" for s, t in zip(INDUSTRIES, theta)))

    # ------------------------------------------------------------------ 7. calibration
    from tradewar.models.caliendo_parro import calibrate

    gross_final = np.einsum("nij,nij->nj", F, 1 + tariffs)
    final_share = gross_final / gross_final.sum(axis=1, keepdims=True)
    va_data = (va_share * Y).sum(axis=1)
    industry_names = pd.read_csv(icio / "sector_map.csv").set_index("sector").sector_name
    raw = Baseline(
        name="world2022-full (raw)",
        regions=tuple(countries),
        region_names=tuple(econ.country_name),
        sectors=tuple(INDUSTRIES),
        sector_names=tuple(industry_names[s] for s in INDUSTRIES),
        trade=trade,
        tariffs=tariffs,
        va_share=va_share,
        io_share=io_share,
        final_share=final_share,
        theta=theta,
        tradable=np.ones(J, dtype=bool),
    )
    raw = replace(raw, extras={"value_added_data": va_data, "deficit_data": raw.deficit.copy()})
    cal = calibrate(raw)
    cal.validate()
    w_hat = cal.value_added / va_data
    moved = np.abs(cal.trade - trade).sum() / trade.sum() / 2
    log("\n### 7. Calibration to a model equilibrium at the factual tariffs")
    log(
        "- `caliendo_parro.calibrate`: observed expenditure shares, ICIO value added, derived deficits "
        "(imports - exports, all industries), deficits held fixed, numeraire world value added"
    )
    log(
        f"- world gross output {Y.sum():,.0f} -> {cal.gross_output.sum():,.0f} "
        f"({100 * (cal.gross_output.sum() / Y.sum() - 1):+.3f}%); world value added {va_data.sum():,.0f} -> "
        f"{cal.value_added.sum():,.0f} ({100 * (cal.value_added.sum() / va_data.sum() - 1):+.4f}%)"
    )
    order = np.argsort(-np.abs(w_hat - 1))[:10]
    log(
        f"- economy value added (wage) changes: median |change| {100 * np.median(np.abs(w_hat - 1)):.2f}%; largest "
        + ", ".join(f"{countries[k]} {100 * (w_hat[k] - 1):+.2f}%" for k in order)
    )
    log(
        f"- flows moved by calibration: {100 * moved:.2f}% of world trade (half the sum of absolute changes); "
        f"tariff revenue {cal.tariff_revenue.sum():,.0f}"
    )
    report(goods_total(cal.trade - M), "after calibration")
    gross = cal.expenditure - cal.intermediate_demand
    log(
        f"- derived final demand (X - intermediate demand) min {gross.min():,.1f}; "
        f"largest |sum_j final - income| {np.abs(gross.sum(axis=1) - cal.income).max():.3g}"
    )
    full = replace(
        cal,
        name="world2022-full",
        extras={
            "theta_se": np.full(J, np.nan),
            "theta_source": np.array(theta_note),
            "tariff_source": tsource,
            "icio_gross_output": Y,
            "icio_value_added": VA,
            "icio_final_sales": Fin,
            "derived_final_demand": C,
        },
    )
    log("\n### Absorption check (world2022-full)")
    for line in absorption_lines(full, band_outliers=True):
        log(line)
    return full, econ


def build_tariffs(recent, econ, cidx, sidx, ust, trade):
    """Tariffs [importer, exporter, industry] (decimals) and a source code per cell."""
    N, J = len(cidx), len(sidx)
    conc = pd.read_csv(REPO / "src/tradewar/datasets/world2022/hs2_to_sector.csv", dtype={"hs2": str})
    hs2sec = dict(zip(conc.hs2, conc.sector))
    chapter_industry = {}
    for hs2, sec in hs2sec.items():
        inds = SECTORS[sec][1]
        chapter_industry[hs2] = HS2_INDUSTRY[hs2] if len(inds) > 1 else inds[0]
        assert SECTOR_OF_INDUSTRY[chapter_industry[hs2]] == sec, hs2
    chapters = {}  # goods industry -> its chapters (own, else its sector's, C27 chapter 85)
    for ind in GOODS_INDUSTRIES:
        own = [h for h, i in chapter_industry.items() if i == ind]
        sec = SECTOR_OF_INDUSTRY[ind]
        chapters[ind] = own or ([HS2_PROXY[sec]] if sec in HS2_PROXY else [h for h, s in hs2sec.items() if s == sec])
    proxied = [ind for ind in GOODS_INDUSTRIES if chapter_industry.get(chapters[ind][0]) != ind]
    link = pd.DataFrame([(h, ind) for ind, hs in chapters.items() for h in hs], columns=["hs2", "industry"])
    log_ = []
    t = np.zeros((N, N, J))
    src = np.full((N, N, J), "", dtype=object)
    usa, chn = cidx["USA"], cidx["CHN"]
    goods = [sidx[s] for s in GOODS_INDUSTRIES]
    countries = list(cidx)

    # US: duties / imports 2024 by partner economy x industry
    u = ust.merge(link, on="hs2")
    g = u[u.partner_iso3.isin(cidx)].groupby(["partner_iso3", "industry"])[["us_imports_2024_usd", "us_duty_2024_usd"]]
    rate = (g.sum().us_duty_2024_usd / g.sum().us_imports_2024_usd).unstack()
    non_chn = u[u.partner_iso3 != "CHN"].groupby("industry")[["us_imports_2024_usd", "us_duty_2024_usd"]].sum()
    mfn_like = non_chn.us_duty_2024_usd / non_chn.us_imports_2024_usd
    filled = 0
    for i, c in enumerate(countries):
        if i == usa:
            continue
        for s in GOODS_INDUSTRIES:
            j = sidx[s]
            v = rate.loc[c, s] if (c in rate.index and s in rate.columns) else np.nan
            if np.isfinite(v):
                t[usa, i, j], src[usa, i, j] = v, "us_duties_2024"
            else:
                t[usa, i, j], src[usa, i, j] = mfn_like[s], "us_duties_2024_all_partners_ex_chn"
                filled += 1

    def avg(importers, exporters):
        n, i = [cidx[c] for c in importers], [cidx[c] for c in exporters]
        w = trade[np.ix_(n, i, goods)]
        return np.sum(t[np.ix_(n, i, goods)] * w) / w.sum()

    eu = list(econ.country[econ.world2022 == "EU27"])
    cu = ust[(ust.partner_iso3 == "CHN")]
    log_.append(
        f"- US on every partner: 2024 calculated duties / customs value (us_tariffs_2025, HS 01-97, HS2 -> "
        f"industry as above, import-weighted; industries without a chapter of their own ({', '.join(proxied)}) "
        f"take their world2022 sector's chapters, C27 chapter 85). {filled} partner x industry cells without "
        f"US imports take the US rate on all partners except China. Trade-weighted at baseline flows: on CHN "
        f"{100 * avg(['USA'], ['CHN']):.2f}% (all goods at 2024 US import weights "
        f"{100 * cu.us_duty_2024_usd.sum() / cu.us_imports_2024_usd.sum():.2f}%; PIIE's statutory trade-weighted "
        f"average at 20 Jan 2025 is 20.8%, tariff_timeline_2018_2025.csv; likely reasons for the gap: product "
        f"exclusions, and statutory rates weighted by pre-war trade vs duties actually paid on the 2024 mix), on "
        f"the EU members {100 * avg(['USA'], eu):.2f}%, on MEX {100 * avg(['USA'], ['MEX']):.2f}%, on VNM "
        f"{100 * avg(['USA'], ['VNM']):.2f}%"
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
    df["w"] = df.china_imports_from_us_2017_kusd
    df["hs2"] = df.index.str[:2]
    lines = df.reset_index().merge(link, on="hs2")
    recs = {}
    for ind, d in lines.groupby("industry"):
        ww = d.w if d.w.sum() > 0 else pd.Series(1.0, index=d.index)
        recs[ind] = ((d.rate_on_us_pct * ww).sum() / ww.sum() / 100, (d.mfn_rate_pct * ww).sum() / ww.sum() / 100)
    for s in GOODS_INDUSTRIES:
        t[chn, usa, sidx[s]], src[chn, usa, sidx[s]] = recs[s][0], "chn_on_us_jun2019"
    all_w = (df.rate_on_us_pct * df.w).sum() / df.w.sum()
    first = ct[ct.date == ct.date.min()].assign(hs8=lambda d: d.hs10.str[:8]).groupby("hs8").rate_on_us_pct.mean()
    f = pd.DataFrame({"rate": first}).join(w, how="inner")
    first_avg = (f.rate * f.china_imports_from_us_2017_kusd).sum() / f.china_imports_from_us_2017_kusd.sum()
    covered = df.w[df.w > 0].sum() / w.sum()
    log_.append(
        f"- China on the US: HS10 rates in force after 2019-06-01 (Bown, Jung & Zhang 2019), averaged to "
        f"HS8 and weighted by China's 2017 imports from the US within each industry (the tariff lines cover "
        f"{100 * covered:.1f}% of the 2017 import value). All goods: "
        f"{all_w:.2f}% with 2017 weights, {100 * avg(['CHN'], ['USA']):.2f}% at baseline flows. PIIE's Figure 1 "
        f"(same workbook) gives 20.72% for June 2019 and 7.99% for 1 Jan 2018, where the same weighting "
        f"here gives {first_avg:.2f}%. The difference is the weights: PIIE weights by US exports to the "
        f"world in 2017 (note in china_tariff_by_sector_jun2019.csv), which are not in the data; China's "
        f"own imports from the US put more weight on low-tariff lines (chips, aircraft, soybeans before "
        f"retaliation), so the level here is about a quarter below PIIE's. Not in the "
        f"data: the September 2019 increases and their halving under the phase-one deal (14 Feb 2020); "
        f"PIIE's average after it is 21.1% and 21.2% at 20 Jan 2025 (tariff_timeline_2018_2025.csv)."
    )

    # every other pair
    groups = {
        "USMCA (CAN-MEX)": {"CAN", "MEX"},
        "ASEAN Free Trade Area": set(econ.country[econ.world2022.isin(["VNM", "MYS", "THA", "IDN", "ASEAN_OTH"])]),
        "EU single market and EU-UK TCA": {*eu, "GBR"},
    }
    member = np.zeros((N, N), dtype=bool)
    for grp in groups.values():
        k = [cidx[c] for c in grp]
        member[np.ix_(k, k)] = True
    other = ~np.eye(N, dtype=bool)
    other[usa, :] = False
    other[chn, usa] = False
    for s in GOODS_INDUSTRIES:
        j = sidx[s]
        fta = other & member
        t[fta, j], src[fta, j] = 0.0, "fta_zero"
        rest = other & ~member
        chn_rows = rest.copy()
        chn_rows[np.arange(N) != chn, :] = False
        t[chn_rows, j], src[chn_rows, j] = recs[s][1], "chn_mfn_2019"
        others = rest & ~chn_rows
        t[others, j], src[others, j] = mfn_like[s], "assumed_us_mfn_like"
    log_.append(
        f"- China on every other partner: China's 2019 MFN rates from the same HS10 file (same weights), "
        f"all goods {np.sum(df.mfn_rate_pct * df.w) / df.w.sum():.2f}% (PIIE Figure 1: 6.67% toward "
        f"others); China's FTAs (ASEAN, Korea, Australia) are not applied (no data): an upper bound."
    )
    goods_imports = non_chn.us_imports_2024_usd[GOODS_INDUSTRIES]
    goods_average = 100 * np.sum(mfn_like[GOODS_INDUSTRIES] * goods_imports) / goods_imports.sum()
    log_.append(
        f"- every other importer (no tariff data for them in ../shared/data): ASSUMPTION, each applies by "
        f"industry the US 2024 applied rate on all partners except China (an MFN-like low-tariff "
        f"structure, goods average {goods_average:.2f}%), and zero inside {', '.join(groups)} "
        f"({int((other & member).sum())} ordered pairs). UTIL and SERV industries: 0 everywhere."
    )
    return t, src, log_


def build_theta(recent):
    """theta by industry and a note on its source."""
    cp = pd.read_csv(recent.parent / "cp2015" / "theta.csv").set_index("sector").theta
    theta, notes = [], []
    for ind in INDUSTRIES:
        parts = THETA_CP.get(ind)
        if parts is None:
            theta.append(float(cp[NONTRADABLE_THETA]))
            notes.append(f"CP2015 script.m value for non-tradable sectors ({cp[NONTRADABLE_THETA]:g})")
            continue
        th = len(parts) / np.sum([1.0 / cp[p] for p in parts])
        theta.append(round(float(th), 4))
        note = "CP2015 T.txt: " + "; ".join(f"{p} {cp[p]:g}" for p in parts)
        if len(parts) > 1:
            note += " (harmonic mean, equal weights: all three are inside ICIO C26)"
        notes.append(note)
    return np.array(theta), notes


def absorption_lines(b: Baseline, band_outliers: bool = False) -> list[str]:
    """Absorption (final expenditure I_n) relative to value added plus the derived deficit, and
    relative to value added: the documented band."""
    va, dfc, inc = b.value_added, b.deficit, b.income
    ratio = inc / (va + dfc)
    rel = inc / va
    if band_outliers:
        out = [k for k in np.argsort(-np.abs(rel - 1)) if not 0.75 <= rel[k] <= 1.25]
        return [
            f"- absorption I_n / (VA_n + D_n) (income includes tariff revenue): in [{ratio.min():.4f}, "
            f"{ratio.max():.4f}]",
            f"- absorption / value added: median {np.median(rel):.3f}; {len(out)} of {len(rel)} economies outside "
            "the band 0.75-1.25: " + ", ".join(f"{b.regions[k]} {rel[k]:.3f}" for k in out),
        ]
    return [
        "- absorption I_n / (VA_n + D_n) (income includes tariff revenue): "
        + ", ".join(f"{r} {x:.4f}" for r, x in zip(b.regions, ratio)),
        "- absorption / value added (band 0.75-1.25): " + ", ".join(f"{r} {x:.3f}" for r, x in zip(b.regions, rel)),
        "- deficit D_n / VA_n in %: " + ", ".join(f"{r} {100 * x:+.1f}" for r, x in zip(b.regions, dfc / va)),
    ]


# ----------------------------------------------------------------------------- world2022
def world2022_maps(econ: pd.DataFrame) -> tuple[dict, dict]:
    return dict(zip(econ.country, econ.world2022)), dict(SECTOR_OF_INDUSTRY)


def aggregate_world2022(full: Baseline, econ: pd.DataFrame) -> Baseline:
    """world2022 = the aggregation of world2022-full by the bundled 18-region, 16-sector maps."""
    region_map, sector_map = world2022_maps(econ)
    agg = aggregate(full, region_map, sector_map)
    R = np.zeros((len(REGIONS), full.n_regions))
    R[[REGIONS.index(region_map[c]) for c in full.regions], np.arange(full.n_regions)] = 1.0
    S = np.zeros((len(SECS), full.n_sectors))
    S[[SECS.index(sector_map[s]) for s in full.sectors], np.arange(full.n_sectors)] = 1.0
    extras = {k: R @ full.extras[k] @ S.T for k in ("icio_gross_output", "icio_value_added", "icio_final_sales")}
    extras["derived_final_demand"] = R @ full.extras["derived_final_demand"] @ S.T
    extras["theta_se"] = np.full(len(SECS), np.nan)
    # source of each aggregated tariff cell: the sources of its member cells, joined
    src = full.extras["tariff_source"]
    codes = sorted(set(src.ravel()) - {""})
    present = np.stack(
        [np.einsum("an,bi,cj,nij->abc", R, R, S, (src == c).astype(float), optimize=True) > 0 for c in codes]
    )
    joined = np.full(agg.tariffs.shape, "", dtype=object)
    for k, c in enumerate(codes):
        joined = np.where(present[k], np.where(joined == "", c, joined + "+" + c), joined)
    extras["tariff_source"] = joined
    intl = full.trade.sum(axis=(0, 1)) - np.einsum("nnj->j", full.trade)
    notes = []
    for s in SECS:
        members = SECTORS[s][1]
        parts = [f"{m} {full.theta[full.sector_index(m)]:g}" for m in members]
        if len(set(full.theta[[full.sector_index(m) for m in members]])) == 1:
            notes.append(full.extras["theta_source"][full.sector_index(members[0])])
        else:
            w = intl[[full.sector_index(m) for m in members]]
            notes.append(
                "harmonic mean of the ICIO industries' thetas weighted by their international trade "
                f"(tradewar.data.aggregate): {'; '.join(parts)} (weights "
                + ", ".join(f"{100 * x / w.sum():.0f}%" for x in w)
                + ")"
            )
    extras["theta_source"] = np.array(notes)
    return replace(
        agg,
        name="world2022",
        region_names=tuple(REGION_NAMES[r] for r in REGIONS),
        sector_names=tuple(SECTORS[s][0] for s in SECS),
        provenance="",
        extras=extras,
    )


def log_world2022(w: Baseline, recent: Path) -> None:
    log("\n### 8. world2022: the aggregation of world2022-full to 18 regions x 16 sectors")
    log(
        f"- `aggregate(world2022-full, mappings/world2022-regions.csv, mappings/world2022-sectors.csv)`: world gross "
        f"output {w.gross_output.sum():,.0f}, value added {w.value_added.sum():,.0f}, tariff revenue "
        f"{w.tariff_revenue.sum():,.0f}; tariffs on regions' own sales (trade among their members): "
        + ", ".join(
            f"{r} {100 * np.sum(w.tariffs[k, k] * w.trade[k, k]) / w.trade[k, k].sum():.3f}%"
            for k, r in enumerate(REGIONS)
            if np.any(w.tariffs[k, k] > 0)
        )
    )
    log("- thetas: " + ", ".join(f"{s} {t:.4f}" for s, t in zip(SECS, w.theta)))
    us, cn = w.region_index("USA"), w.region_index("CHN")
    goods = [w.sector_index(s) for s in GOODS]
    for n, i in ((us, cn), (cn, us), (us, w.region_index("EU27")), (us, w.region_index("MEX"))):
        x = w.trade[n, i, goods]
        log(
            f"- {w.regions[i]}->{w.regions[n]}: goods trade {x.sum():,.0f}, trade-weighted tariff "
            f"{100 * np.sum(w.tariffs[n, i, goods] * x) / x.sum():.2f}%"
        )
    log("\n### Absorption check (world2022)")
    for line in absorption_lines(w):
        log(line)


def write_world2022(out: Path, w: Baseline) -> None:
    out.mkdir(parents=True, exist_ok=True)

    def csv(df: pd.DataFrame, name: str, fmt="%.6g"):
        buf = io.StringIO()
        df.to_csv(buf, index=False, float_format=fmt, lineterminator="\n")
        write_atomic(out / name, buf.getvalue())

    J = len(SECS)
    csv(pd.DataFrame({"code": REGIONS, "name": [REGION_NAMES[r] for r in REGIONS]}), "regions.csv")
    csv(
        pd.DataFrame(
            {
                "code": SECS,
                "name": [SECTORS[s][0] for s in SECS],
                "icio_industries": [" ".join(SECTORS[s][1]) for s in SECS],
                "tradable": [1] * J,
                "theta": np.round(w.theta, 4),
                "theta_se": [np.nan] * J,
                "theta_source": w.extras["theta_source"],
            }
        ),
        "sectors.csv",
    )
    idx = pd.MultiIndex.from_product([REGIONS, REGIONS, SECS], names=["importer", "exporter", "sector"])
    tr = pd.DataFrame({"value": w.trade.ravel()}, index=idx).reset_index()
    csv(tr[tr.value > 0], "trade.csv", fmt="%.8g")
    ta = pd.DataFrame({"tariff": w.tariffs.ravel(), "source": w.extras["tariff_source"].ravel()}, index=idx)
    ta = ta.reset_index()
    csv(ta[ta.tariff != 0], "tariffs.csv", fmt="%.10g")
    idx2 = pd.MultiIndex.from_product([REGIONS, SECS], names=["region", "sector"])
    csv(
        pd.DataFrame(
            {
                "va_share": w.va_share.ravel(),
                "final_share": w.final_share.ravel(),
                "icio_gross_output": w.extras["icio_gross_output"].ravel(),
                "icio_value_added": w.extras["icio_value_added"].ravel(),
                "icio_final_sales": w.extras["icio_final_sales"].ravel(),
                "derived_final_demand": w.extras["derived_final_demand"].ravel(),
            },
            index=idx2,
        ).reset_index(),
        "region_sector.csv",
        fmt="%.10g",
    )
    idx3 = pd.MultiIndex.from_product([REGIONS, SECS, SECS], names=["region", "input", "user"])
    io_df = pd.DataFrame({"share": w.io_share.ravel()}, index=idx3).reset_index()
    csv(io_df[io_df.share != 0], "io_shares.csv", fmt="%.8g")


# ----------------------------------------------------------------------------- bundled mappings
G7 = ("USA", "CAN", "JPN", "GBR", "DEU", "FRA", "ITA")


def write_mappings(out: Path, econ: pd.DataFrame) -> None:
    """The bundled mapping files (datasets/mappings/*.csv, `tradewar data aggregate` layout)."""
    out.mkdir(parents=True, exist_ok=True)
    region_map, sector_map = world2022_maps(econ)
    asean = set(econ.country[econ.world2022.isin(["VNM", "MYS", "THA", "IDN", "ASEAN_OTH"])])

    def g7_group(c):
        return "G7" if c in G7 else "CHN" if c == "CHN" else "ASEAN" if c in asean else "REST"

    tables = {
        "world2022-regions.csv": ("region", region_map),
        "world2022-sectors.csv": ("sector", sector_map),
        "g7-china-asean-rest.csv": ("region", {c: g7_group(c) for c in econ.country}),
        "eu-members.csv": ("region", {c: c if r == "EU27" else r for c, r in region_map.items()}),
    }
    for name, (kind, m) in tables.items():
        text = f"{kind},new_{kind}\n" + "".join(f"{a},{b}\n" for a, b in m.items())
        write_atomic(out / name, text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "recent")
    ap.add_argument("--out", type=Path, default=REPO / "src" / "tradewar" / "datasets")
    args = ap.parse_args()
    full, econ = build(args.data)
    world = aggregate_world2022(full, econ)
    log_world2022(world, args.data)
    full_dir, w_dir, m_dir = args.out / "world2022-full", args.out / "world2022", args.out / "mappings"
    write_npz_dataset(full, full_dir / "world2022-full.npz")
    write_world2022(w_dir, world)
    write_mappings(m_dir, econ)
    for folder in (full_dir, w_dir):
        text = PROVENANCE_HEADER + "\n" + "\n".join(log_lines) + "\n" + files_table(folder)
        write_atomic(folder / "PROVENANCE.md", text)
    for folder in (full_dir, w_dir, m_dir):
        for f in folder.iterdir():
            f.chmod(0o644)


def files_table(out: Path) -> str:
    lines = ["\n## Files (sizes in bytes)\n", "| file | bytes |", "|---|---|"]
    for f in sorted([*out.glob("*.csv"), *out.glob("*.npz")]):
        lines.append(f"| `{f.name}` | {f.stat().st_size:,} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
