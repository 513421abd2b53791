"""Scenario files: validated before anything runs, one-line errors that name the field and the fix."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tradewar.errors import InputError
from tradewar.scenario.compile import compile_steps
from tradewar.scenario.spec import load_scenario, parse_scenario

NAFTA = """
title = "NAFTA, as in CP (2015) Table 2"
[dataset]
source = "cp2015"
[model]
name = "caliendo-parro"
[[policy]]
importer = ["MEX", "CAN", "USA"]
exporter = ["MEX", "CAN", "USA"]
sectors = "all"
set_pct = 0
"""


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def cli(*args):
    return subprocess.run([sys.executable, "-m", "tradewar.cli", *args], capture_output=True, text=True)


def base(**policy):
    raw = {"dataset": {"source": "cp2015"}, "policy": [{"importer": "USA", "exporter": "MEX", **policy}]}
    return raw


@pytest.mark.parametrize(
    "raw, field",
    [
        (base(set_pct=10, tarif=3), "policy.0.tarif"),
        (base(set_pct=-150), "policy.0"),
        (base(), "policy.0"),
        (base(set_pct=10, add_pp=5), "policy.0"),
        ({"dataset": {"source": "cp2015"}}, "scenario"),
        ({"dataset": {"sauce": "cp2015"}, "policy": [{"importer": "USA", "set_pct": 1}]}, "dataset.sauce"),
        ({**base(set_pct=1), "model": {"deficits": "sometimes"}}, "model.deficits"),
        ({**base(set_pct=1), "model": {"theta": {"auto": -1}}}, "model.theta"),
    ],
)
def test_malformed_scenarios_name_the_field(raw, field):
    with pytest.raises(InputError) as err:
        parse_scenario(raw)
    assert err.value.field == field
    assert "\n" not in str(err.value)


def test_unknown_codes_name_the_field(cp2015):
    spec = parse_scenario(base(set_pct=10) | {"policy": [{"importer": "USA", "exporter": "XXX", "set_pct": 10}]})
    with pytest.raises(InputError, match=r"policy\[0\]\.exporter: unknown region code 'XXX'.*use one of"):
        compile_steps(spec, cp2015)
    spec = parse_scenario(
        {"dataset": {"source": "cp2015"}, "policy": [{"importer": "USA", "sectors": ["steel"], "add_pp": 5}]}
    )
    with pytest.raises(InputError, match=r"policy\[0\]\.sectors: unknown sector code 'steel'"):
        compile_steps(spec, cp2015)


def test_add_pp_below_minus_100_is_rejected(cp2015):
    spec = parse_scenario(base(add_pp=-150))
    with pytest.raises(InputError, match="above -100%"):
        compile_steps(spec, cp2015)


def test_compile_steps_sets_levels_off_the_diagonal(cp2015):
    steps = compile_steps(
        parse_scenario(
            {
                "dataset": {"source": "cp2015"},
                "policy": [{"importer": "all", "exporter": "all", "sectors": ["auto"], "set_pct": 25}],
            }
        ),
        cp2015,
    )
    j = cp2015.sector_index("auto")
    tariffs = steps[0].tariffs
    assert np.all(np.diag(tariffs[:, :, j]) == 0) and tariffs[0, 1, j] == 0.25
    untouched = np.arange(cp2015.n_sectors) != j
    np.testing.assert_array_equal(tariffs[:, :, untouched], cp2015.tariffs[:, :, untouched])


def test_nafta_free_trade_scenario_runs(tmp_path):
    # Free trade among the NAFTA members (not CP's 2005 tariffs): Mexico gains, the run
    # converges and the JSON carries the keys.
    out = cli("run", str(write(tmp_path, NAFTA)), "--json", "--no-report")
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    rows = {r["code"]: r for r in obj["regions"]}
    assert obj["converged"] and obj["max_residual"] < 1e-9
    assert rows["MEX"]["welfare_pct"] > 0 and set(rows["MEX"]) >= {
        "welfare_pct",
        "terms_of_trade_pct",
        "volume_of_trade_pct",
        "real_wage_pct",
    }


@pytest.mark.parametrize(
    "text, message",
    [
        ("[dataset\nsource = 1", "not valid TOML"),
        (NAFTA.replace("set_pct = 0", "set_pct = -150"), "policy.0: set_pct = -150"),
        (NAFTA.replace('"MEX", "CAN", "USA"]\nsectors', '"MEX", "CAN", "XYZ"]\nsectors'), "unknown region code 'XYZ'"),
        (NAFTA.replace("set_pct = 0", "set_pct = 'abc'"), "policy.0.set_pct"),
    ],
)
def test_cli_bad_input_is_one_line_without_traceback(tmp_path, text, message):
    out = cli("run", str(write(tmp_path, text)), "--json")
    assert out.returncode == 2
    assert out.stdout == ""
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_cli_unknown_scenario_and_missing_file(tmp_path):
    for arg in ("no-such-scenario", str(tmp_path / "missing.toml")):
        out = cli("run", arg)
        assert out.returncode == 2 and "Traceback" not in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_bundled_scenarios_load():
    from tradewar.scenario.spec import bundled_scenarios

    for name in bundled_scenarios():
        load_scenario(name)


def test_dataset_defaults_to_the_bundled_world_data():
    assert parse_scenario({"policy": [{"importer": "USA", "set_pct": 1}]}).dataset.source == "world2022"
