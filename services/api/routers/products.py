"""Product center over HTTP: catalogue, categories, brands, prices and price changes."""

import datetime as dt

from fastapi import APIRouter

from services.api.deps import AccessDep, NowDep, SessionDep
from services.domain import catalog
from services.schemas import PriceChangeIn, ProductIn, ProductPublic, StorePrice

router = APIRouter(prefix="/products", tags=["products"])


@router.put("")
def upsert_products(products: list[ProductIn], s: SessionDep, a: AccessDep) -> int:
    """Create or update catalogue entries (HQ); returns how many."""
    a.hq()
    return catalog.upsert_products(s, products)


@router.get("")
def list_products(s: SessionDep, a: AccessDep, category: str | None = None) -> list[ProductPublic]:
    """The catalogue, optionally one category."""
    a.staff()
    return catalog.list_products(s, category)


@router.get("/categories")
def categories(s: SessionDep, a: AccessDep) -> list[str]:
    """Categories of the catalogue."""
    a.staff()
    return catalog.categories(s)


@router.get("/brands")
def brands(s: SessionDep, a: AccessDep) -> list[str]:
    """Brands of the catalogue."""
    a.staff()
    return catalog.brands(s)


@router.post("/price-changes", status_code=201)
def schedule_price(change: PriceChangeIn, s: SessionDep, a: AccessDep) -> int:
    """Schedule a price change for a price group or every store (HQ); returns its id."""
    a.hq()
    return catalog.schedule_price(s, change)


@router.get("/prices/{store_id}")
def price_list(
    store_id: str, s: SessionDep, a: AccessDep, now: NowDep, at: dt.datetime | None = None
) -> list[StorePrice]:
    """Prices in force in a store (what labels and ESLs show) and the next change of each."""
    a.store(store_id)
    return catalog.price_list(s, store_id, at or now)
