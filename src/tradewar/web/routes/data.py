"""What the server offers: health, datasets, models and the bundled scenarios."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter

from tradewar.data.registry import DATASETS
from tradewar.errors import InputError
from tradewar.models import MODELS
from tradewar.report.jsonenc import jsonable
from tradewar.scenario.spec import bundled_scenarios, load_scenario
from tradewar.web import service as svc
from tradewar.web.errors import ERRORS, error_response
from tradewar.web.routes.deps import JobsDep, ServiceDep
from tradewar.web.schemas import Health

router = APIRouter()


@router.get("/api/health", response_model=Health, responses=ERRORS, tags=["meta"])
async def health(service: ServiceDep, jobs: JobsDep):
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


@router.get("/api/datasets", responses=ERRORS, tags=["data"])
def datasets():
    """The datasets a scenario can name, and the default one."""
    return {"default": svc.default_dataset(), "datasets": [{"name": d} for d in DATASETS]}


@router.get("/api/datasets/{name}", responses=ERRORS, tags=["data"])
def dataset(name: str, service: ServiceDep):
    """Regions, sectors and baseline average tariffs (importer -> exporter, %) of one dataset."""
    if name not in DATASETS:
        return error_response(
            404, "not_found", f"name: no dataset {name[:80]!r}; use one of {', '.join(DATASETS)}", "name"
        )
    return service.dataset_info(name)


@router.get("/api/models", responses=ERRORS, tags=["data"])
def models():
    """The models a scenario can name."""
    return {
        "default": "caliendo-parro",
        "models": [
            {"name": k, "description": ((m.__doc__ or "").strip().splitlines() or [""])[0]}
            for k, m in sorted(MODELS.items())
        ],
    }


@router.get("/api/scenarios", responses=ERRORS, tags=["scenarios"])
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


@router.get("/api/scenarios/{name}", responses=ERRORS, tags=["scenarios"])
def scenario(name: str):
    """One bundled scenario as an object (the keys of its TOML file)."""
    if name not in bundled_scenarios():
        return error_response(
            404, "not_found", f"name: no bundled scenario {name[:80]!r}; see GET /api/scenarios", "name"
        )
    s = svc.scenario_from_name(name)
    return {"name": name, "scenario": jsonable(s.model_dump(mode="json", exclude={"dataset": {"path", "mapping"}}))}
