"""A member's stored value and points are their home store's: only that store's orders name them."""

import pytest

from services.domain.errors import Forbidden
from services.schemas import (
    CheckoutLine,
    CheckoutRequest,
    MemberCreate,
    OrderCreate,
    PaymentChannel,
    StockCount,
)

from .conftest import AT


def test_another_store_cannot_charge_or_credit_a_member(shop):
    member = shop.register_member(MemberCreate(store_id="S1", name="Li", phone="1380000001"))
    shop.top_up(member.id, 10_000)
    shop.set_stock("S2", [StockCount(sku="MILK", qty=5)])
    sale = CheckoutRequest(
        store_id="S2",
        lines=[CheckoutLine(sku="MILK", qty=1)],
        payment_method=PaymentChannel.stored_value,
        idempotency_key="s2-1",
        member_id=member.id,
        at=AT,
    )
    with pytest.raises(Forbidden, match=f"member {member.id} belongs to store 'S1'"):
        shop.checkout(sale)
    with pytest.raises(Forbidden, match="member_id"):  # not even to earn points there
        shop.checkout(sale.model_copy(update={"payment_method": PaymentChannel.card}))
    with pytest.raises(Forbidden):
        shop.create_order(
            OrderCreate(
                store_id="S2",
                channel="pickup",
                lines=[CheckoutLine(sku="MILK", qty=1)],
                idempotency_key="s2-web",
                member_id=member.id,
                at=AT,
            )
        )
    assert shop.stock_level("S2", "MILK").on_hand == 5
    profile = shop.member_profile(member.id)
    assert (profile.stored_value_cents, profile.points) == (10_000, 0)
    # at home the same member pays with stored value
    receipt = shop.checkout(sale.model_copy(update={"store_id": "S1", "idempotency_key": "s1-1"}))
    assert shop.member_profile(member.id).stored_value_cents == 10_000 - receipt.total_cents
    # and at S2 the customer still buys, as a guest
    as_guest = {"member_id": None, "payment_method": PaymentChannel.card}
    guest = shop.checkout(sale.model_copy(update=as_guest))
    assert guest.member_id is None
