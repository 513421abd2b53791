"""Solving one counterfactual: `solve` returns an `Equilibrium`.

    baseline = tradewar.load_dataset("cp2015", path="../shared/data/cp2015")
    tariffs = baseline.extras["tariff_cf_nafta"]
    eq = tradewar.solve("caliendo-parro", baseline, tariffs)
    eq.regions()            # one row per region: welfare_pct, real_wage_pct, ...

`solve` returns an `Equilibrium` that carries its residual, iteration count and converged
flag; a solve that does not converge raises `NotConverged` (or, with ``check=False``, returns
the flagged result for batch use). `check_tariffs` is the validity check of counterfactual
tariffs shared by every entry point (scenarios, draws, sweeps, games).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError, NotConverged
from tradewar.models import get_model
from tradewar.solver.compiled import solve_model_cached
from tradewar.solver.newton import TOL


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
    res, out = solve_model_cached(
        module.residual, module.initial_guess, module.outcomes, p, tol=float(tol), max_iter=int(max_iter)
    )
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
