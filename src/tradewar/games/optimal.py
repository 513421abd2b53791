"""Optimal tariffs: a player's best response to everyone else's tariffs (Ossa 2014, Table 3)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from tradewar.errors import InputError, NotConverged
from tradewar.games.game import Game, check_bounds, start_tariffs
from tradewar.games.kernels import GAME_ADVICE
from tradewar.games.optimise import FOC_TOL, Inner, Problem, maximise
from tradewar.games.results import Certificate, GameResult, make_result


def best_response(
    game: Game,
    player: int,
    tariffs: np.ndarray,
    *,
    mfn: bool = False,
    partners: list[int] | None = None,
    lower=0.0,
    upper=2.25,
    x0: np.ndarray | str | None = None,
) -> tuple[np.ndarray, Inner, Problem]:
    """Player's optimal tariffs given everyone else's (full tariffs in, full tariffs out), the
    optimiser started from ``x0``: instruments, "upper" (the upper bounds) or None (``tariffs``)."""
    groups = game.layout([player], partners, mfn)
    problem = game._problem(groups, tariffs, [player])
    lb = problem.bounds_of(game.bounds_array(lower, "lower"))
    ub = problem.bounds_of(game.bounds_array(upper, "upper"))
    check_bounds(lb, ub)
    start = problem.x_of(tariffs) if x0 is None else ub if isinstance(x0, str) and x0 == "upper" else x0
    inner = maximise(problem, "linear", {"w": np.ones(1)}, start, lb, ub)
    return problem.tariffs(inner.x), inner, problem


def optimal_tariffs(
    game: Game,
    player: str,
    *,
    mfn: bool = False,
    partners: Sequence[str] | None = None,
    lower=0.0,
    upper=2.25,
    start: np.ndarray | None = None,
    foc_tol: float = FOC_TOL,
    check: bool = True,
    starts: Sequence[str] = ("start",),
) -> GameResult:
    """The optimal tariffs of ``player`` with all others at ``start`` (default: the baseline's).

    The optimiser finds a local maximum (certified by its first-order residual). Where the
    objective has several, e.g. government welfare with lobbying weights, ``starts=("start",
    "upper")`` also starts from the upper bounds and keeps the better answer.

    Discriminatory (one tariff per partner and tradable sector) or MFN (one per sector); bounds
    ``lower``/``upper`` in decimals. Raises `NotConverged` if the optimiser stops with a
    first-order residual above ``foc_tol`` (unless ``check=False``: then flagged).
    """
    t0 = time.perf_counter()
    game.evaluations = 0
    start = start_tariffs(game, start)
    n = game.region_index(player, "player")
    part = None if partners is None else game.players_of(partners, "partners")
    best = None
    for name in starts:
        if name not in ("start", "upper"):
            raise InputError(f"starts: {name!r}; use start or upper", field="starts")
        x0 = None if name == "start" else "upper"
        candidate = best_response(game, n, start, mfn=mfn, partners=part, lower=lower, upper=upper, x0=x0)
        if best is None or candidate[1].value > best[1].value:
            best = candidate
    tariffs, inner, problem = best
    converged = inner.foc <= foc_tol
    cert = Certificate(foc_residual=inner.foc, equilibrium_residual=problem.max_residual)
    result = make_result(
        game,
        "optimal",
        [n],
        mfn,
        tariffs,
        start,
        np.asarray(problem.groups) >= 0,
        cert,
        converged,
        inner.iterations,
        t0,
        optimiser_message=inner.message,
    )
    if check and not result.converged:
        raise NotConverged(
            f"optimal tariffs of {player} (first-order conditions)",
            inner.foc,
            inner.iterations,
            foc_tol,
            advice=GAME_ADVICE,
        )
    return result
