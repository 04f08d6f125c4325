"""Inventory center: book stock per store and SKU, which never goes below zero.

Deductions are conditional updates (``on_hand >= qty`` in the WHERE clause), so
two sales racing for the last unit cannot both succeed on any database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from services.db.dialect import upsert
from services.db.models import Inventory
from services.db.prepared import Prepared
from services.domain.catalog import require_store
from services.domain.errors import NotFound, OutOfStock
from services.schemas import StockCount, StockLevel

_INV = Inventory.__table__
_LINE = (_INV.c.store_id == bindparam("s_id"), _INV.c.sku == bindparam("s_sku"))
_RECEIVE = Prepared(update(_INV).where(*_LINE).values(on_hand=_INV.c.on_hand + bindparam("s_qty")))
_DEDUCT = Prepared(
    update(_INV)
    .where(*_LINE, _INV.c.on_hand >= bindparam("s_qty"))
    .values(on_hand=_INV.c.on_hand - bindparam("s_qty"))
)


def set_stock(session: Session, store_id: str, counts: Iterable[StockCount]) -> int:
    """Record a stock-take: on-hand becomes the counted quantity. Returns rows written."""
    require_store(session, store_id)
    rows = [{"store_id": store_id, "sku": c.sku, "on_hand": c.qty} for c in counts]
    return upsert(session, Inventory.__table__, rows, ["store_id", "sku"])


def receive(session: Session, store_id: str, counts: Iterable[StockCount]) -> None:
    """Book a delivery of goods into the store: on-hand goes up."""
    params = [{"s_id": store_id, "s_sku": c.sku, "s_qty": c.qty} for c in counts if c.qty]
    if params and not _apply(session, _RECEIVE, params):
        require_store(session, store_id)
        raise NotFound(f"store {store_id!r} does not stock some of {[p['s_sku'] for p in params]}")


def deduct(session: Session, store_id: str, quantities: Mapping[str, int]) -> None:
    """Take sold units off the book; raises OutOfStock (caller rolls back) if any is short."""
    params = [{"s_id": store_id, "s_sku": sku, "s_qty": q} for sku, q in quantities.items()]
    if not _apply(session, _DEDUCT, params):
        _explain_shortage(session, store_id, quantities)


def _apply(session: Session, stmt: Prepared, params: list[dict]) -> bool:
    """Run a one-row-per-line UPDATE for every line; True if each line hit its row.

    Sent as one executemany where the driver sums row counts reliably.
    """
    conn = session.connection()
    if conn.dialect.supports_sane_multi_rowcount:
        return stmt.executemany(conn, params).rowcount == len(params)
    return all(stmt.execute(conn, p).rowcount == 1 for p in params)


def _explain_shortage(session: Session, store_id: str, quantities: Mapping[str, int]) -> None:
    """Raise the error that says why a deduction failed (the caller rolls back)."""
    require_store(session, store_id)
    on_hand = dict(
        session.execute(
            select(_INV.c.sku, _INV.c.on_hand).where(
                _INV.c.store_id == store_id, _INV.c.sku.in_(list(quantities))
            )
        ).all()
    )
    for sku, qty in quantities.items():
        if sku not in on_hand:
            raise NotFound(f"store {store_id!r} does not stock {sku!r}")
        if on_hand[sku] < qty:
            raise OutOfStock(store_id, sku, qty)
    raise OutOfStock(store_id, next(iter(quantities)), 0)  # a concurrent sale took it meanwhile


def stock_level(session: Session, store_id: str, sku: str) -> StockLevel:
    """Book stock of one SKU in one store."""
    row = session.get(Inventory, (store_id, sku))
    if row is None:
        raise NotFound(f"store {store_id!r} does not stock {sku!r}")
    return StockLevel(store_id=store_id, sku=sku, on_hand=row.on_hand, reserved=row.reserved)


def stock_levels(session: Session, store_id: str) -> list[StockLevel]:
    """Book stock of every SKU the store carries, ordered by SKU."""
    require_store(session, store_id)
    rows = session.scalars(
        select(Inventory).where(Inventory.store_id == store_id).order_by(Inventory.sku)
    )
    return [
        StockLevel(store_id=store_id, sku=r.sku, on_hand=r.on_hand, reserved=r.reserved)
        for r in rows
    ]
