"""The API's one error shape, ``{"error": {"code", "message", "field"}}``, and the handlers that
give every failure that shape: HTTP errors, request validation (in the words of scenario files:
'field: message (got value)'), the library's errors and a full job queue."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradewar.errors import InputError, InvalidEquilibrium, NotConverged, TradewarError
from tradewar.web.jobs import TooManyJobs


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


def validation_error(exc: RequestValidationError) -> JSONResponse:
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


def install_error_handlers(app: FastAPI) -> None:
    """Give every failure the one error shape (`ERRORS` documents it on every route)."""

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
        return validation_error(exc)

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
