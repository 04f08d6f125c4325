"""SQLAlchemy tables of the store services.

Money is stored as integer cents so totals add up exactly on every database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Store(Base):
    """A store of the chain."""

    __tablename__ = "stores"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))


class Product(Base):
    """A SKU of the chain's catalogue with its list price and unit cost."""

    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    brand: Mapped[str] = mapped_column(String(80))
    price_cents: Mapped[int] = mapped_column(CheckConstraint("price_cents >= 0"))
    cost_cents: Mapped[int] = mapped_column(CheckConstraint("cost_cents >= 0"))


class Inventory(Base):
    """Book stock of one SKU in one store; the database refuses a negative on-hand."""

    __tablename__ = "inventory"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    )

    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    safety_stock: Mapped[int] = mapped_column(default=0)


class Order(Base):
    """One order of any channel; in-store sales are orders that are paid at once."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_store_created", "store_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    items: Mapped[int]
    total_cents: Mapped[int]
    cost_cents: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class OrderLine(Base):
    """A SKU, quantity and the prices in force when the order was made."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    qty: Mapped[int] = mapped_column(CheckConstraint("qty > 0"))
    unit_price_cents: Mapped[int]
    unit_cost_cents: Mapped[int]


class Payment(Base):
    """A charge against an order; the idempotency key makes a retried payment charge once."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
