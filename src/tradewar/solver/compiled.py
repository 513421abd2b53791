"""Solvers traced once per machine and reused by every later process (issue 15).

Before a jitted solve runs, a fresh process pays for tracing the Python code into a jaxpr,
lowering it to StableHLO and compiling that with XLA. JAX's persistent cache (configured in
`tradewar.runtime`) saves the compilation; this module saves the tracing and the lowering:
`run_cached(fn, args)` exports the jitted `fn` once per argument shapes (`jax.export`), keeps
the serialized export in the user's cache (``<cache>/solvers``), and a later process
deserializes it and compiles it through ``jax.jit(exported.call)``, whose XLA executable is a
hit in the persistent cache. Measured on 2 cores (benchmarks/bench_cold.py): tracing and
lowering the Caliendo-Parro solve cost 1.5-3 s per array shape; deserializing costs 0.01 s,
lowering the call 0.02 s; the results are bit for bit those of the jitted function.

An entry's key holds the function's name and static options, the argument tree, shapes and
dtypes, the jax version and a hash of tradewar's source files, so that a changed
model or solver is traced anew. Entries are written atomically; one that cannot be read is
traced again and overwritten. With the cache switched off, under a JAX transformation
(tracers among the arguments), or for a function JAX cannot export, `fn` is called as it is.

The first time a solver is traced on a machine, a line on stderr (when it is a terminal) says
so: "compiling the caliendo-parro solver once, about N s; later runs reuse it".
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
import time
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

import jax
import numpy as np
from jax import export

from tradewar import runtime
from tradewar.data.files import write_atomic
from tradewar.solver.newton import TOL, solve_model

#: Seconds of XLA compilation per 100 kB of serialized StableHLO, measured on 2 cores: the
#: Caliendo-Parro solve serializes to 50-58 kB and compiles in 5-15 s (load 1 to 7).
SECONDS_PER_100KB = 15.0
#: Shorter expected compilations are not announced.
ANNOUNCE_SECONDS = 2.0

_in_memory: dict[str, tuple[Callable, object]] = {}
_not_exportable: set[str] = set()


@cache
def source_hash() -> str:
    """Hash of tradewar's source files and of the jax version (jax[cpu] pins the same jaxlib)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"jax {jax.__version__}".encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def run_cached(fn: Callable, args: tuple, *, name: str, label: str):
    """``fn(*args)`` through the caches (see the module docstring).

    `fn` is a pure JAX function of `args` (arrays or pytrees of arrays); `name` identifies it
    with its static options (it is part of the key); `label` names it in the progress line.
    Through the cache the results are numpy arrays; where `fn` is called as it is (cache off,
    tracers, not exportable) they are what `fn` returns: callers treat both as arrays.
    """
    leaves, in_tree = jax.tree_util.tree_flatten(args)
    if runtime.CACHE_DIR is None or any(isinstance(x, jax.core.Tracer) for x in leaves):
        return fn(*args)
    # numpy, not jnp.asarray: staging each argument on the device would compile a kernel per shape
    leaves = [
        x if isinstance(x, jax.Array) else np.asarray(x, dtype=jax.dtypes.canonicalize_dtype(np.result_type(x)))
        for x in leaves
    ]
    avals = [jax.ShapeDtypeStruct(x.shape, x.dtype) for x in leaves]
    signature = repr((name, str(in_tree), [(a.shape, str(a.dtype)) for a in avals], source_hash()))
    key = hashlib.sha256(signature.encode()).hexdigest()[:32]
    if key in _not_exportable:
        return fn(*args)
    entry = _in_memory.get(key) or _read(key)
    started = None
    if entry is None:
        started = time.perf_counter()
        try:
            entry = _export(fn, in_tree, avals, key, label)
        except Exception:  # a primitive jax.export refuses: the plain jitted function serves
            _not_exportable.add(key)
            return fn(*args)
    _in_memory[key] = entry
    call, out_tree = entry
    out = jax.device_get(call(*leaves))  # numpy: eager jax operations on the results would each compile
    if started is not None:  # traced, lowered and compiled (XLA) here: remembered for next time
        _record(label, time.perf_counter() - started)
    return jax.tree_util.tree_unflatten(out_tree, out)


def _entry_path(key: str) -> Path:
    return runtime.CACHE_DIR / "solvers" / f"{key}.export"


def _read(key: str):
    """(compiled call, output tree) from the disk cache, or None (absent or unreadable)."""
    path = _entry_path(key)
    try:
        out_tree, blob = pickle.loads(path.read_bytes())
        exported = export.deserialize(bytearray(blob))
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or foreign entry: traced again and overwritten
        return None
    return jax.jit(exported.call), out_tree


def _export(fn: Callable, in_tree, avals: list, key: str, label: str):
    """Trace and lower `fn` once, store the export, announce the compilation that follows."""
    known = _timings().get(label)
    if known is not None:
        _announce(label, known)
    out_trees = []

    def flat(*leaves):
        out = fn(*jax.tree_util.tree_unflatten(in_tree, leaves))
        out_leaves, out_tree = jax.tree_util.tree_flatten(out)
        out_trees.append(out_tree)
        return tuple(out_leaves)

    exported = export.export(jax.jit(flat))(*avals)
    blob = exported.serialize()
    if known is None:
        _announce(label, SECONDS_PER_100KB * len(exported.mlir_module_serialized) / 1e5)
    write_atomic(_entry_path(key), pickle.dumps((out_trees[0], bytes(blob))))
    return jax.jit(exported.call), out_trees[0]


def _announce(label: str, seconds: float) -> None:
    if seconds >= ANNOUNCE_SECONDS and sys.stderr.isatty():
        print(f"compiling the {label} solver once, about {seconds:.0f} s; later runs reuse it", file=sys.stderr)


def _timings() -> dict:
    """Seconds the last first-time compilation of each solver took on this machine."""
    try:
        return json.loads((runtime.CACHE_DIR / "solvers" / "timings.json").read_text())
    except (OSError, ValueError):
        return {}


def _record(label: str, seconds: float) -> None:
    try:
        timings = {**_timings(), label: round(seconds, 1)}
        write_atomic(runtime.CACHE_DIR / "solvers" / "timings.json", json.dumps(timings))
    except OSError:  # a read-only cache still serves
        pass


def solve_model_cached(
    residual: Callable, initial_guess: Callable, outcomes: Callable, params, tol: float = TOL, max_iter: int = 60
):
    """`solve_model` through the caches: the same (RootResult, outcomes), traced once per machine."""
    module = residual.__module__
    label = getattr(sys.modules.get(module), "NAME", module)
    name = (
        f"solve_model {module} {residual.__qualname__} {initial_guess.__qualname__} {outcomes.__qualname__} "
        f"tol={tol!r} max_iter={max_iter}"
    )
    fn = partial(solve_model, residual, initial_guess, outcomes, tol=tol, max_iter=max_iter)
    return run_cached(fn, (params,), name=name, label=label)
