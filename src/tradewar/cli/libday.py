"""`tradewar replicate liberation-day`: Ignatenko et al. (2025), Tables 1, 2, 3 and 11 (main model)."""

from __future__ import annotations

from pathlib import Path

import typer

from tradewar.cli.output import console, emit_json, table
from tradewar.replicate.liberation_day import replicate

DataOption = typer.Option(
    None, "--data", metavar="DIR", help="Folder of the BACI 2023 data (default: ../shared/data/recent/baci2023_libday)."
)
JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout instead of tables.")


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add the command to the CLI (called once from `tradewar.cli`)."""

    @replicate_app.command("liberation-day")
    def replicate_liberation_day(data: Path | None = DataOption, as_json: bool = JsonOption):
        """Ignatenko, Lashkaripour, Macedoni & Simonovska (2025): the Liberation Day tariffs on 194 countries."""
        if as_json:
            emit_json(replicate(data))
            return
        with console.status("solving six equilibria on 194 countries"):
            result = replicate(data)
        groups: dict[tuple[str, str], list] = {}
        for c in result["cells"]:
            groups.setdefault((c["table"], c["case"]), []).append(c)
        for (tab, case), cells in groups.items():
            rows = []
            for c in cells:
                pub = "-" if c["published"] is None else f"{c['published']:.{c['decimals']}f}"
                ok = "" if c["published"] is None else ("yes" if c["matches"] else "NO")
                rows.append([c["row"], c["column"], float(c["computed"]), pub, ok])
            console.print(table(f"{tab}: {case}", ["row", "column", "computed", "published", "match"], rows, digits=3))
        r = result["rates"]
        console.print(
            f"USTR import-weighted average tariff {100 * r['ustr_import_weighted_average']:.1f}%, optimal US tariff "
            f"{100 * r['optimal_us_tariff']:.1f}% (Table 2: {100 * r['optimal_us_tariff_table2']:.1f}%), optimal "
            "retaliation "
            f"{100 * r['optimal_retaliation_rate']:.1f}%; nu = {result['parameters']['nu_nonUS']:.4f} (non-US) / "
            f"{result['parameters']['nu_US']:.4f} (US)"
        )
        alt = result["alternatives"]
        console.print(
            f"The paper text's versions (not the published tables): US welfare with MEX at 10% "
            f"{alt['us_welfare_mexico_10pct']:.2f}%, with transfers from the model identity "
            f"{alt['us_welfare_transfers_identity']:.2f}%"
        )
        console.print("Where the paper's text and its published numbers differ, the published numbers are followed:")
        for note in result["notes"]:
            console.print(f"- {note}", markup=False, highlight=False)
        console.print(
            f"converged={result['converged']}  max residual={result['max_residual']:.2e}  "
            f"all published cells matched to the printed rounding: {result['matches_published']}  (changes in %)"
        )
