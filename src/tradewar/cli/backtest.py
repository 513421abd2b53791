"""`tradewar backtest SCENARIO`: a dated scenario's months beside observed US imports by partner.

    tradewar backtest us-china-2025 [--horizon short,long] [--basis statutory,collected]
                                    [--observed DIR] [--json]

A thin shell over `tradewar.scenario.backtest.run_backtest` (the formulas and metrics are documented
there). Mistakes give a one-line error and exit status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradewar.cli.output import console, emit_json, table, working
from tradewar.data.observed import load_observed
from tradewar.report.numbers import format_number
from tradewar.scenario.backtest import DEFAULT_HORIZONS, imports_beside, run_backtest
from tradewar.scenario.basis import BASES
from tradewar.scenario.spec import load_scenario, with_dataset


def _values(given: list[str] | None, default) -> tuple[str, ...]:
    """Repeatable, comma-separated option values; the default when none is given."""
    if not given:
        return tuple(default)
    return tuple(v.strip() for item in given for v in item.split(",") if v.strip())


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add `tradewar backtest` to the CLI (called once from `tradewar.cli`)."""

    @app.command("backtest")
    def backtest(
        scenario: Annotated[str, typer.Argument(help="A scenario with dated steps (file or bundled name).")],
        horizon: Annotated[
            list[str] | None,
            typer.Option(
                metavar="HORIZONS",
                help="short, long or a number of months; comma-separated or repeated (default: short,long).",
            ),
        ] = None,
        basis: Annotated[
            list[str] | None,
            typer.Option(
                metavar="BASES",
                help="US tariff basis: statutory, collected; comma-separated or repeated (default: both).",
            ),
        ] = None,
        observed: Annotated[
            Path | None,
            typer.Option(
                metavar="DIR", help="Folder with a newer us_imports_by_partner_monthly.csv (default: the bundled copy)."
            ),
        ] = None,
        dataset: Annotated[
            str | None,
            typer.Option(
                metavar="NAME",
                help="Run on this dataset instead of the scenario's (world2022-full: every partner on its own).",
            ),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print one JSON object on stdout instead of tables.")
        ] = False,
    ):
        """A dated scenario's months beside observed US imports by partner, at each horizon x tariff basis.

        The policy in force in every observed month from January 2025 is solved at every horizon x
        basis, and partner shares of US imports are compared with the data (settings ranked)."""
        spec = with_dataset(load_scenario(scenario), dataset)
        data = load_observed(observed)
        with working("backtest: every observed month at each horizon x basis"):
            result = run_backtest(
                spec, observed=data, horizons=_values(horizon, DEFAULT_HORIZONS), bases=_values(basis, BASES)
            )
        if as_json:
            emit_json(result.to_dict())
            return
        print_backtest(result)


def print_backtest(result) -> None:
    """Ranked settings, China's share path, the goal, the main-job comparison and the misses, each
    table within 80 columns: China's error by month is the difference of the share table's
    columns (model minus observed), so the ranking leaves it to that table and to --json."""
    months = result.months
    console.print(
        table(
            f"{result.scenario}: backtest against observed US imports by partner, {months[0]} to {months[-1]} "
            "(share changes on the same month a year earlier; ranked by mean absolute error)",
            ["rank", "horizon", "basis", "MAE (pp)", "correlation", "sign agreement %"],
            [
                [
                    x["rank"],
                    *result.setting(x["label"]).to_dict().values(),
                    x["mae_pp"],
                    x["correlation"],
                    100 * x["sign_agreement"],
                ]
                for x in result.metrics
            ],
        )
    )
    first = result.settings[0].label
    china = [
        [m, float(result.rows[(first, m)].loc["CHN", "observed_share_pct"])]
        + [float(result.rows[(s.label, m)].loc["CHN", "model_share_pct"]) for s in result.settings]
        for m in months
    ]
    console.print(
        table(
            "China's share of US imports, %: observed, and model by setting (horizon, basis); "
            "model minus observed is China's error",
            ["month", "observed"] + [s.label.replace("/", " ") for s in result.settings],
            china,
        )
    )
    g = result.to_dict()["goal"]
    console.print(
        f"goal (best setting {result.best.label}): China within {g['china_within_pp']:g} pp in "
        f"{', '.join(g['china_errors_pp']) or 'no goal month'}: {'met' if g['china_met'] else 'NOT met'} "
        f"({', '.join(format_number(v, 2) for v in g['china_errors_pp'].values())}); sign agreement "
        f"{100 * g['sign_agreement']:.0f}% of import value (goal {100 * g['sign_agreement_goal']:.0f}%): "
        f"{'met' if g['sign_met'] else 'NOT met'}",
        highlight=False,
    )
    shown = next((s for s in result.settings if s.label == "short/collected"), result.best)
    rows = imports_beside(result, shown)
    keys = [k.removesuffix("_observed_pct") for k in rows[0] if k.endswith("_observed_pct")]
    console.print(
        table(
            f"US imports, % change: observed (on a year earlier) beside model (from baseline), {shown.label}",
            ["month"] + [f"{k} {w}" for k in keys for w in ("obs", "model")],
            [[r["month"]] + [r[f"{k}_{w}_pct"] for k in keys for w in ("observed", "model")] for r in rows],
            digits=1,
        )
    )
    misses = result.to_dict()["misses"]
    by_partner: dict[str, list[dict]] = {}
    for m in sorted(misses, key=lambda m: -abs(m["error_pp"])):
        by_partner.setdefault(m["code"], []).append(m)
    console.print(
        f"largest misses of {result.best.label} and their likely causes, one line per partner (its "
        f"largest miss; the {len(misses)} month-partner misses in full with --json):",
        highlight=False,
    )
    for largest, *others in by_partner.values():
        also = ", ".join(
            f"{x['month']} {format_number(x['error_pp'], 2)}" for x in sorted(others, key=lambda x: x["month"])
        )
        console.print(
            f"  {largest['code']} {largest['month']}: model {format_number(largest['model_change_pp'], 2)} vs "
            f"observed {format_number(largest['observed_change_pp'], 2)} pp; {largest['driver']}; "
            f"{largest['likely_cause']}" + (f"; also missed (model - observed, pp) in {also}" if also else ""),
            markup=False,
            highlight=False,
        )
    for line in result.coverage["left_out"]:
        console.print(f"left out: {line}", markup=False, highlight=False)
