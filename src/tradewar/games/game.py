r"""Tariff games, generic over models: optimal tariffs, Nash tariff wars and trade talks.

This module holds the `Game` (a model on a baseline); the games are in the modules beside it.

Every game is played over a model's equilibrium in changes (see `tradewar.models`). A player's
payoff is a per-region outcome of the model: ``welfare_hat`` (the exact welfare change, every
model) or ``government_welfare_hat`` (political-economy weighted welfare, models that define it,
e.g. Ossa 2014 with weights ``lambdas``). Payoffs are measured as u_n = 100 log(payoff_hat_n),
so that their derivatives read as percent changes.

Gradients of payoffs with respect to tariffs are exact: the equilibrium z(t) solves F(z, t) = 0
by `tradewar.solver.newton.newton_root`, whose `lax.custom_root` gives dz/dt = -(dF/dz)^-1 dF/dt by the
implicit function theorem (never finite differences). The games use its adjoint form: with
U(z, t) the payoffs, du/dt = dU/dt - lambda' dF/dt where (dF/dz)' lambda = (dU/dz)' at z*,
one transposed linear solve per payoff (dense for small systems, GMRES on vector-Jacobian
products otherwise), so a player's whole gradient costs one solve. (Forward and reverse mode
through `newton_root` itself work too, see `tradewar.solver.newton`; the tests use `jax.jacfwd`
through it as an independent check.)

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
from types import ModuleType
from typing import Literal

import jax.numpy as jnp
import numpy as np

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError, InvalidEquilibrium, NotConverged
from tradewar.games.kernels import GAME_ADVICE, kernels
from tradewar.games.optimise import Problem
from tradewar.models import get_model
from tradewar.solver.equilibrium import check_tariffs, describe_violation
from tradewar.solver.newton import TOL

Objective = Literal["welfare", "government"]
OBJECTIVES: dict[str, str] = {"welfare": "welfare_hat", "government": "government_welfare_hat"}

Progress = Callable[[str], None]


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
        self._vjac, self._evaluate, self._newton = kernels(
            model, self.key, self.tol, int(max_iter), int(self.z_init.shape[0])
        )
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
            arr = (
                np.broadcast_to(arr, (self.n, self.n, self.s))
                if arr.ndim != 2
                else np.broadcast_to(arr[:, None, :], (self.n, self.n, self.s))
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
        """Outcomes (numpy) at full tariffs [n, i, s], with the residual, flag and iterations;
        the flag is False for a root that is not a valid equilibrium (`describe_violation`)."""
        res, out = self._evaluate(jnp.asarray(tariffs), self.p0, self.z_init)
        out = {k: np.asarray(v) for k, v in out.items()}
        ok = bool(res.converged) and describe_violation(out, self.baseline, tariffs) is None
        return out, float(res.max_residual), ok, int(res.iterations)

    def payoffs(self, tariffs: np.ndarray) -> np.ndarray:
        """u_n = 100 log(payoff_hat_n) of every region at full tariffs."""
        res, out = self._evaluate(jnp.asarray(tariffs), self.p0, self.z_init)
        out = {k: np.asarray(v) for k, v in out.items()}
        what = f"{self.model} equilibrium during a game"
        if not bool(res.converged):
            raise NotConverged(what, float(res.max_residual), int(res.iterations), self.tol, advice=GAME_ADVICE)
        problem = describe_violation(out, self.baseline, tariffs)
        if problem is not None:
            raise InvalidEquilibrium(what, problem, float(res.max_residual), int(res.iterations))
        return 100 * np.log(out[self.key])

    def _problem(self, groups, base, rows):
        return Problem(self, groups, np.asarray(base, float), np.asarray(rows, dtype=np.int32))


def start_tariffs(game: Game, start) -> np.ndarray:
    if start is None:
        return np.array(game.baseline.tariffs)
    start = np.asarray(start, dtype=float)
    check_tariffs(start, game.baseline, "start")
    return start.copy()


def check_bounds(lb, ub):
    if np.any(lb > ub):
        raise InputError("bounds: the lower bound exceeds the upper bound; use --lower below --upper", field="lower")
