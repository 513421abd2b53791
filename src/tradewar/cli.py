"""The `tradewar` command line: a thin shell over `tradewar.api`.

User mistakes (`InputError`) and solver failures (`NotConverged`) print one line on stderr and
exit with status 2 (1 for non-convergence); never a traceback. With ``--json`` a command prints
exactly one JSON object on stdout and nothing else there.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from tradewar import cli_uncertainty as cu
from tradewar.errors import InputError, NotConverged, TradewarError

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__.splitlines()[0])
replicate_app = typer.Typer(no_args_is_help=True, help="Reproduce published tables; computed values come from the solvers.")
app.add_typer(replicate_app, name="replicate")

console = Console()
err_console = Console(stderr=True)

DataOption = typer.Option(None, "--data", help="Folder of the replication data (default: ../shared/data/<name>).")
JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout instead of tables.")


def emit_json(obj: dict) -> None:
    """Print one JSON object on stdout (NaN and infinities become null)."""

    def clean(x):
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [clean(v) for v in x]
        return x

    sys.stdout.write(json.dumps(clean(obj)) + "\n")


def table(title: str, columns: list[str], rows: list[list], *, digits: int = 2) -> Table:
    """A rich table; floats formatted with `digits` decimals."""
    t = Table(title=title, title_justify="left")
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
    for row in rows:
        t.add_row(*[f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row])
    return t


@replicate_app.command("cp2015")
def replicate_cp2015(
    data: Optional[Path] = DataOption,
    as_json: bool = JsonOption,
    deficits: bool = typer.Option(False, "--deficits", help="Table A4: the 1993 data with deficits held fixed."),
):
    """Caliendo and Parro (2015), Table 2 (NAFTA's tariff reductions), or Table A4 with --deficits."""
    from tradewar.replicate.cp2015 import replicate

    result = replicate(data, with_deficits=deficits)
    if as_json:
        emit_json(result)
        return
    cols = ["region", "welfare", "(paper)", "terms of trade", "(paper)", "volume of trade", "(paper)", "real wage", "(paper)"]
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
        f"converged={result['converged']}  max residual={result['max_residual']:.2e}  "
        f"iterations={result['iterations']}  (changes in %)"
    )


@app.command("run")
def run(
    scenario: str = typer.Argument(..., help="A scenario file (TOML) or the name of a bundled scenario."),
    as_json: bool = JsonOption,
    report: Optional[Path] = typer.Option(
        None, "--report", help="Where to write the HTML report (default: reports/<scenario>.html)."
    ),
    no_report: bool = typer.Option(False, "--no-report", help="Do not write the HTML report."),
    draws: int = cu.DrawsOption,
    seed: int = cu.SeedOption,
    theta_dist: str = cu.ThetaDistOption,
    theta_cv: float = cu.ThetaCvOption,
    chunk: Optional[int] = cu.ChunkOption,
    workers: Optional[int] = cu.WorkersOption,
    scheduler: Optional[str] = cu.SchedulerOption,
):
    """Solve every step of a scenario in general equilibrium and show what it does.

    With --draws N, also solve every step under N draws of the trade elasticities and report
    p5/p50/p95 bands (see tradewar.cli_uncertainty for the --json keys)."""
    from tradewar.api import run_scenario
    from tradewar.scenario import load_scenario

    spec = load_scenario(scenario)
    if draws:
        cu.check_draw_options(draws, theta_dist, theta_cv)
    bands = lambda: cu.scenario_bands(spec, draws, seed, theta_dist, theta_cv, chunk, workers, scheduler)  # noqa: E731
    if as_json:
        out = run_scenario(spec).to_dict()
        emit_json(cu.add_scenario_bands(out, bands()) if draws else out)
        return
    with console.status("solving") as status:
        result = run_scenario(spec, progress=lambda k, total, label: status.update(f"step {k + 1}/{total}: {label}"))
    print_scenario(result)
    if draws:
        titles = [" ".join(x for x in (s.date, s.label) if x) or result.title for s in result.steps]
        cu.print_bands(bands(), titles)
    if not no_report:
        from tradewar.report import write_html_report

        path = write_html_report(result, report or Path("reports") / f"{Path(scenario).stem}.html")
        console.print(f"report: {path.resolve()}")


#: Columns of the per-step table: (region_summary key, heading); missing keys are skipped.
STEP_COLUMNS = (
    ("real_income_pct", "real income %"),
    ("welfare_pct", "welfare %"),
    ("real_wage_pct", "real wage %"),
    ("exports_pct", "exports %"),
    ("imports_pct", "imports %"),
    ("trade_balance_new", "trade balance"),
)


def print_scenario(result) -> None:
    """Per step: the main regions' outcomes, US-China trade and the trade-diversion winners."""
    from tradewar.report import WAR_PARTIES, bilateral_change, diversion, main_regions

    for step in result.steps:
        eq = step.equilibrium
        regions = eq.regions()
        columns = [(k, h) for k, h in STEP_COLUMNS if k in regions.columns]
        if "real_income_pct" in regions.columns:  # CP: show the exact measure, not eq. 16's
            columns = [(k, h) for k, h in columns if k != "welfare_pct"]
        shown = regions.loc[main_regions(regions.index)]
        rows = [[code] + [float(r[k]) for k, _ in columns] for code, r in shown.iterrows()]
        title = " ".join(x for x in (step.date, step.label) if x) or result.title
        console.print(table(title, ["region"] + [h for _, h in columns], rows))
        if set(WAR_PARTIES) <= set(eq.baseline.regions):
            winners = diversion(eq).head(5)
            console.print(
                f"US imports from China {bilateral_change(eq, 'USA', 'CHN'):+.1f}%, "
                f"China's imports from the US {bilateral_change(eq, 'CHN', 'USA'):+.1f}%;  "
                "diversion winners (share of US+China imports): "
                + ", ".join(f"{c} {r.import_share_change_pp:+.2f}pp" for c, r in winners.iterrows())
            )
        console.print(f"converged={eq.converged}  max residual={eq.max_residual:.2e}  iterations={eq.iterations}\n")
    if result.sensitivity:
        print_sensitivity(result)


def print_sensitivity(result) -> None:
    """The last step's welfare by region for each elasticity of the [sensitivity] table."""
    from tradewar.report import main_regions

    runs = result.sensitivity
    key = "real_income_pct" if "real_income_pct" in result.steps[-1].equilibrium.regions().columns else "welfare_pct"
    frames = {theta: steps[-1].equilibrium.regions()[key] for theta, steps in runs.items()}
    codes = main_regions(result.baseline.regions)
    rows = [[code] + [float(frames[t][code]) for t in runs] for code in codes]
    title = f"Sensitivity of {key} (last step) to the trade elasticity of {', '.join(result.sensitivity_sectors)}"
    console.print(table(title, ["region"] + [f"theta={t:g}" for t in runs], rows, digits=3))


# Further commands register themselves here (one import line each).
from tradewar.cli_gravity import register as _register_gravity  # noqa: E402

_register_gravity(app, replicate_app)
from tradewar import cli_libday  # noqa: E402

cli_libday.register(app, replicate_app)
from tradewar import cli_data  # noqa: E402

cli_data.register(app, replicate_app)
from tradewar import cli_web  # noqa: E402

cli_web.register(app, replicate_app)
from tradewar import cli_games  # noqa: E402

cli_games.register(app, replicate_app)


def main() -> None:
    try:
        app(standalone_mode=False)
    except InputError as e:
        err_console.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2)
    except NotConverged as e:
        err_console.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(1)
    except TradewarError as e:
        err_console.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(1)
    except Exception as e:  # click's usage errors and aborts
        import click

        if isinstance(e, click.exceptions.ClickException):
            e.show()
            raise SystemExit(e.exit_code)
        if isinstance(e, click.exceptions.Abort):
            raise SystemExit(130)
        raise


if __name__ == "__main__":
    main()
