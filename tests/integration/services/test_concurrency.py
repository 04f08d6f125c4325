"""Races over real HTTP against uvicorn: the last units, a payment retried with one key, and
many multi-line baskets taking the same stock rows in random orders."""

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from services.client import HttpClient
from services.db.models import Inventory, Order, Payment
from services.domain.errors import OutOfStock
from services.schemas import (
    CheckoutLine,
    CheckoutRequest,
    OrderCreate,
    PaymentChannel,
    PaymentCreate,
    ProductIn,
    StockCount,
    StoreIn,
)

from .conftest import live_server


def seed(client, stock):
    client.register_store(StoreIn(id="S1", name="One", format="supermarket"))
    client.upsert_products(
        [
            ProductIn(
                sku="LAST", name="Last", category="x", brand="b", price_cents=999, cost_cents=500
            )
        ]
    )
    client.set_stock("S1", [StockCount(sku="LAST", qty=stock)])


def test_fifty_checkouts_race_for_the_last_ten_units(app, db):
    with live_server(app) as url:
        seed(HttpClient(url, "hq"), stock=10)

        def buy(i: int) -> int:
            body = CheckoutRequest(
                store_id="S1",
                lines=[CheckoutLine(sku="LAST", qty=1)],
                payment_method=PaymentChannel.cash,
                idempotency_key=f"race-{i}",
            ).model_dump(mode="json")
            reply = httpx.post(
                f"{url}/orders/checkout", json=body, headers={"X-API-Key": "s1"}, timeout=60
            )
            if reply.status_code == 409:
                assert reply.json()["error"] == "OutOfStock" and reply.json()["sku"] == "LAST"
            return reply.status_code

        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(buy, range(50)))
        client = HttpClient(url, "hq")
        assert statuses.count(200) == 10
        assert statuses.count(409) == 40
        assert client.stock_level("S1", "LAST").on_hand == 0
        try:
            client.checkout(
                CheckoutRequest(
                    store_id="S1",
                    lines=[CheckoutLine(sku="LAST", qty=1)],
                    payment_method=PaymentChannel.cash,
                    idempotency_key="late",
                )
            )
            raise AssertionError("sold a unit that is not there")
        except OutOfStock as exc:  # the HTTP client raises the in-process client's error
            assert (exc.sku, exc.wanted) == ("LAST", 1)
        client.close()
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 10
        assert s.scalar(select(func.count()).select_from(Payment)) == 10


def test_one_payment_sent_five_times_at_once_charges_once(app, db):
    with live_server(app) as url:
        client = HttpClient(url, "hq")
        seed(client, stock=5)
        order = client.create_order(
            OrderCreate(
                store_id="S1",
                channel="pickup",
                lines=[CheckoutLine(sku="LAST", qty=2)],
                idempotency_key="web-1",
            )
        )
        pay = PaymentCreate(
            order_id=order.id, method=PaymentChannel.mobile, idempotency_key="pay-once"
        )
        with ThreadPoolExecutor(max_workers=5) as pool:
            replies = list(pool.map(lambda _: client.pay(pay), range(5)))
        assert len({r.id for r in replies}) == 1
        assert client.get_order(order.id).status == "paid"
        client.close()
    with db.sessions() as s:
        charged = s.scalars(select(Payment.amount_cents).where(Payment.order_id == order.id)).all()
    assert charged == [2 * 999]


def test_a_hundred_baskets_in_random_line_orders_all_sell_and_stock_is_exact(app, db):
    """On PostgreSQL, baskets locking the same rows in opposite orders deadlocked (500)."""
    rng = random.Random(16)
    skus = [f"SKU{i}" for i in range(8)]
    baskets = [
        [{"sku": sku, "qty": rng.randint(1, 3)} for sku in rng.sample(skus, rng.randint(2, 8))]
        for _ in range(100)
    ]
    with live_server(app) as url:
        hq = HttpClient(url, "hq")
        hq.register_store(StoreIn(id="S1", name="One", format="supermarket"))
        hq.upsert_products(
            [
                ProductIn(sku=s, name=s, category="x", brand="b", price_cents=100, cost_cents=50)
                for s in skus
            ]
        )
        hq.set_stock("S1", [StockCount(sku=s, qty=1000) for s in skus])
        hq.close()

        def buy(n: int) -> int:
            body = {
                "store_id": "S1",
                "lines": baskets[n],
                "payment_method": "card",
                "idempotency_key": f"basket-{n}",
            }
            reply = httpx.post(
                f"{url}/orders/checkout", json=body, headers={"X-API-Key": "s1"}, timeout=120
            )
            return reply.status_code

        with ThreadPoolExecutor(max_workers=100) as pool:
            statuses = Counter(pool.map(buy, range(100)))
    assert statuses == {200: 100}
    sold = Counter()
    for basket in baskets:
        sold.update({line["sku"]: line["qty"] for line in basket})
    with db.sessions() as s:
        on_hand = dict(s.execute(select(Inventory.sku, Inventory.on_hand)).all())
        assert s.scalar(select(func.count()).select_from(Order)) == 100
    assert on_hand == {sku: 1000 - sold[sku] for sku in skus}
