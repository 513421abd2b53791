"""Helpers of the issue-11 tests (test_validity, test_strict_input, test_bundled_scenarios,
test_fuzz_scenarios; benchmarks/fuzz_scenarios.py): an independent check of an equilibrium,
computed here from its published outcomes and not by the library's own check, so that the
tests test it; and the command line run in a subprocess on the installed package."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

#: A flow, income or output below this fraction of the largest baseline value of its kind is
#: negative beyond round-off (solutions meet residuals of 1e-10 in units of baseline values).
NEGATIVE = -1e-8


def problems(eq) -> list[str]:
    """What is impossible about an equilibrium, computed from its outcomes (empty if valid)."""
    out = eq.outcomes
    found = []
    for key in ("trade_new", "output_new", "expenditure_new", "income_new"):
        if key not in out:
            continue
        new, old = np.asarray(out[key]), np.asarray(out.get(key.replace("_new", "_old"), out[key]))
        if not np.all(np.isfinite(new)):
            found.append(f"{key} not finite")
        elif np.min(new) < NEGATIVE * np.max(np.abs(old)):
            found.append(f"{key} negative ({int(np.sum(new < NEGATIVE * np.max(np.abs(old))))} cells)")
    if "income_new" in out and np.min(out["income_new"]) <= 0:
        found.append("income not positive")
    for key in ("price_hat", "wage_hat", "cpi_hat"):
        if key in out and not (np.all(np.isfinite(out[key])) and np.min(out[key]) > 0):
            found.append(f"{key} not positive")
    if "tariff_revenue_new" in out:
        taxed = np.all(eq.tariffs >= 0, axis=(1, 2))
        revenue = np.asarray(out["tariff_revenue_new"])
        scale = np.max(np.abs(np.asarray(out["tariff_revenue_old"]))) + 1e-300
        if np.any(taxed & (revenue < NEGATIVE * scale)):
            found.append("negative tariff revenue with non-negative tariffs")
    regions = eq.regions()
    if not np.all(np.isfinite(regions.select_dtypes("number").to_numpy())):
        found.append("non-finite region summary")
    return found


def tradewar_cli(*args, cwd=None, timeout=900) -> subprocess.CompletedProcess:
    """`tradewar ARGS` in a subprocess, through the console entry point `tradewar.cli.main`."""
    return subprocess.run(
        [sys.executable, "-c", "from tradewar.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
