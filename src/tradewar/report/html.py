"""The HTML report of a solved scenario (the main job's output): one self-contained file.

It opens on the answer: the headline sentences and the overview table
(`tradewar.report.summary`), then the figures (`tradewar.report.figures`): the US and Chinese
average tariffs on each other, the welfare path of the main regions (with the 5th-95th
percentile band over the elasticity draws when `bands` are given), the US headline figures, and
trade diversion at the step of the highest US tariff on China (`tradewar.report.tables.diversion`);
then every step's welfare by region and its residual, the definitions and the data's provenance.
Images are inlined (no network needed); the page is laid out for A4 (print it to PDF from a
browser). Written atomically with mode 0644 (`tradewar.data.files.write_atomic`).
"""

from __future__ import annotations

import html
from pathlib import Path

from tradewar.data.files import write_atomic
from tradewar.report.backtest import backtest_section
from tradewar.report.figures import diversion_figure, panels_figure, path_figure, png_base64, region_styles
from tradewar.report.summary import format_number, headline_sentences, overview
from tradewar.report.tables import WAR_PARTIES, diversion, main_regions, step_labels, welfare_column
from tradewar.scenario.run import ScenarioResult, average_tariff, average_tariff_keys

STYLE = """
@page { size: A4; margin: 15mm; }
body { font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330;
       max-width: 180mm; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 16pt; margin-bottom: .2em; } h2 { font-size: 12pt; margin: 1.4em 0 .4em; }
p.meta { color: #555; margin-top: 0; } p.headline { font-size: 11pt; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 8.5pt; width: 100%; }
th, td { padding: 2px 4px; text-align: right; border-bottom: 1px solid #e3e6ec; vertical-align: bottom; }
th { font-weight: 600; color: #444; } td.date, th.date { white-space: nowrap; text-align: left; }
td.label, th.label { text-align: left; font-size: 8pt; } img { width: 100%; height: auto; }
figure { margin: 0 0 1em; break-inside: avoid; } figcaption { font-size: 8.5pt; color: #555; }
dl { font-size: 9pt; } dt { font-weight: 600; } dd { margin: 0 0 .5em 1em; }
"""


def draw_bands(bands, n_steps: int, codes: list[str], key: str) -> dict | None:
    """{region: (p5 per step, p95 per step)} from `tradewar run --draws` results (a list of
    (step index, DrawsResult)); None unless every step has draws."""
    if not bands or sorted(s for s, _ in bands) != list(range(n_steps)):
        return None
    frames = [res.percentiles() for _, res in sorted(bands, key=lambda sr: sr[0])]
    if f"{key}_p5" not in frames[0].columns:
        return None
    return {
        c: ([float(f.loc[c, f"{key}_p5"]) for f in frames], [float(f.loc[c, f"{key}_p95"]) for f in frames])
        for c in codes
    }


def figures(result: ScenarioResult, bands=None) -> list[tuple[str, str, str]]:
    """(title, caption, base64 PNG) of each figure of the report."""
    steps = result.steps
    codes = main_regions(result.baseline.regions)
    measure = welfare_column(steps[0].equilibrium.regions().columns)
    out = []
    tariffs = [average_tariff_keys(s.equilibrium) for s in steps]
    if tariffs[0]:
        b = result.baseline
        series = {
            "US on CHN": (
                average_tariff(b, b.tariffs, "USA", "CHN"),
                [t["us_tariff_on_china_pct"] for t in tariffs],
            ),
            "CHN on US": (
                average_tariff(b, b.tariffs, "CHN", "USA"),
                [t["china_tariff_on_us_pct"] for t in tariffs],
            ),
        }
        fig = path_figure(
            steps,
            series,
            ylabel="trade-weighted tariff, %",
            title="US and Chinese tariffs on each other",
            styles=region_styles(series),
        )
        out.append(
            (
                "Tariffs",
                (
                    "Goods averages weighted by baseline trade. Each step holds until the next; the "
                    "baseline is drawn before the first step."
                ),
                png_base64(fig),
            )
        )
    band = draw_bands(bands, len(steps), codes, measure)
    panels = [
        (
            c,
            "%" if k % 4 == 0 else "",
            {c: (0.0, [float(s.equilibrium.regions().loc[c, measure]) for s in steps])},
            band and {c: band[c]},
        )
        for k, c in enumerate(codes)
    ]
    fig = panels_figure(steps, panels, ncols=4, panel_height_in=1.45, sharey=True)
    caption = (
        "Real income, % change from the baseline, one panel per region on a common scale: the exact change "
        "in income deflated by the consumer price index."
    )
    if band:
        n = bands[0][1]
        caption += (
            f" Shaded: 5th to 95th percentile over {n.n_draws} draws of the trade elasticities "
            f"({n.distribution}, seed {n.seed})."
        )
    out.append(("Welfare by region", caption, png_base64(fig)))
    view = overview(result)
    if view.money is not None:
        rows = view.rows[: len(steps)]  # the steps (not the long-run row the overview may add)
        first = rows[0]
        prices = {"prices": (0.0, [r["us_consumer_prices_pct"] for r in rows])}
        revenue = {
            "revenue": (
                first["us_tariff_revenue_usd_bn"] - first["us_tariff_revenue_change_usd_bn"],
                [r["us_tariff_revenue_usd_bn"] for r in rows],
            )
        }
        fig = panels_figure(
            steps,
            [
                ("US consumer prices", "% change, relative to US wages", prices, None),
                ("US tariff revenue", f"$bn a year ({view.money.year} dollars)", revenue, None),
            ],
            ncols=2,
            panel_height_in=2.3,
        )
        out.append(
            (
                "US headline figures",
                (
                    "Consumer prices relative to US wages and tariff revenue in each step's "
                    "equilibrium, after trade has adjusted (definitions below)."
                ),
                png_base64(fig),
            )
        )
    if set(WAR_PARTIES) <= set(result.baseline.regions):
        peak = max(steps, key=lambda s: average_tariff_keys(s.equilibrium)["us_tariff_on_china_pct"])
        when = " ".join(x for x in (peak.date, peak.label) if x)
        fig = diversion_figure(diversion(peak.equilibrium), "Trade diversion at the highest US tariff on China")
        out.append(
            (
                "Trade diversion",
                f"Third countries' share of US and Chinese imports at {when}.",
                png_base64(fig),
            )
        )
    return out


def overview_table(result: ScenarioResult) -> str:
    """The overview (steps down, key numbers across) as an HTML table."""
    view = overview(result)
    head = "".join(
        f"<th class='{c.key}'>{'<br>'.join(html.escape(x) for x in c.header.split(chr(10)))}</th>" for c in view.columns
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='{c.key}'>{html.escape(format_number(row.get(c.key), c.digits, c.signed))}</td>"
            for c in view.columns
        )
        + "</tr>"
        for row in view.rows
    )
    return f"<table class='overview'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def steps_table(result: ScenarioResult) -> str:
    """Every step: its date, what it does, and the solver's residual and iterations."""
    dates = step_labels(result.steps)
    rows = "".join(
        f"<tr><td class='date'>{html.escape(dates[k])}</td>"
        f"<td class='label'>{html.escape(s.label)}</td>"
        f"<td>{s.equilibrium.max_residual:.0e}</td><td>{s.equilibrium.iterations}</td></tr>"
        for k, s in enumerate(result.steps)
    )
    return (
        "<table class='steps'><thead><tr><th class='date'>date</th><th class='label'>step</th>"
        f"<th>residual</th><th>iterations</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def welfare_table(result: ScenarioResult) -> str:
    """Welfare of the main regions by step (%)."""
    codes = main_regions(result.baseline.regions)
    measure = welfare_column(result.steps[0].equilibrium.regions().columns)
    head = "".join(f"<th>{c}</th>" for c in codes)
    dates = step_labels(result.steps)
    rows = "".join(
        f"<tr><td class='date'>{html.escape(dates[k])}</td>"
        + "".join(f"<td>{format_number(float(s.equilibrium.regions().loc[c, measure]), 2)}</td>" for c in codes)
        + "</tr>"
        for k, s in enumerate(result.steps)
    )
    return (
        f"<table class='welfare'><thead><tr><th class='date'>date</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


DEFINITIONS = """<dl>
<dt>Welfare, %</dt><dd>The exact change in real income: income (value added, tariff revenue and the
trade deficit) deflated by the consumer price index, from the baseline.</dd>
<dt>Tariffs, %</dt><dd>Trade-weighted averages over goods at baseline trade.</dd>
<dt>US consumer prices, %</dt><dd>The change in the US consumer price index (tariffs included) relative
to US wages: how much more the same basket costs out of an unchanged wage.</dd>
<dt>US cost per household, $ a year</dt><dd>That price change times US final expenditure in the baseline
(households, government and investment: the data do not split them) over the number of US households;
before any use of the tariff revenue.</dd>
<dt>US tariff revenue, $bn a year</dt><dd>Tariff rates times imports in each step's equilibrium, after
trade has adjusted.</dd>
</dl>"""


def write_html_report(result: ScenarioResult, path: str | Path, *, bands=None, backtest=None) -> Path:
    """Write the report of `result` to `path` (module docstring); `bands`: the
    (step, DrawsResult) pairs of `tradewar run --draws` for the shaded intervals; `backtest`: a
    `tradewar.scenario.backtest.BacktestResult`, shown beside the model (observed US imports)."""
    view = overview(result)
    sentences = "".join(f"<p class='headline'>{html.escape(s)}</p>" for s in headline_sentences(view))
    images = "".join(
        f"<figure><h2>{html.escape(t)}</h2><img alt='{html.escape(t)}' src='data:image/png;base64,{d}'/>"
        f"<figcaption>{html.escape(c)}</figcaption></figure>"
        for t, c, d in figures(result, bands)
    )
    money = f"<p class='meta'>Dollar figures: {html.escape(view.money.source)}.</p>" if view.money else ""
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(result.title)}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(result.title)}</h1>
<p class="meta">{html.escape(result.baseline.name)} · {html.escape(result.steps[0].equilibrium.model)} ·
{len(result.steps)} step{"s" if len(result.steps) != 1 else ""}, each a general-equilibrium counterfactual from the
baseline · all converged: {"yes" if result.converged else "NO"} (largest residual {result.max_residual:.0e})</p>
{sentences}
<h2>Overview</h2>
{overview_table(result)}
<h2>Steps</h2>
{steps_table(result)}
{images}
{horizon_note(result)}
<h2>Welfare by step and region, % change from baseline</h2>
{welfare_table(result)}
{backtest_section(backtest) if backtest is not None else ""}
<h2>Definitions</h2>
{DEFINITIONS}
{money}
<p class="meta">Provenance: {html.escape(result.baseline.provenance)}</p>
</body></html>"""
    return write_atomic(path, page)


def horizon_note(result: ScenarioResult) -> str:
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

    def row(label, frame):
        cells = "".join(f"<td>{format_number(float(frame.loc[c, 'real_income_pct']), 3)}</td>" for c in codes)
        return f"<tr><td class='label'>{label}</td>{cells}</tr>"

    return (
        note
        + f"<h2>The last step ({html.escape(result.long_run.label)}): real income %, now and in the long run</h2>"
        + f"<table class='welfare'><thead><tr><th class='label'>horizon</th>{head}</tr></thead>"
        + f"<tbody>{row(html.escape(result.horizon), now)}{row('long run (CP 2015 elasticities)', end)}</tbody></table>"
    )
