"""Product center: the chain's catalogue and the price each store charges at a given time.

A store's price of a SKU is the latest price change in force for the store's
price group (a change with no group applies to every store; at the same
moment a group's own change wins), else the product's list price. Shelf labels
and ESLs read the same rule through ``price_list``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cache

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.orm import Session

from services.db import readcache
from services.db.dialect import upsert
from services.db.engine import connection_of
from services.db.models import Inventory, PriceChange, Product, Store
from services.db.prepared import Prepared
from services.domain.errors import NotFound
from services.domain.stores import require_store
from services.schemas import PriceChangeIn, ProductIn, ProductPublic, StorePrice

_PRODUCTS = Product.__table__
_INVENTORY = Inventory.__table__
_CHANGES = PriceChange.__table__
_STORES = Store.__table__


def upsert_products(session: Session, products: Iterable[ProductIn]) -> int:
    """Create or update catalogue entries; returns how many were written."""
    # vars() is model_dump() for these flat entries (no serializers, no nesting), at a
    # fraction of the cost: a twin's run loads a catalogue of some hundreds each time
    rows = [dict(vars(p)) for p in products]
    readcache.invalidate(session)
    return upsert(session, _PRODUCTS, rows, ["sku"])


def list_products(session: Session, category: str | None = None) -> list[ProductPublic]:
    """The catalogue, optionally one category, ordered by SKU."""
    stmt = select(Product).order_by(Product.sku)
    if category is not None:
        stmt = stmt.where(Product.category == category)
    return [_public(p) for p in session.scalars(stmt)]


def categories(session: Session) -> list[str]:
    """Categories of the catalogue, sorted."""
    return list(session.scalars(select(Product.category).distinct().order_by(Product.category)))


def brands(session: Session) -> list[str]:
    """Brands of the catalogue, sorted."""
    return list(session.scalars(select(Product.brand).distinct().order_by(Product.brand)))


def require_products(session: Session, skus: Iterable[str]) -> None:
    """Raise NotFound naming the SKUs that are not in the catalogue."""
    wanted = set(skus)
    known = set(session.scalars(select(Product.sku).where(Product.sku.in_(wanted))))
    unknown = sorted(wanted - known)
    if unknown:
        raise NotFound(f"unknown SKUs: {', '.join(unknown[:10])}")


def schedule_price(session: Session, change: PriceChangeIn) -> int:
    """Record a price change (it takes effect at ``effective_at``); returns its id."""
    require_products(session, [change.sku])
    row = PriceChange(**change.model_dump())
    readcache.invalidate(session)
    session.add(row)
    session.flush()
    return row.id


def _price_in_force(at: ColumnElement) -> ColumnElement:
    """The price of the outer query's product for the outer query's store at ``at``."""
    latest = (
        select(_CHANGES.c.price_cents)
        .where(
            _CHANGES.c.sku == _PRODUCTS.c.sku,
            _CHANGES.c.effective_at <= at,
            or_(_CHANGES.c.price_group.is_(None), _CHANGES.c.price_group == _STORES.c.price_group),
        )
        .order_by(
            _CHANGES.c.effective_at.desc(), _CHANGES.c.price_group.is_(None), _CHANGES.c.id.desc()
        )
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(latest, _PRODUCTS.c.price_cents)


_STOCKED = _INVENTORY.join(_PRODUCTS, _INVENTORY.c.sku == _PRODUCTS.c.sku).join(
    _STORES, _STORES.c.id == _INVENTORY.c.store_id
)


@cache
def _store_prices(n: int) -> Prepared:
    """Prices of ``n`` SKUs (params sku0..sku{n-1}) that store ``store_id`` carries, at ``at``."""
    return Prepared(
        select(_PRODUCTS.c.sku, _price_in_force(bindparam("at")), _PRODUCTS.c.cost_cents)
        .select_from(_STOCKED)
        .where(
            _INVENTORY.c.store_id == bindparam("store_id"),
            _PRODUCTS.c.sku.in_([bindparam(f"sku{i}") for i in range(n)]),
        )
    )


def store_prices(
    session: Session, store_id: str, skus: Sequence[str], at: dt.datetime
) -> dict[str, tuple[int, int]]:
    """(price_cents, cost_cents) at ``at`` of SKUs the store carries.

    Raises:
        NotFound: the store does not exist, a SKU is unknown, or the store does not carry it.
    """
    cache = readcache.of(session)
    if cache is not None and at.tzinfo is None:
        book = cache.prices.get(store_id)
        if book is None or not book.covers(at):
            book = cache.prices[store_id] = _price_book(session, store_id, at)
        value = book.value
        try:  # one look-up a SKU, not a test and then a look-up
            return {s: value[s] for s in skus}
        except KeyError:  # a SKU the book does not know: the query says why
            del cache.prices[store_id]
    wanted = sorted(set(skus))
    params = {"store_id": store_id, "at": at, **{f"sku{i}": s for i, s in enumerate(wanted)}}
    rows = _store_prices(len(wanted)).execute(connection_of(session), params).fetchall()
    prices = {sku: (price, cost) for sku, price, cost in rows}
    if len(prices) < len(wanted):
        require_store(session, store_id)
        absent = [s for s in wanted if s not in prices]
        require_products(session, absent)
        raise NotFound(f"store {store_id!r} does not stock {absent[0]!r}")
    return prices


def _price_book(session: Session, store_id: str, at: dt.datetime) -> readcache.Held:
    """Every price of the store at ``at`` (the rule of ``store_prices``) and how long it holds.

    The book holds from the latest price change in force for the store's group
    to the next one scheduled: no change takes effect in between.
    """
    conn = connection_of(session)
    rows = conn.execute(_STORE_BOOK, {"store_id": store_id, "at": at}).all()
    times = conn.execute(_CHANGE_TIMES, {"store_id": store_id}).scalars().all()
    prices = {sku: (price, cost) for sku, price, cost in rows}
    return readcache.Held(prices, *readcache.window(times, at))


_STORE_BOOK = (
    select(_PRODUCTS.c.sku, _price_in_force(bindparam("at")), _PRODUCTS.c.cost_cents)
    .select_from(_STOCKED)
    .where(_INVENTORY.c.store_id == bindparam("store_id"))
)
_CHANGE_TIMES = select(_CHANGES.c.effective_at).where(
    or_(
        _CHANGES.c.price_group.is_(None),
        _CHANGES.c.price_group
        == select(_STORES.c.price_group)
        .where(_STORES.c.id == bindparam("store_id"))
        .scalar_subquery(),
    )
)


def price_list(session: Session, store_id: str, at: dt.datetime) -> list[StorePrice]:
    """What every label in the store should show at ``at``, with the next scheduled change."""
    store = require_store(session, store_id)
    rows = session.execute(
        select(_PRODUCTS.c.sku, _PRODUCTS.c.price_cents, _price_in_force(bindparam("at")))
        .select_from(_STOCKED)
        .where(_INVENTORY.c.store_id == store_id)
        .order_by(_PRODUCTS.c.sku),
        {"at": at},
    ).all()
    upcoming = session.execute(
        select(_CHANGES.c.sku, _CHANGES.c.price_cents, _CHANGES.c.effective_at)
        .where(
            _CHANGES.c.effective_at > at,
            or_(_CHANGES.c.price_group.is_(None), _CHANGES.c.price_group == store.price_group),
        )
        .order_by(_CHANGES.c.effective_at.desc(), _CHANGES.c.price_group.is_(None).desc())
    ).all()
    nxt = {sku: (price, when) for sku, price, when in upcoming}  # the earliest wins (last)
    return [
        StorePrice(
            sku=sku,
            list_price_cents=list_price,
            price_cents=price,
            next_price_cents=nxt.get(sku, (None, None))[0],
            next_effective_at=nxt.get(sku, (None, None))[1],
        )
        for sku, list_price, price in rows
    ]


def _public(p: Product) -> ProductPublic:
    return ProductPublic(
        sku=p.sku,
        name=p.name,
        category=p.category,
        brand=p.brand,
        price_cents=p.price_cents,
        cost_cents=p.cost_cents,
        department=p.department,
    )
