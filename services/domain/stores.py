"""Store center: the chain's store profiles (format, size, region, hours, status, price group)."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from services.db import readcache
from services.db.engine import connection_of
from services.db.models import Store
from services.db.prepared import Prepared
from services.domain.errors import NotFound
from services.schemas import StoreIn, StorePublic

_EXISTS = Prepared(select(Store.id).where(Store.id == bindparam("s_id")))


def upsert_store(session: Session, store: StoreIn) -> StorePublic:
    """Register a store, or update its whole profile."""
    readcache.invalidate(session)  # its price group picks its prices
    session.merge(Store(**store.model_dump()))
    return StorePublic(**store.model_dump())


def require_store(session: Session, store_id: str) -> Store:
    """The store with this id, or NotFound."""
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound(f"no store {store_id!r}")
    return store


def check_store(session: Session, store_id: str) -> None:
    """NotFound unless the store exists; for hot paths that need no profile."""
    if _EXISTS.execute(connection_of(session), {"s_id": store_id}).fetchone() is None:
        raise NotFound(f"no store {store_id!r}")


def get_store(session: Session, store_id: str) -> StorePublic:
    """One store's profile."""
    return _public(require_store(session, store_id))


def list_stores(session: Session, region: str | None = None) -> list[StorePublic]:
    """Every store of the chain (optionally one region), ordered by id."""
    stmt = select(Store).order_by(Store.id)
    if region is not None:
        stmt = stmt.where(Store.region == region)
    return [_public(s) for s in session.scalars(stmt)]


def _public(s: Store) -> StorePublic:
    return StorePublic(
        id=s.id,
        name=s.name,
        format=s.format,
        currency=s.currency,
        region=s.region,
        size_m2=s.size_m2,
        opens=s.opens,
        closes=s.closes,
        status=s.status,
        price_group=s.price_group,
    )
