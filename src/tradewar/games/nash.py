"""Nash tariff wars: every player's tariffs a best response to the others' (Ossa 2014, Table 4)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

import numpy as np

from tradewar.errors import InputError, NotConverged
from tradewar.games.game import Game, Progress, start_tariffs
from tradewar.games.kernels import GAME_ADVICE
from tradewar.games.optimal import best_response
from tradewar.games.optimise import FOC_TOL, maximise, projected_gradient
from tradewar.games.results import Certificate, GameResult, make_result

#: Default tolerance of the Nash iteration on tariffs (largest change in a round, decimals).
NASH_TOL = 1e-7
#: Default tolerance on the largest gain from deviating (percent): at a Nash equilibrium, any
#: player's payoff; at a Nash-bargaining deal, the Nash product. Issue 13's bar.
DEVIATION_TOL = 1e-6


def nash(
    game: Game,
    players: Sequence[str] | str | None = None,
    *,
    mfn: bool = False,
    targets: Literal["all", "players"] = "all",
    lower=0.0,
    upper=2.25,
    start: np.ndarray | None = None,
    tol: float = NASH_TOL,
    max_rounds: int = 60,
    foc_tol: float = FOC_TOL,
    deviation_tol: float = DEVIATION_TOL,
    certify: bool = True,
    check: bool = True,
    progress: Progress | None = None,
) -> GameResult:
    """The Nash equilibrium of a tariff war among ``players`` (default: all regions); everyone
    else stays passive at ``start`` (default: baseline tariffs).

    Each player chooses its tariffs on every partner (``targets="all"``, as in Ossa's worldwide
    war) or on the other players only (``targets="players"``, e.g. a US-China war that leaves
    tariffs on third countries alone); MFN tariffs apply to every partner. Solved by
    Gauss-Seidel best responses with warm starts until no tariff moves by more than ``tol`` in a
    round. The certificate re-solves each best response from two starting points and reports
    the largest gain from deviating (``deviation_tol``); ``foc_tol`` bounds every player's
    first-order residual evaluated at the final tariffs.
    """
    t0 = time.perf_counter()
    game.evaluations = 0
    idx = game.players_of(players)
    if targets not in ("all", "players"):
        raise InputError(f"targets: {targets!r}; use 'all' or 'players'", field="targets")
    partners = None if targets == "all" else idx
    start = start_tariffs(game, start)
    tariffs = start.copy()
    warm: dict[int, np.ndarray] = {}
    chosen = np.zeros(tariffs.shape, dtype=bool)
    iterations, change, residual = 0, np.inf, 0.0
    foc = {}
    for rnd in range(1, max_rounds + 1):
        before = tariffs.copy()
        for n in idx:
            if progress:
                progress(f"round {rnd}: best response of {game.baseline.regions[n]}")
            new, inner, problem = best_response(
                game, n, tariffs, mfn=mfn, partners=partners, lower=lower, upper=upper, x0=warm.get(n)
            )
            warm[n] = inner.x
            chosen |= np.asarray(problem.groups) >= 0
            tariffs = new
            iterations += inner.iterations
            residual = max(residual, problem.max_residual)
            foc[n] = inner.foc
        change = float(np.max(np.abs(tariffs - before)))
        if change <= tol:
            break
    # FOCs of every player at the final tariffs (the last round's earlier movers saw slightly
    # different opponents): evaluate each projected gradient at the answer.
    foc_final = {}
    deviation = {}
    for n in idx:
        groups = game.layout([n], partners, mfn)
        problem = game._problem(groups, tariffs, [n])
        lb = problem.bounds_of(game.bounds_array(lower, "lower"))
        ub = problem.bounds_of(game.bounds_array(upper, "upper"))
        x = problem.x_of(tariffs)
        u, jac = problem(x)
        foc_final[n] = float(np.max(np.abs(projected_gradient(x, jac[0], lb, ub))))
        if certify:
            if progress:
                progress(f"certificate: best response of {game.baseline.regions[n]}")
            best = -np.inf
            for x0 in (x, problem.x_of(start)):
                inner = maximise(problem, "linear", {"w": np.ones(1)}, x0, lb, ub)
                best = max(best, inner.value)
            deviation[game.baseline.regions[n]] = max(0.0, 100 * (np.exp((best - u[0]) / 100) - 1))
    cert = Certificate(
        foc_residual=max(foc_final.values()),
        equilibrium_residual=residual,
        deviation_gain_pct=deviation if certify else None,
    )
    converged = (
        change <= tol and cert.foc_residual <= foc_tol and (not certify or cert.max_deviation_gain_pct <= deviation_tol)
    )
    result = make_result(
        game,
        "nash",
        idx,
        mfn,
        tariffs,
        start,
        chosen,
        cert,
        converged,
        iterations,
        t0,
        rounds=rnd,
        last_change=change,
        targets=targets,
    )
    if check and not result.converged:
        raise NotConverged(
            f"Nash tariffs of {','.join(result.players)} (largest change in the last round {change:.2g}, "
            f"first-order residual {cert.foc_residual:.2g}, deviation gain {cert.max_deviation_gain_pct}%)",
            change,
            rnd,
            tol,
            advice=GAME_ADVICE,
        )
    return result
