"""The largest values the API accepts are stored, summed and read back alike on every database."""

import datetime as dt

from sqlalchemy.dialects import postgresql

from services.db.models import Base
from services.schemas import (
    CheckoutLine,
    CheckoutRequest,
    MemberCreate,
    PaymentChannel,
    StockCount,
)

from .conftest import AT, product

MAX_PRICE = 10**12  # services.schemas.Cents
MAX_QTY = 10**6  # a checkout line
MAX_STOCK = 10**9  # a stock count or delivery
MAX_TOP_UP = 10**9
QUANTITIES = {"qty", "items", "on_hand", "reserved", "safety_stock", "delta", "points", "used"}


def test_every_money_and_quantity_column_is_64_bit():
    pg = postgresql.dialect()
    ddl = {
        f"{table.name}.{c.name}": c.type.compile(dialect=pg)
        for table in Base.metadata.sorted_tables
        for c in table.columns
        if c.name.endswith("_cents") or c.name in QUANTITIES
    }
    assert len(ddl) >= 24 and {t for t in ddl.values()} == {"BIGINT"}


def test_the_largest_accepted_values_round_trip(shop):
    shop.upsert_products([product("GOLD", MAX_PRICE, MAX_PRICE - 1, "jewellery")])
    shop.set_stock("S1", [StockCount(sku="GOLD", qty=MAX_STOCK)])
    for _ in range(3):  # well past 2**31 - 1 units
        shop.receive_stock("S1", [StockCount(sku="GOLD", qty=MAX_STOCK)])
    assert shop.stock_level("S1", "GOLD").on_hand == 4 * MAX_STOCK
    assert [p.price_cents for p in shop.list_products("jewellery")] == [MAX_PRICE]

    receipt = shop.checkout(
        CheckoutRequest(
            store_id="S1",
            lines=[CheckoutLine(sku="GOLD", qty=MAX_QTY)],
            payment_method=PaymentChannel.card,
            idempotency_key="big",
            at=AT,
        )
    )
    assert receipt.total_cents == MAX_QTY * MAX_PRICE == 10**18
    order = shop.get_order(receipt.order_id)
    assert (order.total_cents, order.cost_cents) == (10**18, MAX_QTY * (MAX_PRICE - 1))
    assert shop.stock_level("S1", "GOLD").on_hand == 4 * MAX_STOCK - MAX_QTY
    day = shop.dashboard("S1", AT.date(), AT.date())
    assert day.sales_cents == 10**18 and type(day.sales_cents) is int  # a BIGINT sum is an int

    member = shop.register_member(MemberCreate(store_id="S1", name="Rich", phone="1399999999"))
    for _ in range(3):
        shop.top_up(member.id, MAX_TOP_UP)
    shop.upsert_products([product("RING", 2_500_000_000, 1, "jewellery")])
    shop.set_stock("S1", [StockCount(sku="RING", qty=1)])
    shop.checkout(
        CheckoutRequest(
            store_id="S1",
            lines=[CheckoutLine(sku="RING", qty=1)],
            payment_method=PaymentChannel.stored_value,
            idempotency_key="ring",
            member_id=member.id,
            at=AT + dt.timedelta(minutes=1),
        )
    )
    after = shop.member_profile(member.id)
    assert after.stored_value_cents == 3 * MAX_TOP_UP - 2_500_000_000
    assert after.lifetime_cents == 2_500_000_000 and after.points == 25_000_000
