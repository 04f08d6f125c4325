"""PostgreSQL under contention: a deadlock victim is run again, a losing payment says why."""

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.db.engine import retrying
from services.domain import payments
from services.domain.errors import Conflict
from services.schemas import CheckoutLine, OrderCreate, PaymentChannel, PaymentCreate

from .conftest import AT

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
