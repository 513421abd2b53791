"""The tradewar HTTP API and dashboard: `create_app()` builds the FastAPI application.

    tradewar serve                      # http://127.0.0.1:8000/  (dashboard), /docs, /openapi.json

Endpoints (all JSON unless noted; every failure is ``{"error": {"code", "message", "field"}}``):

    GET    /api/health                       status, version, datasets, jobs, cache
    GET    /api/datasets                     the datasets and which one is the default
    GET    /api/datasets/{name}              regions, sectors, baseline average tariffs
    GET    /api/models                       the models
    GET    /api/scenarios                    bundled scenarios with their dated steps
    GET    /api/scenarios/{name}             one bundled scenario as an object
    POST   /api/run                          run a bundled scenario ({"name"}) or an inline one ({"scenario"})
    POST   /api/solve                        an ad-hoc tariff change: dataset, model, [policy]
    GET    /api/results/{key}                a cached result by its key (the scenario's hash)
    GET    /api/results/{key}/{table}.csv    regions | bilateral | sectors as CSV (text/csv)
    POST   /api/jobs/scenario                a scenario as a background job
    POST   /api/jobs/optimal|nash|talks      tariff games (tradewar.games) as background jobs
    POST   /api/jobs/frontier                two players' war, deal, Pareto frontier (and Busan for USA,CHN),
                                             over tariffs or tariffs and export controls, at a horizon
    GET    /api/jobs, /api/jobs/{id}         job status and progress (and the result when done)
    DELETE /api/jobs/{id}                    cancel a job

Inputs are validated with the rules of scenario files (`tradewar.scenario.parse_scenario`);
clients name datasets and bundled scenarios and never pass file-system paths. Request bodies are
limited to `max_body_bytes` (413), pending jobs to `max_jobs` (429), a job's run time to
`job_seconds`, and a synchronous run to `max_sync_steps` steps (longer ones go to /api/jobs).

The routes are in `tradewar.web.routes` (one module per group), the bodies in
`tradewar.web.schemas`, the error shape and its handlers in `tradewar.web.errors`.
"""

from __future__ import annotations

import threading
import traceback
from importlib.metadata import version

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tradewar.web import service as svc
from tradewar.web.errors import error_response, install_error_handlers
from tradewar.web.jobs import JobManager
from tradewar.web.middleware import AllowedMethods, BodyLimit, CloseOnError
from tradewar.web.routes import data, pages, solve
from tradewar.web.routes import jobs as job_routes
from tradewar.web.routes.deps import Limits

MAX_BODY_BYTES = 1_000_000


def _warm(service: svc.Service, names: tuple[str, ...]) -> None:
    """Solve bundled scenarios into the cache; a failure is logged, the server goes on."""
    for name in names:
        try:
            service.run(svc.scenario_from_name(name))
        except Exception as exc:  # a warm-up must never stop the server
            traceback.print_exception(exc)


def create_app(
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_jobs: int = 4,
    job_seconds: float = 600.0,
    max_sync_steps: int = 20,
    cache_bytes: int = svc.CACHE_BYTES,
    warm: tuple[str, ...] = (),
) -> FastAPI:
    """The application: API under /api, dashboard at /, assets under /static, API docs at /docs
    (Swagger UI) and /redoc from the assets of the `fastapi-offline` package (no CDN). `warm`:
    bundled scenarios solved into the cache at start-up, in a background thread (the dashboard
    opens on the main job's last step)."""
    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="tradewar",
        version=version("tradewar"),
        description=(__doc__ or "").split("\n\n")[0]
        + '. Every failure answers {"error": {"code", "message", "field"}}.',
    )
    service = svc.Service(max_bytes=cache_bytes)
    jobs = JobManager(max_pending=max_jobs, max_seconds=job_seconds)
    app.state.service, app.state.jobs = service, jobs
    app.state.limits = Limits(max_sync_steps=max_sync_steps, cache_bytes=cache_bytes)
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    routers = [module.router for module in (pages, data, solve, job_routes)]
    # every route object: the app's own (the mounts) and each router's, whether or not this
    # FastAPI copies included routes into app.routes (0.165 keeps them behind one object per router)
    app.add_middleware(AllowedMethods, routes=lambda: [*app.routes, *(r for router in routers for r in router.routes)])
    app.add_middleware(
        CloseOnError,
        respond=lambda exc: error_response(
            500,
            "internal_error",
            f"internal error ({type(exc).__name__}); the server logged it",
            None,
            {"Connection": "close"},
        ),
    )

    install_error_handlers(app)
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(pages.static_dir())), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(pages.docs_assets_dir())), name="docs-assets")
    if warm:
        threading.Thread(target=_warm, args=(service, warm), name="tradewar-warm", daemon=True).start()
    return app
