"""The command-line side of `tradewar.solver.draws`: the ``--draws N --seed S`` options (with
``--theta-dist``, ``--theta-cv``, ``--chunk``, ``--workers K`` or ``--scheduler ADDRESS``), a rich
progress bar, the percentile keys added to ``--json`` and the band tables.

With ``--draws N`` each region object of ``--json`` also carries ``<output>_p5``, ``_p50`` and
``_p95`` for every output column (``welfare_pct_p5``, ``welfare_pct_p50``, ``welfare_pct_p95``,
``real_wage_pct_p5``, ...), and the result object carries ``draws``, ``seed``,
``theta_distribution``, ``theta_cv``, ``draws_failed`` (the number of failed solves) and
``failed_draws`` (one entry per failed solve: draw, reason, max_residual, iterations, theta by
sector). For a scenario, each step carries its own keys; the top-level ``draws_failed`` counts
the failed solves over all steps and each ``failed_draws`` entry names its ``step``.
"""

from __future__ import annotations

from contextlib import contextmanager

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tradewar.cli.output import console, emit_json, err_console, table

# The draws' modules (games, batch solves, scipy, dask) are imported by the functions that use
# them: `tradewar run` without --draws imports none of them.

DrawsOption = typer.Option(
    0,
    "--draws",
    metavar="N",
    min=0,
    help="Monte Carlo draws of the trade elasticities (0: none); adds p5/p50/p95 bands.",
)
SeedOption = typer.Option(
    0, "--seed", metavar="N", min=0, help="Seed of the draws: the same seed gives the same bands."
)
ThetaDistOption = typer.Option(
    "lognormal",
    "--theta-dist",
    metavar="lognormal|normal|se",
    help="Distribution of each sector's elasticity: lognormal (median = point value), normal "
    "(truncated at 0), or se (normal with the dataset's published standard errors).",
)
ThetaCvOption = typer.Option(
    0.25, "--theta-cv", metavar="CV", help="Coefficient of variation of the draws (lognormal, normal)."
)
ChunkOption = typer.Option(
    None, "--chunk", metavar="N", min=1, help="Draws solved together in one batch (default: as many as memory allows)."
)
WorkersOption = typer.Option(
    None, "--workers", metavar="K", min=1, help="Spread the draws over a local Dask cluster of K processes."
)
SchedulerOption = typer.Option(
    None, "--scheduler", metavar="ADDRESS", help="Spread the draws over a Dask cluster at this address."
)


def check_draw_options(draws: int, theta_dist: str, theta_cv: float, seed: int = 0) -> None:
    """Fail early, before the point solve, on bad --draws/--seed/--theta-dist/--theta-cv values."""
    from tradewar.solver.draws import check_draw_options as check

    check(draws, theta_dist, theta_cv, seed)


@contextmanager
def draws_progress(description: str = "draws"):
    """A rich progress bar on stderr; yields progress(done, total)."""
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def scenario_bands(
    spec,
    draws: int,
    seed: int,
    theta_dist: str,
    theta_cv: float,
    chunk: int | None,
    workers: int | None,
    scheduler: str | None,
):
    """Solve the scenario's steps under `draws` elasticity draws (see `uncertainty.scenario_draws`)."""
    from tradewar.scenario.draws import scenario_draws
    from tradewar.solver.dask import cluster

    with cluster(scheduler=scheduler, workers=workers) as client, draws_progress("elasticity draws") as progress:
        return scenario_draws(
            spec, draws, seed, distribution=theta_dist, cv=theta_cv, chunk_size=chunk, progress=progress, client=client
        )


def add_scenario_bands(out: dict, results) -> dict:
    """Add the percentile keys to `ScenarioResult.to_dict()` (see the module docstring)."""
    failed = []
    for s, res in results:
        step = out["steps"][s]
        step["regions"] = res.add_bands(step["regions"])
        step.update(res.json_keys())
        failed += [{"step": s, **f} for f in res.failed]
    last_step, last = results[-1]
    if last_step == len(out["steps"]) - 1:
        out["regions"] = last.add_bands(out["regions"])
    out.update(last.json_keys())
    out["draws_failed"] = len(failed)
    out["failed_draws"] = failed
    return out


def print_bands(results, step_titles: list[str], codes: list[str] | None = None) -> None:
    """One table per step: welfare (the exact real income where the model has it) and real wage,
    p5 / p50 / p95, for `codes` (default: every region); then the failed draws."""
    for s, res in results:
        pct = res.percentiles()
        if codes is not None:
            pct = pct.loc[[c for c in codes if c in pct.index]]
        welfare, name = (
            ("real_income_pct", "real income %") if "real_income_pct_p5" in pct else ("welfare_pct", "welfare %")
        )
        cols = ["region", f"{name} p5", "p50", "p95", "real wage % p5", "p50", "p95"]
        rows = [
            [code] + [r[f"{k}_p{q}"] for k in (welfare, "real_wage_pct") for q in (5, 50, 95)]
            for code, r in pct.iterrows()
        ]
        console.print(
            table(f"{step_titles[s]}: {res.n_draws} draws of theta ({res.distribution}, seed {res.seed})", cols, rows)
        )
        line = f"draws failed: {res.n_failed} of {res.n_draws}"
        if res.n_failed:
            shown = ", ".join(
                f"#{f['draw']} ({f['reason']}, residual {f['max_residual']:.2g})" for f in res.failed[:10]
            )
            line += f": {shown}" + (" ..." if res.n_failed > 10 else "")
        console.print(line, highlight=False)


def game_bands(
    game,
    kind: str,
    call: dict,
    draws: int,
    seed: int,
    theta_dist: str,
    theta_cv: float,
    workers: int | None,
    scheduler: str | None,
):
    """Play the game once per elasticity draw (see `uncertainty.game_draws`)."""
    from tradewar.games.draws import game_draws, game_elasticity
    from tradewar.solver.dask import cluster
    from tradewar.solver.draws import draw_theta

    thetas = draw_theta(
        game_elasticity(game),
        draws,
        seed,
        distribution=theta_dist,
        cv=theta_cv,
        se=game.baseline.extras.get("theta_se"),
    )
    options = {**game.options, "objective": game.objective, "tol": game.tol}
    with (
        cluster(scheduler=scheduler, workers=workers) as client,
        draws_progress(f"{kind} under elasticity draws") as progress,
    ):
        return game_draws(
            kind,
            game.model,
            game.baseline,
            thetas,
            options=options,
            call=call,
            client=client,
            progress=progress,
            seed=seed,
            distribution=theta_dist,
            cv=None if theta_dist == "se" else theta_cv,
        )


def emit_game(result, bands, as_json: bool, print_result) -> None:
    """Print a game's answer (`GameResult`), with its bands over the draws when there are any."""
    if as_json:
        out = result.to_dict()
        if bands is not None:
            out["regions"] = bands.add_bands(out["regions"])
            out.update(bands.json_keys())
        emit_json(out)
        return
    print_result(result)
    if bands is None:
        return
    pct = bands.percentiles()
    cols = ["region", "payoff p5", "p50", "p95", "welfare p5", "p50", "p95", "median tariff p50"]
    rows = [
        [code]
        + [r[f"{k}_p{q}"] for k in ("payoff_pct", "welfare_pct") for q in (5, 50, 95)]
        + ["-" if r["median_tariff_pct_p50"] != r["median_tariff_pct_p50"] else r["median_tariff_pct_p50"]]
        for code, r in pct.iterrows()
    ]
    console.print(
        table(
            f"{bands.kind}: {bands.n_draws} draws of the elasticities ({bands.distribution}, seed {bands.seed})",
            cols,
            rows,
            digits=3,
        )
    )
    line = f"draws failed: {bands.n_failed} of {bands.n_draws}"
    if bands.n_failed:
        line += ": " + ", ".join(f"#{f['draw']} ({f['reason'][:80]})" for f in bands.failed[:10])
    console.print(line)
