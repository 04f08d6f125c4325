"""The one way agents and devices reach the store services.

``StoreClient`` is the contract; ``InProcessClient`` calls the domain directly in
this process (fast, for what-if runs and pilots). An HTTP transport with the
same behaviour comes with the services API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typing_extensions import override

from services.db import Database
from services.domain import catalog, inventory, orders
from services.schemas import (
    CheckoutRequest,
    ProductIn,
    ProductPublic,
    Receipt,
    StockCount,
    StockLevel,
    StoreIn,
)

T = TypeVar("T")


class StoreClient(Protocol):
    """Operations the twin needs from the store services.

    Domain errors (``services.domain.errors``) are raised as they are, whatever
    the transport, so callers handle one set of exceptions.
    """

    def register_store(self, store: StoreIn) -> None:
        """Create or update a store profile."""
        ...

    def upsert_products(self, products: Sequence[ProductIn]) -> int:
        """Create or update catalogue entries."""
        ...

    def list_products(self, category: str | None = None) -> list[ProductPublic]:
        """The catalogue, ordered by SKU."""
        ...

    def set_stock(self, store_id: str, counts: Sequence[StockCount]) -> int:
        """Record a stock-take for a store."""
        ...

    def receive_stock(self, store_id: str, counts: Sequence[StockCount]) -> None:
        """Book a delivery of goods into a store."""
        ...

    def stock_level(self, store_id: str, sku: str) -> StockLevel:
        """Book stock of one SKU in one store."""
        ...

    def stock_levels(self, store_id: str) -> list[StockLevel]:
        """Book stock of every SKU a store carries, ordered by SKU."""
        ...

    def checkout(self, request: CheckoutRequest) -> Receipt:
        """Sell, charge and deduct stock in one idempotent transaction."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class InProcessClient(StoreClient):
    """StoreClient that runs the domain in this process, one transaction per call.

    It keeps one database connection open for its lifetime, so it is meant for
    one thread (the twin's); the HTTP service gives each request its own session.
    """

    def __init__(self, db: Database, clock: Callable[[], dt.datetime] | None = None):
        self.db = db
        self._conn = db.engine.connect()
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))

    def _tx(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a transaction; a lost race on a unique key is retried once."""
        for attempt in range(2):
            try:
                with self._conn.begin(), Session(bind=self._conn) as session:
                    result = work(session)
                    session.flush()  # the outer transaction commits, not the session
                    return result
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    @override
    def register_store(self, store: StoreIn) -> None:
        self._tx(lambda s: catalog.upsert_store(s, store))

    @override
    def upsert_products(self, products: Sequence[ProductIn]) -> int:
        return self._tx(lambda s: catalog.upsert_products(s, products))

    @override
    def list_products(self, category: str | None = None) -> list[ProductPublic]:
        return self._tx(lambda s: catalog.list_products(s, category))

    @override
    def set_stock(self, store_id: str, counts: Sequence[StockCount]) -> int:
        return self._tx(lambda s: inventory.set_stock(s, store_id, counts))

    @override
    def receive_stock(self, store_id: str, counts: Sequence[StockCount]) -> None:
        self._tx(lambda s: inventory.receive(s, store_id, counts))

    @override
    def stock_level(self, store_id: str, sku: str) -> StockLevel:
        return self._tx(lambda s: inventory.stock_level(s, store_id, sku))

    @override
    def stock_levels(self, store_id: str) -> list[StockLevel]:
        return self._tx(lambda s: inventory.stock_levels(s, store_id))

    @override
    def checkout(self, request: CheckoutRequest) -> Receipt:
        return self._tx(lambda s: orders.checkout(s, request, self._clock()))

    @override
    def close(self) -> None:
        self._conn.close()
        self.db.dispose()
