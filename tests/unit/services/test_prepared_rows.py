"""Many rows in one INSERT: the same rows, ids and stored values as one INSERT per row."""

import datetime as dt

import pytest
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql

from services.db.models import Order, Store
from services.db.prepared import Prepared, PreparedRows

ORDERS = Order.__table__


def row(key: str, at: dt.datetime, items: int, member_id: int | None = None) -> dict:
    return {
        "store_id": "S1",
        "channel": "in_store",
        "status": "paid",
        "key_scope": "store:S1",
        "idempotency_key": key,
        "items": items,
        "total_cents": 100 * items,
        "cost_cents": 50,
        "created_at": at,
        "member_id": member_id,
    }


@pytest.fixture
def conn(db):
    with db.engine.connect() as c, c.begin():
        c.execute(
            insert(Store.__table__), {"id": "S1", "name": "s", "format": "x", "currency": "CNY"}
        )
        yield c


def _stored(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(select(ORDERS).order_by(ORDERS.c.id))]


@pytest.mark.parametrize("n", [1, 2, 3, 8, 70])
def test_rows_in_one_statement_are_the_rows_one_by_one(db, conn, n):
    at = dt.datetime(2026, 3, 2, 9, 30, 0, 250)
    rows = [row(f"k{i}", at + dt.timedelta(seconds=i), i + 1) for i in range(n)]
    PreparedRows(ORDERS).insert(conn, rows)
    ours = _stored(conn)
    conn.execute(ORDERS.delete())
    one = Prepared(insert(ORDERS))
    for r in rows:
        one.execute(conn, r)
    theirs = _stored(conn)
    assert len(ours) == n
    assert [r[1:] for r in ours] == [r[1:] for r in theirs]  # all but the ids
    assert [r[0] for r in ours] == sorted(r[0] for r in ours)  # ids in the rows' order


def test_postgresql_gets_one_statement_with_every_rows_values():
    rows = [row(f"k{i}", dt.datetime(2026, 3, 2), i + 1) for i in range(3)]
    sql, order, _, names = PreparedRows(ORDERS)._compile(postgresql.dialect(), list(rows[0]), 3)
    assert sql.count("%(r2_items)s") == 1 and sql.count("), (") == 2
    assert dict(zip(names, [rows[i][c] for i, c in order], strict=True))["r1_items"] == 2
