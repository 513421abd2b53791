"""tradewar: what trade wars and trade talks do to the world economy, in general equilibrium.

import tradewar
baseline = tradewar.load_dataset("cp2015")
eq = tradewar.solve("caliendo-parro", baseline, baseline.extras["tariff_cf_nafta"])
eq.regions()

The names below are imported on first use (PEP 562), so that ``import tradewar`` and
``tradewar --help`` stay cheap: JAX, pandas and the models load with the first solve or dataset.
JAX's settings (float64, the compilation caches) are in `tradewar.runtime`.
"""

from __future__ import annotations

import importlib

from tradewar.errors import InputError, InvalidEquilibrium, NotConverged, TradewarError

__version__ = "0.1.0"
__all__ = [
    "Equilibrium",
    "InputError",
    "InvalidEquilibrium",
    "NotConverged",
    "TradewarError",
    "load_dataset",
    "run_scenario",
    "solve",
]

#: Public names imported when first used: name -> module.
_LAZY = {
    "Equilibrium": "tradewar.solver.equilibrium",
    "solve": "tradewar.solver.equilibrium",
    "load_dataset": "tradewar.data.registry",
    "run_scenario": "tradewar.scenario.run",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'tradewar' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
