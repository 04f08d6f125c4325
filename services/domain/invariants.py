"""Invariants of the store data, read after a load test (or any time): does the book add up?

A load test that only times requests cannot tell a fast server from one that
loses or doubles money and stock. These checks read the database (they never
write) and say, for each rule, how many rows break it, with a few examples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.db.models import (
    Coupon,
    Inventory,
    LedgerEntry,
    Member,
    Order,
    OrderLine,
    Payment,
    StockMovement,
)
from services.schemas import Channel, OrderStatus

PAID = (OrderStatus.paid.value, OrderStatus.picked.value, OrderStatus.fulfilled.value)
OPEN = (OrderStatus.created.value, OrderStatus.paid.value, OrderStatus.picked.value)
EXAMPLES = 5


@dataclass(frozen=True)
class Check:
    """One invariant: its name, how many rows break it, and a few of them."""

    name: str
    violations: int
    examples: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no row breaks the rule."""
        return self.violations == 0

    def as_dict(self) -> dict:
        """Plain data for JSON."""
        return {
            "name": self.name,
            "pass": self.passed,
            "violations": self.violations,
            "examples": self.examples,
        }


def _check(name: str, bad: list[str]) -> Check:
    return Check(name, len(bad), bad[:EXAMPLES])


def one_captured_payment(session: Session) -> Check:
    """Every paid (or picked, fulfilled) order has exactly one captured payment."""
    captured = (
        select(Payment.order_id, func.count().label("n"))
        .where(Payment.status == "captured")
        .group_by(Payment.order_id)
        .subquery()
    )
    rows = session.execute(
        select(Order.id, func.coalesce(captured.c.n, 0))
        .outerjoin(captured, captured.c.order_id == Order.id)
        .where(Order.status.in_(PAID), func.coalesce(captured.c.n, 0) != 1)
    ).all()
    return _check("paid order has one captured payment", [f"order {i}: {n}" for i, n in rows])


def _sold(session: Session) -> dict[tuple[str, str], int]:
    """Units that left the book through sales: in-store orders, and fulfilled online orders."""
    sold_orders = (Order.channel == Channel.in_store.value) | (
        Order.status == OrderStatus.fulfilled.value
    )
    rows = session.execute(
        select(Order.store_id, OrderLine.sku, func.sum(OrderLine.qty))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(sold_orders, Order.status != OrderStatus.cancelled.value)
        .group_by(Order.store_id, OrderLine.sku)
    ).all()
    return {(s, k): int(q) for s, k, q in rows}


def stock_balance(
    session: Session, start: Mapping[tuple[str, str], int] | None = None
) -> list[Check]:
    """Stock adds up: on hand = start - sold + movements, never negative, reserved = open orders.

    Args:
        session: A session on the services database.
        start: The first stock-take per (store, SKU), which the database keeps only as
            the first on-hand; without it the balance only checks that the implied
            start is not negative (nothing was sold that was never there).
    """
    sold = _sold(session)
    moved = {
        (s, k): int(d)
        for s, k, d in session.execute(
            select(
                StockMovement.store_id, StockMovement.sku, func.sum(StockMovement.delta)
            ).group_by(StockMovement.store_id, StockMovement.sku)
        ).all()
    }
    reserved_by_orders = {
        (s, k): int(q)
        for s, k, q in session.execute(
            select(Order.store_id, OrderLine.sku, func.sum(OrderLine.qty))
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.channel != Channel.in_store.value, Order.status.in_(OPEN))
            .group_by(Order.store_id, OrderLine.sku)
        ).all()
    }
    balance, negative, reserved = [], [], []
    for store_id, sku, on_hand, held in session.execute(
        select(Inventory.store_id, Inventory.sku, Inventory.on_hand, Inventory.reserved)
    ).all():
        key = (store_id, sku)
        implied = on_hand + sold.get(key, 0) - moved.get(key, 0)
        if start is not None and key in start:
            if implied != start[key]:
                balance.append(f"{store_id}/{sku}: start {start[key]}, book implies {implied}")
        elif implied < 0:
            balance.append(f"{store_id}/{sku}: implied start {implied} < 0")
        if on_hand < 0 or held < 0 or held > on_hand:
            negative.append(f"{store_id}/{sku}: on hand {on_hand}, reserved {held}")
        if held != reserved_by_orders.get(key, 0):
            reserved.append(
                f"{store_id}/{sku}: reserved {held}, open orders {reserved_by_orders.get(key, 0)}"
            )
    return [
        _check("stock = start - sold + received +/- adjustments", balance),
        _check("stock never negative", negative),
        _check("reserved = open online orders", reserved),
    ]


def points_balance(session: Session) -> Check:
    """A member's points are the sum of their points ledger (earned minus burned)."""
    ledger = (
        select(LedgerEntry.member_id, func.sum(LedgerEntry.delta).label("total"))
        .where(LedgerEntry.account == "points")
        .group_by(LedgerEntry.member_id)
        .subquery()
    )
    total = func.coalesce(ledger.c.total, 0)
    rows = session.execute(
        select(Member.id, Member.points, total)
        .outerjoin(ledger, ledger.c.member_id == Member.id)
        .where(Member.points != total)
    ).all()
    return _check(
        "points = earned - burned", [f"member {i}: {p} vs ledger {t}" for i, p, t in rows]
    )


def coupons_used_once(session: Session) -> Check:
    """No coupon code is on two live orders, and a coupon tied to an order is marked redeemed."""
    twice = session.execute(
        select(Order.coupon_code, func.count())
        .where(
            Order.coupon_code.is_not(None),
            Order.status.not_in([OrderStatus.cancelled.value, OrderStatus.refunded.value]),
        )
        .group_by(Order.coupon_code)
        .having(func.count() > 1)
    ).all()
    unmarked = session.execute(
        select(Coupon.code).where(Coupon.order_id.is_not(None), Coupon.redeemed_at.is_(None))
    ).scalars()
    bad = [f"coupon {c} on {n} orders" for c, n in twice]
    bad += [f"coupon {c} on an order but not redeemed" for c in unmarked]
    return _check("no coupon redeemed twice", bad)


def acknowledged_present(
    session: Session,
    orders: Iterable[int] = (),
    payments: Iterable[int] = (),
    members: Iterable[int] = (),
) -> Check:
    """Every write a client got a 2xx for (these ids) is in the database."""
    missing: list[str] = []
    for label, column, ids in (
        ("order", Order.id, orders),
        ("payment", Payment.id, payments),
        ("member", Member.id, members),
    ):
        wanted = set(ids)
        found: set[int] = set()
        chunk = sorted(wanted)
        for i in range(0, len(chunk), 500):
            found.update(
                session.execute(select(column).where(column.in_(chunk[i : i + 500]))).scalars()
            )
        missing += [f"{label} {i}" for i in sorted(wanted - found)]
    return _check("acknowledged writes are stored", missing)


def check_all(
    session: Session,
    start: Mapping[tuple[str, str], int] | None = None,
    acknowledged: Mapping[str, Iterable[int]] | None = None,
) -> list[Check]:
    """Every invariant, in a fixed order (read-only)."""
    ack = defaultdict(list, acknowledged or {})
    return [
        one_captured_payment(session),
        *stock_balance(session, start),
        points_balance(session),
        coupons_used_once(session),
        acknowledged_present(session, ack["orders"], ack["payments"], ack["members"]),
    ]
