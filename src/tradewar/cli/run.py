"""`tradewar run SCENARIO`: solve every step of a scenario, print it, write the HTML report."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import typer

from tradewar.cli import uncertainty as cu
from tradewar.cli.output import JsonOption, console, emit_json, table
from tradewar.errors import InputError
from tradewar.report.html import write_html_report
from tradewar.report.tables import WAR_PARTIES, bilateral_change, diversion, main_regions, welfare_column
from tradewar.scenario.backtest import applies_to, run_backtest
from tradewar.scenario.run import run_scenario
from tradewar.scenario.spec import load_scenario, with_dataset


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add `tradewar run` to the CLI (called once from `tradewar.cli`)."""

    @app.command("run")
    def run(
        scenario: str = typer.Argument(..., help="A scenario file (TOML) or the name of a bundled scenario."),
        as_json: bool = JsonOption,
        report: str | None = typer.Option(
            None,
            "--report",
            help="Where to write the HTML report: a file, or a folder (an existing one, or a path ending in /) "
            "for <folder>/<scenario>.html; missing folders are made (default: reports/<scenario>.html).",
        ),
        no_report: bool = typer.Option(False, "--no-report", help="Do not write the HTML report."),
        dataset: str | None = typer.Option(
            None,
            "--dataset",
            help="Run on this dataset instead of the scenario's [dataset] source (e.g. world2022-full).",
        ),
        mapping: list[str] | None = typer.Option(
            None,
            "--mapping",
            help="Aggregate the dataset first: a mapping CSV or a bundled mapping's name (tradewar data mappings); "
            "repeatable. Replaces the scenario's [dataset] mapping.",
        ),
        draws: int = cu.DrawsOption,
        seed: int = cu.SeedOption,
        theta_dist: str = cu.ThetaDistOption,
        theta_cv: float = cu.ThetaCvOption,
        chunk: int | None = cu.ChunkOption,
        workers: int | None = cu.WorkersOption,
        scheduler: str | None = cu.SchedulerOption,
    ):
        """Solve every step of a scenario in general equilibrium and show what it does.

        With --draws N, also solve every step under N draws of the trade elasticities and report
        p5/p50/p95 bands (see tradewar.cli.uncertainty for the --json keys)."""
        spec = with_dataset(load_scenario(scenario), dataset, mapping)
        report_path = None if (as_json or no_report) else report_target(report, scenario)
        if draws:
            cu.check_draw_options(draws, theta_dist, theta_cv, seed)
        bands = lambda: cu.scenario_bands(spec, draws, seed, theta_dist, theta_cv, chunk, workers, scheduler)
        if as_json:
            out = run_scenario(spec).to_dict()
            emit_json(cu.add_scenario_bands(out, bands()) if draws else out)
            return
        with console.status("solving") as status:
            result = run_scenario(
                spec, progress=lambda k, total, label: status.update(f"step {k + 1}/{total}: {label}")
            )
        print_scenario(result)
        if draws:
            titles = [" ".join(x for x in (s.date, s.label) if x) or result.title for s in result.steps]
            cu.print_bands(bands(), titles)
        if report_path is not None:
            backtest = None
            if applies_to(spec):  # the months observed so far, beside the data (tradewar backtest)
                with console.status("backtest against observed US imports"):
                    backtest = run_backtest(spec)
            try:
                path = write_html_report(result, report_path, backtest)
            except OSError as e:
                raise InputError(
                    f"--report {report_path}: the report could not be written ({e.strerror or e}); "
                    "pass another path with --report, or --no-report",
                    field="report",
                ) from e
            console.print(f"report: {path.resolve()}")


def report_target(report: str | None, scenario: str) -> Path:
    """Where `run` writes its report: `report` itself, or `<report>/<scenario>.html` when it is
    a folder (an existing one, or a path ending in a separator). Checked before anything is
    solved, without creating anything: each existing part of the path must be a folder, and the
    deepest existing folder writable."""
    name = f"{Path(scenario).stem}.html"
    if report is None:
        path = Path("reports") / name
    elif report.endswith(("/", os.sep)) or Path(report).is_dir():
        path = Path(report) / name
    else:
        path = Path(report)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(
            f"--report {report}: {folder} is a file, not a folder, so the report cannot go under it; "
            "pass a file path in a folder (e.g. reports/out.html)",
            field="report",
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(
            f"--report {report}: the folder {folder} is not writable; pass a path in a folder you can write to, "
            "or --no-report",
            field="report",
        )
    return path


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
    """Per step: the main regions' outcomes, US-China trade and the trade-diversion winners;
    after the last step, where it ends in the long run when the steps are at a shorter horizon."""
    if result.horizon is not None:
        console.print(f"horizon: {result.horizon} (tradewar.models.horizon); US tariffs: {result.tariff_basis}")
    shown = list(result.steps)
    if result.long_run is not None:
        shown.append(replace(result.long_run, label=f"{result.long_run.label}: in the long run"))
    for step in shown:
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
    runs = result.sensitivity
    key = welfare_column(result.steps[-1].equilibrium.regions().columns)
    frames = {theta: steps[-1].equilibrium.regions()[key] for theta, steps in runs.items()}
    codes = main_regions(result.baseline.regions)
    rows = [[code] + [float(frames[t][code]) for t in runs] for code in codes]
    title = f"Sensitivity of {key} (last step) to the trade elasticity of {', '.join(result.sensitivity_sectors)}"
    console.print(table(title, ["region"] + [f"theta={t:g}" for t in runs], rows, digits=3))
