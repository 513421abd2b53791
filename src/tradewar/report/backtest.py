"""The backtest section of the HTML report: China's share of US imports by month, observed and
model for each setting; a scatter of partner share changes (model against observed, every month,
best setting); the ranked metrics and the named misses (`tradewar.scenario.backtest`). The figures
are drawn in the report's style (`tradewar.report.figures`: calendar axis, Okabe-Ito palette,
A4 width)."""

from __future__ import annotations

import html

from tradewar.report.figures import (
    FONT_PT,
    format_date_axis,
    month_dates,
    new_figure,
    png_base64,
    region_styles,
)

#: A partner whose model change misses the observed one by more than this (points) is named on
#: the scatter.
NAMED_MISS_PP = 2.0


def china_share_figure(result):
    """China's share of US goods imports by month on a calendar axis: observed (black), observed
    a year earlier (grey, dotted) and the model for each setting (Okabe-Ito styles, the report's
    `region_styles`), at A4 width."""
    months = result.months
    x = month_dates(months)
    first = result.settings[0].label
    china = [result.rows[(first, m)].loc["CHN"] for m in months]
    fig, ax = new_figure(3.4)
    ax.plot(x, [r.observed_share_pct for r in china], color="black", lw=2.2, marker="o", ms=4, label="observed")
    ax.plot(
        x,
        [r.observed_share_pct - r.observed_change_pp for r in china],
        color="#777777",
        lw=1,
        ls=":",
        label="observed, a year earlier",
    )
    styles = region_styles([s.label for s in result.settings])
    for s in result.settings:
        style = styles[s.label]
        ax.plot(
            x,
            [result.rows[(s.label, m)].loc["CHN", "model_share_pct"] for m in months],
            color=style["color"],
            linestyle=style["linestyle"],
            marker=style["marker"],
            ms=3.5,
            lw=1.4,
            label=f"model, {s.label}",
        )
    format_date_axis(ax)
    ax.set_ylabel("China's share of US goods imports, %", fontsize=FONT_PT)
    ax.set_title("China's share of US goods imports by month: observed and model", fontsize=FONT_PT + 1.5, loc="left")
    ax.legend(fontsize=FONT_PT - 0.5, ncol=3, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return fig


def partner_scatter_figure(result):
    """Every partner's change in its share of US imports, model against observed, one point per
    partner and month for the best setting (a style per month from `region_styles`); a partner
    missed by more than `NAMED_MISS_PP` is named at its largest miss (once, so names do not pile
    up)."""
    best = result.best
    fig, ax = new_figure(4.6)
    styles = region_styles(result.months)
    lim = 0.0
    largest_miss = {}  # partner -> (miss, observed, model)
    for m, when in zip(result.months, month_dates(result.months)):
        rows = result.rows[(best.label, m)]
        style = styles[m]
        ax.scatter(
            rows.observed_change_pp,
            rows.model_change_pp,
            color=style["color"],
            marker=style["marker"],
            s=16,
            label=when.strftime("%b %Y"),
        )
        lim = max(lim, rows.observed_change_pp.abs().max(), rows.model_change_pp.abs().max())
        for code, r in rows.iterrows():
            miss = abs(r.model_change_pp - r.observed_change_pp)
            if miss > max(NAMED_MISS_PP, largest_miss.get(code, (0.0,))[0]):
                largest_miss[code] = (miss, r.observed_change_pp, r.model_change_pp)
    for code, (_, observed, model) in largest_miss.items():
        ax.annotate(code, (observed, model), xytext=(3, 3), textcoords="offset points", fontsize=FONT_PT - 1)
    lim *= 1.05
    ax.plot([-lim, lim], [-lim, lim], color="#777777", lw=0.8, label="model = observed")
    ax.axhline(0, color="#999999", lw=0.5)
    ax.axvline(0, color="#999999", lw=0.5)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel(
        "observed change in share of US imports,\npercentage points (on the same month a year earlier)",
        fontsize=FONT_PT,
    )
    ax.set_ylabel("model change, percentage points", fontsize=FONT_PT)
    ax.set_title(f"Partner share changes, every month, best setting ({best.label})", fontsize=FONT_PT + 1.5, loc="left")
    ax.legend(fontsize=FONT_PT - 0.5, frameon=False, loc="upper left", bbox_to_anchor=(1.02, 1))
    return fig


def backtest_section(result) -> str:
    """HTML of the backtest section (module docstring), figures inlined as PNG."""
    months = result.months
    figures = [
        ("China's share of US imports", png_base64(china_share_figure(result))),
        ("Partner share changes", png_base64(partner_scatter_figure(result))),
    ]

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
