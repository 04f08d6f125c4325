"""Errors the domain raises; transports map them to their own form (HTTP status, exception)."""


class DomainError(Exception):
    """Base of every rule the services enforce."""

    status = 400


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
