r"""Uncertainty over the trade elasticities: Monte Carlo draws solved as one batched computation.

    from tradewar.uncertainty import draw_theta, solve_draws
    thetas = draw_theta(baseline.theta, 200, seed=1, distribution="lognormal", cv=0.25)
    res = solve_draws("caliendo-parro", baseline, tariffs, thetas)
    res.percentiles()      # one row per region, columns welfare_pct_p5, welfare_pct_p50, ...
    res.failed             # draws that did not converge: counted and listed, never dropped

Draws. All draws are made up front from ``numpy.random.default_rng(seed)``, one vector theta^(d)
[sector] per draw, independently across sectors, so that a seed fixes the answer however the
draws are later chunked or spread over workers (`tradewar.distributed`):

- ``lognormal``: theta_j^(d) = theta_j exp(s Z), s^2 = log(1 + cv^2), Z ~ N(0, 1): median theta_j
  and coefficient of variation `cv` (always positive);
- ``normal``: N(theta_j, (cv theta_j)^2) truncated to theta > 0 (inverse-CDF sampling);
- ``se``: N(theta_j, se_j^2) truncated to theta > 0, with published standard errors se_j taken
  from ``baseline.extras["theta_se"]`` (or given).

Batching. The model's parameter pytree (``model.params(baseline, tariffs, ...)``, e.g.
`tradewar.models.caliendo_parro.Params`) is built once; the draws replace one or more of its
fields (``theta`` here; ``tariff_new`` too in a grid sweep) and the whole solve, Newton-Krylov
`tradewar.solve.newton_root` from the model's initial guess plus the outcomes, is ``jax.vmap``-ed
over those fields inside one ``jax.jit`` (or, by default, ``lax.map``-ed one draw after another
inside the same compiled program, which is faster on CPU; see `VMAP_WIDTH`). The batch is cut
into chunks of `chunk_size` draws to bound memory; the last chunk is padded with copies of its last draw (their results are thrown
away), so every chunk has the same shape and one compilation serves them all. Under vmap, the
Newton loop runs until every draw of the chunk has converged (or hit `max_iter`); draws that
finished are held fixed, so each draw's answer is its own solve's.

Failures. A draw fails when its solve did not converge (largest residual above `tol`) or any of
its outputs is not finite. Failed draws are excluded from the percentiles, counted
(``n_failed``) and listed (``failed``: draw index, its theta, residual, iterations); with every
draw failed, the percentiles are NaN.

Only per-region outputs (arrays of shape [region]) leave the compiled function, so a batch costs
O(draws x regions) host memory; `region_summary` of the model turns them into the columns of
`Equilibrium.regions()` (welfare_pct, real_wage_pct, ...), of which percentiles are taken.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

import jax
import numpy as np
import pandas as pd

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError
from tradewar.models import get_model
from tradewar.solve import TOL, newton_root

Distribution = Literal["lognormal", "normal", "se"]
DISTRIBUTIONS = ("lognormal", "normal", "se")
#: Percentiles reported by default (p5, p50, p95).
QUANTILES = (5, 50, 95)
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


# ----------------------------------------------------------------------------- draws
def check_draw_options(n_draws: int, distribution: str, cv: float) -> None:
    """Raise `InputError` for bad draw settings (before anything is solved)."""
    draw_theta(np.ones(1), n_draws, 0, distribution=distribution, cv=cv, se=np.zeros(1))


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
    from scipy.special import ndtr, ndtri

    u = rng.random(shape)
    sd = np.broadcast_to(sd, mean.shape)
    safe = np.where(sd > 0, sd, 1.0)
    lower = ndtr(-mean / safe)  # P(X <= 0)
    q = np.clip(lower + u * (1.0 - lower), 1e-300, 1 - 1e-16)
    values = mean + safe * ndtri(q)
    # Far in the tail ndtri rounds to 0; keep the draw positive without moving it materially.
    values = np.maximum(values, np.finfo(float).tiny)
    return np.where(sd > 0, values, mean)


# ----------------------------------------------------------------------------- batched solve
@cache
def _batched(model_name: str, fields: tuple[str, ...], tol: float, max_iter: int, n_regions: int, width: int | None):
    """jit(vmap(solve + outcomes)) over `fields` of the model's params; returns the solver
    diagnostics and the per-region outputs only. With `width`, the chunk is solved as
    ``lax.map`` over groups of `width` vmapped draws (width 1: one draw after another, all in
    one compiled program)."""
    model = get_model(model_name)

    def one(p):
        res = newton_root(model.residual, model.initial_guess(p), p, tol=tol, max_iter=max_iter)
        out = model.outcomes(res.value, p)
        regional = {k: v for k, v in out.items() if v.ndim == 1 and v.shape[0] == n_regions}
        return res.converged, res.max_residual, res.iterations, regional

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

    Returns numpy arrays: converged [B], max_residual [B], iterations [B] and outputs {name: [B, n]}.
    This is the unit of work of both the local loop and the Dask workers.
    """
    n_regions = int(np.shape(base_params.value_added)[0]) if hasattr(base_params, "value_added") else None
    if n_regions is None:
        raise InputError("batch: the model's params need a value_added [region] field", field="batch")
    p = base_params._replace(**{k: np.asarray(v, dtype=np.float64) for k, v in chunk.items()})
    fn = _batched(model_name, tuple(sorted(chunk)), float(tol), int(max_iter), n_regions, vmap_width)
    conv, res, its, out = fn(p)
    return {
        "converged": np.asarray(conv),
        "max_residual": np.asarray(res),
        "iterations": np.asarray(its),
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

    converged: np.ndarray  # [B] bool
    max_residual: np.ndarray  # [B]
    iterations: np.ndarray  # [B]
    outputs: dict[str, np.ndarray]  # {name: [B, region]}


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
    or on a Dask `client` (see `tradewar.distributed`); both give the same numbers.
    `progress(done, total)` is called after each chunk; `vmap_width` see `solve_chunk`."""
    bounds = chunk_bounds(total, chunk_size)
    if client is not None:
        from tradewar.distributed import run_chunks

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


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class DrawsResult:
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
    def n_draws(self) -> int:
        return int(self.theta.shape[0])

    @property
    def ok(self) -> np.ndarray:
        """[draw] True where the solve converged and every output is finite."""
        finite = np.ones(self.n_draws, dtype=bool)
        for v in self.summary.values():
            finite &= np.all(np.isfinite(v), axis=1)
        return self.batch.converged & np.isfinite(self.batch.max_residual) & finite

    @property
    def n_failed(self) -> int:
        return int(np.sum(~self.ok))

    @property
    def failed(self) -> list[dict]:
        """One entry per failed draw: index, why, residual, iterations and its theta by sector."""
        rows = []
        for d in np.flatnonzero(~self.ok):
            conv = bool(self.batch.converged[d])
            rows.append(
                {
                    "draw": int(d),
                    "reason": "non-finite outputs" if conv else "not converged",
                    "max_residual": float(self.batch.max_residual[d]),
                    "iterations": int(self.batch.iterations[d]),
                    "theta": {s: float(t) for s, t in zip(self.sectors, self.theta[d])},
                }
            )
        return rows

    def percentiles(self, q: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """One row per region (index: code), columns `<output>_p<q>` over the successful draws."""
        return _percentiles(self.summary, self.ok, self.regions, q)

    def draws_frame(self) -> pd.DataFrame:
        """Every draw (failed ones flagged): one row per draw and region."""
        index = pd.MultiIndex.from_product([range(self.n_draws), self.regions], names=["draw", "code"])
        data = {k: v.ravel() for k, v in self.summary.items()}
        data["ok"] = np.repeat(self.ok, len(self.regions))
        return pd.DataFrame(data, index=index)

    def json_keys(self) -> dict:
        """The keys that `tradewar run --draws N --json` adds to the result object."""
        return {
            "draws": self.n_draws,
            "seed": self.seed,
            "theta_distribution": self.distribution,
            "theta_cv": self.cv,
            "draws_failed": self.n_failed,
            "failed_draws": self.failed,
        }

    def add_bands(self, regions: list[dict]) -> list[dict]:
        """Region objects (as in `Equilibrium.to_dict()['regions']`) with the percentiles added."""
        return _add_bands(self.percentiles(), regions)


def _percentiles(summary: dict, ok: np.ndarray, regions: Sequence[str], q: Sequence[float]) -> pd.DataFrame:
    cols = {}
    for name, values in summary.items():
        good = values[ok]
        for qq in q:
            cols[f"{name}_p{qq:g}"] = np.percentile(good, qq, axis=0) if good.shape[0] else np.full(len(regions), np.nan)
    return pd.DataFrame(cols, index=pd.Index(regions, name="code"))


def _add_bands(pct: pd.DataFrame, regions: list[dict]) -> list[dict]:
    out = []
    for r in regions:
        row = dict(r)
        row.update({k: float(v) for k, v in pct.loc[r["code"]].items()})
        out.append(row)
    return out


def elasticity_field(model_name: str) -> str:
    """The params field that holds the model's trade elasticities (``theta`` unless the model
    module sets ``ELASTICITY_FIELD``)."""
    module = get_model(model_name)
    if hasattr(module, "ELASTICITY_FIELD"):
        return module.ELASTICITY_FIELD
    fields = getattr(getattr(module, "Params", None), "_fields", ())
    return "sigma" if "sigma" in fields and "theta" not in fields else "theta"


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

    `options` go to the model's ``params`` as in `tradewar.api.solve` (deficits, numeraire,
    export_taxes, ...; a ``theta`` option is the centre of the draws and is replaced by them).
    """
    from tradewar.api import check_tariffs

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
            f"thetas: draw {d}, sector {baseline.sectors[j]} is {thetas[d, j]!r}; trade elasticities must be finite and > 0",
            field="thetas",
        )
    base = module.params(baseline, tariffs, **options)
    name = elasticity_field(model)
    chunk_size = chunk_size or default_chunk_size(baseline, thetas.shape[0])
    batch = solve_batch(
        model,
        base,
        lambda idx: {name: thetas[idx]},
        thetas.shape[0],
        chunk_size=chunk_size,
        tol=tol,
        max_iter=max_iter,
        progress=progress,
        client=client,
        vmap_width=vmap_width,
    )
    return DrawsResult(model, baseline.regions, baseline.sectors, thetas, batch, seed, distribution, cv, tol)


def scenario_draws(
    scenario,
    n_draws: int,
    seed: int,
    *,
    distribution: Distribution = "lognormal",
    cv: float = 0.25,
    steps: Sequence[int] | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    client=None,
    vmap_width: int | None = VMAP_WIDTH,
) -> list[tuple[int, DrawsResult]]:
    """Draws for a scenario's steps (all by default): the same draws (common random numbers) in
    every step, centred on the scenario's elasticities. Returns (step index, result) pairs."""
    from tradewar.api import scenario_inputs

    model_name, baseline, options, compiled = scenario_inputs(scenario)
    centre = options.get("theta", baseline.theta)
    thetas = draw_theta(
        centre, n_draws, seed, distribution=distribution, cv=cv, se=baseline.extras.get("theta_se")
    )
    chosen = list(range(len(compiled))) if steps is None else list(steps)
    total = n_draws * len(chosen)
    results = []
    for k, s in enumerate(chosen):
        step, extra = compiled[s]
        done = k * n_draws
        res = solve_draws(
            model_name,
            baseline,
            step.tariffs,
            thetas,
            chunk_size=chunk_size,
            progress=(lambda d, _t, done=done: progress(done + d, total)) if progress else None,
            client=client,
            seed=seed,
            distribution=distribution,
            cv=None if distribution == "se" else cv,
            vmap_width=vmap_width,
            **{**options, **extra},
        )
        results.append((s, res))
    return results


# ----------------------------------------------------------------------------- games under draws
GAME_KINDS = ("optimal", "nash")


def _one_game(kind: str, model: str, baseline: Baseline, options: dict, theta: np.ndarray, call: dict) -> dict:
    """Play one game (`tradewar.games.optimal_tariffs` or `nash`) with elasticities `theta`.
    Runs in this process or on a Dask worker; a solver error is returned, not raised."""
    import tradewar  # noqa: F401  (float64 on a worker)
    from tradewar import games
    from tradewar.errors import TradewarError

    try:
        game = games.Game(model, baseline, **{**options, elasticity_field(model): np.asarray(theta)})
        fn = games.optimal_tariffs if kind == "optimal" else games.nash
        res = fn(game, **call, check=False)
    except TradewarError as e:  # NotConverged of an inner solve, ...
        return {"converged": False, "reason": str(e), "regions": None}
    regions = res.regions()
    numeric = {c: regions[c].to_numpy(dtype=np.float64) for c in regions.columns if c != "player"}
    reason = "" if res.converged else "game did not converge (certificate: " + str(res.certificate.to_dict()) + ")"
    return {"converged": bool(res.converged), "reason": reason, "regions": numeric}


@dataclass(frozen=True, eq=False)
class GameDrawsResult:
    """A tariff game (optimal tariffs or Nash) played once per elasticity draw."""

    kind: str
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    theta: np.ndarray  # [draw, sector]
    converged: np.ndarray  # [draw]
    reasons: list[str]
    summary: dict[str, np.ndarray]  # {column of GameResult.regions(): [draw, region]}
    seed: int | None = None
    distribution: str = ""
    cv: float | None = None

    @property
    def n_draws(self) -> int:
        return int(self.theta.shape[0])

    @property
    def ok(self) -> np.ndarray:
        """Converged draws; non-finite entries (e.g. median_tariff_pct of non-players) are allowed."""
        return self.converged.copy()

    @property
    def n_failed(self) -> int:
        return int(np.sum(~self.ok))

    @property
    def failed(self) -> list[dict]:
        return [
            {"draw": int(d), "reason": self.reasons[d] or "not converged",
             "theta": {s: float(t) for s, t in zip(self.sectors, self.theta[d])}}
            for d in np.flatnonzero(~self.ok)
        ]

    def percentiles(self, q: Sequence[float] = QUANTILES) -> pd.DataFrame:
        import warnings

        with warnings.catch_warnings():  # all-NaN columns (non-players' tariffs) give NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            summary = {k: v for k, v in self.summary.items()}
            cols = {}
            for name, values in summary.items():
                good = values[self.ok]
                for qq in q:
                    cols[f"{name}_p{qq:g}"] = (
                        np.nanpercentile(good, qq, axis=0) if good.shape[0] else np.full(len(self.regions), np.nan)
                    )
        return pd.DataFrame(cols, index=pd.Index(self.regions, name="code"))

    def json_keys(self) -> dict:
        return {
            "draws": self.n_draws,
            "seed": self.seed,
            "theta_distribution": self.distribution,
            "theta_cv": self.cv,
            "draws_failed": self.n_failed,
            "failed_draws": self.failed,
        }

    def add_bands(self, regions: list[dict]) -> list[dict]:
        return _add_bands(self.percentiles(), regions)


def game_elasticity(game) -> np.ndarray:
    """The elasticities a `tradewar.games.Game` plays with (the centre of its draws)."""
    return np.asarray(getattr(game.p0, elasticity_field(game.model)), dtype=np.float64)


def game_draws(
    kind: str,
    model: str,
    baseline: Baseline,
    thetas: np.ndarray,
    *,
    options: dict | None = None,
    call: dict | None = None,
    client=None,
    progress: Callable[[int, int], None] | None = None,
    seed: int | None = None,
    distribution: str = "",
    cv: float | None = None,
) -> GameDrawsResult:
    """Play game `kind` ("optimal" or "nash") once per row of `thetas` [draw, sector].

    `options` go to `tradewar.games.Game` (model options, objective), `call` to
    `optimal_tariffs` / `nash` (player(s), mfn, bounds, ...). A game is an optimisation over
    many equilibrium solves (L-BFGS-B in scipy), not one solve, so draws are played one after
    another here, or in parallel as one Dask task per draw with a `client`. Games that raise a
    solver error or end unconverged are counted and listed as failed draws.
    """
    if kind not in GAME_KINDS:
        raise InputError(f"game: {kind!r}; use one of {', '.join(GAME_KINDS)}", field="game")
    thetas = np.asarray(thetas, dtype=np.float64)
    options, call = dict(options or {}), dict(call or {})
    total = thetas.shape[0]
    results: list[dict | None] = [None] * total
    if client is None:
        for d in range(total):
            results[d] = _one_game(kind, model, baseline, options, thetas[d], call)
            if progress:
                progress(d + 1, total)
    else:
        from dask.distributed import as_completed

        shared = client.scatter(baseline, broadcast=True)
        futures = {client.submit(_one_game, kind, model, shared, options, thetas[d], call, pure=False): d for d in range(total)}
        for k, fut in enumerate(as_completed(list(futures))):
            results[futures[fut]] = fut.result()
            if progress:
                progress(k + 1, total)
    template = next((r["regions"] for r in results if r["regions"] is not None), None)
    n = baseline.n_regions
    summary = {}
    if template is not None:
        for col in template:
            summary[col] = np.stack([r["regions"][col] if r["regions"] is not None else np.full(n, np.nan) for r in results])
    return GameDrawsResult(
        kind,
        baseline.regions,
        baseline.sectors,
        thetas,
        np.array([r["converged"] for r in results], dtype=bool),
        [r["reason"] for r in results],
        summary,
        seed,
        distribution,
        cv,
    )
