"""What the web API computes: validated scenarios in, cached results out.

Every request becomes a `tradewar.scenario.spec.Scenario` (validated by `parse_scenario`, the rules of
scenario files) and is solved by `tradewar.run_scenario`, the function behind `tradewar run`.
Results are cached under the SHA-256 of the canonical scenario (its validated fields as JSON
with sorted keys), so the same question asked twice, or by fifty clients at once, is solved once.
Solves run one at a time under a lock: JAX's compiled solvers may be called from several threads,
but on a small machine serial solves give steadier latency, and the lock lets a second client
asking the same question wait for the first answer instead of solving it again. HTTP solves wait
for the solver on their own thread (`Service.solver`), so a queue of them never holds the
server's thread pool. The cache is bounded in bytes (result arrays and serialized answers), not
in entries: one detailed 20-step result weighs as much as hundreds of small ones.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradewar.data.registry import DATASETS, load_dataset
from tradewar.errors import InputError
from tradewar.report.jsonenc import jsonable
from tradewar.report.summary import add_headline_keys, money_unit
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


#: The default bound of the result cache: results (their arrays) and their JSON answers.
CACHE_BYTES = 256 * 2**20


@dataclass
class Cached:
    key: str
    scenario: Scenario
    result: ScenarioResult
    seconds: float
    nbytes: int = 0  # the result's own arrays plus `answers`, as counted against the cache bound
    answers: dict[bool, bytes] = field(default_factory=dict)  # detail -> JSON without the "cached" key


def result_nbytes(result: ScenarioResult, shared=()) -> int:
    """Bytes of the arrays a result holds on its own: tariffs and outcomes of every step (and
    sensitivity run), and its baseline unless it is one of the `shared` datasets."""
    shared_ids = {id(b) for b in shared}
    seen: set[int] = set()
    total = 0
    for steps in [result.steps, *(result.sensitivity or {}).values()]:
        for step in steps:
            eq = step.equilibrium
            arrays = [eq.tariffs, *eq.outcomes.values()]
            if id(eq.baseline) not in shared_ids:
                arrays += [*vars(eq.baseline).values(), *getattr(eq.baseline, "extras", {}).values()]
            for a in arrays:
                if isinstance(getattr(a, "nbytes", None), int) and id(a) not in seen:
                    seen.add(id(a))
                    total += a.nbytes
    return total


class Service:
    """Solves scenarios, one at a time on the solver thread, with an LRU cache of results
    bounded in bytes (`max_bytes`: result arrays and JSON answers) and the loaded datasets."""

    def __init__(self, max_bytes: int = CACHE_BYTES):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._results: OrderedDict[str, Cached] = OrderedDict()
        self._datasets: dict[str, dict] = {}
        self._baselines: dict = {}
        self._lock = threading.Lock()  # guards the dicts and the byte count
        self._solve_lock = threading.Lock()  # one solve at a time (the HTTP solver thread and the job worker)
        #: The thread that runs HTTP solves: requests waiting for the solver wait in its queue,
        #: not in the server's thread pool, which stays free for health and other quick answers.
        self.solver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradewar-solve")
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

    def cache_info(self) -> dict:
        with self._lock:
            return {
                "entries": len(self._results),
                "bytes": self.bytes,
                "max_bytes": self.max_bytes,
                "hits": self.hits,
                "misses": self.misses,
            }

    def run(self, scenario: Scenario, progress=None) -> tuple[Cached, bool]:
        """(result, was_cached). Raises InputError / NotConverged like `run_scenario`."""
        key = canonical_key(scenario)
        hit = self.lookup(key)
        if hit is not None:
            self.count_hit()
            return hit, True
        with self._solve_lock:
            hit = self.lookup(key)  # solved while we waited
            if hit is not None:
                self.count_hit()
                return hit, True
            t0 = time.perf_counter()
            result = run_scenario(scenario, progress=progress, dataset=self.baseline(scenario.dataset.source))
            entry = Cached(key, scenario, result, time.perf_counter() - t0)
        with self._lock:
            entry.nbytes = result_nbytes(result, self._baselines.values())
            self.misses += 1
            self._results[key] = entry
            self.bytes += entry.nbytes
            self._evict()
        return entry, False

    def _evict(self) -> None:
        """Drop the least recently used results until the cache is within its bound (the
        newest too, if it alone exceeds it: its answer is still given, just not kept)."""
        while self.bytes > self.max_bytes and self._results:
            _, old = self._results.popitem(last=False)
            self.bytes -= old.nbytes

    def answer(self, entry: Cached, cached: bool, detail: bool) -> bytes:
        """The JSON answer of a result (`result_json`); serialized once per entry and flag and
        kept with the entry while it is cached, counted against the bound."""
        body = entry.answers.get(detail)
        if body is None:
            body = json.dumps(result_json(entry, None, detail), separators=(",", ":"), allow_nan=False).encode()
            with self._lock:
                if detail not in entry.answers and self._results.get(entry.key) is entry:
                    entry.answers[detail] = body
                    entry.nbytes += len(body)
                    self.bytes += len(body)
                    self._evict()
        return with_cached_flag(body, cached)

    def cached_answer(self, entry: Cached, detail: bool) -> bytes | None:
        """The answer to a cache hit if it is already serialized (else None: build it off the loop)."""
        body = entry.answers.get(detail)
        return None if body is None else with_cached_flag(body, True)

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
        unit = money_unit(b)
        if unit is not None:  # the unit of the money columns: `dollars` US dollars of `year`
            info["money"] = {"dollars": unit.dollars, "year": unit.year, "source": unit.source}
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


def result_json(entry: Cached, cached: bool | None, detail: bool) -> dict:
    """The JSON of `tradewar run --json` (with its headline objects) plus key, cached (unless
    None), solve_seconds and, with `detail`, each step's bilateral (importer x exporter) and
    sector (region x sector) tables."""
    body = add_headline_keys(entry.result.to_dict(), entry.result)
    body["key"] = entry.key
    body["solve_seconds"] = entry.seconds
    if detail:
        for step, s in zip(body["steps"], entry.result.steps):
            step["bilateral"] = records(pair_table(s.equilibrium))
            step["sectors"] = records(sector_table(s.equilibrium))
    body = jsonable(body)
    if cached is not None:
        body["cached"] = cached
    return body


def with_cached_flag(body: bytes, cached: bool) -> bytes:
    """A serialized `result_json` object (without "cached") with the "cached" key appended."""
    return body[:-1] + (b',"cached":true}' if cached else b',"cached":false}')


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
