"""The dashboard page and the API docs (Swagger UI, ReDoc) from local assets: no CDN."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse

router = APIRouter(include_in_schema=False)


def static_dir():
    return resources.files("tradewar") / "web" / "static"


def docs_assets_dir():
    """Swagger UI and ReDoc as shipped inside the `fastapi-offline` package (a declared dependency)."""
    return resources.files("fastapi_offline") / "static"


@router.get("/")
def index():
    return FileResponse(str(static_dir() / "index.html"), media_type="text/html")


@router.get("/docs")
def docs():
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="tradewar API",
        swagger_js_url="/docs-assets/swagger-ui-bundle.js",
        swagger_css_url="/docs-assets/swagger-ui.css",
        swagger_favicon_url="/docs-assets/favicon.png",
    )


@router.get("/redoc")
def redoc():
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="tradewar API",
        redoc_js_url="/docs-assets/redoc.standalone.js",
        redoc_favicon_url="/docs-assets/favicon.png",
        with_google_fonts=False,
    )
