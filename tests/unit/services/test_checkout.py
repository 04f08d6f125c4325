import datetime as dt

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from services.db.models import Inventory, Order, OrderLine, Payment
from services.domain.errors import NotFound, OutOfStock
from services.schemas import (
    CheckoutLine,
    CheckoutRequest,
    PaymentMethod,
    ProductIn,
    StockCount,
    StoreIn,
)

AT = dt.datetime(2026, 3, 2, 12, 0)


@pytest.fixture
def store(client):
    client.register_store(StoreIn(id="S1", name="One", format="supermarket"))
    client.register_store(StoreIn(id="S2", name="Two", format="convenience"))
    client.upsert_products(
        [
            ProductIn(
                sku="MILK",
                name="Milk 1L",
                category="dairy",
                brand="B",
                price_cents=1290,
                cost_cents=900,
            ),
            ProductIn(
                sku="BREAD",
                name="Toast",
                category="bakery",
                brand="B",
                price_cents=890,
                cost_cents=400,
            ),
        ]
    )
    client.set_stock("S1", [StockCount(sku="MILK", qty=3), StockCount(sku="BREAD", qty=10)])
    client.set_stock("S2", [StockCount(sku="MILK", qty=5)])
    return client


def sale(key: str, milk: int = 1, bread: int = 0, store: str = "S1") -> CheckoutRequest:
    lines = [CheckoutLine(sku="MILK", qty=milk)]
    if bread:
        lines.append(CheckoutLine(sku="BREAD", qty=bread))
    return CheckoutRequest(
        store_id=store, lines=lines, payment_method=PaymentMethod.card, idempotency_key=key, at=AT
    )


def counts(db) -> tuple[int, int, int]:
    with db.engine.connect() as conn:
        return tuple(
            conn.scalar(select(func.count()).select_from(t)) for t in (Order, OrderLine, Payment)
        )


def test_checkout_prices_charges_and_deducts(store):
    receipt = store.checkout(sale("k1", milk=2, bread=1))
    assert receipt.total_cents == 2 * 1290 + 890
    assert receipt.cost_cents == 2 * 900 + 400
    assert receipt.items == 3
    assert store.stock_level("S1", "MILK").on_hand == 1
    assert store.stock_level("S1", "BREAD").on_hand == 9
    assert store.stock_level("S2", "MILK").on_hand == 5


def test_duplicate_lines_are_merged(store):
    req = CheckoutRequest(
        store_id="S1",
        lines=[CheckoutLine(sku="MILK", qty=1), CheckoutLine(sku="MILK", qty=1)],
        payment_method=PaymentMethod.mobile,
        idempotency_key="dup",
        at=AT,
    )
    receipt = store.checkout(req)
    assert [(x.sku, x.qty) for x in receipt.lines] == [("MILK", 2)]
    assert store.stock_level("S1", "MILK").on_hand == 1


def test_stock_never_goes_negative_and_nothing_is_half_written(store, db):
    store.checkout(sale("k1", milk=2))
    before = counts(db)
    with pytest.raises(OutOfStock) as info:
        store.checkout(sale("k2", milk=2, bread=1))
    assert info.value.sku == "MILK"
    assert store.stock_level("S1", "MILK").on_hand == 1
    assert store.stock_level("S1", "BREAD").on_hand == 10  # the bread line was rolled back
    assert counts(db) == before


def test_the_database_itself_refuses_negative_stock(db, store):
    with db.engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(text("UPDATE inventory SET on_hand = -1 WHERE sku = 'MILK'"))
    with db.sessions() as session:
        assert session.get(Inventory, ("S1", "MILK")).on_hand == 3


def test_same_key_charges_once(store, db):
    first = store.checkout(sale("same", milk=1))
    for _ in range(4):
        assert store.checkout(sale("same", milk=1)) == first
    assert store.stock_level("S1", "MILK").on_hand == 2
    assert counts(db) == (1, 1, 1)


def test_unknown_sku_and_store_are_not_found(store, db):
    bad_sku = CheckoutRequest(
        store_id="S1",
        lines=[CheckoutLine(sku="CAVIAR", qty=1)],
        payment_method=PaymentMethod.cash,
        idempotency_key="x1",
        at=AT,
    )
    with pytest.raises(NotFound, match="CAVIAR"):
        store.checkout(bad_sku)
    with pytest.raises(NotFound, match="no store 'S9'"):
        store.checkout(sale("x2", store="S9"))
    with pytest.raises(NotFound, match="does not stock 'BREAD'"):
        store.checkout(sale("x3", bread=1, store="S2"))
    with pytest.raises(NotFound, match="no member 999"):
        store.checkout(sale("x4").model_copy(update={"member_id": 999}))
    assert counts(db) == (0, 0, 0)


def test_receiving_goods_raises_stock(store):
    store.receive_stock("S1", [StockCount(sku="MILK", qty=7)])
    assert store.stock_level("S1", "MILK").on_hand == 10
    with pytest.raises(NotFound):
        store.receive_stock("S2", [StockCount(sku="BREAD", qty=1)])


def test_catalogue_round_trip(store):
    products = store.list_products()
    assert [p.sku for p in products] == ["BREAD", "MILK"]
    assert [p.sku for p in store.list_products(category="dairy")] == ["MILK"]
    store.upsert_products([products[1].model_copy(update={"price_cents": 1390})])
    assert store.checkout(sale("k9")).total_cents == 1390
