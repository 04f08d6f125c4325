"""Over HTTP: keys are each store's and bound to their request, members to their home store,
and the largest accepted values are kept alike on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import func, select

from services.db.models import Order, Payment

from .test_api import checkout, seeded  # noqa: F401 (a fixture)


def count(db):
    with db.sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Order, Payment))


@pytest.mark.usefixtures("seeded")
def test_a_key_another_store_used_makes_this_stores_own_sale(api, db):
    first = api("s1").post("/orders/checkout", json=checkout("S1", key="till-7", MILK=1))
    second = api("s2").post("/orders/checkout", json=checkout("S2", key="till-7", JAM=2))
    assert first.status_code == second.status_code == 200
    assert second.json()["store_id"] == "S2"
    assert second.json()["order_id"] != first.json()["order_id"]
    assert [x["sku"] for x in second.json()["lines"]] == ["JAM"]
    assert api("s2").get("/inventory/S2/JAM").json()["on_hand"] == 1
    assert count(db) == (2, 2)


@pytest.mark.usefixtures("seeded")
def test_a_reused_key_with_another_body_is_409_naming_the_key(api, db):
    s1 = api("s1")
    first = s1.post("/orders/checkout", json=checkout(key="till-7", MILK=1))
    reply = s1.post("/orders/checkout", json=checkout(key="till-7", MILK=2))
    assert reply.status_code == 409
    body = reply.json()
    assert body["error"] == "KeyReused" and body["idempotency_key"] == "till-7"
    assert "'till-7'" in body["detail"]
    again = s1.post("/orders/checkout", json=checkout(key="till-7", MILK=1))
    assert again.status_code == 200 and again.json() == first.json()
    assert api("s1").get("/inventory/S1/MILK").json()["on_hand"] == 9
    assert count(db) == (1, 1)


@pytest.mark.usefixtures("seeded")
def test_a_store_key_cannot_name_another_stores_member(api, db):
    hq, s2 = api("hq"), api("s2")
    assert hq.post("/members/1/top-ups", json={"amount_cents": 5000}).status_code == 200
    sale = checkout("S2", key="s2-1", member=1, MILK=1) | {"payment_method": "stored_value"}
    reply = s2.post("/orders/checkout", json=sale)
    assert reply.status_code == 403 and "member_id" in reply.json()["detail"]
    assert hq.get("/members/1").json()["stored_value_cents"] == 5000
    assert count(db) == (0, 0)


def test_the_largest_price_is_kept_on_every_database(api):
    hq = api("hq")
    item = {"sku": "GOLD", "name": "Gold", "category": "x", "brand": "b", "cost_cents": 1}
    assert hq.put("/products", json=[item | {"price_cents": 10**12}]).status_code == 200
    assert [p["price_cents"] for p in hq.get("/products").json()] == [10**12]
    too_big = hq.put("/products", json=[item | {"price_cents": 10**12 + 1}])
    assert too_big.status_code == 422 and "price_cents" in too_big.json()["message"]
