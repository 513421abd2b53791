"""Long exporter-importer tables (one row per pair) as numpy columns, and their square matrices.

`read_columns` reads such a table from a CSV file with the csv module and numpy, so that
`tradewar gravity simulate` from given coefficients loads no pandas (issue 15: pandas' import is
0.2-0.3 s of that command). `square` pivots one column of a long table -- these columns, or a
pandas frame -- into a matrix in tradewar's axis order [importer, exporter].
"""

from __future__ import annotations

import numpy as np

from tradewar.data.files import read_csv_rows
from tradewar.errors import InputError


def read_columns(path) -> dict[str, np.ndarray]:
    """The columns of a CSV file with a header row, by name: float64 where every cell is a number
    (an empty cell is NaN, as pandas reads it), else the cells as strings. A file that is not
    UTF-8, is malformed, is empty or has a row with more or fewer cells than the header raises
    ``ValueError`` saying which, for the caller's one-line error."""
    header, rows = read_csv_rows(path)
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise ValueError(f"line {line} has {len(row)} cells, the header {len(header)}")
    return {name: _column([row[j] for row in rows]) for j, name in enumerate(header)}


def _column(cells: list[str]) -> np.ndarray:
    try:
        return np.array([float(cell) if cell else np.nan for cell in cells])
    except ValueError:  # a text column (region codes)
        return np.array(cells)


def square(table, column: str, countries: list[str] | None = None) -> tuple[list[str], np.ndarray]:
    """Pivot `column` of a long table (a mapping of columns with ``exporter`` and ``importer``,
    e.g. `read_columns`'s or a pandas frame) into a square [importer, exporter] matrix; the
    regions are `countries`, by default every code in the table, sorted.

    Raises `InputError` naming the first missing pair when the data are not square, and the
    column when a value is not a number.
    """
    exporters, importers = list(table["exporter"]), list(table["importer"])
    if countries is None:
        countries = sorted({str(c) for c in exporters} | {str(c) for c in importers})
    idx = {c: k for k, c in enumerate(countries)}
    try:
        values = np.asarray(table[column], dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{column}: a value is not a number; the column must hold numbers", field=column) from None
    n = len(countries)
    out = np.full((n, n), np.nan)
    out[[idx[m] for m in importers], [idx[x] for x in exporters]] = values
    if np.isnan(out).any():
        m, x = (int(v[0]) for v in np.nonzero(np.isnan(out)))
        raise InputError(
            f"{column}: no value for exporter {countries[x]} -> importer {countries[m]}; the data must be square "
            "(every exporter-importer pair, domestic included)",
            field=column,
        )
    return countries, out
