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
"""

from __future__ import annotations

import asyncio
import threading
import traceback
from importlib import resources
from importlib.metadata import version
from typing import Literal

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradewar import games
from tradewar.data.registry import DATASETS
from tradewar.errors import InputError, InvalidEquilibrium, NotConverged, TradewarError
from tradewar.games.frontier import talks_frontier, talks_instruments
from tradewar.models import MODELS, get_model
from tradewar.models.horizon import parse_horizon
from tradewar.report.jsonenc import jsonable
from tradewar.scenario.run import prepare_baseline
from tradewar.scenario.spec import PolicySpec, Scenario, bundled_scenarios, load_scenario
from tradewar.web import service as svc
from tradewar.web.jobs import JobManager, TooManyJobs
from tradewar.web.middleware import AllowedMethods, CloseOnError

MAX_BODY_BYTES = 1_000_000


# -- the one error shape -------------------------------------------------------------------
class ErrorBody(BaseModel):
    code: str = Field(
        description="machine-readable: invalid_input, not_found, method_not_allowed, "
        "payload_too_large, too_many_jobs, not_converged, invalid_equilibrium, internal_error, ..."
    )
    message: str = Field(description="one line naming the field, the value and the fix")
    field: str | None = Field(default=None, description="the offending input field, dotted (policy.0.set_pct)")


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS = {status: {"model": ErrorResponse} for status in (400, 404, 405, 413, 422, 429, 500)}

HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_jobs",
    500: "internal_error",
}


def error_response(status: int, code: str, message: str, field: str | None = None, headers=None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "field": field}}
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_error(exc: RequestValidationError) -> JSONResponse:
    """FastAPI's request validation, in the format `parse_scenario` uses: 'field: message (got value)'."""
    errs = exc.errors()
    err = errs[0] if errs else {"loc": (), "msg": "invalid request", "type": "value_error"}
    if err.get("type") == "json_invalid":  # its loc is ("body", <character offset>): the field is the body
        offset = next((x for x in err.get("loc", ())[1:] if isinstance(x, int)), None)
        at = f" at character {offset}" if offset is not None else ""
        reason = err.get("ctx", {}).get("error", "decode error")
        return error_response(
            422,
            "invalid_input",
            f"body: the request body is not valid JSON ({reason}{at}); send one JSON object in UTF-8",
            "body",
        )
    loc = [str(x) for x in err.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path", "header"):
        where = loc[0]
        loc = loc[1:]
    else:
        where = "body"
    field = ".".join(loc) or where
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    kind = err.get("type", "")
    value = err.get("input")
    if kind == "value_error" and isinstance(value, dict):
        # an object-level rule that names one of the object's keys first ("set_pct = -150 ...")
        named = [k for k in value if isinstance(k, str) and msg.startswith(k + " ")]
        if named:
            field = f"{field}.{named[0]}" if loc else named[0]
    if kind == "extra_forbidden":
        msg = "unknown key; check its spelling against the API schema (/openapi.json)"
    elif kind == "missing":
        msg = "required key is missing"
    shown = ""
    if kind != "missing" and not isinstance(value, (dict, list)) and value is not None:
        text = repr(value)
        shown = f" (got {text[:80] + '...' if len(text) > 80 else text})"
    return error_response(422, "invalid_input", f"{field}: {msg}{shown}", field)


class BodyLimit:
    """ASGI middleware: bodies over `limit` bytes get 413 in the error shape, before any parsing.

    Checks Content-Length up front and counts the bytes of chunked bodies as they arrive."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        too_big = f"body: the request body exceeds the limit of {self.limit} bytes; send a smaller request"
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                n = -1
            if n > self.limit:
                return await error_response(
                    413,
                    "payload_too_large",
                    too_big.replace("the request body", f"the request body of {n} bytes"),
                    "body",
                    {"Connection": "close"},
                )(scope, receive, send)
        received = 0
        exceeded = False
        replaced = False

        async def limited_receive():
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # stop reading; whatever the app answers to the cut body is replaced by a 413
                    exceeded = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded_send(message):
            nonlocal replaced
            if not exceeded:
                return await send(message)
            if not replaced:
                replaced = True
                await error_response(413, "payload_too_large", too_big, "body", {"Connection": "close"})(
                    scope, receive, send
                )

        await self.app(scope, limited_receive, guarded_send)


# -- request and response models ------------------------------------------------------------
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


def _static_dir():
    return resources.files("tradewar") / "web" / "static"


def _docs_assets_dir():
    """Swagger UI and ReDoc as shipped inside the `fastapi-offline` package (a declared dependency)."""
    return resources.files("fastapi_offline") / "static"


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
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    app.add_middleware(AllowedMethods, routes=lambda: app.routes)
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

    # -- error handlers ------------------------------------------------------------------
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = HTTP_CODES.get(exc.status_code, "http_error")
        if exc.status_code == 404:
            message = f"path: {request.url.path} not found; see /openapi.json for the endpoints"
            field = "path"
        elif exc.status_code == 405:
            message = f"method: {request.method} is not allowed on {request.url.path}"
            field = "method"
        elif exc.status_code == 400:
            message = "body: the request body could not be read (send a JSON object in UTF-8)"
            field = "body"
        else:
            message, field = str(exc.detail), None
        return error_response(exc.status_code, code, message, field, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return _validation_error(exc)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError):
        return error_response(422, "invalid_input", str(exc), exc.field)

    @app.exception_handler(NotConverged)
    async def _not_converged(request: Request, exc: NotConverged):
        return error_response(422, "not_converged", str(exc), None)

    @app.exception_handler(InvalidEquilibrium)
    async def _invalid_equilibrium(request: Request, exc: InvalidEquilibrium):
        return error_response(422, "invalid_equilibrium", str(exc), None)

    @app.exception_handler(TradewarError)
    async def _tradewar(request: Request, exc: TradewarError):
        return error_response(422, "failed", str(exc), None)

    @app.exception_handler(TooManyJobs)
    async def _too_many(request: Request, exc: TooManyJobs):
        return error_response(429, "too_many_jobs", str(exc), None, {"Retry-After": "10"})

    # -- helpers -------------------------------------------------------------------------
    def _scenario(req: RunRequest) -> Scenario:
        if req.name is not None:
            return svc.scenario_from_name(req.name)
        return svc.scenario_from_inline(req.scenario.model_dump(mode="json", exclude_unset=False))

    def _limit_steps(scenario: Scenario) -> None:
        if len(scenario.steps) > max_sync_steps:
            raise InputError(
                f"step: {len(scenario.steps)} steps; a synchronous run takes at most {max_sync_steps}. "
                "Submit it as a job: POST /api/jobs/scenario",
                field="step",
            )

    def _no_result(key: str) -> JSONResponse:
        return error_response(
            404,
            "not_found",
            f"key: no cached result {key[:80]!r} (results are kept "
            f"while they fit in {cache_bytes / 2**20:g} MB); run the scenario again",
            "key",
        )

    def _no_job(job_id: str) -> JSONResponse:
        return error_response(404, "not_found", f"job_id: no job {job_id[:80]!r}; see GET /api/jobs", "job_id")

    # -- routes --------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(str(_static_dir() / "index.html"), media_type="text/html")

    app.mount("/static", StaticFiles(directory=str(_static_dir())), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(_docs_assets_dir())), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="tradewar API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc():
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="tradewar API",
            redoc_js_url="/docs-assets/redoc.standalone.js",
            redoc_favicon_url="/docs-assets/favicon.png",
            with_google_fonts=False,
        )

    if warm:
        threading.Thread(target=_warm, args=(service, warm), name="tradewar-warm", daemon=True).start()

    @app.get("/api/health", response_model=Health, responses=ERRORS, tags=["meta"])
    async def health():
        """Liveness and what the server offers; answered on the event loop, never behind solves."""
        return {
            "status": "ok",
            "version": version("tradewar"),
            "default_dataset": svc.default_dataset(),
            "datasets": list(DATASETS),
            "models": sorted(MODELS),
            "scenarios": sorted(bundled_scenarios()),
            "jobs": jobs.counts(),
            "cache": service.cache_info(),
        }

    @app.get("/api/datasets", responses=ERRORS, tags=["data"])
    def datasets():
        """The datasets a scenario can name, and the default one."""
        return {"default": svc.default_dataset(), "datasets": [{"name": d} for d in DATASETS]}

    @app.get("/api/datasets/{name}", responses=ERRORS, tags=["data"])
    def dataset(name: str):
        """Regions, sectors and baseline average tariffs (importer -> exporter, %) of one dataset."""
        if name not in DATASETS:
            return error_response(
                404, "not_found", f"name: no dataset {name[:80]!r}; use one of {', '.join(DATASETS)}", "name"
            )
        return service.dataset_info(name)

    @app.get("/api/models", responses=ERRORS, tags=["data"])
    def models():
        """The models a scenario can name."""
        return {
            "default": "caliendo-parro",
            "models": [
                {"name": k, "description": ((m.__doc__ or "").strip().splitlines() or [""])[0]}
                for k, m in sorted(MODELS.items())
            ],
        }

    @app.get("/api/scenarios", responses=ERRORS, tags=["scenarios"])
    def scenarios():
        """Bundled scenarios with their dated steps."""
        out = []
        for name in sorted(bundled_scenarios()):
            try:
                s = load_scenario(name)
            except InputError as e:  # a broken bundled file: say so, keep listing the rest
                out.append({"name": name, "error": str(e)})
                continue
            out.append(
                {
                    "name": name,
                    "title": s.title,
                    "description": s.description.strip(),
                    "dataset": s.dataset.source,
                    "model": s.model.name,
                    "steps": [{"date": st.date, "label": st.label} for st in s.steps],
                }
            )
        return {"scenarios": out}

    @app.get("/api/scenarios/{name}", responses=ERRORS, tags=["scenarios"])
    def scenario(name: str):
        """One bundled scenario as an object (the keys of its TOML file)."""
        if name not in bundled_scenarios():
            return error_response(
                404, "not_found", f"name: no bundled scenario {name[:80]!r}; see GET /api/scenarios", "name"
            )
        s = svc.scenario_from_name(name)
        return {"name": name, "scenario": jsonable(s.model_dump(mode="json", exclude={"dataset": {"path", "mapping"}}))}

    async def _answer(s: Scenario, detail: bool) -> JSONResponse:
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

    @app.post("/api/run", responses=ERRORS, tags=["solve"])
    async def run(req: RunRequest):
        """Solve every step of a bundled or inline scenario (at most `max_sync_steps` steps)."""
        s = _scenario(req)
        _limit_steps(s)
        return await _answer(s, req.detail)

    @app.post("/api/solve", responses=ERRORS, tags=["solve"])
    async def solve(req: SolveRequest):
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
        return await _answer(s, req.detail)

    @app.get("/api/results/{key}", responses=ERRORS, tags=["solve"])
    def result(key: str, detail: bool = False):
        """A cached result by its key (returned as `key` by /api/run and /api/solve)."""
        entry = service.lookup(key)
        if entry is None:
            return _no_result(key)
        return Response(service.answer(entry, True, detail), media_type="application/json")

    @app.get(
        "/api/results/{key}/{table}.csv",
        responses={**ERRORS, 200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
        tags=["solve"],
    )
    def result_csv(key: str, table: Literal["regions", "bilateral", "sectors"]):
        """One table of a cached result as CSV, every step (step, date, label columns first)."""
        entry = service.lookup(key)
        if entry is None:
            return _no_result(key)
        return PlainTextResponse(
            svc.result_csv(entry, table),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="tradewar-{table}-{key[:12]}.csv"'},
        )

    # -- jobs ----------------------------------------------------------------------------
    @app.post("/api/jobs/scenario", status_code=202, responses=ERRORS, tags=["jobs"])
    def job_scenario(req: ScenarioJobRequest):
        """Run a scenario (any number of steps) as a background job with per-step progress."""
        s = _scenario(req)
        detail = req.detail

        def fn(progress):
            def step(k, total, label):
                progress(k / total, f"step {k + 1}/{total}: {label}")

            entry, cached = service.run(s, progress=step)
            return svc.result_json(entry, cached, detail)

        job = jobs.submit("scenario", req.model_dump(mode="json", exclude_none=True), fn)
        return job.to_dict()

    def _check_request(req) -> str:
        """The request's dataset, once its dataset, model, horizon and region codes are checked."""
        dataset = req.dataset or svc.default_dataset()
        svc.check_dataset(dataset)
        get_model(req.model)
        if req.horizon != "long" and req.model != "caliendo-parro":
            raise InputError(
                f"horizon: {req.horizon} needs the caliendo-parro model (got {req.model}); use horizon long",
                field="horizon",
            )
        info = service.dataset_info(dataset)
        known = [r["code"] for r in info["regions"]]
        for name in ("player", "players", "partners"):
            value = getattr(req, name, None)
            for k, code in enumerate([value] if isinstance(value, str) else (value or [])):
                if code not in known:
                    field = name if isinstance(value, str) else f"{name}.{k}"
                    raise InputError(
                        f"{field}: unknown region code {code!r} for dataset {dataset}; use one of {', '.join(known)}",
                        field=field,
                    )
        return dataset

    def _game_job(kind: str, req: GameRequest, play) -> dict:
        """Validate the codes now (422 before anything is queued); play(game, progress) in the job."""
        dataset = _check_request(req)

        def fn(progress):
            progress(0.0, f"loading {dataset}")
            baseline = prepare_baseline(service.baseline(dataset), get_model(req.model), req.deficits)
            extra = {"theta": parse_horizon(req.horizon).theta(baseline.theta)} if req.horizon != "long" else {}
            game = games.Game(req.model, baseline, objective=req.objective, deficits=req.deficits, **extra)
            progress(0.05, "solving")
            result = play(games, game, lambda message: progress(None, message))
            return jsonable(result.to_dict())

        job = jobs.submit(kind, req.model_dump(mode="json", exclude_none=True), fn)
        return JSONResponse(jsonable(job.to_dict()), status_code=202)

    def _bounds(req: GameRequest) -> dict:
        return {"mfn": req.mfn, "lower": req.lower_pct / 100, "upper": req.upper_pct / 100}

    @app.post("/api/jobs/optimal", status_code=202, responses=ERRORS, tags=["jobs"])
    def job_optimal(req: OptimalRequest):
        """A region's optimal tariffs, all others at their baseline tariffs (tradewar.games.optimal_tariffs)."""
        return _game_job(
            "optimal",
            req,
            lambda games, game, progress: games.optimal_tariffs(
                game, req.player, partners=req.partners, **_bounds(req)
            ),
        )

    @app.post("/api/jobs/nash", status_code=202, responses=ERRORS, tags=["jobs"])
    def job_nash(req: NashRequest):
        """The Nash equilibrium of a tariff war among `players`, the rest passive (tradewar.games.nash)."""
        return _game_job(
            "nash",
            req,
            lambda games, game, progress: games.nash(
                game, req.players, targets=req.targets, progress=progress, **_bounds(req)
            ),
        )

    @app.post("/api/jobs/talks", status_code=202, responses=ERRORS, tags=["jobs"])
    def job_talks(req: TalksRequest):
        """Trade talks: the Nash-bargaining deal (war as threat point) or equal gains (tradewar.games)."""
        if req.solution == "equal_gains":
            return _game_job(
                "talks",
                req,
                lambda games, game, progress: games.equal_gains(game, req.players, progress=progress, **_bounds(req)),
            )
        return _game_job(
            "talks",
            req,
            lambda games, game, progress: games.bargaining(game, req.players, progress=progress, **_bounds(req)),
        )

    @app.post("/api/jobs/frontier", status_code=202, responses=ERRORS, tags=["jobs"])
    def job_frontier(req: FrontierRequest):
        """Two players' Nash war, Nash-bargaining deal and Pareto frontier of their payoffs, with the
        Busan deal for USA,CHN, over tariffs or tariffs and export controls, at a horizon
        (tradewar.games.frontier.talks_frontier; the JSON of `tradewar frontier --json`)."""
        dataset = _check_request(req)
        controls = req.instruments == "controls"
        talks_instruments(service.baseline(dataset), req.players, controls=controls)  # 422 before queueing
        horizon = parse_horizon(req.horizon)

        def fn(progress):
            progress(0.0, f"loading {dataset}")
            baseline = prepare_baseline(service.baseline(dataset), get_model(req.model), req.deficits)
            talks = talks_frontier(
                baseline,
                req.players,
                controls=controls,
                n_points=req.points,
                theta_scale=horizon.response_share,
                model=req.model,
                deficits=req.deficits,
                progress=lambda message: progress(None, message),
            )
            return jsonable({**talks.to_dict(), "horizon": horizon.label})

        job = jobs.submit("frontier", req.model_dump(mode="json", exclude_none=True), fn)
        return JSONResponse(jsonable(job.to_dict()), status_code=202)

    @app.get("/api/jobs", responses=ERRORS, tags=["jobs"])
    def job_list():
        """All jobs, oldest first (without results)."""
        return {"jobs": [j.to_dict(with_result=False) for j in jobs.list()]}

    @app.get("/api/jobs/{job_id}", responses=ERRORS, tags=["jobs"])
    def job_get(job_id: str):
        """A job's status, progress and, once done, its result."""
        job = jobs.get(job_id)
        if job is None:
            return _no_job(job_id)
        return jsonable(job.to_dict())

    @app.delete("/api/jobs/{job_id}", responses=ERRORS, tags=["jobs"])
    def job_cancel(job_id: str):
        """Cancel a queued job, or a running one at its next checkpoint."""
        job = jobs.cancel(job_id)
        if job is None:
            return _no_job(job_id)
        return jsonable(job.to_dict(with_result=False))

    return app
