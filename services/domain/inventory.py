"""Inventory center: on-hand, reserved and safety stock per store and SKU.

Every change is a conditional UPDATE (the condition in the WHERE clause), so
two requests racing for the last unit cannot both succeed on any database.
Rows are always changed in SKU order, so two baskets with the same items in
another order queue for them instead of deadlocking on PostgreSQL.
a sale needs ``on_hand - reserved >= qty`` (goods reserved for online orders
are not sold twice), a reservation the same, a release ``reserved >= qty``.
The table's CHECK constraints back this up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from services.db.dialect import upsert
from services.db.engine import connection_of
from services.db.models import Inventory, Replenishment, StockMovement
from services.db.prepared import Prepared
from services.domain.errors import Conflict, NotFound, OutOfStock
from services.domain.stores import require_store
from services.schemas import (
    ReplenishmentPublic,
    ReplenishmentStatus,
    StockAdjustment,
    StockCount,
    StockLevel,
)

_INV = Inventory.__table__
_QTY = bindparam("s_qty")
_LINE = (_INV.c.store_id == bindparam("s_id"), _INV.c.sku == bindparam("s_sku"))
_FREE = _INV.c.on_hand - _INV.c.reserved
_RECEIVE = Prepared(update(_INV).where(*_LINE).values(on_hand=_INV.c.on_hand + _QTY))
_DEDUCT = Prepared(update(_INV).where(*_LINE, _FREE >= _QTY).values(on_hand=_INV.c.on_hand - _QTY))
_RESERVE = Prepared(
    update(_INV).where(*_LINE, _FREE >= _QTY).values(reserved=_INV.c.reserved + _QTY)
)
_RELEASE = Prepared(
    update(_INV).where(*_LINE, _INV.c.reserved >= _QTY).values(reserved=_INV.c.reserved - _QTY)
)
_TAKE_RESERVED = Prepared(
    update(_INV)
    .where(*_LINE, _INV.c.reserved >= _QTY)
    .values(on_hand=_INV.c.on_hand - _QTY, reserved=_INV.c.reserved - _QTY)
)
_ADJUST = Prepared(
    update(_INV)
    .where(*_LINE, _INV.c.on_hand + _QTY >= _INV.c.reserved)
    .values(on_hand=_INV.c.on_hand + _QTY)
)
_MOVE = Prepared(insert(StockMovement.__table__))


def set_stock(
    session: Session, store_id: str, counts: Iterable[StockCount], at: dt.datetime
) -> int:
    """Record a stock-take: on-hand becomes the counted quantity. Returns rows written.

    A difference against the book is kept as a ``stocktake`` movement (found
    shrink). A count below what is reserved for online orders is refused.
    """
    require_store(session, store_id)
    counts = sorted(counts, key=lambda c: c.sku)  # rows locked in SKU order, as everywhere
    book = dict(
        session.execute(
            select(_INV.c.sku, _INV.c.on_hand).where(
                _INV.c.store_id == store_id, _INV.c.sku.in_([c.sku for c in counts])
            )
        ).all()
    )
    reserved = dict(
        session.execute(
            select(_INV.c.sku, _INV.c.reserved).where(
                _INV.c.store_id == store_id, _INV.c.reserved > 0
            )
        ).all()
    )
    for c in counts:
        if c.qty < reserved.get(c.sku, 0):
            raise Conflict(f"{c.sku}: counted {c.qty} but {reserved[c.sku]} are reserved")
    rows = [
        {"store_id": store_id, "sku": c.sku, "on_hand": c.qty}
        | ({"safety_stock": c.safety_stock} if c.safety_stock is not None else {})
        for c in counts
    ]
    written = 0
    for keys in {frozenset(r) for r in rows}:  # one upsert per column set
        written += upsert(
            session, _INV, [r for r in rows if frozenset(r) == keys], ["store_id", "sku"]
        )
    _record(
        session,
        store_id,
        {c.sku: c.qty - book[c.sku] for c in counts if c.sku in book and c.qty != book[c.sku]},
        "stocktake",
        at,
    )
    return written


def receive(session: Session, store_id: str, counts: Iterable[StockCount], at: dt.datetime) -> None:
    """Book a delivery of goods into the store: on-hand goes up."""
    moved = {c.sku: c.qty for c in counts if c.qty}
    params = _params(store_id, moved)
    if params and not _apply(session, _RECEIVE, params):
        require_store(session, store_id)
        raise NotFound(f"store {store_id!r} does not stock some of {sorted(moved)[:10]}")
    _record(session, store_id, moved, "receipt", at)


def adjust(
    session: Session, store_id: str, changes: Iterable[StockAdjustment], at: dt.datetime
) -> list[StockLevel]:
    """Book shrink, damage, expiry or corrections; on-hand may not fall below what is reserved."""
    changes = list(changes)
    for c in sorted(changes, key=lambda c: c.sku):  # rows locked in SKU order, as everywhere
        if not _apply(session, _ADJUST, _params(store_id, {c.sku: c.delta})):
            level = stock_level(session, store_id, c.sku)  # NotFound if not stocked
            raise Conflict(
                f"{c.sku}: a change of {c.delta} would leave {level.on_hand + c.delta} on hand, "
                f"below the {level.reserved} reserved"
            )
        _record(session, store_id, {c.sku: c.delta}, c.reason.value, at)
    return [stock_level(session, store_id, sku) for sku in dict.fromkeys(c.sku for c in changes)]


def deduct(session: Session, store_id: str, quantities: Mapping[str, int]) -> None:
    """Take sold units off the book; raises OutOfStock (caller rolls back) if any is short."""
    if not _apply(session, _DEDUCT, _params(store_id, quantities)):
        _explain_shortage(session, store_id, quantities)


def reserve(session: Session, store_id: str, quantities: Mapping[str, int]) -> None:
    """Hold units for an online order; raises OutOfStock (caller rolls back) if any is short."""
    if not _apply(session, _RESERVE, _params(store_id, quantities)):
        _explain_shortage(session, store_id, quantities)


def release(session: Session, store_id: str, quantities: Mapping[str, int]) -> None:
    """Give back units held for an order that will not be fulfilled."""
    if not _apply(session, _RELEASE, _params(store_id, quantities)):
        raise Conflict(f"store {store_id!r} holds fewer reserved units than the order")


def take_reserved(session: Session, store_id: str, quantities: Mapping[str, int]) -> None:
    """Hand reserved units over to the customer: on-hand and reserved both go down."""
    if not _apply(session, _TAKE_RESERVED, _params(store_id, quantities)):
        raise Conflict(f"store {store_id!r} holds fewer reserved units than the order")


def put_back(session: Session, store_id: str, quantities: Mapping[str, int], at: dt.datetime):
    """Returned goods go back on the book (a refund of a fulfilled order)."""
    _apply(session, _RECEIVE, _params(store_id, quantities))
    _record(session, store_id, dict(quantities), "return", at)


def _params(store_id: str, quantities: Mapping[str, int]) -> list[dict]:
    """One parameter set per line, in SKU order: the order every transaction locks rows in."""
    return [{"s_id": store_id, "s_sku": s, "s_qty": quantities[s]} for s in sorted(quantities)]


def _record(session: Session, store_id: str, deltas: Mapping[str, int], why: str, at) -> None:
    rows = [
        {"store_id": store_id, "sku": sku, "delta": d, "reason": why, "at": at}
        for sku, d in deltas.items()
        if d
    ]
    if rows:
        _MOVE.executemany(connection_of(session), rows)


def _apply(session: Session, stmt: Prepared, params: list[dict]) -> bool:
    """Run a one-row-per-line UPDATE for every line; True if each line hit its row.

    Sent as one executemany where the driver sums row counts reliably.
    """
    conn = connection_of(session)
    if conn.dialect.supports_sane_multi_rowcount:
        return stmt.executemany(conn, params).rowcount == len(params)
    return all(stmt.execute(conn, p).rowcount == 1 for p in params)


def _explain_shortage(session: Session, store_id: str, quantities: Mapping[str, int]) -> None:
    """Raise the error that says why a deduction or reservation failed (the caller rolls back)."""
    require_store(session, store_id)
    free = dict(
        session.execute(
            select(_INV.c.sku, _FREE).where(
                _INV.c.store_id == store_id, _INV.c.sku.in_(list(quantities))
            )
        ).all()
    )
    for sku, qty in quantities.items():
        if sku not in free:
            raise NotFound(f"store {store_id!r} does not stock {sku!r}")
        if free[sku] < qty:
            raise OutOfStock(store_id, sku, qty)
    raise OutOfStock(store_id, next(iter(quantities)), 0)  # a concurrent sale took it meanwhile


def stock_level(session: Session, store_id: str, sku: str) -> StockLevel:
    """Book stock of one SKU in one store."""
    row = session.get(Inventory, (store_id, sku), populate_existing=True)
    if row is None:
        raise NotFound(f"store {store_id!r} does not stock {sku!r}")
    return _level(row)


def stock_levels(session: Session, store_id: str, below_safety: bool = False) -> list[StockLevel]:
    """Book stock of every SKU the store carries (or only those below safety), by SKU."""
    require_store(session, store_id)
    # the columns as Core rows, not ORM objects: nothing to keep in the identity map,
    # so nothing stale to refresh, and a store's few hundred rows load some 5x faster
    stmt = select(*_LEVEL).where(_INV.c.store_id == store_id).order_by(_INV.c.sku)
    if below_safety:
        stmt = stmt.where(_INV.c.safety_stock > _FREE)
    return [_level(r) for r in session.execute(stmt)]


_LEVEL = (_INV.c.store_id, _INV.c.sku, _INV.c.on_hand, _INV.c.reserved, _INV.c.safety_stock)


def _level(r: Inventory | Row) -> StockLevel:
    return StockLevel(
        store_id=r.store_id,
        sku=r.sku,
        on_hand=r.on_hand,
        reserved=r.reserved,
        safety_stock=r.safety_stock,
    )


def order_goods(
    session: Session, store_id: str, lines: Iterable[StockCount], at: dt.datetime
) -> ReplenishmentPublic:
    """Raise a replenishment (purchase) order for a store."""
    require_store(session, store_id)
    lines = list(lines)
    missing = {c.sku for c in lines} - set(
        session.scalars(
            select(_INV.c.sku).where(
                _INV.c.store_id == store_id, _INV.c.sku.in_([c.sku for c in lines])
            )
        )
    )
    if missing:
        raise NotFound(f"store {store_id!r} does not stock {sorted(missing)[:10]}")
    row = Replenishment(
        store_id=store_id,
        status=ReplenishmentStatus.ordered.value,
        lines=[{"sku": c.sku, "qty": c.qty} for c in lines],
        created_at=at,
    )
    session.add(row)
    session.flush()
    return _replenishment(row)


def receive_order(session: Session, replenishment_id: int, at: dt.datetime) -> ReplenishmentPublic:
    """Book the goods of a replenishment order into stock, once."""
    done = session.execute(
        update(Replenishment)
        .where(
            Replenishment.id == replenishment_id,
            Replenishment.status == ReplenishmentStatus.ordered.value,
        )
        .values(status=ReplenishmentStatus.received.value, received_at=at)
    )
    row = session.get(Replenishment, replenishment_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no replenishment order {replenishment_id}")
    if done.rowcount != 1:
        raise Conflict(f"replenishment order {replenishment_id} was already received")
    receive(session, row.store_id, [StockCount(**line) for line in row.lines], at)
    return _replenishment(row)


def replenishments(session: Session, store_id: str, open_only: bool = False):
    """A store's replenishment orders, newest first."""
    require_store(session, store_id)
    stmt = select(Replenishment).where(Replenishment.store_id == store_id)
    if open_only:
        stmt = stmt.where(Replenishment.status == ReplenishmentStatus.ordered.value)
    return [_replenishment(r) for r in session.scalars(stmt.order_by(Replenishment.id.desc()))]


def _replenishment(r: Replenishment) -> ReplenishmentPublic:
    return ReplenishmentPublic(
        id=r.id,
        store_id=r.store_id,
        status=r.status,
        lines=[StockCount(**line) for line in r.lines],
        created_at=r.created_at,
        received_at=r.received_at,
    )
