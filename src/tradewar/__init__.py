"""tradewar: what trade wars and trade talks do to the world economy, in general equilibrium.

import tradewar
baseline = tradewar.load_dataset("cp2015")
eq = tradewar.solve("caliendo-parro", baseline, baseline.extras["tariff_cf_nafta"])
eq.regions()
"""

import os
from pathlib import Path

import jax

jax.config.update("jax_enable_x64", True)
# Compiled solvers are cached on disk, so that only the first run of a command pays for XLA.
jax.config.update(
    "jax_compilation_cache_dir",
    os.environ.get("TRADEWAR_CACHE_DIR", str(Path.home() / ".cache" / "tradewar" / "jax")),
)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)

# The package's modules are imported after the configuration: float64 before any array exists.
from tradewar.data.registry import load_dataset  # noqa: E402 (after the jax configuration)
from tradewar.errors import InputError, NotConverged, TradewarError  # noqa: E402 (idem)
from tradewar.scenario.run import run_scenario  # noqa: E402 (idem)
from tradewar.solver.equilibrium import Equilibrium, solve  # noqa: E402 (idem)

__version__ = "0.1.0"
__all__ = ["Equilibrium", "InputError", "NotConverged", "TradewarError", "load_dataset", "run_scenario", "solve"]
