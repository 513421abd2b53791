"""Scale-out on Dask: the same batched solves as `tradewar.uncertainty`, spread over a cluster.

    from tradewar.distributed import cluster, sweep, tariff_grid
    with cluster(workers=2) as client:                      # or cluster(scheduler="tcp://host:8786")
        res = solve_draws(model, baseline, tariffs, thetas, client=client)
        tariffs, labels = tariff_grid(baseline, [("USA", "CHN"), ("CHN", "USA")], [10, 25, 50], combine="product")
        table = sweep(model, baseline, tariffs, thetas, labels=labels, client=client).frame

Same seed, same answer: every draw is made up front in the client from the seed, the batch is
cut into the same chunks as the single-process run (`uncertainty.chunk_bounds`, padded the same
way), and each chunk runs the same compiled function (`uncertainty.solve_chunk`) on a worker.
Chunk results are put back in draw order, so the percentiles equal the local run's.

The model's parameters are sent to every worker once (``Client.scatter(broadcast=True)``); each
task carries only its chunk's varying fields (theta draws, or tariffs in a grid sweep). Each
worker process compiles the batched solve once and reuses it for all its chunks.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jax
import numpy as np
import pandas as pd

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError
from tradewar.models import get_model
from tradewar.solve import TOL
from tradewar.uncertainty import (
    VMAP_WIDTH,
    BatchResult,
    assemble,
    default_chunk_size,
    elasticity_field,
    padded_indices,
    solve_batch,
    solve_chunk,
)


class _Boxed:
    """Keeps Dask from scattering the params NamedTuple element by element."""

    def __init__(self, value):
        self.value = value


def _run_chunk(model_name: str, boxed: _Boxed, chunk: dict, tol: float, max_iter: int, vmap_width=VMAP_WIDTH):
    import tradewar  # noqa: F401  (float64 on the worker before anything is traced)

    return solve_chunk(model_name, boxed.value, chunk, tol, max_iter, vmap_width)


@contextlib.contextmanager
def cluster(scheduler: str | None = None, workers: int | None = None):
    """A Dask client: connected to `scheduler` (an address such as tcp://10.0.0.5:8786), or to a
    new LocalCluster of `workers` single-threaded worker processes; None when neither is given."""
    if scheduler and workers:
        raise InputError("--scheduler and --workers: give one of them, not both", field="workers")
    if scheduler is None and workers is None:
        yield None
        return
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as e:
            raise InputError(f"--scheduler: cannot reach Dask scheduler {scheduler!r} ({e})", field="scheduler") from None
        try:
            yield client
        finally:
            client.close()
        return
    if not isinstance(workers, int) or workers < 1:
        raise InputError(f"--workers: {workers!r} must be a positive number of worker processes", field="workers")
    local = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(local)
    try:
        yield client
    finally:
        client.close()
        local.close()


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
    from dask.distributed import as_completed

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


# ----------------------------------------------------------------------------- grid sweeps
def tariff_grid(
    baseline: Baseline,
    pairs: Sequence[tuple[str, str]],
    levels_pct: Sequence[float],
    *,
    sectors: str | Sequence[str] = "all",
    combine: str = "each",
    base: np.ndarray | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Counterfactual tariffs [policy, importer, exporter, sector] and a label per policy.

    Each pair (importer, exporter) sets its tariff to each level (percent) in `sectors`, from
    `base` (default: the baseline tariffs). ``combine="each"``: one pair moves at a time
    (len(pairs) x len(levels) policies); ``"product"``: every combination of levels across the
    pairs (len(levels) ** len(pairs) policies), e.g. the US and China tariff-war surface.
    """
    from itertools import product

    base = baseline.tariffs if base is None else np.asarray(base, dtype=np.float64)
    if sectors == "all":
        cols = np.arange(baseline.n_sectors)
    else:
        cols = np.array([baseline.sector_index(s, "sectors") for s in ([sectors] if isinstance(sectors, str) else sectors)])
    idx = [(baseline.region_index(n, "importer"), baseline.region_index(i, "exporter")) for n, i in pairs]
    for (n, i), (a, b) in zip(idx, pairs):
        if n == i:
            raise InputError(f"pairs: {a} -> {b} is a region's tariff on itself; give two different regions", field="pairs")
    levels = [float(x) for x in levels_pct]
    if any(not np.isfinite(x) or x <= -100 for x in levels):
        raise InputError(f"levels_pct: {levels} must be finite and above -100", field="levels_pct")
    if combine == "each":
        combos = [{k: lv} for k in range(len(idx)) for lv in levels]
    elif combine == "product":
        combos = [dict(enumerate(c)) for c in product(levels, repeat=len(idx))]
    else:
        raise InputError(f"combine: {combine!r}; use 'each' or 'product'", field="combine")
    out = np.repeat(base[None], len(combos), axis=0)
    labels = []
    for g, combo in enumerate(combos):
        for k, lv in combo.items():
            n, i = idx[k]
            out[g, n, i, cols] = lv / 100
        labels.append(", ".join(f"{pairs[k][0]} on {pairs[k][1]} {lv:g}%" for k, lv in combo.items()))
    return out, labels


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Per-region outcomes of every (policy, theta) combination of a sweep."""

    frame: pd.DataFrame  # rows: policy x theta draw x region; outcome columns, converged, max_residual
    batch: BatchResult

    @property
    def failed(self) -> pd.DataFrame:
        """The (policy, theta draw) combinations that did not converge or have non-finite outputs."""
        f = self.frame[~self.frame["ok"]]
        return f.reset_index()[["policy", "label", "theta_draw", "max_residual", "iterations"]].drop_duplicates(
            ["policy", "theta_draw"]
        )


def sweep(
    model: str,
    baseline: Baseline,
    tariffs: np.ndarray,
    thetas: np.ndarray | None = None,
    *,
    labels: Sequence[str] | None = None,
    client=None,
    chunk_size: int | None = None,
    tol: float = TOL,
    max_iter: int = 60,
    progress: Callable[[int, int], None] | None = None,
    vmap_width: int | None = VMAP_WIDTH,
    **options,
) -> SweepResult:
    """Solve every policy in `tariffs` [G, n, i, j] under every elasticity vector in `thetas`
    [T, j] (default: the baseline's), locally or on a Dask `client`: one batch of G x T solves."""
    from tradewar.api import check_tariffs

    module = get_model(model)
    tariffs = np.asarray(tariffs, dtype=np.float64)
    if tariffs.ndim != 4:
        raise InputError(f"tariffs: shape {tariffs.shape}, expected [policy, importer, exporter, sector]", field="tariffs")
    for g in range(tariffs.shape[0]):
        check_tariffs(tariffs[g], baseline, field=f"tariffs[{g}]")
    thetas = (baseline.theta if thetas is None else np.asarray(thetas, dtype=np.float64)).reshape(-1, baseline.n_sectors)
    n_pol, n_th = tariffs.shape[0], thetas.shape[0]
    labels = list(labels) if labels is not None else [f"policy {g}" for g in range(n_pol)]
    base = module.params(baseline, baseline.tariffs, **options)
    name = elasticity_field(model)
    total = n_pol * n_th
    chunk_size = chunk_size or default_chunk_size(baseline, total)
    batch = solve_batch(
        model,
        base,
        lambda idx: {"tariff_new": tariffs[idx // n_th], name: thetas[idx % n_th]},
        total,
        chunk_size=chunk_size,
        tol=tol,
        max_iter=max_iter,
        progress=progress,
        client=client,
        vmap_width=vmap_width,
    )
    summary = {k: np.asarray(v, dtype=np.float64) for k, v in module.region_summary(batch.outputs).items()}
    n = baseline.n_regions
    finite = np.all([np.all(np.isfinite(v), axis=1) for v in summary.values()], axis=0)
    ok = batch.converged & finite
    index = pd.MultiIndex.from_product([range(n_pol), range(n_th), baseline.regions], names=["policy", "theta_draw", "code"])
    frame = pd.DataFrame({k: v.ravel() for k, v in summary.items()}, index=index)
    frame.insert(0, "label", np.repeat(np.asarray(labels, dtype=object), n_th * n))
    frame["ok"] = np.repeat(ok, n)
    frame["converged"] = np.repeat(batch.converged, n)
    frame["max_residual"] = np.repeat(batch.max_residual, n)
    frame["iterations"] = np.repeat(batch.iterations, n)
    return SweepResult(frame, batch)
