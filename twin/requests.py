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
from typing import TypeVar

from pydantic import BaseModel

from services.schemas import CheckoutLine, CheckoutRequest, PaymentChannel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def trusted(model: type[M], values: dict) -> M:
    """An instance of ``model`` holding ``values`` as given, every field among them.

    What ``model_construct`` does, without its loop over defaults and aliases,
    which costs more than validating a small model.
    """
    made = model.__new__(model)
    _set(made, "__dict__", values)
    _set(made, "__pydantic_fields_set__", set(values))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


def checkout_request(
    store_id: str,
    lines: Sequence[tuple[str, int]],
    payment: str,
    idempotency_key: str,
    at: dt.datetime,
    member_id: int | None = None,
    coupon_codes: Sequence[str] = (),
) -> CheckoutRequest:
    """The sale of ``lines`` (SKU, units), as validation would have built it from the same values.

    ``at`` is naive UTC (the twin's clock); units are whole numbers above zero.
    """
    return trusted(
        CheckoutRequest,
        {
            "store_id": store_id,
            "lines": [trusted(CheckoutLine, {"sku": s, "qty": int(q)}) for s, q in lines],
            "payment_method": PaymentChannel(payment),
            "idempotency_key": idempotency_key,
            "at": at,
            "member_id": member_id,
            "coupon_codes": list(coupon_codes),
        },
    )
