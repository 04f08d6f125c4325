"""Data center: the reports store managers and HQ read, for one store or the whole chain.

Sales count orders that were paid (paid, picked, fulfilled), at what was paid
after discounts; a date range is inclusive of both days. Category and
department figures share each order's discount over its lines pro rata.
A customer is a member, or one anonymous order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.orm import Session

from services.db.models import Alert, Inventory, Member, Order, OrderLine, Payment, Product
from services.domain.errors import DomainError
from services.domain.members import SOLD
from services.domain.stores import require_store
from services.schemas import (
    CategorySales,
    Dashboard,
    DaySales,
    DepartmentRevenue,
    MonthProfit,
    PaymentSplit,
)


def _orders_in(store_id: str | None, start: dt.date, end: dt.date) -> list[ColumnElement]:
    where = [
        Order.status.in_(SOLD),
        Order.created_at >= dt.datetime.combine(start, dt.time()),
        Order.created_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
    ]
    if store_id is not None:
        where.append(Order.store_id == store_id)
    return where


def _check(session: Session, store_id: str | None, start: dt.date, end: dt.date) -> None:
    if end < start:
        raise DomainError("end: must not be before start")
    if store_id is not None:
        require_store(session, store_id)


def sales_by_day(
    session: Session, store_id: str | None, start: dt.date, end: dt.date
) -> list[DaySales]:
    """Orders, sales and discounts per day with sales."""
    _check(session, store_id, start, end)
    rows = session.execute(
        select(
            func.date(Order.created_at),
            func.count(),
            func.sum(Order.total_cents),
            func.sum(Order.discount_cents),
        )
        .where(*_orders_in(store_id, start, end))
        .group_by(func.date(Order.created_at))
        .order_by(func.date(Order.created_at))
    ).all()
    return [
        DaySales(date=_day(d), orders=n, sales_cents=int(s), discount_cents=int(disc))
        for d, n, s, disc in rows
    ]


def _line_sales() -> ColumnElement:
    """A line's share of what its order paid."""
    list_total = func.coalesce(Order.list_cents, Order.total_cents)
    line = OrderLine.qty * OrderLine.unit_price_cents
    return func.sum(line * Order.total_cents * 1.0 / func.nullif(list_total, 0))


def _lines_in(stmt: Select, store_id, start, end) -> Select:
    return (
        stmt.select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.sku == OrderLine.sku)
        .where(*_orders_in(store_id, start, end))
    )


def sales_by_category(
    session: Session, store_id: str | None, start: dt.date, end: dt.date
) -> list[CategorySales]:
    """Units and sales per category, best-selling first."""
    _check(session, store_id, start, end)
    stmt = _lines_in(
        select(Product.category, func.sum(OrderLine.qty), _line_sales()), store_id, start, end
    ).group_by(Product.category)
    rows = [
        CategorySales(category=c, units=int(u), sales_cents=round(s or 0))
        for c, u, s in session.execute(stmt)
    ]
    return sorted(rows, key=lambda r: (-r.sales_cents, r.category))


def sales_by_payment(
    session: Session, store_id: str | None, start: dt.date, end: dt.date
) -> list[PaymentSplit]:
    """Payments per channel (refunds of those orders are not counted: the orders are not sold)."""
    _check(session, store_id, start, end)
    rows = session.execute(
        select(Payment.method, func.count(), func.sum(Payment.amount_cents))
        .join(Order, Order.id == Payment.order_id)
        .where(*_orders_in(store_id, start, end), Payment.amount_cents > 0)
        .group_by(Payment.method)
        .order_by(Payment.method)
    ).all()
    return [PaymentSplit(method=m, payments=n, amount_cents=int(a)) for m, n, a in rows]


def department_revenue(
    session: Session, store_id: str | None, start: dt.date, end: dt.date
) -> list[DepartmentRevenue]:
    """Per department: orders containing it, distinct customers, sales and average spend."""
    _check(session, store_id, start, end)
    department = func.coalesce(Product.department, Product.category)
    stmt = _lines_in(
        select(department, Order.id, Order.member_id, _line_sales()), store_id, start, end
    ).group_by(department, Order.id, Order.member_id)
    per: dict[str, list] = defaultdict(lambda: [set(), set(), 0.0])
    for dep, order_id, member_id, sales in session.execute(stmt):
        entry = per[dep]
        entry[0].add(order_id)
        entry[1].add(("m", member_id) if member_id is not None else ("o", order_id))
        entry[2] += sales or 0.0
    rows = [
        DepartmentRevenue(
            department=dep,
            orders=len(orders),
            customers=len(customers),
            sales_cents=round(sales),
            avg_spend_cents=round(sales / len(customers)),
        )
        for dep, (orders, customers, sales) in per.items()
    ]
    return sorted(rows, key=lambda r: (-r.sales_cents, r.department))


def monthly_profit(
    session: Session, store_id: str | None, start: dt.date, end: dt.date
) -> list[MonthProfit]:
    """Sales, cost of goods and gross profit per calendar month."""
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    _check(session, store_id, start, end)
    rows = session.execute(
        select(func.date(Order.created_at), func.sum(Order.total_cents), func.sum(Order.cost_cents))
        .where(*_orders_in(store_id, start, end))
        .group_by(func.date(Order.created_at))
    )
    for day, sales, cost in rows:
        m = months[_day(day).strftime("%Y-%m")]
        m[0] += int(sales)
        m[1] += int(cost)
    return [
        MonthProfit(month=k, sales_cents=s, cost_cents=c, profit_cents=s - c)
        for k, (s, c) in sorted(months.items())
    ]


def dashboard(session: Session, store_id: str | None, start: dt.date, end: dt.date) -> Dashboard:
    """Headline KPIs for the range, plus what needs attention now."""
    _check(session, store_id, start, end)
    where = _orders_in(store_id, start, end)
    orders, sales, member_sales, members_buying, anonymous = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Order.total_cents), 0),
            func.coalesce(func.sum(Order.total_cents).filter(Order.member_id.is_not(None)), 0),
            func.count(distinct(Order.member_id)),
            func.count().filter(Order.member_id.is_(None)),
        ).where(*where)
    ).one()
    scoped = (lambda col: [col == store_id]) if store_id is not None else (lambda col: [])
    open_online = session.scalar(
        select(func.count())
        .select_from(Order)
        .where(
            *scoped(Order.store_id),
            Order.channel != "in_store",
            Order.status.in_(["created", "paid", "picked"]),
        )
    )
    free = Inventory.on_hand - Inventory.reserved
    stock = session.execute(
        select(
            func.count().filter(free <= 0), func.count().filter(free < Inventory.safety_stock)
        ).where(*scoped(Inventory.store_id))
    ).one()
    customers = members_buying + anonymous
    return Dashboard(
        store_id=store_id,
        sales_cents=int(sales),
        orders=orders,
        customers=customers,
        avg_basket_cents=round(sales / orders) if orders else 0,
        member_sales_share=round(member_sales / sales, 4) if sales else 0.0,
        members=session.scalar(
            select(func.count()).select_from(Member).where(*scoped(Member.store_id))
        ),
        open_online_orders=open_online,
        open_alerts=session.scalar(
            select(func.count())
            .select_from(Alert)
            .where(*scoped(Alert.store_id), Alert.status == "open")
        ),
        skus_out_of_stock=stock[0],
        skus_below_safety=stock[1],
    )


def _day(value) -> dt.date:
    """SQLite's date() gives text, PostgreSQL's a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
