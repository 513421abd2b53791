r"""Uncertainty over the trade elasticities: Monte Carlo draws solved as one batch.

    from tradewar.solver.draws import draw_theta, solve_draws
    thetas = draw_theta(baseline.theta, 200, seed=1, distribution="lognormal", cv=0.25)
    res = solve_draws("caliendo-parro", baseline, tariffs, thetas)
    res.percentiles()      # one row per region, columns welfare_pct_p5, welfare_pct_p50, ...
    res.failed             # draws that did not converge: counted and listed, never dropped

Draws. All draws are made up front from ``numpy.random.default_rng(seed)``, one vector theta^(d)
[sector] per draw, independently across sectors, so that a seed fixes the answer however the
draws are later chunked or spread over workers (`tradewar.solver.batch`):

- ``lognormal``: theta_j^(d) = theta_j exp(s Z), s^2 = log(1 + cv^2), Z ~ N(0, 1): median theta_j
  and coefficient of variation `cv` (always positive);
- ``normal``: N(theta_j, (cv theta_j)^2) truncated to theta > 0 (inverse-CDF sampling);
- ``se``: N(theta_j, se_j^2) truncated to theta > 0, with published standard errors se_j taken
  from ``baseline.extras["theta_se"]`` (or given).

The draws replace the params fields that the model's ``params(theta=...)`` derives from the
elasticities (`elasticity_params`: theta itself, or Ossa's sigma = theta + 1) in the batch
solver (`tradewar.solver.batch`), so draws run on every model. A sweep over tariffs and
elasticities together replaces the model's ``ELASTICITY_FIELD`` (`batch_field`).

Failures. A draw fails when its solve did not converge (largest residual above `tol`), its root
is not a valid equilibrium (`tradewar.solver.equilibrium.CHECKS`: negative trade, income, ...)
or any of its outputs is not finite. Failed draws are excluded from the percentiles, counted
(``n_failed``) and listed (``failed``: draw index, its theta, residual, iterations); with every
draw failed, the percentiles are NaN. `region_summary` of the model turns the per-region outputs
into the columns of `Equilibrium.regions()` (welfare_pct, real_wage_pct, ...), of which
percentiles are taken.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError
from tradewar.models import get_model
from tradewar.solver.batch import VMAP_WIDTH, BatchResult, default_chunk_size, solve_batch
from tradewar.solver.equilibrium import check_tariffs, violation_reason
from tradewar.solver.newton import TOL

Distribution = Literal["lognormal", "normal", "se"]
DISTRIBUTIONS = ("lognormal", "normal", "se")
#: Percentiles reported by default (p5, p50, p95).
QUANTILES = (5, 50, 95)


def check_draw_options(n_draws: int, distribution: str, cv: float, seed: int = 0) -> None:
    """Raise `InputError` for bad draw settings (before anything is solved)."""
    draw_theta(np.ones(1), n_draws, seed, distribution=distribution, cv=cv, se=np.zeros(1))


def draw_theta(
    theta: np.ndarray,
    n_draws: int,
    seed: int,
    *,
    distribution: Distribution = "lognormal",
    cv: float = 0.25,
    se: np.ndarray | None = None,
) -> np.ndarray:
    """`n_draws` draws of the trade elasticities [draw, sector] (see the module docstring)."""
    theta = np.asarray(theta, dtype=np.float64)
    if not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise InputError(f"draws: {n_draws!r} is not a positive number of draws; use e.g. --draws 200", field="draws")
    if distribution not in DISTRIBUTIONS:
        raise InputError(
            f"theta distribution: unknown {distribution!r}; use one of {', '.join(DISTRIBUTIONS)}",
            field="theta_dist",
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed: {seed!r} is not a seed; use a whole number >= 0, e.g. --seed 1", field="seed")
    if distribution != "se" and not (np.isfinite(cv) and cv > 0):
        raise InputError(f"theta cv: {cv!r} must be a positive coefficient of variation, e.g. 0.25", field="theta_cv")
    rng = np.random.default_rng(seed)
    shape = (int(n_draws), theta.shape[0])
    if distribution == "lognormal":
        s = np.sqrt(np.log1p(cv**2))
        return theta * np.exp(s * rng.standard_normal(shape))
    if distribution == "normal":
        sd = cv * theta
    else:
        if se is None or np.all(np.isnan(np.asarray(se, dtype=np.float64))):
            raise InputError(
                "theta distribution: 'se' needs standard errors of theta (baseline.extras['theta_se']); "
                "this dataset has none, use --theta-dist lognormal or normal with --theta-cv",
                field="theta_dist",
            )
        sd = np.asarray(se, dtype=np.float64)
        if sd.shape != theta.shape:
            raise InputError(f"theta_se: {sd.shape[0]} standard errors for {theta.shape[0]} sectors", field="theta_se")
        bad = np.flatnonzero(~(np.isfinite(sd) & (sd >= 0)))
        if bad.size:
            raise InputError(
                f"theta_se: sector {int(bad[0])} has standard error {sd[bad[0]]!r}; the data give no usable "
                "standard error there, use --theta-dist lognormal or normal with --theta-cv",
                field="theta_se",
            )
    return _truncated_normal(rng, theta, sd, shape)


def _truncated_normal(rng: np.random.Generator, mean, sd, shape) -> np.ndarray:
    """N(mean, sd^2) truncated to > 0, by inverse CDF (one uniform per value, reproducible)."""
    u = rng.random(shape)
    sd = np.broadcast_to(sd, mean.shape)
    safe = np.where(sd > 0, sd, 1.0)
    lower = ndtr(-mean / safe)  # P(X <= 0)
    q = np.clip(lower + u * (1.0 - lower), 1e-300, 1 - 1e-16)
    values = mean + safe * ndtri(q)
    # Far in the tail ndtri rounds to 0; keep the draw positive without moving it materially.
    values = np.maximum(values, np.finfo(float).tiny)
    return np.where(sd > 0, values, mean)


class DrawBands:
    """What every result under elasticity draws shares: its counts, percentile bands and the
    keys `--json` adds. A subclass has ``theta`` [draw, sector], ``regions``, ``summary``
    ({column: [draw, region]}), ``seed``, ``distribution``, ``cv``, and defines ``ok``
    ([draw] the draws that count) and ``failed`` (one entry per other draw)."""

    @property
    def n_draws(self) -> int:
        return int(self.theta.shape[0])

    @property
    def n_failed(self) -> int:
        return int(np.sum(~self.ok))

    def percentiles(self, q: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """One row per region (index: code), columns `<output>_p<q>` over the successful draws;
        NaN entries (a game's tariffs of non-players) are left out, an all-NaN column gives NaN."""
        cols = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            for name, values in self.summary.items():
                good = values[self.ok]
                for qq in q:
                    cols[f"{name}_p{qq:g}"] = (
                        np.nanpercentile(good, qq, axis=0) if good.shape[0] else np.full(len(self.regions), np.nan)
                    )
        return pd.DataFrame(cols, index=pd.Index(self.regions, name="code"))

    def json_keys(self) -> dict:
        """The keys that `--draws N --json` adds to the result object."""
        return {
            "draws": self.n_draws,
            "seed": self.seed,
            "theta_distribution": self.distribution,
            "theta_cv": self.cv,
            "draws_failed": self.n_failed,
            "failed_draws": self.failed,
        }

    def add_bands(self, regions: list[dict]) -> list[dict]:
        """Region objects (``{"code": ..., ...}``, as in `Equilibrium.to_dict()['regions']`) with
        the percentile columns added."""
        pct = self.percentiles()
        return [{**r, **{k: float(v) for k, v in pct.loc[r["code"]].items()}} for r in regions]


@dataclass(frozen=True, eq=False)
class DrawsResult(DrawBands):
    """Outcomes of one counterfactual under `len(theta)` draws of the trade elasticities."""

    model: str
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    theta: np.ndarray  # [draw, sector]
    batch: BatchResult
    seed: int | None = None
    distribution: str = ""
    cv: float | None = None
    tol: float = TOL
    summary: dict[str, np.ndarray] = field(init=False)  # {column: [draw, region]}

    def __post_init__(self):
        cols = get_model(self.model).region_summary(self.batch.outputs)
        object.__setattr__(self, "summary", {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()})

    @property
    def ok(self) -> np.ndarray:
        """[draw] True where the solve converged to a valid equilibrium
        (`tradewar.solver.equilibrium.CHECKS`) and every output is finite."""
        finite = np.ones(self.n_draws, dtype=bool)
        for v in self.summary.values():
            finite &= np.all(np.isfinite(v), axis=1)
        valid = self.batch.violation < 0
        return self.batch.converged & valid & np.isfinite(self.batch.max_residual) & finite

    @property
    def failed(self) -> list[dict]:
        """One entry per failed draw: index, why, residual, iterations and its theta by sector."""
        rows = []
        for d in np.flatnonzero(~self.ok):
            if not self.batch.converged[d]:
                reason = "not converged"
            else:
                reason = violation_reason(int(self.batch.violation[d])) or "non-finite outputs"
            rows.append(
                {
                    "draw": int(d),
                    "reason": reason,
                    "max_residual": float(self.batch.max_residual[d]),
                    "iterations": int(self.batch.iterations[d]),
                    "theta": {s: float(t) for s, t in zip(self.sectors, self.theta[d])},
                }
            )
        return rows


def solve_draws(
    model: str,
    baseline: Baseline,
    tariffs: np.ndarray | None,
    thetas: np.ndarray,
    *,
    chunk_size: int | None = None,
    tol: float = TOL,
    max_iter: int = 60,
    progress: Callable[[int, int], None] | None = None,
    client=None,
    seed: int | None = None,
    distribution: str = "",
    cv: float | None = None,
    vmap_width: int | None = VMAP_WIDTH,
    **options,
) -> DrawsResult:
    """Solve `model` on `baseline` with `tariffs` once per row of `thetas` [draw, sector].

    `options` go to the model's ``params`` as in `tradewar.solve` (deficits, numeraire,
    export_taxes, ...; a ``theta`` option is the centre of the draws and is replaced by them).
    """
    module = get_model(model)
    tariffs = baseline.tariffs if tariffs is None else np.asarray(tariffs, dtype=np.float64)
    check_tariffs(tariffs, baseline)
    thetas = np.asarray(thetas, dtype=np.float64)
    if thetas.ndim != 2 or thetas.shape[1] != baseline.n_sectors:
        raise InputError(
            f"thetas: shape {thetas.shape}, expected [draws, {baseline.n_sectors} sectors]", field="thetas"
        )
    bad = ~(np.isfinite(thetas) & (thetas > 0))
    if np.any(bad):
        d, j = (int(x[0]) for x in np.nonzero(bad))
        raise InputError(
            f"thetas: draw {d}, sector {baseline.sectors[j]} is {thetas[d, j]!r}; trade elasticities must be finite "
            "and > 0",
            field="thetas",
        )
    base = module.params(baseline, tariffs, **options)
    fields = elasticity_params(module, baseline, tariffs, options, thetas)
    chunk_size = chunk_size or default_chunk_size(baseline, thetas.shape[0])
    batch = solve_batch(
        model,
        base,
        lambda idx: {name: values[idx] for name, values in fields.items()},
        thetas.shape[0],
        chunk_size=chunk_size,
        tol=tol,
        max_iter=max_iter,
        progress=progress,
        client=client,
        vmap_width=vmap_width,
    )
    return DrawsResult(model, baseline.regions, baseline.sectors, thetas, batch, seed, distribution, cv, tol)


def elasticity_params(module, baseline: Baseline, tariffs: np.ndarray, options: dict, thetas: np.ndarray) -> dict:
    """The params fields that the trade elasticities set, one row per draw of `thetas`
    [draw, sector]. Each model's ``params(theta=...)`` owns the mapping (Caliendo-Parro's and
    liberation-day's theta, Ossa's sigma = theta + 1 by sector, gravity's scalar sigma), so draws
    batch on every model: the fields are those that change when theta does."""
    opts = {k: v for k, v in options.items() if k not in ("theta", "sigma")}
    per_draw = [module.params(baseline, tariffs, **opts, theta=theta) for theta in thetas]
    doubled = module.params(baseline, tariffs, **opts, theta=2 * thetas[0])
    names = [
        f
        for f in doubled._fields
        if not np.array_equal(np.asarray(getattr(doubled, f)), np.asarray(getattr(per_draw[0], f)))
    ]
    return {f: np.stack([np.asarray(getattr(p, f), dtype=np.float64) for p in per_draw]) for f in names}


def batch_field(model_name: str) -> str:
    """The model's params field that a sweep over tariffs and trade elasticities replaces in the
    batch solver (`tradewar.solver.sweep`), or a one-line `InputError` for a model whose params
    derive other fields from them."""
    model = get_model(model_name)
    if model.ELASTICITY_FIELD is None:
        raise InputError(
            f"sweep: the {model_name} model derives other parameters from the trade elasticities, so a "
            "sweep cannot replace them; use caliendo-parro or liberation-day (elasticity draws, "
            "solve_draws and run --draws, work on every model)",
            field="thetas",
        )
    return model.ELASTICITY_FIELD
