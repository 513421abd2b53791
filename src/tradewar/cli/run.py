"""`tradewar run SCENARIO`: solve every step of a scenario, print it, write the HTML report."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import typer

from tradewar.cli import uncertainty as cu
from tradewar.cli.output import JsonOption, console, emit_json, table, working
from tradewar.errors import InputError
from tradewar.report.summary import (
    add_headline_keys,
    formatted_rows,
    headline_sentences,
    money_unit,
    overview,
)
from tradewar.report.tables import WAR_PARTIES, bilateral_change, diversion, main_regions, welfare_column
from tradewar.scenario.run import run_scenario
from tradewar.scenario.spec import load_scenario, with_dataset


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add `tradewar run` to the CLI (called once from `tradewar.cli`)."""

    @app.command("run")
    def run(
        scenario: str = typer.Argument(
            ..., metavar="SCENARIO", help="A scenario file (TOML) or the name of a bundled scenario."
        ),
        as_json: bool = JsonOption,
        detail: bool = typer.Option(False, "--detail", help="Every step in full: regions, trade, diversion."),
        step: str | None = typer.Option(
            None,
            "--step",
            metavar="N|DATE|TEXT",
            help="One step in full: its number (1 = first), date (2025-04-09) or part of its label.",
        ),
        regions: str = typer.Option(
            "main",
            "--regions",
            metavar="main|all|CODES",
            help="Regions in the detail tables: main (11), all, or codes (USA,CHN,VNM).",
        ),
        report: str | None = typer.Option(
            None,
            "--report",
            metavar="FILE|DIR",
            help="Where to write the HTML report: a file, or a folder (an existing one, or a path ending in /) "
            "for <folder>/<scenario>.html; missing folders are made (default: reports/<scenario>.html).",
        ),
        no_report: bool = typer.Option(False, "--no-report", help="Do not write the HTML report."),
        dataset: str | None = typer.Option(
            None,
            "--dataset",
            metavar="NAME",
            help="Run on this dataset instead of the scenario's [dataset] source (e.g. world2022-full).",
        ),
        mapping: list[str] | None = typer.Option(
            None,
            "--mapping",
            metavar="FILE|NAME",
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

        Prints one overview table (steps down; tariffs, US-China trade, welfare and the US
        headline figures across) and writes an HTML report. With --draws N, also solves every
        step under N draws of the trade elasticities and reports p5/p50/p95 bands."""
        spec = with_dataset(load_scenario(scenario), dataset, mapping)
        chosen = pick_step(spec.steps, step) if step is not None else None
        report_path = None if (as_json or no_report) else report_target(report, scenario)
        if draws:
            cu.check_draw_options(draws, theta_dist, theta_cv, seed)
        bands = lambda: cu.scenario_bands(spec, draws, seed, theta_dist, theta_cv, chunk, workers, scheduler)
        if as_json:
            with working(f"solving {len(spec.steps)} steps"):
                result = run_scenario(spec)
            out = add_headline_keys(result.to_dict(), result)
            emit_json(cu.add_scenario_bands(out, bands()) if draws else out)
            return
        with console.status("solving") as status:
            result = run_scenario(
                spec, progress=lambda k, total, label: status.update(f"step {k + 1}/{total}: {label}")
            )
        shown = region_codes(result.baseline, regions)
        if chosen is not None:
            print_step(result, chosen, shown)
        elif detail:
            print_scenario(result, shown)
        else:
            print_overview(result)
        band_results = bands() if draws else None
        if band_results:  # the step shown (the last one by default); every step with --detail
            titles = [" ".join(x for x in (s.date, s.label) if x) or result.title for s in result.steps]
            k = len(result.steps) - 1 if chosen is None else chosen
            cu.print_bands([b for b in band_results if detail or b[0] == k], titles, shown)
            if not detail and len(result.steps) > 1:
                console.print(
                    "Bands of every step: --detail; the report shades them on its welfare chart.", highlight=False
                )
        if report_path is not None:  # the report's modules (matplotlib, pandas) load only to write one
            from tradewar.report.html import write_html_report
            from tradewar.scenario.backtest import applies_to, run_backtest

            path = report_path
            replaced = path.exists()
            backtest = None
            if applies_to(spec):  # the months observed so far, beside the data (tradewar backtest)
                with console.status("backtest against observed US imports"):
                    backtest = run_backtest(spec)
            with console.status("writing the report"):
                try:
                    write_html_report(result, path, bands=band_results, backtest=backtest)
                except OSError as e:
                    raise InputError(
                        f"--report {report_path}: the report could not be written ({e.strerror or e}); "
                        "pass another path with --report, or --no-report",
                        field="report",
                    ) from e
            console.print(f"report: {path.resolve()}", soft_wrap=True, highlight=False)  # a path: never wrapped
            if replaced:
                console.print("(it replaced the previous report at that path)", highlight=False)


def report_target(report: str | None, scenario: str) -> Path:
    """Where `run` writes its report: `report` itself, or `<report>/<scenario>.html` when it is
    a folder (an existing one, or a path ending in a separator). Checked before anything is
    solved, leaving nothing behind: the path must not be a folder, each existing part of it
    must be a folder, and the deepest existing folder must take a new entry; that is tried (a
    temporary folder made and removed), since permission bits do not tell for root or for
    file systems such as /proc."""
    name = f"{Path(scenario).stem}.html"
    if report is None:
        path = Path("reports") / name
    elif report.endswith(("/", os.sep)) or Path(report).is_dir():
        path = Path(report) / name
    else:
        path = Path(report)
    if path.is_dir():
        raise InputError(
            f"--report {report}: {path} is a folder, not a file; pass a file path (e.g. reports/out.html)",
            field="report",
        )
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(
            f"--report {report}: {folder} is a file, not a folder, so the report cannot go under it; "
            "pass a file path in a folder (e.g. reports/out.html)",
            field="report",
        )
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".tradewar-report-", dir=folder))
    except OSError as e:
        raise InputError(
            f"--report {report}: nothing can be written in the folder {folder} ({e.strerror or e}); "
            "pass a path in a folder you can write to, or --no-report",
            field="report",
        ) from e
    return path


def region_codes(baseline, regions: str) -> list[str]:
    """The regions of the detail tables: 'main', 'all' or a comma-separated list of codes."""
    if regions == "main":
        return main_regions(baseline.regions)
    if regions == "all":
        return list(baseline.regions)
    codes = [c.strip() for c in regions.split(",") if c.strip()]
    for code in codes:
        baseline.region_index(code, "--regions")
    if not codes:
        raise InputError("--regions: empty; use main, all or codes such as USA,CHN", field="--regions")
    return codes


def pick_step(steps, step: str) -> int:
    """The index of the step (of `steps`, each with a date and a label) named by number
    (1 = first), date or part of its label."""
    if step.isdigit() and 1 <= int(step) <= len(steps):
        return int(step) - 1
    matches = [k for k, s in enumerate(steps) if s.date == step] or [
        k for k, s in enumerate(steps) if step.lower() in s.label.lower()
    ]
    if len(matches) == 1:
        return matches[0]
    dates = ", ".join(f"{k + 1} {s.date or ''}".strip() for k, s in enumerate(steps))
    why = "matches several steps" if matches else "matches no step"
    raise InputError(f"--step: {step!r} {why}; use a number 1-{len(steps)} or a date ({dates})", field="--step")


def overview_table(view, width: int):
    """The overview as a rich table no wider than `width`: columns are dropped from the right of
    the welfare group and then the headline group when it does not fit; returns (table, dropped)."""
    from rich import box
    from rich.table import Table

    columns = list(view.columns)
    rows = formatted_rows(view)
    dropped: list[str] = []
    welfare = [c.key for c in reversed(columns) if c.key.startswith("welfare_")]
    droppable = [
        *welfare[:-1],
        "us_cost_per_household_usd",
        "us_imports_from_china_pct",
        "china_tariff_on_us_pct",
        "us_tariff_revenue_usd_bn",
    ]
    while True:
        keep = [k for k, c in enumerate(columns) if c.key not in dropped]
        t = Table(box=box.SIMPLE_HEAD, padding=0, show_edge=False, pad_edge=False)
        for n, k in enumerate(keep):
            t.add_column(columns[k].header, justify="left" if n == 0 else "right", no_wrap=True)
        for row in rows:
            t.add_row(*[row[k] for k in keep])
        need = t.__rich_measure__(console, console.options.update_width(10_000)).maximum
        candidates = [k for k in droppable if k not in dropped and any(c.key == k for c in columns)]
        if need <= width or not candidates:
            return t, [columns[k].header.replace("\n", " ") for k in range(len(columns)) if columns[k].key in dropped]
        dropped.append(candidates[0])


def print_overview(result) -> None:
    """The short answer: the overview table, the US headline and how to get the detail."""
    view = overview(result)
    t, dropped = overview_table(view, console.width)
    model = result.steps[0].equilibrium.model
    console.print(f"{result.title}", highlight=False, style="bold")
    console.print(
        f"{result.baseline.name.split(' (')[0]}, {model}; {len(result.steps)} steps, each solved from the baseline; "
        f"{'all converged' if result.converged else 'NOT ALL CONVERGED'} (largest residual {result.max_residual:.0e}).",
        highlight=False,
    )
    console.print(t)
    if result.horizon is not None:
        console.print(
            f"Steps at the {result.horizon} horizon (US tariffs: {result.tariff_basis})"
            + ("; the last row: the last step in the long run." if result.long_run is not None else "."),
            highlight=False,
        )
    if not any(s.date for s in result.steps):  # undated steps: what each one is
        for k, step in enumerate(result.steps):
            console.print(f"step {k + 1}: {step.label}", highlight=False, overflow="ellipsis", no_wrap=True)
    console.print()
    if dropped:
        console.print(f"Not shown at this width: {', '.join(dropped)}.", highlight=False)
    for sentence in headline_sentences(view):
        console.print(sentence, highlight=False)
    console.print(
        f"Welfare: real income, % from the baseline; tariffs: goods averages at baseline trade"
        f"{'; dollars: README, Headline figures' if view.money else ''}.",
        highlight=False,
    )
    if result.sensitivity:
        print_sensitivity(result)
    console.print(
        "Detail: --step N (one step in full), --detail (every step), --regions all (every region), --json.",
        highlight=False,
    )


#: Columns of the detail tables: (region_summary key, heading with unit); missing keys are skipped.
STEP_COLUMNS = (
    ("real_income_pct", "real income %"),
    ("welfare_pct", "welfare %"),
    ("real_wage_pct", "real wage %"),
    ("exports_pct", "exports %"),
    ("imports_pct", "imports %"),
)


def print_step(result, k: int, codes: list[str]) -> None:
    """One step in full: the regions' outcomes, tariff revenue and trade balance where they
    change, US-China trade, the trade-diversion winners and the solver's diagnostics."""
    step = result.steps[k]
    eq = step.equilibrium
    regions = eq.regions()
    columns = [(key, h) for key, h in STEP_COLUMNS if key in regions.columns]
    if "real_income_pct" in regions.columns:  # CP: show the exact measure, not eq. 16's
        columns = [(key, h) for key, h in columns if key != "welfare_pct"]
    unit = money_unit(eq.baseline)
    scale, money = (unit.dollars / 1e9, "$bn") if unit else (1.0, f"{eq.baseline.name} units")
    frame = regions.loc[codes]
    rows = [[code] + [float(r[key]) for key, _ in columns] for code, r in frame.iterrows()]
    headers = ["region"] + [h for _, h in columns]
    for key, heading in (("tariff_revenue", "tariff revenue"), ("trade_balance", "trade balance")):
        old, new = f"{key}_old", f"{key}_new"
        if new in frame.columns and (frame[new] - frame[old]).abs().max() > 1e-9 * (frame[old].abs().max() + 1):
            headers.append(f"{heading} change {money}")
            for row, (_, r) in zip(rows, frame.iterrows()):
                row.append(float((r[new] - r[old]) * scale))
    title = f"Step {k + 1} of {len(result.steps)}: " + (
        " ".join(x for x in (step.date, step.label) if x) or result.title
    )
    console.print(table(title, headers, rows))
    if len(codes) < len(eq.baseline.regions):
        console.print(f"{len(eq.baseline.regions) - len(codes)} more regions: --regions all", highlight=False)
    if set(WAR_PARTIES) <= set(eq.baseline.regions):
        winners = diversion(eq).head(5)
        console.print(
            f"US imports from China {bilateral_change(eq, 'USA', 'CHN'):+.1f} %, "
            f"China's imports from the US {bilateral_change(eq, 'CHN', 'USA'):+.1f} %; "
            "diversion winners (change in share of US+China imports, points): "
            + ", ".join(f"{c} {r.import_share_change_pp:+.2f}" for c, r in winners.iterrows()),
            highlight=False,
        )
    console.print(
        f"{'converged' if eq.converged else 'NOT converged'}, largest residual {eq.max_residual:.1e}, "
        f"{eq.iterations} Newton iterations\n",
        highlight=False,
    )


def print_scenario(result, codes: list[str]) -> None:
    """Every step in full (`print_step`); after the last step, where it ends in the long run when
    the steps are at a shorter horizon; then the elasticity sensitivity where there is one."""
    if result.horizon is not None:
        console.print(f"horizon: {result.horizon}; US tariffs: {result.tariff_basis}", highlight=False)
    for k in range(len(result.steps)):
        print_step(result, k, codes)
    if result.long_run is not None:
        end = replace(result.long_run, label=f"{result.long_run.label}: in the long run")
        print_step(replace(result, steps=[*result.steps, end]), len(result.steps), codes)
    if result.sensitivity:
        print_sensitivity(result)


def print_sensitivity(result) -> None:
    """The last step's welfare by region for each elasticity of the [sensitivity] table."""
    runs = result.sensitivity
    key = welfare_column(result.steps[-1].equilibrium.regions().columns)
    frames = {theta: steps[-1].equilibrium.regions()[key] for theta, steps in runs.items()}
    codes = main_regions(result.baseline.regions)
    rows = [[code] + [float(frames[t][code]) for t in runs] for code in codes]
    measure = "real income" if key == "real_income_pct" else "welfare"
    title = (
        f"Sensitivity: {measure} % at the last step by the trade elasticity (theta) of "
        f"{', '.join(result.sensitivity_sectors)}"
    )
    console.print()
    console.print(table(title, ["region"] + [f"theta={t:g}" for t in runs], rows, digits=3))
