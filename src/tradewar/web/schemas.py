"""The API's request and response bodies (pydantic): strict (unknown keys are errors), with the
rules of scenario files for policies and scenarios, and no file-system paths from clients."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tradewar.scenario.spec import PolicySpec, Scenario


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebDataset(_Strict):
    source: str = Field(description="a dataset name from GET /api/datasets")

    @model_validator(mode="before")
    @classmethod
    def _no_paths(cls, data):
        if isinstance(data, dict):
            for key in ("path", "mapping"):
                if key in data:
                    raise ValueError(
                        f"dataset.{key}: file-system paths are not accepted over HTTP; "
                        "name a dataset with dataset.source"
                    )
        return data


class WebScenario(Scenario):
    """A scenario object: the keys of a scenario file, with the dataset named (no paths)."""

    dataset: WebDataset


class RunRequest(_Strict):
    name: str | None = Field(default=None, description="a bundled scenario (GET /api/scenarios)", max_length=200)
    scenario: WebScenario | None = Field(default=None, description="an inline scenario object")
    detail: bool = Field(default=False, description="add bilateral and sector tables to each step")

    @model_validator(mode="after")
    def _one(self):
        if (self.name is None) == (self.scenario is None):
            raise ValueError("give exactly one of name (a bundled scenario) or scenario (an object)")
        return self


class SolveRequest(_Strict):
    dataset: str | None = Field(default=None, description="dataset name; default: GET /api/datasets", max_length=100)
    model: str = Field(default="caliendo-parro", max_length=100)
    deficits: Literal["zero", "fixed", "share"] = "fixed"
    theta: dict[str, float] = Field(default_factory=dict, description="trade elasticity overrides by sector code")
    policy: list[PolicySpec] = Field(
        min_length=1, max_length=500, description="policy objects, as [[policy]] tables of a scenario file"
    )
    detail: bool = False


class ScenarioJobRequest(RunRequest):
    pass


class GameRequest(_Strict):
    """Common settings of the tariff games (tradewar.games)."""

    dataset: str | None = Field(default=None, max_length=100, description="dataset name; default: GET /api/datasets")
    model: str = Field(default="caliendo-parro", max_length=100)
    deficits: Literal["zero", "fixed", "share"] = "fixed"
    objective: Literal["welfare", "government"] = "welfare"
    mfn: bool = Field(default=False, description="one tariff per sector for all partners instead of one per partner")
    lower_pct: float = Field(default=0.0, gt=-100, le=1000, description="lowest tariff a player may choose (%)")
    upper_pct: float = Field(default=225.0, gt=-100, le=1000, description="highest tariff a player may choose (%)")
    horizon: Literal["long", "short"] = Field(
        default="long",
        description="trade elasticities at this horizon: long (the data's) or short (one year, "
        "tradewar.models.horizon; caliendo-parro)",
    )

    @model_validator(mode="after")
    def _bounds(self):
        if self.upper_pct < self.lower_pct:
            raise ValueError(f"upper_pct = {self.upper_pct:g} is below lower_pct = {self.lower_pct:g}")
        return self


Codes = list[str]


class OptimalRequest(GameRequest):
    player: str = Field(max_length=40, description="the region that sets its optimal tariffs, others fixed")
    partners: Codes | None = Field(default=None, max_length=100, description="tariffs on these partners only")


class NashRequest(GameRequest):
    players: Codes = Field(min_length=2, max_length=100, description="the regions in the tariff war")
    targets: Literal["all", "players"] = Field(
        default="players", description="players choose tariffs on every partner (all) or on each other only"
    )


class TalksRequest(GameRequest):
    players: Codes = Field(min_length=2, max_length=100, description="the regions at the table")
    solution: Literal["bargaining", "equal_gains"] = Field(
        default="bargaining", description="Nash bargaining with the war as threat point, or equal gains"
    )


class FrontierRequest(_Strict):
    """Two players' talks over tariffs or tariffs and export controls (tradewar.games.frontier)."""

    dataset: str | None = Field(default=None, max_length=100, description="dataset name; default: GET /api/datasets")
    model: str = Field(default="caliendo-parro", max_length=100)
    deficits: Literal["zero", "fixed", "share"] = "fixed"
    players: Codes = Field(min_length=2, max_length=2, description="the two regions at the table, e.g. USA, CHN")
    instruments: Literal["tariffs", "controls"] = Field(
        default="tariffs",
        description="tariffs, or controls: tariffs and export controls (USA,CHN only: China's rare-earth caps, "
        "the US cap on ELEC sales)",
    )
    horizon: Literal["long", "short"] = Field(
        default="long", description="trade elasticities at this horizon: long (the data's) or short (one year)"
    )
    points: int = Field(default=8, ge=2, le=40, description="number of frontier points (weighted optima)")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    default_dataset: str
    datasets: list[str]
    models: list[str]
    scenarios: list[str]
    jobs: dict[str, int]
    cache: dict[str, int]
