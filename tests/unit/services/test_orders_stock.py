import datetime as dt

import pytest
from sqlalchemy import func, select

from services.db.models import Payment
from services.domain.errors import Conflict, KeyReused, NotFound, OutOfStock
from services.schemas import (
    AdjustmentReason,
    Channel,
    CheckoutLine,
    CheckoutRequest,
    CourierCreate,
    CourierKind,
    DeliveryInfo,
    DispatchRequest,
    MemberCreate,
    OrderCreate,
    OrderStatus,
    PaymentChannel,
    PaymentCreate,
    RefundCreate,
    StockAdjustment,
    StockCount,
)

AT = dt.datetime(2026, 3, 2, 12, 0)


def online(key, channel=Channel.pickup, member=None, delivery=None, **lines):
    return OrderCreate(
        store_id="S1",
        channel=channel,
        lines=[CheckoutLine(sku=s, qty=q) for s, q in (lines or {"MILK": 3}).items()],
        idempotency_key=key,
        member_id=member,
        at=AT,
        delivery=delivery,
    )


def payments_of(db, order_id):
    with db.sessions() as s:
        return s.scalar(
            select(func.count()).select_from(Payment).where(Payment.order_id == order_id)
        )


def test_online_order_reserves_then_fulfils(shop):
    order = shop.create_order(online("o1"))
    assert order.status == OrderStatus.created
    level = shop.stock_level("S1", "MILK")
    assert (level.on_hand, level.reserved, level.available) == (50, 3, 47)
    assert [o.id for o in shop.open_orders("S1")] == [order.id]
    assert shop.create_order(online("o1")) == order  # same key, same order
    shop.pay(PaymentCreate(order_id=order.id, method=PaymentChannel.mobile, idempotency_key="p1"))
    shop.pick_order(order.id)
    done = shop.fulfil_order(order.id)
    assert done.status == OrderStatus.fulfilled
    level = shop.stock_level("S1", "MILK")
    assert (level.on_hand, level.reserved) == (47, 0)
    assert shop.open_orders("S1") == []


def test_reserved_goods_are_not_sold_twice(shop):
    shop.create_order(online("o1", MILK=48))
    with pytest.raises(OutOfStock):
        shop.checkout(
            CheckoutRequest(
                store_id="S1",
                lines=[CheckoutLine(sku="MILK", qty=3)],
                payment_method=PaymentChannel.cash,
                idempotency_key="till",
                at=AT,
            )
        )
    with pytest.raises(OutOfStock):
        shop.create_order(online("o2", MILK=3))


def test_same_payment_five_times_charges_once(shop, db):
    order = shop.create_order(online("o1"))
    req = PaymentCreate(order_id=order.id, method=PaymentChannel.card, idempotency_key="pay-1")
    paid = [shop.pay(req) for _ in range(5)]
    assert all(p == paid[0] for p in paid)
    assert payments_of(db, order.id) == 1
    assert shop.get_order(order.id).status == OrderStatus.paid
    with pytest.raises(Conflict, match=f"order {order.id} was already paid$"):
        shop.pay(req.model_copy(update={"idempotency_key": "pay-2"}))
    with pytest.raises(KeyReused, match="'pay-1' was already used for another request"):
        shop.pay(req.model_copy(update={"method": PaymentChannel.cash}))


def test_cancel_releases_stock_and_returns_money_to_stored_value(shop, db):
    m = shop.register_member(MemberCreate(store_id="S1", name="A", phone="1300000001"))
    shop.top_up(m.id, 10_000)
    order = shop.create_order(online("o1", member=m.id))
    shop.pay(
        PaymentCreate(order_id=order.id, method=PaymentChannel.stored_value, idempotency_key="p")
    )
    assert shop.member_profile(m.id).stored_value_cents == 10_000 - 3870
    cancelled = shop.cancel_order(order.id)
    assert cancelled.status == OrderStatus.cancelled
    assert shop.stock_level("S1", "MILK").reserved == 0
    after = shop.member_profile(m.id)
    assert after.stored_value_cents == 10_000 and after.points == 0
    with pytest.raises(Conflict, match="cannot become fulfilled"):
        shop.fulfil_order(order.id)


def test_refund_of_a_till_sale_puts_goods_back_once(shop, db):
    receipt = shop.checkout(
        CheckoutRequest(
            store_id="S1",
            lines=[CheckoutLine(sku="JAM", qty=2)],
            payment_method=PaymentChannel.card,
            idempotency_key="sale",
            at=AT,
        )
    )
    assert shop.stock_level("S1", "JAM").on_hand == 48
    refunded = shop.refund(receipt.order_id, RefundCreate(idempotency_key="r1"))
    assert refunded.status == OrderStatus.refunded
    assert shop.refund(receipt.order_id, RefundCreate(idempotency_key="r1")) == refunded
    with pytest.raises(Conflict):
        shop.refund(receipt.order_id, RefundCreate(idempotency_key="r2"))
    assert shop.stock_level("S1", "JAM").on_hand == 50
    assert payments_of(db, receipt.order_id) == 2


def test_shrink_stocktake_and_replenishment(shop):
    shop.create_order(online("o1", MILK=10))
    levels = shop.adjust_stock(
        "S1", [StockAdjustment(sku="MILK", delta=-5, reason=AdjustmentReason.shrink)]
    )
    assert levels[0].on_hand == 45
    with pytest.raises(Conflict, match="reserved"):
        shop.adjust_stock(
            "S1", [StockAdjustment(sku="MILK", delta=-40, reason=AdjustmentReason.damage)]
        )
    with pytest.raises(Conflict, match="reserved"):
        shop.set_stock("S1", [StockCount(sku="MILK", qty=5)])
    shop.set_stock("S1", [StockCount(sku="EGGS", qty=2, safety_stock=10)])
    assert [x.sku for x in shop.stock_levels("S1", below_safety=True)] == ["EGGS"]
    po = shop.order_goods("S1", [StockCount(sku="EGGS", qty=20)])
    assert shop.receive_goods(po.id).status == "received"
    assert shop.stock_level("S1", "EGGS").on_hand == 22
    with pytest.raises(Conflict, match="already received"):
        shop.receive_goods(po.id)
    with pytest.raises(NotFound):
        shop.order_goods("S2", [StockCount(sku="EGGS", qty=1)])


def test_delivery_batches_by_window_and_direction(shop):
    shop.add_courier(
        CourierCreate(store_id="S1", name="third", kind=CourierKind.third_party, capacity=2)
    )
    own = shop.add_courier(
        CourierCreate(store_id="S1", name="own", kind=CourierKind.own, capacity=2)
    )
    window = AT + dt.timedelta(hours=1)
    ids = []
    for i, bearing in enumerate([10, 350, 20, 180]):
        o = shop.create_order(
            online(
                f"d{i}",
                Channel.delivery,
                delivery=DeliveryInfo(window_start=window, bearing_deg=bearing, distance_km=1 + i),
                MILK=1,
            )
        )
        shop.pay(PaymentCreate(order_id=o.id, method=PaymentChannel.card, idempotency_key=f"p{i}"))
        ids.append(o.id)
    batches = shop.dispatch("S1", DispatchRequest(until=window + dt.timedelta(minutes=1), at=AT))
    assert [(b.direction, b.order_ids, b.courier_kind) for b in batches] == [
        ("N", [ids[0], ids[1]], CourierKind.own),
        ("N", [ids[2]], CourierKind.third_party),
        ("S", [ids[3]], None),
    ]
    assert batches[0].courier_id == own.id
    assert shop.dispatch("S1", DispatchRequest(until=window + dt.timedelta(minutes=1))) == []
