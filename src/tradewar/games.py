r"""Tariff games, generic over models: optimal tariffs, Nash tariff wars and trade talks.

Every game is played over a model's equilibrium in changes (see `tradewar.models`). A player's
payoff is a per-region outcome of the model: ``welfare_hat`` (the exact welfare change, every
model) or ``government_welfare_hat`` (political-economy weighted welfare, models that define it,
e.g. Ossa 2014 with weights ``lambdas``). Payoffs are measured as u_n = 100 log(payoff_hat_n),
so that their derivatives read as percent changes.

Gradients of payoffs with respect to tariffs are exact: the equilibrium z(t) solves F(z, t) = 0
by `tradewar.solve.newton_root`, whose `lax.custom_root` gives dz/dt = -(dF/dz)^-1 dF/dt by the
implicit function theorem (never finite differences). The games use its adjoint form: with
U(z, t) the payoffs, du/dt = dU/dt - lambda' dF/dt where (dF/dz)' lambda = (dU/dz)' at z*,
one transposed linear solve per payoff (dense for small systems, GMRES on vector-Jacobian
products otherwise), so a player's whole gradient costs one solve. (Reverse mode through
`newton_root` itself does not transpose in the JAX version we run; forward mode through it,
`jax.jacfwd`, does and is used in the tests as an independent check.)

Instruments. A player n chooses tariffs[n, i, s] [importer, exporter, sector] on its partners i
(all other regions, or the other players) in tradable sectors s: one tariff per partner and
sector ("discriminatory") or one per sector for all partners ("mfn"). Everything not chosen stays
at the starting tariffs (the baseline's unless given). Bounds are decimals (0.25 = 25 %), scalars
or arrays broadcastable to [importer, exporter, sector].

Games (Ossa 2014, sections III-V):

- `optimal_tariffs`: max_{t_n} u_n(t_n, t_-n), all others fixed (Table 3);
- `nash`: tariffs with t_n = BR_n(t_-n) for every player, by Gauss-Seidel best-response
  iteration with warm starts (Table 4; Ossa iterates best responses too);
- `equal_gains`: efficient cooperative tariffs with equal gains for all players relative to the
  starting point, max g s.t. u_n(t) - u_n(t0) = g for all n, as in Ossa's ``myconcoop.m``
  (Table 5). Solved by an augmented Lagrangian: maximise mean(u) + sum mu_n c_n - rho/2 |c|^2,
  c_n = u_n - mean(u) (the multipliers are Negishi weights), then mu <- mu - rho c, and a
  Gauss-Newton restoration of c = 0 after every round;
- `bargaining`: the Nash-bargaining deal among chosen players with the tariff war among them as
  the threat point: max sum_n log(u_n(t) - u_n(war)).

Inner problems are solved by projected Newton with exact Hessians (small problems) or L-BFGS-B
(scipy) on exact JAX values and gradients; each equilibrium solve is warm-started from the
previous one.

Certificates. Every answer carries its certificate: the first-order conditions' residual
(the largest component of the projected gradient, for max problems P(x + g) - x with P the
projection on the bounds, in percent of the payoff per unit of tariff); for a Nash equilibrium
also the largest gain (in percent of the payoff) any player obtains by re-solving its best
response from two starting points (its Nash tariffs and the game's starting tariffs); for
equal gains the spread of the gains; and the largest equilibrium residual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from types import ModuleType
from typing import Literal

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.scipy.sparse.linalg import gmres
from scipy.optimize import minimize

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError, NoDeal, NotConverged
from tradewar.solve import TOL, newton_root

Objective = Literal["welfare", "government"]
OBJECTIVES: dict[str, str] = {"welfare": "welfare_hat", "government": "government_welfare_hat"}
#: Default tolerance on the first-order conditions (projected gradient, % per unit tariff).
FOC_TOL = 1e-4
#: Default tolerance of the Nash iteration on tariffs (largest change in a round, decimals).
NASH_TOL = 1e-7
#: Default tolerance on the largest gain from deviating at a Nash equilibrium (percent).
DEVIATION_TOL = 1e-5
#: Iteration limit of each inner maximisation of the equal-gains augmented Lagrangian (its
#: multipliers are updated between them, so inner solves need not be exact).
INNER_MAXITER = 500
#: Relative precision of a payoff value: the equilibrium is solved to residual TOL and payoffs
#: are u = 100 log(payoff_hat), so values below this relative difference are noise.
VALUE_NOISE = 1e-8
#: Equilibria with at most this many unknowns get a dense adjoint solve; larger ones GMRES.
DENSE_ADJOINT_MAX = 400
#: Problems with at most this many instruments use projected Newton (exact Hessians); larger
#: ones (e.g. all 1386 cooperative tariffs of Ossa's Table 5) L-BFGS-B.
NEWTON_MAX_SIZE = 400

Progress = Callable[[str], None]


# ----------------------------------------------------------------------------- compiled kernels


def _scalarisation(kind: str):
    """The optimisers' objective as a function of the payoffs u (JAX): ``linear`` (w . u),
    ``equal_gains`` (the augmented Lagrangian of the equal-gains problem) or ``nash_product``
    (sum log(u - threat), continued linearly below a tiny surplus)."""
    if kind == "linear":
        return lambda u, prm: jnp.vdot(prm["w"], u)
    if kind == "equal_gains":

        def f(u, prm):
            gain = u - prm["u0"]
            c = gain - gain.mean()
            return gain.mean() + jnp.vdot(prm["mu"], c) - 0.5 * prm["rho"] * jnp.vdot(c, c)

        return f
    if kind == "nash_product":

        def f(u, prm):
            d = u - prm["threat"]
            eps = 1e-8
            return jnp.sum(jnp.where(d > eps, jnp.log(jnp.maximum(d, eps)), jnp.log(eps) + (d - eps) / eps))

        return f
    raise ValueError(kind)


@cache
def _kernels(module: ModuleType, key: str, tol: float, max_iter: int, n_z: int):
    """jit-compiled payoff functions of one model and payoff (compiled once, reused for every
    player, instrument layout and starting point of the same shapes)."""
    dense = n_z <= DENSE_ADJOINT_MAX

    def tariffs_of(x, groups, base):
        x_ext = jnp.concatenate([x, jnp.zeros(1, x.dtype)])
        return jnp.where(groups >= 0, x_ext[groups], base)

    def payoff_of(z, p, rows):
        return 100.0 * jnp.log(module.outcomes(z, p)[key][rows])

    @partial(jax.jit, static_argnames="kind")
    def value(x, groups, base, p0, z0, rows, prm, kind):
        """f(x), u(x), the solution z (for warm starts), its residual and flag."""
        p = p0._replace(tariff_new=tariffs_of(x, groups, base))
        res = newton_root(module.residual, z0, p, tol=tol, max_iter=max_iter)
        u = payoff_of(res.value, p, rows)
        return _scalarisation(kind)(u, prm), u, res.value, res.max_residual, res.converged

    @partial(jax.jit, static_argnames="kind")
    def hessian(x, groups, base, p0, z, rows, prm, kind):
        """Gradient and exact Hessian of the reduced objective f(z(x), x) at x, where z must
        solve F(z, p(x)) = 0 (the caller passes the solution: no Newton steps here).

        Adjoint: (dF/dz)' lambda = d_z f, gradient d_x L with L = f - lambda' F. Second-order
        adjoint (the reduced Hessian of SQP): H = W' (d2 L) W with W = [I; Z] and
        Z = dz/dx = -(dF/dz)^-1 dF/dx, all by automatic differentiation of the model's
        residual and outcomes (implicit function theorem, no finite differences)."""
        scal = _scalarisation(kind)
        p_of = lambda x_: p0._replace(tariff_new=tariffs_of(x_, groups, base))
        big_f = lambda x_, z_: module.residual(z_, p_of(x_))
        small_f = lambda x_, z_: scal(payoff_of(z_, p_of(x_), rows), prm)
        f_z = jax.grad(small_f, argnums=1)(x, z)
        jac_z = jax.jacfwd(big_f, argnums=1)(x, z)
        lam = jnp.linalg.solve(jac_z.T, f_z)
        lagrangian = lambda x_, z_: small_f(x_, z_) - jnp.vdot(lam, big_f(x_, z_))
        gradient = jax.grad(lagrangian, argnums=0)(x, z)
        jac_x = jax.jacrev(big_f, argnums=0)(x, z)
        dz_dx = -jnp.linalg.solve(jac_z, jac_x)
        reduced = lambda step: lagrangian(x + step, z + dz_dx @ step)
        return gradient, jax.hessian(reduced)(jnp.zeros_like(x))

    @jax.jit
    def value_and_jacobian(x, groups, base, p0, z0, rows):
        """u(x) and du/dx by the adjoint form of the implicit function theorem:
        du/dx = dU/dx - lambda' dF/dx with (dF/dz)' lambda = (dU/dz)' at the solution z*."""
        p_of = lambda x_: p0._replace(tariff_new=tariffs_of(x_, groups, base))
        p = p_of(x)
        res = newton_root(module.residual, z0, p, tol=tol, max_iter=max_iter)
        z = jax.lax.stop_gradient(res.value)
        u, u_z_vjp = jax.vjp(lambda z_: payoff_of(z_, p, rows), z)
        eye = jnp.eye(u.shape[0], dtype=u.dtype)
        (u_z,) = jax.vmap(u_z_vjp)(eye)  # [rows, n_z]
        if dense:
            f_z = jax.jacfwd(lambda z_: module.residual(z_, p))(z)
            lam = jnp.linalg.solve(f_z.T, u_z.T).T  # [rows, n_z]
        else:
            _, f_z_vjp = jax.vjp(lambda z_: module.residual(z_, p), z)
            solve_t = lambda b: gmres(lambda v: f_z_vjp(v)[0], b, tol=1e-12, atol=0.0, restart=60, maxiter=20)[0]
            lam = jax.vmap(solve_t)(u_z)

        def lagrangian(x_, lam_row, row_onehot):
            p_ = p_of(x_)
            return jnp.vdot(row_onehot, payoff_of(z, p_, rows)) - jnp.vdot(lam_row, module.residual(z, p_))

        jac = jax.vmap(jax.grad(lagrangian), in_axes=(None, 0, 0))(x, lam, eye)
        return u, jac, (res.value, res.max_residual, res.converged)

    @jax.jit
    def evaluate(tariffs, p0, z0):
        p = p0._replace(tariff_new=tariffs)
        res = newton_root(module.residual, z0, p, tol=tol, max_iter=max_iter)
        return res, module.outcomes(res.value, p)

    return value_and_jacobian, evaluate, (value, hessian) if dense else None


# ----------------------------------------------------------------------------- the game


class Game:
    """A model on a baseline with fixed options: the arena of every tariff game.

    ``model`` is a registered model name or a model module; ``options`` go to the model's
    `params` (e.g. ``lambdas="pol"``, ``deficits="zero"`` for Ossa; ``deficits="fixed"`` for
    Caliendo-Parro). ``objective`` is "welfare" or "government".
    """

    def __init__(
        self,
        model: str | ModuleType,
        baseline: Baseline,
        *,
        objective: Objective = "welfare",
        tol: float = TOL,
        max_iter: int = 60,
        **options,
    ):
        if isinstance(model, str):
            from tradewar.models import get_model

            model = get_model(model)
        if objective not in OBJECTIVES:
            raise InputError(
                f"objective: {objective!r} is not an objective; use one of {', '.join(OBJECTIVES)}", field="objective"
            )
        self.module = model
        self.model = model.NAME
        self.baseline = baseline
        self.objective = objective
        self.key = OBJECTIVES[objective]
        self.options = options
        self.tol = float(tol)
        self.p0 = model.params(baseline, baseline.tariffs, **options)
        self.z_init = model.initial_guess(self.p0)
        self._vjac, self._evaluate, self._newton = _kernels(model, self.key, self.tol, int(max_iter), int(self.z_init.shape[0]))
        _res, out = self._evaluate(self.p0.tariff_new, self.p0, self.z_init)
        if self.key not in out:
            raise InputError(
                f"objective: model {self.model} has no {self.key!r}; use --objective welfare", field="objective"
            )
        self.n, self.s = baseline.n_regions, baseline.n_sectors
        self.evaluations = 0

    # -- labels and layouts
    def region_index(self, code: str, field: str = "players") -> int:
        return self.baseline.region_index(code, field)

    def players_of(self, codes: Sequence[str] | str | None, field: str = "players") -> list[int]:
        if codes is None or codes == "all":
            return list(range(self.n))
        if isinstance(codes, str):
            codes = [c.strip() for c in codes.split(",") if c.strip()]
        idx = [self.region_index(c, field) for c in codes]
        if len(set(idx)) != len(idx):
            raise InputError(f"{field}: {','.join(codes)} lists a region twice", field=field)
        return idx

    def bounds_array(self, value, name: str) -> np.ndarray:
        arr = np.asarray(value, dtype=float)
        try:
            arr = np.broadcast_to(arr, (self.n, self.n, self.s)) if arr.ndim != 2 else np.broadcast_to(
                arr[:, None, :], (self.n, self.n, self.s)
            )
        except ValueError:
            raise InputError(
                f"{name}: bounds of shape {arr.shape} do not fit [importer, exporter, sector] "
                f"({self.n}, {self.n}, {self.s}) or [importer, sector]",
                field=name,
            ) from None
        if np.any(~np.isfinite(arr)) or np.any(arr <= -1):
            raise InputError(f"{name}: bounds must be finite and above -100%", field=name)
        return np.array(arr)

    def layout(self, importers: list[int], partners: list[int] | None, mfn: bool) -> np.ndarray:
        """groups[n, i, s]: index of the instrument that sets tariffs[n, i, s], -1 if fixed."""
        groups = np.full((self.n, self.n, self.s), -1, dtype=np.int32)
        sectors = np.flatnonzero(self.baseline.tradable)
        k = 0
        for n in importers:
            others = [i for i in (range(self.n) if (partners is None or mfn) else partners) if i != n]
            if mfn:
                for s in sectors:
                    groups[n, others, s] = k
                    k += 1
            else:
                for i in others:
                    for s in sectors:
                        groups[n, i, s] = k
                        k += 1
        if k == 0:
            raise InputError("players: no tariffs to choose (give at least two regions)", field="players")
        return groups

    # -- evaluation
    def solve(self, tariffs: np.ndarray) -> tuple[dict, float, bool, int]:
        """Outcomes (numpy) at full tariffs [n, i, s], with the residual, flag and iterations."""
        res, out = self._evaluate(jnp.asarray(tariffs), self.p0, self.z_init)
        return {k: np.asarray(v) for k, v in out.items()}, float(res.max_residual), bool(res.converged), int(res.iterations)

    def payoffs(self, tariffs: np.ndarray) -> np.ndarray:
        """u_n = 100 log(payoff_hat_n) of every region at full tariffs."""
        out, res, ok, _ = self.solve(tariffs)
        if not ok:
            raise NotConverged(f"{self.model} equilibrium during a game", res, 0, self.tol)
        return 100 * np.log(out[self.key])

    def _problem(self, groups, base, rows):
        return _Problem(self, groups, np.asarray(base, float), np.asarray(rows, dtype=np.int32))


class _Problem:
    """Payoffs u[rows] and their Jacobian as functions of the instruments x, with warm starts."""

    def __init__(self, game: Game, groups: np.ndarray, base: np.ndarray, rows: np.ndarray):
        self.game = game
        self.groups = jnp.asarray(groups)
        self.base = jnp.asarray(base)
        self.rows = jnp.asarray(rows)
        self.size = int(groups.max()) + 1
        first = np.full(self.size, -1)
        flat = groups.ravel()
        order = np.flatnonzero(flat >= 0)
        first_cells = {}
        for c in order[::-1]:
            first_cells[flat[c]] = c
        self.first_cell = np.array([first_cells[k] for k in range(self.size)])
        del first
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
        """(u, du/dx) at x; raises NotConverged only if a cold start fails too."""
        game = self.game
        for z0 in (self.z, game.z_init):
            u, jac, (z, res, ok) = game._vjac(jnp.asarray(x), self.groups, self.base, game.p0, z0, self.rows)
            self.evaluations += 1
            game.evaluations += 1
            if bool(ok):
                self.z = z
                self.max_residual = max(self.max_residual, float(res))
                return np.asarray(u), np.asarray(jac)
        raise NotConverged(f"{game.model} equilibrium at trial tariffs", float(res), 0, game.tol)


def _projected_gradient(x, g, lb, ub):
    """P(x + g) - x for a max problem: zero exactly at a KKT point of the box."""
    return np.clip(x + g, lb, ub) - x


@dataclass
class _Inner:
    x: np.ndarray
    value: float
    gradient: np.ndarray
    foc: float
    iterations: int
    success: bool
    message: str


def _maximise(problem: _Problem, kind: str, prm: dict, x0, lb, ub, *, maxiter=None, tol=1e-9) -> _Inner:
    """max_x f(u(x)) on lb <= x <= ub, f = `_scalarisation`(kind) with parameters ``prm``.

    Small equilibrium systems and at most `NEWTON_MAX_SIZE` instruments: projected Newton (Bertsekas 1982) with the exact Hessian
    (second-order implicit differentiation), Levenberg-regularised where it is not negative
    definite, Armijo search along the projection arc. Large ones: L-BFGS-B on exact gradients.
    Stops when the projected gradient is below ``tol``."""
    prm = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in prm.items()}
    x0 = np.clip(np.asarray(x0, float), lb, ub)
    if problem.game._newton is not None and problem.size <= NEWTON_MAX_SIZE:
        return _projected_newton(problem, kind, prm, x0, lb, ub, maxiter=maxiter or 200, tol=tol)
    scal = jax.jit(jax.value_and_grad(_scalarisation(kind)), static_argnums=())
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
        fun, x0, jac=True, method="L-BFGS-B", bounds=list(zip(lb, ub)),
        options={"maxiter": maxiter or 3000, "maxfun": 4 * (maxiter or 3000), "ftol": 1e-15, "gtol": tol, "maxcor": 30},
    )
    u, jac = problem(res.x)
    f, df = scal(jnp.asarray(u), prm)
    g = np.asarray(df) @ jac
    foc = float(np.max(np.abs(_projected_gradient(res.x, g, lb, ub)))) if res.x.size else 0.0
    return _Inner(res.x, float(f), g, foc, int(res.nit), bool(res.success), str(res.message))


def _projected_newton(problem: _Problem, kind, prm, x, lb, ub, *, maxiter: int, tol: float) -> _Inner:
    game = problem.game
    value, hessian = game._newton
    args = (problem.groups, problem.base, game.p0)

    def evaluate(x, z0):
        f, _u, z, res, ok = value(jnp.asarray(x), *args, z0, problem.rows, prm, kind)
        problem.evaluations += 1
        game.evaluations += 1
        if not bool(ok) and z0 is not game.z_init:
            return evaluate(x, game.z_init)
        if bool(ok):
            problem.max_residual = max(problem.max_residual, float(res))
        return float(f) if bool(ok) else -np.inf, z, bool(ok)

    f, z, ok = evaluate(x, problem.z)
    if not ok:
        raise NotConverged(f"{game.model} equilibrium at the starting tariffs", np.nan, 0, game.tol)
    derivatives = lambda x_, z_: tuple(np.asarray(a) for a in hessian(jnp.asarray(x_), *args, z_, problem.rows, prm, kind))
    message, it, pg = "iteration limit", 0, np.inf
    g, h = derivatives(x, z)
    for it in range(1, maxiter + 1):
        pg = _projected_gradient(x, g, lb, ub)
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
            x, f, z = x_new, f_new, z_new
            g, h = derivatives(x, z)
            continue
        # Near the optimum the gain of a step, g'd/2 ~ |pg|^2 / |h|, falls below the precision of
        # f (payoffs carry the equilibrium's ~TOL error, amplified ~100x by u = 100 log):
        # accept the full Newton step if f does not fall beyond that noise and the (exact,
        # adjoint) projected gradient shrinks, i.e. Newton on the first-order conditions.
        x_new = np.clip(x + d, lb, ub)
        f_new, z_new, ok = evaluate(x_new, z)
        if ok and f_new >= f - VALUE_NOISE * (1 + abs(f)):
            g_new, h_new = derivatives(x_new, z_new)
            if np.max(np.abs(_projected_gradient(x_new, g_new, lb, ub))) < 0.5 * np.max(np.abs(pg)):
                x, f, z, g, h = x_new, f_new, z_new, g_new, h_new
                continue
        message = "line search found no ascent (at the numerical optimum)"
        break
    problem.z = z
    foc = float(np.max(np.abs(_projected_gradient(x, g, lb, ub)))) if x.size else 0.0
    return _Inner(x, f, g, foc, it, foc <= tol, message)


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Certificate:
    """Evidence that an answer solves its problem.

    ``foc_residual``: largest projected-gradient component of any optimiser's objective at the
    answer (percent of the payoff per unit of tariff; zero at a KKT point of the bounds).
    ``deviation_gain_pct``: for a Nash equilibrium, per player, the largest gain in its payoff
    (percent) from re-solving its best response with the others fixed.
    ``constraint_residual``: for equal gains, the largest distance of a player's gain from the
    common gain (percentage points); for bargaining, None.
    ``equilibrium_residual``: the largest residual of the equilibrium conditions met on the way.
    """

    foc_residual: float
    equilibrium_residual: float
    deviation_gain_pct: dict[str, float] | None = None
    constraint_residual: float | None = None

    @property
    def max_deviation_gain_pct(self) -> float | None:
        return None if self.deviation_gain_pct is None else max(self.deviation_gain_pct.values())

    def to_dict(self) -> dict:
        return {
            "foc_residual": self.foc_residual,
            "equilibrium_residual": self.equilibrium_residual,
            "deviation_gain_pct": self.deviation_gain_pct,
            "max_deviation_gain_pct": self.max_deviation_gain_pct,
            "constraint_residual": self.constraint_residual,
        }


@dataclass(frozen=True, eq=False)
class GameResult:
    """The answer to a tariff game: tariffs, payoffs, the certificate and solver diagnostics.

    ``tariffs`` are the full tariffs [importer, exporter, sector] at the answer; ``chosen`` marks
    the cells the players chose. ``outcomes`` are the model's outcomes there (numpy).
    Percent changes are relative to the baseline (the factual equilibrium) unless named
    ``*_vs_start``.
    """

    kind: str
    model: str
    baseline: Baseline
    objective: str
    players: tuple[str, ...]
    mfn: bool
    tariffs: np.ndarray
    start_tariffs: np.ndarray
    chosen: np.ndarray
    outcomes: dict
    objective_key: str
    start_payoff_pct: np.ndarray
    certificate: Certificate
    converged: bool
    iterations: int
    evaluations: int
    seconds: float
    details: dict = field(default_factory=dict)

    @property
    def payoff_pct(self) -> np.ndarray:
        """Change in every region's payoff (welfare or government welfare), percent."""
        return 100 * (self.outcomes[self.objective_key] - 1)

    @property
    def welfare_pct(self) -> np.ndarray:
        return 100 * (self.outcomes["welfare_hat"] - 1)

    @property
    def gain_vs_start_pct(self) -> np.ndarray:
        """Payoff change relative to the starting tariffs, percent."""
        return 100 * ((1 + self.payoff_pct / 100) / (1 + self.start_payoff_pct / 100) - 1)

    def median_tariff_pct(self, code: str) -> float:
        """Median of the tariffs a player chose (over partners and sectors), percent."""
        n = self.baseline.region_index(code, "player")
        return float(100 * np.median(self.tariffs[n][self.chosen[n]]))

    def tariff_table(self) -> pd.DataFrame:
        """The chosen tariffs, labelled: index (importer, exporter, sector), columns tariff_pct
        and start_tariff_pct."""
        b = self.baseline
        n, i, s = np.nonzero(self.chosen)
        index = pd.MultiIndex.from_arrays(
            [np.array(b.regions)[n], np.array(b.regions)[i], np.array(b.sectors)[s]],
            names=["importer", "exporter", "sector"],
        )
        return pd.DataFrame(
            {"tariff_pct": 100 * self.tariffs[n, i, s], "start_tariff_pct": 100 * self.start_tariffs[n, i, s]},
            index=index,
        )

    def mfn_table(self) -> pd.DataFrame:
        """For MFN answers: one tariff per (importer, sector)."""
        t = self.tariff_table().reset_index()
        return t.groupby(["importer", "sector"], sort=False)[["tariff_pct", "start_tariff_pct"]].mean()

    def regions(self) -> pd.DataFrame:
        """One row per region: payoff and welfare changes (vs baseline and vs start), real wage,
        median chosen tariff (players only)."""
        b = self.baseline
        out = self.outcomes
        data = {
            "player": [r in self.players for r in b.regions],
            "payoff_pct": self.payoff_pct,
            "welfare_pct": self.welfare_pct,
            "gain_vs_start_pct": self.gain_vs_start_pct,
        }
        if "government_welfare_hat" in out:
            data["government_welfare_pct"] = 100 * (out["government_welfare_hat"] - 1)
        if "real_wage_hat" in out:
            data["real_wage_pct"] = 100 * (out["real_wage_hat"] - 1)
        data["median_tariff_pct"] = [
            self.median_tariff_pct(r) if self.chosen[k].any() else np.nan for k, r in enumerate(b.regions)
        ]
        return pd.DataFrame(data, index=pd.Index(b.regions, name="code"))

    def to_dict(self, *, tariffs: bool = True) -> dict:
        regions = self.regions().reset_index()
        d = {
            "kind": self.kind,
            "model": self.model,
            "dataset": self.baseline.name,
            "objective": self.objective,
            "players": list(self.players),
            "mfn": self.mfn,
            "converged": self.converged,
            "iterations": self.iterations,
            "evaluations": self.evaluations,
            "seconds": self.seconds,
            "certificate": self.certificate.to_dict(),
            "regions": [
                {k: (v if isinstance(v, (str, bool)) else float(v)) for k, v in row.items()}
                for row in regions.to_dict(orient="records")
            ],
            "details": _jsonable(self.details),
        }
        if tariffs:
            t = self.tariff_table().reset_index()
            d["tariffs"] = [
                {
                    "importer": r.importer,
                    "exporter": r.exporter,
                    "sector": r.sector,
                    "tariff_pct": float(r.tariff_pct),
                    "start_tariff_pct": float(r.start_tariff_pct),
                }
                for r in t.itertuples()
            ]
        return d


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    return x


def _result(game: Game, kind, players, mfn, tariffs, start, chosen, cert, converged, iterations, t0, **details):
    import time

    out, res, ok, _ = game.solve(tariffs)
    start_out, _, _, _ = game.solve(start)
    cert = Certificate(
        foc_residual=cert.foc_residual,
        equilibrium_residual=max(cert.equilibrium_residual, res),
        deviation_gain_pct=cert.deviation_gain_pct,
        constraint_residual=cert.constraint_residual,
    )
    return GameResult(
        kind=kind,
        model=game.model,
        baseline=game.baseline,
        objective=game.objective,
        players=tuple(game.baseline.regions[p] for p in players),
        mfn=mfn,
        tariffs=np.asarray(tariffs),
        start_tariffs=np.asarray(start),
        chosen=chosen,
        outcomes=out,
        objective_key=game.key,
        start_payoff_pct=100 * (start_out[game.key] - 1),
        certificate=cert,
        converged=bool(converged and ok),
        iterations=int(iterations),
        evaluations=game.evaluations,
        seconds=time.perf_counter() - t0,
        details=details,
    )


def _start(game: Game, start) -> np.ndarray:
    if start is None:
        return np.array(game.baseline.tariffs)
    start = np.asarray(start, dtype=float)
    from tradewar.api import check_tariffs

    check_tariffs(start, game.baseline, "start")
    return start.copy()


def _check_bounds(lb, ub):
    if np.any(lb > ub):
        raise InputError("bounds: the lower bound exceeds the upper bound; use --lower below --upper", field="lower")


# ----------------------------------------------------------------------------- optimal tariffs


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
) -> tuple[np.ndarray, _Inner, _Problem]:
    """Player's optimal tariffs given everyone else's (full tariffs in, full tariffs out), the
    optimiser started from ``x0``: instruments, "upper" (the upper bounds) or None (``tariffs``)."""
    groups = game.layout([player], partners, mfn)
    problem = game._problem(groups, tariffs, [player])
    lb = problem.bounds_of(game.bounds_array(lower, "lower"))
    ub = problem.bounds_of(game.bounds_array(upper, "upper"))
    _check_bounds(lb, ub)
    start = problem.x_of(tariffs) if x0 is None else ub if isinstance(x0, str) and x0 == "upper" else x0
    inner = _maximise(problem, "linear", {"w": np.ones(1)}, start, lb, ub)
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
    import time

    t0 = time.perf_counter()
    game.evaluations = 0
    start = _start(game, start)
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
    result = _result(
        game, "optimal", [n], mfn, tariffs, start, np.asarray(problem.groups) >= 0, cert, converged, inner.iterations, t0,
        optimiser_message=inner.message,
    )
    if check and not result.converged:
        raise NotConverged(f"optimal tariffs of {player} (first-order conditions)", inner.foc, inner.iterations, foc_tol)
    return result


# ----------------------------------------------------------------------------- Nash


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
    import time

    t0 = time.perf_counter()
    game.evaluations = 0
    idx = game.players_of(players)
    if targets not in ("all", "players"):
        raise InputError(f"targets: {targets!r}; use 'all' or 'players'", field="targets")
    partners = None if targets == "all" else idx
    start = _start(game, start)
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
        foc_final[n] = float(np.max(np.abs(_projected_gradient(x, jac[0], lb, ub))))
        if certify:
            if progress:
                progress(f"certificate: best response of {game.baseline.regions[n]}")
            best = -np.inf
            for x0 in (x, problem.x_of(start)):
                inner = _maximise(problem, "linear", {"w": np.ones(1)}, x0, lb, ub)
                best = max(best, inner.value)
            deviation[game.baseline.regions[n]] = max(0.0, 100 * (np.exp((best - u[0]) / 100) - 1))
    cert = Certificate(
        foc_residual=max(foc_final.values()),
        equilibrium_residual=residual,
        deviation_gain_pct=deviation if certify else None,
    )
    converged = change <= tol and cert.foc_residual <= foc_tol and (
        not certify or cert.max_deviation_gain_pct <= deviation_tol
    )
    result = _result(
        game, "nash", idx, mfn, tariffs, start, chosen, cert, converged, iterations, t0,
        rounds=rnd, last_change=change, targets=targets,
    )
    if check and not result.converged:
        raise NotConverged(
            f"Nash tariffs of {','.join(result.players)} (largest change in the last round {change:.2g}, "
            f"first-order residual {cert.foc_residual:.2g}, deviation gain {cert.max_deviation_gain_pct}%)",
            change,
            rnd,
            tol,
        )
    return result


# ----------------------------------------------------------------------------- trade talks


def _talks_layout(game: Game, idx: list[int], mfn: bool, targets: str) -> np.ndarray:
    partners = None if targets == "all" else idx
    return game.layout(idx, partners, mfn)


def _equalise(problem: _Problem, x, u0, lb, ub, tol: float, max_steps: int = 8) -> tuple[np.ndarray, float]:
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
    import time

    t0 = time.perf_counter()
    game.evaluations = 0
    idx = game.players_of(players)
    if len(idx) < 2:
        raise InputError("players: trade talks need at least two players", field="players")
    start = _start(game, start)
    groups = _talks_layout(game, idx, mfn, targets)
    problem = game._problem(groups, start, idx)
    lb = problem.bounds_of(game.bounds_array(lower, "lower"))
    ub = problem.bounds_of(game.bounds_array(upper, "upper"))
    _check_bounds(lb, ub)
    u0, _ = problem(problem.x_of(start))
    k = len(idx)
    mu = np.zeros(k)
    x = problem.x_of(start)
    iterations, foc, spread = 0, np.inf, np.inf
    for outer in range(1, max_outer + 1):
        inner = _maximise(problem, "equal_gains", {"u0": u0, "mu": mu, "rho": rho}, x, lb, ub, maxiter=INNER_MAXITER)
        iterations += inner.iterations
        u, _ = problem(inner.x)
        gain = u - u0
        mu = mu - rho * (gain - gain.mean())  # first-order multiplier update
        x, spread = _equalise(problem, inner.x, u0, lb, ub, constraint_tol)
        weights = 1.0 / k + mu - mu.mean()
        u, jac = problem(x)
        foc = float(np.max(np.abs(_projected_gradient(x, weights @ jac, lb, ub))))
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
    result = _result(
        game, "equal-gains", idx, mfn, problem.tariffs(x), start, groups >= 0, cert, converged, iterations, t0,
        outer_iterations=outer,
        negishi_weights={game.baseline.regions[p]: float(w) for p, w in zip(idx, weights)},
        common_gain_pct=float(100 * np.expm1(np.mean(u - u0) / 100)),
    )
    if check and not result.converged:
        raise NotConverged(
            f"equal-gains cooperative tariffs (KKT residual {foc:.2g}, tolerance {foc_tol:g}; gains spread)",
            spread, outer, constraint_tol,
        )
    return result


def _deal_start(problem: _Problem, u_war, x_start, x_war, lb, ub) -> np.ndarray | None:
    """Tariffs that leave every player strictly better off than the war: the starting tariffs,
    free trade, or the war's tariffs cut part of the way towards either (at the war every
    player is at its best response, so a small joint cut is a first-order gain for all)."""
    free = np.clip(np.zeros_like(x_war), lb, ub)
    candidates = [x_start, free] + [
        x_war + a * (target - x_war) for a in (0.5, 0.25, 0.1, 0.03, 0.01) for target in (x_start, free)
    ]
    for cand in candidates:
        cand = np.clip(cand, lb, ub)
        u, _ = problem(cand)
        if np.all(u - u_war > 0):
            return cand
    return None


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
    ``start``). ``threat`` defaults to `nash` among the same players (``targets="players"``).
    Raises `NoDeal` if no tariffs tried leave every player better off than the war.
    """
    import time

    t0 = time.perf_counter()
    idx = game.players_of(players)
    if len(idx) < 2:
        raise InputError("players: a bargain needs at least two players", field="players")
    start = _start(game, start)
    if threat is None:
        if progress:
            progress("threat point: the tariff war")
        threat = nash(game, [game.baseline.regions[p] for p in idx], mfn=mfn, targets="players", lower=lower,
                      upper=upper, start=start, check=check, progress=progress)
    game.evaluations = 0
    u_war = 100 * np.log1p(threat.payoff_pct[idx] / 100)
    groups = _talks_layout(game, idx, mfn, "players")
    problem = game._problem(groups, start, idx)
    lb = problem.bounds_of(game.bounds_array(lower, "lower"))
    ub = problem.bounds_of(game.bounds_array(upper, "upper"))
    _check_bounds(lb, ub)

    x0 = _deal_start(problem, u_war, problem.x_of(start), problem.x_of(threat.tariffs), lb, ub)
    if x0 is None:
        names = ",".join(game.baseline.regions[p] for p in idx)
        raise NoDeal(
            f"bargaining: no tariffs tried leave every one of {names} better off than their "
            f"{'MFN ' if mfn else ''}tariff war (tried the starting tariffs, free trade and cuts of the war "
            f"tariffs towards both), so there is no deal to report; try discriminatory tariffs (no --mfn) "
            f"or other players"
        )
    if progress:
        progress("the deal")
    inner = _maximise(problem, "nash_product", {"threat": u_war}, x0, lb, ub)
    u, _ = problem(inner.x)
    surplus = u - u_war
    cert = Certificate(foc_residual=inner.foc, equilibrium_residual=max(problem.max_residual, threat.certificate.equilibrium_residual))
    converged = inner.foc <= foc_tol and np.all(surplus > 0) and threat.converged
    result = _result(
        game, "bargaining", idx, mfn, problem.tariffs(inner.x), start, groups >= 0, cert, converged, inner.iterations, t0,
        threat_payoff_pct={game.baseline.regions[p]: float(v) for p, v in zip(idx, threat.payoff_pct[idx])},
        threat_median_tariff_pct={game.baseline.regions[p]: threat.median_tariff_pct(game.baseline.regions[p]) for p in idx},
        threat_certificate=threat.certificate.to_dict(),
        gain_over_war_pct={game.baseline.regions[p]: float(100 * np.expm1(s / 100)) for p, s in zip(idx, surplus)},
    )
    if check and not result.converged:
        raise NotConverged("Nash-bargaining deal (first-order conditions)", inner.foc, inner.iterations, foc_tol)
    return result
