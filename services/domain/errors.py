"""Errors the domain raises; transports map them to their own form (HTTP status, exception).

``to_body`` and ``from_body`` are the one mapping between an error and its HTTP
reply, used by the API to answer and by the HTTP client to raise the same error
the in-process client would.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every rule the services enforce; a bad request (400)."""

    status = 400

    def fields(self) -> dict[str, Any]:
        """Extra data a caller needs to rebuild this error."""
        return {}


class Unauthorized(DomainError):
    """No API key, or an unknown one."""

    status = 401


class Forbidden(DomainError):
    """The key's role may not do this, or not for this store or member."""

    status = 403


class NotFound(DomainError):
    """An id that does not exist."""

    status = 404


class Conflict(DomainError):
    """A request that clashes with the current state (stock, a reused key)."""

    status = 409


class OutOfStock(Conflict):
    """Not enough stock for a line; nothing of the request was written."""

    def __init__(self, store_id: str, sku: str, wanted: int):
        self.store_id, self.sku, self.wanted = store_id, sku, wanted
        super().__init__(f"store {store_id} has fewer than {wanted} of {sku} in stock")

    def fields(self) -> dict[str, Any]:
        """Store, SKU and quantity asked for."""
        return {"store_id": self.store_id, "sku": self.sku, "wanted": self.wanted}


class KeyReused(Conflict):
    """An idempotency key sent again with another request: refused, nothing was written."""

    def __init__(self, key: str):
        self.idempotency_key = key
        super().__init__(
            f"idempotency_key {key!r} was already used for another request; "
            "send the same request to replay it, or a new key for a new one"
        )

    def fields(self) -> dict[str, Any]:
        """The key that was reused."""
        return {"idempotency_key": self.idempotency_key}


class Invalid(DomainError):
    """A request the API's validation refused (422); the message names the field."""

    status = 422


ERRORS: dict[str, type[DomainError]] = {
    cls.__name__: cls
    for cls in (
        DomainError,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        OutOfStock,
        KeyReused,
        Invalid,
    )
}
_BY_STATUS = {cls.status: cls for cls in reversed(ERRORS.values())}


def to_body(error: DomainError) -> dict[str, Any]:
    """The JSON body of an error reply."""
    return {"error": type(error).__name__, "detail": str(error), **error.fields()}


def from_body(status: int, body: Any) -> DomainError:
    """The error an HTTP reply stands for (by name, else by status)."""
    body = body if isinstance(body, dict) else {"detail": str(body)}
    cls = ERRORS.get(body.get("error", "")) or _BY_STATUS.get(status, DomainError)
    if cls is OutOfStock:
        return OutOfStock(body["store_id"], body["sku"], body["wanted"])
    if cls is KeyReused:
        return KeyReused(body["idempotency_key"])
    detail = body.get("message") or body.get("detail")
    return cls(detail if isinstance(detail, str) else str(detail))
