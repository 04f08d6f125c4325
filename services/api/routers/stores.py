"""Store center over HTTP: store profiles of the chain."""

from fastapi import APIRouter

from services.api.deps import AccessDep, OptTextQuery, SessionDep, StorePath
from services.api.paging import PageDep
from services.domain import stores
from services.domain.errors import DomainError
from services.schemas import StoreIn, StorePublic

router = APIRouter(prefix="/stores", tags=["stores"])


@router.put("/{store_id}")
def register_store(store_id: StorePath, store: StoreIn, s: SessionDep, a: AccessDep) -> StorePublic:
    """Create or replace a store profile (HQ)."""
    a.hq()
    if store.id != store_id:
        raise DomainError(f"id: {store.id!r} differs from the path's {store_id!r}")
    return stores.upsert_store(s, store)


@router.get("")
def list_stores(
    s: SessionDep, a: AccessDep, page: PageDep, region: OptTextQuery = None
) -> list[StorePublic]:
    """Every store of the chain (HQ and stores), by id."""
    a.staff()
    return page.of(stores.list_stores(s, region))


@router.get("/{store_id}")
def get_store(store_id: StorePath, s: SessionDep, a: AccessDep) -> StorePublic:
    """One store's profile."""
    a.staff()
    return stores.get_store(s, store_id)
