"""Idempotency keys are the caller's and bound to their first request, as payment providers do."""

import pytest
from sqlalchemy import func, select

from services.db.models import Order, Payment
from services.domain.errors import KeyReused, from_body, to_body
from services.schemas import (
    CheckoutLine,
    CheckoutRequest,
    MemberCreate,
    OrderCreate,
    PaymentChannel,
    PaymentCreate,
    RefundCreate,
)

from .conftest import AT


def sale(store: str, key: str, milk: int = 1) -> CheckoutRequest:
    return CheckoutRequest(
        store_id=store,
        lines=[CheckoutLine(sku="MILK", qty=milk)],
        payment_method=PaymentChannel.card,
        idempotency_key=key,
        at=AT,
    )


def online(key: str, member: int | None = None, milk: int = 1) -> OrderCreate:
    return OrderCreate(
        store_id="S1",
        channel="pickup",
        lines=[CheckoutLine(sku="MILK", qty=milk)],
        idempotency_key=key,
        member_id=member,
        at=AT,
    )


def count(db, table) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(table))


def test_two_stores_may_use_the_same_key_and_each_gets_its_own_sale(shop, db):
    a = shop.checkout(sale("S1", "till-1"))
    b = shop.checkout(sale("S2", "till-1", milk=2))
    assert (a.store_id, b.store_id) == ("S1", "S2") and a.order_id != b.order_id
    assert b.items == 2 and b.total_cents == 2 * 1290
    assert shop.stock_level("S1", "MILK").on_hand == 49
    assert shop.stock_level("S2", "MILK").on_hand == 3  # S2's sale is recorded
    assert (count(db, Order), count(db, Payment)) == (2, 2)
    assert shop.checkout(sale("S2", "till-1", milk=2)) == b  # and each replays its own


def test_a_key_sent_again_with_another_body_is_refused_and_nothing_is_written(shop, db):
    first = shop.checkout(sale("S1", "till-1"))
    with pytest.raises(KeyReused, match="'till-1' was already used") as info:
        shop.checkout(sale("S1", "till-1", milk=2))
    assert info.value.idempotency_key == "till-1" and info.value.status == 409
    other_method = sale("S1", "till-1").model_copy(update={"payment_method": PaymentChannel.cash})
    with pytest.raises(KeyReused):
        shop.checkout(other_method)
    assert shop.checkout(sale("S1", "till-1")) == first  # same body: the first receipt
    assert shop.stock_level("S1", "MILK").on_hand == 49
    assert (count(db, Order), count(db, Payment)) == (1, 1)


def test_online_order_keys_are_each_members_own(shop, db):
    ann = shop.register_member(MemberCreate(store_id="S1", name="Ann", phone="1300000001"))
    bob = shop.register_member(MemberCreate(store_id="S1", name="Bob", phone="1300000002"))
    a = shop.create_order(online("app-1", ann.id))
    b = shop.create_order(online("app-1", bob.id, milk=2))
    assert a.id != b.id and (a.member_id, b.member_id) == (ann.id, bob.id)
    assert shop.create_order(online("app-1", ann.id)) == a
    with pytest.raises(KeyReused, match="'app-1'"):
        shop.create_order(online("app-1", ann.id, milk=3))
    assert shop.stock_level("S1", "MILK").reserved == 3
    assert count(db, Order) == 2


def test_payment_and_refund_keys_are_bound_to_their_request(shop, db):
    first = shop.create_order(online("web-1"))
    second = shop.create_order(online("web-2"))
    pay = PaymentCreate(order_id=first.id, method=PaymentChannel.card, idempotency_key="pay-1")
    paid = shop.pay(pay)
    assert shop.pay(pay) == paid
    with pytest.raises(KeyReused, match="'pay-1'"):  # the same key for another order
        shop.pay(pay.model_copy(update={"order_id": second.id}))
    assert shop.get_order(second.id).status == "created"
    shop.pay(pay.model_copy(update={"order_id": second.id, "idempotency_key": "pay-2"}))
    refund = RefundCreate(idempotency_key="back-1", at=AT)
    refunded = shop.refund(first.id, refund)
    assert shop.refund(first.id, refund) == refunded
    with pytest.raises(KeyReused, match="'back-1'"):
        shop.refund(second.id, refund)
    assert shop.get_order(second.id).status == "paid"
    with db.sessions() as s:
        amounts = s.scalars(select(Payment.amount_cents).order_by(Payment.id)).all()
    assert amounts == [1290, 1290, -1290]


def test_a_sale_key_cannot_be_replayed_as_a_payment(shop):
    shop.checkout(sale("S1", "same"))
    order = shop.create_order(online("web-1"))
    with pytest.raises(KeyReused, match="'same'"):
        shop.pay(
            PaymentCreate(order_id=order.id, method=PaymentChannel.card, idempotency_key="same")
        )


def test_the_http_client_raises_the_same_key_reused_error():
    error = from_body(409, to_body(KeyReused("till-1")))
    assert isinstance(error, KeyReused) and error.idempotency_key == "till-1"
    assert str(error) == str(KeyReused("till-1"))


def test_fingerprints_are_the_hashes_stored_before_of_each_request_and_context():
    """The serializer's bytes are hashed as they are: what earlier versions stored still matches."""
    import hashlib

    from services.domain.idempotency import fingerprint

    def stored_before(request, **context) -> str:
        body = request.model_dump_json(exclude={"idempotency_key"})
        if context:
            body += repr(sorted(context.items()))
        return hashlib.sha256(body.encode()).hexdigest()

    requests = [
        sale("S1", "k"),
        CheckoutRequest(
            store_id="店一",
            lines=[CheckoutLine(sku="MILK", qty=2), CheckoutLine(sku='B"R\\EAD', qty=1)],
            payment_method=PaymentChannel.points,
            idempotency_key="k",
            member_id=7,
            coupon_codes=["C1", "ç2"],
        ),
        online("web-1", member=3),
        PaymentCreate(order_id=5, method=PaymentChannel.card, idempotency_key="p", at=AT),
    ]
    for request in requests:
        assert fingerprint(request) == stored_before(request)
    refund = RefundCreate(idempotency_key="r", at=AT)
    assert fingerprint(refund, order_id=9) == stored_before(refund, order_id=9)
    assert fingerprint(refund, order_id=9) != fingerprint(refund, order_id=10)
