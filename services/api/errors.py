"""How failures become HTTP replies: domain errors by their status, validation naming the field.

Every error body has ``error`` (a name the HTTP client maps back to the domain
exception) and ``detail``; validation errors also carry ``message``, which
names each bad field as a dotted path. No body echoes a caller's input at
length: messages are cut at ``MAX_DETAIL`` characters.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.domain.errors import Conflict, DomainError, Invalid, to_body
from services.schemas import Schema

MAX_DETAIL = 300
LOG = logging.getLogger("storetwin.services")
_HTTP_NAMES = {404: "NotFound", 405: "MethodNotAllowed", 413: "TooLarge"}


class Problem(Schema):
    """One field a request got wrong."""

    loc: list[str | int] = Field(description="Where: body, path or query, then the field path.")
    msg: str
    type: str


class ErrorBody(Schema):
    """The body of every 4xx reply."""

    model_config = ConfigDict(frozen=True, extra="allow")

    error: str = Field(
        description="The error's name: DomainError (400), Unauthorized (401), Forbidden (403), "
        "NotFound (404), Conflict or OutOfStock (409), TooLarge (413), Invalid (422), "
        "Unavailable (503).",
    )
    detail: str | list[Problem] = Field(
        description="Why; for Invalid, one entry per bad field (see ``message``)."
    )
    message: str | None = Field(
        None, description="Invalid only: every bad field as ``dotted.path: reason``."
    )
    store_id: str | None = Field(None, description="OutOfStock only.")
    sku: str | None = Field(None, description="OutOfStock only.")
    wanted: int | None = Field(None, description="OutOfStock only.")


def short(text: str, limit: int = MAX_DETAIL) -> str:
    """``text`` cut to ``limit`` characters, marked when cut."""
    return text if len(text) <= limit else f"{text[: limit - 15]}... ({len(text)} chars)"


def _body(error: DomainError) -> dict[str, Any]:
    body = to_body(error)
    body["detail"] = short(body["detail"])
    return body


def _domain(_: Request, exc: DomainError) -> JSONResponse:
    return JSONResponse(_body(exc), status_code=exc.status)


def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [
        f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
        for e in exc.errors()
    ]
    body = _body(Invalid("; ".join(problems)))
    body["message"] = body["detail"]
    body["detail"] = [
        {
            "loc": [short(str(p), 64) if isinstance(p, str) else p for p in e["loc"]],
            "msg": short(e["msg"]),
            "type": e["type"],
        }
        for e in exc.errors()[:50]
    ]
    return JSONResponse(body, status_code=422)


def _allowed(request: Request) -> str:
    """Every method the API documents at this path (Starlette names only the first route's)."""
    app = request.app
    paths = getattr(app.state, "path_methods", None)
    if paths is None:
        paths = app.state.path_methods = [
            (re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(p)) + "$"), ops)
            for p, ops in app.openapi()["paths"].items()
        ]
    path = request.url.path
    found = [(rx.pattern.count("[^/]+"), ops) for rx, ops in paths if rx.match(path)]
    fewest = min((n for n, _ in found), default=0)  # literal segments win, as in routing
    methods = {m.upper() for n, ops in found if n == fewest for m in ops}
    return ", ".join(sorted(methods))


def _http(request: Request, exc: HTTPException) -> JSONResponse:
    name = _HTTP_NAMES.get(exc.status_code, "HTTPError")
    body = {"error": name, "detail": short(str(exc.detail))}
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed(request)
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
    reason = str(exc.orig).splitlines()[0] if exc.orig else "constraint violated"
    return JSONResponse(_body(Conflict(f"the request clashes with stored data: {reason}")), 409)


def _data(_: Request, exc: DataError) -> JSONResponse:
    reason = str(exc.orig).splitlines()[0] if exc.orig else "value out of range"
    return JSONResponse(_body(DomainError(f"a value cannot be stored: {reason}")), 400)


def _unavailable(request: Request, exc: OperationalError) -> JSONResponse:
    """The database is out of reach (restarting, down) or busy past its timeout: try again.

    Whether a commit cut off this way took effect is unknown to the server, so
    only a request with an idempotency key is safe to send again (the key
    answers with the first result); clients resend those on 503.
    """
    reason = str(exc.orig).splitlines()[0] if exc.orig else "connection failed"
    LOG.warning("503 %s %s: %s", request.method, request.url.path, short(reason))
    body = {"error": "Unavailable", "detail": short(f"the database is unavailable: {reason}")}
    return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DataError, _data)
    app.add_exception_handler(OperationalError, _unavailable)


class BodyLimit:
    """Answers 413, in the JSON error form, to a request body over ``max_bytes``.

    A declared ``Content-Length`` over the limit is refused before reading; a body
    sent without one is counted as it arrives and refused once it passes the limit
    (FastAPI lets an ``HTTPException`` raised while reading the body through).
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> HTTPException:
        return HTTPException(413, f"the request body is over {self.max_bytes} bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a declared oversize body up front; count an undeclared one as it comes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                exc = self._too_large()
                await _http(Request(scope, receive), exc)(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, counted, send)
