"""The interface every model implements (`Model`), checked by `tests/test_models_shared.py`.

A model is a module of pure functions over a JAX pytree of parameters (see `caliendo_parro`
for the reference implementation):

- ``NAME``: the name used in scenario files and on the command line; ``DEFICIT_CLOSURES``: the
  values of its ``deficits`` option; optionally ``INSTRUMENTS``: the policy instruments of
  scenario files it solves (default: import tariffs only; others are a one-line `InputError`);
- ``params(baseline, tariff_new, **options) -> Params``: a JAX pytree (a NamedTuple) of baseline
  arrays and policy, with the counterfactual tariffs in ``tariff_new`` [importer, exporter,
  sector] (decimals), which the games and the batch solver replace; every model takes a
  ``theta`` option (trade elasticities [sector]);
- ``initial_guess(params) -> z0`` and ``residual(z, params) -> r`` (zero at the equilibrium,
  unit-free, shaped like z);
- ``outcomes(z, params) -> dict`` of JAX arrays. Every model reports ``welfare_hat`` [n] (the
  exact welfare change, the games' objective), ``trade_old`` / ``trade_new`` [n, i, j] (net of
  tariffs) and whatever else it defines;
- ``region_summary(outcomes) -> dict[str, np.ndarray]``: per-region columns (``welfare_pct``,
  ``real_wage_pct``, ...) for `Equilibrium.regions()` and the ``regions`` list of ``--json``;
- ``calibrate(raw, *, deficits) -> Baseline``: the data made an equilibrium of the model under
  the deficit closure (``deficits="zero"`` purges trade imbalances); a model that cannot raises
  a one-line `InputError`;
- ``ELASTICITY_FIELD``: the params field holding the trade elasticities [sector] that draws
  replace in the batch solver, or None when the params derive other fields from them (then
  batched draws raise a one-line `InputError`), and ``trade_elasticity(params)``: the trade
  elasticities [sector] the params hold (the centre of a game's draws).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import jax
import numpy as np

from tradewar.data.baseline import Baseline


@runtime_checkable
class Model(Protocol):
    NAME: str
    DEFICIT_CLOSURES: tuple[str, ...]
    ELASTICITY_FIELD: str | None

    def params(self, baseline: Baseline, tariff_new: np.ndarray | None = None, **options) -> Any: ...

    def initial_guess(self, p: Any) -> jax.Array: ...

    def residual(self, z: jax.Array, p: Any) -> jax.Array: ...

    def outcomes(self, z: jax.Array, p: Any) -> dict[str, jax.Array]: ...

    def region_summary(self, out: dict) -> dict[str, np.ndarray]: ...

    def calibrate(self, raw: Baseline, *, deficits: str) -> Baseline: ...

    def trade_elasticity(self, p: Any) -> jax.Array: ...
