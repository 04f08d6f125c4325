"""Inventory center over HTTP: stock-take, receipts, shrink, replenishment, stock levels."""

from fastapi import APIRouter

from services.api.deps import AccessDep, IdPath, NowDep, SessionDep, SkuPath, StorePath
from services.api.paging import PageDep
from services.db.models import Replenishment
from services.domain import inventory
from services.domain.errors import NotFound
from services.schemas import (
    ReplenishmentCreate,
    ReplenishmentPublic,
    StockAdjustment,
    StockCount,
    StockLevel,
)

router = APIRouter(prefix="/inventory", tags=["inventory"])


@router.put("/{store_id}/stock-take")
def stock_take(
    store_id: StorePath, counts: list[StockCount], s: SessionDep, a: AccessDep, now: NowDep
) -> int:
    """Record counted quantities (and optionally safety stock); returns rows written."""
    a.store(store_id)
    return inventory.set_stock(s, store_id, counts, now)


@router.post("/{store_id}/receipts", status_code=204)
def receive(
    store_id: StorePath, counts: list[StockCount], s: SessionDep, a: AccessDep, now: NowDep
) -> None:
    """Book goods received into the store."""
    a.store(store_id)
    inventory.receive(s, store_id, counts, now)


@router.post("/{store_id}/adjustments")
def adjust(
    store_id: StorePath, changes: list[StockAdjustment], s: SessionDep, a: AccessDep, now: NowDep
) -> list[StockLevel]:
    """Book shrink, damage, expiry or corrections; returns the new levels."""
    a.store(store_id)
    return inventory.adjust(s, store_id, changes, now)


@router.post("/{store_id}/replenishments", status_code=201)
def order_goods(
    store_id: StorePath, req: ReplenishmentCreate, s: SessionDep, a: AccessDep, now: NowDep
) -> ReplenishmentPublic:
    """Raise a replenishment order."""
    a.store(store_id)
    return inventory.order_goods(s, store_id, req.lines, now)


@router.get("/{store_id}/replenishments")
def replenishments(
    store_id: StorePath, s: SessionDep, a: AccessDep, page: PageDep, open_only: bool = False
) -> list[ReplenishmentPublic]:
    """A store's replenishment orders, newest first."""
    a.store(store_id)
    return page.of(inventory.replenishments(s, store_id, open_only))


@router.post("/replenishments/{replenishment_id}/receipt")
def receive_order(
    replenishment_id: IdPath, s: SessionDep, a: AccessDep, now: NowDep
) -> ReplenishmentPublic:
    """Book the goods of a replenishment order into stock (once)."""
    row = s.get(Replenishment, replenishment_id)
    if row is None:
        raise NotFound(f"no replenishment order {replenishment_id}")
    a.store(row.store_id)
    return inventory.receive_order(s, replenishment_id, now)


@router.get("/{store_id}")
def stock_levels(
    store_id: StorePath, s: SessionDep, a: AccessDep, page: PageDep, below_safety: bool = False
) -> list[StockLevel]:
    """Stock of every SKU of the store, or of those below safety stock, by SKU."""
    a.store(store_id)
    return page.of(inventory.stock_levels(s, store_id, below_safety))


@router.get("/{store_id}/{sku}")
def stock_level(store_id: StorePath, sku: SkuPath, s: SessionDep, a: AccessDep) -> StockLevel:
    """Stock of one SKU."""
    a.store(store_id)
    return inventory.stock_level(s, store_id, sku)
