"""Loaders for the AGTPA data of Yotov, Piermartini, Monteiro and Larch (2016), ``../shared/data/yotov``.

"An Advanced Guide to Trade Policy Analysis: The Structural Gravity Model" (WTO/UNCTAD 2016),
chapter 2. The folder's README gives sources and conventions; in short:

- ``agtpa_panel_69c_1986_2006.csv``: 69 x 69 countries x 21 years, long format (exporter,
  importer, pair_id, year, trade, dist, cntg, lang, clny, rta, ...), domestic flows included;
  ``pair_id`` is symmetric (i->j and j->i share it).
- ``ch2_app1_trade_without_borders_2006.csv``: the 2006 slice with ln_dist, intl_brdr, Y, E.
- ``results/*.csv``: the book's own Stata outputs (published values, used only for comparison).

Loaders return long pandas frames (one row per exporter-importer-year); `tradewar.data.long_table.square`
makes the GE model's square matrices [importer, exporter] from them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.data.files import require_file
from tradewar.data.registry import default_data_path
from tradewar.errors import InputError

PANEL = "agtpa_panel_69c_1986_2006.csv"
BORDERS = "ch2_app1_trade_without_borders_2006.csv"
RESULTS = {
    "nafta": "results/ch2_app2_nafta_removal_stata.csv",
    "borders": "results/ch2_app1_trade_without_borders_stata.csv",
}
#: Reference importer of the book's chapter 2 (its inward multilateral resistance is 1).
REFERENCE = "DEU"
#: Elasticity of substitution used throughout chapter 2.
SIGMA = 7.0


def _path(folder: str | Path | None) -> Path:
    if folder is None:
        return default_data_path("yotov")
    return Path(folder)


def load_panel(folder: str | Path | None = None, years: list[int] | None = None) -> pd.DataFrame:
    """The 69-country panel (1986-2006) in long format; `years` selects some years."""
    df = pd.read_csv(require_file(_path(folder) / PANEL, "yotov panel"))
    if years is not None:
        unknown = sorted(set(years) - set(df["year"].unique()))
        if unknown:
            raise InputError(
                f"years: {unknown} not in the AGTPA panel (1986-2006); pick years in that range", field="years"
            )
        df = df[df["year"].isin(years)]
    df = df.copy()
    df["ln_dist"] = np.log(df["dist"])
    df["intl_brdr"] = (df["exporter"] != df["importer"]).astype(float)
    return df.reset_index(drop=True)


def load_borders_2006(folder: str | Path | None = None) -> pd.DataFrame:
    """Chapter 2, application 1 (trade without borders): the 2006 cross-section with Y and E."""
    return pd.read_csv(require_file(_path(folder) / BORDERS, "yotov trade-without-borders data"))


def load_published(name: str, folder: str | Path | None = None) -> pd.DataFrame:
    """The book's Stata results for ``name`` in ("nafta", "borders"), indexed by country.

    Mind the sign conventions (README): the NAFTA file reports the effect *of* NAFTA,
    (BLN - CFL) / CFL, and its price column is (1 - p_CFL / p_BLN) x 100.
    """
    if name not in RESULTS:
        raise InputError(f"published: unknown result set {name!r}; use one of {', '.join(RESULTS)}", field="published")
    return pd.read_csv(require_file(_path(folder) / RESULTS[name], f"yotov published results ({name})")).set_index(
        "country"
    )
