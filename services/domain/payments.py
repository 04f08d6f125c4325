"""Payment center: charges against orders, idempotent by key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.db.models import Payment
from services.db.prepared import Prepared
from services.domain.errors import Conflict
from services.schemas import PaymentMethod

_PAYMENTS = Payment.__table__
_INSERT = Prepared(insert(_PAYMENTS).returning(_PAYMENTS.c.id))


def charge(
    session: Session,
    order_id: int,
    method: PaymentMethod,
    amount_cents: int,
    idempotency_key: str,
    at: dt.datetime,
) -> int:
    """Charge an order once per key; a retry with the same key returns the first payment's id."""
    existing = session.execute(
        select(_PAYMENTS.c.id, _PAYMENTS.c.order_id, _PAYMENTS.c.amount_cents).where(
            _PAYMENTS.c.idempotency_key == idempotency_key
        )
    ).first()
    if existing is not None:
        if (existing.order_id, existing.amount_cents) != (order_id, amount_cents):
            raise Conflict(f"payment key {idempotency_key!r} was used for another charge")
        return existing.id
    return record(session, order_id, method, amount_cents, idempotency_key, at)


def record(
    session: Session,
    order_id: int,
    method: PaymentMethod,
    amount_cents: int,
    idempotency_key: str,
    at: dt.datetime,
) -> int:
    """Insert a captured payment whose key the caller knows to be new (the key stays unique)."""
    row = _INSERT.execute(
        session.connection(),
        {
            "order_id": order_id,
            "method": method.value,
            "amount_cents": amount_cents,
            "status": "captured",
            "idempotency_key": idempotency_key,
            "created_at": at,
        },
    ).fetchone()
    return row[0]
