"""The backtest section of the HTML report: China's share of US imports by month, observed and
model for each setting; a scatter of partner share changes (model against observed, every month,
best setting); the ranked metrics and the named misses (`tradewar.scenario.backtest`)."""

from __future__ import annotations

import html

import numpy as np


def backtest_section(result, png) -> str:
    """HTML of the backtest section; `png(fig)` turns a matplotlib figure into base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    months = result.months
    first = result.settings[0].label
    figures = []

    fig, ax = plt.subplots(figsize=(10, 4.5))
    observed = [result.rows[(first, m)].loc["CHN", "observed_share_pct"] for m in months]
    before = [
        result.rows[(first, m)].loc["CHN", "observed_share_pct"]
        - result.rows[(first, m)].loc["CHN", "observed_change_pp"]
        for m in months
    ]
    ax.plot(months, observed, color="black", lw=2.5, marker="o", label="observed")
    ax.plot(months, before, color="grey", lw=1, ls=":", label="observed, a year earlier")
    for s in result.settings:
        ax.plot(
            months,
            [result.rows[(s.label, m)].loc["CHN", "model_share_pct"] for m in months],
            marker=".",
            label=f"model, {s.label}",
        )
    ax.set_ylabel("China's share of US imports, %")
    ax.set_title("China's share of US goods imports by month: observed and model (policy in force each month)")
    ax.legend(fontsize=8)
    figures.append(("China's share of US imports", png(fig)))
    plt.close(fig)

    best = result.best
    fig, ax = plt.subplots(figsize=(7, 6))
    colors = plt.cm.viridis(np.linspace(0, 1, len(months)))
    lim = 0.0
    for k, m in enumerate(months):
        rows = result.rows[(best.label, m)]
        ax.scatter(rows.observed_change_pp, rows.model_change_pp, color=colors[k], s=18, label=m)
        lim = max(lim, rows.observed_change_pp.abs().max(), rows.model_change_pp.abs().max())
        for code, r in rows.iterrows():
            if abs(r.model_change_pp - r.observed_change_pp) > 2:
                ax.annotate(code, (r.observed_change_pp, r.model_change_pp), fontsize=7)
    ax.plot([-lim, lim], [-lim, lim], color="grey", lw=0.8)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("observed change in share of US imports, points (on a year earlier)")
    ax.set_ylabel("model change, points")
    ax.set_title(f"Partner share changes, every month, best setting ({best.label})")
    ax.legend(fontsize=7, ncol=2)
    figures.append(("Partner share changes", png(fig)))
    plt.close(fig)

    metrics = "".join(
        f"<tr><td>{x['rank']}</td><td>{html.escape(x['label'])}</td><td>{x['mae_pp']:.2f}</td>"
        f"<td>{x['correlation']:.2f}</td><td>{100 * x['sign_agreement']:.0f}%</td>"
        + "".join(f"<td>{x['china_share_error_pp'].get(m, float('nan')):+.2f}</td>" for m in months)
        + "</tr>"
        for x in result.metrics
    )
    misses = "".join(
        f"<li>{html.escape(m['month'])} {html.escape(m['code'])}: model {m['model_change_pp']:+.2f} pp, observed "
        f"{m['observed_change_pp']:+.2f} pp; {html.escape(m['driver'])}; {html.escape(m['likely_cause'])}</li>"
        for m in result.to_dict()["misses"]
    )
    left_out = "".join(f"<li>{html.escape(x)}</li>" for x in result.coverage["left_out"])
    images = "".join(
        f"<h3>{html.escape(t)}</h3><img alt='{html.escape(t)}' src='data:image/png;base64,{d}'/>" for t, d in figures
    )
    header = "".join(f"<th>CHN {html.escape(m)}</th>" for m in months)
    return f"""<h2>Backtest against observed US imports ({html.escape(months[0])} to {html.escape(months[-1])})</h2>
<p>Each month's policy (the steps in force, day-weighted) solved from the baseline at each horizon and US
tariff basis; partner shares of US goods imports against the same month a year earlier, observed and
model (the observed share a year earlier moved by the model's change in imports). Source of the data:
{html.escape(result.observed.source)} (tradewartracker, MIT licence; US Census). Nothing is fitted to these months.</p>
{images}
<h3>Settings ranked by mean absolute error of share changes; China's error by month (model - observed, points)</h3>
<table><tr><th>rank</th><th>setting</th><th>MAE pp</th><th>correlation</th><th>sign agreement</th>{header}</tr>
{metrics}</table>
<h3>Largest misses of the best setting and their likely causes</h3><ul>{misses}</ul>
<h3>Left out</h3><ul>{left_out}</ul>"""
