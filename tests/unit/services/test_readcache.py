"""The price-book cache of an in-memory database answers as the database does, after any write."""

from __future__ import annotations

import datetime as dt

import pytest

from services.client import InProcessClient
from services.db import Database
from services.db.engine import MEMORY_URL, sqlite_url
from services.domain import catalog, marketing
from services.schemas import (
    PriceChangeIn,
    ProductIn,
    PromotionCreate,
    SpendSave,
    StockCount,
    StoreIn,
)

T0 = dt.datetime(2026, 3, 2, 8)


def product(sku: str, price: int) -> ProductIn:
    return ProductIn(
        sku=sku, name=sku, category="dairy", brand="b", price_cents=price, cost_cents=50
    )


@pytest.fixture
def memory() -> InProcessClient:
    db = Database(MEMORY_URL)
    db.create_schema()
    client = InProcessClient(db)
    client.register_store(StoreIn(id="S1", name="one", format="supermarket", price_group="north"))
    client.upsert_products([product("A", 100), product("B", 200)])
    client.set_stock("S1", [StockCount(sku="A", qty=5), StockCount(sku="B", qty=5)])
    yield client
    client.close()


def prices(client: InProcessClient, at: dt.datetime, skus=("A", "B")) -> dict:
    return client._tx(lambda s: catalog.store_prices(s, "S1", list(skus), at))


def test_the_twin_database_is_cached_a_shared_one_is_not(memory, tmp_path):
    from services.db import readcache

    assert memory._tx(readcache.of) is not None
    shared = Database(sqlite_url(tmp_path / "s.db"))
    shared.create_schema()
    assert shared.transaction(readcache.of) is None
    shared.dispose()


def test_scheduled_changes_take_effect_at_their_time(memory):
    assert prices(memory, T0) == {"A": (100, 50), "B": (200, 50)}
    later = T0 + dt.timedelta(hours=3)
    memory.schedule_price(PriceChangeIn(sku="A", price_cents=90, effective_at=later))
    memory.schedule_price(
        PriceChangeIn(sku="B", price_cents=150, effective_at=later, price_group="south")
    )
    assert prices(memory, T0)["A"] == (100, 50)  # the book is read again, still before
    assert prices(memory, later - dt.timedelta(microseconds=1))["A"] == (100, 50)
    assert prices(memory, later) == {"A": (90, 50), "B": (200, 50)}  # south is not S1's group
    assert prices(memory, T0)["A"] == (100, 50)  # and back: the window, not the last answer


def test_writes_clear_the_book(memory):
    assert prices(memory, T0)["A"] == (100, 50)
    memory.upsert_products([product("A", 120)])
    assert prices(memory, T0)["A"] == (120, 50)
    memory.schedule_price(PriceChangeIn(sku="B", price_cents=180, effective_at=T0, price_group="x"))
    memory.register_store(StoreIn(id="S1", name="one", format="supermarket", price_group="x"))
    assert prices(memory, T0)["B"] == (180, 50)


def test_a_new_sku_on_the_shelf_is_found(memory):
    assert prices(memory, T0, ["A"]) == {"A": (100, 50)}
    memory.upsert_products([product("C", 300)])
    memory.set_stock("S1", [StockCount(sku="C", qty=1)])
    assert prices(memory, T0, ["A", "C"]) == {"A": (100, 50), "C": (300, 50)}


def test_what_a_rolled_back_transaction_read_is_forgotten(memory):
    def change_then_fail(s):
        catalog.schedule_price(s, PriceChangeIn(sku="A", price_cents=1, effective_at=T0))
        assert catalog.store_prices(s, "S1", ["A"], T0)["A"] == (1, 50)  # cached, uncommitted
        raise RuntimeError("the request fails")

    with pytest.raises(RuntimeError):
        memory._tx(change_then_fail)
    assert prices(memory, T0)["A"] == (100, 50)


def in_force(client: InProcessClient, at: dt.datetime) -> list[tuple[int, int | None]]:
    found = client._tx(lambda s: marketing.offers(s, "S1", at))
    return [(o.id, o.remaining) for o in found]


def test_promotions_in_force_follow_their_window_writes_and_quota(memory):
    assert in_force(memory, T0) == []
    start, end = T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=5)
    rule = SpendSave(threshold_cents=100, save_cents=10)
    made = memory.create_promotion(
        PromotionCreate(name="p", rule=rule, starts_at=start, ends_at=end, store_id="S1", quota=3)
    )
    assert in_force(memory, T0) == []
    assert in_force(memory, start) == [(made.id, 3)]
    assert in_force(memory, end) == []
    assert in_force(memory, start) == [(made.id, 3)]
    assert memory._tx(lambda s: marketing.use_quota(s, made.id, 2))
    assert in_force(memory, start) == [(made.id, 1)]
    memory._tx(lambda s: marketing.end_promotion(s, made.id, start + dt.timedelta(hours=1)))
    assert in_force(memory, start + dt.timedelta(hours=2)) == []
