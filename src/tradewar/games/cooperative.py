"""Trade talks: efficient tariffs with equal gains (Ossa 2014, Table 5) and the Nash-bargaining deal
with the tariff war as the threat point."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

import numpy as np

from tradewar.errors import InputError, NoDeal, NotConverged
from tradewar.games.game import Game, Progress, check_bounds, start_tariffs
from tradewar.games.kernels import GAME_ADVICE
from tradewar.games.nash import DEVIATION_TOL, nash
from tradewar.games.optimise import (
    FOC_TOL,
    Problem,
    deal_candidates,
    deal_certificate_text,
    deal_deviation_gain_pct,
    feasible_starts,
    maximise,
    projected_gradient,
)
from tradewar.games.results import Certificate, GameResult, make_result

#: Iteration limit of each inner maximisation of the equal-gains augmented Lagrangian (its
#: multipliers are updated between them, so inner solves need not be exact).
INNER_MAXITER = 500


def _talks_layout(game: Game, idx: list[int], mfn: bool, targets: str) -> np.ndarray:
    partners = None if targets == "all" else idx
    return game.layout(idx, partners, mfn)


def _equalise(problem: Problem, x, u0, lb, ub, tol: float, max_steps: int = 8) -> tuple[np.ndarray, float]:
    """Restore equal gains exactly: Gauss-Newton steps on c(x) = gain - mean(gain) = 0, each the
    minimum-norm change of the tariffs off their bounds that removes the spread to first order.
    At an augmented-Lagrangian iterate the spread is small and the Lagrangian's gradient near
    zero, so the common gain moves only at second order. Returns the tariffs and the spread."""
    for _ in range(max_steps + 1):
        u, jac = problem(x)
        gain = u - u0
        c = gain - gain.mean()
        spread = float(np.max(np.abs(c)))
        if spread <= tol / 100:
            break
        free = (x > lb) & (x < ub)
        step = np.linalg.lstsq((jac - jac.mean(axis=0))[:, free], -c, rcond=None)[0]
        x = x.copy()
        x[free] = np.clip(x[free] + step, lb[free], ub[free])
    return x, spread


def equal_gains(
    game: Game,
    players: Sequence[str] | str | None = None,
    *,
    mfn: bool = False,
    targets: Literal["all", "players"] = "players",
    lower=0.0,
    upper=2.25,
    start: np.ndarray | None = None,
    rho: float = 10.0,
    max_outer: int = 40,
    constraint_tol: float = 1e-6,
    foc_tol: float = FOC_TOL,
    check: bool = True,
    progress: Progress | None = None,
) -> GameResult:
    """Efficient cooperative tariffs with equal gains for all ``players`` relative to ``start``
    (Ossa 2014, section V and Table 5: max g s.t. every player's payoff rises by g).

    The players jointly choose their tariffs on each other (``targets="players"``; with all
    regions as players that is every tariff) within the bounds. Augmented Lagrangian on the
    equality constraints (inner maximisations by L-BFGS-B, or projected Newton for small
    problems), each round followed by the multiplier update and `_equalise`, which restores
    equal gains exactly. Stops when the spread is below ``constraint_tol`` and the KKT residual
    (the projected gradient of the Lagrangian sum_n w_n u_n with the Negishi weights
    w = 1/k + mu - mean(mu)) below ``foc_tol``; the certificate reports both.
    """
    t0 = time.perf_counter()
    game.evaluations = 0
    idx = game.players_of(players)
    if len(idx) < 2:
        raise InputError("players: trade talks need at least two players", field="players")
    start = start_tariffs(game, start)
    groups = _talks_layout(game, idx, mfn, targets)
    problem = game._problem(groups, start, idx)
    lb = problem.bounds_of(game.bounds_array(lower, "lower"))
    ub = problem.bounds_of(game.bounds_array(upper, "upper"))
    check_bounds(lb, ub)
    u0, _ = problem(problem.x_of(start))
    k = len(idx)
    mu = np.zeros(k)
    x = problem.x_of(start)
    iterations, foc, spread = 0, np.inf, np.inf
    for outer in range(1, max_outer + 1):
        inner = maximise(problem, "equal_gains", {"u0": u0, "mu": mu, "rho": rho}, x, lb, ub, maxiter=INNER_MAXITER)
        iterations += inner.iterations
        u, _ = problem(inner.x)
        gain = u - u0
        mu = mu - rho * (gain - gain.mean())  # first-order multiplier update
        x, spread = _equalise(problem, inner.x, u0, lb, ub, constraint_tol)
        weights = 1.0 / k + mu - mu.mean()
        u, jac = problem(x)
        foc = float(np.max(np.abs(projected_gradient(x, weights @ jac, lb, ub))))
        if progress:
            progress(f"round {outer}: common gain {np.mean(u - u0):.4f}, KKT residual {foc:.1e}, spread {spread:.1e}")
        if spread <= constraint_tol and foc <= foc_tol:
            break
    cert = Certificate(
        foc_residual=foc,
        equilibrium_residual=problem.max_residual,
        constraint_residual=spread,
    )
    converged = spread <= constraint_tol and foc <= foc_tol
    result = make_result(
        game,
        "equal-gains",
        idx,
        mfn,
        problem.tariffs(x),
        start,
        groups >= 0,
        cert,
        converged,
        iterations,
        t0,
        outer_iterations=outer,
        negishi_weights={game.baseline.regions[p]: float(w) for p, w in zip(idx, weights)},
        common_gain_pct=float(100 * np.expm1(np.mean(u - u0) / 100)),
    )
    if check and not result.converged:
        raise NotConverged(
            f"equal-gains cooperative tariffs (KKT residual {foc:.2g}, tolerance {foc_tol:g}; gains spread)",
            spread,
            outer,
            constraint_tol,
            advice=GAME_ADVICE,
        )
    return result


def bargaining(
    game: Game,
    players: Sequence[str] | str,
    *,
    mfn: bool = False,
    lower=0.0,
    upper=2.25,
    start: np.ndarray | None = None,
    threat: GameResult | None = None,
    foc_tol: float = FOC_TOL,
    check: bool = True,
    progress: Progress | None = None,
) -> GameResult:
    """The Nash-bargaining deal between ``players`` with their tariff war as the threat point:
    max sum_n log(u_n(t) - u_n(war)) over the players' tariffs on each other (the rest at
    ``start``). ``threat`` defaults to `nash` among the same players (``targets="players"``);
    any result will do (e.g. a given policy's, `tradewar.games.deals`). Raises `NoDeal` if no
    tariffs tried leave every player better off than the threat. Certificate: the first-order
    residual and the largest gain in the Nash product found by re-solving from up to two other
    starting points (`deal_deviation_gain_pct`; none, and the deal not converged, where no other
    start leaves every player better off than the threat).
    """
    t0 = time.perf_counter()
    idx = game.players_of(players)
    if len(idx) < 2:
        raise InputError("players: a bargain needs at least two players", field="players")
    start = start_tariffs(game, start)
    if threat is None:
        if progress:
            progress("threat point: the tariff war")
        threat = nash(
            game,
            [game.baseline.regions[p] for p in idx],
            mfn=mfn,
            targets="players",
            lower=lower,
            upper=upper,
            start=start,
            check=check,
            progress=progress,
        )
    game.evaluations = 0
    u_war = 100 * np.log1p(threat.payoff_pct[idx] / 100)
    groups = _talks_layout(game, idx, mfn, "players")
    problem = game._problem(groups, start, idx)
    lb = problem.bounds_of(game.bounds_array(lower, "lower"))
    ub = problem.bounds_of(game.bounds_array(upper, "upper"))
    check_bounds(lb, ub)

    free = np.clip(np.zeros(problem.size), lb, ub)
    candidates = deal_candidates(problem.x_of(start), free, problem.x_of(threat.tariffs))
    starts = feasible_starts(problem, u_war, candidates, lb, ub)
    if not starts:
        names = ",".join(game.baseline.regions[p] for p in idx)
        threat_name = f"{'MFN ' if mfn else ''}tariff war" if threat.kind == "nash" else "threat point"
        raise NoDeal(
            f"bargaining: no tariffs tried leave every one of {names} better off than their {threat_name} "
            f"(tried the starting tariffs, free trade and cuts of the threat point's tariffs towards both), so "
            f"there is no deal to report; try discriminatory tariffs (no --mfn) or other players"
        )
    if progress:
        progress("the deal")
    inner = maximise(problem, "nash_product", {"threat": u_war}, starts[0], lb, ub)
    if progress:
        progress("certificate: the deal re-solved from other starts")
    deviation = deal_deviation_gain_pct(problem, u_war, inner, starts[1:], lb, ub)
    u, _ = problem(inner.x)
    surplus = u - u_war
    cert = Certificate(
        foc_residual=inner.foc,
        equilibrium_residual=max(problem.max_residual, threat.certificate.equilibrium_residual),
        deviation_gain_pct=None if deviation is None else {"nash_product": deviation},
    )
    certified = deviation is not None and deviation <= DEVIATION_TOL
    converged = inner.foc <= foc_tol and np.all(surplus > 0) and threat.converged and certified
    result = make_result(
        game,
        "bargaining",
        idx,
        mfn,
        problem.tariffs(inner.x),
        start,
        groups >= 0,
        cert,
        converged,
        inner.iterations,
        t0,
        threat_payoff_pct={game.baseline.regions[p]: float(v) for p, v in zip(idx, threat.payoff_pct[idx])},
        threat_median_tariff_pct={
            game.baseline.regions[p]: threat.median_tariff_pct(game.baseline.regions[p]) for p in idx
        },
        threat_certificate=threat.certificate.to_dict(),
        gain_over_war_pct={game.baseline.regions[p]: float(100 * np.expm1(s / 100)) for p, s in zip(idx, surplus)},
    )
    if check and not result.converged:
        raise NotConverged(
            f"Nash-bargaining deal (first-order residual {inner.foc:.2g}, Nash-product gain from other starts "
            f"{deal_certificate_text(deviation)}, threat point converged: {threat.converged})",
            inner.foc,
            inner.iterations,
            foc_tol,
            advice=GAME_ADVICE,
        )
    return result
