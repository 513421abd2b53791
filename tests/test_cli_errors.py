"""Usage errors of the installed `tradewar` command (issue 11, finding 4): one line on stderr
(``error: ...`` naming the option or value and the fix), exit status 2, never a traceback.

These run the console script of the environment the tests run in (the ``tradewar`` file next
to ``sys.executable``, as ``pip install`` made it), in a subprocess, so they exercise the entry
point, the argument parser and the click that typer actually uses (typer >= 0.29 bundles its
own). Usage errors are raised while parsing, before any solve, so each case costs one start-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
TRADEWAR = BIN / ("tradewar.exe" if os.name == "nt" else "tradewar")


def tradewar(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the installed console script; the environment's bin first on PATH, no terminal."""
    assert TRADEWAR.exists(), f"no console script {TRADEWAR}: install the project (pip install -e .) into this venv"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "COLUMNS": "100"}
    return subprocess.run(
        [str(TRADEWAR), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        umask=0o022,
    )


def assert_one_line_usage_error(p: subprocess.CompletedProcess, *named: str) -> str:
    """Exit 2, no traceback, stderr is one line `error: ...` that names each of `named`."""
    assert "Traceback" not in p.stderr + p.stdout, p.stderr[-3000:]
    assert p.returncode == 2, (p.returncode, p.stderr[-3000:])
    lines = p.stderr.strip("\n").splitlines()
    assert len(lines) == 1, p.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    for word in named:  # click's wording differs between versions; the names do not
        assert word.lower() in line.lower(), (word, line)
    return line


# (arguments, words the message must name); every case is a usage error found in issue 11.
USAGE_ERRORS = [
    pytest.param(["run"], ["scenario", "tradewar run --help"], id="missing-argument"),
    pytest.param(["run", "us-china-2025", "--bogus"], ["--bogus", "tradewar run --help"], id="unknown-option"),
    pytest.param(["run", "us-china-2025", "--jsn"], ["--jsn", "--json"], id="misspelt-option-suggests"),
    pytest.param(["bogus"], ["bogus", "tradewar --help"], id="unknown-command"),
    pytest.param(["run", "us-china-2025", "--draws", "-1"], ["--draws", "-1", "0"], id="draws-negative"),
    pytest.param(["run", "us-china-2025", "--draws", "abc"], ["--draws", "abc", "integer"], id="draws-not-a-number"),
    pytest.param(["run", "us-china-2025", "--seed", "abc"], ["--seed", "abc", "integer"], id="seed-not-a-number"),
    pytest.param(["run", "us-china-2025", "--seed", "-1"], ["--seed", "-1", "0"], id="seed-negative"),
    pytest.param(["run", "us-china-2025", "--draws=abc"], ["--draws", "abc"], id="draws-equals-form"),
    pytest.param(["serve", "--port", "99999"], ["--port", "99999", "65535"], id="port-out-of-range"),
    pytest.param(["serve", "--port"], ["--port", "requires an argument"], id="option-without-value"),
    pytest.param(["replicate", "bogus"], ["bogus", "tradewar replicate --help"], id="unknown-subcommand"),
]


@pytest.mark.parametrize("args,named", USAGE_ERRORS)
def test_usage_error_is_one_line_and_exit_2(args, named):
    p = tradewar(*args)
    assert_one_line_usage_error(p, *named)
    assert p.stdout == "", "a usage error prints nothing on stdout (nothing was run)"


@pytest.mark.parametrize("args", [[], ["replicate"]], ids=["bare", "bare-group"])
def test_bare_command_shows_help_then_one_line_and_exit_2(args):
    """A command group without a command: its help on stdout, then one line on stderr, exit 2
    (click's convention for `no_args_is_help`, whichever click is installed)."""
    p = tradewar(*args)
    assert_one_line_usage_error(p, "missing command", " ".join(["tradewar", *args, "--help"]))
    assert "Usage" in p.stdout and "Commands" in p.stdout, p.stdout[:2000]


def test_help_still_exits_0():
    p = tradewar("run", "--help")
    assert p.returncode == 0, p.stderr
    assert "Usage" in p.stdout and "--report" in p.stdout and p.stderr == ""


def test_input_error_still_one_line_exit_2(tmp_path):
    """An `InputError` from a command (an unknown bundled scenario) keeps its one-line form."""
    p = tradewar("run", "no-such-scenario", cwd=tmp_path)
    assert_one_line_usage_error(p, "no-such-scenario")


# -- --report (finding 5) and report file modes (finding 7) --------------------------------
def test_report_into_an_existing_directory(tmp_path):
    """`--report DIR` writes DIR/<scenario>.html (it crashed with IsADirectoryError after the solve)."""
    out = tmp_path / "reports here"
    out.mkdir()
    p = tradewar("run", "us-china-2025", "--report", str(out), cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    written = out / "us-china-2025.html"
    assert written.is_file() and written.read_text().startswith("<!doctype html>")
    assert str(written.resolve()) in p.stdout.replace("\n", "")
    assert [x.name for x in out.iterdir()] == ["us-china-2025.html"], "no temporary file left behind"


def test_report_into_a_missing_folder_given_with_a_slash(tmp_path):
    """`--report new/` is a folder to create, not a file named 'new' (it wrote a file 'new')."""
    p = tradewar("run", "us-china-2025", "--report", "new" + os.sep, cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    assert (tmp_path / "new").is_dir()
    assert (tmp_path / "new" / "us-china-2025.html").is_file()


def test_report_file_is_0644_under_umask_022(tmp_path):
    """Reports are ordinary files (mode 0666 less the umask), not 0600 temporary files."""
    p = tradewar("run", "us-china-2025", "--report", "sub/dir/r.html", cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    mode = (tmp_path / "sub" / "dir" / "r.html").stat().st_mode & 0o777
    assert mode == 0o644, oct(mode)


def test_report_under_a_file_is_refused_before_solving(tmp_path):
    """A --report path whose folder cannot be made (here: a regular file is in the way) is a
    one-line usage error, given before the solve (nothing on stdout, exit 2)."""
    (tmp_path / "plain.txt").write_text("not a folder")
    p = tradewar("run", "us-china-2025", "--report", "plain.txt/r.html", cwd=tmp_path)
    assert_one_line_usage_error(p, "--report", "plain.txt")
    assert p.stdout == "", "the scenario must not be solved before --report is checked"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_report_where_nothing_can_be_written_is_refused_before_solving(tmp_path):
    """/proc takes no new files even for root, whose permission bits say writable: the check
    tries, so the error comes before the 11 s solve, not after it."""
    p = tradewar("run", "us-china-2025", "--report", "/proc/nope/x.html", cwd=tmp_path)
    assert_one_line_usage_error(p, "--report", "/proc", "--no-report")
    assert p.stdout == "", "the scenario must not be solved before --report is checked"


def test_report_path_that_is_a_folder_is_refused_before_solving(tmp_path):
    """--report DIR where DIR/<scenario>.html is itself a folder: refused before solving."""
    (tmp_path / "out" / "us-china-2025.html").mkdir(parents=True)
    p = tradewar("run", "us-china-2025", "--report", "out", cwd=tmp_path)
    assert_one_line_usage_error(p, "--report", "is a folder")
    assert p.stdout == "", "the scenario must not be solved before --report is checked"
    assert sorted(x.name for x in (tmp_path / "out").iterdir()) == ["us-china-2025.html"]


def test_no_report_with_json_ignores_a_bad_report_path(tmp_path):
    """--json writes no report, so a --report that could not be written is not an error there."""
    (tmp_path / "plain.txt").write_text("x")
    p = tradewar("run", "us-china-2025", "--json", "--report", "plain.txt/r.html", cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.count("\n") == 1 and p.stdout.startswith("{")


def test_python_m_entry_point_has_the_same_errors():
    """`python -m tradewar.cli` (what tests/web_server.py starts) handles usage errors alike."""
    p = subprocess.run(
        [sys.executable, "-m", "tradewar.cli", "serve", "--port", "abc"],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert_one_line_usage_error(p, "--port", "abc")
