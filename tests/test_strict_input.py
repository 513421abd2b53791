"""Strict input (issue 11, findings 5 and 7): numbers are numbers, dates are real and in order,
non-finite values are input errors, unknown keys are named with the closest valid key,
implausible values are warned about in one line, a mapping is applied or refused, and files
that are not UTF-8 or nest thousands deep are one-line input errors, never a traceback.

Scenario documents go through `parse_scenario` / `load_scenario` (what `tradewar run` and the
server call) and `tradewar.run_scenario`; arrays through `tradewar.solve`; the command line
runs in a subprocess on the installed package.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from checks import tradewar_cli

import tradewar
from tradewar.scenario.spec import load_scenario, parse_scenario


def policy(**fields):
    return {"policy": [{"importer": "USA", "exporter": "CHN", **fields}]}


def rejected(doc) -> str:
    with pytest.raises(tradewar.InputError) as err:
        parse_scenario(doc)
    message = str(err.value)
    assert "\n" not in message
    return message


def assert_one_line_input_error(run, *needles):
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr[-2000:]
    for needle in needles:
        assert needle in lines[0], lines[0]


# -- numbers are numbers ----------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["50", True, False, [50]])
def test_set_pct_must_be_a_number(value):
    assert "set_pct" in rejected(policy(set_pct=value))


@pytest.mark.parametrize("field", ["add_pp", "cut_pct"])
def test_other_numbers_are_not_coerced_from_strings(field):
    extra = {"instrument": "export_limit"} if field == "cut_pct" else {}
    assert field in rejected(policy(**{field: "10"}, **extra))


def test_theta_overrides_and_sensitivity_values_are_numbers():
    assert "theta" in rejected({**policy(set_pct=10), "model": {"theta": {"CHEM": "4"}}})
    assert "theta" in rejected({**policy(set_pct=10), "sensitivity": {"sectors": ["CHEM"], "theta": [True]}})


def test_codes_are_strings_not_numbers():
    assert "importer" in rejected({"policy": [{"importer": 840, "set_pct": 10}]})


def test_integers_are_numbers():
    scenario = parse_scenario(policy(set_pct=50))
    assert scenario.steps[0].policy[0].set_pct == 50


# -- non-finite and implausible values ----------------------------------------------------------------
@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
@pytest.mark.parametrize("instrument", ["tariff", "export_tax"])
def test_non_finite_rates_are_input_errors(value, instrument):
    assert "set_pct" in rejected(policy(set_pct=value, instrument=instrument))
    assert "add_pp" in rejected(policy(add_pp=value, instrument=instrument))


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_non_finite_elasticities_are_input_errors(value):
    assert "theta" in rejected({**policy(set_pct=10), "model": {"theta": {"CHEM": value}}})
    assert "theta" in rejected({**policy(set_pct=10), "sensitivity": {"sectors": ["CHEM"], "theta": [value]}})


def test_a_rate_of_1e308_percent_is_an_input_error_not_an_overflow():
    """It gave a null average tariff and a numpy overflow warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning fails the test
        message = rejected(policy(set_pct=1e308))
    assert "set_pct" in message


def test_a_tariff_above_1000_percent_is_warned_about_in_one_line():
    with pytest.warns(UserWarning) as record:
        parse_scenario(policy(set_pct=5000))
    messages = [str(w.message) for w in record]
    assert len(messages) == 1 and "\n" not in messages[0]
    assert "5000" in messages[0] and "1,000" in messages[0]


def test_ordinary_tariffs_raise_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse_scenario(policy(set_pct=145))


@pytest.mark.parametrize("kind", ["export_taxes", "theta", "trade_cost_hat"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_arrays_given_to_solve_are_input_errors(kind, value):
    """NaN or inf export taxes or elasticities came back as 'did not converge ... try a smaller
    shock' (or, for an infinite export tax, as a converged result)."""
    world = tradewar.load_dataset("world2022")
    if kind == "theta":
        array = world.theta.copy()
        array[3] = value
    elif kind == "export_taxes":
        array = np.zeros_like(world.trade)
        array[0, 1, 3] = value
    else:
        array = np.ones_like(world.trade)
        array[0, 1, 3] = value
    with pytest.raises(tradewar.InputError) as err:
        tradewar.solve("caliendo-parro", world, None, **{kind: array})
    assert kind in str(err.value) and "\n" not in str(err.value)


# -- dates ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("date", ["2025-13-45", "yesterday", "", "2025-02-30", "25-01-01", "2025/01/01"])
def test_dates_must_be_real(date):
    message = rejected({"step": [{"date": date, "label": "a", "policy": []}]})
    assert "date" in message and repr(date) in message


@pytest.mark.parametrize("date", ["0035-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_dates_must_fall_in_the_modern_era(date):
    """A fuzzed year-35 date once reached the report's time axis, which cannot draw it (CI,
    2026-11-30): such a year is a typing slip, rejected where it is written."""
    message = rejected({"step": [{"date": date, "label": "a", "policy": []}]})
    assert "step.0.date" in message and repr(date) in message and "1900-2100" in message


def test_dates_must_not_go_backwards():
    message = rejected(
        {
            "step": [
                {"date": "2025-05-01", "label": "a", "policy": []},
                {"date": "2025-04-01", "label": "b", "policy": []},
            ]
        }
    )
    assert "2025-04-01" in message and "2025-05-01" in message


def test_steps_may_share_a_date_and_undated_steps_are_allowed():
    """liberation-day shows two alternatives on one date; deficit-rebalancing starts undated."""
    parse_scenario({"step": [{"date": "2025-04-09", "label": "a"}, {"date": "2025-04-09", "label": "b"}]})
    parse_scenario({"step": [{"label": "a"}, {"date": "2025-11-10", "label": "b"}]})


# -- keys -----------------------------------------------------------------------------------------------
def test_a_misspelt_key_is_named_with_the_closest_valid_key():
    message = rejected({"policy": [{"importr": "USA", "exporter": "CHN", "set_pct": 50}]})
    assert "importr" in message and "importer" in message
    assert "required key is missing" not in message


@pytest.mark.parametrize(
    "doc, typo, fix",
    [
        ({**policy(set_pct=1), "modle": {"name": "caliendo-parro"}}, "modle", "model"),
        ({**policy(set_pct=1), "model": {"deficit": "fixed"}}, "deficit", "deficits"),
        ({"step": [{"lable": "a"}]}, "lable", "label"),
        ({**policy(set_pct=1), "sensitivity": {"sector": ["CHEM"], "theta": [1]}}, "sector", "sectors"),
    ],
)
def test_unknown_keys_everywhere_suggest_the_closest(doc, typo, fix):
    message = rejected(doc)
    assert repr(typo) in message or f".{typo}" in message
    assert repr(fix) in message


def test_an_empty_sensitivity_sector_list_is_an_error():
    assert "sensitivity.sectors" in rejected({**policy(set_pct=10), "sensitivity": {"sectors": [], "theta": [1]}})


# -- a mapping is applied or refused ---------------------------------------------------------------------
def test_a_dataset_mapping_is_applied(tmp_path):
    """`[dataset] mapping` was silently ignored: the scenario ran on the 18 unmerged regions."""
    world = tradewar.load_dataset("world2022")
    mapping = tmp_path / "regions.csv"
    merged = {"KOR": "EASIA", "TWN": "EASIA", "JPN": "EASIA"}
    mapping.write_text("region,new_region\n" + "".join(f"{c},{merged.get(c, c)}\n" for c in world.regions))
    doc = {"dataset": {"source": "world2022", "mapping": str(mapping)}, **policy(set_pct=50)}
    result = tradewar.run_scenario(parse_scenario(doc))
    assert len(result.baseline.regions) == len(world.regions) - 2
    assert "EASIA" in result.baseline.regions and "KOR" not in result.baseline.regions


def test_a_mapping_for_a_dataset_that_cannot_take_one_is_refused():
    doc = {
        "dataset": {"source": "cp2015", "mapping": "regions.csv"},
        "policy": [{"importer": "USA", "set_pct": 1}],
    }
    with pytest.raises(tradewar.InputError) as err:
        tradewar.run_scenario(parse_scenario(doc))
    assert "mapping" in str(err.value)


# -- files ------------------------------------------------------------------------------------------------
def test_a_folder_given_as_a_scenario_says_it_is_a_folder(tmp_path):
    with pytest.raises(tradewar.InputError) as err:
        load_scenario(tmp_path)
    assert "is a folder; pass a scenario file" in str(err.value)


def test_a_scenario_file_that_is_not_utf8_is_an_input_error(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "caf\xe9"\n[[policy]]\nimporter = "USA"\nset_pct = 10\n'.encode("latin-1"))
    with pytest.raises(tradewar.InputError) as err:
        load_scenario(path)
    assert "UTF-8" in str(err.value)
    assert_one_line_input_error(tradewar_cli("run", str(path), "--no-report"), "UTF-8")


@pytest.mark.parametrize(
    ("line", "fix"),
    [
        ("date = 2025-02-30", 'date = "2025-02-30"'),
        ("name = caliendo-parro", 'name = "caliendo-parro"'),
        ("set_pct = 1O0", None),
    ],
)
def test_invalid_toml_names_the_line_and_the_quoting_fix(tmp_path, line, fix):
    """TOML's own message gives a position only ("Invalid date or datetime (at line 4, column
    8)"); the error quotes the line and, for a bare date or name, shows it quoted (new-user trial)."""
    path = tmp_path / "bare.toml"
    section = "[model]" if line.startswith("name") else '[[step]]\nlabel = "a"'
    path.write_text(f'title = "x"\n{section}\n{line}\n')
    with pytest.raises(tradewar.InputError) as err:
        load_scenario(path)
    message = str(err.value)
    assert repr(line) in message and "\n" not in message
    assert (fix in message) if fix else "quoted" not in message


@pytest.mark.parametrize("text", ["a = " + "[" * 5000 + "]" * 5000, "a = " + "{b = " * 3000 + "1" + "}" * 3000])
def test_toml_nested_thousands_deep_is_an_input_error(tmp_path, text):
    path = tmp_path / "deep.toml"
    path.write_text(text)
    with pytest.raises(tradewar.InputError) as err:
        load_scenario(path)
    assert "nest" in str(err.value)
    assert_one_line_input_error(tradewar_cli("run", str(path), "--no-report"), "nest")


def test_a_document_nested_thousands_deep_is_an_input_error():
    doc: dict = {"title": "x"}
    inner = doc
    for _ in range(5000):
        inner["a"] = {}
        inner = inner["a"]
    rejected(doc)


# -- options a model does not have: one line, never a TypeError ----------------------------------------
LIBDAY = {"dataset": {"source": "baci2023"}, "model": {"name": "liberation-day"}}


@pytest.mark.parametrize(
    "pol",
    [
        {"importer": "all", "exporter": "CHN", "instrument": "export_tax", "set_pct": 10},
        {"importer": "USA", "exporter": "CHN", "instrument": "export_limit", "cut_pct": 10},
    ],
)
def test_liberation_day_says_it_has_no_export_instruments(pol):
    """`params() got an unexpected keyword argument 'export_taxes'` (a traceback) before."""
    with pytest.raises(tradewar.InputError) as err:
        tradewar.run_scenario(parse_scenario({**LIBDAY, "policy": [pol]}))
    message = str(err.value)
    assert "liberation-day" in message and pol["instrument"] in message and "\n" not in message


GRAVITY = {
    "dataset": {"source": "baci2023"},
    "policy": [{"importer": "USA", "exporter": "CHN", "set_pct": 50}],
}


def test_gravity_with_zero_deficits_runs_or_says_why_in_one_line():
    """AttributeError (module 'gravity' has no attribute 'calibrate') before."""
    doc = {**GRAVITY, "model": {"name": "gravity", "deficits": "zero"}}
    try:
        result = tradewar.run_scenario(parse_scenario(doc))
    except tradewar.InputError as err:
        assert "\n" not in str(err) and "gravity" in str(err)
    else:
        eq = result.steps[0].equilibrium
        assert eq.converged
        assert np.allclose(eq.outcomes["deficit_new"], 0, atol=1e-6 * eq.outcomes["output_old"].sum())


def test_the_gravity_closure_error_suggests_only_closures_the_format_accepts():
    """It suggested 'ratio', which the scenario format then rejected: every closure an error
    suggests must be one a scenario file can name."""
    doc = {**GRAVITY, "model": {"name": "gravity", "deficits": "close"}}
    with pytest.raises(tradewar.InputError) as err:
        tradewar.run_scenario(parse_scenario(doc))
    message = str(err.value)
    suggested = re.findall(r"\b(share|fixed|zero|ratio|close)\b", message.split("use one of")[-1].split("(got")[0])
    assert suggested, message
    for closure in suggested:
        parse_scenario({**GRAVITY, "model": {"name": "gravity", "deficits": closure}})


def test_ossa_with_zero_deficits_on_world2022_does_not_blame_the_data():
    """'the accounts must balance' about world2022 (valid data) before: the purge of Ossa's model
    (no input-output links) was validated against Caliendo-Parro's accounts."""
    doc = {"model": {"name": "ossa", "deficits": "zero"}, **policy(set_pct=50)}
    result = tradewar.run_scenario(parse_scenario(doc))
    eq = result.steps[0].equilibrium
    assert eq.converged
    assert np.allclose(eq.outcomes["deficit_new"], 0, atol=1e-8 * eq.outcomes["output_old"].sum())


# -- the seed --------------------------------------------------------------------------------------------
def test_a_negative_seed_is_an_input_error_before_anything_is_solved(tmp_path):
    """--seed -1 crashed with ValueError after the main solve."""
    run = tradewar_cli("run", "us-china-2025", "--draws", "2", "--seed", "-1", "--no-report", "--json", cwd=tmp_path)
    assert_one_line_input_error(run, "seed")
    assert run.stdout == ""
