"""Property-based tests (Hypothesis) of scenario documents, valid and broken (issue 11).

One invariant: every document gives a valid equilibrium (every step converged and passing the
independent check of tests/checks.py) or a one-line error (`InputError`, `NotConverged` or its
`InvalidEquilibrium`); never another exception (a traceback), never an invalid equilibrium,
never a numpy overflow warning, and, through the command line, nothing half-written: the
report exists, complete, exactly when the run succeeded.

Documents are built from the scenario format's own pieces on the bundled world2022 data, then
some are broken: a value of the wrong type, a misspelt key, a missing key, a date that is not
one, a rate that is infinite, NaN or absurd. `benchmarks/fuzz_scenarios.py` runs the same
generator for longer and prints how many documents fell in each outcome.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import math
import sys
import warnings
from collections import Counter
from pathlib import Path

import pytest
from checks import problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tradewar
from tradewar.scenario.spec import parse_scenario

WORLD = tradewar.load_dataset("world2022")
REGIONS, SECTORS = list(WORLD.regions), list(WORLD.sectors)
#: Model names with the deficit closures each takes; a few documents name a model that does not
#: fit world2022 (one-sector gravity and liberation-day), does not exist, or a closure it lacks.
CLOSURES = {"caliendo-parro": ["fixed", "share", "close", "zero"], "ossa": ["fixed", "zero"]}
ODD_MODELS = ["gravity", "liberation-day", "caliendo_parro"]
ODD_CLOSURES = ["ratio", "sometimes"]
#: Values of the wrong type for any field.
WRONG = st.sampled_from(["50", "", True, False, None, [1], {"a": 1}, "all", -1])

#: Outcomes counted over every document checked in this process (the benchmark prints them).
OUTCOMES: Counter = Counter()


# -- documents ------------------------------------------------------------------------------------
def codes(universe):
    return st.one_of(
        st.just("all"),
        st.sampled_from(universe),
        st.lists(st.sampled_from(universe), min_size=1, max_size=4, unique=True),
    )


rates = st.one_of(
    st.floats(-99.9, 300),
    st.floats(-99.9, 300),
    st.integers(-99, 1500),
    st.sampled_from([0, 10, 25, 145, -50, -90, -95, -99, 500, 999.9, 1000, 1000.1, 5000]),
    st.sampled_from([1e4, 1e6, 1.1e6, -99.99, -100, -150, 1e308, math.nan, math.inf, -math.inf]),
)


@st.composite
def policies(draw):
    instrument = draw(st.sampled_from(["tariff"] * 12 + ["export_tax"] * 4 + ["export_limit"] * 2 + ["quota"]))
    pol = {"importer": draw(codes(REGIONS))}
    if draw(st.booleans()):
        pol["exporter"] = draw(codes(REGIONS))
    if draw(st.booleans()):
        pol["sectors"] = draw(codes(SECTORS))
    if instrument != "tariff" or draw(st.integers(0, 4)) == 0:
        pol["instrument"] = instrument
    if instrument == "export_limit":
        # one shape of limits (CHN's CHEM to all): each new set of limited cells compiles anew
        pol.update(importer="all", exporter="CHN", sectors=["CHEM"])
        pol["cut_pct"] = draw(st.one_of(st.floats(0, 99.9), st.sampled_from([100, -5, math.nan])))
    else:
        pol[draw(st.sampled_from(["set_pct", "set_pct", "add_pp"]))] = draw(rates)
    return pol


@st.composite
def steps(draw):
    n = draw(st.integers(1, 3))
    # mostly dates a user would write; sometimes any date (years outside 1900-2100 are input errors)
    years = draw(st.sampled_from([(1900, 2100)] * 3 + [(1, 9999)]))
    any_date = st.dates(min_value=datetime.date(years[0], 1, 1), max_value=datetime.date(years[1], 12, 31))
    dates = sorted(draw(st.lists(any_date, min_size=n, max_size=n)))
    out = []
    for k in range(n):
        step = {"label": f"step {k + 1}", "policy": draw(st.lists(policies(), max_size=3))}
        if draw(st.integers(0, 3)):
            step["date"] = dates[k].isoformat()
        out.append(step)
    return out


@st.composite
def valid_looking(draw):
    doc = {"title": draw(st.text(st.characters(codec="utf-8"), max_size=20))}
    model = {}
    name = draw(st.sampled_from(["caliendo-parro"] * 5 + ["ossa"] * 2 + ["odd"]))
    if name == "odd":
        name = draw(st.sampled_from(ODD_MODELS))
    if name != "caliendo-parro" or draw(st.booleans()):
        model["name"] = name
    if draw(st.booleans()):
        model["deficits"] = draw(st.sampled_from(CLOSURES.get(name, ["fixed"]) * 4 + ODD_CLOSURES))
    if draw(st.integers(0, 5)) == 0:
        model["theta"] = draw(
            st.dictionaries(st.sampled_from(SECTORS), st.one_of(st.floats(0.5, 20), st.just(math.inf)), max_size=2)
        )
    if model:
        doc["model"] = model
    if draw(st.booleans()):
        doc["policy"] = draw(st.lists(policies(), min_size=1, max_size=3))
    else:
        doc["step"] = draw(steps())
    if draw(st.integers(0, 9)) == 0:
        doc["sensitivity"] = {
            "sectors": draw(st.lists(st.sampled_from(SECTORS), max_size=2, unique=True)),
            "theta": draw(st.lists(st.floats(0.5, 10), min_size=1, max_size=2)),
        }
    return doc


def _paths(doc, prefix=()):
    """Every (path, value) in a document, dicts and lists alike."""
    if isinstance(doc, dict):
        items = doc.items()
    elif isinstance(doc, list):
        items = enumerate(doc)
    else:
        return
    for key, value in items:
        yield (*prefix, key), value
        yield from _paths(value, (*prefix, key))


def _set(doc, path, value):
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


@st.composite
def broken(draw):
    """A valid-looking document with one to three mistakes, and whether one of them must make
    it an input error (a misspelt key, a date that is not one, a non-finite value anywhere);
    a value of another type or a missing key may leave a valid document ("all" for a list of
    codes, -1 for a rate, an optional key) and need not."""
    doc = draw(valid_looking())
    must_fail = False
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p, _ in _paths(doc)]
        path = draw(st.sampled_from(paths))
        mistake = draw(st.sampled_from(["wrong type", "misspelt key", "missing key", "bad date", "non-finite"]))
        dates = [p for p in paths if p[-1] == "date"]
        if mistake == "bad date" and dates:
            path = draw(st.sampled_from(dates))
        elif mistake == "bad date":
            mistake = "non-finite"
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if mistake == "wrong type":
            _set(doc, path, draw(WRONG))
        elif mistake == "misspelt key" and isinstance(parent, dict):
            key = path[-1]
            parent[key[:-1] + "x" if key else "x"] = parent.pop(key)
            must_fail = True
        elif mistake == "missing key" and isinstance(parent, dict):
            parent.pop(path[-1])
        elif mistake == "bad date":
            _set(doc, path, draw(st.sampled_from(["2025-13-45", "yesterday", "", "2025-02-30", "2025/01/01"])))
            must_fail = True
        elif mistake == "non-finite":
            _set(doc, path, draw(st.sampled_from([math.nan, math.inf, -math.inf])))
            must_fail = True
    return doc, must_fail


documents = st.one_of(valid_looking().map(lambda doc: (doc, False)), broken())


# -- the invariant ------------------------------------------------------------------------------------
def one_line(err: BaseException) -> None:
    assert str(err) and "\n" not in str(err), repr(str(err))


def outcome(doc) -> str:
    """'valid equilibrium', 'input error', 'not converged' or 'invalid equilibrium caught';
    raises on anything else (an unexpected exception, an invalid equilibrium returned, a
    multi-line message, a numpy overflow warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # overflow, invalid value: never
        try:
            scenario = parse_scenario(doc)
            result = tradewar.run_scenario(scenario)
        except tradewar.InputError as err:
            one_line(err)
            return "input error"
        except tradewar.NotConverged as err:
            one_line(err)
            return "invalid equilibrium caught" if type(err).__name__ == "InvalidEquilibrium" else "not converged"
    solved = [s.equilibrium for s in result.steps]
    for runs in (result.sensitivity or {}).values():
        solved += [s.equilibrium for s in runs]
    for eq in solved:
        assert eq.converged, "a step came back unconverged from a checked solve"
        assert problems(eq) == [], problems(eq)
    return "valid equilibrium"


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@FUZZ
@given(doc=documents)
def test_a_scenario_document_gives_a_valid_equilibrium_or_a_one_line_error(doc):
    doc, must_fail = doc
    result = outcome(doc)
    OUTCOMES[result] += 1
    if must_fail:
        assert result == "input error", f"a broken document was accepted: {result}"


# -- through the command line: text, bytes, files ---------------------------------------------------
def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {toml_value(v)}' for k, v in value.items() if v is not None) + "}"
    raise TypeError(type(value))


def to_toml(doc: dict) -> str:
    return "".join(f'"{k}" = {toml_value(v)}\n' for k, v in doc.items() if v is not None)


@st.composite
def scenario_files(draw) -> bytes:
    """TOML text of a document, sometimes damaged: bytes that are not UTF-8, a cut, junk,
    nesting thousands deep."""
    text = to_toml(draw(documents)[0]).encode()
    damage = draw(st.sampled_from(["none", "none", "latin-1", "cut", "junk", "deep"]))
    if damage == "latin-1":
        at = draw(st.integers(0, len(text)))
        return text[:at] + b"\xe9\xff" + text[at:]
    if damage == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if damage == "junk":
        return text + draw(st.binary(min_size=1, max_size=20))
    if damage == "deep":
        depth = draw(st.integers(500, 5000))
        return text + b"deep = " + b"[" * depth + b"]" * depth + b"\n"
    return text


def run_cli(*args) -> tuple[int, str, str]:
    """`tradewar ARGS` in this process through the console entry point (exit code, out, err)."""
    from tradewar.cli import main

    out, err = io.StringIO(), io.StringIO()
    old, sys.argv = sys.argv, ["tradewar", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    finally:
        sys.argv = old
    return code, out.getvalue(), err.getvalue()


def cli_outcome(content: bytes, folder: Path) -> str:
    """Run a scenario file with a report; check exit code, one-line error, the report file."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    path, report = folder / "s.toml", folder / "report.html"
    path.write_bytes(content)
    code, out, err = run_cli("run", str(path), "--report", str(report))
    assert "Traceback" not in err and "Traceback" not in out, err[-3000:]
    errors = [line for line in err.strip().splitlines() if not line.startswith("warning: ")]
    leftovers = sorted(p.name for p in folder.iterdir() if p.name not in ("s.toml", "report.html"))
    assert leftovers == [], f"half-written files: {leftovers}"
    if code == 0:
        assert errors == [], err
        assert report.read_text().rstrip().endswith("</html>")
        return "valid equilibrium"
    assert code in (1, 2), (code, err[-3000:])
    assert len(errors) == 1 and errors[0].startswith("error: "), err[-3000:]
    assert not report.exists(), "a report was written for a failed run"
    if code == 2:
        return "input error"
    return "invalid equilibrium caught" if "equilibrium with" in errors[0] else "not converged"


@settings(FUZZ, max_examples=25)
@given(content=scenario_files())
def test_a_scenario_file_runs_or_fails_in_one_line_and_writes_all_or_nothing(content, tmp_path_factory):
    OUTCOMES["file: " + cli_outcome(content, tmp_path_factory.getbasetemp() / "fuzz-files")] += 1


@pytest.fixture(scope="module", autouse=True)
def _print_outcomes():
    yield
    print("\nscenario fuzz outcomes:", dict(sorted(OUTCOMES.items())))
