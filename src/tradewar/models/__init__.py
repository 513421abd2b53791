"""Models: each module is one model's equilibrium conditions in changes.

A model module provides (see `caliendo_parro` for the reference implementation):

- ``NAME``: the name used in scenario files and on the command line;
- ``params(baseline, tariff_new, **options) -> Params``: a JAX pytree of baseline arrays and
  policy (the counterfactual tariffs ``tariff_new`` [importer, exporter, sector], decimals);
- ``initial_guess(params) -> z0`` and ``residual(z, params) -> r`` (zero at the equilibrium,
  unit-free, shaped like z);
- ``outcomes(z, params) -> dict`` of arrays; every model reports at least the per-region keys
  ``welfare_pct`` / ``real_wage_pct`` through `region_table` in `tradewar.api`.
"""

from __future__ import annotations

from types import ModuleType

from tradewar.errors import InputError
from tradewar.models import caliendo_parro

MODELS: dict[str, ModuleType] = {caliendo_parro.NAME: caliendo_parro}


def get_model(name: str) -> ModuleType:
    try:
        return MODELS[name]
    except KeyError:
        raise InputError(
            f"model.name: unknown model {name!r}; use one of {', '.join(sorted(MODELS))}",
            field="model.name",
        ) from None
