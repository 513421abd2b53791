"""A scenario's steps under draws of the trade elasticities (`tradewar run --draws N`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tradewar.scenario.run import scenario_inputs
from tradewar.solver.batch import VMAP_WIDTH
from tradewar.solver.draws import Distribution, DrawsResult, draw_theta, solve_draws


def scenario_draws(
    scenario,
    n_draws: int,
    seed: int,
    *,
    distribution: Distribution = "lognormal",
    cv: float = 0.25,
    steps: Sequence[int] | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    client=None,
    vmap_width: int | None = VMAP_WIDTH,
) -> list[tuple[int, DrawsResult]]:
    """Draws for a scenario's steps (all by default): the same draws (common random numbers) in
    every step, centred on the scenario's elasticities. Returns (step index, result) pairs."""
    model_name, baseline, options, compiled = scenario_inputs(scenario)
    centre = options.get("theta", baseline.theta)
    thetas = draw_theta(centre, n_draws, seed, distribution=distribution, cv=cv, se=baseline.extras.get("theta_se"))
    chosen = list(range(len(compiled))) if steps is None else list(steps)
    total = n_draws * len(chosen)
    results = []
    for k, s in enumerate(chosen):
        step, extra = compiled[s]
        done = k * n_draws
        res = solve_draws(
            model_name,
            baseline,
            step.tariffs,
            thetas,
            chunk_size=chunk_size,
            progress=(lambda d, _t, done=done: progress(done + d, total)) if progress else None,
            client=client,
            seed=seed,
            distribution=distribution,
            cv=None if distribution == "se" else cv,
            vmap_width=vmap_width,
            **{**options, **extra},
        )
        results.append((s, res))
    return results
