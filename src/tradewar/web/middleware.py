"""ASGI middleware of the HTTP API: a bug answers 500 and closes its connection properly;
OPTIONS and 405 answers name every allowed method.

`CloseOnError` catches an exception that escaped the application (a bug: every error a client
can cause has its own handler), logs its traceback once and answers 500 in the one error shape
with ``Connection: close``, so the server closes the connection after the answer and the client
knows it. (Starlette's own handler sends the 500 and re-raises to the server, which then drops
the keep-alive connection without saying so: the client's next request on it was reset.)

`BodyLimit` answers 413 to a body over its limit, before any parsing.

`AllowedMethods` answers ``OPTIONS`` on any path the API serves with 204 and ``Allow`` (the
methods of every route on that path), and makes a 405's ``Allow`` list them all (Starlette
names only the first route that matched the path, e.g. GET but not DELETE on /api/jobs/{id}).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from tradewar.web.errors import error_response


class CloseOnError:
    def __init__(self, app: ASGIApp, respond: Callable[[Exception], ASGIApp]):
        self.app = app
        self.respond = respond  # the 500 answer for an exception, as an ASGI app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            traceback.print_exception(exc)
            if started:  # half an answer is out: only the server can end it (it closes the connection)
                raise
            await self.respond(exc)(scope, receive, send)


class AllowedMethods:
    def __init__(self, app: ASGIApp, routes: Callable[[], list]):
        self.app = app
        self.routes = routes  # the application's route objects, read at request time (a route
        # without methods, such as a FastAPI group of included routes, adds none)

    def allowed(self, scope: Scope) -> set[str]:
        methods: set[str] = set()
        for route in self.routes():
            match, _ = route.matches(scope)
            if match is Match.NONE:
                continue
            if isinstance(route, Mount):  # the static files
                methods |= {"GET", "HEAD"}
            else:
                methods |= set(getattr(route, "methods", None) or ())
        return methods | {"OPTIONS"} if methods else set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        allowed = self.allowed(scope)
        allow = ", ".join(sorted(allowed))
        if scope["method"] == "OPTIONS" and allowed:
            await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow.encode())]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def allow_on_405(message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405 and allowed:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                message = {**message, "headers": [*headers, (b"allow", allow.encode())]}
            await send(message)

        await self.app(scope, receive, allow_on_405)


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
