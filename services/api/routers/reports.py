"""Data center over HTTP: manager reports and dashboard KPIs for a store or (HQ) the chain."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.api.deps import AccessDep, OptStoreQuery, SessionDep
from services.api.paging import PageDep
from services.domain import reports
from services.schemas import (
    CategorySales,
    Dashboard,
    Day,
    DaySales,
    DepartmentRevenue,
    MonthProfit,
    PaymentSplit,
    Schema,
)

router = APIRouter(prefix="/reports", tags=["reports"])
DayQuery = Annotated[Day, Query(description="A day, 1970-01-01 to 2199-12-31, inclusive.")]


class Range(Schema):
    """A store (or the chain when omitted) and an inclusive date range."""

    start: Day
    end: Day
    store_id: str | None = None


def _range(a: AccessDep, start: DayQuery, end: DayQuery, store_id: OptStoreQuery = None) -> Range:
    a.store(store_id)
    return Range(start=start, end=end, store_id=store_id)


RangeDep = Annotated[Range, Depends(_range)]


@router.get("/sales")
def sales(r: RangeDep, s: SessionDep, page: PageDep) -> list[DaySales]:
    """Sales per day."""
    return page.of(reports.sales_by_day(s, r.store_id, r.start, r.end))


@router.get("/categories")
def categories(r: RangeDep, s: SessionDep, page: PageDep) -> list[CategorySales]:
    """Sales per category."""
    return page.of(reports.sales_by_category(s, r.store_id, r.start, r.end))


@router.get("/payments")
def payment_methods(r: RangeDep, s: SessionDep, page: PageDep) -> list[PaymentSplit]:
    """Payments per channel."""
    return page.of(reports.sales_by_payment(s, r.store_id, r.start, r.end))


@router.get("/departments")
def departments(r: RangeDep, s: SessionDep, page: PageDep) -> list[DepartmentRevenue]:
    """Department revenue: orders, customers, average spend."""
    return page.of(reports.department_revenue(s, r.store_id, r.start, r.end))


@router.get("/profit")
def profit(r: RangeDep, s: SessionDep, page: PageDep) -> list[MonthProfit]:
    """Gross profit per month."""
    return page.of(reports.monthly_profit(s, r.store_id, r.start, r.end))


@router.get("/dashboard")
def dashboard(r: RangeDep, s: SessionDep) -> Dashboard:
    """Headline KPIs for the dashboard."""
    return reports.dashboard(s, r.store_id, r.start, r.end)
