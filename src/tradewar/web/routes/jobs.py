"""Background jobs: long scenarios and the games (optimal tariffs, Nash wars, talks, the
frontier), validated before they are queued (422), with progress, results and cancelling."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tradewar import games
from tradewar.errors import InputError
from tradewar.games.frontier import talks_frontier, talks_instruments
from tradewar.models import get_model
from tradewar.models.horizon import parse_horizon
from tradewar.report.jsonenc import jsonable
from tradewar.scenario.run import prepare_baseline
from tradewar.web import service as svc
from tradewar.web.errors import ERRORS, error_response
from tradewar.web.jobs import JobManager
from tradewar.web.routes.deps import JobsDep, ServiceDep
from tradewar.web.routes.solve import scenario_of
from tradewar.web.schemas import (
    FrontierRequest,
    GameRequest,
    NashRequest,
    OptimalRequest,
    ScenarioJobRequest,
    TalksRequest,
)

router = APIRouter()


def _no_job(job_id: str) -> JSONResponse:
    return error_response(404, "not_found", f"job_id: no job {job_id[:80]!r}; see GET /api/jobs", "job_id")


@router.post("/api/jobs/scenario", status_code=202, responses=ERRORS, tags=["jobs"])
def job_scenario(req: ScenarioJobRequest, service: ServiceDep, jobs: JobsDep):
    """Run a scenario (any number of steps) as a background job with per-step progress."""
    s = scenario_of(req)
    detail = req.detail

    def fn(progress):
        def step(k, total, label):
            progress(k / total, f"step {k + 1}/{total}: {label}")

        entry, cached = service.run(s, progress=step)
        return svc.result_json(entry, cached, detail)

    job = jobs.submit("scenario", req.model_dump(mode="json", exclude_none=True), fn)
    return job.to_dict()


def _check_request(req, service: svc.Service) -> str:
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


def _game_job(service: svc.Service, jobs: JobManager, kind: str, req: GameRequest, play) -> JSONResponse:
    """Validate the codes now (422 before anything is queued); play(game, progress) in the job."""
    dataset = _check_request(req, service)

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


@router.post("/api/jobs/optimal", status_code=202, responses=ERRORS, tags=["jobs"])
def job_optimal(req: OptimalRequest, service: ServiceDep, jobs: JobsDep):
    """A region's optimal tariffs, all others at their baseline tariffs (tradewar.games.optimal_tariffs)."""
    return _game_job(
        service,
        jobs,
        "optimal",
        req,
        lambda games, game, progress: games.optimal_tariffs(game, req.player, partners=req.partners, **_bounds(req)),
    )


@router.post("/api/jobs/nash", status_code=202, responses=ERRORS, tags=["jobs"])
def job_nash(req: NashRequest, service: ServiceDep, jobs: JobsDep):
    """The Nash equilibrium of a tariff war among `players`, the rest passive (tradewar.games.nash)."""
    return _game_job(
        service,
        jobs,
        "nash",
        req,
        lambda games, game, progress: games.nash(
            game, req.players, targets=req.targets, progress=progress, **_bounds(req)
        ),
    )


@router.post("/api/jobs/talks", status_code=202, responses=ERRORS, tags=["jobs"])
def job_talks(req: TalksRequest, service: ServiceDep, jobs: JobsDep):
    """Trade talks: the Nash-bargaining deal (war as threat point) or equal gains (tradewar.games)."""
    if req.solution == "equal_gains":
        return _game_job(
            service,
            jobs,
            "talks",
            req,
            lambda games, game, progress: games.equal_gains(game, req.players, progress=progress, **_bounds(req)),
        )
    return _game_job(
        service,
        jobs,
        "talks",
        req,
        lambda games, game, progress: games.bargaining(game, req.players, progress=progress, **_bounds(req)),
    )


@router.post("/api/jobs/frontier", status_code=202, responses=ERRORS, tags=["jobs"])
def job_frontier(req: FrontierRequest, service: ServiceDep, jobs: JobsDep):
    """Two players' Nash war, Nash-bargaining deal and Pareto frontier of their payoffs, with the
    Busan deal for USA,CHN, over tariffs or tariffs and export controls, at a horizon
    (tradewar.games.frontier.talks_frontier; the JSON of `tradewar frontier --json`)."""
    dataset = _check_request(req, service)
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


@router.get("/api/jobs", responses=ERRORS, tags=["jobs"])
def job_list(jobs: JobsDep):
    """All jobs, oldest first (without results)."""
    return {"jobs": [j.to_dict(with_result=False) for j in jobs.list()]}


@router.get("/api/jobs/{job_id}", responses=ERRORS, tags=["jobs"])
def job_get(job_id: str, jobs: JobsDep):
    """A job's status, progress and, once done, its result."""
    job = jobs.get(job_id)
    if job is None:
        return _no_job(job_id)
    return jsonable(job.to_dict())


@router.delete("/api/jobs/{job_id}", responses=ERRORS, tags=["jobs"])
def job_cancel(job_id: str, jobs: JobsDep):
    """Cancel a queued job, or a running one at its next checkpoint."""
    job = jobs.cancel(job_id)
    if job is None:
        return _no_job(job_id)
    return jsonable(job.to_dict(with_result=False))
