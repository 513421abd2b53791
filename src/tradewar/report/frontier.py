"""The Pareto frontier of two players' payoffs with the war, the deal, the Busan policy and the
baseline on it (`tradewar frontier`): a matplotlib figure, written as PNG or as one
self-contained HTML page (image inlined, the points in a table), atomically."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from tradewar.data.files import write_atomic

MARKERS = {
    "war": ("X", "tab:red", "Nash war (threat point)"),
    "deal": ("*", "tab:green", "Nash-bargaining deal"),
    "busan": ("D", "tab:purple", "Busan deal (Nov 10, 2025)"),
    "baseline": ("o", "grey", "baseline (2022 policy)"),
}


def frontier_figure(talks: dict):
    """The figure from `FrontierTalks.to_dict()`: payoffs of the first player on x, the second on y."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a, b = talks["players"]
    fig, ax = plt.subplots(figsize=(7, 5.5))
    xs = [p[a] for p in talks["frontier"]]
    ys = [p[b] for p in talks["frontier"]]
    ax.plot(xs, ys, "-", color="tab:blue", lw=1.5, marker=".", label=f"Pareto frontier ({len(xs)} points)")
    for key, (marker, color, label) in MARKERS.items():
        entry = talks.get(key)
        if entry:
            ax.plot(entry["payoffs"][a], entry["payoffs"][b], marker, color=color, ms=10, label=label, ls="none")
    busan = talks.get("busan")
    if busan and busan.get("deal_from_busan"):
        deal = busan["deal_from_busan"]["payoffs"]
        ax.annotate(
            "", xy=(deal[a], deal[b]), xytext=(busan["payoffs"][a], busan["payoffs"][b]),
            arrowprops={"arrowstyle": "->", "color": "tab:purple", "lw": 1},
        )  # fmt: skip
    ax.axhline(0, color="grey", lw=0.6)
    ax.axvline(0, color="grey", lw=0.6)
    ax.set_xlabel(f"{a}: real income, % change from baseline")
    ax.set_ylabel(f"{b}: real income, % change from baseline")
    ax.set_title(f"{a}-{b} talks over {talks['instruments']} (theta x {talks['theta_scale']:g})")
    ax.legend(fontsize=8, loc="best")
    return fig


def _png_bytes(talks: dict) -> bytes:
    import matplotlib.pyplot as plt

    fig = frontier_figure(talks)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def write_png(talks: dict, path: str | Path) -> Path:
    return write_atomic(path, _png_bytes(talks))


def write_html(talks: dict, path: str | Path) -> Path:
    """One HTML file: the plot and a table of the points."""
    a, b = talks["players"]
    image = base64.b64encode(_png_bytes(talks)).decode()
    rows = []
    for key in ("baseline", "war", "deal", "busan"):
        entry = talks.get(key)
        if entry:
            cert = entry.get("certificate") or {}
            rows.append(
                f"<tr><td>{key}</td><td>{entry['payoffs'][a]:.4f}</td><td>{entry['payoffs'][b]:.4f}</td>"
                f"<td>{_fmt(cert.get('max_deviation_gain_pct'))}</td><td>{_fmt(cert.get('foc_residual'))}</td></tr>"
            )
    rows += [
        f"<tr><td>frontier (w={p['weight']:.3f})</td><td>{p[a]:.4f}</td><td>{p[b]:.4f}</td><td></td>"
        f"<td>{_fmt(p['foc_residual'])}</td></tr>"
        for p in talks["frontier"]
    ]
    title = html.escape(f"{a}-{b}: the war, the deal and the Pareto frontier")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:900px;margin:2em auto}}
td,th{{padding:2px 8px;text-align:right;font-size:12px}} td:first-child{{text-align:left}}
img{{max-width:100%}}</style></head><body>
<h1>{title}</h1>
<p>Dataset {html.escape(talks["dataset"])}; instruments: {html.escape(talks["instruments"])}; trade elasticities x
{talks["theta_scale"]:g}. Payoffs: {html.escape(talks["payoff"])}.</p>
<img alt="frontier" src="data:image/png;base64,{image}"/>
<table><tr><th>point</th><th>{a} %</th><th>{b} %</th><th>largest gain from deviating %</th>
<th>first-order residual</th></tr>
{"".join(rows)}</table></body></html>"""
    return write_atomic(path, page)


def _fmt(value) -> str:
    return "" if value is None else f"{value:.1e}"
