"""Summaries of a solved step: the main regions, US-China bilateral trade and the ranking of
third countries by the change in their share of the war parties' imports (trade diversion)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by `diversion`, so that a step's tables do not load pandas
    import pandas as pd

MAIN_REGIONS = ("USA", "CHN", "EU27", "JPN", "KOR", "TWN", "MEX", "CAN", "VNM", "IND", "GBR")
WAR_PARTIES = ("USA", "CHN")


def main_regions(codes) -> list[str]:
    present = [c for c in MAIN_REGIONS if c in codes]
    return present or list(codes)


def welfare_column(columns) -> str:
    """The exact welfare change a model reports: Caliendo-Parro's real income, else welfare_pct
    (Ossa's real expenditure, gravity's and liberation-day's welfare)."""
    return "real_income_pct" if "real_income_pct" in columns else "welfare_pct"


def step_labels(steps) -> list[str]:
    """One distinct label per step: its date (or "step k"), numbered where dates repeat
    (liberation-day shows two alternatives on one date)."""
    labels = [s.date or f"step {k + 1}" for k, s in enumerate(steps)]
    return [
        f"{label} ({labels[:k].count(label) + 1})" if labels.count(label) > 1 else label
        for k, label in enumerate(labels)
    ]


def diversion(eq, parties=WAR_PARTIES) -> pd.DataFrame:
    """Third countries' exports to the war parties (net of tariffs, all sectors): the change and
    the change in their share of the parties' imports, ranked by the share (diversion) gain."""
    import pandas as pd

    b = eq.baseline
    columns = ["exports_to_parties_old", "exports_to_parties_change", "change_pct", "import_share_change_pp"]
    if not set(parties) <= set(b.regions):
        return pd.DataFrame(columns=columns)
    idx = [b.region_index(c) for c in parties]
    old_flows, new_flows = eq.outcomes["trade_old"][idx], eq.outcomes["trade_new"][idx]
    for k, n in enumerate(idx):  # imports only: drop the parties' domestic sales
        old_flows[k, n], new_flows[k, n] = 0.0, 0.0
    old, new = old_flows.sum(axis=(0, 2)), new_flows.sum(axis=(0, 2))
    frame = pd.DataFrame(
        dict(zip(columns, (old, new - old, 100 * (new / old - 1), 100 * (new / new.sum() - old / old.sum())))),
        index=pd.Index(b.regions, name="code"),
    ).drop(index=list(parties))
    return frame.sort_values("import_share_change_pp", ascending=False)


def bilateral_change(eq, importer: str, exporter: str) -> float:
    """Percent change in importer's imports from exporter, all sectors, net of tariffs."""
    b = eq.baseline
    n, i = b.region_index(importer), b.region_index(exporter)
    old, new = eq.outcomes["trade_old"][n, i].sum(), eq.outcomes["trade_new"][n, i].sum()
    return float(100 * (new / old - 1))
