"""The OpenAPI document, with every error status an operation can answer and its body.

FastAPI documents only the success reply and its own 422. The statuses below
follow from how the app is built, so they are derived from each operation
rather than listed by hand on ~60 handlers: a keyed operation can answer 401
and 403 and 400 (a domain rule); one with parameters or a body 422; one with
a body 413; one that names a store, member or other id 404; one that writes
409; any keyed one 503 while the database is out of reach. List operations
document their paging headers.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from services.api.errors import ErrorBody
from services.api.paging import HEADERS

REASONS = {
    400: "A domain rule refused the request (the reason is in detail).",
    401: "No X-API-Key header, or an unknown key.",
    403: "The key may not do this, or not for this store or member.",
    404: "An id (store, order, member, ...) that does not exist.",
    409: "The request clashes with the current state (stock, a reused key, an order's status).",
    413: "The request body is larger than the server accepts.",
    422: "A parameter or body field is invalid; message names each one.",
    503: "The database is out of reach for now (Retry-After); a keyed request may be resent.",
}
_REF = "#/components/schemas/{model}"
_ID_PARAMS = {"store_id", "member_id", "template_id", "phone"}


def _codes(method: str, op: dict[str, Any]) -> list[int]:
    params = op.get("parameters", [])
    body = "requestBody" in op
    codes = []
    if op.get("security"):
        codes += [400, 401, 403]
    if body or any(p["in"] == "path" or p["name"] in _ID_PARAMS for p in params):
        codes.append(404)
    if method != "get" and op.get("security"):
        codes.append(409)
    if body:
        codes.append(413)
    if body or params:
        codes.append(422)
    if op.get("security"):
        codes.append(503)
    return codes


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document (built once) with its error replies."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error = ErrorBody.model_json_schema(ref_template=_REF)
    components.update(error.pop("$defs", {}))
    components["ErrorBody"] = error
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    content = {"application/json": {"schema": {"$ref": _REF.format(model="ErrorBody")}}}
    for ops in schema["paths"].values():
        for method, op in ops.items():
            replies = op["responses"]
            for code in _codes(method, op):
                replies[str(code)] = {"description": REASONS[code], "content": content}
            names = {p["name"] for p in op.get("parameters", [])}
            if {"limit", "offset"} <= names:
                ok = next(c for c in replies if c.startswith("2"))
                replies[ok]["headers"] = HEADERS
    app.openapi_schema = schema
    return schema
