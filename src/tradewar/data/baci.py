"""Loader for the 194-country BACI 2023 goods flows with GDP and the "Liberation Day" tariff inputs.

Reads the folder ``../shared/data/recent/baci2023_libday`` (see its README.md and MODEL.md):

- ``baci2023_bilateral_goods_total.csv``: ``exporter_iso3, importer_iso3, value_kusd`` (CEPII
  BACI HS22 2023, V202501, summed over HS6 products, thousand USD, non-zero flows only, no
  own flows);
- ``countries_gdp_libday_tariffs.csv``: ``iso3, country_name, model_index`` (the order of the
  authors' MATLAB code, USA = 185, CHN = 34), ``gdp_usd`` (WDI, current US$), ``gdp_year``,
  ``us_applied_tariff_libday`` (the US "Liberation Day" tariff on each partner, decimal) and
  ``ustr_formula_rate_libday`` (the USTR deficit formula, not used by the model).

Axis order (as everywhere in tradewar): bilateral arrays are [importer, exporter, sector]; this
data has one sector (``goods``). Money stays in thousand USD, the unit of the source (GDP is
divided by 1000 to match). Regions are ordered by ``model_index``.

`read_baci2023` returns the labelled inputs; `load_baci2023` returns them as a `Baseline` of
international flows only (the diagonal is empty: domestic absorption is not observed and is
derived by each model's calibration, e.g. `tradewar.models.liberation_day.calibrate`), with
zero factual tariffs (the 2023 flows absorb the tariffs then in force, JIE 2025 fn. 8) and the
inputs in ``extras``: ``gdp`` [n] (kUSD), ``gdp_year``, ``us_applied_tariff_libday``,
``ustr_formula_rate_libday`` and ``eu25`` (the authors' 25-member EU list, see `EU25_INDEX`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.data.baseline import Baseline
from tradewar.data.files import require_file
from tradewar.errors import InputError

FLOWS_FILE = "baci2023_bilateral_goods_total.csv"
COUNTRIES_FILE = "countries_gdp_libday_tariffs.csv"
#: The EU members as the authors' code lists them (`main_baseline.m`, 1-based `model_index`):
#: 25 countries, CZE and SVK are missing. Table 2's EU rows are aggregated over this list.
EU25_INDEX = (
    10,
    13,
    17,
    45,
    47,
    50,
    56,
    57,
    59,
    61,
    71,
    78,
    80,
    83,
    88,
    107,
    108,
    109,
    119,
    133,
    144,
    145,
    149,
    164,
    165,
)


@dataclass(frozen=True)
class BaciInputs:
    """The folder's inputs as arrays in `regions` order (model_index order)."""

    regions: tuple[str, ...]
    region_names: tuple[str, ...]
    flows: np.ndarray  # [importer, exporter], kUSD, zero diagonal
    gdp: np.ndarray  # [n], kUSD
    gdp_year: np.ndarray  # [n]
    us_applied_tariff: np.ndarray  # [n], decimal, by partner
    ustr_formula_rate: np.ndarray  # [n]
    eu25: tuple[str, ...]


def read_baci2023(path: str | Path) -> BaciInputs:
    """Read and check the two CSV files of the folder (see the module docstring)."""
    path = Path(path)
    countries = pd.read_csv(require_file(path / COUNTRIES_FILE, "baci2023"))
    flows = pd.read_csv(require_file(path / FLOWS_FILE, "baci2023"))
    need_c = {
        "iso3",
        "country_name",
        "model_index",
        "gdp_usd",
        "gdp_year",
        "us_applied_tariff_libday",
        "ustr_formula_rate_libday",
    }
    need_f = {"exporter_iso3", "importer_iso3", "value_kusd"}
    for name, frame, need in ((COUNTRIES_FILE, countries, need_c), (FLOWS_FILE, flows, need_f)):
        missing = sorted(need - set(frame.columns))
        if missing:
            raise InputError(
                f"baci2023: {name} lacks column(s) {', '.join(missing)}; is this the baci2023_libday folder?",
                field="path",
            )
    countries = countries.sort_values("model_index").reset_index(drop=True)
    regions = tuple(countries["iso3"])
    index = {c: k for k, c in enumerate(regions)}
    for col in ("exporter_iso3", "importer_iso3"):
        unknown = sorted(set(flows[col]) - set(index))
        if unknown:
            raise InputError(
                f"baci2023: {FLOWS_FILE} column {col} has codes not in {COUNTRIES_FILE}: {', '.join(unknown[:5])}",
                field=col,
            )
    values = flows["value_kusd"].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        k = int(np.nonzero(~np.isfinite(values) | (values < 0))[0][0])
        raise InputError(
            f"baci2023: flow {flows.exporter_iso3[k]} -> {flows.importer_iso3[k]} is {values[k]}; flows must be "
            "finite and >= 0",
            field="value_kusd",
        )
    n = len(regions)
    matrix = np.zeros((n, n))
    imp = flows["importer_iso3"].map(index).to_numpy()
    exp = flows["exporter_iso3"].map(index).to_numpy()
    np.add.at(matrix, (imp, exp), values)
    np.fill_diagonal(matrix, 0.0)
    gdp = countries["gdp_usd"].to_numpy(dtype=np.float64) / 1000.0
    if not np.all(np.isfinite(gdp) & (gdp > 0)):
        k = int(np.nonzero(~(np.isfinite(gdp) & (gdp > 0)))[0][0])
        raise InputError(f"baci2023: gdp_usd of {regions[k]} is {gdp[k] * 1000}; GDP must be positive", field="gdp_usd")
    by_index = dict(zip(countries["model_index"], regions))
    return BaciInputs(
        regions=regions,
        region_names=tuple(countries["country_name"]),
        flows=matrix,
        gdp=gdp,
        gdp_year=countries["gdp_year"].to_numpy(),
        us_applied_tariff=countries["us_applied_tariff_libday"].to_numpy(dtype=np.float64),
        ustr_formula_rate=countries["ustr_formula_rate_libday"].to_numpy(dtype=np.float64),
        eu25=tuple(by_index[k] for k in EU25_INDEX),
    )


def load_baci2023(path: str | Path) -> Baseline:
    """The inputs as a one-sector `Baseline` of international flows (see the module docstring)."""
    raw = read_baci2023(path)
    n = len(raw.regions)
    return Baseline(
        name="baci2023 (194 countries, goods, 2023, kUSD)",
        regions=raw.regions,
        sectors=("goods",),
        trade=raw.flows[:, :, None],
        tariffs=np.zeros((n, n, 1)),
        va_share=np.ones((n, 1)),
        io_share=np.ones((n, 1, 1)),
        final_share=np.ones((n, 1)),
        theta=np.array([4.0]),
        region_names=raw.region_names,
        provenance=(
            "CEPII BACI HS22 2023 (V202501) summed over HS6, 194 countries; WDI GDP current US$; "
            "USTR tariff calculator inputs (Ignatenko et al. 2025); via ../shared/data/recent/baci2023_libday"
        ),
        extras={
            "gdp": raw.gdp,
            "gdp_year": raw.gdp_year,
            "us_applied_tariff_libday": raw.us_applied_tariff,
            "ustr_formula_rate_libday": raw.ustr_formula_rate,
            "eu25": raw.eu25,
        },
    ).validate()
