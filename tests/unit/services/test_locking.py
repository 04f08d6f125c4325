"""PostgreSQL under contention: a deadlock victim is run again, a losing payment says why."""

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.db.engine import retrying
from services.domain import delivery, payments
from services.domain.errors import Conflict
from services.schemas import (
    Channel,
    CheckoutLine,
    DeliveryInfo,
    OrderCreate,
    PaymentChannel,
    PaymentCreate,
)

from .conftest import AT
from .test_orders_stock import online

NOW = dt.datetime(2026, 3, 2, 12, 0)


@pytest.fixture
def pg(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's; SQLite serialises writers")
    return db


def waiting_on_a_lock(db) -> bool:
    with db.engine.connect() as conn:
        return bool(
            conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            )
        )


def wait_until(check, what: str) -> None:
    for _ in range(500):
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"never saw: {what}")


def test_a_deadlock_victim_is_run_again_in_its_savepoint(pg, shop):
    """Two transactions take the same two stock rows in opposite orders: both end well."""
    barrier = threading.Barrier(2)
    runs: list[str] = []
    errors: list[BaseException] = []

    def work(s: Session, first: str, second: str) -> None:
        runs.append(first)
        bump = text("UPDATE inventory SET on_hand = on_hand - 1 WHERE store_id='S1' AND sku=:sku")
        s.execute(bump, {"sku": first})
        if len(runs) <= 2:
            barrier.wait(timeout=10)  # both hold their first row before asking for the second
        s.execute(bump, {"sku": second})

    def sell(first: str, second: str) -> None:
        try:
            with pg.sessions() as s, s.begin():
                retrying(s, lambda: work(s, first, second))
        except BaseException as exc:  # reported to the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=sell, args=p) for p in (("MILK", "EGGS"), ("EGGS", "MILK"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(runs) >= 3  # PostgreSQL aborted one (or, racing again, each) and it ran again
    assert shop.stock_level("S1", "MILK").on_hand == 48
    assert shop.stock_level("S1", "EGGS").on_hand == 48


def test_the_losing_concurrent_payment_says_the_order_was_already_paid(pg, shop):
    order = shop.create_order(
        OrderCreate(
            store_id="S1",
            channel="pickup",
            lines=[CheckoutLine(sku="MILK", qty=1)],
            idempotency_key="web-1",
            at=AT,
        )
    )
    outcome: list[object] = []

    def pay(key: str) -> PaymentCreate:
        return PaymentCreate(order_id=order.id, method=PaymentChannel.card, idempotency_key=key)

    def second() -> None:
        with pg.sessions() as s:
            try:
                outcome.append(payments.charge(s, pay("app"), NOW))
                s.commit()
            except Conflict as exc:
                outcome.append(exc)

    with pg.sessions() as first:
        payments.charge(first, pay("till"), NOW)  # holds the order's row, not committed yet
        rival = threading.Thread(target=second)
        rival.start()  # it reads the order as created, then waits for the row
        wait_until(lambda: waiting_on_a_lock(pg), "the second payment waiting for the order")
        first.commit()
    rival.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
    assert str(outcome[0]) == f"order {order.id} was already paid"
    with pg.sessions() as s:
        assert [p.amount_cents for p in payments.for_order(s, order.id)] == [1290]


def test_two_overlapping_dispatches_batch_each_delivery_once(pg, shop):
    """A second dispatch waits for the first and finds nothing left to batch."""
    window = AT + dt.timedelta(hours=1)
    for i, bearing in enumerate([10, 20, 180]):
        order = shop.create_order(
            online(
                f"dispatch-{i}",
                Channel.delivery,
                delivery=DeliveryInfo(window_start=window, bearing_deg=bearing, distance_km=1),
                MILK=1,
            )
        )
        shop.pay(
            PaymentCreate(order_id=order.id, method=PaymentChannel.card, idempotency_key=f"dp{i}")
        )
    until = window + dt.timedelta(minutes=1)
    second: list = []
    with pg.sessions() as a, a.begin():
        first = delivery.dispatch(a, "S1", until, AT)

        def other() -> None:
            with pg.sessions() as b, b.begin():
                second.extend(delivery.dispatch(b, "S1", until, AT))

        thread = threading.Thread(target=other)
        thread.start()
        wait_until(lambda: waiting_on_a_lock(pg) or not thread.is_alive(), "the second dispatch")
    thread.join(timeout=30)
    assert sorted(o for b in first for o in b.order_ids) == sorted(
        o for b in pg.transaction(lambda s: delivery.batches(s, "S1")) for o in b.order_ids
    )
    assert len(first) == 2 and second == []
