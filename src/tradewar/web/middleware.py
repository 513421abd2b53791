"""ASGI middleware of the HTTP API: a bug answers 500 and closes its connection properly;
OPTIONS and 405 answers name every allowed method.

`CloseOnError` catches an exception that escaped the application (a bug: every error a client
can cause has its own handler), logs its traceback once and answers 500 in the one error shape
with ``Connection: close``, so the server closes the connection after the answer and the client
knows it. (Starlette's own handler sends the 500 and re-raises to the server, which then drops
the keep-alive connection without saying so: the client's next request on it was reset.)

`AllowedMethods` answers ``OPTIONS`` on any path the API serves with 204 and ``Allow`` (the
methods of every route on that path), and makes a 405's ``Allow`` list them all (Starlette
names only the first route that matched the path, e.g. GET but not DELETE on /api/jobs/{id}).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send


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
        self.routes = routes  # the application's routes, read at request time

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
