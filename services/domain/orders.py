"""Order center: the in-store sale (order, payment, stock) as one idempotent transaction."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from services.db.dialect import insert_on_conflict
from services.db.models import Order, OrderLine, Payment
from services.db.prepared import Prepared
from services.domain import catalog, inventory, payments
from services.domain.errors import NotFound
from services.schemas import (
    CheckoutRequest,
    OrderStatus,
    PaymentMethod,
    Receipt,
    ReceiptLine,
)


def checkout(session: Session, req: CheckoutRequest, now: dt.datetime) -> Receipt:
    """Sell the lines at current prices, charge the payment and deduct stock.

    A request whose idempotency key was already used returns the first receipt
    and changes nothing. Raises OutOfStock or NotFound, after which the caller
    must roll back: nothing of the sale is kept.
    """
    qty: Counter[str] = Counter()
    for line in req.lines:
        qty[line.sku] += line.qty
    prices = catalog.store_prices(session, req.store_id, list(qty))
    lines = [
        ReceiptLine(sku=sku, qty=n, unit_price_cents=prices[sku][0], unit_cost_cents=prices[sku][1])
        for sku, n in qty.items()
    ]
    sale = _receipt(0, req.store_id, OrderStatus.fulfilled, req.payment_method, lines)
    at = req.at or now
    # Inserting first, with the key unique, is both the idempotency check and the claim.
    conn = session.connection()
    claimed = (
        _claim_order(conn.dialect.name)
        .execute(
            conn,
            {
                "store_id": req.store_id,
                "channel": "in_store",
                "status": sale.status.value,
                "idempotency_key": req.idempotency_key,
                "items": sale.items,
                "total_cents": sale.total_cents,
                "cost_cents": sale.cost_cents,
                "created_at": at,
            },
        )
        .fetchone()
    )
    if claimed is None:
        return receipt(session, _order_id_for_key(session, req.idempotency_key))
    order_id = claimed[0]
    inventory.deduct(session, req.store_id, qty)
    _INSERT_LINES.executemany(conn, [{"order_id": order_id, **line.model_dump()} for line in lines])
    payments.record(
        session, order_id, req.payment_method, sale.total_cents, req.idempotency_key, at
    )
    return sale.model_copy(update={"order_id": order_id})


def receipt(session: Session, order_id: int) -> Receipt:
    """The receipt of an existing order."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"no order {order_id}")
    lines = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
    ).all()
    method = session.scalar(select(Payment.method).where(Payment.order_id == order_id))
    return _receipt(
        order.id,
        order.store_id,
        OrderStatus(order.status),
        PaymentMethod(method),
        [
            ReceiptLine(
                sku=x.sku,
                qty=x.qty,
                unit_price_cents=x.unit_price_cents,
                unit_cost_cents=x.unit_cost_cents,
            )
            for x in lines
        ],
    )


def _receipt(
    order_id: int,
    store_id: str,
    status: OrderStatus,
    method: PaymentMethod,
    lines: list[ReceiptLine],
) -> Receipt:
    return Receipt(
        order_id=order_id,
        store_id=store_id,
        status=status,
        payment_method=method,
        items=sum(x.qty for x in lines),
        total_cents=sum(x.qty * x.unit_price_cents for x in lines),
        cost_cents=sum(x.qty * x.unit_cost_cents for x in lines),
        lines=lines,
    )


_ORDERS = Order.__table__
_INSERT_LINES = Prepared(insert(OrderLine.__table__))
_ORDER_FOR_KEY = select(_ORDERS.c.id).where(_ORDERS.c.idempotency_key == bindparam("key"))


@cache
def _claim_order(dialect: str) -> Prepared:
    """INSERT of a new order that does nothing (returns no row) if its key was used."""
    return Prepared(
        insert_on_conflict(dialect, _ORDERS)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(_ORDERS.c.id)
    )


def _order_id_for_key(session: Session, key: str) -> int:
    return session.connection().execute(_ORDER_FOR_KEY, {"key": key}).scalar_one()
