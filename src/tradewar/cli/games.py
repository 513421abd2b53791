"""`tradewar optimal`, `tradewar nash`, `tradewar talks` and `tradewar replicate ossa2014`:
thin shells over `tradewar.games` and `tradewar.replicate.ossa2014_games`."""

from __future__ import annotations

import functools
import inspect
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from tradewar.cli import uncertainty as cu
from tradewar.cli.output import console, emit_json, err_console, table
from tradewar.data.registry import DEFAULT_DATASET, load_dataset
from tradewar.errors import InputError
from tradewar.games import Game, bargaining, equal_gains, nash, optimal_tariffs
from tradewar.games import compare as tc
from tradewar.games.compare import table_rows
from tradewar.games.deals import THREATS, deal_talks, threat_tariffs
from tradewar.games.optimise import uses_newton
from tradewar.models.horizon import Horizon, parse_horizon
from tradewar.replicate.ossa2014 import replicate_table2
from tradewar.replicate.ossa2014_games import replicate_games
from tradewar.report.numbers import format_number

DatasetOption = typer.Option(
    None, "--dataset", metavar="NAME", help="Dataset name (world2022, cp2015, ossa2014, ...). Default: world2022."
)
DataOption = typer.Option(
    None, "--data", metavar="DIR", help="Folder of the dataset (default: bundled, or ../shared/data/<name>)."
)
ModelOption = typer.Option(
    None, "--model", metavar="NAME", help="Model (default: ossa on ossa2014, caliendo-parro otherwise)."
)
MfnOption = typer.Option(
    False, "--mfn/--discriminatory", help="One tariff per sector for all partners (MFN), or one per partner and sector."
)
LowerOption = typer.Option(0.0, "--lower", metavar="PCT", help="Lower bound on chosen tariffs, percent.")
UpperOption = typer.Option(225.0, "--upper", metavar="PCT", help="Upper bound on chosen tariffs, percent.")
ObjectiveOption = typer.Option(
    "welfare",
    "--objective",
    metavar="welfare|government",
    help="welfare, or government (political-economy weighted, models that define it).",
)
LambdasOption = typer.Option(
    None,
    "--lambdas",
    metavar="bas|pol",
    help="ossa model: political-economy weights, bas (all 1) or pol (Ossa's LAMBDAPOL).",
)
JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout instead of tables.")


def _game(dataset, data, model, objective, lambdas, check=None, horizon: Horizon | None = None):
    """The game of the options; ``horizon`` (not the long run) scales the trade elasticities
    (`tradewar.models.horizon`, Caliendo-Parro only, as the web API's games)."""
    dataset = dataset or DEFAULT_DATASET
    model = model or ("ossa" if dataset == "ossa2014" else "caliendo-parro")
    if horizon is not None and horizon.months is not None and model != "caliendo-parro":
        raise InputError(
            f"--horizon: {horizon.label} needs the caliendo-parro model (got {model}); use --horizon long",
            field="horizon",
        )
    baseline = load_dataset(dataset, data)
    if check is not None:
        check(baseline)
    options = {}
    if horizon is not None and horizon.months is not None:
        options["theta"] = horizon.theta(baseline.theta)
    if lambdas is not None:
        if model != "ossa":
            raise InputError(
                f"--lambdas: only the ossa model has political-economy weights (got model {model})", field="lambdas"
            )
        options["lambdas"] = lambdas
    return Game(model, baseline, objective=objective, **options)


#: Best responses a Nash war (or the war of trade talks) plays per player, at least: two rounds
#: (the second finds that no tariff moves) and the certificate's two restarts (`tradewar.games.nash`).
NASH_BEST_RESPONSES = 4
#: Maximisations of a deal in trade talks over both players' tariffs: the deal and the certificate's
#: restarts (`tradewar.games.optimise.feasible_starts`).
DEAL_MAXIMISATIONS = 3
#: Seconds of one evaluation (equilibrium and adjoint) per trade flow x unknown on 2 cores: 1.4 s on
#: world2022-full (320,000 flows x 8,080 unknowns; the US's MFN tariffs, load 4, 2026-11-30).
SECONDS_PER_EVALUATION_UNIT = 5.4e-10
#: Evaluations of one maximisation by projected Newton (`tradewar.games.optimise.maximise`): about
#: this many line-search solves plus one Krylov solve per tariff for the Hessian. World2022-full,
#: the US's 50 MFN tariffs from the baseline: 128 solves + 50 (4 min with the compile, load 4).
NEWTON_EVALUATIONS = 150
#: ... and by L-BFGS-B, per tariff: cp2015's 600 discriminatory optimal tariffs of the US took 8
#: min on 2 cores (2026-11-30), 9,200 evaluations at cp2015's 0.052 s.
LBFGS_EVALUATIONS_PER_TARIFF = 15
#: The longest game the CLI plays, in estimated minutes on 2 cores (`game_minutes`): the MFN
#: US-China war on world2022-full, the largest game measured (benchmarks/bench_world2022_full.py
#: --games), is within it.
GAME_MINUTES_LIMIT = 45


def game_minutes(b, tariffs: int, maximisations: int) -> float:
    """Estimated minutes on 2 cores of ``maximisations`` maximisations over ``tariffs`` instruments
    each, on baseline ``b``: evaluations (`NEWTON_EVALUATIONS` plus one per tariff by projected
    Newton; `LBFGS_EVALUATIONS_PER_TARIFF` per tariff by L-BFGS-B) x the cost of one, which grows
    with the trade flows (each Jacobian product) and the unknowns (Krylov iterations per solve).
    A proxy fitted to the measurements cited at the constants, not a model."""
    unknowns = b.n_regions * (2 * b.n_sectors + 1)
    flows = b.n_regions**2 * b.n_sectors
    by_newton = uses_newton(tariffs, unknowns, "linear")
    evaluations = NEWTON_EVALUATIONS + tariffs if by_newton else LBFGS_EVALUATIONS_PER_TARIFF * tariffs
    return maximisations * evaluations * flows * unknowns * SECONDS_PER_EVALUATION_UNIT / 60


def _check_size(b, players: str, mfn: bool, targets: str = "all", kind: str = "nash") -> float:
    """The game's estimated minutes (`game_minutes`), or a one-line InputError with its size when
    they exceed `GAME_MINUTES_LIMIT` (`b`: the game's baseline; `kind`: "optimal" plays one best
    response, "nash" `NASH_BEST_RESPONSES` per player, "talks" those and `DEAL_MAXIMISATIONS` over
    both players' tariffs)."""
    codes = b.regions if players == "all" else [c.strip() for c in players.split(",") if c.strip()]
    sectors = int(b.tradable.sum())
    partners = len(codes) - 1 if targets == "players" else b.n_regions - 1
    remedies = [
        remedy
        for remedy, applies in (
            ("use --mfn", not mfn),
            ("--targets players", kind == "nash" and targets == "all" and not mfn),
            ("fewer players", len(codes) > 2),
        )
        if applies
    ]
    return check_game_size(
        b,
        "MFN" if mfn else f"discriminatory ({partners} partners x {sectors} sectors)",
        sectors if mfn else partners * sectors,
        1 if kind == "optimal" else NASH_BEST_RESPONSES * len(codes),
        DEAL_MAXIMISATIONS if kind == "talks" else 0,
        len(codes),
        remedies,
    )


def check_game_size(b, tariffs, per_player, responses, deals, players, remedies=()) -> float:
    """Estimated minutes of a game of ``responses`` best responses over ``per_player`` tariffs
    (described as ``tariffs``) and ``deals`` maximisations over all ``players``' tariffs, or a
    one-line InputError naming the game's size, its estimate and the ``remedies`` beyond
    `GAME_MINUTES_LIMIT`."""
    minutes = game_minutes(b, per_player, responses) + game_minutes(b, per_player * players, deals)
    if minutes > GAME_MINUTES_LIMIT:
        unknowns = b.n_regions * (2 * b.n_sectors + 1)
        flows = b.n_regions**2 * b.n_sectors
        fix = ", ".join([*remedies, "or aggregate first"]) if remedies else "aggregate first"
        deal = f" and {deals} maximisations of a deal over {per_player * players:,} tariffs" if deals else ""
        raise InputError(
            f"players: {tariffs} tariffs on {b.name} are {per_player:,} tariffs per player over an equilibrium of "
            f"{unknowns:,} unknowns ({flows:,} trade flows), {responses} best response{'s' * (responses > 1)}"
            f"{deal}: about {_duration(minutes)} on 2 cores, beyond the {GAME_MINUTES_LIMIT} min the CLI plays "
            f"(GAME_MINUTES_LIMIT); {fix} (--dataset world2022, or --mapping)",
            field="players",
        )
    return minutes


def _duration(minutes: float) -> str:
    return f"{minutes:,.0f} min" if minutes < 600 else f"{minutes / 60:,.0f} h"


def _about(minutes: float) -> str:
    """The progress display's note of a long game's estimated time (none under a minute)."""
    return f" (about {_duration(minutes)} on 2 cores)" if minutes >= 1 else ""


def _bounds(lower: float, upper: float) -> tuple[float, float]:
    if lower <= -100 or upper <= lower:
        raise InputError(f"--lower/--upper: need -100 < lower < upper (got {lower}, {upper}) in percent", field="lower")
    return lower / 100, upper / 100


@contextmanager
def _progress(enabled: bool, what: str):
    """A rich progress display on stderr (stdout stays clean for --json); none where stderr is
    not a terminal (rich would only leave a blank line there, e.g. before a one-line error)."""
    if not enabled or not err_console.is_terminal:
        yield None
        return
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console, transient=True
    ) as bar:
        task = bar.add_task(what, total=None)
        yield lambda message: bar.update(task, description=f"{what}: {message}")


#: Per-player details of cooperative answers, shown as columns: (details key, heading), the
#: heading naming the threat point of bargaining (`threat`: war, or the --threat used).
DETAIL_COLUMNS = (
    ("threat_payoff_pct", "{threat} (threat) %"),
    ("gain_over_war_pct", "gain over {threat} %"),
    ("negishi_weights", "Negishi weight"),
)


def _print(result, threat: str = "war") -> None:
    """The game's answer as one table: every region's welfare, the players' payoff where it
    differs from welfare, the gain over the starting tariffs where it differs from that, the
    median tariff and the cooperative details by player (headed by the `threat` point of
    bargaining: the war, or the --threat named); then the certificate in one line."""
    regions = result.regions()
    shown = lambda key: [format_number(v, 3) for v in regions[key]]  # as the table prints them
    columns = [("welfare_pct", "welfare %")]
    if shown("payoff_pct") != shown("welfare_pct"):
        columns.insert(0, ("payoff_pct", f"payoff ({result.objective}) %"))
    if shown("gain_vs_start_pct") != shown("welfare_pct"):
        columns.append(("gain_vs_start_pct", "vs start %"))
    details = [
        (key, heading.format(threat=threat))
        for key, heading in DETAIL_COLUMNS
        if isinstance(result.details.get(key), dict)
    ]
    rows = []
    for code, r in regions.iterrows():
        row = [code + (" *" if r.player else "")] + [float(r[key]) for key, _ in columns]
        row.append("-" if np.isnan(r.median_tariff_pct) else float(r.median_tariff_pct))
        row += [result.details[key].get(code, "") for key, _ in details]
        rows.append(row)
    headings = ["region", *[h for _, h in columns], "median tariff %", *[h for _, h in details]]
    title = (
        f"{result.kind} ({'MFN' if result.mfn else 'discriminatory'}, objective {result.objective}) "
        f"on {result.baseline.name}; * = player"
    )
    console.print(table(title, headings, rows, digits=3))
    c = result.certificate
    if c.deviation_gain_pct:
        extra = f", largest gain from deviating {c.max_deviation_gain_pct:.1e} %"
    elif result.kind == "bargaining":
        extra = ", no deviation certificate (no other feasible start)"
    else:
        extra = ""
    extra += f", gains spread {c.constraint_residual:.1e}" if c.constraint_residual is not None else ""
    console.print(
        f"{'converged' if result.converged else 'NOT converged'}: first-order residual {c.foc_residual:.1e}{extra}, "
        f"equilibrium residual {c.equilibrium_residual:.1e}; {result.iterations} iterations, {result.seconds:.1f} s",
        highlight=False,
    )
    if "common_gain_pct" in result.details:
        console.print(f"common gain of the players: {result.details['common_gain_pct']:+.3f} %", highlight=False)


def print_certificates(certificates: dict) -> None:
    """The solvers' certificates of a replication ({table/panel: {game: certificate}}), one row
    per game (not a Python dict)."""
    rows = []
    for group, games in certificates.items():
        for game, cert in games.items():
            gain = cert.get("max_deviation_gain_pct")
            rows.append(
                [
                    f"{group} {game}",
                    "yes" if cert.get("converged") else "NO",
                    f"{cert['foc_residual']:.1e}",
                    f"{cert['equilibrium_residual']:.1e}",
                    "-" if gain is None else f"{gain:.1e}",
                    f"{cert.get('seconds', float('nan')):.1f}",
                ]
            )
    if not rows:
        return
    headings = ["game", "converged", "FOC residual", "eq. residual", "max deviation gain %", "seconds"]
    console.print(table("Certificates", headings, rows))


@dataclass(frozen=True)
class GameArgs:
    """The options every game command shares (see `_game_options`), as one value."""

    dataset: str | None
    data: Path | None
    model: str | None
    mfn: bool
    lower: float
    upper: float
    objective: str
    lambdas: str | None
    as_json: bool
    draws: int = 0
    seed: int = 0
    theta_dist: str = "lognormal"
    theta_cv: float = 0.25
    workers: int | None = None
    scheduler: str | None = None

    def game(self, check=None, horizon: Horizon | None = None):
        """The game (its elasticities at ``horizon``); `check(baseline)` runs first (before the
        model is set up)."""
        return _game(self.dataset, self.data, self.model, self.objective, self.lambdas, check, horizon)

    def bounds(self) -> tuple[float, float]:
        return _bounds(self.lower, self.upper)


#: (parameter, annotation, typer option) shared by `optimal`, `nash` and `talks`; the draw
#: options by `optimal` and `nash` only.
_SHARED = (
    ("dataset", str | None, DatasetOption),
    ("data", Path | None, DataOption),
    ("model", str | None, ModelOption),
    ("mfn", bool, MfnOption),
    ("lower", float, LowerOption),
    ("upper", float, UpperOption),
    ("objective", str, ObjectiveOption),
    ("lambdas", str | None, LambdasOption),
    ("as_json", bool, JsonOption),
)
_DRAWS = (
    ("draws", int, cu.DrawsOption),
    ("seed", int, cu.SeedOption),
    ("theta_dist", str, cu.ThetaDistOption),
    ("theta_cv", float, cu.ThetaCvOption),
    ("workers", int | None, cu.WorkersOption),
    ("scheduler", str | None, cu.SchedulerOption),
)


def _game_options(*, draws: bool):
    """Decorator: append the shared options (and the draw options) to a command's own ones and
    hand them to it as one `GameArgs` in the parameter ``args``. Typer reads the signature set
    here, so every command keeps the same flags (names, defaults, help) as written out by hand."""
    shared = _SHARED + (_DRAWS if draws else ())

    def decorate(fn):
        own = [p for p in inspect.signature(fn, eval_str=True).parameters.values() if p.name != "args"]
        extra = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=opt, annotation=ann)
            for name, ann, opt in shared
        ]

        @functools.wraps(fn)
        def command(**kwargs):
            args = GameArgs(**{name: kwargs.pop(name) for name, _, _ in shared})
            return fn(args=args, **kwargs)

        command.__signature__ = inspect.Signature(own + extra)
        command.__annotations__ = {p.name: p.annotation for p in own + extra}
        del command.__wrapped__  # typer must see this signature, not fn's
        return command

    return decorate


def _play(kind: str, args: GameArgs, what: str, solve, call: dict, players: tuple[str, str]) -> None:
    """The common run of `optimal` and `nash`: check the draw options, build the game, check the
    players (``(codes, field)``, before the progress display starts), play it under a progress
    display, add the elasticity bands with --draws, print or emit JSON.
    ``solve(game, lower, upper, progress)`` plays the game; ``call`` holds the game's own
    arguments for the draws (bounds are added here)."""
    if args.draws:
        cu.check_draw_options(args.draws, args.theta_dist, args.theta_cv, args.seed)
    estimate = {}
    game = args.game(
        lambda b: estimate.update(minutes=_check_size(b, players[0], args.mfn, call.get("targets", "all"), kind))
    )
    lo, hi = args.bounds()
    game.players_of(*players)
    with _progress(not args.as_json, what + _about(estimate["minutes"])) as progress:
        result = solve(game, lo, hi, progress)
    call = {**call, "mfn": args.mfn, "lower": lo, "upper": hi}
    bands = (
        cu.game_bands(
            game, kind, call, args.draws, args.seed, args.theta_dist, args.theta_cv, args.workers, args.scheduler
        )
        if args.draws
        else None
    )
    cu.emit_game(result, bands, args.as_json, _print)


def _print_beside(beside: dict) -> None:
    step = beside["step"]
    title = (
        f"Beside {beside['scenario']} step {step['number']} "
        f"({' '.join(x for x in (step['date'], step['label']) if x)}): "
        "trade-weighted goods tariffs at baseline trade, welfare = exact real income (welfare_hat), %"
    )
    headings, rows = table_rows(beside)
    console.print(table(title, headings, rows, digits=3))
    other = beside.get("step_with_all_instruments")
    if other:
        shown = ", ".join(f"{p} {other['welfare_pct'][p]:+.3f}%" for p in beside["players"])
        console.print(f"step with its {' and '.join(other['instruments'][1:])} too: welfare {shown}")
    for note in beside["notes"]:
        console.print(f"note: {note}")


def _print_horizon(horizon: Horizon) -> None:
    """The elasticities' horizon, where it is not the long run (the data's own)."""
    if horizon.months is not None:
        console.print(
            f"horizon: {horizon.label} (trade elasticities x {horizon.response_share:.2f} of the long run)",
            highlight=False,
        )


def _print_threat_point(point: dict) -> None:
    """The threat, the signed deal and the model's deal side by side (`tradewar.games.deals`)."""
    a, b = point["threat"]["payoff_pct"]
    rows = []
    for key, name in (("threat", "threat"), ("signed", "signed deal"), ("deal", "model's deal")):
        col = point[key]
        tariffs = col["tariffs_pct"]
        rows.append(
            [
                name,
                tariffs[f"{a}_on_{b}"],
                tariffs[f"{b}_on_{a}"],
                col["payoff_pct"][a],
                col["payoff_pct"][b],
                col["gain_over_threat_pct"][a],
                col["gain_over_threat_pct"][b],
            ]
        )
    headings = [
        "point",
        f"{a} tariff on {b} %",
        f"{b} tariff on {a} %",
        f"{a} payoff %",
        f"{b} payoff %",
        f"{a} gain over threat %",
        f"{b} gain over threat %",
    ]
    title = (
        f"{point['scenario']}: threat = {point['name']} (step {point['threat_step']}), "
        f"signed = step {point['signed_step']}; "
        f"tariffs trade-weighted at baseline trade; payoff = {point['payoff']}"
    )
    console.print(table(title, headings, rows, digits=3))


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add the commands to the CLI (called once from `tradewar.cli`)."""

    @app.command("optimal")
    @_game_options(draws=True)
    def optimal(
        player: str = typer.Option(..., "--player", metavar="CODE", help="Region code of the player (e.g. USA)."),
        args: GameArgs = None,
    ):
        """A region's optimal tariffs with every other tariff as it is (with its FOC certificate).

        With --draws N, also solved once per draw of the trade elasticities: p5/p50/p95 bands."""
        _play(
            "optimal",
            args,
            f"optimal tariffs of {player}",
            lambda game, lo, hi, progress: optimal_tariffs(game, player, mfn=args.mfn, lower=lo, upper=hi),
            {"player": player},
            (player, "player"),
        )

    @app.command("nash")
    @_game_options(draws=True)
    def nash_cmd(
        players: str = typer.Option("all", "--players", metavar="CODES", help="Comma-separated region codes, or all."),
        targets: str = typer.Option(
            "players",
            "--targets",
            metavar="players|all",
            help="Players set tariffs on each other only (players, as the web API; seconds) or on every "
            "partner (all: a much larger game, minutes).",
        ),
        args: GameArgs = None,
    ):
        """The Nash equilibrium of a tariff war among the players; everyone else passive.

        With --draws N, also solved once per draw of the trade elasticities: p5/p50/p95 bands."""
        _play(
            "nash",
            args,
            "Nash tariff war",
            lambda game, lo, hi, progress: nash(
                game, players, mfn=args.mfn, targets=targets, lower=lo, upper=hi, progress=progress
            ),
            {"players": players, "targets": targets},
            (players, "players"),
        )

    @app.command("talks")
    @_game_options(draws=False)
    def talks(
        players: str = typer.Option("all", "--players", metavar="CODES", help="Comma-separated region codes, or all."),
        kind: str = typer.Option(
            "bargaining",
            "--kind",
            metavar="bargaining|equal-gains",
            help="bargaining (Nash bargaining, the war as threat point) or equal-gains (efficient, equal gains for "
            "all).",
        ),
        beside: str | None = typer.Option(
            None,
            "--beside",
            metavar="SCENARIO[:STEP]",
            help="SCENARIO[:STEP]: set the war, the deal and the tariffs of a scenario step (default: its last; "
            "STEP is a step number, date or part of its label) side by side, e.g. us-china-2025:2025-11-10.",
        ),
        threat: str = typer.Option(
            "war",
            "--threat",
            metavar="war|april-2025",
            help="The threat point of bargaining: the players' Nash tariff war, or april-2025 (the US and one "
            "Asia-tour partner, JPN, KOR, MYS, THA or VNM: the April 2025 rates, with the deal signed in 2025 "
            "beside the model's; scenario asia-tour-deals).",
        ),
        horizon: str = typer.Option(
            "long",
            "--horizon",
            metavar="long|short|MONTHS",
            help="Trade elasticities at this horizon: long, short (one year) or months (caliendo-parro).",
        ),
        args: GameArgs = None,
    ):
        """Trade talks: a Nash-bargaining deal against the war, or efficient equal-gains tariffs.

        With --beside, also the players' average tariffs on each other and welfare in the war, the
        deal and a scenario step (with --json: under the key beside). With --threat april-2025,
        the threat point is the April 2025 rates and the signed deal is shown beside the model's
        (with --json: under the key threat_point). --horizon short plays every game at one-year
        elasticities (with --json: the key horizon)."""
        if kind not in ("bargaining", "equal-gains"):
            raise InputError(f"--kind: {kind!r}; use bargaining or equal-gains", field="kind")
        if threat != "war":
            if threat not in THREATS:
                raise InputError(f"--threat: {threat!r}; use war or {', '.join(THREATS)}", field="threat")
            if kind != "bargaining" or beside is not None:
                raise InputError(f"--threat {threat}: only with --kind bargaining and without --beside", field="threat")
        chosen = parse_horizon(horizon, "--horizon")
        game = args.game(lambda b: _check_size(b, players, args.mfn, "players", "talks"), chosen)
        lo, hi = args.bounds()
        game.players_of(players)
        if threat != "war":
            threat_tariffs(game, [c.strip() for c in players.split(",") if c.strip()], threat)  # fail early
            with _progress(not args.as_json, "trade talks (bargaining)") as progress:
                talks_ = deal_talks(game, players, threat, mfn=args.mfn, lower=lo, upper=hi, progress=progress)
            if args.as_json:
                emit_json({**talks_.deal.to_dict(), "threat_point": talks_.to_dict(), "horizon": chosen.label})
                return
            _print(talks_.deal, threat=threat)
            _print_threat_point(talks_.to_dict())
            _print_horizon(chosen)
            return
        step = None
        if beside is not None:
            step = tc.resolve_step(beside, game, args.dataset or DEFAULT_DATASET)  # fail before any game runs
        war = None
        with _progress(not args.as_json, f"trade talks ({kind})") as progress:
            if kind == "bargaining":
                if step is not None:  # the threat point, kept to show its tariffs
                    if progress:
                        progress("threat point: the tariff war")
                    war = nash(game, players, mfn=args.mfn, targets="players", lower=lo, upper=hi, progress=progress)
                result = bargaining(game, players, mfn=args.mfn, lower=lo, upper=hi, threat=war, progress=progress)
            else:
                result = equal_gains(game, players, mfn=args.mfn, lower=lo, upper=hi, progress=progress)
            if step is not None:
                if progress:
                    progress(f"{step.scenario} step {step.number}")
                columns = {"baseline": None}
                if war is not None:
                    columns["war"] = tc.game_column(war)
                columns["deal"] = tc.game_column(result)
                columns["step"] = tc.evaluate_step(game, step)
                side = tc.beside_dict(game, list(result.players), step, columns, war=war)
        if args.as_json:
            out = {**result.to_dict(), "horizon": chosen.label}
            if step is not None:
                out["beside"] = side
            emit_json(out)
            return
        _print(result)
        if step is not None:
            _print_beside(side)
        _print_horizon(chosen)

    @replicate_app.command("ossa2014")
    def replicate_ossa2014(
        data: Path | None = typer.Option(
            None, "--data", metavar="DIR", help="Folder of the Ossa (2014) data (default: ../shared/data/ossa2014)."
        ),
        table_no: int | None = typer.Option(
            None, "--table", metavar="N", help="Only this table: 2, 3, 4 or 5 (default: all)."
        ),
        panels: str = typer.Option(
            "a,b", "--panels", metavar="a,b", help="Panels of Tables 3 and 4: a (no lobbying), b (lobbying)."
        ),
        as_json: bool = JsonOption,
    ):
        """Ossa (2014), Tables 2-5: one cell per published value, computed by the solvers."""
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
            emit_json(
                {
                    "title": "Ossa (2014), Trade Wars and Trade Talks with Data",
                    "cells": cells,
                    "certificates": certificates,
                }
            )
            return
        groups: dict = {}
        for c in cells:
            groups.setdefault((c["table"], c["panel"]), []).append(c)
        for (tab, panel), group in groups.items():
            rows = [
                [c["row"], c["column"], float(c["computed"]), "-" if c["published"] is None else float(c["published"])]
                for c in group
            ]
            console.print(table(f"{tab} {panel}", ["row", "column", "computed", "published"], rows, digits=2))
        print_certificates(certificates)
