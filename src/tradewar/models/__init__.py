"""Models: each module is one model's equilibrium conditions in changes.

A model module provides (see `caliendo_parro` for the reference implementation):

- ``NAME``: the name used in scenario files and on the command line;
- ``params(baseline, tariff_new, **options) -> Params``: a JAX pytree of baseline arrays and
  policy (the counterfactual tariffs ``tariff_new`` [importer, exporter, sector], decimals);
- ``initial_guess(params) -> z0`` and ``residual(z, params) -> r`` (zero at the equilibrium,
  unit-free, shaped like z);
- ``outcomes(z, params) -> dict`` of JAX arrays. Every model reports ``welfare_hat`` [n] (the
  exact welfare change, the games' objective), ``trade_old`` / ``trade_new`` [n, i, j] (net of
  tariffs) and whatever else it defines;
- ``region_summary(outcomes) -> dict[str, np.ndarray]``: per-region columns (``welfare_pct``,
  ``real_wage_pct``, ...) for `Equilibrium.regions()` and the ``regions`` list of ``--json``.
"""

from __future__ import annotations

from types import ModuleType

from tradewar.errors import InputError
from tradewar.models import caliendo_parro, ossa
from tradewar.models import liberation_day

MODELS: dict[str, ModuleType] = {caliendo_parro.NAME: caliendo_parro, ossa.NAME: ossa}
MODELS[liberation_day.NAME] = liberation_day
from tradewar.models import gravity  # noqa: E402

MODELS[gravity.NAME] = gravity


def get_model(name: str) -> ModuleType:
    try:
        return MODELS[name]
    except KeyError:
        raise InputError(
            f"model.name: unknown model {name!r}; use one of {', '.join(sorted(MODELS))}",
            field="model.name",
        ) from None
