"""What `tradewar run us-china-2025` prints by default, as a user's terminal of 80 columns shows
it: one screen (at most 60 lines, no line wider than 80 cells), the overview table with a row
per step, the US headline, how to get the detail, no Python reprs and no "-0.00"; and the
report it writes: mode 0644, and a line saying so when it replaced an earlier one."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys

import pytest
from rich.cells import cell_len

SCREEN_LINES = 60
SCREEN_COLUMNS = 80


def tradewar(*args, cwd):
    env = {**os.environ, "COLUMNS": str(SCREEN_COLUMNS), "LINES": str(SCREEN_LINES), "TERM": "dumb"}
    return subprocess.run(
        [sys.executable, "-m", "tradewar.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


@pytest.fixture(scope="module")
def main_job(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    report = folder / "reports" / "us-china-2025.html"
    report.parent.mkdir()
    report.write_text("an earlier report")
    return tradewar("run", "us-china-2025", cwd=folder), report


def test_default_output_fits_one_screen(main_job):
    proc, _ = main_job
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) <= SCREEN_LINES, len(lines)
    wrapped = [line for line in lines if not line.startswith("report: ")]  # a path is printed whole
    widest = max(wrapped, key=cell_len)
    assert cell_len(widest) <= SCREEN_COLUMNS, widest


def test_default_output_is_the_short_answer(main_job):
    proc, _ = main_job
    out = proc.stdout
    dates = re.findall(r"^(2025-\d\d-\d\d) ", out, flags=re.M)
    assert len(dates) == 18 and dates == sorted(dates)  # one row per step, in order
    assert "Last step, 2025-11-10" in out and "per household a year" in out and "bn a year" in out
    assert "Peak, " in out
    assert "Detail: --step N" in out and "--detail" in out and "--regions all" in out
    assert not re.search(r"-0\.0+(?![0-9])", out)  # no negative zero
    assert not re.search(r"\{'|np\.float|array\(|<bound |Traceback", out)  # no Python reprs
    header = out[: out.index("2025-01-20")]
    for unit in ("%", "$/yr", "$bn/yr"):
        assert unit in header
    # the baseline row: tariffs as in the data, nothing else moved
    first = next(line for line in out.splitlines() if line.startswith("2025-01-20"))
    assert first.split()[3:9] == ["0", "0.00", "0.00", "0.00", "0.00", "0"]


def test_the_report_is_0644_and_a_replacement_is_said(main_job):
    proc, report = main_job
    assert f"report: {report.resolve()}\n(it replaced the previous report at that path)\n" in proc.stdout
    assert stat.S_IMODE(report.stat().st_mode) == 0o666 & ~current_umask()  # 0644 under the usual umask 022
    text = report.read_text()
    assert text.startswith("<!doctype html>") and "Overview" in text


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_one_step_in_full(tmp_path):
    proc = tradewar(
        "run", "us-china-2025", "--step", "2025-04-09", "--regions", "USA,CHN,VNM", "--no-report", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "Step 10 of 18: 2025-04-09" in proc.stdout
    rows = [line for line in proc.stdout.splitlines() if re.match(r"(USA|CHN|VNM|EU27)\s+-?\d+\.\d\d ", line)]
    assert [r.split()[0] for r in rows] == ["USA", "CHN", "VNM"]
    assert "15 more regions: --regions all" in proc.stdout
    assert not re.search(r"-0\.0+(?![0-9])", proc.stdout)


def test_bad_step_is_one_line_before_solving(tmp_path):
    proc = tradewar("run", "us-china-2025", "--step", "99", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: --step: '99' matches no step; use a number 1-18")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "reports").exists()


def test_json_keeps_its_keys_and_adds_the_headline(tmp_path):
    proc = tradewar("run", "us-china-2025", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"title", "model", "dataset", "converged", "max_residual", "regions", "steps", "headline"} <= set(out)
    step = out["steps"][-1]
    assert {"date", "label", "converged", "max_residual", "us_tariff_on_china_pct", "regions", "headline"} <= set(step)
    assert out["headline"] == step["headline"] and out["headline"]["us_cost_per_household_usd"] > 0
