"""Shared fixtures: the CP2015 data (read from ../shared/data), small synthetic economies and
an in-process runner of the command line."""

import subprocess
import sys

import pytest

from tradewar.data.cp2015 import load_cp2015
from tradewar.data.registry import default_data_path
from tradewar.data.synthetic import synthetic_raw
from tradewar.models.caliendo_parro import calibrate


@pytest.fixture(scope="session")
def cp2015_path():
    return default_data_path("cp2015")


@pytest.fixture(scope="session")
def cp2015(cp2015_path):
    return load_cp2015(cp2015_path)


@pytest.fixture(scope="session")
def small_economy():
    """A 4-region, 3-sector economy with deficits, calibrated to an exact equilibrium."""
    return calibrate(synthetic_raw(4, 3, seed=7), tol=1e-13)


@pytest.fixture
def cli(capsys):
    """Run `tradewar ARGS` in-process through `tradewar.cli.main` (the console entry point, which
    turns user errors into one-line messages); returns a CompletedProcess (returncode, stdout,
    stderr)."""
    from tradewar.cli import main

    def run(*args):
        capsys.readouterr()
        old, sys.argv = sys.argv, ["tradewar", *args]
        code = 0
        try:
            main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        finally:
            sys.argv = old
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    return run
