"""A cold process imports what its command uses (issue 15), and the caches that make later
processes fast give the results of a plain solve.

Behaviour, not timing: which modules a fresh process has imported (``sys.modules``), what
``tradewar --help`` lists, and what the caches return. The timings are in
benchmarks/bench_cold.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import click.testing
import numpy as np
import pytest
import typer

#: Heavy libraries that neither ``import tradewar`` nor ``tradewar --help`` may load.
HEAVY = ("jax", "pandas", "pyfixest", "dask", "matplotlib", "fastapi", "uvicorn", "scipy", "lineax")

#: gegravity's documented example (examples_OneSectorGE.py): Stata PPML coefficients; its GDP
#: changes CAN +0.4183 %, JPN +0.0538 % (shared/data/gegravity/README.md, "Reference outputs").
GEGRAVITY_COEFFICIENTS = {
    "lndist": -0.3898623,
    "contiguity": 0.891577,
    "common_language": 0.0326249,
    "pta": 0.4711383,
    "international": -3.412584,
}


def loaded_after(code: str, env: dict | None = None) -> list[str]:
    """The HEAVY modules (and pyfixest-free markers) a fresh interpreter holds after `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    modules = json.loads(run.stderr.strip().splitlines()[-1])
    return [m for m in modules if m.split(".")[0] in HEAVY]


def cli_code(*args: str) -> str:
    """Python code that runs `tradewar ARGS` through the console entry point."""
    return (
        f"import sys\nsys.argv = ['tradewar', *{list(args)!r}]\nfrom tradewar.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )


def test_import_tradewar_loads_no_heavy_library():
    assert loaded_after("import tradewar") == []
    # the public names still resolve (they load the library on first use)
    assert "jax" in loaded_after("import tradewar\nassert callable(tradewar.solve) and tradewar.InputError")


def test_help_loads_no_heavy_library():
    assert loaded_after(cli_code("--help")) == []
    assert loaded_after(cli_code("replicate", "--help")) == []


@pytest.mark.parametrize("args", [("replicate", "cp2015", "--json"), ("run", "us-china-2025", "--json")])
def test_solving_with_json_output_does_not_load_pandas_or_the_report(args):
    """Issue 15: pandas stays off the solve path (bundled tables are read with the csv module,
    results go to JSON without frames); the report's modules load only to write a report."""
    loaded = loaded_after(cli_code(*args))
    assert "jax" in loaded  # it did solve
    assert not [m for m in loaded if m.split(".")[0] in ("pandas", "matplotlib", "pyfixest")]


def test_estimating_prints_no_library_log_records():
    """pyfixest's import configures the root logger at INFO (found by a new-user trial: JAX's
    "Unable to initialize backend 'tpu'" on stderr of `gravity simulate` when a coefficient is
    estimated); tradewar restores the logging set-up, so stderr stays empty."""
    args = ["gravity", "simulate", "--procedure", "gegravity", "--coef", "lndist=-0.39", "--shock", "pta=1:CAN-JPN"]
    run = subprocess.run([sys.executable, "-c", cli_code(*args)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "CAN" in run.stdout and run.stderr == ""


def _help_text(group: click.Group, args: list[str]) -> str:
    result = click.testing.CliRunner().invoke(group, args, prog_name="tradewar", terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("args", [["--help"], ["replicate", "--help"]])
def test_help_lists_every_command_as_loaded(args):
    """The static table's listing is the one the commands give once imported."""
    from tradewar.cli import app

    lazy = typer.main.get_command(app)
    listed = _help_text(lazy, args)
    loaded = typer.main.get_command(app)
    ctx = click.Context(loaded)
    groups = [loaded, loaded.get_command(ctx, "replicate")]
    for group in groups:
        for name in group.table:
            command = group.get_command(ctx, name)  # imports it
            assert command is not None and command.name == name
    assert _help_text(loaded, args) == listed


def test_gravity_from_given_coefficients_does_not_estimate(tmp_path):
    """`gravity simulate --procedure gegravity` with every coefficient given reproduces
    gegravity's example without loading the estimation (pyfixest, scipy.stats), pandas (the file
    is read with the csv module) or scipy (the resistance solve needs no LAPACK)."""
    from tradewar.data.registry import default_data_path

    coef = [x for k, v in GEGRAVITY_COEFFICIENTS.items() for x in ("--coef", f"{k}={v}")]
    args = ["gravity", "simulate", "--data", str(default_data_path("gegravity")), *coef]
    args += ["--shock", "pta=1:CAN-JPN,JPN-CAN", "--procedure", "gegravity", "--json"]
    code = cli_code(*args) + "\nassert not {'pyfixest', 'scipy', 'pandas'} & set(sys.modules), sorted(sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    gdp = {r["code"]: r["real_gdp_pct"] for r in json.loads(run.stdout)["regions"]}
    assert gdp["CAN"] == pytest.approx(0.4183, abs=5e-5) and gdp["JPN"] == pytest.approx(0.0538, abs=5e-5)


CACHED_SOLVE = """
import json, sys
import jax.numpy as jnp
from tradewar.solver.compiled import run_cached

def fn(p):
    return {"y": jnp.cumsum(jnp.sin(p["x"]) * p["a"]), "n": jnp.sum(p["x"] > 0)}

p = {"x": jnp.linspace(-1.0, 2.0, 7), "a": jnp.float64(3.0)}
out = run_cached(fn, (p,), name="test fn", label="test")
direct = fn(p)
assert out.keys() == direct.keys() and all(bool(jnp.array_equal(out[k], direct[k])) for k in out)
print(json.dumps([float(v) for v in out["y"]]))
"""


def test_compiled_solver_cache_round_trip(tmp_path):
    """A first process traces and stores the solver, a second one reads it; both return what
    the function itself returns; with the cache switched off nothing is written."""
    env = {**os.environ, "TRADEWAR_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", CACHED_SOLVE], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    entries = list((tmp_path / "cache" / "solvers").glob("*.export"))
    assert len(entries) == 1
    stamp = entries[0].stat().st_mtime_ns
    second = subprocess.run([sys.executable, "-c", CACHED_SOLVE], capture_output=True, text=True, env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout and entries[0].stat().st_mtime_ns == stamp  # read, not rewritten
    entries[0].write_bytes(b"not an export")  # a broken entry is traced again
    third = subprocess.run([sys.executable, "-c", CACHED_SOLVE], capture_output=True, text=True, env=env)
    assert third.returncode == 0, third.stderr
    assert third.stdout == first.stdout and entries[0].read_bytes() != b"not an export"
    off = {**env, "TRADEWAR_CACHE_DIR": str(tmp_path / "off"), "TRADEWAR_NO_CACHE": "1"}
    fourth = subprocess.run([sys.executable, "-c", CACHED_SOLVE], capture_output=True, text=True, env=off)
    assert fourth.returncode == 0, fourth.stderr
    assert fourth.stdout == first.stdout and not (tmp_path / "off").exists()


def test_cached_solve_equals_the_jitted_solve(small_economy):
    """`solve_model_cached` (the path of `tradewar.solve`) returns the jitted solve's numbers."""
    from tradewar.models import caliendo_parro as cp
    from tradewar.solver.compiled import solve_model_cached
    from tradewar.solver.newton import solve_model

    tariffs = small_economy.tariffs + 0.1
    p = cp.params(small_economy, tariffs)
    res, out = solve_model_cached(cp.residual, cp.initial_guess, cp.outcomes, p)
    ref_res, ref_out = solve_model(cp.residual, cp.initial_guess, cp.outcomes, p)
    assert bool(res.converged) and int(res.iterations) == int(ref_res.iterations)
    for key in ref_out:
        assert np.array_equal(np.asarray(out[key]), np.asarray(ref_out[key])), key


def test_padded_export_limit_slots_change_nothing(small_economy):
    """Steps padded to a scenario's number of export-limit slots (one compiled solver for all
    steps) solve the same equilibrium: padding slots are inactive and their tax stays zero."""
    from tradewar.solver.equilibrium import solve

    tariffs = small_economy.tariffs + 0.05
    limits = np.full(small_economy.trade.shape, np.nan)
    limits[0, 1, 0] = 0.3
    for export_limits in (None, limits):
        plain = solve("caliendo-parro", small_economy, tariffs, export_limits=export_limits)
        padded = solve("caliendo-parro", small_economy, tariffs, export_limits=export_limits, limit_slots=4)
        assert padded.converged and padded.max_residual < 1e-10
        # the padded system differs only in the order of GMRES's sums: within the solver's tolerance
        for key, value in plain.outcomes.items():
            np.testing.assert_allclose(padded.outcomes[key], value, rtol=1e-9, atol=1e-12, err_msg=key)
        taxes = padded.outcomes["export_tax_new"]
        assert np.count_nonzero(taxes) == np.count_nonzero(plain.outcomes["export_tax_new"])


def test_every_registered_command_is_in_the_table():
    """A command module's commands all appear in `tradewar.cli`'s tables (else --help would not
    list them and they could not run)."""
    import importlib
    import pkgutil

    import tradewar.cli
    from tradewar.cli import COMMANDS, REPLICATE_COMMANDS

    for info in pkgutil.iter_modules(tradewar.cli.__path__):
        if info.name == "__main__":  # runs the command line
            continue
        module = importlib.import_module(f"tradewar.cli.{info.name}")
        if not hasattr(module, "register"):
            continue
        app, replicate_app = typer.Typer(), typer.Typer()
        module.register(app, replicate_app)
        for table, typer_app in ((COMMANDS, app), (REPLICATE_COMMANDS, replicate_app)):
            names = [c.name for c in typer_app.registered_commands] + [g.name for g in typer_app.registered_groups]
            for name in names:
                assert name in table and table[name].module == module.__name__, (module.__name__, name)
