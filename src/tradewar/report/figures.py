"""The report's figures: calendar-time paths of a scenario's steps, drawn for an A4 page.

Every step is a policy in force from its date until the next step's date; the last one is drawn
as in force for `tail_days(dates)` after its date (a twelfth of the scenario's span, at least
30 days), so that the end state has width on the chart, and a scenario of one step gets a chart
too. Steps without dates are placed one unit apart ("step k"). The baseline is drawn before the
first step. Monthly data (the backtest, `tradewar.report.backtest`) go on the same calendar axis
(`month_dates`, `format_date_axis`).

Colours: the Okabe-Ito palette (Okabe and Ito 2008, "Color Universal Design"), readable by
readers with any of the common colour-vision deficiencies; regions past its seven colours
(yellow is left out: too light on white) repeat a colour with a dashed line and another marker,
and every line is labelled at its right end, so no region depends on colour alone. Figures are
7 inches wide (A4 less 2 cm margins) with 8-point text or larger at that size.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

#: Okabe-Ito colours (without yellow), in order of use.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: Width of a figure in inches: an A4 page (8.27 in) less 2 cm margins.
A4_WIDTH_IN = 7.0
FONT_PT = 8.5


def region_styles(codes) -> dict[str, dict]:
    """A line style per name (region codes; also the tariff series, the backtest's settings and
    months): colour, marker and dashes, distinct for up to 14 names (in the order given)."""
    styles = {}
    for k, code in enumerate(codes):
        styles[code] = {
            "color": OKABE_ITO[k % len(OKABE_ITO)],
            "marker": MARKERS[k % len(MARKERS)] if k < len(OKABE_ITO) else MARKERS[(k + 3) % len(MARKERS)],
            "linestyle": "-" if k < len(OKABE_ITO) else (0, (4, 2)),
        }
    return styles


def step_dates(steps) -> list[dt.date] | None:
    """The steps' dates, or None (the axis is then the step number) when a step has none or two
    share a date (alternatives, as in liberation-day, are not a sequence in time)."""
    if not all(s.date for s in steps) or len({s.date for s in steps}) < len(steps):
        return None
    try:
        return [dt.date.fromisoformat(s.date) for s in steps]
    except ValueError:
        return None


def tail_days(dates: list[dt.date]) -> int:
    """How long the last step is drawn in force: a twelfth of the span, at least 30 days."""
    span = (dates[-1] - dates[0]).days if len(dates) > 1 else 0
    return max(30, span // 12)


def step_axis(steps):
    """(x of each step, x where the baseline starts, x where the last step ends, is_dates)."""
    dates = step_dates(steps)
    if dates is None:
        xs = list(range(1, len(steps) + 1))
        return xs, 0.4, len(steps) + 0.6, False
    tail = dt.timedelta(days=tail_days(dates))
    return dates, dates[0] - tail / 2, dates[-1] + tail, True


def new_figure(height_in: float, ncols: int = 1, sharex: bool = True):
    """A figure of A4 width with the report's font size; (figure, axes)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(A4_WIDTH_IN, height_in), layout="constrained")
    axes = fig.subplots(1, ncols, sharex=sharex) if ncols > 1 else fig.subplots()
    for ax in np.atleast_1d(axes):
        ax.tick_params(labelsize=FONT_PT)
        ax.grid(axis="y", color="#e5e5e5", lw=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes


def month_dates(months: list[str]) -> list[dt.date]:
    """The first day of each "YYYY-MM" month: monthly data on the calendar axis, each point at
    the tick that names its month."""
    return [dt.date.fromisoformat(f"{m}-01") for m in months]


def format_date_axis(ax) -> None:
    """Calendar ticks (months, with the year once) on the x axis."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def format_time_axis(ax, steps, is_dates: bool) -> None:
    """Months on a calendar axis; step numbers otherwise."""
    if is_dates:
        format_date_axis(ax)
    else:
        ax.set_xticks(range(1, len(steps) + 1), [f"step {k}" for k in range(1, len(steps) + 1)])


def held_path(xs, start, end, baseline_value, values):
    """x and y of a step path: the baseline from `start`, each value from its step's x until
    the next, the last until `end` (for `ax.step(..., where="post")`)."""
    return [start, *xs, end], [baseline_value, *values, values[-1]]


def mark_steps(ax, xs, values, style) -> None:
    """Markers at the dates a step takes effect."""
    ax.plot(xs, values, linestyle="none", marker=style["marker"], color=style["color"], markersize=4)


def label_line_ends(ax, end, finals: dict[str, float], styles: dict[str, dict]) -> None:
    """Each line's name at its right end, moved apart vertically so that labels do not overlap
    (call after the axes' limits are final)."""
    lo, hi = ax.get_ylim()
    points_per_unit = ax.bbox.height * 72 / ax.figure.dpi / (hi - lo)
    gap = (FONT_PT + 1) / points_per_unit
    placed: list[float] = []
    for code, y in sorted(finals.items(), key=lambda kv: kv[1]):
        y_text = max(y, placed[-1] + gap) if placed else y
        placed.append(y_text)
        ax.annotate(
            code,
            (end, y),
            xytext=(4, (y_text - y) * points_per_unit),
            textcoords="offset points",
            va="center",
            fontsize=FONT_PT - 0.5,
            color=styles[code]["color"],
            annotation_clip=False,
        )


def draw_paths(
    ax,
    steps,
    series: dict[str, tuple[float, list[float]]],
    styles: dict[str, dict],
    bands: dict[str, tuple[list[float], list[float]]] | None = None,
) -> None:
    """Step paths over calendar time on `ax`: `series` maps a name to (baseline value, value per
    step); `bands` maps a name to (low per step, high per step), drawn as shaded intervals."""
    xs, start, end, is_dates = step_axis(steps)
    for name, (base, values) in series.items():
        style = styles[name]
        x, y = held_path(xs, start, end, base, values)
        ax.step(x, y, where="post", color=style["color"], linestyle=style["linestyle"], lw=1.5, label=name)
        mark_steps(ax, xs, values, style)
        if bands and name in bands:
            low, high = bands[name]
            xb, yl = held_path(xs, xs[0], end, low[0], low)
            _, yh = held_path(xs, xs[0], end, high[0], high)
            ax.fill_between(xb, yl, yh, step="post", color=style["color"], alpha=0.2, lw=0)
    ax.axhline(0, color="#666666", lw=0.7)
    ax.set_xlim(start, end)
    format_time_axis(ax, steps, is_dates)


def path_figure(
    steps,
    series: dict[str, tuple[float, list[float]]],
    *,
    ylabel: str,
    title: str,
    styles: dict[str, dict],
    height_in: float = 3.2,
):
    """One panel of step paths (`draw_paths`), each line named at its right end."""
    fig, ax = new_figure(height_in)
    draw_paths(ax, steps, series, styles)
    ax.set_ylabel(ylabel, fontsize=FONT_PT)
    ax.set_title(title, fontsize=FONT_PT + 1.5, loc="left")
    fig.canvas.draw()  # the labels are placed in the final axes coordinates
    label_line_ends(ax, step_axis(steps)[2], {n: v[-1] for n, (_, v) in series.items()}, styles)
    return fig


def panels_figure(
    steps,
    panels: list[tuple[str, str, dict, dict | None]],
    *,
    ncols: int,
    panel_height_in: float,
    sharey: bool = False,
):
    """Small multiples: one panel per (title, y label, series, bands) (`draw_paths`), `ncols` to a
    row; a region's welfare in its own panel needs no colour to be told apart."""
    from matplotlib.figure import Figure

    nrows = -(-len(panels) // ncols)
    fig = Figure(figsize=(A4_WIDTH_IN, panel_height_in * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False)).ravel()
    for ax, (title, ylabel, series, bands) in zip(axes, panels):
        ax.tick_params(labelsize=FONT_PT - 1)
        ax.grid(axis="y", color="#e5e5e5", lw=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        draw_paths(
            ax,
            steps,
            series,
            {n: {"color": OKABE_ITO[0], "marker": "o", "linestyle": "-"} for n in series},
            bands,
        )
        ax.set_title(title, fontsize=FONT_PT, loc="left", fontweight="bold")
        if ylabel:
            ax.set_ylabel(ylabel, fontsize=FONT_PT - 1)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    return fig


def diversion_figure(winners, title: str, top: int = 12):
    """Change in the war parties' import shares by third country (percentage points): gains in
    blue, losses in vermillion (Okabe-Ito), values printed at the bars."""
    shown = winners["import_share_change_pp"].head(top)
    fig, ax = new_figure(0.3 * len(shown) + 0.9)
    ax.grid(False)
    ax.grid(axis="x", color="#e5e5e5", lw=0.6)
    values = shown.values[::-1]
    colors = np.where(values >= 0, OKABE_ITO[0], OKABE_ITO[1])
    ax.barh(shown.index[::-1], values, color=colors)
    for k, v in enumerate(values):
        ax.annotate(
            f"{v:+.2f}",
            (v, k),
            xytext=(3 if v >= 0 else -3, 0),
            textcoords="offset points",
            ha="left" if v >= 0 else "right",
            va="center",
            fontsize=FONT_PT - 0.5,
        )
    ax.axvline(0, color="#666666", lw=0.7)
    ax.set_xlabel("change in share of US and Chinese imports, percentage points", fontsize=FONT_PT)
    ax.set_title(title, fontsize=FONT_PT + 1.5, loc="left")
    ax.margins(x=0.15)
    return fig


def png_base64(fig, dpi: int = 150) -> str:
    """The figure as a base64 PNG (for an inline <img>)."""
    import base64
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode()
