"""The HTML report of a solved scenario (the main job's output).

`write_html_report` draws the welfare path by region, the diversion winners
(`tradewar.report.tables.diversion`) and the effective (trade-weighted) tariffs over time with
matplotlib, states the horizon of the steps beside the last step's long-run end, adds the
backtest against observed US imports when given one (`tradewar.report.backtest`), and writes one
self-contained HTML file (images inlined, no network needed), atomically.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.data.files import write_atomic
from tradewar.report.backtest import backtest_section
from tradewar.report.tables import WAR_PARTIES, diversion, main_regions, step_labels, welfare_column
from tradewar.scenario.run import ScenarioResult, average_tariff_keys


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def write_html_report(result: ScenarioResult, path: str | Path, backtest=None) -> Path:
    """Plots of the welfare path, trade diversion and effective tariffs; one HTML file. With a
    `tradewar.scenario.backtest.BacktestResult`, also the backtest against observed US imports."""
    import matplotlib  # matplotlib: heavy, loaded only when a report is written

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # (idem)

    steps = result.steps
    labels = step_labels(steps)
    codes = main_regions(result.baseline.regions)
    key = welfare_column(steps[0].equilibrium.regions().columns)
    welfare = pd.DataFrame({s_label: s.equilibrium.regions().loc[codes, key] for s_label, s in zip(labels, steps)}).T
    figures = []

    fig, ax = plt.subplots(figsize=(10, 4.5))
    colors = plt.cm.tab20(np.linspace(0, 1, 20))
    for k, code in enumerate(codes):
        ax.plot(
            range(len(labels)),
            welfare[code],
            marker="o",
            color=colors[k % 20],
            lw=2.5 if code in WAR_PARTIES else 1,
            label=code,
        )
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel(f"welfare ({key}), % change from baseline")
    ax.set_title("Welfare path through the scenario, by region")
    ax.legend(ncol=4, fontsize=8)
    figures.append(("Welfare path", _png(fig)))
    plt.close(fig)

    tariffs = pd.DataFrame([average_tariff_keys(s.equilibrium) for s in steps], index=labels)
    if not tariffs.empty:
        fig, ax = plt.subplots(figsize=(10, 4))
        ax.step(range(len(labels)), tariffs["us_tariff_on_china_pct"], where="post", label="US on China")
        ax.step(range(len(labels)), tariffs["china_tariff_on_us_pct"], where="post", label="China on US")
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
        ax.set_ylabel("trade-weighted tariff, % (baseline weights)")
        ax.set_title("Effective tariff rates over time")
        ax.legend()
        figures.append(("Effective tariffs", _png(fig)))
        plt.close(fig)

    peak = max(steps, key=lambda s: average_tariff_keys(s.equilibrium).get("us_tariff_on_china_pct", 0))
    winners = diversion(peak.equilibrium)
    if not winners.empty:
        fig, ax = plt.subplots(figsize=(8, 4))
        top = winners["import_share_change_pp"]
        ax.barh(top.index[::-1], top.values[::-1], color=np.where(top.values[::-1] > 0, "tab:green", "tab:red"))
        ax.set_xlabel("change in share of US and Chinese imports, percentage points")
        ax.set_title(f"Trade diversion at the peak step: {peak.date or ''} {peak.label}")
        figures.append(("Trade diversion", _png(fig)))
        plt.close(fig)

    rows = "".join(
        f"<tr><td>{html.escape(s.date or '')}</td><td>{html.escape(s.label)}</td>"
        + "".join(f"<td>{welfare.loc[label, c]:.3f}</td>" for c in codes)
        + f"<td>{s.equilibrium.max_residual:.1e}</td></tr>"
        for label, s in zip(labels, steps)
    )
    header = "".join(f"<th>{c}</th>" for c in codes)
    images = "".join(
        f"<h2>{html.escape(t)}</h2><img alt='{html.escape(t)}' src='data:image/png;base64,{d}'/>" for t, d in figures
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(result.title)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}
td,th{{padding:2px 6px;text-align:right;font-size:12px}}
td:nth-child(2){{text-align:left}}img{{max-width:100%}}</style></head><body>
<h1>{html.escape(result.title)}</h1>
<p>Dataset: {html.escape(result.baseline.name)}. Every step is a general-equilibrium counterfactual from the
baseline; all steps converged: {result.converged} (largest residual {result.max_residual:.1e}).
Welfare is the model's exact welfare change ({key}; for Caliendo-Parro real income: income deflated by the
consumer price index).</p>
{images}
{_horizon_note(result)}
<h2>Welfare ({key}) by step, % change from baseline</h2>
<table><tr><th>date</th><th>step</th>{header}<th>residual</th></tr>{rows}</table>
{backtest_section(backtest, _png) if backtest is not None else ""}
<p>Provenance: {html.escape(result.baseline.provenance)}</p></body></html>"""
    return write_atomic(path, page)


def _horizon_note(result: ScenarioResult) -> str:
    """The horizon of the steps and, beside the last step, its long-run end (real income %)."""
    if result.horizon is None:
        return ""
    note = (
        f"<p>Steps solved at the {html.escape(result.horizon)} horizon (trade elasticities, "
        f"tradewar.models.horizon); US tariffs {html.escape(result.tariff_basis)}.</p>"
    )
    if result.long_run is None:
        return note
    codes = main_regions(result.baseline.regions)
    now, end = result.steps[-1].equilibrium.regions(), result.long_run.equilibrium.regions()
    head = "".join(f"<th>{c}</th>" for c in codes)
    row = lambda label, frame: (
        f"<tr><td></td><td>{label}</td>"
        + "".join(f"<td>{frame.loc[c, 'real_income_pct']:.3f}</td>" for c in codes)
        + "</tr>"
    )
    return (
        note
        + f"<h2>The last step ({html.escape(result.long_run.label)}): real income %, now and in the long run</h2>"
        + f"<table><tr><th></th><th>horizon</th>{head}</tr>{row(html.escape(result.horizon), now)}"
        + f"{row('long run (CP 2015 elasticities)', end)}</table>"
    )
