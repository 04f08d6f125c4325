"""A receipt built without validation is the one validation would have made."""

import datetime as dt

from services.schemas import (
    CheckoutLine,
    CheckoutRequest,
    CouponIssue,
    CouponKind,
    CouponTemplateCreate,
    MemberCreate,
    OrderCreate,
    PaymentChannel,
    PaymentCreate,
    PromotionCreate,
    Receipt,
    SpendGetCoupon,
    SpendSave,
)

AT = dt.datetime(2026, 3, 2, 12, 0)
WEEK = dt.timedelta(days=7)


def promo(rule, name):
    return PromotionCreate(
        name=name, rule=rule, starts_at=AT - WEEK, ends_at=AT + WEEK, store_id="S1"
    )


def same_as_validated(receipt: Receipt) -> None:
    again = Receipt.model_validate(receipt.model_dump())
    assert receipt == again and receipt.model_fields_set == again.model_fields_set
    assert [type(v) for v in vars(receipt).values()] == [type(v) for v in vars(again).values()]
    assert all(vars(a) == vars(b) for a, b in zip(receipt.lines, again.lines, strict=True))


def test_receipts_equal_their_validated_copies(shop):
    member = shop.register_member(MemberCreate(store_id="S1", name="Li Lei", phone="13812345678"))
    gift = shop.create_coupon_template(
        CouponTemplateCreate(name="gift", kind=CouponKind.percent, value=10, valid_days=7)
    )
    shop.create_promotion(promo(SpendSave(threshold_cents=2000, save_cents=300), "300 off"))
    shop.create_promotion(promo(SpendGetCoupon(threshold_cents=1000, template_id=gift.id), "gift"))
    coupon = shop.create_coupon_template(
        CouponTemplateCreate(name="5 off", kind=CouponKind.amount, value=500, valid_days=30)
    )
    (code,) = shop.issue_coupons(CouponIssue(template_id=coupon.id, member_id=member.id, at=AT))
    rich = shop.checkout(
        CheckoutRequest(
            store_id="S1",
            lines=[CheckoutLine(sku="MILK", qty=2), CheckoutLine(sku="JAM", qty=1)],
            payment_method=PaymentChannel.card,
            idempotency_key="rich",
            member_id=member.id,
            coupon_codes=[code],
            at=AT,
        )
    )
    assert rich.promotion == "300 off" and rich.coupon_code == code and rich.gift_coupons
    same_as_validated(rich)
    plain = shop.checkout(
        CheckoutRequest(
            store_id="S1",
            lines=[CheckoutLine(sku="BREAD", qty=1)],
            payment_method=PaymentChannel.cash,
            idempotency_key="plain",
            at=AT,
        )
    )
    assert plain.promotion is None and plain.member_id is None
    same_as_validated(plain)


def test_online_orders_and_payments_equal_their_validated_copies(shop):
    """Order lines read back and a new payment's reply are made without validation too."""
    order = shop.create_order(
        OrderCreate(
            store_id="S1",
            channel="pickup",
            lines=[CheckoutLine(sku="MILK", qty=2), CheckoutLine(sku="EGGS", qty=1)],
            idempotency_key="web",
            at=AT,
        )
    )
    paid = shop.pay(
        PaymentCreate(order_id=order.id, method=PaymentChannel.card, idempotency_key="p", at=AT)
    )
    assert paid == shop.pay(  # the reply made from what was written is the one read back
        PaymentCreate(order_id=order.id, method=PaymentChannel.card, idempotency_key="p", at=AT)
    )
    for reply in (order, shop.pick_order(order.id, AT), shop.fulfil_order(order.id, AT), paid):
        again = type(reply).model_validate(reply.model_dump())
        assert reply == again and reply.model_fields_set == again.model_fields_set
        for a, b in zip(getattr(reply, "lines", []), getattr(again, "lines", []), strict=True):
            assert vars(a) == vars(b)
            assert [type(v) for v in vars(a).values()] == [type(v) for v in vars(b).values()]
