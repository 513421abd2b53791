"""Loader for gegravity's sample data set, ``../shared/data/gegravity/sample_data_set.csv``.

30 x 30 countries, 2006, domestic flows included (see the folder's README). Columns: exporter,
importer, year, trade, Y, E (the exporter's output and the importer's expenditure, both
69-country totals from the AGTPA data, so Y_i is not the row sum of ``trade``), pta,
contiguity, common_language, lndist, international.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tradewar.data.files import require_file
from tradewar.data.registry import default_data_path

SAMPLE = "sample_data_set.csv"
#: The cost variables and PPML coefficients of gegravity's documented example
#: (examples_OneSectorGE.py, estimated in Stata; README "Reference outputs").
STATA_COEFFICIENTS = {
    "lndist": -0.3898623,
    "contiguity": 0.891577,
    "common_language": 0.0326249,
    "pta": 0.4711383,
    "international": -3.412584,
}
#: sigma and reference importer of that example.
SIGMA = 5.0
REFERENCE = "DEU"


def load_sample(folder: str | Path | None = None) -> pd.DataFrame:
    """gegravity's sample data in long format (one row per exporter-importer pair)."""
    if folder is None:
        folder = default_data_path("gegravity")
    return pd.read_csv(require_file(Path(folder) / SAMPLE, "gegravity sample data"))
