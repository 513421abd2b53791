"""Solves answered in the request: a bundled or inline scenario, an ad-hoc tariff change, and
cached results (JSON, or one table as CSV). A cached answer is served on the event loop; a
solve waits on the service's solver thread, never in the thread pool."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse

from tradewar.errors import InputError
from tradewar.scenario.spec import Scenario
from tradewar.web import service as svc
from tradewar.web.errors import ERRORS, error_response
from tradewar.web.routes.deps import LimitsDep, ServiceDep
from tradewar.web.schemas import RunRequest, SolveRequest

router = APIRouter()


def scenario_of(req: RunRequest) -> Scenario:
    if req.name is not None:
        return svc.scenario_from_name(req.name)
    return svc.scenario_from_inline(req.scenario.model_dump(mode="json", exclude_unset=False))


def _limit_steps(scenario: Scenario, max_sync_steps: int) -> None:
    if len(scenario.steps) > max_sync_steps:
        raise InputError(
            f"step: {len(scenario.steps)} steps; a synchronous run takes at most {max_sync_steps}. "
            "Submit it as a job: POST /api/jobs/scenario",
            field="step",
        )


def _no_result(key: str, cache_bytes: int) -> JSONResponse:
    return error_response(
        404,
        "not_found",
        f"key: no cached result {key[:80]!r} (results are kept "
        f"while they fit in {cache_bytes / 2**20:g} MB); run the scenario again",
        "key",
    )


async def _answer(service: svc.Service, s: Scenario, detail: bool) -> JSONResponse:
    # a serialized cached answer is served on the event loop; a solve waits on the solver
    # thread (never in the thread pool, which stays free for quick answers)
    hit = service.lookup(svc.canonical_key(s))
    if hit is not None:
        service.count_hit()
        raw = service.cached_answer(hit, detail)
        if raw is None:
            raw = await run_in_threadpool(service.answer, hit, True, detail)
        return Response(raw, media_type="application/json")
    entry, cached = await asyncio.get_running_loop().run_in_executor(service.solver, service.run, s)
    raw = await run_in_threadpool(service.answer, entry, cached, detail)
    return Response(raw, media_type="application/json")


@router.post("/api/run", responses=ERRORS, tags=["solve"])
async def run(req: RunRequest, service: ServiceDep, limits: LimitsDep):
    """Solve every step of a bundled or inline scenario (at most `max_sync_steps` steps)."""
    s = scenario_of(req)
    _limit_steps(s, limits.max_sync_steps)
    return await _answer(service, s, req.detail)


@router.post("/api/solve", responses=ERRORS, tags=["solve"])
async def solve(req: SolveRequest, service: ServiceDep):
    """An ad-hoc tariff change from the dataset's baseline: one step of policy objects."""
    dataset = req.dataset or svc.default_dataset()
    svc.check_dataset(dataset)
    s = svc.adhoc_scenario(
        dataset,
        req.model,
        req.deficits,
        [p.model_dump(mode="json", exclude_none=True) for p in req.policy],
        req.theta,
    )
    return await _answer(service, s, req.detail)


@router.get("/api/results/{key}", responses=ERRORS, tags=["solve"])
def result(key: str, service: ServiceDep, limits: LimitsDep, detail: bool = False):
    """A cached result by its key (returned as `key` by /api/run and /api/solve)."""
    entry = service.lookup(key)
    if entry is None:
        return _no_result(key, limits.cache_bytes)
    return Response(service.answer(entry, True, detail), media_type="application/json")


@router.get(
    "/api/results/{key}/{table}.csv",
    responses={**ERRORS, 200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    tags=["solve"],
)
def result_csv(key: str, table: Literal["regions", "bilateral", "sectors"], service: ServiceDep, limits: LimitsDep):
    """One table of a cached result as CSV, every step (step, date, label columns first)."""
    entry = service.lookup(key)
    if entry is None:
        return _no_result(key, limits.cache_bytes)
    return PlainTextResponse(
        svc.result_csv(entry, table),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="tradewar-{table}-{key[:12]}.csv"'},
    )
