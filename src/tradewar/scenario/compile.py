"""A scenario's steps compiled to instrument arrays [importer, exporter, sector] on a baseline,
every code checked against the data (see `tradewar.scenario.spec` for the file format)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError
from tradewar.scenario.spec import Codes, Scenario


@dataclass(frozen=True)
class PolicyArrays:
    """The instruments in force at one step, [importer, exporter, sector], decimals."""

    date: str | None
    label: str
    tariffs: np.ndarray
    export_taxes: np.ndarray
    export_limits: np.ndarray  # quantity cut as a fraction; NaN where there is no limit


def _resolve(codes: Codes, known: tuple[str, ...], field: str, index) -> list[int]:
    if codes == "all":
        return list(range(len(known)))
    items = [codes] if isinstance(codes, str) else list(codes)
    if not items:
        raise InputError(f'{field}: empty list; give codes or "all"', field=field)
    return [k for c in items for k in index(c, field)]


def compile_steps(scenario: Scenario, baseline: Baseline) -> list[PolicyArrays]:
    """Turn the scenario's steps into instrument arrays, checking every code against the data."""
    tariffs = baseline.tariffs.copy()
    export_taxes = np.zeros_like(tariffs)
    limits = np.full_like(tariffs, np.nan)
    compiled = []
    for s, step in enumerate(scenario.steps):
        for k, pol in enumerate(step.policy):
            where = f"step[{s}].policy[{k}]" if scenario.step else f"policy[{k}]"
            n = _resolve(pol.importer, baseline.regions, f"{where}.importer", baseline.region_members)
            i = _resolve(pol.exporter, baseline.regions, f"{where}.exporter", baseline.region_members)
            j = _resolve(pol.sectors, baseline.sectors, f"{where}.sectors", baseline.sector_members)
            cells = np.ix_(n, i, j)
            offdiag = (np.arange(baseline.n_regions)[n][:, None] != np.arange(baseline.n_regions)[i][None, :])[
                :, :, None
            ]
            if pol.instrument == "export_limit":
                cut = pol.cut_pct / 100 if pol.cut_pct > 0 else np.nan  # 0 lifts the limit
                limits[cells] = np.where(offdiag, cut, limits[cells])
                continue
            target = tariffs if pol.instrument == "tariff" else export_taxes
            new = (
                target[cells] + pol.add_pp / 100
                if pol.add_pp is not None
                else np.full(target[cells].shape, pol.set_pct / 100)
            )
            if np.any(new <= -1):
                raise InputError(
                    f"{where}: this change takes a rate to {100 * new.min():g}%; rates must stay above -100%",
                    field=where,
                )
            target[cells] = np.where(offdiag, new, target[cells])
        compiled.append(PolicyArrays(step.date, step.label, tariffs.copy(), export_taxes.copy(), limits.copy()))
    return compiled
