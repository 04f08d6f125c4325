"""Product center over HTTP: catalogue, categories, brands, prices and price changes."""

from fastapi import APIRouter

from services.api.deps import AccessDep, AtQuery, NowDep, OptTextQuery, SessionDep, StorePath
from services.api.paging import PageDep
from services.domain import catalog
from services.schemas import PriceChangeIn, ProductIn, ProductPublic, StorePrice

router = APIRouter(prefix="/products", tags=["products"])


@router.put("")
def upsert_products(products: list[ProductIn], s: SessionDep, a: AccessDep) -> int:
    """Create or update catalogue entries (HQ); returns how many."""
    a.hq()
    return catalog.upsert_products(s, products)


@router.get("")
def list_products(
    s: SessionDep, a: AccessDep, page: PageDep, category: OptTextQuery = None
) -> list[ProductPublic]:
    """The catalogue, optionally one category, by SKU."""
    a.staff()
    return page.of(catalog.list_products(s, category))


@router.get("/categories")
def categories(s: SessionDep, a: AccessDep, page: PageDep) -> list[str]:
    """Categories of the catalogue, sorted."""
    a.staff()
    return page.of(catalog.categories(s))


@router.get("/brands")
def brands(s: SessionDep, a: AccessDep, page: PageDep) -> list[str]:
    """Brands of the catalogue, sorted."""
    a.staff()
    return page.of(catalog.brands(s))


@router.post("/price-changes", status_code=201)
def schedule_price(change: PriceChangeIn, s: SessionDep, a: AccessDep) -> int:
    """Schedule a price change for a price group or every store (HQ); returns its id."""
    a.hq()
    return catalog.schedule_price(s, change)


@router.get("/prices/{store_id}")
def price_list(
    store_id: StorePath,
    s: SessionDep,
    a: AccessDep,
    now: NowDep,
    page: PageDep,
    at: AtQuery = None,
) -> list[StorePrice]:
    """Prices in force in a store (what labels and ESLs show) and the next change of each."""
    a.store(store_id)
    return page.of(catalog.price_list(s, store_id, at or now))
