"""Bundle the observed US imports by partner and month (../shared/data/observed) into the package.

    python scripts/build_observed.py            # writes src/tradewar/datasets/observed/
    python scripts/build_observed.py --check    # exit 1 if the bundled copy is out of date

The table is validated with `tradewar.data.observed.validate_table` and written unchanged in
content (same rows and columns, sorted by month and partner) with a PROVENANCE.md that carries
the source, its MIT licence notice and a build log computed from the rows, and with
partner_regions.csv, the partner -> world2022 region table (from scripts/timeline.py).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pandas as pd
import timeline as tl  # scripts/timeline.py, beside this script

from tradewar.data.files import write_atomic
from tradewar.data.observed import ALL, COLUMNS, FILE, REGIONS_FILE, validate_table

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "tradewar" / "datasets" / "observed"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "observed"

LICENCE = """MIT License

Copyright (c) 2025 tradewartracker

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""


def build(source: Path) -> dict[str, str]:
    """The texts of the bundled CSV and PROVENANCE.md."""
    path = source / FILE
    if not path.is_file():
        raise SystemExit(f"error: {path} not found; pass --data DIR (the folder of {FILE})")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    table = validate_table(raw, str(path))
    csv = io.StringIO()
    raw = raw.loc[:, list(COLUMNS)]
    order = raw.assign(_m=raw.month.str.strip(), _p=raw.partner_iso3.str.strip()).sort_values(["_m", "_p"])
    order.drop(columns=["_m", "_p"]).to_csv(csv, index=False, lineterminator="\n")
    months = sorted(table.month.unique())
    partners = sorted(set(table.partner_iso3) - {ALL})
    y24 = table[table.month.str.startswith("2024")]
    total = lambda codes: y24[y24.partner_iso3.isin(codes)].us_imports_usd.sum() / 1e9
    log = [
        f"- rows {len(table)}; months {months[0]} to {months[-1]} ({len(months)}); partners {len(partners)} + {ALL}: "
        + " ".join(partners),
        (
            f"- 2024 imports, bn USD: {ALL} {total([ALL]):,.1f}; the {len(partners)} partners {total(partners):,.1f} "
            f"({100 * total(partners) / total([ALL]):.1f}% of {ALL}); China {total(['CHN']):,.1f}, Mexico "
            f"{total(['MEX']):,.1f}, Canada {total(['CAN']):,.1f}"
        ),
        (
            f"- largest gap |100 x duties / imports - collected_tariff_pct|: "
            f"{(100 * table.us_duties_usd / table.us_imports_usd - table.collected_tariff_pct).abs().max():.2e} points"
        ),
    ]
    provenance = f"""# observed: US goods imports and duties by partner and month, 2024-01 to 2025-08

Built by `python scripts/build_observed.py` from `../shared/data/observed/{FILE}` (validated by
`tradewar.data.observed.validate_table`, rows sorted by month and partner, values unchanged).
Read by `tradewar.data.observed.load_observed` and `tradewar backtest`; a newer file of the same
layout is read with `--observed DIR`. `{REGIONS_FILE}` maps partner codes to world2022's regions
(from the region lists of `scripts/timeline_2025.toml`; codes not listed are ROW).

## Source
GitHub repository **tradewartracker/TRI-tracker** (the data behind the Trade War Tracker's
tariff-restrictiveness tracker, by Mike Waugh), file `data/tri-all-country-data.parquet`,
commit 0545032 ("pushing november data"), **MIT licence** (copyright 2025 tradewartracker,
notice below). The tracker builds it from the US Census Bureau international-trade API
(imports for consumption and calculated duties at HS10, by country and month). The monthly
Census figures (duties / imports, duties) are constant within a month and were taken once per
month; imports = duties / collected rate; the statutory rate is the month's last daily value
(2024 import weights).

## Caveats (from the source folder's README)
- `{ALL}` covers less than Census's headline total (2,848 vs 3,270 bn USD in 2024); tradewar
  computes partner shares over the mapped partners' sum, never over `{ALL}`.
- Year-on-year changes mix tariff effects with demand growth, front-loading before tariff
  dates (January-March 2025), the AI-equipment import boom (Taiwan, Mexico, Vietnam) and gold
  flows (Switzerland).
- Months after August 2025 are kept out on purpose (an out-of-sample test for later months).

## Build log
{chr(10).join(log)}

## Licence of the data

{LICENCE}
"""
    return {FILE: csv.getvalue(), REGIONS_FILE: partner_regions(), "PROVENANCE.md": provenance}


def partner_regions() -> str:
    """partner_iso3,region: the countries that are world2022 regions, the EU and other-ASEAN
    members (scripts/timeline_2025.toml), by `timeline.region_of`; other codes are ROW."""
    codes = [r for r in tl.REGIONS if r not in ("USA", "EU27", "ASEAN_OTH", "ROW")]
    codes += list(tl.EU27_MEMBERS) + list(tl.ASEAN_OTH)
    rows = "".join(f"{c},{tl.region_of(c)}\n" for c in sorted(codes))
    return "partner_iso3,region\n" + rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_SOURCE,
        help="the observed/ folder (default ../shared/data/observed)",
    )
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is out of date")
    args = ap.parse_args(argv)
    files = build(args.data)
    stale = []
    for name, text in files.items():
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            write_atomic(path, text)
            path.chmod(0o644)
            print(f"wrote {path.relative_to(ROOT)} ({len(text):,} bytes)")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/build_observed.py", file=sys.stderr)
        return 1
    print(files["PROVENANCE.md"].split("## Build log\n", 1)[1].split("\n## ", 1)[0].strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
