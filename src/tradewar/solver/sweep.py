"""Grid sweeps: every policy of a tariff grid under every elasticity vector, as one batch.

    tariffs, labels = tariff_grid(baseline, [("USA", "CHN"), ("CHN", "USA")], [10, 25, 50], combine="product")
    table = sweep(model, baseline, tariffs, thetas, labels=labels, client=client).frame

Locally or on a Dask client (`tradewar.solver.dask.cluster`), with the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError
from tradewar.models import get_model
from tradewar.solver.batch import VMAP_WIDTH, BatchResult, default_chunk_size, solve_batch
from tradewar.solver.draws import batch_field
from tradewar.solver.equilibrium import check_tariffs
from tradewar.solver.newton import TOL


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
    base = baseline.tariffs if base is None else np.asarray(base, dtype=np.float64)
    if sectors == "all":
        cols = np.arange(baseline.n_sectors)
    else:
        cols = np.array(
            [baseline.sector_index(s, "sectors") for s in ([sectors] if isinstance(sectors, str) else sectors)]
        )
    idx = [(baseline.region_index(n, "importer"), baseline.region_index(i, "exporter")) for n, i in pairs]
    for (n, i), (a, b) in zip(idx, pairs):
        if n == i:
            raise InputError(
                f"pairs: {a} -> {b} is a region's tariff on itself; give two different regions", field="pairs"
            )
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
    module = get_model(model)
    tariffs = np.asarray(tariffs, dtype=np.float64)
    if tariffs.ndim != 4:
        raise InputError(
            f"tariffs: shape {tariffs.shape}, expected [policy, importer, exporter, sector]", field="tariffs"
        )
    for g in range(tariffs.shape[0]):
        check_tariffs(tariffs[g], baseline, field=f"tariffs[{g}]")
    thetas = (baseline.theta if thetas is None else np.asarray(thetas, dtype=np.float64)).reshape(
        -1, baseline.n_sectors
    )
    n_pol, n_th = tariffs.shape[0], thetas.shape[0]
    labels = list(labels) if labels is not None else [f"policy {g}" for g in range(n_pol)]
    base = module.params(baseline, baseline.tariffs, **options)
    name = batch_field(model)
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
    index = pd.MultiIndex.from_product(
        [range(n_pol), range(n_th), baseline.regions], names=["policy", "theta_draw", "code"]
    )
    frame = pd.DataFrame({k: v.ravel() for k, v in summary.items()}, index=index)
    frame.insert(0, "label", np.repeat(np.asarray(labels, dtype=object), n_th * n))
    frame["ok"] = np.repeat(ok, n)
    frame["converged"] = np.repeat(batch.converged, n)
    frame["max_residual"] = np.repeat(batch.max_residual, n)
    frame["iterations"] = np.repeat(batch.iterations, n)
    return SweepResult(frame, batch)
