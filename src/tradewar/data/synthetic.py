"""Synthetic economies of any size, for property tests and scaling benchmarks.

`synthetic_raw(n_regions, n_sectors, seed)` draws flows, tariffs and shares that look like real
data (home bias, a few non-tradable sectors, deficits that sum to zero) but are not yet an
equilibrium; `tradewar.models.caliendo_parro.calibrate` turns them into a validated `Baseline`.
"""

from __future__ import annotations

import numpy as np

from tradewar.data.baseline import Baseline


def synthetic_raw(n_regions: int, n_sectors: int, seed: int = 0, *, deficits: bool = True) -> Baseline:
    rng = np.random.default_rng(seed)
    n, j = n_regions, n_sectors
    size = rng.lognormal(0.0, 1.0, n)
    trade = rng.lognormal(0.0, 1.0, (n, n, j)) * size[:, None, None] * size[None, :, None]
    trade[np.arange(n), np.arange(n), :] *= 10 * n  # home bias
    tradable = np.arange(j) < max(1, (3 * j) // 4)
    offdiag = ~np.eye(n, dtype=bool)
    trade[:, :, ~tradable] *= ~offdiag[:, :, None]
    tariffs = rng.uniform(0.0, 0.15, (n, n, j)) * offdiag[:, :, None] * tradable
    va_share = rng.uniform(0.3, 0.6, (n, j))
    io_share = rng.dirichlet(np.ones(j), (n, j)).transpose(0, 2, 1)  # [n, input, user]
    final_share = rng.dirichlet(np.ones(j), n)
    theta = rng.uniform(3.0, 9.0, j)
    raw = Baseline(
        name=f"synthetic {n}x{j} (seed {seed})",
        regions=tuple(f"R{k:03d}" for k in range(n)),
        sectors=tuple(f"S{k:03d}" for k in range(j)),
        trade=trade,
        tariffs=tariffs,
        va_share=va_share,
        io_share=io_share,
        final_share=final_share,
        theta=theta,
        tradable=tradable,
        provenance=f"synthetic data, numpy seed {seed}",
    )
    value_added = (va_share * trade.sum(axis=0)).sum(axis=1)
    deficit = rng.normal(0.0, 0.05, n) * value_added if deficits else np.zeros(n)
    raw.extras["value_added_data"] = value_added
    raw.extras["deficit_data"] = deficit - value_added * deficit.sum() / value_added.sum()
    return raw
