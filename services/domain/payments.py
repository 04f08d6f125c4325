"""Payment center: charges and refunds against orders, each once per idempotency key.

A payment's key lives in the scope of the order it pays (``idempotency``):
the same key and request replay the first payment, another request is refused.

Cash, card and mobile are captured as they are; stored value and points are
taken off the member's balance in the same transaction (1 point = 1 cent).
Settling a payment also credits the member (points, tier) and hands out the
gift coupons the payment earned, so the POS checkout and the payment of an
online order share one path.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from services.db.engine import connection_of
from services.db.models import Order, Payment
from services.db.prepared import Prepared, PreparedInsert, PreparedRow
from services.domain import idempotency, marketing, members
from services.domain.errors import Conflict, DomainError, NotFound
from services.domain.pricing import gifts_earned
from services.schemas import OrderStatus, PaymentChannel, PaymentCreate, PaymentPublic

_PAYMENTS = Payment.__table__
_ORDERS = Order.__table__
_INSERT = PreparedInsert(insert(_PAYMENTS), _PAYMENTS.c.id)
_POINTS_EARNED = Prepared(
    update(_ORDERS)
    .where(_ORDERS.c.id == bindparam("o_id"))
    .values(points_earned=bindparam("o_points"))
)
_ORDER_TO_PAY = PreparedRow(
    select(
        _ORDERS.c.id,
        _ORDERS.c.status,
        _ORDERS.c.store_id,
        _ORDERS.c.member_id,
        _ORDERS.c.total_cents,
        _ORDERS.c.key_scope,
    ).where(_ORDERS.c.id == bindparam("o_id"))
)
_STATUS = select(_ORDERS.c.status).where(_ORDERS.c.id == bindparam("o_id"))
_SETTLED = {OrderStatus.paid, OrderStatus.picked, OrderStatus.fulfilled, OrderStatus.refunded}
_MARK_PAID = Prepared(
    update(_ORDERS)
    .where(_ORDERS.c.id == bindparam("o_id"), _ORDERS.c.status == OrderStatus.created.value)
    .values(status=OrderStatus.paid.value, updated_at=bindparam("at"))
)
# payments are written by Core statements only (``record``), never ORM objects, so
# these reads through the connection see everything the transaction did
_PAYMENT_COLUMNS = (
    _PAYMENTS.c.id,
    _PAYMENTS.c.order_id,
    _PAYMENTS.c.method,
    _PAYMENTS.c.amount_cents,
    _PAYMENTS.c.status,
    _PAYMENTS.c.created_at,
    _PAYMENTS.c.request_hash,
)
_PAYMENT_FOR_KEY = PreparedRow(
    select(*_PAYMENT_COLUMNS).where(
        _PAYMENTS.c.key_scope == bindparam("scope"),
        _PAYMENTS.c.idempotency_key == bindparam("key"),
    )
)
_PAYMENT_BY_ID = PreparedRow(select(*_PAYMENT_COLUMNS).where(_PAYMENTS.c.id == bindparam("p_id")))
_CAPTURED = "captured"
BALANCES = {PaymentChannel.stored_value: "stored_value", PaymentChannel.points: "points"}


class Settled(NamedTuple):
    """What settling a payment did besides charging (a named tuple: one per sale)."""

    payment_id: int
    points_earned: int = 0
    gift_coupons: tuple[str, ...] = ()


def require_payer(method: PaymentChannel, member_id: int | None) -> None:
    """Stored value and points belong to a member: paying with them needs one."""
    if method in BALANCES and member_id is None:
        raise DomainError(f"member_id: paying with {method.value} needs a member")


def settle(
    session: Session,
    *,
    order_id: int,
    store_id: str,
    member_id: int | None,
    method: PaymentChannel,
    amount_cents: int,
    key_scope: str,
    idempotency_key: str,
    request_hash: str,
    at: dt.datetime,
    offers=None,
    standing: members.Standing | None = None,
) -> Settled:
    """Charge an order whose key the caller knows to be new in its scope, and credit the member.

    ``offers`` are the promotions in force (fetched when not given), for gifts;
    ``standing`` the member's as this transaction read it (see ``members.earn``).
    """
    require_payer(method, member_id)
    if method in BALANCES:
        members.change(session, member_id, BALANCES[method], -amount_cents, "payment", order_id, at)
    payment_id = record(
        session,
        order_id,
        method,
        amount_cents,
        at,
        key_scope=key_scope,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )
    if member_id is None:
        return Settled(payment_id)
    points = members.earn(session, member_id, amount_cents, order_id, at, standing)
    if points:
        _POINTS_EARNED.execute(connection_of(session), {"o_id": order_id, "o_points": points})
    if offers is None:
        offers = marketing.offers(session, store_id, at)
    templates = [g.rule.template_id for g in gifts_earned(offers, amount_cents, method)]
    codes = marketing.gift(session, templates, member_id, order_id, at)
    return Settled(payment_id, points, tuple(codes))


def record(
    session: Session,
    order_id: int,
    method: PaymentChannel,
    amount_cents: int,
    at: dt.datetime,
    *,
    key_scope: str,
    idempotency_key: str,
    request_hash: str | None,
    status: str = _CAPTURED,
) -> int:
    """Insert a payment whose key the caller knows to be new in its scope (it stays unique)."""
    payment_id = _INSERT.new_id(
        connection_of(session),
        {
            "order_id": order_id,
            "method": method._value_,  # not ``value``: a property, two Python calls a sale
            "amount_cents": amount_cents,
            "status": status,
            "key_scope": key_scope,
            "idempotency_key": idempotency_key,
            "request_hash": request_hash,
            "created_at": at,
        },
    )
    assert payment_id is not None  # a plain insert: it fails or gives its id
    return payment_id


def by_key(session: Session, key_scope: str, idempotency_key: str) -> Row | None:
    """The payment recorded under a key in its scope, if any (columns as attributes)."""
    params = {"scope": key_scope, "key": idempotency_key}
    return _PAYMENT_FOR_KEY.one_or_none(connection_of(session), params)


def charge(session: Session, req: PaymentCreate, now: dt.datetime) -> PaymentPublic:
    """Pay an online order's total; the same key again returns the first payment unchanged.

    Raises:
        NotFound: no such order.
        KeyReused: the key came first with another request (in the order's key scope).
        Conflict: the order is not awaiting payment (already paid, or cancelled).
    """
    conn = connection_of(session)
    order = _ORDER_TO_PAY.one_or_none(conn, {"o_id": req.order_id})
    if order is None:
        raise NotFound(f"no order {req.order_id}")
    request_hash = idempotency.fingerprint(req)
    if (replay := _replay(session, order.key_scope, req, request_hash)) is not None:
        return replay
    at = req.at or now
    moved = _MARK_PAID.execute(conn, {"o_id": order.id, "at": at})
    if moved.rowcount != 1:
        # the same payment may have been committed meanwhile; else say what the order is now
        if (replay := _replay(session, order.key_scope, req, request_hash)) is not None:
            return replay
        status = conn.execute(_STATUS, {"o_id": order.id}).scalar_one()
        if status in _SETTLED:
            now_ = "" if status == OrderStatus.paid.value else f" and is {status} now"
            raise Conflict(f"order {order.id} was already paid{now_}")
        raise Conflict(f"order {order.id} is {status}, not awaiting payment")
    done = settle(
        session,
        order_id=order.id,
        store_id=order.store_id,
        member_id=order.member_id,
        method=req.method,
        amount_cents=order.total_cents,
        key_scope=order.key_scope,
        idempotency_key=req.idempotency_key,
        request_hash=request_hash,
        at=at,
    )
    return PaymentPublic(  # what get_payment would read back
        id=done.payment_id,
        order_id=order.id,
        method=req.method,
        amount_cents=order.total_cents,
        status=_CAPTURED,
        created_at=at,
    )


def _replay(
    session: Session, key_scope: str, req: PaymentCreate, request_hash: str
) -> PaymentPublic | None:
    """The payment this key already made for this request; KeyReused if for another."""
    existing = by_key(session, key_scope, req.idempotency_key)
    if existing is None:
        return None
    idempotency.same_request(req.idempotency_key, existing.request_hash, request_hash)
    return public(existing)


def get_payment(session: Session, payment_id: int) -> PaymentPublic:
    """One payment or refund."""
    row = _PAYMENT_BY_ID.one_or_none(connection_of(session), {"p_id": payment_id})
    if row is None:
        raise NotFound(f"no payment {payment_id}")
    return public(row)


def for_order(session: Session, order_id: int) -> list[PaymentPublic]:
    """An order's charges and refunds, oldest first."""
    rows = session.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id))
    return [public(p) for p in rows]


def public(p: Payment | Row) -> PaymentPublic:
    """The public form of a payment row."""
    return PaymentPublic(
        id=p.id,
        order_id=p.order_id,
        method=p.method,
        amount_cents=p.amount_cents,
        status=p.status,
        created_at=p.created_at,
    )
