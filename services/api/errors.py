"""How failures become HTTP replies: domain errors by their status, validation naming the field.

Every error body has ``error`` (a name the HTTP client maps back to the domain
exception) and ``detail``; validation errors also carry ``message``, which
names each bad field as a dotted path.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError

from services.domain.errors import Conflict, DomainError, Invalid, to_body


def _domain(_: Request, exc: DomainError) -> JSONResponse:
    return JSONResponse(to_body(exc), status_code=exc.status)


def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [
        f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
        for e in exc.errors()
    ]
    body = to_body(Invalid("; ".join(problems)))
    body["message"] = body["detail"]
    body["detail"] = [
        {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
    ]
    return JSONResponse(body, status_code=422)


def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
    reason = str(exc.orig).splitlines()[0] if exc.orig else "constraint violated"
    return JSONResponse(to_body(Conflict(f"the request clashes with stored data: {reason}")), 409)


def _data(_: Request, exc: DataError) -> JSONResponse:
    reason = str(exc.orig).splitlines()[0] if exc.orig else "value out of range"
    return JSONResponse(to_body(DomainError(f"a value cannot be stored: {reason}")), 400)


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DataError, _data)
