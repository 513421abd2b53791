"""`tradewar optimal`, `tradewar nash`, `tradewar talks` and `tradewar replicate ossa2014`:
thin shells over `tradewar.games` and `tradewar.replicate.ossa2014_games`."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np
import typer

from tradewar import cli_uncertainty as cu
from tradewar.errors import InputError

DatasetOption = typer.Option(None, "--dataset", help="Dataset name (world2022, cp2015, ossa2014, ...). Default: world2022.")
DataOption = typer.Option(None, "--data", help="Folder of the dataset (default: bundled, or ../shared/data/<name>).")
ModelOption = typer.Option(None, "--model", help="Model (default: ossa on ossa2014, caliendo-parro otherwise).")
MfnOption = typer.Option(False, "--mfn/--discriminatory", help="One tariff per sector for all partners (MFN), or one per partner and sector.")
LowerOption = typer.Option(0.0, "--lower", help="Lower bound on chosen tariffs, percent.")
UpperOption = typer.Option(225.0, "--upper", help="Upper bound on chosen tariffs, percent.")
ObjectiveOption = typer.Option("welfare", "--objective", help="welfare, or government (political-economy weighted, models that define it).")
LambdasOption = typer.Option(None, "--lambdas", help="ossa model: political-economy weights, bas (all 1) or pol (Ossa's LAMBDAPOL).")
JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout instead of tables.")


def _game(dataset, data, model, objective, lambdas):
    from tradewar.api import DEFAULT_DATASET, load_dataset
    from tradewar.games import Game

    dataset = dataset or DEFAULT_DATASET
    model = model or ("ossa" if dataset == "ossa2014" else "caliendo-parro")
    baseline = load_dataset(dataset, data)
    options = {}
    if lambdas is not None:
        if model != "ossa":
            raise InputError(f"--lambdas: only the ossa model has political-economy weights (got model {model})", field="lambdas")
        options["lambdas"] = lambdas
    return Game(model, baseline, objective=objective, **options)


def _bounds(lower: float, upper: float) -> tuple[float, float]:
    if lower <= -100 or upper <= lower:
        raise InputError(f"--lower/--upper: need -100 < lower < upper (got {lower}, {upper}) in percent", field="lower")
    return lower / 100, upper / 100


@contextmanager
def _progress(enabled: bool, what: str):
    """A rich progress display on stderr (stdout stays clean for --json)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from tradewar.cli import err_console

    if not enabled:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console,
                  transient=True) as bar:
        task = bar.add_task(what, total=None)
        yield lambda message: bar.update(task, description=f"{what}: {message}")


def _print(result) -> None:
    from tradewar.cli import console, table

    regions = result.regions()
    cols = ["region", "player", "payoff %", "welfare %", "vs start %", "median tariff %"]
    rows = [
        [code, "yes" if r.player else "", r.payoff_pct, r.welfare_pct, r.gain_vs_start_pct,
         "-" if np.isnan(r.median_tariff_pct) else r.median_tariff_pct]
        for code, r in regions.iterrows()
    ]
    title = f"{result.kind} ({'MFN' if result.mfn else 'discriminatory'}, objective {result.objective}) on {result.baseline.name}"
    console.print(table(title, cols, rows, digits=3))
    c = result.certificate
    extra = f"  largest gain from deviating {c.max_deviation_gain_pct:.2e}%" if c.deviation_gain_pct else ""
    extra += f"  gains spread {c.constraint_residual:.2e}" if c.constraint_residual is not None else ""
    console.print(
        f"converged={result.converged}  first-order residual {c.foc_residual:.2e}{extra}  "
        f"equilibrium residual {c.equilibrium_residual:.2e}  {result.iterations} iterations  {result.seconds:.1f} s"
    )
    for key in ("threat_payoff_pct", "gain_over_war_pct", "negishi_weights", "common_gain_pct"):
        if key in result.details:
            console.print(f"{key}: {result.details[key]}")


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add the commands to the CLI (called once from `tradewar.cli`)."""

    @app.command("optimal")
    def optimal(
        player: str = typer.Option(..., "--player", help="Region code of the player (e.g. USA)."),
        dataset: str | None = DatasetOption,
        data: Path | None = DataOption,
        model: str | None = ModelOption,
        mfn: bool = MfnOption,
        lower: float = LowerOption,
        upper: float = UpperOption,
        objective: str = ObjectiveOption,
        lambdas: str | None = LambdasOption,
        as_json: bool = JsonOption,
        draws: int = cu.DrawsOption,
        seed: int = cu.SeedOption,
        theta_dist: str = cu.ThetaDistOption,
        theta_cv: float = cu.ThetaCvOption,
        workers: int | None = cu.WorkersOption,
        scheduler: str | None = cu.SchedulerOption,
    ):
        """A region's optimal tariffs with every other tariff as it is (with its FOC certificate).

        With --draws N, also solved once per draw of the trade elasticities: p5/p50/p95 bands."""
        from tradewar.games import optimal_tariffs

        if draws:
            cu.check_draw_options(draws, theta_dist, theta_cv)
        game = _game(dataset, data, model, objective, lambdas)
        lo, hi = _bounds(lower, upper)
        with _progress(not as_json, f"optimal tariffs of {player}"):
            result = optimal_tariffs(game, player, mfn=mfn, lower=lo, upper=hi)
        call = {"player": player, "mfn": mfn, "lower": lo, "upper": hi}
        bands = cu.game_bands(game, "optimal", call, draws, seed, theta_dist, theta_cv, workers, scheduler) if draws else None
        cu.emit_game(result, bands, as_json, _print)

    @app.command("nash")
    def nash_cmd(
        players: str = typer.Option("all", "--players", help="Comma-separated region codes, or all."),
        dataset: str | None = DatasetOption,
        data: Path | None = DataOption,
        model: str | None = ModelOption,
        mfn: bool = MfnOption,
        targets: str = typer.Option("all", "--targets", help="Players set tariffs on all partners (all) or on each other only (players)."),
        lower: float = LowerOption,
        upper: float = UpperOption,
        objective: str = ObjectiveOption,
        lambdas: str | None = LambdasOption,
        as_json: bool = JsonOption,
        draws: int = cu.DrawsOption,
        seed: int = cu.SeedOption,
        theta_dist: str = cu.ThetaDistOption,
        theta_cv: float = cu.ThetaCvOption,
        workers: int | None = cu.WorkersOption,
        scheduler: str | None = cu.SchedulerOption,
    ):
        """The Nash equilibrium of a tariff war among the players; everyone else passive.

        With --draws N, also solved once per draw of the trade elasticities: p5/p50/p95 bands."""
        from tradewar.games import nash

        if draws:
            cu.check_draw_options(draws, theta_dist, theta_cv)
        game = _game(dataset, data, model, objective, lambdas)
        lo, hi = _bounds(lower, upper)
        with _progress(not as_json, "Nash tariff war") as progress:
            result = nash(game, players, mfn=mfn, targets=targets, lower=lo, upper=hi, progress=progress)
        call = {"players": players, "mfn": mfn, "targets": targets, "lower": lo, "upper": hi}
        bands = cu.game_bands(game, "nash", call, draws, seed, theta_dist, theta_cv, workers, scheduler) if draws else None
        cu.emit_game(result, bands, as_json, _print)

    @app.command("talks")
    def talks(
        players: str = typer.Option("all", "--players", help="Comma-separated region codes, or all."),
        kind: str = typer.Option("bargaining", "--kind", help="bargaining (Nash bargaining, the war as threat point) or equal-gains (efficient, equal gains for all)."),
        dataset: str | None = DatasetOption,
        data: Path | None = DataOption,
        model: str | None = ModelOption,
        mfn: bool = MfnOption,
        lower: float = LowerOption,
        upper: float = UpperOption,
        objective: str = ObjectiveOption,
        lambdas: str | None = LambdasOption,
        as_json: bool = JsonOption,
    ):
        """Trade talks: a Nash-bargaining deal against the war, or efficient equal-gains tariffs."""
        from tradewar.cli import emit_json
        from tradewar.games import bargaining, equal_gains

        if kind not in ("bargaining", "equal-gains"):
            raise InputError(f"--kind: {kind!r}; use bargaining or equal-gains", field="kind")
        game = _game(dataset, data, model, objective, lambdas)
        lo, hi = _bounds(lower, upper)
        with _progress(not as_json, f"trade talks ({kind})") as progress:
            fn = bargaining if kind == "bargaining" else equal_gains
            result = fn(game, players, mfn=mfn, lower=lo, upper=hi, progress=progress)
        emit_json(result.to_dict()) if as_json else _print(result)

    @replicate_app.command("ossa2014")
    def replicate_ossa2014(
        data: Path | None = typer.Option(None, "--data", help="Folder of the Ossa (2014) data (default: ../shared/data/ossa2014)."),
        table_no: int | None = typer.Option(None, "--table", help="Only this table: 2, 3, 4 or 5 (default: all)."),
        panels: str = typer.Option("a,b", "--panels", help="Panels of Tables 3 and 4: a (no lobbying), b (lobbying)."),
        as_json: bool = JsonOption,
    ):
        """Ossa (2014), Tables 2-5: one cell per published value, computed by the solvers."""
        from tradewar.cli import console, emit_json, table
        from tradewar.replicate.ossa2014 import replicate_table2
        from tradewar.replicate.ossa2014_games import replicate_games

        if table_no is not None and table_no not in (2, 3, 4, 5):
            raise InputError(f"--table: {table_no}; use 2, 3, 4 or 5", field="table")
        chosen = [p.strip() for p in panels.split(",") if p.strip()]
        if not chosen or any(p not in ("a", "b") for p in chosen):
            raise InputError(f"--panels: {panels!r}; use a, b or a,b", field="panels")
        tables = (2, 3, 4, 5) if table_no is None else (table_no,)
        cells, certificates = [], {}
        with _progress(not as_json, "Ossa (2014)") as progress:
            if 2 in tables:
                cells += replicate_table2(data)
            games_tables = tuple(t for t in tables if t != 2)
            if games_tables:
                out = replicate_games(data, tables=games_tables, panels=tuple(chosen), progress=progress)
                cells += out["cells"]
                certificates = out["certificates"]
        cells = [{k: c[k] for k in ("table", "panel", "row", "column", "computed", "published")} for c in cells]
        if as_json:
            emit_json({"title": "Ossa (2014), Trade Wars and Trade Talks with Data", "cells": cells,
                       "certificates": certificates})
            return
        groups: dict = {}
        for c in cells:
            groups.setdefault((c["table"], c["panel"]), []).append(c)
        for (tab, panel), group in groups.items():
            rows = [[c["row"], c["column"], float(c["computed"]), "-" if c["published"] is None else float(c["published"])]
                    for c in group]
            console.print(table(f"{tab} {panel}", ["row", "column", "computed", "published"], rows, digits=2))
        for key, cert in certificates.items():
            console.print(f"{key}: {cert}")
