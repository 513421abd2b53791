"""JAX settings of tradewar: float64 and the on-disk caches of compiled solvers.

`tradewar.solver.newton` imports this module, and every module that uses JAX imports the solver
before it makes an array, so these settings hold before any computation while ``import tradewar``
alone imports no JAX at all.

Compiled solvers are cached in the user's cache directory, so that only the first run of a
command on a machine traces and compiles a model (issue 15):

- ``TRADEWAR_CACHE_DIR``: where (default ``$XDG_CACHE_HOME/tradewar``, else ``~/.cache/tradewar``);
  ``jax/`` holds the XLA executables (JAX's persistent compilation cache), ``solvers/`` the solvers
  traced and lowered once (`tradewar.solver.compiled`).
- ``TRADEWAR_NO_CACHE=1``: neither cache is read or written; every process traces and compiles.
"""

from __future__ import annotations

import os
from pathlib import Path

import jax

#: Compilations shorter than this are not written to the XLA cache: the solvers (0.3 s and up,
#: gravity's resistances included) are, JAX's one-operation conversions (0.01-0.03 s) are not.
MIN_COMPILE_SECONDS = 0.1


def cache_dir() -> Path | None:
    """The cache root from the environment (see the module docstring); None when switched off."""
    if os.environ.get("TRADEWAR_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no", "off"):
        return None
    root = os.environ.get("TRADEWAR_CACHE_DIR", "").strip()
    if root:
        return Path(root).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "tradewar"


CACHE_DIR = cache_dir()

jax.config.update("jax_enable_x64", True)
if CACHE_DIR is None:
    jax.config.update("jax_enable_compilation_cache", False)
else:
    jax.config.update("jax_compilation_cache_dir", str(CACHE_DIR / "jax"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_SECONDS)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
