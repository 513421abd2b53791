r"""The batch solver: many variants of one model's parameters solved as one compiled computation.

    batch = solve_batch(model_name, base_params, make_chunk, total, chunk_size=16)

The model's parameter pytree (``model.params(baseline, tariffs, ...)``, e.g.
`tradewar.models.caliendo_parro.Params`) is built once; each variant replaces one or more of its
fields (the trade elasticities for draws, ``tariff_new`` too in a grid sweep) and the whole
solve, Newton-Krylov `tradewar.solver.newton.newton_root` from the model's initial guess plus
the outcomes, is ``jax.vmap``-ed over those fields inside one ``jax.jit`` (or, by default,
``lax.map``-ed one variant after another inside the same compiled program, which is faster on
CPU; see `VMAP_WIDTH`). The batch is cut into chunks of `chunk_size` variants to bound memory;
the last chunk is padded with copies of its last variant (their results are thrown away), so
every chunk has the same shape and one compilation serves them all. Under vmap, the Newton loop
runs until every variant of the chunk has converged (or hit `max_iter`); variants that finished
are held fixed, so each variant's answer is its own solve's.

Chunks run in order in this process, or one task per chunk on a Dask client
(`tradewar.solver.dask.cluster`): the same chunks, the same compiled function on every worker,
results put back in batch order, so both give the same numbers. The model's parameters are sent
to every worker once (``Client.scatter(broadcast=True)``); each task carries only its chunk's
varying fields.

Only per-region outputs (arrays of shape [region]) leave the compiled function, so a batch costs
O(variants x regions) host memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import jax
import numpy as np

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError
from tradewar.models import get_model
from tradewar.solver.equilibrium import first_violation
from tradewar.solver.newton import TOL, solve_model

#: Draws vmapped together inside a chunk; the chunk is a ``lax.map`` over such groups. ``None``
#: vmaps the whole chunk. 1 (one draw after another inside one compiled program) is the default
#: because it is measured fastest on CPU: 1,000 draws of us-china-2025's April step ran at 19.5
#: draws/s with width 1 against 4.2 (width 4) and 7.0 (width 16), benchmarks/bench_draws.py. Under
#: vmap, jax's GMRES and the Newton loop get per-draw stopping tests, so their loop counters become
#: batched (gathers and scatters on the Krylov basis, selects on every carried array) and every
#: draw of a group runs as many iterations as the slowest one.
VMAP_WIDTH: int | None = 1
#: Memory budget of one chunk, in bytes, used to choose the default chunk size.
CHUNK_MEMORY = 512 * 2**20
#: Working arrays of the size of the trade array [n, n, j] per draw held by one solve (GMRES
#: basis vectors are of the smaller unknown size; this is an upper estimate, see bench_scaling).
ARRAYS_PER_DRAW = 24


@cache
def _batched(model_name: str, fields: tuple[str, ...], tol: float, max_iter: int, n_regions: int, width: int | None):
    """jit(vmap(solve + outcomes)) over `fields` of the model's params; returns the solver
    diagnostics and the per-region outputs only. With `width`, the chunk is solved as
    ``lax.map`` over groups of `width` vmapped draws (width 1: one draw after another, all in
    one compiled program)."""
    model = get_model(model_name)

    def one(p):
        res, out = solve_model(model.residual, model.initial_guess, model.outcomes, p, tol=tol, max_iter=max_iter)
        violation = first_violation(out, p.tariff_new)
        regional = {k: v for k, v in out.items() if v.ndim == 1 and v.shape[0] == n_regions}
        return res.converged, res.max_residual, res.iterations, violation, regional

    def run(p):
        unknown = [f for f in fields if f not in p._fields]
        if unknown:
            raise InputError(f"batch: the model's params have no field {unknown[0]!r}", field="batch")
        axes = type(p)(*[0 if f in fields else None for f in p._fields])
        size = getattr(p, fields[0]).shape[0]
        if width is None or width >= size:
            return jax.vmap(one, in_axes=(axes,))(p)
        varying = {f: getattr(p, f) for f in fields}
        return jax.lax.map(lambda v: one(p._replace(**v)), varying, batch_size=width if width > 1 else None)

    return jax.jit(run)


def solve_chunk(
    model_name: str,
    base_params,
    chunk: dict[str, np.ndarray],
    tol: float,
    max_iter: int,
    vmap_width: int | None = VMAP_WIDTH,
) -> dict:
    """Solve one chunk: `base_params` (the model's Params) with `chunk[field]` [B, ...] swapped in.

    Returns numpy arrays: converged [B], max_residual [B], iterations [B], violation [B] (the
    failed `tradewar.solver.equilibrium.CHECKS` entry, -1 for a valid equilibrium) and outputs
    {name: [B, n]}. This is the unit of work of both the local loop and the Dask workers.
    """
    n_regions = int(np.shape(base_params.tariff_new)[0])  # tariff_new [importer, exporter, sector]
    p = base_params._replace(**{k: np.asarray(v, dtype=np.float64) for k, v in chunk.items()})
    fn = _batched(model_name, tuple(sorted(chunk)), float(tol), int(max_iter), n_regions, vmap_width)
    conv, res, its, violation, out = fn(p)
    return {
        "converged": np.asarray(conv),
        "max_residual": np.asarray(res),
        "iterations": np.asarray(its),
        "violation": np.asarray(violation),
        "outputs": {k: np.asarray(v) for k, v in out.items()},
    }


def default_chunk_size(baseline: Baseline, n_draws: int, memory: int = CHUNK_MEMORY) -> int:
    """Draws per chunk so that one chunk's working arrays stay within `memory` bytes."""
    per_draw = ARRAYS_PER_DRAW * baseline.trade.size * 8
    return int(max(1, min(n_draws, 64, memory // per_draw)))


def chunk_bounds(total: int, chunk_size: int) -> list[tuple[int, int]]:
    """[start, stop) of each chunk, in order; the partition is fixed by (total, chunk_size)."""
    if chunk_size < 1:
        raise InputError(f"chunk_size: {chunk_size} must be at least 1", field="chunk_size")
    return [(a, min(a + chunk_size, total)) for a in range(0, total, chunk_size)]


def padded_indices(start: int, stop: int, chunk_size: int) -> np.ndarray:
    """Indices of a chunk padded to `chunk_size` with copies of its last index."""
    idx = np.arange(start, stop)
    return np.concatenate([idx, np.full(chunk_size - idx.size, stop - 1, dtype=idx.dtype)])


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Stacked results of a batch of solves, in batch order."""

    converged: np.ndarray  # [B] bool: the solver met its tolerance
    max_residual: np.ndarray  # [B]
    iterations: np.ndarray  # [B]
    outputs: dict[str, np.ndarray]  # {name: [B, region]}
    violation: np.ndarray  # [B] int: the failed validity check (solver.equilibrium.CHECKS), -1 if valid


def assemble(parts: Sequence[tuple[int, int, dict]]) -> BatchResult:
    """Concatenate chunk results (start, stop, result) in order, dropping the padding."""
    parts = sorted(parts, key=lambda x: x[0])
    take = lambda key: np.concatenate([r[key][: b - a] for a, b, r in parts])
    names = parts[0][2]["outputs"].keys()
    return BatchResult(
        converged=take("converged").astype(bool),
        max_residual=take("max_residual"),
        iterations=take("iterations"),
        outputs={k: np.concatenate([r["outputs"][k][: b - a] for a, b, r in parts]) for k in names},
        violation=take("violation").astype(int),
    )


def solve_batch(
    model_name: str,
    base_params,
    make_chunk: Callable[[np.ndarray], dict[str, np.ndarray]],
    total: int,
    *,
    chunk_size: int,
    tol: float = TOL,
    max_iter: int = 60,
    progress: Callable[[int, int], None] | None = None,
    client=None,
    vmap_width: int | None = VMAP_WIDTH,
) -> BatchResult:
    """Solve `total` variants of `base_params`; `make_chunk(indices)` gives the fields of the
    variants at `indices` ({field: [len(indices), ...]}). Chunks run in order in this process,
    or on a Dask `client` (see `tradewar.solver.dask`); both give the same numbers.
    `progress(done, total)` is called after each chunk; `vmap_width` see `solve_chunk`."""
    bounds = chunk_bounds(total, chunk_size)
    if client is not None:
        return run_chunks(
            client, model_name, base_params, make_chunk, bounds, chunk_size, tol, max_iter, progress, vmap_width
        )
    parts = []
    for a, b in bounds:
        chunk = make_chunk(padded_indices(a, b, chunk_size))
        parts.append((a, b, solve_chunk(model_name, base_params, chunk, tol, max_iter, vmap_width)))
        if progress:
            progress(b, total)
    return assemble(parts)


class _Boxed:
    """Keeps Dask from scattering the params NamedTuple element by element."""

    def __init__(self, value):
        self.value = value


def _run_chunk(model_name: str, boxed: _Boxed, chunk: dict, tol: float, max_iter: int, vmap_width=VMAP_WIDTH):
    return solve_chunk(model_name, boxed.value, chunk, tol, max_iter, vmap_width)


def run_chunks(
    client,
    model_name: str,
    base_params,
    make_chunk: Callable[[np.ndarray], dict],
    bounds: Sequence[tuple[int, int]],
    chunk_size: int,
    tol: float,
    max_iter: int,
    progress: Callable[[int, int], None] | None = None,
    vmap_width: int | None = VMAP_WIDTH,
) -> BatchResult:
    """Submit one task per chunk and gather the results in batch order (see the module docstring)."""
    from dask.distributed import as_completed  # dask: heavy and optional, loaded only with a client

    host_params = jax.tree_util.tree_map(np.asarray, base_params)
    shared = client.scatter(_Boxed(host_params), broadcast=True)
    futures = {}
    for a, b in bounds:
        chunk = make_chunk(padded_indices(a, b, chunk_size))
        fut = client.submit(_run_chunk, model_name, shared, chunk, tol, max_iter, vmap_width, pure=False)
        futures[fut] = (a, b)
    total = bounds[-1][1] if bounds else 0
    done, parts = 0, []
    for fut in as_completed(list(futures)):
        a, b = futures[fut]
        parts.append((a, b, fut.result()))
        done += b - a
        if progress:
            progress(done, total)
    return assemble(parts)
