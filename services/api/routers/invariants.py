"""Invariants over HTTP (HQ): does the book add up? Read only, for load tests and audits.

``GET`` checks the data as it is; ``POST`` also takes what only the caller
knows: the stock each SKU started from and the ids of the writes it got a 2xx
for. POST because those ids do not fit in a URL; it writes nothing either way.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import Field

from services.api.deps import AccessDep, SessionDep
from services.domain.invariants import check_all
from services.schemas import Id, Schema, Sku, StoreId

router = APIRouter(prefix="/admin/invariants", tags=["admin"])
# A load test's acknowledged ids per kind; a longer list is sent in several requests.
MAX_IDS = 200_000
Ids = Annotated[list[Id], Field(max_length=MAX_IDS)]


class StartStock(Schema):
    """The first count of one SKU in one store: where its stock balance starts."""

    store_id: StoreId
    sku: Sku
    qty: int = Field(ge=0, le=2**31 - 1)


class InvariantsQuery(Schema):
    """What the caller knows and the database cannot: start stock, acknowledged writes."""

    start_stock: Annotated[list[StartStock], Field(max_length=MAX_IDS)] | None = Field(
        None, description="Without it, the balance only checks that no implied start is negative."
    )
    orders: Ids = Field(default_factory=list)
    payments: Ids = Field(default_factory=list)
    members: Ids = Field(default_factory=list)


class InvariantCheck(Schema):
    """One rule: how many rows break it, and a few of them."""

    name: str
    passed: bool = Field(serialization_alias="pass", validation_alias="pass")
    violations: int
    examples: list[str]


class InvariantsReport(Schema):
    """Every invariant, and whether all of them hold."""

    passed: bool = Field(serialization_alias="pass", validation_alias="pass")
    checks: list[InvariantCheck]


def _report(s: SessionDep, q: InvariantsQuery) -> InvariantsReport:
    start = (
        {(line.store_id, line.sku): line.qty for line in q.start_stock}
        if q.start_stock is not None
        else None
    )
    acked = {"orders": q.orders, "payments": q.payments, "members": q.members}
    checks = [InvariantCheck.model_validate(c.as_dict()) for c in check_all(s, start, acked)]
    return InvariantsReport.model_validate(
        {"pass": all(c.passed for c in checks), "checks": checks}
    )


@router.get("", response_model_by_alias=True)
def current(s: SessionDep, a: AccessDep) -> InvariantsReport:
    """Every invariant of the data as it is now."""
    a.hq()
    return _report(s, InvariantsQuery())


@router.post("", response_model_by_alias=True)
def check(q: InvariantsQuery, s: SessionDep, a: AccessDep) -> InvariantsReport:
    """Every invariant, with the caller's start stock and acknowledged ids (writes nothing)."""
    a.hq()
    return _report(s, q)
