"""`tradewar replicate cp2015`: Caliendo and Parro (2015), Table 2 or Table A4 (the other papers'
replications register with their command groups)."""

from __future__ import annotations

from pathlib import Path

import typer

from tradewar.cli.output import DataOption, JsonOption, console, emit_json, table, working
from tradewar.replicate.cp2015 import replicate


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add `tradewar replicate cp2015` to the CLI (called once from `tradewar.cli`)."""

    @replicate_app.command("cp2015")
    def replicate_cp2015(
        data: Path | None = DataOption,
        as_json: bool = JsonOption,
        deficits: bool = typer.Option(False, "--deficits", help="Table A4: the 1993 data with deficits held fixed."),
    ):
        """Caliendo and Parro (2015), Table 2 (NAFTA's tariff reductions), or Table A4 with --deficits."""
        with working("solving the NAFTA counterfactual"):
            result = replicate(data, with_deficits=deficits)
        if as_json:
            emit_json(result)
            return
        cols = [
            "region",
            "welfare %",
            "paper",
            "terms of trade %",
            "paper",
            "volume of trade %",
            "paper",
            "real wage %",
            "paper",
        ]
        rows = []
        for r in result["regions"]:
            pub = r.get("published", {})
            rows.append(
                [r["code"]]
                + [
                    x
                    for key in ("welfare_pct", "terms_of_trade_pct", "volume_of_trade_pct", "real_wage_pct")
                    for x in (r[key], pub.get(key, "-"))
                ]
            )
        console.print(table(result["title"], cols, rows))
        console.print(
            f"{'converged' if result['converged'] else 'NOT converged'}, "
            f"largest residual {result['max_residual']:.1e}, {result['iterations']} Newton iterations; "
            "paper: the published values",
            highlight=False,
        )
