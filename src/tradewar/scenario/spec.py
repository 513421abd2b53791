"""Scenario files: a dataset, a model, and a dated list of policy steps, validated before anything runs.

    title = "NAFTA"
    [dataset]
    source = "cp2015"                # default: the bundled world2022 (tradewar data list)
    path = "../shared/data/cp2015"   # optional
    [model]
    name = "caliendo-parro"
    deficits = "fixed"               # fixed | share (of world VA) | zero (balanced baseline too) | close
    horizon = "short"                # short | long | months (caliendo-parro; default: implied by the dates)
    tariff_basis = "collected"       # US tariffs: statutory (default) | collected
    [model.theta]                    # optional elasticity overrides by sector code
    auto = 5.0
    [[policy]]                       # one step; or several [[step]] tables, see below
    importer = "MEX"                 # a code, a list of codes, or "all"
    exporter = ["USA", "CAN"]        # a code, a list of codes, or "all"
    sectors = "all"                  # "all" or a list of sector codes
    set_pct = 0                      # the tariff level in percent, or add_pp = 10 (points)

    [[step]]                         # dated steps, each cumulative on the previous one
    date = "2025-04-10"
    label = "US reciprocal tariff on China to 125%"
    [[step.policy]]
    importer = "USA"
    exporter = "CHN"
    add_pp = 41

An optional `[sensitivity]` table (`sectors = ["CHEM"]`, `theta = [2, 4, 8]`) solves every step
again with those sectors' trade elasticity set to each value, to show how much the answer
depends on it. A policy's `instrument` is "tariff" (the importer's import tariff, the default),
"export_tax" (the exporter's tax on sales to the importer, set_pct/add_pp) or "export_limit" (a quantity
limit on the exporter's sales, `cut_pct` percent below the baseline quantity, solved as the
export tax that achieves it; `cut_pct = 0` lifts a limit set in an earlier step). Every step is
solved from the baseline, so each result is the total effect of the policies in force at that date.

`[model] horizon` (caliendo-parro only) scales the trade elasticities to a horizon
(`tradewar.models.horizon`). Without it, the steps are solved at the horizon their dates imply
(`tradewar.scenario.run.scenario_horizon`): when every step has a date, each asks what that
policy did in the year after its date, the short horizon (12 months); otherwise the long run.
`tariff_basis = "collected"` brings each dated step's US tariffs to the duties actually
collected in its month (`tradewar.scenario.basis`).
"""

from __future__ import annotations

import datetime
import difflib
import itertools
import re
import reprlib
import tomllib
import warnings
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tradewar.errors import ImplausibleInput, InputError
from tradewar.models import MODELS
from tradewar.models.horizon import parse_horizon
from tradewar.scenario.basis import parse_basis

Codes = str | list[str]
#: Rates (set_pct, add_pp) beyond this many percent are input errors (a tariff of 10^6 % is an
#: embargo; use an export_limit); above `IMPLAUSIBLE_RATE_PCT` they are warned about.
MAX_RATE_PCT = 1e6
IMPLAUSIBLE_RATE_PCT = 1000.0
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Strict(BaseModel):
    """Strict tables: no coercion (numbers are numbers, not strings or booleans), no NaN or
    infinity, no unknown key (`parse_scenario` names the closest valid key)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class PolicySpec(_Strict):
    importer: Codes
    exporter: Codes = "all"
    sectors: Codes = "all"
    instrument: Literal["tariff", "export_tax", "export_limit"] = "tariff"
    set_pct: float | None = None
    add_pp: float | None = None
    cut_pct: float | None = Field(default=None, ge=0, lt=100)

    @field_validator("set_pct", "add_pp")
    @classmethod
    def _within_reach(cls, v):
        if v is not None and abs(v) > MAX_RATE_PCT:
            raise ValueError(
                f'{v:g} % is beyond {MAX_RATE_PCT:,.0f} %; for an embargo use instrument = "export_limit" '
                "with cut_pct close to 100"
            )
        return v

    @model_validator(mode="after")
    def _one_setting(self):
        if self.instrument == "export_limit":
            if self.cut_pct is None or self.set_pct is not None or self.add_pp is not None:
                raise ValueError("an export_limit takes cut_pct (0 <= cut_pct < 100) and nothing else")
            return self
        if (self.set_pct is None) == (self.add_pp is None) or self.cut_pct is not None:
            raise ValueError("give exactly one of set_pct (level in percent) or add_pp (change in points)")
        if self.set_pct is not None and self.set_pct <= -100:
            raise ValueError(f"set_pct = {self.set_pct:g} is a rate of -100% or below; use a value above -100")
        return self


class DatasetSpec(_Strict):
    source: str = "world2022"
    path: str | None = None
    mapping: str | list[str] | None = None  # mapping CSV path(s) or bundled mapping names


def _parsed(parse, value):
    """A tradewar parser inside a pydantic validator: its one-line message without the field
    name (parse_scenario puts where the value sits in front)."""
    try:
        return parse(value, field="")
    except InputError as e:
        raise ValueError(str(e).removeprefix(": ")) from None


class ModelSpec(_Strict):
    name: str = "caliendo-parro"
    deficits: str = "fixed"
    numeraire: str = "world"
    theta: dict[str, float] = {}
    lambdas: Literal["bas", "pol"] | None = None  # ossa: political-economy weights
    horizon: str | float | None = None  # caliendo-parro: short | long | months (None: implied by the dates)
    tariff_basis: str = "statutory"  # US tariffs: statutory | collected

    @model_validator(mode="after")
    def _lambdas_for_ossa(self):
        if self.lambdas is not None and self.name != "ossa":
            raise ValueError(f"lambdas (political-economy weights) apply to the ossa model, not {self.name}")
        if self.horizon is not None and self.name != "caliendo-parro":
            raise ValueError(
                f"horizon scales the caliendo-parro elasticities; {self.name} keeps its own, remove horizon"
            )
        return self

    @field_validator("deficits")
    @classmethod
    def _closure_of_the_model(cls, v, info):
        name = info.data.get("name")
        known = [MODELS[name]] if name in MODELS else list(MODELS.values())
        closures = list(dict.fromkeys(c for m in known for c in m.DEFICIT_CLOSURES))
        if v not in closures:
            of = f"of the {name} model" if name in MODELS else "of any model"
            raise ValueError(f"{v!r} is not a deficit closure {of}; use one of {', '.join(closures)}")
        return v

    @field_validator("horizon")
    @classmethod
    def _known_horizon(cls, v):
        if v is not None:
            _parsed(parse_horizon, v)
        return v

    @field_validator("tariff_basis")
    @classmethod
    def _known_basis(cls, v):
        return _parsed(parse_basis, v)

    @field_validator("theta")
    @classmethod
    def _positive(cls, v):
        for code, value in v.items():
            if not value > 0:
                raise ValueError(f"theta for {code} is {value:g}; trade elasticities must be > 0")
        return v


class SensitivitySpec(_Strict):
    """Solve the scenario again with the trade elasticity of `sectors` set to each `theta`."""

    sectors: list[str] = Field(min_length=1)
    theta: list[float] = Field(min_length=1)

    @field_validator("theta")
    @classmethod
    def _positive(cls, v):
        for value in v:
            if not value > 0:
                raise ValueError(f"theta value {value:g} is not a valid trade elasticity; use values > 0")
        return v


#: The years a step date may fall in: the model's calendar (horizons, the report's time axis) is
#: about tariffs of the modern era, and a year such as 0035 or 9999 is a typing slip.
STEP_YEARS = (1900, 2100)


class StepSpec(_Strict):
    date: str | None = None  # YYYY-MM-DD
    label: str
    policy: list[PolicySpec] = []

    @field_validator("date")
    @classmethod
    def _real_date(cls, v):
        if v is None:
            return v
        try:
            if not _DATE.fullmatch(v):
                raise ValueError
            date = datetime.date.fromisoformat(v)
        except ValueError:
            raise ValueError(f"{v!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-04-09") from None
        if not STEP_YEARS[0] <= date.year <= STEP_YEARS[1]:
            raise ValueError(
                f"{v!r} is outside the years {STEP_YEARS[0]}-{STEP_YEARS[1]} that step dates cover; "
                "check the year (e.g. 2025-04-09)"
            )
        return v


class Scenario(_Strict):
    title: str = ""
    description: str = ""
    dataset: DatasetSpec = DatasetSpec()
    model: ModelSpec = ModelSpec()
    policy: list[PolicySpec] = []
    step: list[StepSpec] = []
    sensitivity: SensitivitySpec | None = None

    @model_validator(mode="after")
    def _steps_or_policy(self):
        if self.policy and self.step:
            raise ValueError("use either [[policy]] (one step) or [[step]] tables, not both")
        if not self.policy and not self.step:
            raise ValueError("no policy: add [[policy]] tables or [[step]] tables")
        dated = [(k, s.date) for k, s in enumerate(self.step) if s.date is not None]
        for (k0, d0), (k1, d1) in itertools.pairwise(dated):
            if d1 < d0:
                raise ValueError(
                    f"step[{k1}].date {d1} comes before step[{k0}].date {d0}; steps are cumulative, "
                    "put them in date order"
                )
        return self

    @property
    def steps(self) -> list[StepSpec]:
        return self.step or [StepSpec(label=self.title or "policy", policy=self.policy)]


def bundled_scenarios() -> dict[str, Path]:
    """Names and files of the scenarios shipped with tradewar."""
    folder = resources.files("tradewar.scenario") / "bundled"
    if not folder.is_dir():
        return {}
    return {Path(f.name).stem: Path(str(f)) for f in folder.iterdir() if f.name.endswith(".toml")}


def with_dataset(scenario: Scenario, source: str | None = None, mapping: list[str] | None = None) -> Scenario:
    """The scenario on another dataset (`source`, without the scenario's path) and/or with other
    mapping files (`tradewar run --dataset/--mapping`); unchanged where both are None/empty."""
    update = {}
    if source is not None:
        update.update(source=source, path=None)
    if mapping:
        update["mapping"] = list(mapping)
    if not update:
        return scenario
    return scenario.model_copy(update={"dataset": scenario.dataset.model_copy(update=update)})


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read and validate a scenario file (or a bundled scenario by name)."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        bundled = bundled_scenarios()
        if str(name_or_path) not in bundled:
            known = ", ".join(sorted(bundled)) or "none"
            raise InputError(
                f"scenario: {name_or_path!r} is neither a file nor a bundled scenario; bundled: {known}",
                field="scenario",
            )
        path = bundled[str(name_or_path)]
    if path.is_dir():
        raise InputError(
            f"scenario: {path} is a folder; pass a scenario file (.toml) or a bundled name", field="scenario"
        )
    if not path.is_file():
        raise InputError(f"scenario: file not found: {path}", field="scenario")
    content = path.read_bytes()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            f"scenario {path.name}: not UTF-8 text (byte 0x{content[e.start]:02x} at position {e.start}); "
            "save the file as UTF-8",
            field="scenario",
        ) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"scenario {path.name}: not valid TOML: {e}{_toml_hint(text, e)}", field="scenario") from None
    except RecursionError:
        raise InputError(_too_deep(path.name), field="scenario") from None
    return parse_scenario(raw, source=path.name)


def _toml_hint(text: str, error: tomllib.TOMLDecodeError) -> str:
    """The offending line, and for a bare date or a bare word the fix: TOML's own message names
    neither (e.g. "Invalid date or datetime (at line 7, column 8)" for ``date = 2025-02-30``)."""
    line_no = getattr(error, "lineno", None)  # Python 3.14+; before, parsed from the message
    if line_no is None:
        found = re.search(r"line (\d+)", str(error))
        line_no = int(found.group(1)) if found else None
    lines = text.splitlines()
    if line_no is None or not 1 <= line_no <= len(lines):
        return ""
    line = lines[line_no - 1].strip()
    key, _, value = line.partition("=")
    hint = f": {line[:80]!r}"
    bare = value.strip()
    if re.fullmatch(r"\d{4}-\d\d?-\d\d?|[A-Za-z][\w.-]*", bare) and bare not in ("true", "false", "inf", "nan"):
        hint += f'; dates and names are quoted text: {key.strip()} = "{bare}"'
    return hint


def _too_deep(source: str) -> str:
    return f"{source}: arrays or tables nested too deeply; a scenario nests a few levels (see tradewar.scenario)"


#: Shows offending values in messages, shortened (a value may be a huge or deeply nested list).
_SHOW = reprlib.Repr()
_SHOW.maxstring, _SHOW.maxother, _SHOW.maxlevel = 60, 60, 2


def parse_scenario(raw: dict, source: str = "scenario") -> Scenario:
    """Validate a scenario given as a dict (from TOML or JSON). Valid rates above 1,000 % are
    warned about (`ImplausibleInput`, one line each)."""
    try:
        scenario = Scenario.model_validate(raw)
    except RecursionError:
        raise InputError(_too_deep(source), field="scenario") from None
    except ValidationError as e:
        errors = e.errors()
        err = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
        loc = [x for x in err["loc"] if not _is_type_tag(x)]
        where = ".".join(str(x) for x in loc) or "scenario"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = unknown_key_message(loc)
        elif err["type"] == "missing":
            msg = "required key is missing"
        value = err.get("input")
        quiet = err["type"] in ("missing", "extra_forbidden") or isinstance(value, dict)
        shown = "" if quiet else f" (got {_SHOW.repr(value)})"
        raise InputError(f"{source}: {where}: {msg}{shown}", field=where) from None
    _warn_implausible(scenario, source)
    return scenario


def unknown_key_message(loc) -> str:
    """ "unknown key 'importr'; did you mean 'importer'?" for the key at the end of an error
    location (the valid keys are those of the table the location points into)."""
    table = Scenario
    for part in loc[:-1]:
        if isinstance(part, str) and part in table.model_fields:
            table = _table_of(table.model_fields[part].annotation) or table
    valid = list(table.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else "valid keys: " + ", ".join(valid)
    return f"unknown key {str(loc[-1])!r}; {hint}"


def _table_of(annotation):
    """The scenario table class inside an annotation (`PolicySpec`, `list[StepSpec]`, `X | None`)."""
    if isinstance(annotation, type) and issubclass(annotation, _Strict):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _table_of(arg)
        if found is not None:
            return found
    return None


def _is_type_tag(part) -> bool:
    """Parts of pydantic's error locations that name a branch of a union, not a key."""
    return isinstance(part, str) and (part in ("str", "float", "int", "bool", "list", "dict") or "[" in part)


def _warn_implausible(scenario: Scenario, source: str) -> None:
    for s, step in enumerate(scenario.steps):
        for k, pol in enumerate(step.policy):
            for key in ("set_pct", "add_pp"):
                value = getattr(pol, key)
                if value is not None and value > IMPLAUSIBLE_RATE_PCT:
                    where = f"step[{s}].policy[{k}]" if scenario.step else f"policy[{k}]"
                    warnings.warn(
                        ImplausibleInput(
                            f"{source}: {where}.{key} = {value:g}: a rate above {IMPLAUSIBLE_RATE_PCT:,.0f} % "
                            "is implausible; rates are in percent (25 = 25 %)"
                        ),
                        stacklevel=3,
                    )
