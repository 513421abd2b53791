"""The bundled `world2022` dataset and the CSV layout every tradewar data set folder uses.

`load_world2022()` reads the compact tables in ``tradewar/datasets/world2022`` (built from the
OECD ICIO 2022 by ``scripts/build_world2022.py``; sources, assumptions and every balancing step
in its ``PROVENANCE.md``): 18 regions x 16 sectors, USD million, 2022, calibrated so that the
flows are an equilibrium of the Caliendo-Parro model at the factual tariffs.

The folder layout (documented in ``docs/data-layout.md``), axis order as in
`tradewar.data.baseline` ([importer, exporter, sector]):

    regions.csv        code[, name]
    sectors.csv        code[, name], theta[, theta_se][, tradable]
    trade.csv          importer, exporter, sector, value     (net of tariffs, domestic on the diagonal;
                                                              missing rows are 0)
    tariffs.csv        importer, exporter, sector, tariff    (decimal; missing rows are 0)
    region_sector.csv  region, sector, va_share, final_share
    io_shares.csv      region, input, user, share            (missing rows are 0)

`read_dataset` turns such a folder into a validated `Baseline` and raises a one-line
`InputError` (file, row, column, value, fix) on the first problem; `write_dataset` writes one
atomically.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tradewar.data.aggregate import aggregate, read_mappings
from tradewar.data.baseline import Baseline
from tradewar.data.files import read_csv_rows, write_atomic
from tradewar.errors import InputError

if TYPE_CHECKING:  # pandas reads and writes the CSV layout; loading the bundled data does without it
    import pandas as pd

NAME = "world2022"
#: Files of the layout, their required and optional columns.
LAYOUT = {
    "regions.csv": (["code"], ["name"]),
    "sectors.csv": (["code", "theta"], ["name", "theta_se", "tradable"]),
    "trade.csv": (["importer", "exporter", "sector", "value"], []),
    "tariffs.csv": (["importer", "exporter", "sector", "tariff"], ["source"]),
    "region_sector.csv": (["region", "sector", "va_share", "final_share"], []),
    "io_shares.csv": (["region", "input", "user", "share"], []),
}
#: One-line provenance of the bundled data set (details: datasets/world2022/PROVENANCE.md).
SUMMARY = (
    "world2022: OECD ICIO 2025 ed., year 2022, 18 regions x 16 sectors, USD million; final demand derived, "
    "US/China goods pairs balanced to BACI 2023, tariffs from US 2024 duties and China's 2019 rates; "
    "calibrated to a Caliendo-Parro equilibrium (see tradewar/datasets/world2022/PROVENANCE.md)"
)
#: Plausibility band of absorption (final expenditure) over value added, see PROVENANCE.md.
ABSORPTION_BAND = (0.75, 1.25)


def bundled_path():
    """The bundled folder as an importlib.resources Traversable."""
    return resources.files("tradewar").joinpath("datasets", NAME)


def provenance_text() -> str:
    return bundled_path().joinpath("PROVENANCE.md").read_text(encoding="utf-8")


def load_world2022(mapping=None) -> Baseline:
    """The bundled world2022 baseline, validated; aggregated first if `mapping` is given.

    `mapping` is a mapping CSV path (``region,new_region`` or ``sector,new_sector``) or a list
    of them (see `tradewar.data.aggregate`).
    """
    baseline = replace(read_dataset(bundled_path(), name=NAME), provenance=SUMMARY)
    if mapping is None:
        return baseline

    region_map, sector_map = read_mappings(mapping, baseline)
    return aggregate(baseline, region_map, sector_map)


#: Sectors with no HS chapter of their own and the chapter whose tariff they take (PROVENANCE.md).
HS2_PROXY = {"ELEQ": "85"}


def hs2_to_sector() -> dict[str, str]:
    """{two-digit HS chapter '01'..'97': world2022 sector}, from the bundled hs2_to_sector.csv.

    One-to-one; ELEQ has no chapter of its own and takes chapter 85's rate (`HS2_PROXY`).
    """
    header, rows = read_csv_rows(bundled_path().joinpath("hs2_to_sector.csv"))
    hs2, sector = header.index("hs2"), header.index("sector")
    return {row[hs2]: row[sector] for row in rows}


# ------------------------------------------------------------------------------ reading
#: A CSV table of the layout: {column: its cells as a numpy array of stripped strings}.
Table = dict[str, np.ndarray]


def _read_csv(root, fname: str, label: str) -> Table:
    required, optional = LAYOUT[fname]
    path = root.joinpath(fname)
    if not path.is_file():
        raise InputError(
            f"{label}: missing file {fname}; a data set folder needs {', '.join(LAYOUT)} (see docs/data-layout.md)",
            field=fname,
        )
    try:
        header, rows = read_csv_rows(path)
    except ValueError as e:
        raise InputError(f"{label}/{fname}: not a readable CSV file ({e})", field=fname) from None
    for k, row in enumerate(rows):
        if len(row) > len(header):
            raise InputError(
                f"{label}/{fname}: not a readable CSV file (row {k + 2} has {len(row)} fields, the header "
                f"{len(header)})",
                field=fname,
            )
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"{label}/{fname}: missing column {missing[0]!r}; the header must have {', '.join(required)}"
            + (f" (optional: {', '.join(optional)})" if optional else ""),
            field=fname,
        )
    cells = np.array([row + [""] * (len(header) - len(row)) for row in rows], dtype=str).reshape(len(rows), len(header))
    return {c: cells[:, k] for k, c in enumerate(header)}


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return np.nan


def _numbers(df: Table, col: str, fname: str, label: str, *, allow_empty: bool = False) -> np.ndarray:
    raw = df[col]
    values = np.array([_number(x) for x in raw], dtype=float)
    bad = ~np.isfinite(values) & ~((raw == "") & allow_empty)
    if bad.any():
        k = int(np.nonzero(bad)[0][0])
        raise InputError(
            f"{label}/{fname}: row {k + 2}, column {col}: {str(raw[k])!r} is not a finite number", field=fname
        )
    return values


def _codes(df: Table, col: str, known: dict, fname: str, label: str, kind: str) -> np.ndarray:
    unknown = [k for k, code in enumerate(df[col]) if code not in known]
    if unknown:
        raise InputError(
            f"{label}/{fname}: row {unknown[0] + 2}, column {col}: unknown {kind} code {str(df[col][unknown[0]])!r}; "
            f"codes must be listed in {kind}s.csv",
            field=fname,
        )
    return np.array([known[code] for code in df[col]], dtype=int)


def _fill(shape, keys: list[np.ndarray], values: np.ndarray, df: Table, cols, fname, label):
    arr = np.zeros(shape)
    flat = np.ravel_multi_index(tuple(keys), shape)
    uniq, counts = np.unique(flat, return_counts=True)
    if (counts > 1).any():
        k = int(np.nonzero(flat == uniq[counts > 1][0])[0][1])
        where = ", ".join(f"{c}={df[c][k]}" for c in cols)
        raise InputError(f"{label}/{fname}: row {k + 2} repeats {where}; each combination may appear once", field=fname)
    arr[tuple(keys)] = values
    return arr


def read_dataset(root, name: str | None = None) -> Baseline:
    """Read a data set folder in the documented layout and return the validated `Baseline`."""
    if isinstance(root, (str, Path)):
        root = Path(root)
        if not root.is_dir():
            raise InputError(
                f"data set: {root} is not a folder; pass the folder that holds {', '.join(LAYOUT)}", field="path"
            )
    label = name or str(root)
    regions = _read_csv(root, "regions.csv", label)
    sectors = _read_csv(root, "sectors.csv", label)
    for df, fname in ((regions, "regions.csv"), (sectors, "sectors.csv")):
        codes = [str(c) for c in df["code"]]
        if not codes:
            raise InputError(f"{label}/{fname}: no rows; list at least one code", field=fname)
        dup = next((c for k, c in enumerate(codes) if c in codes[:k]), None)
        if dup is not None:
            raise InputError(f"{label}/{fname}: code {dup!r} appears twice; codes must be unique", field=fname)
        if "" in codes:
            raise InputError(f"{label}/{fname}: row {codes.index('') + 2} has an empty code", field=fname)
    rix = {c: k for k, c in enumerate(regions["code"])}
    six = {c: k for k, c in enumerate(sectors["code"])}
    n, j = len(rix), len(six)
    theta = _numbers(sectors, "theta", "sectors.csv", label)
    extras: dict = {}
    if "theta_se" in sectors:
        extras["theta_se"] = _numbers(sectors, "theta_se", "sectors.csv", label, allow_empty=True)
    tradable = None
    if "tradable" in sectors:
        tradable = _numbers(sectors, "tradable", "sectors.csv", label) != 0

    def bilateral(fname, col):
        df = _read_csv(root, fname, label)
        keys = [
            _codes(df, "importer", rix, fname, label, "region"),
            _codes(df, "exporter", rix, fname, label, "region"),
            _codes(df, "sector", six, fname, label, "sector"),
        ]
        return _fill(
            (n, n, j), keys, _numbers(df, col, fname, label), df, ["importer", "exporter", "sector"], fname, label
        )

    trade = bilateral("trade.csv", "value")
    tariffs = bilateral("tariffs.csv", "tariff")
    rs = _read_csv(root, "region_sector.csv", label)
    keys = [
        _codes(rs, "region", rix, "region_sector.csv", label, "region"),
        _codes(rs, "sector", six, "region_sector.csv", label, "sector"),
    ]
    cols = ["region", "sector"]
    va_share = _fill(
        (n, j), keys, _numbers(rs, "va_share", "region_sector.csv", label), rs, cols, "region_sector.csv", label
    )
    final_share = _fill(
        (n, j), keys, _numbers(rs, "final_share", "region_sector.csv", label), rs, cols, "region_sector.csv", label
    )
    if len(rs["region"]) != n * j:
        have = set(zip(keys[0], keys[1]))
        r, s = next((r, s) for r in range(n) for s in range(j) if (r, s) not in have)
        raise InputError(
            f"{label}/region_sector.csv: no row for region {regions['code'][r]}, sector {sectors['code'][s]}; "
            "every region x sector needs va_share and final_share",
            field="region_sector.csv",
        )
    io_df = _read_csv(root, "io_shares.csv", label)
    keys = [
        _codes(io_df, "region", rix, "io_shares.csv", label, "region"),
        _codes(io_df, "input", six, "io_shares.csv", label, "sector"),
        _codes(io_df, "user", six, "io_shares.csv", label, "sector"),
    ]
    io_share = _fill(
        (n, j, j),
        keys,
        _numbers(io_df, "share", "io_shares.csv", label),
        io_df,
        ["region", "input", "user"],
        "io_shares.csv",
        label,
    )
    provenance = ""
    prov = root.joinpath("PROVENANCE.md")
    if prov.is_file():
        provenance = prov.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
    baseline = Baseline(
        name=name or Path(str(root)).name,
        regions=tuple(str(c) for c in regions["code"]),
        region_names=tuple(str(c) for c in regions["name"]) if "name" in regions else (),
        sectors=tuple(str(c) for c in sectors["code"]),
        sector_names=tuple(str(c) for c in sectors["name"]) if "name" in sectors else (),
        trade=trade,
        tariffs=tariffs,
        va_share=va_share,
        io_share=io_share,
        final_share=final_share,
        theta=theta,
        tradable=tradable,
        provenance=provenance or f"read from {root}",
        extras=extras,
    )
    return baseline.validate()


# ------------------------------------------------------------------------------ writing
def dataset_tables(baseline: Baseline) -> dict[str, str]:
    """The CSV texts of the layout for `baseline` (zero cells of sparse tables left out)."""
    import pandas as pd

    b = baseline

    def text(df: pd.DataFrame, fmt: str) -> str:
        buf = io.StringIO()
        df.to_csv(buf, index=False, float_format=fmt, lineterminator="\n")
        return buf.getvalue()

    sectors = {"code": b.sectors, "name": b.sector_names, "tradable": b.tradable.astype(int), "theta": b.theta}
    if "theta_se" in b.extras:
        sectors["theta_se"] = b.extras["theta_se"]
    idx3 = pd.MultiIndex.from_product([b.regions, b.regions, b.sectors], names=["importer", "exporter", "sector"])
    trade = pd.DataFrame({"value": b.trade.ravel()}, index=idx3).reset_index()
    tariffs = pd.DataFrame({"tariff": b.tariffs.ravel()}, index=idx3).reset_index()
    idx2 = pd.MultiIndex.from_product([b.regions, b.sectors], names=["region", "sector"])
    rs = pd.DataFrame({"va_share": b.va_share.ravel(), "final_share": b.final_share.ravel()}, index=idx2).reset_index()
    idxio = pd.MultiIndex.from_product([b.regions, b.sectors, b.sectors], names=["region", "input", "user"])
    io_df = pd.DataFrame({"share": b.io_share.ravel()}, index=idxio).reset_index()
    return {
        "regions.csv": text(pd.DataFrame({"code": b.regions, "name": b.region_names}), "%.12g"),
        "sectors.csv": text(pd.DataFrame(sectors), "%.8g"),
        "trade.csv": text(trade[trade.value != 0], "%.12g"),
        "tariffs.csv": text(tariffs[tariffs.tariff != 0], "%.12g"),
        "region_sector.csv": text(rs, "%.12g"),
        "io_shares.csv": text(io_df[io_df.share != 0], "%.12g"),
    }


def write_dataset(baseline: Baseline, out: str | Path, provenance: str | None = None) -> list[Path]:
    """Write `baseline` in the layout into folder `out`, each file atomically.

    Everything is rendered before the first file is written, so an error writes nothing.
    """
    tables = dataset_tables(baseline)
    if provenance is not None:
        tables["PROVENANCE.md"] = provenance
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} exists and is not a folder; choose a folder path", field="out")
    return [write_atomic(out / fname, content) for fname, content in tables.items()]


def list_datasets() -> Iterable[dict]:
    """The bundled data sets: name, size, provenance title."""
    root = resources.files("tradewar").joinpath("datasets")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and entry.joinpath("PROVENANCE.md").is_file():
            files = [f for f in entry.iterdir() if f.is_file()]
            yield {
                "name": entry.name,
                "files": sorted(f.name for f in files),
                "bytes": sum(len(f.read_bytes()) for f in files),
                "provenance": entry.joinpath("PROVENANCE.md").read_text(encoding="utf-8"),
            }
