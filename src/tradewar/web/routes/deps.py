"""What the routes share: the application's service (solves, cache), job manager and limits,
read from ``app.state`` (set by `tradewar.web.app.create_app`) as FastAPI dependencies. They
are coroutines so that FastAPI calls them on the event loop: a sync dependency would wait for a
thread-pool worker, and /api/health must answer even while every worker is busy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from tradewar.web import service as svc
from tradewar.web.jobs import JobManager


@dataclass(frozen=True)
class Limits:
    """The server's limits that routes enforce (see `create_app`)."""

    max_sync_steps: int
    cache_bytes: int


async def _service(request: Request) -> svc.Service:
    return request.app.state.service


async def _jobs(request: Request) -> JobManager:
    return request.app.state.jobs


async def _limits(request: Request) -> Limits:
    return request.app.state.limits


ServiceDep = Annotated[svc.Service, Depends(_service)]
JobsDep = Annotated[JobManager, Depends(_jobs)]
LimitsDep = Annotated[Limits, Depends(_limits)]
