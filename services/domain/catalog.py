"""Product center: the chain's catalogue and its prices."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from services.db.dialect import upsert
from services.db.models import Inventory, Product, Store
from services.db.prepared import Prepared
from services.domain.errors import NotFound
from services.schemas import ProductIn, ProductPublic, StoreIn


def upsert_store(session: Session, store: StoreIn) -> None:
    """Register a store, or update its profile."""
    session.merge(Store(**store.model_dump()))


def require_store(session: Session, store_id: str) -> Store:
    """The store with this id, or NotFound."""
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound(f"no store {store_id!r}")
    return store


def upsert_products(session: Session, products: Iterable[ProductIn]) -> int:
    """Create or update catalogue entries; returns how many were written."""
    rows = [p.model_dump() for p in products]
    return upsert(session, Product.__table__, rows, ["sku"])


def list_products(session: Session, category: str | None = None) -> list[ProductPublic]:
    """The catalogue, optionally one category, ordered by SKU."""
    stmt = select(Product).order_by(Product.sku)
    if category is not None:
        stmt = stmt.where(Product.category == category)
    return [_public(p) for p in session.scalars(stmt)]


_PRODUCTS = Product.__table__
_INVENTORY = Inventory.__table__


@cache
def _store_prices(n: int) -> Prepared:
    """Prices of ``n`` SKUs (params sku0..sku{n-1}) that store ``store_id`` carries."""
    return Prepared(
        select(_PRODUCTS.c.sku, _PRODUCTS.c.price_cents, _PRODUCTS.c.cost_cents)
        .join(_INVENTORY, _INVENTORY.c.sku == _PRODUCTS.c.sku)
        .where(
            _INVENTORY.c.store_id == bindparam("store_id"),
            _PRODUCTS.c.sku.in_([bindparam(f"sku{i}") for i in range(n)]),
        )
    )


def store_prices(
    session: Session, store_id: str, skus: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """(price_cents, cost_cents) of SKUs the store carries.

    Raises:
        NotFound: the store does not exist, a SKU is unknown, or the store does not carry it.
    """
    wanted = sorted(set(skus))
    params = {"store_id": store_id, **{f"sku{i}": sku for i, sku in enumerate(wanted)}}
    rows = _store_prices(len(wanted)).execute(session.connection(), params).fetchall()
    prices = {sku: (price, cost) for sku, price, cost in rows}
    if len(prices) < len(wanted):
        require_store(session, store_id)
        absent = [s for s in wanted if s not in prices]
        known = set(session.scalars(select(Product.sku).where(Product.sku.in_(absent))))
        unknown = [s for s in absent if s not in known]
        if unknown:
            raise NotFound(f"unknown SKUs: {', '.join(unknown[:10])}")
        raise NotFound(f"store {store_id!r} does not stock {absent[0]!r}")
    return prices


def _public(p: Product) -> ProductPublic:
    return ProductPublic(
        sku=p.sku,
        name=p.name,
        category=p.category,
        brand=p.brand,
        price_cents=p.price_cents,
        cost_cents=p.cost_cents,
    )
