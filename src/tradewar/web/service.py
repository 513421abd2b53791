"""What the web API computes: validated scenarios in, cached results out.

Every request becomes a `tradewar.scenario.spec.Scenario` (validated by `parse_scenario`, the rules of
scenario files) and is solved by `tradewar.run_scenario`, the function behind `tradewar run`.
Results are cached under the SHA-256 of the canonical scenario (its validated fields as JSON
with sorted keys), so the same question asked twice, or by fifty clients at once, is solved once.
Solves run one at a time under a lock: JAX's compiled solvers may be called from several threads,
but on a small machine serial solves give steadier latency, and the lock lets a second client
asking the same question wait for the first answer instead of solving it again.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradewar.data.registry import DATASETS, load_dataset
from tradewar.errors import InputError
from tradewar.report.jsonenc import jsonable
from tradewar.scenario.run import ScenarioResult, average_tariff, run_scenario
from tradewar.scenario.spec import Scenario, bundled_scenarios, load_scenario, parse_scenario

#: The dataset the dashboard and ad-hoc requests use when none is named.
PREFERRED_DEFAULT = "world2022"


def default_dataset() -> str:
    return PREFERRED_DEFAULT if PREFERRED_DEFAULT in DATASETS else DATASETS[0]


def canonical_key(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario as canonical JSON (sorted keys, no whitespace)."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def reject_paths(raw: dict) -> None:
    """Clients name datasets; they never point the server at files."""
    ds = raw.get("dataset")
    if isinstance(ds, dict):
        for key in ("path", "mapping"):
            if key in ds:
                raise InputError(
                    f"dataset.{key}: file-system paths are not accepted over HTTP; name a dataset "
                    f"with dataset.source (one of {', '.join(DATASETS)})",
                    field=f"dataset.{key}",
                )


def scenario_from_inline(raw: dict) -> Scenario:
    reject_paths(raw)
    return parse_scenario(raw, source="scenario")


def scenario_from_name(name: str) -> Scenario:
    bundled = bundled_scenarios()
    if name not in bundled:
        raise InputError(
            f"scenario: {name!r} is not a bundled scenario; use one of {', '.join(sorted(bundled)) or 'none'} "
            "or send the scenario as an object",
            field="scenario",
        )
    return load_scenario(name)


def adhoc_scenario(dataset: str, model: str, deficits: str, policy: list[dict], theta: dict | None = None) -> Scenario:
    """An ad-hoc tariff change as a one-step scenario (the same validation as a scenario file)."""
    raw = {
        "title": "ad-hoc tariff change",
        "dataset": {"source": dataset},
        "model": {"name": model, "deficits": deficits, "theta": theta or {}},
        "policy": policy,
    }
    return parse_scenario(raw, source="request")


def check_dataset(name: str, field: str = "dataset") -> None:
    if name not in DATASETS:
        raise InputError(f"{field}: unknown dataset {name!r}; use one of {', '.join(DATASETS)}", field=field)


@dataclass
class Cached:
    key: str
    scenario: Scenario
    result: ScenarioResult
    seconds: float
    json: dict = field(default_factory=dict)  # detail -> body dict; (detail, cached) -> bytes


class Service:
    """Solves scenarios with a bounded LRU cache of results and of loaded datasets."""

    def __init__(self, cache_size: int = 256):
        self.cache_size = cache_size
        self._results: OrderedDict[str, Cached] = OrderedDict()
        self._datasets: dict[str, dict] = {}
        self._baselines: dict = {}
        self._lock = threading.Lock()  # guards the dicts
        self._solve_lock = threading.Lock()  # one solve at a time
        self.hits = 0
        self.misses = 0

    # -- results -------------------------------------------------------------------------
    def lookup(self, key: str) -> Cached | None:
        with self._lock:
            hit = self._results.get(key)
            if hit is not None:
                self._results.move_to_end(key)
            return hit

    def count_hit(self) -> None:
        with self._lock:
            self.hits += 1

    def run(self, scenario: Scenario, progress=None) -> tuple[Cached, bool]:
        """(result, was_cached). Raises InputError / NotConverged like `run_scenario`."""
        key = canonical_key(scenario)
        hit = self.lookup(key)
        if hit is not None:
            with self._lock:
                self.hits += 1
            return hit, True
        with self._solve_lock:
            hit = self.lookup(key)  # solved while we waited
            if hit is not None:
                with self._lock:
                    self.hits += 1
                return hit, True
            t0 = time.perf_counter()
            result = run_scenario(scenario, progress=progress, dataset=self.baseline(scenario.dataset.source))
            entry = Cached(key, scenario, result, time.perf_counter() - t0)
        with self._lock:
            self.misses += 1
            self._results[key] = entry
            while len(self._results) > self.cache_size:
                self._results.popitem(last=False)
        return entry, False

    # -- datasets ------------------------------------------------------------------------
    def baseline(self, source: str):
        """The dataset as `load_dataset(source)` returns it, read once per process (clients
        name datasets, never paths, so the name is the whole key). Its arrays are made read-only."""
        with self._lock:
            hit = self._baselines.get(source)
        if hit is None:
            hit = load_dataset(source)
            for value in [*vars(hit).values(), *getattr(hit, "extras", {}).values()]:
                if isinstance(value, np.ndarray):
                    value.setflags(write=False)  # shared by every request: a stray write raises
            with self._lock:
                hit = self._baselines.setdefault(source, hit)
        return hit

    def dataset_info(self, name: str) -> dict:
        check_dataset(name, "name")
        with self._lock:
            if name in self._datasets:
                return self._datasets[name]
        b = self.baseline(name)
        info = {
            "name": b.name,
            "regions": [
                {"code": c, "name": (b.region_names[k] if k < len(b.region_names) else c)}
                for k, c in enumerate(b.regions)
            ],
            "sectors": [
                {"code": c, "name": (b.sector_names[k] if k < len(b.sector_names) else c)}
                for k, c in enumerate(b.sectors)
            ],
            "average_tariffs_pct": average_tariff_matrix(b),
        }
        info = jsonable(info)
        with self._lock:
            self._datasets[name] = info
        return info


def average_tariff_matrix(b) -> dict:
    """Baseline average tariff of each importer on each exporter (%), as `tradewar.scenario.run.average_tariff`."""
    with np.errstate(invalid="ignore", divide="ignore"):  # pairs that do not trade: NaN -> null
        return {
            imp: {exp: average_tariff(b, b.tariffs, imp, exp) for exp in b.regions if exp != imp} for imp in b.regions
        }


# -- result tables -------------------------------------------------------------------------
def _pct(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    return np.divide(new - old, old, out=np.full_like(old, np.nan), where=old > 0) * 100


def _international(eq) -> tuple[np.ndarray, np.ndarray]:
    """Trade before and after [importer, exporter, sector] with domestic sales set to zero."""
    n = eq.baseline.n_regions
    foreign = (1 - np.eye(n))[:, :, None]
    return eq.outcomes["trade_old"] * foreign, eq.outcomes["trade_new"] * foreign


def pair_table(eq) -> pd.DataFrame:
    """Bilateral trade by importer and exporter (summed over sectors), before and after."""
    b = eq.baseline
    old, new = (x.sum(axis=2) for x in _international(eq))
    n, i = np.nonzero(~np.eye(b.n_regions, dtype=bool))
    return pd.DataFrame(
        {
            "importer": np.asarray(b.regions)[n],
            "exporter": np.asarray(b.regions)[i],
            "trade_old": old[n, i],
            "trade_new": new[n, i],
            "trade_change_pct": _pct(old[n, i], new[n, i]),
        }
    )


def sector_table(eq) -> pd.DataFrame:
    """Region x sector: prices, output and international exports/imports (% change)."""
    s = eq.sectors().reset_index()
    old, new = _international(eq)
    s["exports_pct"] = _pct(old.sum(axis=0), new.sum(axis=0)).ravel()  # [exporter, sector]
    s["imports_pct"] = _pct(old.sum(axis=1), new.sum(axis=1)).ravel()  # [importer, sector]
    return s


def records(df: pd.DataFrame, digits: int | None = None) -> list[dict]:
    return jsonable(df.to_dict(orient="records"))


def result_json(entry: Cached, cached: bool, detail: bool) -> dict:
    """The JSON of `tradewar run --json` plus key, cached, solve_seconds and, with `detail`,
    each step's bilateral (importer x exporter) and sector (region x sector) tables."""
    body = entry.json.get(detail)  # built once per entry and flag
    if body is None:
        body = entry.result.to_dict()
        body["key"] = entry.key
        body["solve_seconds"] = entry.seconds
        if detail:
            for step, s in zip(body["steps"], entry.result.steps):
                step["bilateral"] = records(pair_table(s.equilibrium))
                step["sectors"] = records(sector_table(s.equilibrium))
        body = jsonable(body)
        entry.json[detail] = body  # a benign race: two threads build the same dict
    return {**body, "cached": cached}


def result_bytes(entry: Cached, cached: bool, detail: bool) -> bytes:
    """`result_json` serialized (kept with the entry: a cache hit costs no JSON encoding)."""
    raw = entry.json.get((detail, cached))
    if raw is None:
        raw = json.dumps(result_json(entry, cached, detail), separators=(",", ":"), allow_nan=False).encode()
        entry.json[(detail, cached)] = raw
    return raw


CSV_TABLES = ("regions", "bilateral", "sectors")


def result_csv(entry: Cached, table: str) -> str:
    """One CSV over all steps of a result: step, date, label, then the table's columns."""
    frames = []
    for k, s in enumerate(entry.result.steps):
        eq = s.equilibrium
        if table == "regions":
            df = eq.regions().reset_index()
        elif table == "bilateral":
            df = eq.bilateral().reset_index()
        else:
            df = sector_table(eq)
        df.insert(0, "label", s.label)
        df.insert(0, "date", s.date or "")
        df.insert(0, "step", k)
        frames.append(df)
    return pd.concat(frames, ignore_index=True).to_csv(index=False, float_format="%.10g")
