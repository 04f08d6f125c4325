"""A checkout request built without validation is the one validation builds from the same values."""

from __future__ import annotations

import datetime as dt

import pytest

from services.domain.idempotency import fingerprint
from services.schemas import CheckoutLine, CheckoutRequest, PaymentMethod
from twin.requests import LineBook, checkout_request


@pytest.mark.parametrize(
    ("member_id", "codes"), [(None, []), (17, ["C-1", "C-2"])], ids=["guest", "member"]
)
def test_same_request_as_validation(member_id, codes):
    at = dt.datetime(2026, 3, 2, 9, 30)
    lines = [("SKU-1", 2), ("SKU-7", 1)]
    made = LineBook(("SKU-1", "SKU-7")).lines({0: 2, 1: 1})
    built = checkout_request("S001", made, PaymentMethod.card, "run:1", at, member_id, codes)
    validated = CheckoutRequest(
        store_id="S001",
        lines=[CheckoutLine(sku=s, qty=q) for s, q in lines],
        payment_method=PaymentMethod.card,
        idempotency_key="run:1",
        at=at,
        member_id=member_id,
        coupon_codes=codes,
    )
    assert built == validated
    assert type(built.payment_method) is type(validated.payment_method)
    assert set(built.model_fields_set) == set(CheckoutRequest.model_fields)
    assert built.model_dump_json() == validated.model_dump_json()
    assert fingerprint(built) == fingerprint(validated)  # the idempotency check sees one request


def test_same_member_registration_as_validation():
    from services.schemas import MemberCreate
    from twin.requests import member_request

    at = dt.datetime(2026, 3, 2, 9, 30, 5)
    built = member_request("S001", "Customer 1-42", "10010000042", at)
    validated = MemberCreate(store_id="S001", name="Customer 1-42", phone="10010000042", at=at)
    assert built == validated
    assert set(built.model_fields_set) == set(MemberCreate.model_fields)
    assert built.model_dump_json() == validated.model_dump_json()


def test_same_stock_counts_as_validation():
    from services.schemas import StockCount
    from twin.requests import stock_counts

    built = stock_counts(["A", "B", "C"], [3, 0, 12])
    validated = [StockCount(sku="A", qty=3), StockCount(sku="C", qty=12)]
    assert built == validated
    assert [c.model_dump_json() for c in built] == [c.model_dump_json() for c in validated]
    assert [set(c.model_fields_set) for c in built] == [set(StockCount.model_fields)] * 2


def test_a_product_row_is_its_model_dump():
    from services.schemas import ProductIn

    p = ProductIn(
        sku="A1", name="Milk 1L", category="dairy", brand="B", price_cents=990, cost_cents=700
    )
    assert dict(vars(p)) == p.model_dump()


def test_a_line_book_makes_each_line_once_and_the_same_request():
    """A sale's lines come from the store's book: validation's lines, shared by sales with them."""
    at = dt.datetime(2026, 3, 2, 9, 30)
    book = LineBook(("SKU-0", "SKU-1", "SKU-7"))
    first, second = book.lines({2: 2, 0: 1}), book.lines({0: 1, 1: 3})
    assert first == [CheckoutLine(sku="SKU-7", qty=2), CheckoutLine(sku="SKU-0", qty=1)]
    assert second[0] is first[1]  # SKU-0 once: the same line
    assert book.lines({0: 2})[0] == CheckoutLine(sku="SKU-0", qty=2)  # other units: another line
    built = checkout_request("S001", first, PaymentMethod.card, "run:1", at, 17, ["C-1"])
    plain = CheckoutRequest(
        store_id="S001",
        lines=[CheckoutLine(sku="SKU-7", qty=2), CheckoutLine(sku="SKU-0", qty=1)],
        payment_method=PaymentMethod.card,
        idempotency_key="run:1",
        at=at,
        member_id=17,
        coupon_codes=["C-1"],
    )
    assert built == plain
    assert built.model_dump_json() == plain.model_dump_json()
    assert fingerprint(built) == fingerprint(plain)
