"""What other commands print at 80 columns: whole headers with units, no duplicated columns, no
Python reprs, and plain help with its defaults and no type tags, for every command."""

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


def test_backtest_fits_80_columns():
    """`tradewar backtest` at 80 columns: the ranking and China's share by setting with whole
    headers, no negative zero, and the misses one line per partner (its largest)."""
    proc = tradewar("backtest", "us-china-2025")
    assert proc.returncode == 0, proc.stderr
    assert_readable(proc.stdout)
    assert "sign agreement %" in proc.stdout and "statutory" in proc.stdout and "collected" in proc.stdout
    misses = [line.split()[0] for line in proc.stdout.splitlines() if re.match(r"  \S+ 2025-\d\d: model ", line)]
    assert "CHN" in misses and len(misses) == len(set(misses)), misses


def test_data_list_fits_80_columns_and_prints_each_source_once():
    """`tradewar data list` at 80 columns: the elasticities one sector per row with whole cells,
    each horizon source printed once, the data sets' sources whole (the parenthesis closed)."""
    proc = tradewar("data", "list")
    assert proc.returncode == 0, proc.stderr
    assert_readable(proc.stdout)
    assert re.search(r"^AGR +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +9\.11$", proc.stdout, re.M), proc.stdout
    flat = " ".join(proc.stdout.split())
    assert flat.count("R(h) = 1 - exp(-h/T)") == 1 and "1 month, 3 months, 6 months: R(h)" in flat
    assert flat.count("USD million, current prices) (full text: tradewar data list --provenance)") == 2


def test_replicate_help_says_what_each_yotov_command_replicates():
    """click cuts a command's listed help at its first full stop: "Yotov et al." twice."""
    proc = tradewar("replicate", "--help")
    assert proc.returncode == 0, proc.stderr
    lines = {ln.split()[0]: ln for ln in proc.stdout.splitlines() if ln.strip().startswith("yotov-")}
    assert "NAFTA" in lines["yotov-nafta"] and "borders" in lines["yotov-borders"], lines
    assert "..." not in lines["yotov-nafta"] + lines["yotov-borders"], lines


def bare_metavars(help_text: str) -> list[str]:
    """Options shown with their own name in capitals as the value (`--points POINTS`): click's
    default, which says nothing of what to give (a port is a PORT, though)."""
    return [
        m.group(0)
        for m in re.finditer(r"(--[a-z][a-z-]*) ([A-Z][A-Z_]*)\b", help_text)
        if m.group(2) == m.group(1)[2:].upper().replace("-", "_") and m.group(0) != "--port PORT"
    ]


def test_frontier_help_names_what_each_option_takes():
    """No bare metavar: N, DIR, FILE, PCT."""
    proc = tradewar("frontier", "--help")
    assert proc.returncode == 0, proc.stderr
    assert not bare_metavars(proc.stdout), bare_metavars(proc.stdout)
    for shown in ("--points N", "--data DIR", "--out FILE", "--elec-share PCT", "--players A,B"):
        assert shown in proc.stdout, shown


def test_talks_with_the_april_threat_heads_its_columns_by_that_threat():
    """`talks --threat april-2025` at 80 columns: the deal's columns are headed by the April
    threat (not "war"), and the threat-point table's labels are whole."""
    proc = tradewar("talks", "--players", "USA,JPN", "--threat", "april-2025")
    assert proc.returncode == 0, proc.stderr
    assert_readable(proc.stdout)
    deal = proc.stdout[: proc.stdout.index("converged")]
    header = deal[: deal.index("USA *")]
    assert "april-2025" in header and "(threat)" in header and "war" not in header, header
    assert "threat = april-2025 (step 2025-04-09)" in " ".join(proc.stdout.split())
    assert re.search(r"^threat +[0-9.]+", proc.stdout, re.M), proc.stdout


#: typer's type tags ("<str>", "<list[str]>", ...): how Python reads a value, not what to give.
TYPE_TAG = re.compile(r"<(?:str|bool|int|float|path|datetime|uuid|list\[[^\]]*\])>")


def command_paths() -> list[list[str]]:
    """Every command and group of `tradewar`, as argument lists ([] is `tradewar` itself), walked
    through the click groups (the lazy tables of `tradewar.cli` and the groups they load)."""
    import typer

    from tradewar.cli import app

    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="tradewar")
    paths, todo = [], [([], root)]
    while todo:
        path, command = todo.pop(0)
        paths.append(path)
        for name in getattr(command, "list_commands", lambda ctx: [])(ctx):
            todo.append(([*path, name], command.get_command(ctx, name)))
    return paths


def test_every_help_is_plain_and_fits_80_columns(cli, monkeypatch):
    """`--help` of every command at 80 columns: no type tags, no bare metavars, no developer references, no line
    wider than 80 columns; `optimal --help` (the longest) in one screen with its defaults."""
    from tradewar.cli import COMMANDS, REPLICATE_COMMANDS

    monkeypatch.setenv("COLUMNS", "80")
    paths = command_paths()
    assert {p[0] for p in paths if len(p) == 1} == set(COMMANDS)
    assert {p[1] for p in paths if p[:1] == ["replicate"] and len(p) == 2} == set(REPLICATE_COMMANDS)
    assert ["data", "list"] in paths and ["gravity", "simulate"] in paths  # the groups' commands too
    for path in paths:
        proc = cli(*path, "--help")
        where = f"tradewar {' '.join(path)} --help"
        assert proc.returncode == 0, (where, proc.stderr)
        assert "Usage:" in proc.stdout, where
        tags = TYPE_TAG.findall(proc.stdout)
        assert not tags, (where, tags)
        assert not bare_metavars(proc.stdout), (where, bare_metavars(proc.stdout))
        assert "thin shell" not in proc.stdout and "see tradewar." not in proc.stdout, where
        widest = max(proc.stdout.splitlines(), key=cell_len)
        assert cell_len(widest) <= 80, (where, widest)
    optimal = cli("optimal", "--help").stdout
    assert len(optimal.splitlines()) <= 60, len(optimal.splitlines())
    assert "[default: 225.0]" in optimal and "--player CODE" in optimal
    assert "What trade wars" in cli("--help").stdout
