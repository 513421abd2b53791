"""Ossa (2014), "Trade Wars and Trade Talks with Data", AER 104(12): Table 2.

Table 2 ("examples"): from the purged 2007 baseline, the US raises its tariff by 50 percentage
points on imports from all partners in one industry, chemicals, rubber and plastics (crp, a low
elasticity) or wearing apparel (wap, a high one); all other tariffs stay factual, trade stays
balanced, lambda = 1. Definitions (as in Ossa's ``tables.m``, checked against
``reference_results/ossa_tables_from_tablesm.csv``):

    <s>_salesrow  col1  US wage change minus the mean wage change of the 7 regions (percent points)
                  col2  US sales of industry s, deflated by the US wage: 100 (Y_hat / w_hat - 1)
                  col3  mean over the other 32 US industries of Y_hat / w_hat, minus 1, in percent
    <s>_welfarerow col1 US welfare change 100 (W_hat - 1)
                  col2  terms-of-trade effect, col3 profit-shifting effect (`tradewar.models.ossa`)

Computed values come from the solver; the published ones are read from the reference file only
to be set beside them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.data.ossa2014 import load_ossa2014
from tradewar.data.registry import default_data_path
from tradewar.models import ossa
from tradewar.solver.equilibrium import solve

TABLE2_PANEL = "US_plus50pp_all_partners"
TABLE2_SECTORS = ("crp", "wap")
TABLE2_MEANING = {
    ("salesrow", "col1"): "US relative wage change (pp vs mean of regions)",
    ("salesrow", "col2"): "US sales of the industry, wage-deflated (%)",
    ("salesrow", "col3"): "mean US sales of other industries, wage-deflated (%)",
    ("welfarerow", "col1"): "US welfare change (%)",
    ("welfarerow", "col2"): "terms-of-trade effect (%)",
    ("welfarerow", "col3"): "profit-shifting effect (%)",
}
REFERENCE_FILE = Path("reference_results") / "ossa_tables_from_tablesm.csv"


def published_values(data: str | Path) -> dict[tuple[str, str, str, str], float]:
    """(table, panel, row, column) -> value_pct from the reference file, for display only."""
    path = Path(data) / REFERENCE_FILE
    if not path.is_file():
        return {}
    df = pd.read_csv(path)
    return {(r.table, r.panel, r.row, r.column): float(r.value_pct) for r in df.itertuples()}


def table2_experiment(baseline, sector: str, *, home: str = "USA", add: float = 0.5) -> dict[str, float]:
    """Solve one Table 2 experiment and return its six computed values (percent)."""
    h, s = baseline.region_index(home), baseline.sector_index(sector)
    tariffs = baseline.tariffs.copy()
    partners = [i for i in range(baseline.n_regions) if i != h]
    tariffs[h, partners, s] += add
    eq = solve(ossa.NAME, baseline, tariffs, deficits="fixed")
    out = eq.outcomes
    wage_pct = 100 * (out["wage_hat"] - 1)
    sales_real = out["sales_hat"][h] / out["wage_hat"][h]
    return {
        "salesrow/col1": float(wage_pct[h] - wage_pct.mean()),
        "salesrow/col2": float(100 * (sales_real[s] - 1)),
        "salesrow/col3": float(100 * (np.delete(sales_real, s).mean() - 1)),
        "welfarerow/col1": float(100 * (out["welfare_hat"][h] - 1)),
        "welfarerow/col2": float(100 * out["terms_of_trade"][h]),
        "welfarerow/col3": float(100 * out["profit_shifting"][h]),
        "max_residual": eq.max_residual,
        "converged": eq.converged,
    }


def replicate_table2(data: str | Path | None = None) -> list[dict]:
    """Table 2's cells: dicts with table, panel, row, column, computed, published (and meaning,
    max_residual, converged), named as in ``ossa_tables_from_tablesm.csv``."""
    data = Path(data) if data else default_data_path("ossa2014")
    baseline = load_ossa2014(data)
    published = published_values(data)
    cells = []
    for sector in TABLE2_SECTORS:
        values = table2_experiment(baseline, sector)
        for key, computed in values.items():
            if "/" not in key:
                continue
            kind, column = key.split("/")
            row = f"{sector}_{kind}"
            cells.append(
                {
                    "table": "TABLE2",
                    "panel": TABLE2_PANEL,
                    "row": row,
                    "column": column,
                    "computed": computed,
                    "published": published.get(("TABLE2", TABLE2_PANEL, row, column)),
                    "meaning": TABLE2_MEANING[(kind, column)],
                    "converged": values["converged"],
                    "max_residual": values["max_residual"],
                }
            )
    return cells


def unilateral_row(baseline, region: str, tariffs: np.ndarray, *, lambdas="bas") -> dict[str, float]:
    """The columns of Ossa's Tables 3 and 8 for one region that sets `tariffs` [importer,
    exporter, sector] (its own row changed, everyone else's factual), as in his ``tables.m``:
    government welfare, welfare, the normalised wage and wage-deflated profits of the region
    (``*_own``) and their mean over the other regions (``*_others_mean``), and the median of the
    region's (N-1) S tariffs; all in percent (see `outcome_rows`)."""
    rows = outcome_rows(baseline, tariffs, lambdas=lambdas)
    own = rows[baseline.regions[baseline.region_index(region)]]
    others = [rows[c] for c in baseline.regions if c != region]
    row = {}
    for name, column in (
        ("gov_welfare", "gov_welfare"),
        ("welfare", "welfare"),
        ("wage", "wage_normalized"),
        ("profits", "profits_adj"),
    ):
        row[f"{name}_own"] = own[column]
        row[f"{name}_others_mean"] = float(np.mean([r[column] for r in others]))
    row["median_tariff"] = own["median_tariff"]
    row["max_residual"] = own["max_residual"]
    return row


def outcome_rows(baseline, tariffs: np.ndarray, *, lambdas="bas") -> dict[str, dict[str, float]]:
    """Per-region columns of Ossa's Tables 4, 5, 9 and 10 at full `tariffs` [importer, exporter,
    sector] (a Nash war, cooperative tariffs, ...), as in his ``tables.m``: gov_welfare,
    welfare, wage_normalized (w_hat - mean(w_hat) + 1), profits_adj (profits hat / wage hat)
    and median_tariff (median of the importer's (N-1) S tariffs), in percent; an "Average" row
    is the mean over regions. For Table 5's "from Nash" / "from free trade" columns, pass the
    baseline rebased there (`tradewar.models.ossa.rebase`)."""
    eq = solve(ossa.NAME, baseline, tariffs, deficits="fixed", lambdas=lambdas)
    out = eq.outcomes
    columns = {
        "gov_welfare": 100 * (out["government_welfare_hat"] - 1),
        "welfare": 100 * (out["welfare_hat"] - 1),
        "wage_normalized": 100 * (out["wage_hat"] - out["wage_hat"].mean()),
        "profits_adj": 100 * (out["profits_new"] / out["profits_old"] / out["wage_hat"] - 1),
        "median_tariff": np.array(
            [100 * np.median(np.delete(tariffs[n], n, axis=0)) for n in range(baseline.n_regions)]
        ),
    }
    rows = {code: {k: float(v[n]) for k, v in columns.items()} for n, code in enumerate(baseline.regions)}
    rows["Average"] = {k: float(np.mean(v)) for k, v in columns.items()}
    for row in rows.values():
        row["max_residual"] = eq.max_residual
    return rows
