"""The 2025 US-China trade war as tariff changes by (importer, exporter, sector).

This module turns the dated events of ``../shared/data/recent`` into the policy arrays of the
bundled scenarios (``scripts/build_scenarios.py`` writes them as TOML). Everything is an
*increase over the dataset's factual tariffs* in percentage points, by importer region,
exporter region and world2022 sector; a scenario step sets the level

    set_pct[n, i, s] = 100 * baseline_tariff[n, i, s] + increase_pp[n, i, s]

so the levels are consistent with the `world2022` baseline (US: 2024 calculated duties by
partner x sector, which include the Section 301 duties in force in 2024; China on the US: the
rates in force after June 2019). Sources (all in ``../shared/data/recent``):

- ``tariff_timeline_2018_2025.csv`` (PIIE/Bown, CRS, official texts): the dates and headline
  rates of the US measures on China and China's measures on the US.
- ``us_tariffs_2025/us_tariff_by_partner_by_date.csv`` (tradewartracker, Census 2024 weights):
  the import-weighted increase of the US tariff on each of 51 partners at 23 policy dates.
- ``us_tariffs_2025/us_daily_avg_tariff.csv``: the US average over all partners (for the
  partners outside the 51: the residual).
- ``us_tariffs_2025/us_imports_tariffs_by_partner_hs2_2024.csv``: 2024 US imports by partner x
  HS2 (weights from chapters to sectors, and the Section 232 coverage).
- ``us_tariffs_2025/china_retaliation_2025-03-10_hs6.csv`` and
  ``china_tariffs_2018_2019/china_imports_from_us_2017_hs8.csv``: China's product lists and the
  weights of its tariffs on US goods (the same 2017 weights as the baseline's China tariffs).

Method (each step of `STEPS` names its state; the functions below are the mapping):

US on China (`us_on_china_pp`), built from the timeline's layers rather than from the tracker,
because the tracker codes the 20 % fentanyl rate from 4 February (the second 10 points came on
4 March) and the November truce on 1 November; by HS2 chapter h:

    increase(h) = fentanyl + reciprocal * cover(h) + steel_rate * c_steel [h in 72, 73, 76]
                  + auto_rate * c_auto [h = 87]

- the fentanyl (IEEPA) rate stacks on every good from China, including Section 232 goods;
- the reciprocal rate does not apply to Annex II energy and Section 232 goods: cover(h) = 0 for
  chapters 27 (energy), 72, 73, 74, 76 (steel, copper, aluminium), 87 (autos and parts); 1
  elsewhere (see `RECIPROCAL_EXEMPT` for pharmaceuticals and bullion), except that the
  electronics carve-out of 11 April (smartphones, computers, chips; retroactive to 5 April) removes a share `s_e` of
  chapters 84 and 85. `s_e` is calibrated to the tracker: the reciprocal coverage the tracker
  implies for China after Geneva, (increase on 2025-05-12 - 20 fentanyl - Section 232) / 10;
- c_steel and c_auto, the shares of chapters 72+73+76 and 87 under Section 232, come from the
  tracker's jumps on the 232 dates (2025-03-12 steel/aluminium at 25 %, 2025-04-03 autos at
  25 %): covered value = jump x imports / 25. The tracker codes autos and parts together on
  3 April (parts were from 3 May); we follow it;
- the Section 232 expansions of August (copper, steel/aluminium derivatives) add the tracker's
  jump on China between 2025-06-03 and 2025-08-07 (China's reciprocal rate did not change then),
  spread over chapters 73, 74, 76, 84, 85, 94 by 2024 imports.

US on every other partner (`us_on_partners_pp`): the tracker's import-weighted increase T(p, d)
is the partner-level total (so the deals with Japan, Korea, Malaysia and the EU and the
reciprocal rates of 7 August are in it); it is spread over chapters as Section 232 layers on
their chapters (coverage from the tracker's jumps, as for China) plus a broad IEEPA layer B with
the same cover(h) as China's reciprocal rate, B solved so that the 2024-import-weighted average
over chapters equals T(p, d) exactly. B is capped at `BROAD_CAP` (50 %), the rest spread over
the chapters' uncovered parts (the tracker, at HS10, reaches more than our chapter rules for
India and Brazil in August). Where the 232 layers alone exceed T (deals that cap autos at 15 %
all-in), B = 0 and the 232 layers are scaled down to T. Partners outside the tracker's
51 take the residual of the US average: (daily average - 2.3 MFN) x all imports minus the 51
partners' increases, over the other partners' imports. Partners are grouped into the 18 regions
(`region_of`), chapters into sectors with `hs2_to_sector.csv` (ELEQ takes chapter 85, as the
baseline does), both weighted by 2024 US imports; HS 98-99 carry no increase.

China on the US (`china_on_us_pp`): headline additional rates on all US goods (34 % announced
4 April, 84 % from 10 April, 125 % from 12 April, 10 % from the Geneva truce of 14 May), plus the
product lists of 10 February (coal and LNG +15, crude oil, agricultural machinery,
large-engine cars and pickups +10) and 10 March (farm goods +10/+15, lifted on 10 November),
averaged within sectors with China's 2017 imports from the US by HS8.

Rare-earth export controls (`rare_earth_cut_pct`): an export limit on China's exports of the sectors
that hold the controlled products (CHEM: rare-earth metals and compounds HS 2805/2846; MINE:
rare-earth ores; ELEQ: permanent magnets HS 8505), cut_pct = 100 x (assumed share of the
controlled products in the sector's exports) x (assumed cut in those products). Both numbers
are ASSUMPTIONS (no product-level Chinese export data are in ../shared/data): see
`RARE_EARTH_SHARE` and `RARE_EARTH_CUT`.

Published averages (`PUBLISHED`, checked in tests/test_scenarios.py): the trade-weighted US tariff
on Chinese goods and China's on US goods at baseline trade are compared with PIIE's (Bown) and
CRS's figures in the timeline file. China's tariff is compared as a level; the US tariff's level
sits about 9 points below PIIE's throughout (PIIE starts from statutory 20.8 %, the baseline from
the 2024 collected 11 %), so its rise since January is compared, and each exception says why.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.data.registry import default_data_path
from tradewar.errors import InputError

#: The data of the 2025 timeline (steps, coverage rules, assumptions, published figures), with
#: their sources and reasons: timeline_2025.toml beside this script.
DATA_FILE = Path(__file__).with_name("timeline_2025.toml")
_DATA = tomllib.loads(DATA_FILE.read_text())

#: world2022 labels (fixed).
REGIONS: tuple[str, ...] = tuple(_DATA["regions"])
GOODS: tuple[str, ...] = tuple(_DATA["goods"])
EU27_MEMBERS: tuple[str, ...] = tuple(_DATA["eu27_members"])
ASEAN_OTH: tuple[str, ...] = tuple(_DATA["asean_other"])
#: HS chapters of each coverage rule (see the data file for why).
RECIPROCAL_EXEMPT: tuple[str, ...] = tuple(_DATA["chapters"]["reciprocal_exempt"])
CARVE_OUT_CHAPTERS: tuple[str, ...] = tuple(_DATA["chapters"]["carve_out"])
STEEL_CHAPTERS: tuple[str, ...] = tuple(_DATA["chapters"]["steel"])
AUTO_CHAPTERS: tuple[str, ...] = tuple(_DATA["chapters"]["autos"])
LATER_232_CHAPTERS: tuple[str, ...] = tuple(_DATA["chapters"]["later_232"])
#: The cap of the broad IEEPA layer B (percent; see `Sources.us_partner_chapters`).
BROAD_CAP: float = _DATA["rates"]["broad_cap_pct"]
#: Rare earths: assumed share of the controlled products in China's exports by sector, and the
#: assumed cut in their exports under each regime (orders of magnitude, not data).
RARE_EARTH_SHARE: dict[str, float] = _DATA["rare_earth_share"]
RARE_EARTH_CUT: dict[str, float] = _DATA["rare_earth_cut"]


#: The reciprocal-rates files of ../shared/data/recent/us_tariffs_2025 (tradewartracker's
#: transcriptions): (file, rate column) of EO 14257 Annex I (2 April 2025, in force on 9 April
#: until the pause that day) and of the rates in force from 7 August 2025 (EO 14326 of 31 July:
#: the deals' rates, e.g. Japan and Korea 15 %, Malaysia, Thailand and Cambodia 19 %, Viet Nam 20 %).
RECIPROCAL_FILES: dict[str, tuple[str, str]] = {
    "april": ("reciprocal_rates_annexI_2025-04-02.csv", "reciprocal_rate_annexI_apr2_2025_pct"),
    "august": ("reciprocal_rates_2025-08-07.csv", "reciprocal_rate_aug7_2025_pct"),
}


def rare_earth_cut_pct(regime: str) -> dict[str, float]:
    """cut_pct by sector for a rare-earth regime (share x cut, in percent)."""
    if regime not in RARE_EARTH_CUT:
        raise InputError(
            f"rare-earth regime {regime!r} unknown; use one of {', '.join(RARE_EARTH_CUT)}", field="regime"
        )
    cut = RARE_EARTH_CUT[regime]
    return {s: round(100 * share * cut, 4) for s, share in RARE_EARTH_SHARE.items()}


def region_of(iso3: str) -> str:
    """world2022 region of a census partner code (EU members -> EU27; ASEAN others; else ROW)."""
    if iso3 in REGIONS and iso3 not in ("USA", "ROW", "ASEAN_OTH"):
        return iso3
    if iso3 in EU27_MEMBERS or iso3 == "EU27":
        return "EU27"
    if iso3 in ASEAN_OTH:
        return "ASEAN_OTH"
    return "ROW"


# --------------------------------------------------------------------------- the states
@dataclass(frozen=True)
class USChina:
    """US measures on China in force (percent, additional to the 2024 applied rates)."""

    fentanyl: float = 0.0
    reciprocal: float = 0.0
    carve_out: bool = False  # the 11 April electronics carve-out
    steel: float = 0.0  # Section 232 steel and aluminium
    autos: float = 0.0  # Section 232 autos and parts
    later_232: bool = False  # Section 232 expansions of August (copper, steel/aluminium derivatives)


@dataclass(frozen=True)
class ChinaUS:
    """China's measures on US goods in force (percent, additional to the June-2019 rates)."""

    headline: float = 0.0  # on all US goods
    feb_list: bool = False  # 10 February: coal, LNG +15; crude, farm machinery, large cars, pickups +10
    mar_list: bool = False  # 10 March: farm goods +10/+15 (Tariff Commission Ann. No. 2 of 2025)


@dataclass(frozen=True)
class Step:
    date: str
    label: str
    tracker_date: str | None  # the tracker's policy date for the US tariffs on other partners
    us_china: USChina
    china_us: ChinaUS
    rare_earth: str | None  # regime of China's rare-earth controls (RARE_EARTH_CUT key)
    sources: tuple[str, ...] = ()


#: The dated steps of the bundled scenario `us-china-2025`.
STEPS: tuple[Step, ...] = tuple(
    Step(
        row["date"],
        row["label"],
        row.get("tracker_date"),
        USChina(**row["us_china"]),
        ChinaUS(**row["china_us"]),
        row.get("rare_earth"),
        tuple(row["sources"]),
    )
    for row in _DATA["steps"]
)


@dataclass(frozen=True)
class Published:
    """A published average (tariff_timeline_2018_2025.csv) and the step it is compared with.

    `check` says what is tested (tests/test_scenarios.py), within `TOLERANCE_PP` points:
    "level": the step's trade-weighted average at baseline trade equals the published level;
    "increment": the step's rise over the 2025-01-20 step equals the published rise over the
    published January level (the levels differ by the baseline gap, see `exception`);
    "collected": the step's level equals the 2024 collected duty rate (tracker,
    applied_tariff_2024_pct), which is what the dataset's baseline is;
    "tracker": the step's rise at 2024 US import weights equals the tracker's on `tracker_date`.
    """

    step: str
    side: str  # "us": US tariff on Chinese goods; "china": China's tariff on US goods
    value: float
    source: str
    check: str = "level"
    exception: str = ""
    tracker_date: str | None = None


#: The average-tariff figures a user will compare with, and how each is checked.
TOLERANCE_PP: float = _DATA["published"]["tolerance_pp"]
PIIE_JANUARY: dict[str, float] = _DATA["published"]["piie_january"]


def _exception(row: dict) -> str:
    """A figure's explained exception, after the baseline gap where the data say so."""
    gap = _DATA["published"]["baseline_gap"] if row.get("after_baseline_gap") else ""
    return ". ".join(x for x in (gap, row.get("exception", "")) if x)


PUBLISHED: tuple[Published, ...] = tuple(
    Published(
        row["step"],
        row["side"],
        row["value"],
        row["source"],
        row.get("check", "level"),
        _exception(row),
        row.get("tracker_date"),
    )
    for row in _DATA["published"]["figures"]
)


def published_comparison(
    src: Sources, averages: dict[str, dict[str, float]], increases_2024: dict[str, float]
) -> list[dict]:
    """Rows of the comparison with `PUBLISHED`: `averages[date][side]` are the steps' trade-weighted
    averages at baseline trade (tradewar.scenario.run.average_tariff), `increases_2024[date]` the US rise on
    China at 2024 US import weights (`Sources.tracker_check_china`)."""
    rows = []
    for pub in PUBLISHED:
        level = averages[pub.step][pub.side]
        row = {
            "step": pub.step,
            "side": pub.side,
            "computed": level,
            "published": pub.value,
            "difference": level - pub.value,
            "check": pub.check,
            "source": pub.source,
            "exception": pub.exception,
        }
        if pub.check == "level":
            row["compared"], row["target"] = level, pub.value
        elif pub.check == "increment":
            row["compared"] = level - averages["2025-01-20"][pub.side]
            row["target"] = pub.value - PIIE_JANUARY[pub.side]
        elif pub.check == "collected":
            row["compared"] = level
            row["target"] = float(src.applied_2024("CHN"))
        elif pub.check == "tracker":
            row["compared"] = increases_2024[pub.step]
            row["target"] = float(src.tracker.loc["CHN", pub.tracker_date])
        row["gap"] = row["compared"] - row["target"]
        row["ok"] = abs(row["gap"]) <= TOLERANCE_PP
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- the data
def _data_dir(path: str | Path | None) -> Path:
    if path is not None:
        return Path(path)
    return default_data_path("recent")


class Sources:
    """The tables of ../shared/data/recent the mapping reads (loaded once)."""

    def __init__(self, path: str | Path | None = None):
        self.root = _data_dir(path)
        us = self.root / "us_tariffs_2025"
        hs2 = pd.read_csv(us / "us_imports_tariffs_by_partner_hs2_2024.csv", dtype={"hs2": str})
        hs2 = hs2[~hs2.partner_iso3.isin(EU27_MEMBERS)]  # the EU27 row is the EU total
        self.imports_all = hs2.groupby("partner_iso3").us_imports_2024_usd.sum()  # incl. HS 98-99
        hs2 = hs2[hs2.hs2.astype(int) <= 97]
        self.m = hs2.pivot_table(
            index="partner_iso3", columns="hs2", values="us_imports_2024_usd", aggfunc="sum", fill_value=0.0
        )
        panel = pd.read_csv(us / "us_tariff_by_partner_by_date.csv")
        panel = panel[~panel.partner_iso3.isin(EU27_MEMBERS)]  # SVK is inside the EU27 row
        self.tracker = panel.pivot(index="partner_iso3", columns="date", values="tariff_increase_since_2024_pct")
        self.tracker_imports = panel.groupby("partner_iso3").us_imports_2024_usd.first()
        self.daily = pd.read_csv(us / "us_daily_avg_tariff.csv").set_index("date").us_import_weighted_avg_tariff_pct
        self.retaliation = pd.read_csv(us / "china_retaliation_2025-03-10_hs6.csv", dtype={"hs6": str})
        self.china_weights = pd.read_csv(
            self.root / "china_tariffs_2018_2019" / "china_imports_from_us_2017_hs8.csv", dtype={"hs8": str}
        )
        conc = resources.files("tradewar") / "datasets" / "world2022" / "hs2_to_sector.csv"
        self.hs2_sector = pd.read_csv(str(conc), dtype={"hs2": str}).set_index("hs2").sector
        self._partners_cache: dict = {}
        self._memo: dict = {}

    # ---------------------------------------------------------------- helpers
    def tracker_increase(self, partner: str, date: str) -> float:
        if partner in self.tracker.index:
            return float(self.tracker.loc[partner, date])
        return self.rest_increase(date)

    def applied_2024(self, partner: str) -> float:
        """2024 calculated duties / customs value (percent), the tracker's base."""
        panel = pd.read_csv(self.root / "us_tariffs_2025" / "us_tariff_by_partner_by_date.csv")
        return float(panel.loc[panel.partner_iso3 == partner, "applied_tariff_2024_pct"].iloc[0])

    def rest_increase(self, date: str) -> float:
        """Increase on the partners outside the tracker's 51, from the US daily average."""
        if ("rest", date) not in self._memo:
            self._memo[("rest", date)] = self._rest_increase(date)
        return self._memo[("rest", date)]

    def _rest_increase(self, date: str) -> float:
        avg = float(self.daily.loc[date]) - 2.3  # the daily series adds a 2.3% MFN baseline
        total = float(self.imports_all.sum())
        inside = self.tracker_imports.reindex(self.tracker.index)
        panel = float((self.tracker[date] * inside).sum())
        return (avg * total - panel) / (total - float(inside.sum()))

    def chapter_imports(self, partner: str) -> pd.Series:
        return self.m.loc[partner] if partner in self.m.index else pd.Series(0.0, index=self.m.columns)

    def _jump_share(self, partner: str, before: str, after: str, chapters, rate: float) -> float:
        """Share of `chapters` covered by a measure at `rate`, from the tracker's jump."""
        key = (partner, before, after, tuple(chapters), rate)
        if key not in self._memo:
            self._memo[key] = self._jump_share_uncached(partner, before, after, chapters, rate)
        return self._memo[key]

    def _jump_share_uncached(self, partner, before, after, chapters, rate) -> float:
        m = self.chapter_imports(partner)
        base = float(m[list(chapters)].sum())
        if partner in self.tracker.index:
            jump = float(self.tracker.loc[partner, after] - self.tracker.loc[partner, before])
            covered = jump / rate * float(self.tracker_imports[partner])
        else:  # outside the panel: the panel's pooled share
            return self.pooled_share(before, after, chapters, rate)
        return float(np.clip(covered / base, 0.0, 1.0)) if base > 0 else 0.0

    def pooled_share(self, before, after, chapters, rate) -> float:
        """The share pooled over the tracker's partners (for the partners outside it)."""
        key = ("pooled", before, after, tuple(chapters), rate)
        if key not in self._memo:
            self._memo[key] = self._pooled_share(before, after, chapters, rate)
        return self._memo[key]

    def _pooled_share(self, before, after, chapters, rate) -> float:
        jumps = (self.tracker[after] - self.tracker[before]) / rate * self.tracker_imports.reindex(self.tracker.index)
        base = self.m.reindex(self.tracker.index).fillna(0.0)[list(chapters)].sum(axis=1)
        return float(np.clip(jumps.clip(lower=0).sum() / base.sum(), 0.0, 1.0))

    def steel_share(self, partner: str) -> float:
        """c_steel: share of chapters 72+73+76 under Section 232 (tracker jump of 2025-03-12 at 25%)."""
        return self._jump_share(partner, "2025-03-06", "2025-03-12", STEEL_CHAPTERS, 25.0)

    def auto_share(self, partner: str) -> float:
        """c_auto: share of chapter 87 under Section 232 (tracker jump of 2025-04-03 at 25%)."""
        return self._jump_share(partner, "2025-03-12", "2025-04-03", AUTO_CHAPTERS, 25.0)

    def cover(self, carve_out: bool, s_e: float) -> pd.Series:
        """Share of each chapter the reciprocal / broad IEEPA layer reaches."""
        c = pd.Series(1.0, index=self.m.columns)
        c[list(RECIPROCAL_EXEMPT)] = 0.0
        if carve_out:
            c[list(CARVE_OUT_CHAPTERS)] = 1.0 - s_e
        return c

    @cached_property
    def carve_out_share(self) -> float:
        """s_e: share of chapters 84 and 85 in the electronics carve-out, calibrated so that China's
        reciprocal coverage after the carve-out equals the tracker's after Geneva (2025-05-12)."""
        m = self.chapter_imports("CHN")
        total = float(self.tracker_imports["CHN"])
        l232 = self._layer_232("CHN", steel=25.0, autos=25.0)
        coverage_post = (float(self.tracker.loc["CHN", "2025-05-12"]) - 20.0 - float((m * l232).sum()) / total) / 10.0
        coverage_pre = float((m * self.cover(False, 0.0)).sum()) / total
        return float((coverage_pre - coverage_post) * total / m[list(CARVE_OUT_CHAPTERS)].sum())

    def _layer_232(self, partner: str, steel: float, autos: float) -> pd.Series:
        layer = pd.Series(0.0, index=self.m.columns)
        layer[list(STEEL_CHAPTERS)] = steel * self.steel_share(partner)
        layer[list(AUTO_CHAPTERS)] = autos * self.auto_share(partner)
        return layer

    # ---------------------------------------------------------------- chapter level
    @cached_property
    def later_232_pp(self) -> float:
        """The tracker's jump on China from 2025-06-03 to 2025-08-07 (pp of all imports from China):
        China's reciprocal rate did not change then (truce), so it is the Section 232 expansions
        (copper 50 % from Aug 1; steel and aluminium derivatives)."""
        return float(self.tracker.loc["CHN", "2025-08-07"] - self.tracker.loc["CHN", "2025-06-03"])

    def us_china_chapters(self, state: USChina) -> pd.Series:
        """Increase (pp) of the US tariff on China by HS2 chapter."""
        cover = self.cover(state.carve_out, self.carve_out_share)
        out = state.fentanyl + state.reciprocal * cover + self._layer_232("CHN", state.steel, state.autos)
        if state.later_232:
            m = self.chapter_imports("CHN")
            chapters = list(LATER_232_CHAPTERS)
            out[chapters] += self.later_232_pp * float(self.tracker_imports["CHN"]) / float(m[chapters].sum())
        return out

    @cached_property
    def _partner_arrays(self):
        """Partners other than China and the US as arrays: imports [P, H], weights, 232 shares."""
        partners = [p for p in self.m.index if p not in ("CHN", "USA")]
        m = self.m.loc[partners].to_numpy(float)
        weight = np.array([float(self.imports_all.get(p, 0.0)) for p in partners])
        weight = np.where(weight > 0, weight, m.sum(axis=1))
        c_steel = np.array([self.steel_share(p) for p in partners])
        c_auto = np.array([self.auto_share(p) for p in partners])
        chapters = list(self.m.columns)
        is_steel = np.isin(chapters, STEEL_CHAPTERS).astype(float)
        is_auto = np.isin(chapters, AUTO_CHAPTERS).astype(float)
        return partners, m, weight, c_steel, c_auto, is_steel, is_auto

    def _partner_layers(self, date: str) -> tuple[np.ndarray, np.ndarray]:
        """The Section 232 layers (pp) [P, H] on every partner but China at a tracker date, and
        the reciprocal layer's chapter coverage cover(h) [H] then."""
        partners, _, _, c_steel, c_auto, is_steel, is_auto = self._partner_arrays
        steel = np.where(
            date < "2025-03-12",
            0.0,
            np.where((date >= "2025-06-03") & (np.array(partners) != "GBR"), 50.0, 25.0),
        )
        autos = 0.0 if date < "2025-04-03" else 25.0
        l232 = (steel * c_steel)[:, None] * is_steel + (autos * c_auto)[:, None] * is_auto
        return l232, self.cover(date >= "2025-04-11", self.carve_out_share).to_numpy(float)

    def _partner_increases(self, date: str) -> np.ndarray:
        """Increase (pp) [P, H] of the US tariff on every partner but China at a tracker date."""
        key = ("partners", date)
        if key in self._memo:
            return self._memo[key]
        partners, m, weight, *_ = self._partner_arrays
        total = np.array([self.tracker_increase(p, date) for p in partners])
        l232, cover = self._partner_layers(date)
        rest = 1.0 - cover
        need = total * weight - (m * l232).sum(axis=1)
        reach, m_rest, m_232 = m @ cover, m @ rest, (m * l232).sum(axis=1)
        safe = lambda a: np.where(a > 0, a, 1.0)
        broad = need / safe(reach)
        spill = (need - BROAD_CAP * reach) / safe(m_rest)
        capped = (broad > BROAD_CAP) & (m_rest > 0)
        spread = (
            l232 + np.where(capped, BROAD_CAP, broad)[:, None] * cover + np.where(capped, spill, 0.0)[:, None] * rest
        )
        # where the 232 layers alone exceed the tracker's total (deals capping autos): scale them down
        scaled = l232 * (np.maximum(total * weight, 0.0) / safe(m_232) * (m_232 > 0))[:, None]
        out = np.where(((need >= 0) & (reach > 0))[:, None], spread, scaled)
        self._memo[key] = out
        return out

    def us_partner_chapters(self, partner: str, date: str | None) -> pd.Series:
        """Increase (pp) of the US tariff on `partner` (not China) by chapter at a tracker date.

        The partner's total is the tracker's increase T (or the residual for partners outside
        it); 232 layers on their chapters, the broad IEEPA layer B x cover(h) on the rest, B
        solved so that the 2024-import-weighted mean is T; B is capped at `BROAD_CAP` with the
        rest spread over the uncovered parts of the chapters (the tracker, at HS10, reaches more
        than our chapter rules there); where the 232 layers alone exceed T, they are scaled to T.
        """
        if date is None:
            return pd.Series(0.0, index=self.m.columns)
        partners = self._partner_arrays[0]
        return pd.Series(self._partner_increases(date)[partners.index(partner)], index=self.m.columns)

    # ---------------------------------------------------------------- sector level
    def to_sectors(self, chapters: pd.Series, weights: pd.Series) -> pd.Series:
        """Chapters -> world2022 goods sectors, weighted by `weights`; ELEQ takes chapter 85."""
        sector = self.hs2_sector.reindex(chapters.index)
        w = weights.reindex(chapters.index).fillna(0.0)
        num = (chapters * w).groupby(sector).sum()
        den = w.groupby(sector).sum()
        flat = chapters.groupby(sector).mean()  # where a region has no imports in a sector
        out = (num / den.where(den > 0)).fillna(flat)
        out["ELEQ"] = float(chapters["85"])
        return out.reindex(list(GOODS)).fillna(0.0)

    def us_on_china_pp(self, state: USChina) -> pd.Series:
        return self.to_sectors(self.us_china_chapters(state), self.chapter_imports("CHN"))

    def reciprocal_rates(self, which: str) -> pd.Series:
        """The country rates (percent) of a reciprocal-rates file by census partner code:
        ``which`` is "april" (EO 14257 Annex I of 2025-04-02) or "august" (the rates of
        2025-08-07, the deals' rates), `RECIPROCAL_FILES`."""
        name, column = RECIPROCAL_FILES[which]
        table = pd.read_csv(self.root / "us_tariffs_2025" / name)
        return table.set_index("partner_iso3")[column].astype(float)

    def us_on_partners_pp(self, date: str | None, rates: dict[str, float] | None = None) -> pd.DataFrame:
        """Increase (pp) of the US tariff on every region except China and the US, by sector.

        ``rates`` (census partner code -> percent) replaces the tracker's total for those
        partners by a reciprocal rate read from a rates file: increase(h) = rate x cover(h) +
        the Section 232 layers of the date (the same coverage rules as every other partner's
        broad layer); a partner inside an aggregate region (Cambodia in ASEAN_OTH) enters it
        weighted by its 2024 US imports by chapter, as every partner does."""
        key = (date, tuple(sorted((rates or {}).items())))
        if key not in self._partners_cache:
            self._partners_cache[key] = self._us_on_partners_pp(date, rates or {})
        return self._partners_cache[key].copy()

    def _us_on_partners_pp(self, date: str | None, rates: dict[str, float]) -> pd.DataFrame:
        partners, m, *_ = self._partner_arrays
        increases = np.zeros_like(m) if date is None else self._partner_increases(date).copy()
        if rates:
            if date is None:
                raise InputError("rates: a reciprocal rate needs a tracker date", field="rates")
            l232, cover = self._partner_layers(date)
            for partner, rate in rates.items():
                k = partners.index(partner)
                increases[k] = rate * cover + l232[k]
        regions = np.array([region_of(p) for p in partners])
        rows = {}
        for region in dict.fromkeys(regions):
            rows_r = regions == region
            den = m[rows_r].sum(axis=0)
            num = (m[rows_r] * increases[rows_r]).sum(axis=0)
            chapters = pd.Series(np.divide(num, den, out=np.zeros_like(num), where=den > 0), index=self.m.columns)
            rows[region] = self.to_sectors(chapters, pd.Series(den, index=self.m.columns))
        return pd.DataFrame(rows).T.reindex([r for r in REGIONS if r not in ("USA", "CHN")])

    def china_lists(self) -> pd.DataFrame:
        """China's product lists on US goods by HS8 with their 2017 import weights."""
        w = self.china_weights.copy()
        w["hs2"] = w.hs8.str[:2]
        w["value"] = w.china_imports_from_us_2017_kusd.astype(float)
        feb = {
            "2701": 15.0,
            "271111": 15.0,
            "2709": 10.0,
            "8432": 10.0,
            "8433": 10.0,
            "870324": 10.0,
            "870333": 10.0,
            "870421": 10.0,
            "870431": 10.0,
        }
        w["feb"] = 0.0
        for prefix, rate in feb.items():
            w.loc[w.hs8.str.startswith(prefix), "feb"] = rate
        mar = self.retaliation.set_index("hs6").china_additional_tariff_pct
        w["mar"] = w.hs8.str[:6].map(mar).fillna(0.0)
        return w

    def china_on_us_pp(self, state: ChinaUS) -> pd.Series:
        """Increase (pp) of China's tariff on US goods by sector."""
        w = self.china_lists()
        rate = state.headline + (w.feb if state.feb_list else 0.0) + (w.mar if state.mar_list else 0.0)
        chapters = (rate * w.value).groupby(w.hs2).sum() / w.value.groupby(w.hs2).sum()
        chapters = chapters.fillna(state.headline)
        weights = w.value.groupby(w.hs2).sum()
        chapters = chapters[chapters.index.isin(self.hs2_sector.index)]
        return self.to_sectors(chapters, weights)

    # ---------------------------------------------------------------- checks
    def tracker_check_china(self, state: USChina) -> float:
        """Our US-on-China increase averaged with 2024 weights (all chapters), for the tracker."""
        m = self.chapter_imports("CHN")
        return float((self.us_china_chapters(state) * m).sum()) / float(self.tracker_imports["CHN"])


def step_increases(src: Sources, step: Step, rates: dict[str, float] | None = None) -> dict[tuple[str, str], pd.Series]:
    """All tariff increases (pp) of a step: {(importer, exporter): Series by goods sector};
    ``rates``: reciprocal rates replacing the tracker's totals for some partners
    (`Sources.us_on_partners_pp`)."""
    out = {
        ("USA", "CHN"): src.us_on_china_pp(step.us_china),
        ("CHN", "USA"): src.china_on_us_pp(step.china_us),
    }
    partners = src.us_on_partners_pp(step.tracker_date, rates)
    for region, row in partners.iterrows():
        out[("USA", region)] = row
    return out


def levels_pct(baseline, increases: dict[tuple[str, str], pd.Series]) -> np.ndarray:
    """Tariff levels (percent) [importer, exporter, sector] = 100 x baseline + increases."""
    levels = 100.0 * np.asarray(baseline.tariffs, dtype=float).copy()
    for (n, i), series in increases.items():
        a, b = baseline.region_index(n, "importer"), baseline.region_index(i, "exporter")
        for sector, pp in series.items():
            levels[a, b, baseline.sector_index(sector, "sector")] += pp
    return levels
