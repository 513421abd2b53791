"""The Python API that the CLI, the web service and reports all call.

    baseline = tradewar.load_dataset("cp2015", path="../shared/data/cp2015")
    tariffs = baseline.extras["tariff_cf_nafta"]
    eq = tradewar.solve("caliendo-parro", baseline, tariffs)
    eq.regions()            # one row per region: welfare_pct, real_wage_pct, ...

`solve` returns an `Equilibrium` that carries its residual, iteration count and converged
flag; a solve that does not converge raises `NotConverged` (or, with ``check=False``, returns
the flagged result for batch use).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jax
import numpy as np
import pandas as pd

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError, NotConverged
from tradewar.models import get_model
from tradewar.solve import TOL, newton_root


@lru_cache(maxsize=None)
def _compiled(model_name: str, tol: float, max_iter: int):
    model = get_model(model_name)

    @jax.jit
    def run(p):
        res = newton_root(model.residual, model.initial_guess(p), p, tol=tol, max_iter=max_iter)
        return res, model.outcomes(res.value, p)

    return run


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """A solved counterfactual: outcomes (numpy arrays) with labels and solver diagnostics."""

    model: str
    baseline: Baseline
    tariffs: np.ndarray
    outcomes: dict[str, np.ndarray]
    converged: bool
    max_residual: float
    iterations: int

    def regions(self) -> pd.DataFrame:
        """One row per region (index: region code), columns from the model's `region_summary`."""
        summary = get_model(self.model).region_summary(self.outcomes)
        return pd.DataFrame(summary, index=pd.Index(self.baseline.regions, name="code"))

    def bilateral(self) -> pd.DataFrame:
        """Trade by importer, exporter and sector, before and after (net of tariffs)."""
        b = self.baseline
        index = pd.MultiIndex.from_product([b.regions, b.regions, b.sectors], names=["importer", "exporter", "sector"])
        old, new = self.outcomes["trade_old"].ravel(), self.outcomes["trade_new"].ravel()
        change = np.divide(new - old, old, out=np.full_like(old, np.nan), where=old > 0) * 100
        return pd.DataFrame({"trade_old": old, "trade_new": new, "trade_change_pct": change}, index=index)

    def sectors(self) -> pd.DataFrame:
        """Region x sector detail: price index, unit cost and gross output changes."""
        b = self.baseline
        index = pd.MultiIndex.from_product([b.regions, b.sectors], names=["region", "sector"])
        out = self.outcomes
        old, new = out["output_old"].ravel(), out["output_new"].ravel()
        return pd.DataFrame(
            {
                "price_pct": (out["price_hat"].ravel() - 1) * 100,
                "unit_cost_pct": (out["cost_hat"].ravel() - 1) * 100,
                "gross_output_old": old,
                "gross_output_new": new,
                "gross_output_pct": np.divide(new - old, old, out=np.full_like(old, np.nan), where=old > 0) * 100,
            },
            index=index,
        )

    def to_dict(self) -> dict:
        """The JSON shape of `tradewar run --json`: converged, max_residual, regions."""
        regions = self.regions().reset_index()
        return {
            "model": self.model,
            "dataset": self.baseline.name,
            "converged": self.converged,
            "max_residual": self.max_residual,
            "iterations": self.iterations,
            "regions": [
                {k: (v if isinstance(v, str) else float(v)) for k, v in row.items()}
                for row in regions.to_dict(orient="records")
            ],
        }


def solve(
    model: str,
    baseline: Baseline,
    tariffs: np.ndarray | None = None,
    *,
    check: bool = True,
    tol: float = TOL,
    max_iter: int = 60,
    **options,
) -> Equilibrium:
    """Solve `model` on `baseline` with counterfactual `tariffs` [importer, exporter, sector].

    `options` go to the model's `params` (for Caliendo-Parro: deficits, numeraire, theta,
    trade_cost_hat). Raises `NotConverged` unless ``check=False``.
    """
    module = get_model(model)
    tariffs = baseline.tariffs if tariffs is None else np.asarray(tariffs, dtype=np.float64)
    check_tariffs(tariffs, baseline)
    p = module.params(baseline, tariffs, **options)
    res, out = _compiled(model, float(tol), int(max_iter))(p)
    eq = Equilibrium(
        model=model,
        baseline=baseline,
        tariffs=tariffs,
        outcomes={k: np.asarray(v) for k, v in out.items()},
        converged=bool(res.converged),
        max_residual=float(res.max_residual),
        iterations=int(res.iterations),
    )
    if check and not eq.converged:
        raise NotConverged(f"{model} equilibrium on {baseline.name}", eq.max_residual, eq.iterations, tol)
    return eq


def check_tariffs(tariffs: np.ndarray, baseline: Baseline, field: str = "tariffs") -> None:
    """Tariffs must be finite, above -100 %, and shaped [importer, exporter, sector]."""
    shape = baseline.trade.shape
    if tariffs.shape != shape:
        raise InputError(f"{field}: shape {tariffs.shape}, expected {shape} [importer, exporter, sector]", field=field)
    bad = ~np.isfinite(tariffs) | (tariffs <= -1)
    if np.any(bad):
        n, i, j = (int(x[0]) for x in np.nonzero(bad))
        r, s = baseline.regions, baseline.sectors
        raise InputError(
            f"{field}: tariff of {r[n]} on {r[i]} in {s[j]} is {100 * tariffs[n, i, j]:g}%; "
            "tariffs must be finite and above -100%",
            field=field,
        )


@dataclass(frozen=True, eq=False)
class StepResult:
    date: str | None
    label: str
    equilibrium: Equilibrium


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """The solved steps of a scenario, in order; `sensitivity` maps each elasticity value of
    the scenario's [sensitivity] table to the steps solved with it."""

    title: str
    baseline: Baseline
    steps: list[StepResult]
    sensitivity_sectors: tuple[str, ...] = ()
    sensitivity: dict[float, list[StepResult]] | None = None

    @property
    def converged(self) -> bool:
        return all(s.equilibrium.converged for s in self.steps)

    @property
    def max_residual(self) -> float:
        return max(s.equilibrium.max_residual for s in self.steps)

    def to_dict(self) -> dict:
        """JSON shape of `tradewar run --json`: converged, max_residual, regions (of the last
        step) and `steps`, each with date, label, converged, max_residual and regions."""
        steps = []
        for s in self.steps:
            d = s.equilibrium.to_dict()
            entry = {"date": s.date, "label": s.label, "converged": d["converged"], "max_residual": d["max_residual"]}
            entry.update(average_tariff_keys(s.equilibrium))
            entry["regions"] = d["regions"]
            steps.append(entry)
        last = self.steps[-1].equilibrium.to_dict()
        out = {
            "title": self.title,
            "model": last["model"],
            "dataset": last["dataset"],
            "converged": self.converged,
            "max_residual": self.max_residual,
            "regions": last["regions"],
            "steps": steps,
        }
        if self.sensitivity:
            out["sensitivity"] = {
                "sectors": list(self.sensitivity_sectors),
                "runs": [
                    {
                        "theta": theta,
                        "steps": [
                            {"date": s.date, "label": s.label, **{k: v for k, v in s.equilibrium.to_dict().items()
                                                                   if k in ("converged", "max_residual", "regions")}}
                            for s in runs
                        ],
                    }
                    for theta, runs in self.sensitivity.items()
                ],
            }
        return out


def average_tariff(baseline: Baseline, tariffs: np.ndarray, importer: str, exporter: str | list[str]) -> float:
    """Trade-weighted average tariff of `importer` on `exporter`'s goods, at baseline trade (%).

    Goods are the sectors that carry a tariff somewhere in the baseline (services and utilities
    carry none), so the average compares with published goods averages (PIIE's, for example).
    `exporter` may be a list of codes: the average over all their goods, weighted the same way.
    """
    n = baseline.region_index(importer, "importer")
    i = [baseline.region_index(e, "exporter") for e in ([exporter] if isinstance(exporter, str) else exporter)]
    goods = np.any(baseline.tariffs != 0, axis=(0, 1))
    weights = baseline.trade[n, i] * baseline.tradable * (goods if goods.any() else 1.0)
    return float(100 * np.sum(weights * tariffs[n, i]) / np.sum(weights))


def average_tariff_keys(eq: Equilibrium) -> dict:
    """US-China average tariffs where the dataset has both (the 2025 trade war's headline)."""
    if {"USA", "CHN"} <= set(eq.baseline.regions):
        return {
            "us_tariff_on_china_pct": average_tariff(eq.baseline, eq.tariffs, "USA", "CHN"),
            "china_tariff_on_us_pct": average_tariff(eq.baseline, eq.tariffs, "CHN", "USA"),
        }
    return {}


def run_scenario(scenario, *, progress=None, dataset: Baseline | None = None) -> ScenarioResult:
    """Load the scenario's dataset, compile its steps and solve each one in general equilibrium.

    `scenario` is a `tradewar.scenario.Scenario` (see `load_scenario`); `progress(k, total,
    label)` is called before each step. `dataset`: the scenario's dataset already loaded (a
    server keeps it in memory instead of reading it for every request).
    """
    model_name, baseline, options, steps = scenario_inputs(scenario, dataset=dataset)

    def solve_steps(options, note=""):
        results = []
        for k, (step, extra) in enumerate(steps):
            if progress:
                progress(k, len(steps), step.label + note)
            eq = solve(model_name, baseline, step.tariffs, **options, **extra)
            results.append(StepResult(step.date, step.label, eq))
        return results

    results = solve_steps(options)
    if not scenario.sensitivity:
        return ScenarioResult(scenario.title, baseline, results)
    sectors = tuple(scenario.sensitivity.sectors)
    index = [baseline.sector_index(code, "sensitivity.sectors") for code in sectors]
    sensitivity = {}
    for value in scenario.sensitivity.theta:
        theta = np.array(options.get("theta", baseline.theta), dtype=float)
        theta[index] = value
        sensitivity[value] = solve_steps({**options, "theta": theta}, f" (theta {value:g})")
    return ScenarioResult(scenario.title, baseline, results, sectors, sensitivity)


def scenario_inputs(scenario, dataset: Baseline | None = None):
    """What `run_scenario` solves: (model name, baseline, model options, [(step, step options)]),
    with the dataset loaded (and calibrated for the zero-deficit closure) and the steps compiled.
    Also used by `tradewar.uncertainty` so that draws solve exactly the same problems."""
    from tradewar.scenario import compile_steps

    spec = scenario.model
    model = get_model(spec.name)
    baseline = dataset if dataset is not None else load_dataset(scenario.dataset.source, scenario.dataset.path)
    options = {"deficits": spec.deficits, "numeraire": spec.numeraire}
    if spec.lambdas is not None:
        options["lambdas"] = spec.lambdas
    if spec.theta:
        theta = baseline.theta.copy()
        for code, value in spec.theta.items():
            theta[baseline.sector_index(code, f"model.theta.{code}")] = value
        options["theta"] = theta
    if spec.deficits == "zero" and np.abs(baseline.deficit).max() > 1e-9 * baseline.value_added.sum():
        baseline = model.calibrate(baseline, deficits="zero")
    steps = []
    for step in compile_steps(scenario, baseline):
        extra = {}
        if np.any(step.export_taxes != 0):
            extra["export_taxes"] = step.export_taxes
        if np.any(np.isfinite(step.export_limits)):
            extra["export_limits"] = step.export_limits
        steps.append((step, extra))
    return spec.name, baseline, options, steps


DATASETS = ("world2022", "cp2015", "ossa2014", "baci2023")
#: The bundled dataset used where none is named.
DEFAULT_DATASET = "world2022"


def load_dataset(source: str = DEFAULT_DATASET, path: str | Path | None = None, **options) -> Baseline:
    """Load a dataset by its source name (see `DATASETS`; default: the bundled world2022).

    world2022 takes ``mapping=`` (mapping CSV path(s), see `tradewar.data.aggregate`); with a
    `path` it reads that folder in the world2022 CSV layout (docs/data-layout.md) instead.
    """
    if source == "world2022":
        from tradewar.data.world2022 import load_world2022, read_dataset

        if path is not None:
            baseline = read_dataset(path)
            if options.get("mapping") is not None:
                from tradewar.data.aggregate import aggregate, read_mappings

                return aggregate(baseline, *read_mappings(options["mapping"], baseline))
            return baseline
        return load_world2022(**options)
    if source == "cp2015":
        from tradewar.data.cp2015 import load_cp2015

        return load_cp2015(path or default_data_path("cp2015"), **options)
    if source == "ossa2014":
        from tradewar.data.ossa2014 import load_ossa2014

        return load_ossa2014(path or default_data_path("ossa2014"), **options)
    if source == "baci2023":
        from tradewar.data.baci import load_baci2023

        return load_baci2023(path or default_data_path("recent/baci2023_libday"))
    raise InputError(f"dataset.source: unknown dataset {source!r}; use one of {', '.join(DATASETS)}", field="dataset.source")


def default_data_path(folder: str) -> Path:
    """Where the shared replication data live when no path is given: ../shared/data/<folder>
    beside the working directory or beside the repository."""
    repo = Path(__file__).resolve().parents[2]
    for root in (Path.cwd(), repo):
        candidate = root.parent / "shared" / "data" / folder
        if candidate.is_dir():
            return candidate
    raise InputError(
        f"dataset.path: no path given and ../shared/data/{folder} not found; pass --data DIR",
        field="dataset.path",
    )
