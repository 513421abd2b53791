"""Ossa (2014), "Trade Wars and Trade Talks with Data", AER 104(12): Tables 3, 4 and 5.

Every table is computed by `tradewar.games` on the ossa model (purged 2007 data, 7 regions x
33 industries); its columns are those of Ossa's ``tables.m`` (`tradewar.replicate.ossa2014`'s
`unilateral_row` and `outcome_rows`). Panel a is no lobbying (lambda = LAMBDABAS = 1: the
government maximises welfare), panel b lobbying (LAMBDAPOL). Governments maximise government
welfare G_hat (`tradewar.models.ossa`), which equals welfare when lambda = 1 and trade is
balanced.

- Table 3: each region's optimal tariffs, discriminatory by partner and industry ((N-1) S =
  198 tariffs), all other tariffs factual.
- Table 4: the Nash equilibrium of a worldwide tariff war (every region a player, tariffs on
  every partner).
- Table 5: efficient cooperative tariffs with equal gains in government welfare for all, from
  three starting points: the Nash war, the factual tariffs and free trade; gains are measured
  from the starting point (Ossa rebases his data there; `tradewar.models.ossa.rebase`).

Bounds (Ossa's ``LBj``/``UBj``): tariffs in [0, 2.25] (the "restricted" case for Table 5,
cooperative tariffs cannot be import subsidies); with lobbying weights the upper bound is
max(target + 0.03, 2.25) by importer and industry, the bound of Ossa's lambda calibration
(``target_tariffs.csv``). Medians are over a region's (N-1) S tariffs.

Computed values come from the solvers; the published ones are read from the reference file
only to be set beside them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from tradewar.data.registry import default_data_path, load_dataset
from tradewar.errors import InputError
from tradewar.games import Game, equal_gains, nash, optimal_tariffs
from tradewar.models import ossa
from tradewar.replicate.ossa2014 import outcome_rows, published_values, unilateral_row

PANELS = {"a": ("a_no_lobbying_LAMBDABAS", "bas"), "b": ("b_lobbying_LAMBDAPOL", "pol")}
UPPER = 2.25
TABLE3_COLUMNS = (
    "gov_welfare_own",
    "gov_welfare_others_mean",
    "welfare_own",
    "welfare_others_mean",
    "wage_own",
    "wage_others_mean",
    "profits_own",
    "profits_others_mean",
    "median_tariff",
)
TABLE4_COLUMNS = ("gov_welfare", "welfare", "wage_normalized", "profits_adj", "median_tariff")
TABLE5_COLUMNS = ("gov_welfare", "welfare", "wage_normalized", "profits_adj")
TABLE5_STARTS = ("nash", "factual", "freetrade")
#: Optimal tariffs start from the factual tariffs and from the upper bounds: with lobbying
#: weights government welfare has several local maxima (Japan, Table 3b: 2.571 from factual,
#: 2.583 from the upper bounds, 2.434 from free trade; measured 2026-11-29).
STARTS = ("start", "upper")

Progress = Callable[[str], None] | None


def upper_bounds(baseline, lambdas: str) -> np.ndarray | float:
    """Ossa's upper bounds: 2.25, or max(target + 0.03, 2.25) [importer, sector] with lobbying."""
    if lambdas == "pol":
        return np.maximum(baseline.extras["target_tariff"] + 0.03, UPPER)
    return UPPER


def _game(baseline, lambdas: str):
    return Game(ossa, baseline, objective="government", lambdas=lambdas)


def _row_name(baseline, code: str) -> str:
    return baseline.region_names[baseline.region_index(code)]


def _cells(table, panel, rows: dict[str, dict], columns, published, baseline, rename=None) -> list[dict]:
    cells = []
    for code, row in rows.items():
        name = "Average" if code == "Average" else _row_name(baseline, code)
        for col in columns:
            out_col = rename(col) if rename else col
            cells.append(
                {
                    "table": table,
                    "panel": panel,
                    "row": name,
                    "column": out_col,
                    "computed": float(row[col]),
                    "published": published.get((table, panel, name, out_col)),
                }
            )
    return cells


def table3(baseline, panel: str = "a", *, progress: Progress = None) -> tuple[list[dict], dict]:
    """Table 3 (optimal tariffs, each region alone): cells and certificates per region."""
    label, lambdas = PANELS[panel]
    game = _game(baseline, lambdas)

    rows, certificates = {}, {}
    for code in baseline.regions:
        if progress:
            progress(f"Table 3{panel}: optimal tariffs of {code}")
        res = optimal_tariffs(game, code, upper=upper_bounds(baseline, lambdas), check=False, starts=STARTS)
        rows[code] = unilateral_row(baseline, code, res.tariffs, lambdas=lambdas)
        certificates[code] = {"converged": res.converged, "seconds": res.seconds, **res.certificate.to_dict()}
    rows["Average"] = {c: float(np.mean([rows[k][c] for k in baseline.regions])) for c in TABLE3_COLUMNS}
    return _cells("TABLE3", label, rows, TABLE3_COLUMNS, {}, baseline), certificates


def nash_war(baseline, panel: str = "a", *, progress: Progress = None):
    _label, lambdas = PANELS[panel]

    return nash(_game(baseline, lambdas), None, upper=upper_bounds(baseline, lambdas), check=False, progress=progress)


def table4(baseline, panel: str = "a", *, war=None, progress: Progress = None) -> tuple[list[dict], dict]:
    """Table 4 (the worldwide Nash tariff war)."""
    label, lambdas = PANELS[panel]
    war = war or nash_war(baseline, panel, progress=progress)
    rows = outcome_rows(baseline, war.tariffs, lambdas=lambdas)
    cert = {
        "converged": war.converged,
        "seconds": war.seconds,
        "rounds": war.details.get("rounds"),
        **war.certificate.to_dict(),
    }
    return _cells("TABLE4", label, rows, TABLE4_COLUMNS, {}, baseline), {"nash": cert}


def table5(baseline, panel: str = "a", *, starts=TABLE5_STARTS, war=None, progress: Progress = None):
    """Table 5 (trade talks): equal-gains cooperative tariffs from each starting point."""
    label, lambdas = PANELS[panel]
    cells, certificates = [], {}
    for start in starts:
        if start == "nash":
            war = war or nash_war(baseline, panel, progress=progress)
            base = ossa.rebase(baseline, war.tariffs)
        elif start == "freetrade":
            base = ossa.rebase(baseline, np.zeros_like(baseline.tariffs))
        elif start == "factual":
            base = baseline
        else:
            raise InputError(f"start: {start!r}; use one of {', '.join(TABLE5_STARTS)}", field="start")
        if progress:
            progress(f"Table 5{panel}: cooperative tariffs from {start}")
        res = equal_gains(
            _game(base, lambdas), None, upper=upper_bounds(baseline, lambdas), check=False, progress=progress
        )
        rows = outcome_rows(base, res.tariffs, lambdas=lambdas)
        cells += _cells("TABLE5", label, rows, TABLE5_COLUMNS, {}, baseline, rename=lambda c, s=start: f"{c}_from_{s}")
        certificates[start] = {
            "converged": res.converged,
            "seconds": res.seconds,
            **res.certificate.to_dict(),
            "common_gain_pct": res.details.get("common_gain_pct"),
        }
    return cells, certificates


def replicate_games(
    data: str | Path | None = None,
    *,
    tables=(3, 4, 5),
    panels=("a", "b"),
    table5_panels=("a",),
    progress: Progress = None,
) -> dict:
    """Cells of Tables 3-5 with computed and published values, and every game's certificate."""
    path = Path(data) if data else default_data_path("ossa2014")
    baseline = load_dataset("ossa2014", path)
    published = published_values(path)
    cells, certificates = [], {}
    wars = {}
    for t in tables:
        for panel in panels if t != 5 else table5_panels:
            if t == 3:
                c, cert = table3(baseline, panel, progress=progress)
            elif t == 4:
                wars[panel] = nash_war(baseline, panel, progress=progress)
                c, cert = table4(baseline, panel, war=wars[panel])
            elif t == 5:
                c, cert = table5(baseline, panel, war=wars.get(panel), progress=progress)
            else:
                raise InputError(f"table: {t}; use 2, 3, 4 or 5", field="table")
            cells += c
            certificates[f"TABLE{t}/{PANELS[panel][0]}"] = cert
    for cell in cells:
        cell["published"] = published.get((cell["table"], cell["panel"], cell["row"], cell["column"]))
    return {"cells": cells, "certificates": certificates}
