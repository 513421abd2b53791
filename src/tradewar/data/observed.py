"""Observed US goods imports and duties by partner and month (2024-01 to 2025-08, bundled).

The bundled table ``tradewar/datasets/observed/us_imports_by_partner_monthly.csv`` is a copy
of ``../shared/data/observed`` made by ``scripts/build_observed.py`` (source: the Trade War
Tracker's TRI-tracker data, MIT licence, built from the US Census Bureau's imports for
consumption and calculated duties; see its PROVENANCE.md). `load_observed(DIR)` reads a newer
file of the same layout (for example with months after August 2025) from a folder instead.

Layout, one row per (month, partner):

    month                           YYYY-MM
    partner_iso3                    ISO3 code; ALL = the tracker's all-country total (required each month)
    partner_name_census             Census name (text)
    us_imports_usd                  imports for consumption in the month, USD (> 0)
    us_duties_usd                   calculated duties collected in the month, USD (>= 0)
    collected_tariff_pct            100 x duties / imports
    statutory_tariff_pct_month_end  announced rate at the month's last day, 2024 import weights

Partners are mapped to world2022's regions by the bundled ``partner_regions.csv``
(``partner_iso3,region``, written by ``scripts/build_observed.py`` from the 2025 timeline's
region lists, ``scripts/timeline_2025.toml``): a country that is a region is itself, EU members
are summed into EU27, Singapore, the Philippines and the other small ASEAN members into
ASEAN_OTH; a code not in the table is in ROW. `coverage` states what each region holds and
what is left out: the countries outside the file, and, for EU27, ASEAN_OTH and ROW, their
members that are not in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.errors import InputError

FILE = "us_imports_by_partner_monthly.csv"
REGIONS_FILE = "partner_regions.csv"
#: The region of a partner code that `partner_regions.csv` does not list.
OTHER_REGION = "ROW"
COLUMNS = (
    "month",
    "partner_iso3",
    "partner_name_census",
    "us_imports_usd",
    "us_duties_usd",
    "collected_tariff_pct",
    "statutory_tariff_pct_month_end",
)
ALL = "ALL"
#: Largest gap allowed between collected_tariff_pct and 100 x duties / imports (points): the
#: file rounds the rate to 4 decimals and derives imports from it, so the two agree to ~1e-4.
RATE_CHECK_PP = 0.01
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def bundled_path():
    """The bundled folder (importlib.resources Traversable)."""
    return resources.files("tradewar").joinpath("datasets", "observed")


@lru_cache(maxsize=1)
def partner_regions() -> dict[str, str]:
    """{ISO3 code: world2022 region} of the bundled partner_regions.csv (codes not listed: ROW)."""
    with bundled_path().joinpath(REGIONS_FILE).open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return dict(zip(table.partner_iso3, table.region, strict=True))


def region_of(iso3: str) -> str:
    """The world2022 region of a partner's ISO3 code (EU members -> EU27, ...; else ROW)."""
    return partner_regions().get(iso3, OTHER_REGION)


def members(region: str) -> list[str]:
    """The ISO3 codes partner_regions.csv puts in `region` (empty for ROW, the remainder)."""
    return sorted(code for code, r in partner_regions().items() if r == region)


def _fail(label: str, row: int | None, column: str, value, fix: str):
    where = f"row {row}, " if row is not None else ""
    raise InputError(f"{label}: {where}column {column}: {value!r} {fix}", field=column)


def validate_table(df: pd.DataFrame, label: str) -> pd.DataFrame:
    """Check the layout and values; return the table with numeric columns as floats.

    Errors are one line: file, row (as in the file, header = row 1), column, value, fix."""
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            f"{label}: missing column {missing[0]!r}; the header must have {', '.join(COLUMNS)}",
            field=missing[0],
        )
    if df.empty:
        raise InputError(f"{label}: no rows; the file needs one row per month and partner", field="month")
    for c in ("month", "partner_iso3", "partner_name_census"):
        df[c] = df[c].astype(str).str.strip()
    bad = ~df.month.str.match(_MONTH)
    if bad.any():
        k = int(np.argmax(bad.to_numpy()))
        _fail(label, k + 2, "month", df.month.iloc[k], "is not a month; write YYYY-MM (e.g. 2025-08)")
    bad = ~df.partner_iso3.str.fullmatch(r"[A-Z]{3}")
    if bad.any():
        k = int(np.argmax(bad.to_numpy()))
        _fail(label, k + 2, "partner_iso3", df.partner_iso3.iloc[k], "is not an ISO3 code; use e.g. CHN, or ALL")
    for c in COLUMNS[3:]:
        values = pd.to_numeric(df[c], errors="coerce")
        bad = ~np.isfinite(values.to_numpy(float))
        if bad.any():
            k = int(np.argmax(bad))
            _fail(label, k + 2, c, df[c].iloc[k], "is not a finite number")
        df[c] = values.astype(float)
    for c, test, fix in (
        ("us_imports_usd", df.us_imports_usd <= 0, "must be above 0 (USD)"),
        ("us_duties_usd", df.us_duties_usd < 0, "must be 0 or more (USD)"),
    ):
        if test.any():
            k = int(np.argmax(test.to_numpy()))
            _fail(label, k + 2, c, df[c].iloc[k], fix)
    gap = (100 * df.us_duties_usd / df.us_imports_usd - df.collected_tariff_pct).abs()
    if (gap > RATE_CHECK_PP).any():
        k = int(np.argmax((gap > RATE_CHECK_PP).to_numpy()))
        _fail(
            label,
            k + 2,
            "collected_tariff_pct",
            df.collected_tariff_pct.iloc[k],
            f"differs from 100 x duties / imports = {100 * df.us_duties_usd.iloc[k] / df.us_imports_usd.iloc[k]:.4f}; "
            "fix the duties, the imports or the rate",
        )
    dup = df.duplicated(["month", "partner_iso3"])
    if dup.any():
        k = int(np.argmax(dup.to_numpy()))
        _fail(
            label,
            k + 2,
            "partner_iso3",
            df.partner_iso3.iloc[k],
            f"appears twice in {df.month.iloc[k]}; keep one row per month and partner",
        )
    no_all = sorted(set(df.month) - set(df.month[df.partner_iso3 == ALL]))
    if no_all:
        _fail(label, None, "partner_iso3", no_all[0], f"month has no {ALL} row; add the all-country total")
    return df.sort_values(["month", "partner_iso3"]).reset_index(drop=True)


def load_observed(path: str | Path | None = None) -> Observed:
    """The bundled observed table, or the one in folder `path` (same layout, same file name)."""
    if path is None:
        root, label = bundled_path(), f"observed/{FILE}"
    else:
        root = Path(path)
        if not root.is_dir():
            raise InputError(f"--observed: {root} is not a folder; pass the folder that holds {FILE}", field="observed")
        label = str(root / FILE)
    target = root.joinpath(FILE)
    if not target.is_file():
        raise InputError(
            f"--observed: no {FILE} in {root}; the folder must hold it (layout: tradewar.data.observed)",
            field="observed",
        )
    try:
        with target.open("r", encoding="utf-8") as fh:
            raw = pd.read_csv(fh, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        msg = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        raise InputError(f"{label}: not a readable CSV file ({msg})", field="observed") from None
    return Observed(validate_table(raw, label), label)


@dataclass(frozen=True, eq=False)
class Observed:
    """The validated table and region-level aggregates for one dataset's regions."""

    table: pd.DataFrame
    source: str
    #: Partners that are regions of the dataset themselves (world2022-full's economies): each is
    #: compared on its own instead of inside its world2022 region (`for_regions`).
    own: frozenset = frozenset()

    def for_regions(self, regions) -> Observed:
        """The same table, with every partner that is one of `regions` its own region (on
        world2022-full every partner in the ICIO is compared on its own); others as `region_of`."""
        partners = set(self.table.partner_iso3) - {ALL}
        return replace(self, own=frozenset(partners & set(regions)))

    def region_of(self, iso3: str) -> str:
        """The region a partner is compared in: itself where it is one of the dataset's regions
        (`for_regions`), else its world2022 region (`region_of`)."""
        return iso3 if iso3 in self.own else region_of(iso3)

    @property
    def months(self) -> list[str]:
        return sorted(self.table.month.unique())

    @cached_property
    def regions(self) -> pd.DataFrame:
        """Imports and duties summed by (month, region), with the collected rate (percent,
        duties over imports of the members in the file) and the statutory rate (the members'
        rates weighted by their imports in the same month of 2024, or of the month itself
        when 2024 is absent). Index (month, region); columns imports, duties, collected_pct,
        statutory_pct, members."""
        t = self.table[self.table.partner_iso3 != ALL].copy()
        t["region"] = t.partner_iso3.map(self.region_of)
        t["weight"] = [self._weight_year_earlier(m, p, v) for m, p, v in zip(t.month, t.partner_iso3, t.us_imports_usd)]
        t["stat_x_w"] = t.statutory_tariff_pct_month_end * t.weight
        g = t.groupby(["month", "region"])
        out = pd.DataFrame(
            {
                "imports": g.us_imports_usd.sum(),
                "duties": g.us_duties_usd.sum(),
                "statutory_pct": g.stat_x_w.sum() / g.weight.sum(),
                "members": g.partner_iso3.agg(lambda s: " ".join(sorted(s))),
            }
        )
        out["collected_pct"] = 100 * out.duties / out.imports
        return out

    def _weight_year_earlier(self, month: str, partner: str, fallback: float) -> float:
        base = self._imports.get((year_earlier(month), partner))
        return fallback if base is None else base

    @cached_property
    def _imports(self) -> dict:
        return dict(zip(zip(self.table.month, self.table.partner_iso3), self.table.us_imports_usd))

    def total(self, month: str) -> dict:
        """The ALL row of a month: imports, duties, collected_pct, statutory_pct."""
        row = self.table[(self.table.month == month) & (self.table.partner_iso3 == ALL)].iloc[0]
        return {
            "imports": float(row.us_imports_usd),
            "duties": float(row.us_duties_usd),
            "collected_pct": float(row.collected_tariff_pct),
            "statutory_pct": float(row.statutory_tariff_pct_month_end),
        }

    def region_rows(self, month: str) -> pd.DataFrame:
        """Region-level rows of one month (empty if the month is not in the file)."""
        r = self.regions
        return r.xs(month, level="month") if month in r.index.get_level_values("month") else r.iloc[:0]

    def coverage(self, regions: tuple[str, ...]) -> dict:
        """What is compared and what is left out, for a dataset's `regions`.

        Returns {"regions": {region: members in the file}, "left_out": one-line statements}."""
        partners = sorted(set(self.table.partner_iso3) - {ALL})
        by_region: dict[str, list[str]] = {}
        for p in partners:
            by_region.setdefault(self.region_of(p), []).append(p)
        left_out = []
        outside = [r for r in by_region if r not in regions]
        if outside:
            left_out.append(f"partners mapped to regions the dataset does not have: {', '.join(outside)}")
        t = self.table
        all_imports = t[t.partner_iso3 == ALL].us_imports_usd.sum()
        in_file = t[t.partner_iso3 != ALL].us_imports_usd.sum()
        share = 100 * in_file / all_imports
        left_out.append(
            f"countries outside the file's {len(partners)} partners are left out: its {ALL} row is "
            + ("their sum" if abs(share - 100) < 0.05 else f"{share:.1f}% covered by them")
            + " (the source's README: 2,848 bn USD in 2024 against Census's 3,270 bn headline); shares are over "
            "the mapped partners' sum"
        )
        for group in ("EU27", "ASEAN_OTH"):
            absent = [m for m in members(group) if m not in partners]
            if group in by_region and absent:
                left_out.append(
                    f"{group} holds {len(by_region[group])} of its {len(members(group))} members "
                    f"({' '.join(by_region[group])}); not in the file: {' '.join(absent)}"
                )
        if "ROW" in by_region:
            left_out.append(
                f"ROW holds {' '.join(by_region['ROW'])} only (Hong Kong and the other rest-of-world "
                "economies are not in the file)"
            )
        missing = [r for r in regions if r != "USA" and r not in by_region]
        if missing:
            left_out.append(f"regions with no partner in the file (not compared): {', '.join(missing)}")
        return {"regions": {r: by_region[r] for r in regions if r in by_region}, "left_out": left_out}


def year_earlier(month: str) -> str:
    """The same calendar month one year earlier (the month `month` is compared with)."""
    year, mon = month.split("-")
    return f"{int(year) - 1:04d}-{mon}"
