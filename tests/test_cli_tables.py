"""What other commands print at 80 columns: whole headers with units, no duplicated columns, no
Python reprs, and plain help with its defaults."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from rich.cells import cell_len


def tradewar(*args):
    env = {**os.environ, "COLUMNS": "80", "TERM": "dumb"}
    return subprocess.run(
        [sys.executable, "-m", "tradewar.cli", *args], capture_output=True, text=True, env=env, timeout=900
    )


def assert_readable(out: str) -> None:
    assert "…" not in out, "a cut header or cell"
    assert not re.search(r"\{'|np\.float|array\(|<bool>", out), "a Python repr or a type tag"
    assert not re.search(r"-0\.0+(?![0-9])", out), "a negative zero"
    widest = max(out.splitlines(), key=cell_len)
    assert cell_len(widest) <= 80, widest


def test_replicate_cp2015_fits_80_columns():
    proc = tradewar("replicate", "cp2015")
    assert proc.returncode == 0, proc.stderr
    assert_readable(proc.stdout)
    header = proc.stdout[: proc.stdout.index("CAN ")]
    for words in ("welfare", "terms of", "trade %", "real", "wage %", "paper"):
        assert words in header


def test_nash_table_has_no_duplicated_columns():
    proc = tradewar("nash", "--dataset", "cp2015", "--players", "USA,MEX")
    assert proc.returncode == 0, proc.stderr
    assert_readable(proc.stdout)
    # objective welfare from the baseline: payoff and 'vs start' would repeat the welfare column
    assert "welfare %" in proc.stdout and "payoff" not in proc.stdout and "vs start" not in proc.stdout
    rows = [line.split() for line in proc.stdout.splitlines() if re.match(r"(USA|MEX) \*", line)]
    assert len(rows) == 2  # the players, marked
    assert proc.stdout.count("converged: first-order residual") == 1


def test_help_is_plain_and_short():
    proc = tradewar("optimal", "--help")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert len(lines) <= 60, len(lines)
    assert "[default: 225.0]" in proc.stdout and "--player CODE" in proc.stdout
    assert "<bool>" not in proc.stdout and "see tradewar." not in proc.stdout  # no developer references
    top = tradewar("--help").stdout
    assert "thin shell" not in top and "What trade wars" in top
