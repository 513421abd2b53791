"""Loader for the Caliendo and Parro (2015) NAFTA data (31 regions x 40 sectors, 1993).

Reads the folder described by its README (``../shared/data/cp2015``): the calibrated model
arrays in ``cp2015_base1993_zero_deficit.npz`` (CP's zero-deficit base year, the starting point
of the paper's Table 2) or ``cp2015_base1993_with_deficits.npz`` (1993 with its actual
deficits, Table A4), plus ``regions.csv``, ``sectors.csv`` and ``tariffs.csv``.

The npz files already use tradewar's axis order [importer, exporter, sector] and decimal
tariffs. Data quirk kept as published: CP's ``IO.txt`` has one negative input share (Canada,
input Other -> user Basic metals, -0.000846). The base year is an equilibrium only with it, so
it is kept and validation admits input shares down to -0.001 for this dataset alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tradewar.data.baseline import Baseline
from tradewar.data.files import read_csv_rows, require_file
from tradewar.errors import InputError

BASE_YEARS = ("zero-deficit", "with-deficits")
#: The smallest input share in CP's IO.txt is -0.000846 (see the module docstring).
CP_IO_FLOOR = -0.001


def sector_code(name: str) -> str:
    """'Machinery n.e.c' -> 'machinery_nec'; 'Other Transport' -> 'other_transport'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower().replace(".", "")).strip("_")


def _columns(path: Path, name: str) -> dict[str, np.ndarray]:
    """A CSV table of the replication folder as {column: array of strings}."""
    try:
        header, rows = read_csv_rows(require_file(path / name, "cp2015"))
    except ValueError as e:
        raise InputError(f"cp2015: {path / name} is not a readable CSV file ({e})", field="path") from None
    ragged = next((k for k, row in enumerate(rows) if len(row) != len(header)), None)
    if ragged is not None:
        raise InputError(
            f"cp2015: {path / name} row {ragged + 2} has {len(rows[ragged])} fields, the header {len(header)}; "
            "pass the replication folder as shipped",
            field="path",
        )
    return dict(zip(header, np.array(rows, dtype=str).reshape(len(rows), len(header)).T))


def load_cp2015(path: str | Path, base_year: str = "zero-deficit") -> Baseline:
    """The CP2015 base year as a validated `Baseline`.

    ``base_year="zero-deficit"`` is CP's base year with all deficits set to zero (units 1e10
    USD), validated. ``"with-deficits"`` is the raw 1993 data with actual deficits (USD): CP's
    flows, value added (``extras['value_added_data']``) and deficits
    (``extras['deficit_data']``) do not yet satisfy the model's accounts, so this baseline is
    returned unvalidated for `tradewar.models.caliendo_parro.calibrate`, which solves the model
    at the factual tariffs to make them consistent (CP's own first step). The 2005 tariffs and
    the Table 2 counterfactual tariffs are in ``extras['tariff_2005']`` and
    ``extras['tariff_cf_nafta']``.
    """
    path = Path(path)
    if base_year not in BASE_YEARS:
        raise InputError(
            f"base_year: {base_year!r} is not a CP2015 base year; use one of {', '.join(BASE_YEARS)}",
            field="base_year",
        )
    regions, sectors, tariffs = (_columns(path, name) for name in ("regions.csv", "sectors.csv", "tariffs.csv"))
    n, j = len(regions["code"]), len(sectors["sector"])
    cells = tuple(tariffs[k].astype(int) for k in ("importer_index", "exporter_index", "sector_index"))

    def tariff_array(column: str) -> np.ndarray:
        arr = np.zeros((n, n, j))
        arr[cells] = tariffs[column].astype(float) / 100
        return arr

    extras = {
        "tariff_2005": tariff_array("tariff_2005_pct"),
        "tariff_cf_nafta": tariff_array("tariff_cf_nafta_pct"),
    }
    if base_year == "zero-deficit":
        npz = np.load(require_file(path / "cp2015_base1993_zero_deficit.npz", "cp2015"))
        trade = npz["trade_flows"]
        factual = npz["tariff_1993"]
        unit = "1e10 USD"
    else:
        npz = np.load(require_file(path / "cp2015_base1993_with_deficits.npz", "cp2015"))
        factual = npz["tariff_1993"]
        trade = npz["pi"] * npz["expenditure_usd"][:, None, :] / (1 + factual)
        unit = "USD"
        extras["value_added_data"] = npz["value_added_usd"]
        extras["deficit_data"] = npz["deficit_usd"]
    baseline = Baseline(
        name=f"cp2015 ({base_year})",
        regions=tuple(regions["code"]),
        region_names=tuple(regions["region"]),
        sectors=tuple(sector_code(s) for s in sectors["sector"]),
        sector_names=tuple(sectors["sector"]),
        trade=trade,
        tariffs=factual,
        va_share=npz["va_share"],
        io_share=npz["io_coef"],
        final_share=npz["alpha"],
        theta=npz["theta"],
        tradable=sectors["tradable"].astype(int).astype(bool),
        provenance=(
            f"Caliendo and Parro (2015) replication data, 1993, {base_year} base year, "
            f"money in {unit}; read from {path}"
        ),
        extras=extras,
    )
    if base_year == "with-deficits":
        return baseline  # raw data, not yet an equilibrium: see caliendo_parro.calibrate
    return baseline.validate(negative_input_share_floor=CP_IO_FLOOR)
