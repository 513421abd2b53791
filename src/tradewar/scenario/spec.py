"""Scenario files: a dataset, a model, and a dated list of policy steps, validated before anything runs.

    title = "NAFTA"
    [dataset]
    source = "cp2015"                # default: the bundled world2022 (tradewar data list)
    path = "../shared/data/cp2015"   # optional
    [model]
    name = "caliendo-parro"
    deficits = "fixed"               # fixed | share (of world VA) | zero (balanced baseline too) | close
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
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tradewar.errors import InputError

Codes = str | list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PolicySpec(_Strict):
    importer: Codes
    exporter: Codes = "all"
    sectors: Codes = "all"
    instrument: Literal["tariff", "export_tax", "export_limit"] = "tariff"
    set_pct: float | None = None
    add_pp: float | None = None
    cut_pct: float | None = Field(default=None, ge=0, lt=100)

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


class ModelSpec(_Strict):
    name: str = "caliendo-parro"
    deficits: Literal["zero", "fixed", "share", "close"] = "fixed"
    numeraire: str = "world"
    theta: dict[str, float] = {}
    lambdas: Literal["bas", "pol"] | None = None  # ossa: political-economy weights

    @model_validator(mode="after")
    def _lambdas_for_ossa(self):
        if self.lambdas is not None and self.name != "ossa":
            raise ValueError(f"lambdas (political-economy weights) apply to the ossa model, not {self.name}")
        return self

    @field_validator("theta")
    @classmethod
    def _positive(cls, v):
        for code, value in v.items():
            if not value > 0:
                raise ValueError(f"theta for {code} is {value:g}; trade elasticities must be > 0")
        return v


class SensitivitySpec(_Strict):
    """Solve the scenario again with the trade elasticity of `sectors` set to each `theta`."""

    sectors: list[str]
    theta: list[float] = Field(min_length=1)

    @field_validator("theta")
    @classmethod
    def _positive(cls, v):
        for value in v:
            if not value > 0:
                raise ValueError(f"theta value {value:g} is not a valid trade elasticity; use values > 0")
        return v


class StepSpec(_Strict):
    date: str | None = None
    label: str
    policy: list[PolicySpec] = []


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
    if not path.is_file():
        raise InputError(f"scenario: file not found: {path}", field="scenario")
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"scenario {path.name}: not valid TOML: {e}", field="scenario") from None
    return parse_scenario(raw, source=path.name)


def parse_scenario(raw: dict, source: str = "scenario") -> Scenario:
    """Validate a scenario given as a dict (from TOML or JSON)."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "scenario"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key; check its spelling against the scenario format (tradewar.scenario)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        value = err.get("input")
        shown = "" if err["type"] in ("missing",) or isinstance(value, dict) else f" (got {value!r})"
        raise InputError(f"{source}: {where}: {msg}{shown}", field=where) from None
