"""Tariff games under draws of the trade elasticities (`tradewar optimal|nash --draws N`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError, TradewarError
from tradewar.games.game import Game
from tradewar.games.nash import nash
from tradewar.games.optimal import optimal_tariffs
from tradewar.solver.draws import DrawBands

GAME_KINDS = ("optimal", "nash")


def _one_game(kind: str, model: str, baseline: Baseline, options: dict, theta: np.ndarray, call: dict) -> dict:
    """Play one game (`tradewar.games.optimal_tariffs` or `nash`) with elasticities `theta`.
    Runs in this process or on a Dask worker; a solver error is returned, not raised."""
    try:
        game = Game(model, baseline, **{**options, "theta": np.asarray(theta)})
        fn = optimal_tariffs if kind == "optimal" else nash
        res = fn(game, **call, check=False)
    except TradewarError as e:  # NotConverged of an inner solve, ...
        return {"converged": False, "reason": str(e), "regions": None}
    regions = res.regions()
    numeric = {c: regions[c].to_numpy(dtype=np.float64) for c in regions.columns if c != "player"}
    reason = "" if res.converged else "game did not converge (certificate: " + str(res.certificate.to_dict()) + ")"
    return {"converged": bool(res.converged), "reason": reason, "regions": numeric}


@dataclass(frozen=True, eq=False)
class GameDrawsResult(DrawBands):
    """A tariff game (optimal tariffs or Nash) played once per elasticity draw."""

    kind: str
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    theta: np.ndarray  # [draw, sector]
    converged: np.ndarray  # [draw]
    reasons: list[str]
    summary: dict[str, np.ndarray]  # {column of GameResult.regions(): [draw, region]}
    seed: int | None = None
    distribution: str = ""
    cv: float | None = None

    @property
    def ok(self) -> np.ndarray:
        """Converged draws; non-finite entries (e.g. median_tariff_pct of non-players) are allowed."""
        return self.converged.copy()

    @property
    def failed(self) -> list[dict]:
        return [
            {
                "draw": int(d),
                "reason": self.reasons[d] or "not converged",
                "theta": {s: float(t) for s, t in zip(self.sectors, self.theta[d])},
            }
            for d in np.flatnonzero(~self.ok)
        ]


def game_elasticity(game) -> np.ndarray:
    """The elasticities a `tradewar.games.Game` plays with (the centre of its draws)."""
    return np.asarray(game.module.trade_elasticity(game.p0), dtype=np.float64)


def game_draws(
    kind: str,
    model: str,
    baseline: Baseline,
    thetas: np.ndarray,
    *,
    options: dict | None = None,
    call: dict | None = None,
    client=None,
    progress: Callable[[int, int], None] | None = None,
    seed: int | None = None,
    distribution: str = "",
    cv: float | None = None,
) -> GameDrawsResult:
    """Play game `kind` ("optimal" or "nash") once per row of `thetas` [draw, sector].

    `options` go to `tradewar.games.Game` (model options, objective), `call` to
    `optimal_tariffs` / `nash` (player(s), mfn, bounds, ...). A game is an optimisation over
    many equilibrium solves (L-BFGS-B in scipy), not one solve, so draws are played one after
    another here, or in parallel as one Dask task per draw with a `client`. Games that raise a
    solver error or end unconverged are counted and listed as failed draws.
    """
    if kind not in GAME_KINDS:
        raise InputError(f"game: {kind!r}; use one of {', '.join(GAME_KINDS)}", field="game")
    thetas = np.asarray(thetas, dtype=np.float64)
    options, call = dict(options or {}), dict(call or {})
    total = thetas.shape[0]
    results: list[dict | None] = [None] * total
    if client is None:
        for d in range(total):
            results[d] = _one_game(kind, model, baseline, options, thetas[d], call)
            if progress:
                progress(d + 1, total)
    else:
        from dask.distributed import as_completed  # dask: heavy and optional, loaded only with a client

        shared = client.scatter(baseline, broadcast=True)
        futures = {
            client.submit(_one_game, kind, model, shared, options, thetas[d], call, pure=False): d for d in range(total)
        }
        for k, fut in enumerate(as_completed(list(futures))):
            results[futures[fut]] = fut.result()
            if progress:
                progress(k + 1, total)
    template = next((r["regions"] for r in results if r["regions"] is not None), None)
    n = baseline.n_regions
    summary = {}
    if template is not None:
        for col in template:
            summary[col] = np.stack(
                [r["regions"][col] if r["regions"] is not None else np.full(n, np.nan) for r in results]
            )
    return GameDrawsResult(
        kind,
        baseline.regions,
        baseline.sectors,
        thetas,
        np.array([r["converged"] for r in results], dtype=bool),
        [r["reason"] for r in results],
        summary,
        seed,
        distribution,
        cv,
    )
