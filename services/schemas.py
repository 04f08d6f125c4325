"""Typed requests and replies shared by the domain, the client and (later) the HTTP API."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    """Base of every request and reply: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PaymentMethod(StrEnum):
    """Payment channels."""

    mobile = "mobile"
    card = "card"
    cash = "cash"


class OrderStatus(StrEnum):
    """Order lifecycle states."""

    created = "created"
    paid = "paid"
    fulfilled = "fulfilled"
    cancelled = "cancelled"
    refunded = "refunded"


class StoreIn(Schema):
    """A store to register or update."""

    id: str = Field(min_length=1, max_length=32)
    name: str
    format: str
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")


class ProductIn(Schema):
    """A catalogue entry to create or update."""

    sku: str = Field(min_length=1, max_length=32)
    name: str
    category: str
    brand: str
    price_cents: int = Field(ge=0)
    cost_cents: int = Field(ge=0)


class ProductPublic(ProductIn):
    """A catalogue entry as the services hold it."""


class StockCount(Schema):
    """A stock-take result or a receipt of goods for one SKU."""

    sku: str
    qty: int = Field(ge=0)


class StockLevel(Schema):
    """Book stock of one SKU in one store."""

    store_id: str
    sku: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        """Units that may still be sold or reserved."""
        return self.on_hand - self.reserved


class CheckoutLine(Schema):
    """One SKU and quantity at the till."""

    sku: str
    qty: int = Field(gt=0)


class CheckoutRequest(Schema):
    """An in-store sale: order, payment and stock deduction in one transaction."""

    store_id: str
    lines: list[CheckoutLine] = Field(min_length=1)
    payment_method: PaymentMethod
    idempotency_key: str = Field(min_length=1, max_length=100)
    at: dt.datetime | None = Field(None, description="Time of sale; now when omitted.")


class ReceiptLine(Schema):
    """A line as charged."""

    sku: str
    qty: int
    unit_price_cents: int
    unit_cost_cents: int


class Receipt(Schema):
    """What the till prints, plus the cost the store's margin is computed from."""

    order_id: int
    store_id: str
    status: OrderStatus
    payment_method: PaymentMethod
    items: int
    total_cents: int
    cost_cents: int
    lines: list[ReceiptLine]
