"""Solving one counterfactual: `solve` returns an `Equilibrium`.

    baseline = tradewar.load_dataset("cp2015", path="../shared/data/cp2015")
    tariffs = baseline.extras["tariff_cf_nafta"]
    eq = tradewar.solve("caliendo-parro", baseline, tariffs)
    eq.regions()            # one row per region: welfare_pct, real_wage_pct, ...

`solve` returns an `Equilibrium` that carries its residual, iteration count and converged
flag; a solve that does not converge raises `NotConverged` (or, with ``check=False``, returns
the flagged result for batch use). `check_tariffs` is the validity check of counterfactual
tariffs shared by every entry point (scenarios, draws, sweeps, games); `check_policy_arrays`
and `check_instruments` check the other policy and parameter arrays.

Is a solved equilibrium an economy? Every solution passes a check before it is returned.
Newton meets its tolerance at a root of the equilibrium conditions, but some models'
conditions are polynomial in unknowns solved in levels (Caliendo-Parro's expenditure X'), and
where a policy leaves no equilibrium with positive quantities (a 1,000 % tariff on all trade,
which leaves surplus regions unable to earn their fixed surpluses; a 90 % import subsidy that
costs more than the importers' income) the root has negative flows, incomes or outputs. Such a
root is an `InvalidEquilibrium` (a `NotConverged`), never a result. The checks (`CHECKS`, in
order; the first that fails is reported):

- trade flows, expenditure and gross output finite and >= 0 (below -1e-8 times the largest
  baseline value of the same kind is negative beyond round-off: solutions meet residuals of
  1e-10 in units of baseline values);
- income, real income (welfare_hat) and price, cost, wage and price-index changes finite
  and > 0;
- tariff revenue >= 0 for every importer whose tariffs are all >= 0 (revenue consistent with
  the tariffs' signs).

A check applies where the model reports the outcome (see `tradewar.models.base`). The same code
runs on numpy arrays (`describe_violation`, which names the region, partner, sector and value)
and traced inside jit on jax arrays (`first_violation`, for batches of draws and games).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import jax.numpy as jnp
import numpy as np

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError, InvalidEquilibrium, NotConverged
from tradewar.models import get_model
from tradewar.solver.compiled import solve_model_cached
from tradewar.solver.newton import TOL

if TYPE_CHECKING:  # pandas is imported where a frame is asked for: solving and --json do without it
    import pandas as pd


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
    #: Why the solver's root is not a valid equilibrium (`describe_violation`); None if it is.
    problem: str | None = None

    def regions(self) -> pd.DataFrame:
        """One row per region (index: region code), columns from the model's `region_summary`."""
        import pandas as pd

        return pd.DataFrame(self._region_columns(), index=pd.Index(self.baseline.regions, name="code"))

    def _region_columns(self) -> dict[str, np.ndarray]:
        """The model's `region_summary`, one float array per column (a value per region)."""
        summary = get_model(self.model).region_summary(self.outcomes)
        n = len(self.baseline.regions)
        return {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in summary.items()}

    def bilateral(self) -> pd.DataFrame:
        """Trade by importer, exporter and sector, before and after (net of tariffs)."""
        import pandas as pd

        b = self.baseline
        index = pd.MultiIndex.from_product([b.regions, b.regions, b.sectors], names=["importer", "exporter", "sector"])
        old, new = self.outcomes["trade_old"].ravel(), self.outcomes["trade_new"].ravel()
        change = np.divide(new - old, old, out=np.full_like(old, np.nan), where=old > 0) * 100
        return pd.DataFrame({"trade_old": old, "trade_new": new, "trade_change_pct": change}, index=index)

    def sectors(self) -> pd.DataFrame:
        """Region x sector detail: price index, unit cost and gross output changes."""
        import pandas as pd

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
        columns = self._region_columns()
        return {
            "model": self.model,
            "dataset": self.baseline.name,
            "converged": self.converged,
            "max_residual": self.max_residual,
            "iterations": self.iterations,
            "regions": [
                {"code": code, **{k: float(v[i]) for k, v in columns.items()}}
                for i, code in enumerate(self.baseline.regions)
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
    trade_cost_hat). Every root is checked (`CHECKS`, module docstring): one that is not an economy
    (negative trade, income, ...) is not converged. Raises `NotConverged` (`InvalidEquilibrium`
    for such a root) unless ``check=False``, which returns the flagged result with its `problem`.
    """
    module = get_model(model)
    tariffs = baseline.tariffs if tariffs is None else np.asarray(tariffs, dtype=np.float64)
    check_tariffs(tariffs, baseline)
    check_policy_arrays(options, baseline)
    check_instruments(model, options)
    supported = getattr(module, "INSTRUMENTS", ("tariff",))
    options = {k: v for k, v in options.items() if INSTRUMENT_OPTIONS.get(k, "tariff") in supported}
    p = module.params(baseline, tariffs, **options)
    res, out = solve_model_cached(
        module.residual, module.initial_guess, module.outcomes, p, tol=float(tol), max_iter=int(max_iter)
    )
    outcomes = {k: np.asarray(v) for k, v in out.items()}
    converged = bool(res.converged)
    problem = describe_violation(outcomes, baseline, tariffs) if converged else None
    eq = Equilibrium(
        model=model,
        baseline=baseline,
        tariffs=tariffs,
        outcomes=outcomes,
        converged=converged and problem is None,
        max_residual=float(res.max_residual),
        iterations=int(res.iterations),
        problem=problem,
    )
    what = f"{model} equilibrium on {baseline.name}"
    if check and problem is not None:
        raise InvalidEquilibrium(what, problem, eq.max_residual, eq.iterations)
    if check and not eq.converged:
        raise NotConverged(what, eq.max_residual, eq.iterations, tol)
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


#: Policy and parameter arrays a model may take as options: (lowest allowed, inclusive?) and
#: whether NaN means "none" (export limits: no limit on that flow).
POLICY_ARRAYS = {
    "export_taxes": (-1.0, False, False),
    "theta": (0.0, False, False),
    "sigma": (1.0, False, False),
    "trade_cost_hat": (0.0, False, False),
    "export_limits": (0.0, True, True),
}


def check_policy_arrays(options: dict, baseline: Baseline) -> None:
    """Export taxes, elasticities and trade-cost changes must be finite and in range; export
    limits NaN (no limit) or in [0, 1). A NaN or infinity is an input error, not a solver
    failure ("did not converge ... try a smaller shock")."""
    for name, (low, inclusive, nan_is_none) in POLICY_ARRAYS.items():
        if options.get(name) is None or isinstance(options[name], str):
            continue
        values = np.atleast_1d(np.asarray(options[name], dtype=np.float64))
        given = ~np.isnan(values) if nan_is_none else np.ones(values.shape, dtype=bool)
        in_range = (values >= low) if inclusive else (values > low)
        if name == "export_limits":
            in_range &= values < 1
        bad = given & ~(np.isfinite(values) & in_range)
        if np.any(bad):
            cell = tuple(int(x[0]) for x in np.nonzero(bad))
            where = _cell_label(baseline, values.shape, cell)
            bound = f">= {low:g}" if inclusive else f"> {low:g}"
            if name == "export_limits":
                bound += " and < 1 (NaN: no limit)"
            raise InputError(f"{name}: {where} is {float(values[cell])!r}; it must be finite and {bound}", field=name)


#: Options that carry a policy instrument other than import tariffs.
INSTRUMENT_OPTIONS = {"export_taxes": "export_tax", "export_limits": "export_limit"}


def check_instruments(model: str, options: dict) -> None:
    """A model solves the instruments its module lists in ``INSTRUMENTS`` (import tariffs only
    if it lists none); any other instrument in use is an input error, in one line."""
    instruments = getattr(get_model(model), "INSTRUMENTS", ("tariff",))
    for option, instrument in INSTRUMENT_OPTIONS.items():
        values = options.get(option)
        if values is None or instrument in instruments:
            continue
        values = np.asarray(values, dtype=np.float64)
        if np.any(np.isfinite(values)) if option == "export_limits" else np.any(values != 0):
            raise InputError(
                f"policy.instrument: the {model} model does not support instrument {instrument!r} "
                f"(it has {', '.join(map(repr, instruments))}); use model caliendo-parro for it",
                field="policy.instrument",
            )


def _cell_label(baseline: Baseline, shape: tuple, cell: tuple) -> str:
    r, s = baseline.regions, baseline.sectors
    if len(shape) == 3:
        return f"importer {r[cell[0]]}, exporter {r[cell[1]]}, sector {s[cell[2]]}"
    if len(shape) == 1 and shape[0] == len(s):
        return f"sector {s[cell[0]]}"
    return f"element {cell}"


# ----------------------------------------------------------------------------- validity
class Check(NamedTuple):
    key: str  # outcome
    baseline_key: str | None  # the same quantity at baseline (its scale), if reported
    problem: str  # what a failure is, in messages
    positive: bool  # > 0 required (else >= 0 up to round-off)
    cells: str  # what one element is, in messages


#: Relative size of a negative value that round-off cannot explain.
NEGATIVE_RTOL = 1e-8

CHECKS = (
    Check("trade_new", "trade_old", "negative trade", False, "flows"),
    Check("income_new", "income_old", "non-positive income", True, "regions"),
    Check("expenditure_new", "expenditure_old", "negative expenditure", False, "cells"),
    Check("output_new", "output_old", "negative gross output", False, "cells"),
    Check("welfare_hat", None, "non-positive real income", True, "regions"),
    Check("price_hat", None, "non-positive prices", True, "cells"),
    Check("cost_hat", None, "non-positive unit costs", True, "cells"),
    Check("wage_hat", None, "non-positive wages", True, "regions"),
    Check("cpi_hat", None, "a non-positive price index", True, "regions"),
    Check(
        "tariff_revenue_new",
        "tariff_revenue_old",
        "negative tariff revenue with non-negative tariffs",
        False,
        "regions",
    ),
)


def _masks(out: dict, tariffs, xp) -> list:
    """One boolean mask (True: violation) per entry of CHECKS; None where the model does not
    report the outcome."""
    masks = []
    for check in CHECKS:
        if check.key not in out:
            masks.append(None)
            continue
        new = out[check.key]
        if check.positive:
            masks.append(~(new > 0))  # NaN fails too
            continue
        old = out.get(check.baseline_key, new)
        scale = xp.max(xp.where(xp.isfinite(old), xp.abs(old), 0.0))
        bad = ~(new >= -NEGATIVE_RTOL * scale)
        if check.key == "tariff_revenue_new":
            if tariffs is None:
                masks.append(None)
                continue
            bad = bad & xp.all(tariffs >= 0, axis=tuple(range(1, tariffs.ndim)))
        masks.append(bad)
    return masks


def first_violation(out: dict, tariffs=None, xp=jnp):
    """Index into `CHECKS` of the first check that fails, -1 if the equilibrium is valid.
    Works on numpy or (traced) jax arrays; `xp` is the array namespace."""
    present = [(k, xp.any(m)) for k, m in enumerate(_masks(out, tariffs, xp)) if m is not None]
    if not present:
        return xp.asarray(-1)
    flags = xp.stack([flag for _, flag in present])
    index = xp.asarray([k for k, _ in present])
    return xp.where(xp.any(flags), index[xp.argmax(flags)], -1)


def violation_reason(index: int) -> str:
    """The reason of a failed draw with violation `index` (-1: none)."""
    return "" if index < 0 else f"invalid equilibrium: {CHECKS[index].problem}"


def _where(baseline, shape: tuple, cell: tuple) -> str:
    """Labels of one element of an outcome shaped [region], [region, sector] or
    [importer, exporter, sector]."""
    regions, sectors = baseline.regions, baseline.sectors
    if len(shape) == 3:
        n, i, j = cell
        where = f"{regions[n]} domestic sales" if n == i else f"{regions[n]} imports from {regions[i]}"
        return where if shape[2] == 1 else f"{where} in {sectors[j]}"
    if len(shape) == 2 and shape[1] == len(regions) and shape[1] != len(sectors):
        return f"{regions[cell[0]]} imports from {regions[cell[1]]}"
    if len(shape) == 2:
        return regions[cell[0]] if shape[1] == 1 else f"{regions[cell[0]]} {sectors[cell[1]]}"
    return regions[cell[0]] if shape and shape[0] == len(regions) else str(cell)


def describe_violation(out: dict, baseline, tariffs=None) -> str | None:
    """None if the equilibrium passes every check, else one line: the first failed check, where
    it fails worst, its value and the baseline value, and how many elements fail, e.g.
    "negative trade: TWN imports from IND in CHEM -1.2e+04 (baseline 3.4e+03; 666 of 5,184 flows)"."""
    out = {k: np.asarray(v) for k, v in out.items()}
    tariffs = None if tariffs is None else np.asarray(tariffs)
    for check, mask in zip(CHECKS, _masks(out, tariffs, np)):
        if mask is None or not mask.any():
            continue
        new = out[check.key]
        if check.key == "tariff_revenue_new":
            mask = np.broadcast_to(mask, new.shape)
        scores = np.where(mask, np.nan_to_num(new, nan=-np.inf), np.inf)
        cell = np.unravel_index(int(np.argmin(scores)), new.shape)
        value = f"{new[cell]:.4g}"
        old = out.get(check.baseline_key) if check.baseline_key else None
        baseline_value = f"baseline {old[cell]:.4g}; " if old is not None and old.shape == new.shape else ""
        count = int(mask.sum())
        return (
            f"{check.problem}: {_where(baseline, new.shape, cell)} {value} "
            f"({baseline_value}{count:,} of {new.size:,} {check.cells})"
        )
    return None
