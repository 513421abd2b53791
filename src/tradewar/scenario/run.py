"""Running a scenario: every step solved in general equilibrium, in order.

`run_scenario` loads the scenario's dataset (`tradewar.data.registry.load_dataset`), compiles
its steps (`tradewar.scenario.compile`) and solves each one (`tradewar.solver.equilibrium.solve`);
`scenario_inputs` is what it solves, shared with the scenario draws so that they solve exactly
the same problems: the elasticities at the scenario's horizon (`scenario_horizon`,
`tradewar.models.horizon`) and the US tariffs on its basis (`tradewar.scenario.basis`).
`average_tariff` (`tradewar.scenario.basis`) is the trade-weighted tariff average reported
beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradewar.data.baseline import Baseline
from tradewar.data.registry import load_dataset
from tradewar.models import get_model
from tradewar.models.base import Model
from tradewar.models.horizon import Horizon, parse_horizon
from tradewar.scenario.basis import average_tariff, collected_steps, parse_basis
from tradewar.scenario.compile import compile_steps
from tradewar.solver.equilibrium import Equilibrium, check_instruments, solve


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
    horizon: str | None = None  # caliendo-parro: the horizon the steps are solved at
    tariff_basis: str = "statutory"
    long_run: StepResult | None = None  # the last step in the long run, when the steps are not

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
        if self.horizon is not None:
            out["horizon"], out["tariff_basis"] = self.horizon, self.tariff_basis
        if self.long_run is not None:
            d = self.long_run.equilibrium.to_dict()
            out["long_run"] = {"date": self.long_run.date, "label": self.long_run.label}
            out["long_run"].update({k: d[k] for k in ("converged", "max_residual", "regions")})
        if self.sensitivity:
            out["sensitivity"] = {
                "sectors": list(self.sensitivity_sectors),
                "runs": [
                    {
                        "theta": theta,
                        "steps": [
                            {
                                "date": s.date,
                                "label": s.label,
                                **{
                                    k: v
                                    for k, v in s.equilibrium.to_dict().items()
                                    if k in ("converged", "max_residual", "regions")
                                },
                            }
                            for s in runs
                        ],
                    }
                    for theta, runs in self.sensitivity.items()
                ],
            }
        return out


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

    `scenario` is a `tradewar.scenario.spec.Scenario` (see `load_scenario`); `progress(k, total,
    label)` is called before each step. `dataset`: the scenario's dataset already loaded (a
    server keeps it in memory instead of reading it for every request).
    """
    model_name, baseline, long_run_options, steps = scenario_inputs(scenario, dataset=dataset, horizon="long")
    horizon = scenario_horizon(scenario)
    options = at_horizon(long_run_options, baseline, horizon)
    about = {"horizon": horizon and horizon.label, "tariff_basis": scenario.model.tariff_basis}

    def solve_steps(options, note=""):
        results = []
        for k, (step, extra) in enumerate(steps):
            if progress:
                progress(k, len(steps), step.label + note)
            eq = solve(model_name, baseline, step.tariffs, **options, **extra)
            results.append(StepResult(step.date, step.label, eq))
        return results

    results = solve_steps(options)
    if options is not long_run_options:  # beside the last step: its long-run end
        step, extra = steps[-1]
        eq = solve(model_name, baseline, step.tariffs, **long_run_options, **extra)
        about["long_run"] = StepResult(step.date, step.label, eq)
    if not scenario.sensitivity:
        return ScenarioResult(scenario.title, baseline, results, **about)
    sectors = tuple(scenario.sensitivity.sectors)
    index = [baseline.sector_index(code, "sensitivity.sectors") for code in sectors]
    sensitivity = {}
    for value in scenario.sensitivity.theta:
        theta = np.array(options.get("theta", baseline.theta), dtype=float)
        theta[index] = value
        sensitivity[value] = solve_steps({**options, "theta": theta}, f" (theta {value:g})")
    return ScenarioResult(scenario.title, baseline, results, sectors, sensitivity, **about)


def prepare_baseline(baseline: Baseline, model: Model, deficits: str) -> Baseline:
    """The dataset as a scenario solves it: calibrated to zero deficits (`Model.calibrate`) when
    the closure is "zero" and the data have deficits, else unchanged."""
    if deficits == "zero" and np.abs(baseline.deficit).max() > 1e-9 * baseline.value_added.sum():
        return model.calibrate(baseline, deficits="zero")
    return baseline


def scenario_horizon(scenario, override=None) -> Horizon | None:
    """The horizon a caliendo-parro scenario is solved at: `override`, else its `[model]
    horizon`, else the one its dates imply: short (12 months) when every step has a date (a
    dated step asks what that policy did in the year after its date), long otherwise (undated
    steps are comparative statics). None for other models (their elasticities are their papers')."""
    if scenario.model.name != "caliendo-parro":
        return None
    given = override if override is not None else scenario.model.horizon
    if given is not None:
        return parse_horizon(given, "--horizon" if override is not None else "model.horizon")
    return parse_horizon("short" if all(s.date for s in scenario.steps) else "long")


def at_horizon(options: dict, baseline: Baseline, horizon: Horizon | None) -> dict:
    """`options` with the trade elasticities (their `theta`, else the baseline's) scaled to
    `horizon`; the same dict for the long run or a model without a horizon (None)."""
    if horizon is None or horizon.months is None:
        return options
    return {**options, "theta": horizon.theta(options.get("theta", baseline.theta))}


def scenario_inputs(scenario, dataset: Baseline | None = None, *, horizon=None, basis=None, observed=None):
    """What `run_scenario` solves: (model name, baseline, model options, [(step, step options)]),
    with the dataset loaded (and calibrated for the zero-deficit closure), the steps compiled,
    the elasticities at the scenario's horizon (`scenario_horizon`; `horizon` overrides it) and
    the US tariffs on its basis (`basis` overrides it; collected rates from `observed`, default
    the bundled table). Also used by `tradewar.scenario.draws` so that draws solve exactly the
    same problems, and by `tradewar.scenario.backtest` (long run, statutory)."""
    spec = scenario.model
    model = get_model(spec.name)
    source = scenario.dataset
    baseline = dataset if dataset is not None else load_dataset(source.source, source.path, mapping=source.mapping)
    options = {"deficits": spec.deficits, "numeraire": spec.numeraire}
    if spec.lambdas is not None:
        options["lambdas"] = spec.lambdas
    if spec.theta:
        theta = baseline.theta.copy()
        for code, value in spec.theta.items():
            theta[baseline.sector_index(code, f"model.theta.{code}")] = value
        options["theta"] = theta
    baseline = prepare_baseline(baseline, model, spec.deficits)
    compiled = compile_steps(scenario, baseline)
    # Every step with as many export-limit slots as the step with the most, so that all steps
    # have the same array shapes and share one compiled solver (one compilation on a new machine).
    slots = max(int(np.isfinite(step.export_limits).sum()) for step in compiled) if compiled else 0
    steps = []
    for step in compiled:
        extra = {}
        if np.any(step.export_taxes != 0):
            extra["export_taxes"] = step.export_taxes
        if slots:
            extra.update(export_limits=step.export_limits, limit_slots=slots)
        check_instruments(spec.name, extra)
        steps.append((step, extra))
    options = at_horizon(options, baseline, scenario_horizon(scenario, horizon))
    if parse_basis(basis if basis is not None else spec.tariff_basis, "--basis") == "collected":
        steps = collected_steps(baseline, steps, observed)
    return spec.name, baseline, options, steps
