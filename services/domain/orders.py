"""Order center: one place for POS sales and online orders, and their lifecycle.

An in-store sale (``checkout``) is one idempotent transaction: price the
basket (store prices, best promotion, at most one coupon), claim the order by
its key (scoped to the caller and bound to the request: ``idempotency``),
deduct stock, charge, credit the member. An online order (pickup or
delivery) is created with its stock reserved and moves
created -> paid -> picked -> fulfilled, or to cancelled / refunded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from services.db.dialect import insert_on_conflict
from services.db.engine import connection_of, retrying
from services.db.models import Delivery, Order, OrderLine, Payment, Promotion
from services.db.prepared import Prepared, PreparedInsert, PreparedRow, PreparedRows
from services.domain import catalog, idempotency, inventory, marketing, members, payments, pricing
from services.domain.errors import Conflict, DomainError, NotFound
from services.domain.replies import reply
from services.schemas import (
    Channel,
    CheckoutLine,
    CheckoutRequest,
    OrderCreate,
    OrderPublic,
    OrderStatus,
    PaymentChannel,
    Receipt,
    ReceiptLine,
    RefundCreate,
)

OPEN = (OrderStatus.created, OrderStatus.paid, OrderStatus.picked)
_ORDERS = Order.__table__
_INSERT_LINES = PreparedRows(OrderLine.__table__)
_LINES = OrderLine.__table__
_ORDER_FOR_KEY = select(_ORDERS.c.id, _ORDERS.c.request_hash).where(
    _ORDERS.c.key_scope == bindparam("scope"), _ORDERS.c.idempotency_key == bindparam("key")
)
# orders and their lines are written by Core statements only (never ORM objects), so
# these reads through the connection see everything the transaction did
_ORDER_BY_ID = PreparedRow(select(_ORDERS).where(_ORDERS.c.id == bindparam("o_id")))
# text and integers only, which the driver gives as the Core path would: run prepared
_LINES_OF = Prepared(
    select(_LINES.c.sku, _LINES.c.qty, _LINES.c.unit_price_cents, _LINES.c.unit_cost_cents)
    .where(_LINES.c.order_id == bindparam("o_id"))
    .order_by(_LINES.c.id)
)
_NEW_DELIVERY = Prepared(insert(Delivery.__table__))


@cache
def _move_from(allowed: int) -> Prepared:
    """UPDATE of an order's status if it is one of ``allowed`` statuses (params s0, s1, ...)."""
    return Prepared(
        update(_ORDERS)
        .where(
            _ORDERS.c.id == bindparam("o_id"),
            _ORDERS.c.status.in_([bindparam(f"s{i}") for i in range(allowed)]),
        )
        .values(status=bindparam("to"), updated_at=bindparam("at"))
    )


class _Basket:
    """A priced basket: lines at store prices and the stacking rule's outcome."""

    def __init__(
        self,
        session: Session,
        store_id: str,
        lines: Sequence[CheckoutLine],
        member_id: int | None,
        coupon_codes: Sequence[str],
        method: PaymentChannel | None,
        at: dt.datetime,
    ):
        qty: dict[str, int] = {}
        for line in lines:
            # one read of the fields, not three: a pydantic model's class has a
            # __getattr__, so each attribute read takes CPython's slow path
            d = line.__dict__
            sku = d["sku"]
            qty[sku] = qty.get(sku, 0) + d["qty"]
        self.qty = qty
        prices = catalog.store_prices(session, store_id, list(qty), at)
        # one pass makes the receipt's lines and the totals, in locals
        self.lines = receipt_lines = []
        items = cost_cents = list_cents = 0
        for s, n in qty.items():
            unit_price, unit_cost = prices[s]
            receipt_lines.append(
                reply(
                    ReceiptLine,
                    {
                        "sku": s,
                        "qty": n,
                        "unit_price_cents": unit_price,
                        "unit_cost_cents": unit_cost,
                    },
                )
            )
            items += n
            cost_cents += n * unit_cost
            list_cents += n * unit_price
        self.items, self.cost_cents = items, cost_cents
        # the member's tier and spend as read here, for their credit when the sale is paid
        self.standing: members.Standing | None = None
        if member_id is not None:
            self.standing = members.check_member(session, member_id, store_id)
        self.offers = marketing.offers(session, store_id, at)
        self.coupons = marketing.usable_coupons(session, coupon_codes, member_id, store_id, at)
        self.method = method
        # with no promotion in force and no coupon shown the engine gives the list
        # price (``pricing.price``'s first case): its lines are made only when it
        # has something to weigh (a named tuple a line, some 1,300 instructions each)
        if self.offers or self.coupons:
            self.pricing = self.price()
        else:
            self.pricing = pricing.Pricing(list_cents)

    def price(self, exclude: frozenset[int] = frozenset()) -> pricing.Pricing:
        lines = [pricing.Line(x.sku, x.qty, x.unit_price_cents) for x in self.lines]
        return pricing.price(lines, self.offers, self.coupons, self.method, exclude)

    def row(self, p: pricing.Pricing) -> dict:
        """The order columns that depend on pricing."""
        return {
            "total_cents": p.total_cents,
            "list_cents": p.list_cents,
            "discount_cents": p.discount_cents,
            "coupon_cents": p.coupon_cents,
            "promotion_id": p.promotion.id if p.promotion else None,
            "coupon_code": p.coupon.code if p.coupon else None,
        }

    def commit_offers(self, session: Session, order_id: int, at: dt.datetime) -> None:
        """Use the chosen promotion's quota (re-pricing if it ran out) and redeem the coupon."""
        excluded: frozenset[int] = frozenset()
        while (p := self.pricing).promotion is not None and p.promotion.remaining is not None:
            if marketing.use_quota(session, p.promotion.id, p.quota_units or 1):
                break
            excluded |= {p.promotion.id}
            self.pricing = self.price(excluded)
            session.execute(
                update(_ORDERS).where(_ORDERS.c.id == order_id).values(self.row(self.pricing))
            )
        if self.pricing.coupon is not None:
            marketing.redeem(session, self.pricing.coupon.id, order_id, at)

    def insert_lines(self, session: Session, order_id: int) -> None:
        # vars() is model_dump() for these flat lines, at a tenth of the cost; the
        # basket's lines go in one statement, not one per line
        _INSERT_LINES.insert(
            connection_of(session), [{"order_id": order_id, **vars(x)} for x in self.lines]
        )


def _claim(session: Session, row: dict) -> int | None:
    """Insert the order; None if its key was used in its scope (the key is the claim)."""
    conn = connection_of(session)
    return _claim_order(conn.dialect.name).new_id(conn, row)


@cache
def _claim_order(dialect: str) -> PreparedInsert:
    """INSERT of a new order that does nothing (gives no id) if its key was used."""
    return PreparedInsert(
        insert_on_conflict(dialect, _ORDERS).on_conflict_do_nothing(
            index_elements=["key_scope", "idempotency_key"]
        ),
        _ORDERS.c.id,
    )


def _replay(session: Session, scope: str, key: str, request_hash: str) -> int | None:
    """The order a key already made in its scope (None: the key is new).

    Raises:
        KeyReused: the key came first with another request.
    """
    found = connection_of(session).execute(_ORDER_FOR_KEY, {"scope": scope, "key": key}).first()
    if found is None:
        return None
    idempotency.same_request(key, found.request_hash, request_hash)
    return found.id


def _place(
    session: Session,
    req: CheckoutRequest | OrderCreate,
    scope: str,
    channel: Channel,
    status: OrderStatus,
    method: PaymentChannel | None,
    at: dt.datetime,
) -> tuple[_Basket | None, int, str]:
    """Price the basket and claim the order by its key in ``scope``, with its lines and offers.

    Returns the basket (None when the key was used before by the same request),
    the order's id, and the request's fingerprint.
    """
    request_hash = idempotency.fingerprint(req)
    store_id, member_id, key = req.store_id, req.member_id, req.idempotency_key
    try:
        basket = _Basket(session, store_id, req.lines, member_id, req.coupon_codes, method, at)
    except DomainError:  # a replay whose coupon the first request used is still a replay
        if (done := _replay(session, scope, key, request_hash)) is None:
            raise
        return None, done, request_hash
    order_id = _claim(
        session,
        {
            "store_id": store_id,
            # an enum's ``value`` is a property (two Python calls); ``_value_`` is the attribute
            "channel": channel._value_,
            "status": status._value_,
            "key_scope": scope,
            "idempotency_key": key,
            "request_hash": request_hash,
            "items": basket.items,
            "cost_cents": basket.cost_cents,
            "created_at": at,
            "member_id": member_id,
            **basket.row(basket.pricing),
        },
    )
    if order_id is None:
        replayed = _replay(session, scope, key, request_hash)
        if replayed is None:  # the clashing order is not visible: a rival has not committed
            raise Conflict(f"idempotency_key {key!r} is being used meanwhile")
        return None, replayed, request_hash
    basket.commit_offers(session, order_id, at)
    basket.insert_lines(session, order_id)
    return basket, order_id, request_hash


def checkout(session: Session, req: CheckoutRequest, now: dt.datetime) -> Receipt:
    """Sell the lines (see ``_checkout``), again if PostgreSQL picked it as a deadlock victim."""
    return retrying(session, lambda: _checkout(session, req, now))


def _checkout(session: Session, req: CheckoutRequest, now: dt.datetime) -> Receipt:
    """Sell the lines at the store's prices after promotions, charge, deduct stock, credit points.

    The idempotency key is the store's: the same key with the same request
    returns the first receipt and changes nothing; with another request it is
    refused (KeyReused). Raises OutOfStock, NotFound or Conflict, after which
    the caller must roll back: nothing of the sale is kept.
    """
    # each field read once: a pydantic model's attribute read takes CPython's slow path
    at = req.at or now
    store_id, member_id, method = req.store_id, req.member_id, req.payment_method
    payments.require_payer(method, member_id)
    scope = idempotency.store_scope(store_id)
    basket, order_id, request_hash = _place(
        session, req, scope, Channel.in_store, OrderStatus.fulfilled, method, at
    )
    if basket is None:
        return receipt(session, order_id)
    inventory.deduct(session, store_id, basket.qty)
    p = basket.pricing
    total_cents = p.total_cents  # a property: read once, not for the charge and again the receipt
    settled = payments.settle(
        session,
        order_id=order_id,
        store_id=store_id,
        member_id=member_id,
        method=method,
        amount_cents=total_cents,
        key_scope=scope,
        idempotency_key=req.idempotency_key,
        request_hash=request_hash,
        at=at,
        offers=basket.offers,
        standing=basket.standing,
    )
    return reply(
        Receipt,
        {
            "order_id": order_id,
            "store_id": store_id,
            "status": OrderStatus.fulfilled,
            "payment_method": method,
            "items": basket.items,
            "total_cents": total_cents,
            "cost_cents": basket.cost_cents,
            "lines": basket.lines,
            "list_cents": p.list_cents,
            "discount_cents": p.discount_cents,
            "promotion": p.promotion.name if p.promotion else None,
            "coupon_code": p.coupon.code if p.coupon else None,
            "member_id": member_id,
            "points_earned": settled.points_earned,
            "gift_coupons": list(settled.gift_coupons),
        },
    )


def receipt(session: Session, order_id: int) -> Receipt:
    """The receipt of an existing order."""
    order = _require(session, order_id)
    method = session.scalar(
        select(Payment.method).where(Payment.order_id == order_id).order_by(Payment.id)
    )
    promotion = order.promotion_id and session.get(Promotion, order.promotion_id)
    return Receipt(
        order_id=order.id,
        store_id=order.store_id,
        status=order.status,
        payment_method=method or PaymentChannel.cash,
        items=order.items,
        total_cents=order.total_cents,
        cost_cents=order.cost_cents,
        lines=_lines(session, order_id),
        list_cents=order.list_cents if order.list_cents is not None else order.total_cents,
        discount_cents=order.discount_cents,
        promotion=promotion.name if promotion else None,
        coupon_code=order.coupon_code,
        member_id=order.member_id,
        points_earned=order.points_earned,
        gift_coupons=marketing.gifts_of(session, order_id),
    )


def create_online(session: Session, req: OrderCreate, now: dt.datetime) -> OrderPublic:
    """Take an online order (see ``_create_online``), again if it was a deadlock victim."""
    return retrying(session, lambda: _create_online(session, req, now))


def _create_online(session: Session, req: OrderCreate, now: dt.datetime) -> OrderPublic:
    """Take a pickup or delivery order: price it, reserve its stock, await payment.

    The key is the member's (the store's for an order without a member): the
    same key and request again return the first order unchanged; the same key
    with another request is refused (KeyReused).
    """
    at = req.at or now
    scope = idempotency.order_scope(req.store_id, req.member_id)
    basket, order_id, _ = _place(session, req, scope, req.channel, OrderStatus.created, None, at)
    if basket is None:
        return get_order(session, order_id)
    inventory.reserve(session, req.store_id, basket.qty)
    if req.delivery is not None:  # a Core insert: dispatch reads deliveries with Core
        _NEW_DELIVERY.execute(
            connection_of(session),
            {"order_id": order_id, "store_id": req.store_id, **req.delivery.model_dump()},
        )
    return get_order(session, order_id)


def get_order(
    session: Session,
    order_id: int,
    row: Row | None = None,
    lines: list[ReceiptLine] | None = None,
) -> OrderPublic:
    """One order with its lines; ``row`` and ``lines``: the order's as the caller just read them."""
    o = row if row is not None else _require(session, order_id)
    return OrderPublic(
        id=o.id,
        store_id=o.store_id,
        channel=o.channel,
        status=o.status,
        member_id=o.member_id,
        items=o.items,
        list_cents=o.list_cents if o.list_cents is not None else o.total_cents,
        discount_cents=o.discount_cents,
        total_cents=o.total_cents,
        cost_cents=o.cost_cents,
        created_at=o.created_at,
        lines=lines if lines is not None else _lines(session, order_id),
    )


def list_orders(
    session: Session,
    store_id: str | None = None,
    member_id: int | None = None,
    open_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[OrderPublic]:
    """Orders of a store and/or member, oldest first; ``open_only``: online orders not yet done."""
    stmt = select(Order.id).order_by(Order.id).limit(limit).offset(offset)
    if store_id is not None:
        stmt = stmt.where(Order.store_id == store_id)
    if member_id is not None:
        stmt = stmt.where(Order.member_id == member_id)
    if open_only:
        stmt = stmt.where(
            Order.channel != Channel.in_store.value, Order.status.in_([s.value for s in OPEN])
        )
    return [get_order(session, i) for i in session.scalars(stmt)]


def pick(session: Session, order_id: int, at: dt.datetime) -> OrderPublic:
    """A paid online order has been picked and packed in the store."""
    order = _move(session, order_id, (OrderStatus.paid,), OrderStatus.picked, at)
    return get_order(session, order_id, order)


def fulfil(session: Session, order_id: int, at: dt.datetime) -> OrderPublic:
    """The customer has the goods: reserved stock leaves the book."""
    order = _move(
        session, order_id, (OrderStatus.paid, OrderStatus.picked), OrderStatus.fulfilled, at
    )
    lines = _lines(session, order_id)
    inventory.take_reserved(session, order.store_id, {x.sku: x.qty for x in lines})
    return get_order(session, order_id, order, lines)


def cancel(session: Session, order_id: int, at: dt.datetime) -> OrderPublic:
    """Cancel an online order before fulfilment: stock and coupon released, money returned."""
    order = _move(session, order_id, OPEN, OrderStatus.cancelled, at)
    inventory.release(session, order.store_id, _quantities(session, order_id))
    marketing.give_back(session, order_id)
    _return_money(session, order, f"cancel:{order_id}", at)
    return get_order(session, order_id)


def refund(session: Session, order_id: int, req: RefundCreate, now: dt.datetime) -> OrderPublic:
    """Refund a paid order in full; goods of a fulfilled order go back into stock.

    The key is in the order's scope (see ``idempotency``): the same key and
    request again return the order unchanged, the key with another request is
    KeyReused; a second refund with another key is a Conflict.
    """
    at = req.at or now
    first = _require(session, order_id)
    request_hash = idempotency.fingerprint(req, order_id=order_id)
    done = payments.by_key(session, first.key_scope, req.idempotency_key)
    if done is not None:
        idempotency.same_request(req.idempotency_key, done.request_hash, request_hash)
        return get_order(session, order_id)
    before = first.status
    order = _move(
        session,
        order_id,
        (OrderStatus.paid, OrderStatus.picked, OrderStatus.fulfilled),
        OrderStatus.refunded,
        at,
    )
    quantities = _quantities(session, order_id)
    if before == OrderStatus.fulfilled.value:
        inventory.put_back(session, order.store_id, quantities, at)
    else:
        inventory.release(session, order.store_id, quantities)
    _return_money(session, order, req.idempotency_key, at, request_hash)
    return get_order(session, order_id)


def _return_money(
    session: Session, order: Row, key: str, at: dt.datetime, request_hash: str | None = None
) -> None:
    """Pay back what was charged (to the balance it came from) and undo the member's credit."""
    charge = session.scalar(
        select(Payment).where(Payment.order_id == order.id, Payment.amount_cents > 0)
    )
    if charge is None:
        return
    method = PaymentChannel(charge.method)
    payments.record(
        session,
        order.id,
        method,
        -charge.amount_cents,
        at,
        key_scope=order.key_scope,
        idempotency_key=key,
        request_hash=request_hash,
        status="refunded",
    )
    if order.member_id is None:
        return
    if method in payments.BALANCES:
        account = payments.BALANCES[method]
        members.change(
            session, order.member_id, account, charge.amount_cents, "refund", order.id, at
        )
    members.reverse_earn(
        session, order.member_id, charge.amount_cents, order.points_earned, order.id, at
    )


def _move(
    session: Session,
    order_id: int,
    allowed: Sequence[OrderStatus],
    to: OrderStatus,
    at: dt.datetime,
) -> Row:
    """Change an order's status if it is in one of ``allowed`` (checked in the UPDATE)."""
    params = {"o_id": order_id, "to": to.value, "at": at}
    params.update((f"s{i}", s.value) for i, s in enumerate(allowed))
    done = _move_from(len(allowed)).execute(connection_of(session), params)
    order = _require(session, order_id)
    if done.rowcount != 1:
        raise Conflict(f"order {order_id} is {order.status}; it cannot become {to.value}")
    return order


def _require(session: Session, order_id: int) -> Row:
    """The order's row (columns as attributes), or NotFound."""
    order = _ORDER_BY_ID.one_or_none(connection_of(session), {"o_id": order_id})
    if order is None:
        raise NotFound(f"no order {order_id}")
    return order


def _lines(session: Session, order_id: int) -> list[ReceiptLine]:
    rows = _LINES_OF.execute(connection_of(session), {"o_id": order_id}).fetchall()
    return [  # the lines as the order's checks wrote them: nothing to validate again
        reply(
            ReceiptLine,
            {"sku": sku, "qty": qty, "unit_price_cents": price, "unit_cost_cents": cost},
        )
        for sku, qty, price, cost in rows
    ]


def _quantities(session: Session, order_id: int) -> dict[str, int]:
    return {x.sku: x.qty for x in _lines(session, order_id)}
