r"""Games over more instruments than tariffs: export taxes and export limits beside tariffs.

A player n may choose, on each partner i and sector s:

- ``tariffs``: its import tariff tau'_ni^s (decimals), as in `tradewar.games.optimal`;
- ``export_taxes``: its tax t'_in^s on its sales to i (decimals; the revenue is n's income,
  Caliendo-Parro with export taxes, `tradewar.models.caliendo_parro`);
- ``export_limits``: a cap on the quantity of its sales to i in s, at most a given cut
  (fraction of the baseline quantity, e.g. the share of controlled products in the sector).
  The model solves a cap as the export tax that achieves it (the quota rent is the
  exporter's), and the games play a limit as that tax equivalent, from zero (no limit) up to
  the tax that achieves the largest cut at the baseline (`InstrumentGame.limit_tax_bounds`);
  results report each limit's cut, 1 - the quantity's change. A player's best response in
  limits is therefore its best response in caps (one cap, one tax equivalent). In a war the
  others hold the tax equivalent fixed when they deviate, not the quantity: Nash in caps has
  kinks where a partner's tariff just absorbs the quota rent (Rodriguez 1974, tariffs against
  quotas), where first-order certificates do not exist.

A policy's own caps (e.g. China's controls paused at Busan, `Policy.export_limits`) are solved
by the model's complementarity; ``limit_cells`` of `InstrumentGame` lists the flows they may
touch.

Every instrument enters the model's parameters (`Params.tariff_new`, `export_tax`,
`limit_log_target`) through `policy_params`, the ``params_of`` of the games' one set of
compiled kernels (`tradewar.games.kernels`), so payoff gradients are exact by the implicit
function theorem (the adjoint solve, the second-order adjoint for projected Newton) and the
same optimisers (`tradewar.games.optimise`), first-order residuals and deviation certificates
apply.

Games: `best_response`, `nash` (Gauss-Seidel best responses, certified by the largest gain
from deviating, re-solved from several starting points), `bargaining` (Nash product over the
players' instruments with their war as threat point), `weighted_optimum` (max w . u: a point of
the Pareto frontier) and `evaluate` (a given policy's payoffs, e.g. the Busan deal's).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError, NoDeal, NotConverged
from tradewar.games.game import Game, Progress
from tradewar.games.kernels import kernels
from tradewar.games.nash import DEVIATION_TOL, NASH_TOL
from tradewar.games.optimise import (
    FOC_TOL,
    deal_candidates,
    deal_certificate_text,
    deal_deviation_gain_pct,
    feasible_starts,
    maximise,
    projected_gradient,
    warm_payoffs,
)
from tradewar.games.results import Certificate
from tradewar.solver.equilibrium import solve

INSTRUMENTS = ("tariffs", "export_taxes", "export_limits")
#: The cut of a cap that never binds: ten times the baseline quantity.
NO_LIMIT_CUT = -9.0
#: Default bounds (decimals): tariffs and export taxes from 0 to 225 % (Ossa's bounds).
TARIFF_BOUNDS = (0.0, 2.25)
EXPORT_TAX_BOUNDS = (0.0, 2.25)


# ----------------------------------------------------------------------------- policies


@dataclass(frozen=True, eq=False)
class Policy:
    """Every instrument of the model, [importer, exporter, sector], decimals.

    ``export_limits`` are cuts (fractions of the baseline quantity), NaN where there is no limit.
    """

    tariffs: np.ndarray
    export_taxes: np.ndarray
    export_limits: np.ndarray

    @classmethod
    def of(cls, baseline: Baseline, tariffs=None, export_taxes=None, export_limits=None) -> Policy:
        shape = baseline.trade.shape
        return cls(
            tariffs=np.array(baseline.tariffs if tariffs is None else tariffs, float),
            export_taxes=np.zeros(shape) if export_taxes is None else np.array(export_taxes, float),
            export_limits=np.full(shape, np.nan) if export_limits is None else np.array(export_limits, float),
        )


@dataclass(frozen=True)
class Instruments:
    """What one player chooses, on each of its partners: tariffs (every tradable sector, or
    none), export taxes on the sectors listed (``"all"``: every tradable sector) and export
    limits on the sectors given, each with its largest cut (fraction of the baseline quantity:
    e.g. the share of the controlled products in the sector)."""

    tariffs: bool = True
    export_taxes: tuple[str, ...] | str = ()
    export_limits: Mapping[str, float] = field(default_factory=dict)

    def names(self) -> list[str]:
        out = ["tariffs"] if self.tariffs else []
        if self.export_taxes:
            out.append("export_taxes")
        if self.export_limits:
            out.append("export_limits")
        return out


def parse_instruments(value: str | Sequence[str]) -> list[str]:
    """``tariffs,export_limits`` -> names, one-line error for an unknown instrument."""
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    for name in names:
        if name not in INSTRUMENTS:
            raise InputError(
                f"instruments: {name!r} is not an instrument; use one or more of {', '.join(INSTRUMENTS)}",
                field="instruments",
            )
    if not names:
        raise InputError(f"instruments: none given; use one or more of {', '.join(INSTRUMENTS)}", field="instruments")
    return names


# ----------------------------------------------------------------------------- kernels


def policy_params(x, layout, base, p0):
    """The model's parameters at instruments x (the ``params_of`` of `tradewar.games.kernels`):
    ``layout`` holds the instrument indices of tariffs and export taxes [n, i, s] (-1: not
    chosen), ``base`` the policy's tariffs, export taxes [n, i, s] and the cuts of its own
    export limits [K] (never chosen: see the module docstring)."""
    x_ext = jnp.concatenate([x, jnp.zeros(1, x.dtype)])
    tariffs = jnp.where(layout[0] >= 0, x_ext[layout[0]], base[0])
    if "export_tax" not in p0._fields:  # a model with tariffs only (the layout chooses no taxes)
        return p0._replace(tariff_new=tariffs)
    taxes = jnp.where(layout[1] >= 0, x_ext[layout[1]], base[1])
    return p0._replace(tariff_new=tariffs, export_tax=taxes, limit_log_target=jnp.log1p(-base[2]))


# ----------------------------------------------------------------------------- the game


class InstrumentGame(Game):
    """A `tradewar.games.Game` whose players may also choose export taxes and export limits.

    ``limit_cells`` [importer, exporter, sector] (bool) marks every flow on which a policy the
    game evaluates may carry a cap (`Policy.export_limits`: the model's unknowns include one
    tax equivalent per such flow, so they are fixed when the game is built). Only models with
    export taxes in their parameters (Caliendo-Parro) support instruments other than tariffs.
    """

    def __init__(self, model, baseline: Baseline, *, limit_cells: np.ndarray | None = None, **kwargs):
        mask = np.zeros(baseline.trade.shape, bool) if limit_cells is None else np.asarray(limit_cells, bool)
        mask &= baseline.trade > 0
        cuts = np.where(mask, NO_LIMIT_CUT, np.nan)
        extra = {"export_limits": cuts} if mask.any() else {}
        super().__init__(model, baseline, **extra, **kwargs)
        self.options.pop("export_limits", None)
        self.limit_cells = np.argwhere(mask)  # [K, 3], the model's order (np.argwhere)
        self.limit_mask = mask
        fields = getattr(self.p0, "_fields", ())
        self.supports = {"tariffs"} | ({"export_taxes", "export_limits"} if "export_tax" in fields else set())
        self._limit_bounds: dict = {}
        n_z = int(self.z_init.shape[0])
        self._vjac, self._evaluate, self._newton = kernels(self.module, self.key, self.tol, 60, n_z, policy_params)

    def check_supported(self, names: Sequence[str]) -> None:
        for name in names:
            if name not in self.supports:
                raise InputError(
                    f"instruments: model {self.model} does not support {name}; use caliendo-parro or "
                    f"--instruments {','.join(sorted(self.supports))}",
                    field="instruments",
                )

    # -- policies <-> model parameters
    def limit_vector(self, export_limits: np.ndarray) -> np.ndarray:
        cuts = np.asarray(export_limits, float)[tuple(self.limit_cells.T)] if len(self.limit_cells) else np.zeros(0)
        outside = np.isfinite(export_limits) & ~self.limit_mask
        if np.any(outside):
            n, i, s = np.argwhere(outside)[0]
            r = self.baseline.regions
            raise InputError(
                f"export_limits: a limit on {r[i]}'s sales to {r[n]} in {self.baseline.sectors[s]} is not among "
                "the game's limited flows; build the game with that flow in limit_cells",
                field="export_limits",
            )
        return np.where(np.isfinite(cuts), cuts, NO_LIMIT_CUT)

    def base_of(self, policy: Policy):
        return (
            jnp.asarray(policy.tariffs),
            jnp.asarray(policy.export_taxes),
            jnp.asarray(self.limit_vector(policy.export_limits)),
        )

    def params_of(self, policy: Policy):
        x_none = jnp.zeros(0)
        layout = (jnp.full(policy.tariffs.shape, -1), jnp.full(policy.tariffs.shape, -1))
        return policy_params(x_none, layout, self.base_of(policy), self.p0)

    def solve_policy(self, policy: Policy) -> tuple[dict, float, bool, int]:
        """Outcomes (numpy) of a policy, with the residual, converged flag and iterations."""
        res, out = self._evaluate(jnp.asarray(policy.tariffs), self.params_of(policy), self.z_init)
        return (
            {k: np.asarray(v) for k, v in out.items()},
            float(res.max_residual),
            bool(res.converged),
            int(res.iterations),
        )

    def solved_outcomes(self, policy: Policy) -> dict:
        """Outcomes of a policy's equilibrium; `NotConverged` where it is not a valid one."""
        out, res, ok, _ = self.solve_policy(policy)
        if not ok:
            raise NotConverged(f"{self.model} equilibrium of a policy", res, 0, self.tol)
        return out

    def policy_payoffs(self, policy: Policy) -> np.ndarray:
        return 100 * np.log(self.solved_outcomes(policy)[self.key])

    def limit_tax_bounds(self, cells: tuple, cuts: tuple) -> np.ndarray:
        """The export taxes that achieve the largest cuts on ``cells`` [(importer, exporter,
        sector)] together, at the baseline: the upper bounds of export limits played as their
        tax equivalents (cached)."""
        key = (cells, cuts)
        if key not in self._limit_bounds:
            caps = np.full(self.baseline.trade.shape, np.nan)
            for cell, cut in zip(cells, cuts):
                caps[cell] = cut
            eq = solve(self.model, self.baseline, self.baseline.tariffs, export_limits=caps, **self.options)
            self._limit_bounds[key] = np.array([float(eq.outcomes["export_tax_new"][c]) for c in cells])
        return self._limit_bounds[key]

    def start_policy(self, start: Policy | None) -> Policy:
        return Policy.of(self.baseline) if start is None else start


# ----------------------------------------------------------------------------- problems


class _PolicyProblem:
    """Payoffs u[rows] and du/dx as functions of the chosen instruments x (the interface of
    `tradewar.games.optimise.Problem`, so that `tradewar.games.optimise.maximise` optimises it)."""

    def __init__(self, game: InstrumentGame, layout, base: Policy, rows, lb: np.ndarray, ub: np.ndarray, kinds):
        self.game = game
        self.layout_np = layout
        self.groups = tuple(jnp.asarray(g) for g in layout)
        self.base_policy = base
        self.base = game.base_of(base)
        self.rows = jnp.asarray(np.asarray(rows, np.int32))
        self.size = len(lb)
        self.lb, self.ub, self.kinds = lb, ub, kinds
        self.z = game.z_init
        self.max_residual = 0.0
        self.evaluations = 0

    def x_of(self, policy: Policy) -> np.ndarray:
        x = np.zeros(self.size)
        t, e = self.layout_np
        x[t[t >= 0]] = policy.tariffs[t >= 0]
        x[e[e >= 0]] = policy.export_taxes[e >= 0]
        return np.clip(x, self.lb, self.ub)

    def policy(self, x: np.ndarray) -> Policy:
        t, e = self.layout_np
        x_ext = np.append(x, 0.0)
        b = self.base_policy
        return Policy(
            tariffs=np.where(t >= 0, x_ext[t], b.tariffs),
            export_taxes=np.where(e >= 0, x_ext[e], b.export_taxes),
            export_limits=np.array(b.export_limits),
        )

    def __call__(self, x: np.ndarray):
        return warm_payoffs(self, x, "instruments")


@dataclass(frozen=True)
class Bounds:
    """Bounds of each instrument (decimals). Export limits: cut from `NO_LIMIT_CUT` (no limit)
    to the player's largest cut in `Instruments.export_limits`."""

    tariffs: tuple[float, float] = TARIFF_BOUNDS
    export_taxes: tuple[float, float] = EXPORT_TAX_BOUNDS


def _layout(
    game: InstrumentGame,
    choices: Mapping[int, Instruments],
    partners: Mapping[int, list[int]],
    bounds: Bounds,
):
    """Instrument indices: tariffs and export taxes (and the tax equivalents of export limits)
    [n,i,s]; each instrument's bounds and kind."""
    b = game.baseline
    n_, s_ = b.n_regions, b.n_sectors
    g_t = np.full((n_, n_, s_), -1, np.int32)
    g_e = np.full((n_, n_, s_), -1, np.int32)
    lb, ub, kinds = [], [], []
    tradable = np.flatnonzero(b.tradable)

    def add(lo, hi, kind):
        lb.append(lo)
        ub.append(hi)
        kinds.append(kind)
        return len(lb) - 1

    for n, inst in choices.items():
        game.check_supported(inst.names())
        others = [i for i in partners[n] if i != n]
        if inst.tariffs:
            for i in others:
                for s in tradable:
                    g_t[n, i, s] = add(*bounds.tariffs, "tariffs")
        tax_sectors = tradable if inst.export_taxes == "all" else [_sector(b, s) for s in inst.export_taxes]
        for i in others:
            for s in tax_sectors:
                g_e[i, n, s] = add(*bounds.export_taxes, "export_taxes")
        if inst.export_limits:
            cells, cuts = [], []
            for sector, largest in inst.export_limits.items():
                s = _sector(b, sector)
                if not 0 <= largest < 1:
                    raise InputError(
                        f"export_limits: largest cut {largest:g} of {b.regions[n]} in {sector} must be in [0, 1)",
                        field="export_limits",
                    )
                if not b.tradable[s]:
                    raise InputError(f"export_limits: {sector} is not tradable", field="export_limits")
                cells += [(i, n, s) for i in others if b.trade[i, n, s] > 0]
                cuts += [largest for i in others if b.trade[i, n, s] > 0]
            for cell, t_max in zip(cells, game.limit_tax_bounds(tuple(cells), tuple(cuts))):
                if g_e[cell] >= 0:
                    raise InputError(
                        f"instruments: {b.regions[n]} has both an export tax and an export limit in "
                        f"{b.sectors[cell[2]]}; choose one",
                        field="instruments",
                    )
                g_e[cell] = add(0.0, t_max, "export_limits")
    if not lb:
        raise InputError("instruments: the players have nothing to choose", field="instruments")
    return (g_t, g_e), np.array(lb), np.array(ub), np.array(kinds)


def _sector(b: Baseline, code: str) -> int:
    if code not in b.sectors:
        raise InputError(f"sectors: unknown sector {code!r}; use one of {', '.join(b.sectors)}", field="sectors")
    return b.sectors.index(code)


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class PolicyResult:
    """A game's answer over several instruments: the policy, every region's payoff, the
    certificate and diagnostics. ``payoff_pct`` is 100 (payoff_hat - 1) from the baseline."""

    kind: str
    players: tuple[str, ...]
    policy: Policy
    outcomes: dict
    payoff_pct: np.ndarray
    certificate: Certificate | None
    converged: bool
    seconds: float
    chosen: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)

    def payoffs(self, codes: Sequence[str], regions: Sequence[str]) -> dict[str, float]:
        return {c: float(self.payoff_pct[list(regions).index(c)]) for c in codes}

    def export_tax_equivalent(self) -> np.ndarray:
        """The export tax in force on every flow [n,i,s] (set, or the equivalent of a limit)."""
        return np.asarray(self.outcomes["export_tax_new"])


def implied_cuts(outcomes: dict, cells) -> np.ndarray:
    """1 - the change in the quantity of each flow (importer, exporter, sector): the cut an
    export tax (or tax equivalent) achieves; quantity = factory-gate sales / unit cost."""
    out = []
    for n, i, s in cells:
        sales_hat = (
            outcomes["trade_new"][n, i, s] / (1 + outcomes["export_tax_new"][n, i, s]) / outcomes["trade_old"][n, i, s]
        )
        out.append(1.0 - sales_hat / outcomes["cost_hat"][i, s])
    return np.array(out)


def _limits_chosen(game: InstrumentGame, layouts, kinds_list) -> list[tuple[int, int, int]]:
    cells = []
    for layout, kinds in zip(layouts, kinds_list):
        e = layout[1]
        for cell in np.argwhere(e >= 0):
            if kinds[e[tuple(cell)]] == "export_limits":
                cells.append(tuple(int(c) for c in cell))
    return cells


def _finish(
    game: InstrumentGame, kind, idx, policy, cert, converged, t0, chosen=None, limits=(), **details
) -> PolicyResult:
    out, res, ok, _ = game.solve_policy(policy)
    regions, sectors = game.baseline.regions, game.baseline.sectors
    if limits:
        details["export_limits"] = [
            {
                "importer": regions[n], "exporter": regions[i], "sector": sectors[s],
                "tax_equivalent_pct": 100 * float(policy.export_taxes[n, i, s]),
                "quantity_change_pct": -100 * float(cut),
            }
            for (n, i, s), cut in zip(limits, implied_cuts(out, limits))
        ]  # fmt: skip
    if cert is not None:
        cert = Certificate(
            foc_residual=cert.foc_residual,
            equilibrium_residual=max(cert.equilibrium_residual, res),
            deviation_gain_pct=cert.deviation_gain_pct,
            constraint_residual=cert.constraint_residual,
        )
    return PolicyResult(
        kind=kind,
        players=tuple(game.baseline.regions[p] for p in idx),
        policy=policy,
        outcomes=out,
        payoff_pct=100 * (out[game.key] - 1),
        certificate=cert,
        converged=bool(converged and ok),
        seconds=time.perf_counter() - t0,
        chosen=chosen or {},
        details=details,
    )


def evaluate(game: InstrumentGame, policy: Policy, players: Sequence[str] = (), kind: str = "policy") -> PolicyResult:
    """A given policy's outcomes (no optimisation, no certificate): e.g. the Busan deal."""
    result = _finish(game, kind, [game.region_index(p) for p in players], policy, None, True, time.perf_counter())
    if not result.converged:
        raise NotConverged(f"{game.model} equilibrium of the {kind} policy", np.nan, 0, game.tol)
    return result


# ----------------------------------------------------------------------------- best response and Nash


def _choices(game: InstrumentGame, instruments: Mapping[str, Instruments]) -> dict[int, Instruments]:
    return {game.region_index(code, "players"): inst for code, inst in instruments.items()}


def best_response(
    game: InstrumentGame,
    player: int,
    instruments: Instruments,
    policy: Policy,
    partners: list[int],
    *,
    bounds: Bounds = Bounds(),
    x0: np.ndarray | None = None,
):
    """The player's best policy given everyone else's: max u_player over its instruments,
    started from ``x0`` (or the policy's own instruments). Returns (policy, inner result,
    problem)."""
    layout, lb, ub, kinds = _layout(game, {player: instruments}, {player: partners}, bounds)
    problem = _PolicyProblem(game, layout, policy, [player], lb, ub, kinds)
    start = problem.x_of(policy) if x0 is None else np.clip(x0, lb, ub)
    inner = maximise(problem, "linear", {"w": np.ones(1)}, start, lb, ub)
    return problem.policy(inner.x), inner, problem


def nash(
    game: InstrumentGame,
    instruments: Mapping[str, Instruments],
    *,
    targets: str = "players",
    bounds: Bounds = Bounds(),
    start: Policy | None = None,
    tol: float = NASH_TOL,
    max_rounds: int = 60,
    foc_tol: float = FOC_TOL,
    deviation_tol: float = DEVIATION_TOL,
    check: bool = True,
    progress: Progress | None = None,
) -> PolicyResult:
    """Nash equilibrium of a war among the players of ``instruments`` (code -> `Instruments`),
    each choosing its instruments against the other players (``targets="players"``) or every
    region; everyone else passive at ``start``. Gauss-Seidel best responses until no instrument
    moves by more than ``tol`` in a round. Certificate: every player's first-order residual at
    the answer, and the largest gain from deviating, re-solving each best response from its
    Nash instruments and from the starting policy."""
    t0 = time.perf_counter()
    game.evaluations = 0
    choices = _choices(game, instruments)
    idx = list(choices)
    if len(idx) < 2:
        raise InputError("players: a war needs at least two players", field="players")
    partners = {n: (idx if targets == "players" else list(range(game.n))) for n in idx}
    start = game.start_policy(start)
    policy = start
    warm: dict[int, np.ndarray] = {}
    residual, change, rnd = 0.0, np.inf, 0
    for rnd in range(1, max_rounds + 1):
        before = [policy.tariffs, policy.export_taxes, game.limit_vector(policy.export_limits)]
        for n in idx:
            if progress:
                progress(f"round {rnd}: best response of {game.baseline.regions[n]}")
            policy, inner, problem = best_response(
                game, n, choices[n], policy, partners[n], bounds=bounds, x0=warm.get(n)
            )
            warm[n] = inner.x
            residual = max(residual, problem.max_residual)
        after = [policy.tariffs, policy.export_taxes, game.limit_vector(policy.export_limits)]
        change = max(float(np.max(np.abs(a - b), initial=0.0)) for a, b in zip(after, before))
        if change <= tol:
            break
    foc, deviation, chosen, limits = {}, {}, {}, []
    for n in idx:
        code = game.baseline.regions[n]
        layout, lb, ub, kinds = _layout(game, {n: choices[n]}, {n: partners[n]}, bounds)
        problem = _PolicyProblem(game, layout, policy, [n], lb, ub, kinds)
        x = problem.x_of(policy)
        u, jac = problem(x)
        foc[code] = float(np.max(np.abs(projected_gradient(x, jac[0], lb, ub))))
        chosen[code] = layout
        limits += _limits_chosen(game, [layout], [kinds])
        if progress:
            progress(f"certificate: best response of {code}")
        best = -np.inf
        for x_start in (x, problem.x_of(start)):
            best = max(best, maximise(problem, "linear", {"w": np.ones(1)}, x_start, lb, ub).value)
        deviation[code] = max(0.0, 100 * float(np.expm1((best - u[0]) / 100)))
        residual = max(residual, problem.max_residual)
    cert = Certificate(foc_residual=max(foc.values()), equilibrium_residual=residual, deviation_gain_pct=deviation)
    converged = change <= tol and cert.foc_residual <= foc_tol and cert.max_deviation_gain_pct <= deviation_tol
    result = _finish(
        game, "nash", idx, policy, cert, converged, t0, chosen=chosen, limits=limits,
        rounds=rnd, last_change=change, targets=targets, foc_by_player=foc,
        instruments={game.baseline.regions[n]: choices[n].names() for n in idx},
    )  # fmt: skip
    if check and not result.converged:
        raise NotConverged(
            f"Nash war over {','.join(sorted({i for c in choices.values() for i in c.names()}))} of "
            f"{','.join(result.players)} (largest change in the last round {change:.2g}, first-order residual "
            f"{cert.foc_residual:.2g}, deviation gain {cert.max_deviation_gain_pct:.2g}%)",
            change,
            rnd,
            tol,
        )
    return result


# ----------------------------------------------------------------------------- deals and the frontier


def _joint_problem(game, choices, bounds, start: Policy, idx):
    partners = dict.fromkeys(idx, idx)
    layout, lb, ub, kinds = _layout(game, choices, partners, bounds)
    return _PolicyProblem(game, layout, start, idx, lb, ub, kinds), layout, kinds


def _liberal(problem: _PolicyProblem) -> np.ndarray:
    """Every chosen instrument at its most open value: no tariff or tax (or the lower bound),
    no export limit."""
    return np.clip(np.where(problem.kinds == "export_limits", NO_LIMIT_CUT, 0.0), problem.lb, problem.ub)


def bargaining(
    game: InstrumentGame,
    instruments: Mapping[str, Instruments],
    threat: PolicyResult,
    *,
    bounds: Bounds = Bounds(),
    start: Policy | None = None,
    pledges: Sequence[Pledge] = (),
    foc_tol: float = FOC_TOL,
    deviation_tol: float = DEVIATION_TOL,
    check: bool = True,
) -> PolicyResult:
    """The Nash-bargaining deal over the players' instruments on each other, with ``threat``
    (their war, or any policy result, e.g. the Busan deal's) as the disagreement point:
    max sum_n log(u_n - u_n(threat)). Raises `NoDeal` when no policy tried leaves every player
    better off. Certificate: the first-order residual and the largest gain in the Nash product
    found by re-solving from up to two other starting points
    (`tradewar.games.optimise.deal_deviation_gain_pct`; none, and the deal not converged, where no
    other start leaves every player better off than the threat).

    ``pledges``: purchase pledges the deal must contain (`Pledge`: a floor on the importer's
    purchases of a sector from the exporter, both players). Each is solved as the import tariff
    (below zero: subsidy) that achieves it: the importer's tariff on the flow is capped at the
    level at which its purchases equal the floor, the rest of the deal as it is
    (`_pledge_tariff`), and the deal is solved again under that cap until the cap no longer
    moves (a fixed point: at the answer the pledge holds with equality where it binds, and the
    first-order conditions hold for every other instrument; the cap's own projected gradient
    is the pledge's shadow cost in Nash-product terms). A pledge the deal meets anyway is
    slack and changes nothing. ``details["pledges"]`` reports each (tariff, purchases, floor,
    binding). Each round starts from the previous round's deal; under a cap that forces an
    import subsidy the threat's cuts may no longer beat the threat, so the certificate's other
    starts include that deal cut part of the way towards the start and free trade
    (`tradewar.games.optimise.deal_candidates`)."""
    t0 = time.perf_counter()
    choices = _choices(game, instruments)
    idx = list(choices)
    start = game.start_policy(start)
    problem, layout, kinds = _joint_problem(game, choices, bounds, start, idx)
    capped = _pledge_instruments(game, layout, pledges)
    upper = problem.ub.copy()
    u_threat = 100 * np.log1p(threat.payoff_pct[idx] / 100)
    x_war = problem.x_of(threat.policy)
    x_start, x_open = problem.x_of(start), _liberal(problem)
    previous: list[np.ndarray] = []
    for _ in range(PLEDGE_ROUNDS):
        candidates = previous + deal_candidates(x_start, x_open, x_war, *previous)
        starts = feasible_starts(problem, u_threat, candidates, problem.lb, problem.ub)
        if not starts:
            names = ",".join(game.baseline.regions[p] for p in idx)
            raise NoDeal(
                f"bargaining: no policy tried leaves every one of {names} better off than the {threat.kind}"
                + (" while meeting the pledges" if pledges else "")
            )
        inner = maximise(problem, "nash_product", {"threat": u_threat}, starts[0], problem.lb, problem.ub)
        previous = [inner.x]
        moved = 0.0
        for k, pledge in capped.items():
            policy = problem.policy(inner.x)
            short = pledged_purchases(game, game.solved_outcomes(policy), pledge) < pledge.floor * (1 - PLEDGE_TOL)
            if short or inner.x[k] >= problem.ub[k] - PLEDGE_TOL:  # binding (or bound at its cap)
                cap = _pledge_tariff(game, policy, pledge, upper[k])
                moved = max(moved, abs(cap - problem.ub[k]))
                problem.ub[k], problem.lb[k] = cap, min(problem.lb[k], cap)
        if moved <= PLEDGE_TOL:
            break
    caps_settled = moved <= PLEDGE_TOL  # else the deal solved is that of the previous round's caps
    deviation = deal_deviation_gain_pct(problem, u_threat, inner, starts[1:], problem.lb, problem.ub)
    u, _ = problem(inner.x)
    surplus = u - u_threat
    cert = Certificate(
        foc_residual=inner.foc,
        equilibrium_residual=problem.max_residual,
        deviation_gain_pct=None if deviation is None else {"nash_product": deviation},
    )
    certified = deviation is not None and deviation <= deviation_tol
    converged = inner.foc <= foc_tol and bool(np.all(surplus > 0)) and certified and caps_settled
    regions = game.baseline.regions
    result = _finish(
        game, "bargaining", idx, problem.policy(inner.x), cert, converged, t0,
        chosen={"joint": layout}, limits=_limits_chosen(game, [layout], [kinds]),
        threat_kind=threat.kind,
        threat_payoff_pct={regions[p]: float(v) for p, v in zip(idx, threat.payoff_pct[idx])},
        gain_over_threat_pct={regions[p]: float(100 * np.expm1(s / 100)) for p, s in zip(idx, surplus)},
    )  # fmt: skip
    if pledges:
        result.details["pledges"] = {
            pledge.label or pledge.sector: {
                "tariff_pct": 100 * float(result.policy.tariffs[_pledge_cell(game, pledge)]),
                "purchases": pledged_purchases(game, result.outcomes, pledge),
                "floor": pledge.floor,
                "binding": bool(problem.ub[k] < upper[k] and inner.x[k] >= problem.ub[k] - PLEDGE_TOL),
            }
            for k, pledge in capped.items()
        }
        converged = converged and all(
            v["purchases"] >= v["floor"] * (1 - PLEDGE_TOL) for v in result.details["pledges"].values()
        )
        result = replace(result, converged=bool(converged and result.converged))
    if check and not result.converged:
        raise NotConverged(
            f"Nash-bargaining deal (first-order residual {inner.foc:.2g}, Nash-product gain from other starts "
            f"{deal_certificate_text(deviation)}"
            + ("" if caps_settled else f", pledge caps still moving by {moved:.2g}")
            + ")",
            inner.foc,
            inner.iterations,
            foc_tol,
        )
    return result


def weighted_optimum(
    game: InstrumentGame,
    instruments: Mapping[str, Instruments],
    weights: Sequence[float],
    *,
    bounds: Bounds = Bounds(),
    start: Policy | None = None,
    x0: np.ndarray | None = None,
    foc_tol: float = FOC_TOL,
    check: bool = True,
) -> tuple[PolicyResult, np.ndarray]:
    """max sum_n w_n u_n over the players' instruments on each other (w > 0): a point of the
    Pareto frontier of the payoffs (any maximiser of a positively weighted sum is undominated).
    Returns the result and the instruments (for warm starts along the frontier)."""
    t0 = time.perf_counter()
    choices = _choices(game, instruments)
    idx = list(choices)
    w = np.asarray(weights, float)
    if w.shape != (len(idx),) or np.any(w <= 0):
        raise InputError(f"weights: {list(w)} must be {len(idx)} positive numbers", field="weights")
    start = game.start_policy(start)
    problem, layout, kinds = _joint_problem(game, choices, bounds, start, idx)
    x_init = _liberal(problem) if x0 is None else np.clip(x0, problem.lb, problem.ub)
    inner = maximise(problem, "linear", {"w": w}, x_init, problem.lb, problem.ub)
    cert = Certificate(foc_residual=inner.foc, equilibrium_residual=problem.max_residual)
    result = _finish(
        game, "frontier", idx, problem.policy(inner.x), cert, inner.foc <= foc_tol, t0,
        chosen={"joint": layout}, limits=_limits_chosen(game, [layout], [kinds]), weights=w.tolist(),
    )  # fmt: skip
    if check and not result.converged:
        raise NotConverged(
            f"frontier point at weights {w.tolist()} (first-order conditions)",
            inner.foc,
            inner.iterations,
            foc_tol,
        )
    return result, inner.x


# ----------------------------------------------------------------------------- purchase pledges


@dataclass(frozen=True)
class Pledge:
    """A purchase pledge: ``importer`` buys at least ``floor`` (USD million a year, at baseline
    prices: the baseline value of the flow times its quantity change) of ``sector`` from
    ``exporter``. It is met by the importer's tariff on the flow, lowered as far as needed, below
    zero (an import subsidy) if need be: the tariff cut and the floor's slack are complementary."""

    importer: str
    exporter: str
    sector: str
    floor: float
    label: str = ""


#: Lowest tariff a pledge may need (an import subsidy of 90 %).
PLEDGE_SUBSIDY_LIMIT = -0.9


def _pledge_cell(game: InstrumentGame, pledge: Pledge) -> tuple[int, int, int]:
    b = game.baseline
    n, i = (
        b.region_index(pledge.importer, "pledge.importer"),
        b.region_index(pledge.exporter, "pledge.exporter"),
    )
    s = _sector(b, pledge.sector)
    absorption = float(b.trade[n, :, s].sum())
    if not 0 < pledge.floor <= absorption:
        raise InputError(
            f"pledge: {pledge.importer}'s purchases of {pledge.sector} from {pledge.exporter} of {pledge.floor:g} "
            f"(USD million) exceed its whole absorption of {pledge.sector} ({absorption:.6g}) or are not positive; "
            "give a floor between 0 and that",
            field="pledge",
        )
    if n == i or b.trade[n, i, s] <= 0:
        raise InputError(
            f"pledge: no baseline trade from {pledge.exporter} to {pledge.importer} in {pledge.sector}",
            field="pledge",
        )
    return n, i, s


#: Rounds of a deal re-solved under its pledges' caps, and the tolerance (decimals of tariff,
#: relative purchases) at which a cap stops moving and a pledge counts as met.
PLEDGE_ROUNDS = 12
PLEDGE_TOL = 1e-9


def _pledge_instruments(game: InstrumentGame, layout, pledges: Sequence[Pledge]) -> dict[int, Pledge]:
    """The deal's instrument (index) of each pledge: the importer's tariff on the pledged flow."""
    out = {}
    for pledge in pledges:
        k = int(layout[0][_pledge_cell(game, pledge)])
        if k < 0:
            raise InputError(
                f"pledge: {pledge.importer}'s tariff on {pledge.exporter}'s {pledge.sector} is not one of the deal's "
                "instruments; a deal's pledges are between its players",
                field="pledge",
            )
        out[k] = pledge
    return out


def _pledge_tariff(game: InstrumentGame, policy: Policy, pledge: Pledge, upper: float) -> float:
    """The importer's tariff on the pledged flow at which its purchases equal the floor, the rest
    of ``policy`` as it is (Brent's root search between `PLEDGE_SUBSIDY_LIMIT` and ``upper``;
    ``upper`` itself where the purchases meet the floor even there)."""
    cell = _pledge_cell(game, pledge)

    def shortfall(tariff):
        trial = Policy(policy.tariffs.copy(), policy.export_taxes, policy.export_limits)
        trial.tariffs[cell] = tariff
        out, res, ok, it = game.solve_policy(trial)
        if not ok:
            raise NotConverged(f"{game.model} equilibrium while meeting the pledge {pledge.label}", res, it, game.tol)
        return pledged_purchases(game, out, pledge) / pledge.floor - 1

    if shortfall(upper) >= 0:
        return float(upper)
    if shortfall(PLEDGE_SUBSIDY_LIMIT) < 0:
        raise InputError(
            f"pledge: {pledge.label or pledge.sector} cannot be met even with a "
            f"{-100 * PLEDGE_SUBSIDY_LIMIT:g}% import subsidy; lower the floor",
            field="pledge",
        )
    return float(brentq(shortfall, PLEDGE_SUBSIDY_LIMIT, upper, xtol=1e-12, rtol=1e-12))


def pledged_purchases(game: InstrumentGame, outcomes: dict, pledge: Pledge) -> float:
    """The pledged flow at the outcomes: baseline value x the change in its quantity."""
    cell = _pledge_cell(game, pledge)
    return float(game.baseline.trade[cell] * (1 - implied_cuts(outcomes, [cell])[0]))


def apply_pledges(game: InstrumentGame, policy: Policy, pledges: Sequence[Pledge], *, tol: float = 1e-9):
    """The policy with each pledge met: where the pledged purchases fall short of the floor, the
    importer's tariff on the flow is lowered (Brent's root search on the tariff, one pledge at a
    time, repeated until every pledge holds to ``tol`` relative) to the level at which they
    equal it. Returns (policy, {label: {tariff_pct, purchases, floor, binding}})."""
    original = policy.tariffs
    for _ in range(20):
        changed = False
        for pledge in pledges:
            cell = _pledge_cell(game, pledge)
            current = float(policy.tariffs[cell])
            if pledged_purchases(game, game.solved_outcomes(policy), pledge) / pledge.floor - 1 >= -tol:
                continue
            tariff = _pledge_tariff(game, policy, pledge, current)
            tariffs = policy.tariffs.copy()
            tariffs[cell] = tariff
            policy = Policy(tariffs, policy.export_taxes, policy.export_limits)
            changed = True
        if not changed:
            break
    out = game.solved_outcomes(policy)
    report = {}
    for pledge in pledges:
        cell = _pledge_cell(game, pledge)
        report[pledge.label or pledge.sector] = {
            "tariff_pct": 100 * float(policy.tariffs[cell]),
            "tariff_before_pct": 100 * float(original[cell]),
            "binding": bool(policy.tariffs[cell] != original[cell]),
            "purchases": pledged_purchases(game, out, pledge),
            "floor": pledge.floor,
        }
    return policy, report
