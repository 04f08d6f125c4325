import datetime as dt

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError, MultipleResultsFound

from services.db.dialect import insert_on_conflict
from services.db.engine import Database, sqlite_url
from services.db.models import Courier, Order, Store
from services.db.prepared import (
    Prepared,
    PreparedInsert,
    PreparedRow,
    PreparedRows,
    text_datetimes,
)

ORDERS = Order.__table__


def row(key: str, at: dt.datetime, items: int = 1) -> dict:
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
    }


@pytest.fixture
def conn(db):
    with db.engine.connect() as c, c.begin():
        c.execute(
            insert(Store.__table__), {"id": "S1", "name": "s", "format": "x", "currency": "CNY"}
        )
        yield c


def test_values_are_stored_as_the_core_path_stores_them(conn):
    at = dt.datetime(2026, 3, 2, 9, 30, 0, 250)
    Prepared(insert(ORDERS)).execute(conn, row("a", at))
    conn.execute(insert(ORDERS), row("b", at))
    got = conn.execute(select(ORDERS.c.idempotency_key, ORDERS.c.created_at)).all()
    assert [r.created_at for r in got] == [at, at]
    raw = conn.exec_driver_sql("SELECT created_at FROM orders ORDER BY id").all()
    assert raw[0] == raw[1]


def test_executemany_sums_row_counts(conn):
    at = dt.datetime(2026, 3, 2)
    Prepared(insert(ORDERS)).executemany(conn, [row(k, at) for k in "abc"])
    bump = Prepared(
        update(ORDERS)
        .where(ORDERS.c.idempotency_key == bindparam("k"))
        .values(total_cents=ORDERS.c.total_cents + 1)
    )
    assert bump.executemany(conn, [{"k": "a"}, {"k": "c"}, {"k": "zzz"}]).rowcount == 2


def test_a_statement_runs_on_the_connection_it_is_given_each_time(tmp_path):
    """Its cursor is kept between executions: a statement moved to another connection follows."""
    dbs = {}
    for name in "ab":
        dbs[name] = Database(sqlite_url(tmp_path / f"{name}.db"))
        dbs[name].create_schema()
        with dbs[name].engine.begin() as c:
            c.execute(
                insert(Store.__table__), {"id": "S1", "name": "s", "format": "x", "currency": "CNY"}
            )
    stmt = Prepared(insert(ORDERS))
    for i, name in enumerate("aba"):
        with dbs[name].engine.begin() as c:
            stmt.execute(c, row(f"{name}{i}", dt.datetime(2026, 3, 2)))
    keys = {}
    for name, db in dbs.items():
        with db.engine.connect() as c:
            keys[name] = c.execute(select(ORDERS.c.idempotency_key)).scalars().all()
        db.dispose()
    assert keys == {"a": ["a0", "a2"], "b": ["b1"]}


def test_each_statement_keeps_its_rows_until_read(conn):
    at = dt.datetime(2026, 3, 2)
    Prepared(insert(ORDERS)).executemany(conn, [row(k, at) for k in "abc"])
    paid = ORDERS.c.status == bindparam("s")
    keys = Prepared(select(ORDERS.c.idempotency_key).where(paid).order_by(ORDERS.c.id))
    ids = Prepared(select(ORDERS.c.id).where(paid).order_by(ORDERS.c.id))
    first = keys.execute(conn, {"s": "paid"})
    assert first.fetchone() == ("a",)
    assert len(ids.execute(conn, {"s": "paid"}).fetchall()) == 3
    assert first.fetchall() == [("b",), ("c",)]


def test_driver_errors_become_sqlalchemy_errors(conn):
    at = dt.datetime(2026, 3, 2)
    stmt = Prepared(insert(ORDERS))
    stmt.execute(conn, row("same", at))
    with pytest.raises(IntegrityError):
        stmt.execute(conn, row("same", at))


def test_an_insert_gives_the_new_id_and_none_when_its_key_was_used(conn):
    at = dt.datetime(2026, 3, 2)
    claim = PreparedInsert(
        insert_on_conflict(conn.dialect.name, ORDERS).on_conflict_do_nothing(
            index_elements=["key_scope", "idempotency_key"]
        ),
        ORDERS.c.id,
    )
    first, second = claim.new_id(conn, row("a", at)), claim.new_id(conn, row("b", at))
    assert claim.new_id(conn, row("a", at)) is None
    ids = dict(conn.execute(select(ORDERS.c.idempotency_key, ORDERS.c.id)).all())
    assert ids == {"a": first, "b": second} and first != second
    sql = claim._for(conn, row("c", at))[0]
    assert ("RETURNING" in sql) == (conn.dialect.name != "sqlite")


def test_datetimes_are_stored_as_the_core_path_stores_them(conn):
    """SQLite's datetime text, made by ``isoformat``, is the Core path's to the character."""
    times = [
        dt.datetime(2026, 3, 2),  # no microseconds: the Core path still writes .000000
        dt.datetime(2026, 3, 2, 23, 59, 59, 999999),
        dt.datetime(999, 1, 2, 3, 4, 5, 6),  # a year of three digits is padded
        dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),  # aware
    ]
    prepared = Prepared(insert(ORDERS))
    for i, at in enumerate(times):
        prepared.execute(conn, row(f"p{i}", at))
        prepared.execute(conn, row(f"q{i}", at))  # the same value again: remembered text
        conn.execute(insert(ORDERS), row(f"c{i}", at))
    raw = conn.exec_driver_sql("SELECT idempotency_key, created_at FROM orders").all()
    text = {key: created for key, created in raw}
    for i in range(len(times)):
        assert text[f"p{i}"] == text[f"q{i}"] == text[f"c{i}"]


def test_a_datetime_format_isoformat_cannot_write_keeps_its_processor():
    def other(value):
        return value.strftime("%d/%m/%Y %H:%M:%S")

    assert text_datetimes(other) is other


# Many rows in one INSERT: the same rows, ids and stored values as one INSERT per row.


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


def test_a_prepared_row_reads_what_the_core_path_reads(conn):
    at = dt.datetime(2026, 3, 2, 9, 30, 0, 250)
    Prepared(insert(ORDERS)).executemany(conn, [row("a", at, items=3), row("b", at)])
    by_key = select(ORDERS).where(ORDERS.c.idempotency_key == bindparam("k"))
    core = conn.execute(by_key, {"k": "a"}).one()
    got = PreparedRow(by_key).one_or_none(conn, {"k": "a"})
    assert tuple(got) == tuple(core)
    assert [type(v) for v in got] == [type(v) for v in core]  # datetimes as datetimes
    assert (got.created_at, got.items, got.updated_at) == (at, 3, None)
    assert PreparedRow(by_key).one_or_none(conn, {"k": "zzz"}) is None


def test_a_prepared_row_refuses_two_rows_as_core_does(conn):
    at = dt.datetime(2026, 3, 2)
    Prepared(insert(ORDERS)).executemany(conn, [row("a", at), row("b", at)])
    every = select(ORDERS.c.id).where(ORDERS.c.status == bindparam("s"))
    with pytest.raises(MultipleResultsFound):
        PreparedRow(every).one_or_none(conn, {"s": "paid"})


def test_prepared_rows_read_all_as_the_core_path_reads_them(conn):
    couriers = Courier.__table__
    conn.execute(
        insert(couriers),
        [
            {"store_id": "S1", "name": n, "kind": "own", "capacity": 3, "active": a}
            for n, a in (("a", True), ("b", False))
        ],
    )
    Prepared(insert(ORDERS)).executemany(conn, [row(k, dt.datetime(2026, 3, 2)) for k in "ab"])
    for table in (couriers, ORDERS):
        every = select(table).where(table.c.store_id == bindparam("s")).order_by(table.c.id)
        core = conn.execute(every, {"s": "S1"}).all()
        got = PreparedRow(every).all(conn, {"s": "S1"})
        assert [tuple(r) for r in got] == [tuple(r) for r in core]
        assert [[type(v) for v in r] for r in got] == [[type(v) for v in r] for r in core]
    assert PreparedRow(every).all(conn, {"s": "S9"}) == []
