"""Trade talks set beside a scenario step: the war, the deal and the tariffs actually in force.

`tradewar talks --beside SCENARIO[:STEP]` evaluates the tariffs of one step of a scenario (by
default its last step, e.g. us-china-2025's post-Busan tariffs) in the talks' own game (same
model, model options and dataset) and sets them beside the answers of the games:

- ``baseline``: the dataset's tariffs (welfare changes are measured from it, so 0 by definition);
- ``war``: the Nash tariff war among the players (the bargaining threat point);
- ``deal``: the Nash-bargaining (or equal-gains) deal;
- ``step``: the scenario step's tariffs, solved in the game's model.

For each player: its trade-weighted average tariff on each other player and on the non-players
(`tradewar.scenario.run.average_tariff`: goods only, baseline trade weights, percent) and its welfare
change in percent measured as the games' payoff ``welfare_hat`` (exact real income in
Caliendo-Parro, not the linearised ``welfare_pct`` of its eq. 16). Rows ``non-players`` and
``world`` give the income-weighted average of welfare_hat - 1 (weights: baseline income I_n),
a summary, not a welfare measure of its own.

The step's other instruments (export taxes, export limits such as China's rare-earth controls)
are not tariffs and play no part in the games; they are left out of the ``step`` column and
reported separately (`step_with_all_instruments` in `beside_dict`: the step solved with them,
same welfare measure), with a note.

Pure functions: `resolve_step` validates ``--beside`` (one-line `InputError` naming the field,
value and fix) before any game runs, `evaluate_step` solves the step, `comparison` returns the
table as a pandas DataFrame and `beside_dict` the JSON object.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from tradewar.errors import InputError, InvalidEquilibrium, NotConverged
from tradewar.scenario.compile import compile_steps
from tradewar.scenario.run import average_tariff, scenario_horizon
from tradewar.scenario.spec import load_scenario
from tradewar.solver.equilibrium import describe_violation, solve

FIELD = "beside"
#: Value columns of the comparison, in order (those given are shown).
COLUMNS = ("baseline", "war", "deal", "step")
DESCRIPTIONS = {
    "baseline": "the dataset's tariffs (welfare changes are measured from here)",
    "war": "Nash tariff war among the players, the rest passive (the threat point)",
    "deal": "the negotiated deal",
    "step": "the scenario step's tariffs, solved in the same model",
}


@dataclass(frozen=True, eq=False)
class ScenarioStep:
    """One step of a scenario, compiled on the game's baseline (decimals, [importer, exporter, sector])."""

    scenario: str
    title: str
    number: int  # 1-based, in the file's order
    date: str | None
    label: str
    tariffs: np.ndarray
    export_taxes: np.ndarray
    export_limits: np.ndarray
    notes: tuple[str, ...] = ()

    @property
    def other_instruments(self) -> list[str]:
        out = []
        if np.any(self.export_taxes != 0):
            out.append("export taxes")
        if np.any(np.isfinite(self.export_limits)):
            out.append("export limits")
        return out


def _step_names(steps) -> str:
    return ", ".join(f"{k}: {s.date or s.label[:30]}" for k, s in enumerate(steps, 1))


def _pick(steps, wanted: str | None, value: str) -> int:
    """Index of the step named by `wanted`: a 1-based number, a date, an exact label, or a
    case-insensitive piece of exactly one label. Default: the last step."""
    if wanted is None or wanted == "":
        return len(steps) - 1
    w = wanted.strip()
    if w.isdigit():
        k = int(w)
        if 1 <= k <= len(steps):
            return k - 1
        raise InputError(
            f"--beside: {value!r}: step {k} out of range; the scenario has steps 1 to {len(steps)}", field=FIELD
        )
    for test in (
        lambda s: s.label == w,
        lambda s: s.date == w,
        lambda s: w.lower() in s.label.lower(),
    ):
        hits = [k for k, s in enumerate(steps) if test(s)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise InputError(
                f"--beside: {value!r}: step {w!r} matches {len(hits)} steps ("
                + "; ".join(f"{k + 1}: {steps[k].date or ''} {steps[k].label[:40]}" for k in hits)
                + "); give its number, date or a longer part of its label",
                field=FIELD,
            )
    raise InputError(
        f"--beside: {value!r}: no step {w!r}; give a step number, date or part of a label ({_step_names(steps)})",
        field=FIELD,
    )


def resolve_step(value: str, game, dataset: str) -> ScenarioStep:
    """Parse ``SCENARIO[:STEP]`` and compile that step on ``game``'s baseline.

    ``dataset`` is the source name the game was loaded from (world2022, cp2015, ...); the
    scenario must run on the same one. Raises `InputError` (field ``beside``) for an unknown
    scenario or step, or a scenario on another dataset. Differences in model options between
    the scenario and the game are not errors: the step is evaluated in the game's model, and a
    note says so.
    """
    name, _, wanted = (value or "").partition(":")
    name = name.strip()
    if not name:
        raise InputError(
            f"--beside: {value!r}: give a scenario, e.g. us-china-2025 or us-china-2025:2025-11-10", field=FIELD
        )
    try:
        spec = load_scenario(name)
    except InputError as e:
        raise InputError(f"--beside: {e}", field=FIELD) from None
    source = spec.dataset.source
    if source != dataset:
        raise InputError(
            f"--beside: scenario {name!r} runs on dataset {source}, the talks on {dataset}; "
            f"use --dataset {source} or a scenario on {dataset}",
            field=FIELD,
        )
    steps = spec.steps
    k = _pick(steps, wanted if wanted else None, value)
    try:
        compiled = compile_steps(spec, game.baseline)[k]
    except InputError as e:
        raise InputError(f"--beside: scenario {name!r} does not fit the talks' data: {e}", field=FIELD) from None
    notes = []
    if spec.model.name != game.model:
        notes.append(
            f"the scenario's model is {spec.model.name}; its tariffs are evaluated in the talks' model {game.model}"
        )
    defaults = inspect.signature(game.module.params).parameters
    for option in ("deficits", "numeraire", "lambdas"):
        wanted = getattr(spec.model, option)
        used = game.options.get(option, defaults[option].default if option in defaults else None)
        if wanted is not None and option in defaults and wanted != used:
            shown = "the model's default" if used is None else used
            notes.append(f"the scenario's model.{option} is {wanted}; the talks' ({shown}) is used")
    if spec.model.theta:
        notes.append("the scenario's trade-elasticity overrides are not used (the talks' model options are)")
    horizon = scenario_horizon(spec)
    if horizon is not None and horizon.months is not None:
        notes.append(
            f"tradewar run solves the scenario at the {horizon.label} horizon; the talks' model keeps its "
            "long-run elasticities"
        )
    if spec.model.tariff_basis != "statutory":
        notes.append(f"the scenario's {spec.model.tariff_basis} US tariffs are not used; the step's statutory ones are")
    step = ScenarioStep(
        scenario=name,
        title=spec.title,
        number=k + 1,
        date=compiled.date,
        label=compiled.label,
        tariffs=np.asarray(compiled.tariffs),
        export_taxes=np.asarray(compiled.export_taxes),
        export_limits=np.asarray(compiled.export_limits),
        notes=tuple(notes),
    )
    if step.other_instruments:
        left_out = (
            f"the step's {' and '.join(step.other_instruments)} are not tariffs and are left out of the step "
            "column; the welfare of the step solved with them too is given separately"
        )
        step = replace(step, notes=(*step.notes, left_out))
    return step


def evaluate_step(game, step: ScenarioStep) -> dict:
    """The step's tariffs solved in ``game`` (its model, options and baseline): outcomes
    (numpy), max_residual, converged, iterations. Raises `NotConverged` if the solve fails."""
    out, residual, ok, iterations = game.solve(step.tariffs)
    what = f"{game.model} equilibrium at the tariffs of {step.scenario} step {step.number}"
    problem = describe_violation(out, game.baseline, step.tariffs)
    if not ok and problem is not None and residual <= game.tol:
        raise InvalidEquilibrium(what, problem, residual, iterations)
    if not ok:
        raise NotConverged(what, residual, iterations, game.tol)
    return {
        "tariffs": step.tariffs,
        "outcomes": out,
        "max_residual": residual,
        "converged": ok,
        "iterations": iterations,
    }


def evaluate_step_all_instruments(game, step: ScenarioStep) -> dict | None:
    """The step with its export taxes and limits too (None if it has none), solved by
    `tradewar.solve` with the game's model and options: welfare_pct per region from
    ``welfare_hat``, the same measure as the games'."""
    if not step.other_instruments:
        return None
    extra = {}
    if np.any(step.export_taxes != 0):
        extra["export_taxes"] = step.export_taxes
    if np.any(np.isfinite(step.export_limits)):
        extra["export_limits"] = step.export_limits
    eq = solve(game.model, game.baseline, step.tariffs, **game.options, **extra)
    return {
        "instruments": ["tariffs", *step.other_instruments],
        "welfare_pct": dict(zip(game.baseline.regions, (100 * (eq.outcomes["welfare_hat"] - 1)).tolist())),
        "converged": eq.converged,
        "max_residual": eq.max_residual,
    }


def _average_welfare_pct(baseline, welfare_hat: np.ndarray, rows: list[int]) -> float:
    w = np.asarray(baseline.income, float)[rows]
    return float(100 * (np.sum(w * welfare_hat[rows]) / np.sum(w) - 1))


def comparison(game, players: list[str], columns: dict[str, dict]) -> pd.DataFrame:
    """The comparison table: one row per (region, measure, partner), one value column per entry
    of ``columns`` (label -> {"tariffs": [n, i, s] decimals, "outcomes": model outcomes with
    ``welfare_hat``}, or None for the baseline: its tariffs, and welfare 0 by definition).

    Measures: ``tariff_pct`` (the region's trade-weighted average tariff on ``partner``, a
    player or "non-players"; `tradewar.scenario.run.average_tariff`), ``welfare_pct`` (100 (welfare_hat
    - 1)), and for the objective "government" also ``payoff_pct``. Rows "non-players" and
    "world": income-weighted average welfare_pct.
    """
    b = game.baseline
    idx = [b.region_index(p, "players") for p in players]
    others = [k for k in range(b.n_regions) if k not in idx]
    other_codes = [b.regions[k] for k in others]
    data = {}
    for label, col in columns.items():
        tariffs = b.tariffs if col is None else np.asarray(col["tariffs"])
        welfare = np.ones(b.n_regions) if col is None else np.asarray(col["outcomes"]["welfare_hat"])
        values = []
        for p in players:
            for q in players:
                if q != p:
                    values.append((p, "tariff_pct", q, average_tariff(b, tariffs, p, q)))
            if other_codes:
                values.append((p, "tariff_pct", "non-players", average_tariff(b, tariffs, p, other_codes)))
            values.append((p, "welfare_pct", "", float(100 * (welfare[b.region_index(p)] - 1))))
            if game.key != "welfare_hat":
                payoff = np.ones(b.n_regions) if col is None else np.asarray(col["outcomes"][game.key])
                values.append((p, "payoff_pct", "", float(100 * (payoff[b.region_index(p)] - 1))))
        if others:
            values.append(("non-players", "welfare_pct", "", _average_welfare_pct(b, welfare, others)))
        values.append(("world", "welfare_pct", "", _average_welfare_pct(b, welfare, list(range(b.n_regions)))))
        data[label] = values
    first = next(iter(data.values()))
    frame = pd.DataFrame([v[:3] for v in first], columns=["region", "measure", "partner"])
    for label, values in data.items():
        frame[label] = [v[3] for v in values]
    return frame


def game_column(result) -> dict:
    """A `tradewar.games.GameResult` as a column of `comparison`."""
    return {"tariffs": result.tariffs, "outcomes": result.outcomes}


def beside_dict(game, players: list[str], step: ScenarioStep, columns: dict[str, dict], *, war=None) -> dict:
    """The JSON object of ``--beside``: the step, the columns' meanings, the rows of
    `comparison` (one object each), the step's solve diagnostics, the step with all its
    instruments (or None), notes, and the war's certificate when given."""
    frame = comparison(game, players, columns)
    step_eval = columns.get("step")
    out = {
        "scenario": step.scenario,
        "title": step.title,
        "step": {"number": step.number, "date": step.date, "label": step.label},
        "model": game.model,
        "dataset": game.baseline.name,
        "players": list(players),
        "columns": {c: DESCRIPTIONS[c] for c in columns},
        "rows": [
            {k: (v if isinstance(v, str) else float(v)) for k, v in row.items()}
            for row in frame.to_dict(orient="records")
        ],
        "step_converged": None if step_eval is None else bool(step_eval["converged"]),
        "step_max_residual": None if step_eval is None else float(step_eval["max_residual"]),
        "step_with_all_instruments": evaluate_step_all_instruments(game, step),
        "notes": list(step.notes),
    }
    if war is not None:
        out["war"] = {"converged": war.converged, "certificate": war.certificate.to_dict(), "seconds": war.seconds}
    return out


def table_rows(beside: dict) -> tuple[list[str], list[list]]:
    """Headings and rows for the CLI's rich table from a `beside_dict` object."""
    cols = [c for c in COLUMNS if c in beside["columns"]]
    headings = ["region", "measure"] + [f"{c} %" for c in cols]
    rows = []
    for r in beside["rows"]:
        what = {"tariff_pct": f"tariff on {r['partner']}", "welfare_pct": "welfare", "payoff_pct": "payoff"}[
            r["measure"]
        ]
        rows.append([r["region"], what] + [r[c] for c in cols])
    return headings, rows
