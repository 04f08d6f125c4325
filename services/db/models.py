"""SQLAlchemy tables of the store services, grouped by the center that owns them.

Money is stored as integer cents so totals add up exactly on every database. Money and
quantity columns are 64-bit (``BigInt``) on every database, as SQLite's integers are: the
API's bounds (``services.schemas``) fit them, so both databases keep the same values.
Times are naive UTC (or the twin's simulated clock), the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every table."""


class BigInt(TypeDecorator):
    """64-bit integer for money in cents and stock quantities (PostgreSQL's INTEGER is 32-bit).

    PostgreSQL sums BIGINT as NUMERIC; the sums, which take this type from their
    column, are read back as ``int`` as on SQLite.
    """

    impl = BigInteger
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> int | None:
        """Integers as they are, PostgreSQL's NUMERIC sums as ``int``."""
        return value if value is None or type(value) is int else int(value)


# --- store center -------------------------------------------------------------------------


class Store(Base):
    """A store of the chain, with the profile HQ manages centrally."""

    __tablename__ = "stores"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    region: Mapped[str] = mapped_column(String(80), default="")
    size_m2: Mapped[int] = mapped_column(default=0)
    opens: Mapped[dt.time] = mapped_column(Time, default=dt.time(8))
    closes: Mapped[dt.time] = mapped_column(Time, default=dt.time(22))
    status: Mapped[str] = mapped_column(String(20), default="open")
    price_group: Mapped[str | None] = mapped_column(String(40))


# --- product center -----------------------------------------------------------------------


class Product(Base):
    """A SKU of the chain's catalogue with its list price and unit cost."""

    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    brand: Mapped[str] = mapped_column(String(80))
    price_cents: Mapped[int] = mapped_column(BigInt, CheckConstraint("price_cents >= 0"))
    cost_cents: Mapped[int] = mapped_column(BigInt, CheckConstraint("cost_cents >= 0"))
    department: Mapped[str | None] = mapped_column(String(40))


class PriceChange(Base):
    """A new price for a SKU from a moment on, for one price group or (group NULL) all stores."""

    __tablename__ = "price_changes"
    __table_args__ = (Index("ix_price_changes_sku_at", "sku", "effective_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    price_group: Mapped[str | None] = mapped_column(String(40))
    price_cents: Mapped[int] = mapped_column(BigInt, CheckConstraint("price_cents >= 0"))
    effective_at: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")


# --- inventory center ---------------------------------------------------------------------


class Inventory(Base):
    """Book stock of one SKU in one store; the database refuses a negative or oversold book."""

    __tablename__ = "inventory"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )

    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(BigInt, default=0)
    reserved: Mapped[int] = mapped_column(BigInt, default=0)
    safety_stock: Mapped[int] = mapped_column(BigInt, default=0)


class StockMovement(Base):
    """A change of on-hand that is not a sale: receipt, stock-take difference, shrink."""

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_store_at", "store_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    delta: Mapped[int] = mapped_column(BigInt)
    reason: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class Replenishment(Base):
    """A purchase order of goods for a store; received once, into on-hand."""

    __tablename__ = "replenishments"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --- member center ------------------------------------------------------------------------


class Member(Base):
    """A registered customer; name and phone are encrypted, the phone also kept as a keyed hash."""

    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("stored_value_cents >= 0", name="stored_value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), index=True)
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    birthday: Mapped[dt.date | None] = mapped_column(Date)
    tier: Mapped[str] = mapped_column(String(20))
    points: Mapped[int] = mapped_column(BigInt, default=0)
    lifetime_cents: Mapped[int] = mapped_column(BigInt, default=0)
    stored_value_cents: Mapped[int] = mapped_column(BigInt, default=0)
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime)


class MemberTag(Base):
    """A label on a member (from the tag library), for segments and targeted coupons."""

    __tablename__ = "member_tags"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class LedgerEntry(Base):
    """One change of a member's points or stored value, with its reason."""

    __tablename__ = "member_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    account: Mapped[str] = mapped_column(String(20))
    delta: Mapped[int] = mapped_column(BigInt)
    reason: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[int | None]
    at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- marketing center ---------------------------------------------------------------------


class Promotion(Base):
    """A promotion of one kind with its parameters, for one store or (store NULL) the chain."""

    __tablename__ = "promotions"
    __table_args__ = (Index("ix_promotions_window", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    store_id: Mapped[str | None] = mapped_column(ForeignKey("stores.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    quota: Mapped[int | None] = mapped_column(BigInt)
    used: Mapped[int] = mapped_column(BigInt, default=0)
    cost_cents: Mapped[int] = mapped_column(BigInt, default=0)


class CouponTemplate(Base):
    """What a coupon is worth and when it may be used; coupons are issued from it."""

    __tablename__ = "coupon_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[int] = mapped_column(BigInt)
    threshold_cents: Mapped[int] = mapped_column(BigInt, default=0)
    valid_days: Mapped[int]
    store_id: Mapped[str | None] = mapped_column(ForeignKey("stores.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Coupon(Base):
    """One coupon, usable once before it expires; redeeming it records the order."""

    __tablename__ = "coupons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("coupon_templates.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    redeemed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    order_id: Mapped[int | None]
    gift_of_order: Mapped[int | None]


# --- order center -------------------------------------------------------------------------


class Order(Base):
    """One order of any channel; in-store sales are orders that are paid at once."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("key_scope", "idempotency_key", name="uq_orders_key"),
        Index("ix_orders_store_created", "store_id", "created_at"),
        Index("ix_orders_member", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    key_scope: Mapped[str] = mapped_column(String(48))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    items: Mapped[int] = mapped_column(BigInt)
    total_cents: Mapped[int] = mapped_column(BigInt)
    cost_cents: Mapped[int] = mapped_column(BigInt)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    list_cents: Mapped[int | None] = mapped_column(BigInt)
    discount_cents: Mapped[int] = mapped_column(BigInt, server_default="0")
    promotion_id: Mapped[int | None] = mapped_column(ForeignKey("promotions.id"))
    coupon_code: Mapped[str | None] = mapped_column(String(40))
    coupon_cents: Mapped[int] = mapped_column(BigInt, server_default="0")
    points_earned: Mapped[int] = mapped_column(BigInt, server_default="0")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class OrderLine(Base):
    """A SKU, quantity and the prices in force when the order was made."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    qty: Mapped[int] = mapped_column(BigInt, CheckConstraint("qty > 0"))
    unit_price_cents: Mapped[int] = mapped_column(BigInt)
    unit_cost_cents: Mapped[int] = mapped_column(BigInt)


# --- payment center -----------------------------------------------------------------------


class Payment(Base):
    """A charge (or, with a negative amount, a refund) against an order, once per key."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("key_scope", "idempotency_key", name="uq_payments_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInt)
    status: Mapped[str] = mapped_column(String(20))
    key_scope: Mapped[str] = mapped_column(String(48))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- delivery center ----------------------------------------------------------------------


class Courier(Base):
    """A rider of the store's own fleet or of a third-party delivery platform."""

    __tablename__ = "couriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int] = mapped_column(default=5)
    active: Mapped[bool] = mapped_column(default=True)


class Delivery(Base):
    """Where and when a delivery order goes, and the batch it was dispatched in."""

    __tablename__ = "deliveries"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), index=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    bearing_deg: Mapped[float]
    distance_km: Mapped[float]
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_batches.id"))


class DeliveryBatch(Base):
    """Orders of one time window and direction, handed to one courier."""

    __tablename__ = "delivery_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), index=True)
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("couriers.id"))
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    direction: Mapped[str] = mapped_column(String(2))
    dispatched_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- device center ------------------------------------------------------------------------


class Telemetry(Base):
    """One reading a device sent, kept as it came."""

    __tablename__ = "telemetry"
    __table_args__ = (Index("ix_telemetry_store_at", "store_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(30))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class Alert(Base):
    """Something staff should act on, raised from telemetry; open until acknowledged."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_store_status", "store_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(300))
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="open")
    acked_by: Mapped[str | None] = mapped_column(String(64))
    acked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --- project library (six-step method) ----------------------------------------------------


class Project(Base):
    """A pilot project of the six-step method, from identification to decision."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    intervention: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))
    estimates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pilot_stores: Mapped[list[str]] = mapped_column(JSON, default=list)
    reference_stores: Mapped[list[str]] = mapped_column(JSON, default=list)
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decision: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
