"""The games' inner problems: payoffs of a set of instruments (`Problem`) and their maximisation
on a box, by projected Newton with exact (or BFGS-updated exact) Hessians or L-BFGS-B (scipy)."""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import minimize

from tradewar.errors import NotConverged
from tradewar.games.kernels import DENSE_ADJOINT_MAX, GAME_ADVICE, NEWTON_MAX_UNKNOWNS, scalarisation

#: Default tolerance on the first-order conditions (projected gradient, % per unit tariff).
FOC_TOL = 1e-4
#: Relative precision of a payoff value: the equilibrium is solved to residual TOL and payoffs
#: are u = 100 log(payoff_hat), so values below this relative difference are noise.
VALUE_NOISE = 1e-8
#: Problems with at most this many instruments use projected Newton (exact Hessians); larger
#: ones (e.g. all 1386 cooperative tariffs of Ossa's Table 5) L-BFGS-B.
NEWTON_MAX_SIZE = 400
#: On an iterative (GMRES) equilibrium system an exact Hessian costs one Krylov solve per
#: instrument: problems with at most this many instruments on systems of at least
#: `QUASI_NEWTON_MIN_UNKNOWNS` compute it once and update it by BFGS (`projected_newton`); others
#: use L-BFGS-B. Measured on 2 cores, 2026-11-30: on world2022-full (80 economies x 50 industries,
#: 8,080 unknowns) the US's 50 MFN tariffs by L-BFGS-B had not converged after 400 evaluations
#: (11 min of CPU), by the exact Hessian and BFGS they reached a projected gradient of 5e-12 in 128
#: evaluations (197 s of CPU with the compile); on cp2015 (2,511 unknowns) Mexico's 40 MFN tariffs
#: took L-BFGS-B 26 evaluations (6.4 s of CPU, first-order residual 4.5e-8) and BFGS 186 (21 s).
QUASI_NEWTON_MAX_SIZE = 100
QUASI_NEWTON_MIN_UNKNOWNS = 5000


class Problem:
    """Payoffs u[rows] and their Jacobian as functions of the instruments x, with warm starts."""

    def __init__(self, game, groups: np.ndarray, base: np.ndarray, rows: np.ndarray):
        self.game = game
        self.groups = jnp.asarray(groups)
        self.base = jnp.asarray(base)
        self.rows = jnp.asarray(rows)
        self.size = int(groups.max()) + 1
        flat = groups.ravel()
        order = np.flatnonzero(flat >= 0)
        first_cells = {}
        for c in order[::-1]:
            first_cells[flat[c]] = c
        self.first_cell = np.array([first_cells[k] for k in range(self.size)])
        self.z = game.z_init
        self.max_residual = 0.0
        self.evaluations = 0

    def x_of(self, tariffs: np.ndarray) -> np.ndarray:
        """Instruments from full tariffs (for MFN groups: the mean over the group's cells)."""
        flat = np.asarray(tariffs, float).ravel()
        g = np.asarray(self.groups).ravel()
        sums = np.bincount(g[g >= 0], weights=flat[g >= 0], minlength=self.size)
        counts = np.bincount(g[g >= 0], minlength=self.size)
        return sums / counts

    def bounds_of(self, arr: np.ndarray) -> np.ndarray:
        return np.asarray(arr, float).ravel()[self.first_cell]

    def tariffs(self, x: np.ndarray) -> np.ndarray:
        g = np.asarray(self.groups)
        return np.where(g >= 0, np.append(x, 0.0)[g], np.asarray(self.base))

    def __call__(self, x: np.ndarray):
        return warm_payoffs(self, x, "tariffs")


def warm_payoffs(problem, x: np.ndarray, what: str):
    """(u, du/dx) at instruments x of a problem (`Problem`, or the instrument games' own),
    solved from the problem's last equilibrium; raises NotConverged only if a cold start from
    the game's initial guess fails too. `what` names the instruments in that message."""
    game = problem.game
    for z0 in (problem.z, game.z_init):
        u, jac, (z, res, ok) = game._vjac(jnp.asarray(x), problem.groups, problem.base, game.p0, z0, problem.rows)
        problem.evaluations += 1
        game.evaluations += 1
        if bool(ok):
            problem.z = z
            problem.max_residual = max(problem.max_residual, float(res))
            return np.asarray(u), np.asarray(jac)
    raise NotConverged(
        f"{game.model} equilibrium (or a valid one) at trial {what}", float(res), None, game.tol, advice=GAME_ADVICE
    )


def projected_gradient(x, g, lb, ub):
    """P(x + g) - x for a max problem: zero exactly at a KKT point of the box."""
    return np.clip(x + g, lb, ub) - x


@dataclass
class Inner:
    x: np.ndarray
    value: float
    gradient: np.ndarray
    foc: float
    iterations: int
    success: bool
    message: str


def uses_newton(size: int, unknowns: int, kind: str) -> bool:
    """Whether `maximise` uses projected Newton for ``size`` instruments on an equilibrium system
    of ``unknowns`` unknowns, rather than L-BFGS-B:

    - a small system (`kernels.DENSE_ADJOINT_MAX`), at most `NEWTON_MAX_SIZE` instruments: exact
      Hessians are cheap there;
    - a mid-size one (`kernels.NEWTON_MAX_UNKNOWNS`: world2022), the Nash product only. It is
      ill-conditioned where a surplus d_n is small (its Hessian holds -grad u_n grad u_n' / d_n^2;
      d = 0.01 % in the US-Thailand deal): L-BFGS-B stops there with first-order residuals of
      1e-6 to 1e-5 and restarts ending 1e-8 apart in the product, while Newton's steps are
      invariant to that scaling. Linear payoffs (wars, frontier points) are well conditioned
      there; L-BFGS-B meets their certificates at lower cost;
    - a large iterative (GMRES) system (`QUASI_NEWTON_MIN_UNKNOWNS`: world2022-full), at most
      `QUASI_NEWTON_MAX_SIZE` instruments: the exact Hessian once, then BFGS updates
      (`projected_newton`). L-BFGS-B needs hundreds of evaluations there, each costly; on
      mid-size iterative systems (cp2015) it needs few (see the constants)."""
    if unknowns <= DENSE_ADJOINT_MAX:
        return size <= NEWTON_MAX_SIZE
    if unknowns <= NEWTON_MAX_UNKNOWNS:
        return kind == "nash_product" and size <= NEWTON_MAX_SIZE
    return unknowns >= QUASI_NEWTON_MIN_UNKNOWNS and size <= QUASI_NEWTON_MAX_SIZE


def maximise(problem: Problem, kind: str, prm: dict, x0, lb, ub, *, maxiter=None, tol=1e-9) -> Inner:
    """max_x f(u(x)) on lb <= x <= ub, f = `scalarisation`(kind) with parameters ``prm``.

    Where `uses_newton`: projected Newton (`projected_newton`). Otherwise L-BFGS-B on exact
    gradients. Stops when the projected gradient is below ``tol``."""
    prm = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in prm.items()}
    x0 = np.clip(np.asarray(x0, float), lb, ub)
    if uses_newton(problem.size, int(problem.game.z_init.shape[0]), kind):
        return projected_newton(problem, kind, prm, x0, lb, ub, maxiter=maxiter or 200, tol=tol)
    scal = jax.jit(jax.value_and_grad(scalarisation(kind)), static_argnums=())
    best = {"f": -np.inf}

    def fun(x):
        try:
            u, jac = problem(x)
        except NotConverged:
            return 1e6 + abs(best["f"]), np.zeros_like(x)
        f, df = scal(jnp.asarray(u), prm)
        f, df = float(f), np.asarray(df)
        if not np.isfinite(f):
            return 1e6 + abs(best["f"]), np.zeros_like(x)
        best["f"] = max(best["f"], f)
        return -f, -(df @ jac)

    res = minimize(
        fun,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=list(zip(lb, ub)),
        options={"maxiter": maxiter or 3000, "maxfun": 4 * (maxiter or 3000), "ftol": 1e-15, "gtol": tol, "maxcor": 30},
    )
    u, jac = problem(res.x)
    f, df = scal(jnp.asarray(u), prm)
    g = np.asarray(df) @ jac
    foc = float(np.max(np.abs(projected_gradient(res.x, g, lb, ub)))) if res.x.size else 0.0
    return Inner(res.x, float(f), g, foc, int(res.nit), bool(res.success), str(res.message))


def bfgs_update(h: np.ndarray, step: np.ndarray, change: np.ndarray) -> np.ndarray:
    """The BFGS update of a negative definite Hessian approximation h of a function to maximise,
    after a step with gradient change ``change`` (Nocedal and Wright 2006, eq. 6.19, applied to
    B = -h); h unchanged where the curvature condition -change'step > 0 fails."""
    b, y = -h, -change
    curvature = float(y @ step)
    if curvature <= 1e-14 * float(np.linalg.norm(y) * np.linalg.norm(step)):
        return h
    bs = b @ step
    return -(b + np.outer(y, y) / curvature - np.outer(bs, bs) / float(step @ bs))


def projected_newton(problem: Problem, kind, prm, x, lb, ub, *, maxiter: int, tol: float) -> Inner:
    """Projected Newton (Bertsekas 1982): Newton steps on the free instruments with the Hessian of
    the reduced objective (second-order implicit differentiation, `tradewar.games.kernels`),
    Levenberg-regularised where it is not negative definite, Armijo search along the projection
    arc. On a dense system the exact Hessian is recomputed at every step; on an iterative one
    (where it costs one Krylov solve per instrument) it is computed at the start and updated by
    BFGS from the exact gradients (`bfgs_update`), and computed afresh when a step finds no
    ascent."""
    game = problem.game
    kern = game._newton
    args = (problem.groups, problem.base, game.p0)

    def evaluate(x, z0):
        f, _u, z, res, ok = kern.value(jnp.asarray(x), *args, z0, problem.rows, prm, kind)
        problem.evaluations += 1
        game.evaluations += 1
        if not bool(ok) and z0 is not game.z_init:
            return evaluate(x, game.z_init)
        if bool(ok):
            problem.max_residual = max(problem.max_residual, float(res))
        return float(f) if bool(ok) else -np.inf, z, bool(ok)

    f, z, ok = evaluate(x, problem.z)
    if not ok:
        raise NotConverged(
            f"{game.model} equilibrium (or a valid one) at the starting tariffs",
            np.nan,
            None,
            game.tol,
            advice=GAME_ADVICE,
        )

    def exact(x_, z_):
        return tuple(np.asarray(a) for a in kern.hessian(jnp.asarray(x_), *args, z_, problem.rows, prm, kind))

    def derivatives(x_new, z_new, x_old, g_old, h_old):
        """Gradient and Hessian at x_new: exact, or BFGS-updated from those at x_old."""
        if kern.exact_hessian_cheap:
            return exact(x_new, z_new)
        g_new = np.asarray(kern.gradient(jnp.asarray(x_new), *args, z_new, problem.rows, prm, kind))
        return g_new, bfgs_update(h_old, x_new - x_old, g_new - g_old)

    message, it, pg = "iteration limit", 0, np.inf
    g, h = exact(x, z)
    h_exact = True
    for it in range(1, maxiter + 1):  # noqa: B007 (the count is returned after the loop)
        pg = projected_gradient(x, g, lb, ub)
        if np.max(np.abs(pg)) <= tol:
            message = "projected gradient below tolerance"
            break
        # Bertsekas' active set: at a bound with the gradient pointing outwards.
        eps = min(1e-6 + np.max(np.abs(pg)), 1e-3)
        active = ((x <= lb + eps) & (g < 0)) | ((x >= ub - eps) & (g > 0))
        free = ~active
        d = g.copy()  # ascent direction; Newton on the free variables
        if free.any():
            hf = -h[np.ix_(free, free)]
            hf = 0.5 * (hf + hf.T)
            tau = 0.0
            scale = max(1e-12, np.max(np.abs(np.diag(hf))))
            for _ in range(60):
                try:
                    chol = np.linalg.cholesky(hf + tau * np.eye(hf.shape[0]))
                    break
                except np.linalg.LinAlgError:
                    tau = max(2 * tau, 1e-8 * scale)
            d[free] = np.linalg.solve(chol.T, np.linalg.solve(chol, g[free]))
        step, improved = 1.0, False
        for _ in range(40):
            x_new = np.clip(x + step * d, lb, ub)
            f_new, z_new, ok = evaluate(x_new, z)
            if ok and f_new >= f + 1e-4 * max(float(g @ (x_new - x)), 0.0) and f_new > f:
                improved = True
                break
            step *= 0.5
        if improved:
            g, h = derivatives(x_new, z_new, x, g, h)
            x, f, z, h_exact = x_new, f_new, z_new, kern.exact_hessian_cheap
            continue
        # Near the optimum the gain of a step, g'd/2 ~ |pg|^2 / |h|, falls below the precision of
        # f (payoffs carry the equilibrium's ~TOL error, amplified ~100x by u = 100 log):
        # accept the full Newton step if f does not fall beyond that noise and the (exact,
        # adjoint) projected gradient shrinks, i.e. Newton on the first-order conditions.
        x_new = np.clip(x + d, lb, ub)
        f_new, z_new, ok = evaluate(x_new, z)
        if ok and f_new >= f - VALUE_NOISE * (1 + abs(f)):
            g_new, h_new = derivatives(x_new, z_new, x, g, h)
            if np.max(np.abs(projected_gradient(x_new, g_new, lb, ub))) < 0.5 * np.max(np.abs(pg)):
                x, f, z, g, h, h_exact = x_new, f_new, z_new, g_new, h_new, kern.exact_hessian_cheap
                continue
        if not h_exact:  # a stale BFGS Hessian: try again with the exact one
            g, h = exact(x, z)
            h_exact = True
            continue
        message = "line search found no ascent (at the numerical optimum)"
        break
    problem.z = z
    foc = float(np.max(np.abs(projected_gradient(x, g, lb, ub)))) if x.size else 0.0
    return Inner(x, f, g, foc, it, foc <= tol, message)


def deal_candidates(x_start: np.ndarray, x_open: np.ndarray, *anchors: np.ndarray) -> list[np.ndarray]:
    """Starting points for a deal, in order of preference: the starting instruments, the most open
    ones (free trade), then each of ``anchors`` cut part of the way towards either. The first
    anchor is the threat point: at a war every player is at its best response, so a small joint
    cut is a first-order gain for all. Further anchors are points known to beat the threat, e.g.
    a deal solved before a pledge's cap moved, whose cuts stay feasible where the threat's do
    not (`tradewar.games.instruments.bargaining`)."""
    return [x_start, x_open] + [
        anchor + a * (target - anchor)
        for anchor in anchors
        for a in (0.5, 0.25, 0.1, 0.03, 0.01)
        for target in (x_start, x_open)
    ]


def feasible_starts(problem, threat: np.ndarray, candidates, lb, ub, count: int = 3) -> list[np.ndarray]:
    """Up to ``count`` distinct candidates (clipped to the box), in the order given, at which every
    payoff u = problem(x)[0] is strictly above ``threat``: starting points of a bargaining
    problem, whose Nash product is finite only there."""
    starts: list[np.ndarray] = []
    for cand in candidates:
        x = np.clip(np.asarray(cand, float), lb, ub)
        if any(np.array_equal(x, s) for s in starts):
            continue
        u, _ = problem(x)
        if np.all(u - threat > 0):
            starts.append(x)
            if len(starts) == count:
                break
    return starts


def nash_product_from_cold(problem, threat: np.ndarray, x: np.ndarray) -> float:
    """The Nash product's log, sum_n log(u_n(x) - threat_n) (`scalarisation`), with the
    equilibrium at x solved from the game's initial guess rather than a warm start.

    A warm-started solve stops wherever its residual first falls below the tolerance, so the
    same x reached along different paths carries different solver errors: up to 1e-8 in this
    log on the short-run US-China deal (surpluses 0.07 and 0.13 %), i.e. 1e-6 %, the
    certificate's bar. Solved from one initial guess, policies that agree take the same Newton
    path and their products differ by the policies alone (1e-12 there)."""
    problem.z = problem.game.z_init
    u, _ = problem(x)
    return float(scalarisation("nash_product")(jnp.asarray(u), {"threat": jnp.asarray(threat)}))


def deal_deviation_gain_pct(problem, threat: np.ndarray, deal: Inner, starts, lb, ub) -> float | None:
    """Certificate of a Nash-bargaining deal: the largest gain in the Nash product (the product
    of the players' surpluses over ``threat``, percent) that re-maximising it from each of
    ``starts`` finds over the deal (Nash 1950: the deal maximises that product, so any policy
    with a larger one would be a better deal). Each policy's product is evaluated by
    `nash_product_from_cold`, so that the gain compares policies, not solver paths. Zero when
    none finds more; None when there is no other start (the deal is then uncertified, not
    certified at zero)."""
    if len(starts) == 0:
        return None
    prm = {"threat": threat}
    found = [maximise(problem, "nash_product", prm, x, lb, ub).x for x in starts]
    best = max(nash_product_from_cold(problem, threat, x) for x in found)
    return max(0.0, 100 * float(np.expm1(best - nash_product_from_cold(problem, threat, deal.x))))


def deal_certificate_text(deviation: float | None) -> str:
    """The deviation certificate of a deal in an error message."""
    return "none (no other feasible start)" if deviation is None else f"{deviation:.2g}%"
