"""Requests the twin sends to the services, built without validating them again.

Everything in a shopper's checkout comes from validated data (the scenario,
the catalogue the twin registered, the services' own member ids), so the
pydantic checks would only confirm it, at some 40 us a checkout. Over HTTP the
server still validates the body it receives, so nothing goes unchecked at
that boundary; in-process, the domain gets the same object validation would
have made (``tests/unit/twin/test_requests.py`` holds them equal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.domain.replies import reply as trusted
from services.schemas import (
    CheckoutLine,
    CheckoutRequest,
    MemberCreate,
    PaymentChannel,
    StockCount,
)

_CHANNELS: dict[str, PaymentChannel] = {c.value: c for c in PaymentChannel}
"""Channel by value: a dict look-up, not ``PaymentChannel(value)``'s enum machinery
(two Python calls and a few thousand instructions on every sale)."""


class LineBook:
    """A store's checkout lines by (SKU index, units): each made once, shared by every sale with it.

    Making a line (``trusted``: a dict, a set, four slot writes) costs some
    7,000 instructions under callgrind; a supermarket day's sales have some
    13,000 lines but only a few hundred distinct (SKU, units) pairs. Sharing is
    safe: the services read a request's lines and never change them, and over
    HTTP the request is sent as JSON.
    """

    __slots__ = ("_codes", "_made")

    def __init__(self, codes: Sequence[str]):
        self._codes = codes
        self._made: dict[tuple[int, int], CheckoutLine] = {}

    def lines(self, basket: dict[int, int]) -> list[CheckoutLine]:
        """The lines of ``basket`` (SKU index: units above zero), in its order."""
        made, out = self._made, []
        for key in basket.items():
            line = made.get(key)
            if line is None:
                sku, qty = key
                line = made[key] = trusted(CheckoutLine, {"sku": self._codes[sku], "qty": int(qty)})
            out.append(line)
        return out


def checkout_request(
    store_id: str,
    lines: list[CheckoutLine],
    payment: str,
    idempotency_key: str,
    at: dt.datetime,
    member_id: int | None = None,
    coupon_codes: Sequence[str] = (),
) -> CheckoutRequest:
    """The sale of ``lines`` (from the store's ``LineBook``), as validation would have built it.

    ``at`` is naive UTC (the twin's clock).
    """
    return trusted(
        CheckoutRequest,
        {
            "store_id": store_id,
            "lines": lines,
            "payment_method": _CHANNELS.get(payment) or PaymentChannel(payment),
            "idempotency_key": idempotency_key,
            "at": at,
            "member_id": member_id,
            "coupon_codes": list(coupon_codes),
        },
    )


def member_request(store_id: str, name: str, phone: str, at: dt.datetime) -> MemberCreate:
    """A registration at the till, as validation would have built it from the same values.

    ``name`` is 1 to 100 characters, ``phone`` 6 to 20 digits, ``at`` naive UTC
    (the twin's clock); no birthday, no tags.
    """
    return trusted(
        MemberCreate,
        {
            "store_id": store_id,
            "name": name,
            "phone": phone,
            "birthday": None,
            "tags": [],
            "at": at,
        },
    )


def stock_counts(skus: Sequence[str], units: Sequence[int]) -> list[StockCount]:
    """A count of every SKU with units (zeros left out), as validation would have built it.

    ``skus`` are the catalogue's validated codes, ``units`` the twin's non-negative
    counts of them (shelf and back room: far below a billion), taken as ``int``. A
    store's opening stock is a few hundred counts, some 30,000 instructions
    each through validation.
    """
    return [
        trusted(StockCount, {"sku": sku, "qty": int(qty), "safety_stock": None})
        for sku, qty in zip(skus, units, strict=True)
        if qty
    ]
