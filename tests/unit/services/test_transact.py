"""``transact``: one transaction per call, on a session the caller may reuse between calls."""

import datetime as dt

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from services.db import Database
from services.db.engine import connection_of, session_for, sqlite_url, transact
from services.db.models import Store
from services.db.prepared import Prepared


def store(store_id: str) -> Store:
    return Store(id=store_id, name=store_id, format="supermarket", currency="CNY")


def ids(s: Session) -> list[str]:
    return list(s.scalars(select(Store.id).order_by(Store.id)))


def test_a_reused_session_keeps_nothing_of_a_failed_transaction(db):
    with db.engine.connect() as conn:
        session = session_for(conn)

        def fail(s: Session) -> None:
            s.add(store("S1"))
            s.flush()
            raise RuntimeError("the sale fails after its first write")

        with pytest.raises(RuntimeError, match="first write"):
            transact(conn, fail, session)
        assert not session.identity_map and not session.new
        transact(conn, lambda s: s.add(store("S2")), session)
        assert transact(conn, ids, session) == ["S2"]
        assert transact(conn, ids) == ["S2"]  # and without a session of the caller's


def test_a_reused_session_forgets_a_committed_transaction_and_one_it_never_used(db):
    with db.engine.connect() as conn:
        session = session_for(conn)
        transact(conn, lambda s: s.add(store("S1")), session)
        assert not session.identity_map and not session.in_transaction()
        assert transact(conn, lambda s: s.get(Store, "S1").name, session) == "S1"
        assert not session.identity_map  # a read's objects are forgotten too
        # a call of prepared statements only leaves the session as it was
        transact(conn, lambda s: _RENAME.execute(connection_of(s), {"n": "One"}), session)
        assert not session.in_transaction() and not session.identity_map
        assert transact(conn, lambda s: s.get(Store, "S1").name, session) == "One"


_RENAME = Prepared(
    Store.__table__.update().where(Store.__table__.c.id == "S1").values(name=bindparam("n"))
)


def test_a_lost_race_on_a_unique_key_is_retried_once_on_the_same_session(db):
    with db.engine.connect() as conn:
        session = session_for(conn)
        transact(conn, lambda s: s.add(store("S1")), session)
        tries: list[int] = []

        def create_once(s: Session) -> str:  # as if a rival made S1 just before this request
            tries.append(1)
            if len(tries) == 1:
                s.add(store("S1"))
                s.flush()
            return s.get(Store, "S1").name

        assert transact(conn, create_once, session) == "S1" and len(tries) == 2

        def always_clash(s: Session) -> None:
            s.add(store("S1"))
            s.flush()

        with pytest.raises(IntegrityError):
            transact(conn, always_clash, session)
        assert transact(conn, ids, session) == ["S1"]


def test_a_sqlite_transaction_takes_the_write_lock_when_it_begins(tmp_path):
    """BEGIN IMMEDIATE (the dialect's begin): a second writer waits before it reads anything."""
    url = sqlite_url(tmp_path / "lock.db")
    first, second = Database(url), Database(url)
    first.create_schema()
    try:
        with first.engine.connect() as a, second.engine.connect() as b:
            b.connection.driver_connection.execute("PRAGMA busy_timeout=50")
            a.begin()  # nothing read or written yet
            with pytest.raises(OperationalError, match="locked"), b.begin():
                pass
            a.rollback()
    finally:
        first.dispose()
        second.dispose()


_INSERT_STORE = Prepared(insert(Store.__table__))


def _raw_insert(s: Session, store_id: str) -> None:
    """A write as a sale makes it: a prepared statement on the driver, no SQLAlchemy transaction."""
    _INSERT_STORE.execute(connection_of(s), _row(store_id))


@pytest.mark.parametrize("then", ["nothing", "orm", "core"])
def test_a_transaction_of_driver_and_sqlalchemy_writes_commits_or_rolls_back_whole(db, then):
    """Driver-level writes and the Core or ORM writes after them end together, either way."""

    def later(s: Session, store_id: str) -> None:
        if then == "orm":
            s.add(store(store_id))
            s.flush()
        elif then == "core":
            connection_of(s).execute(insert(Store).values(**_row(store_id)))

    def both(s: Session, fail: bool) -> None:
        _raw_insert(s, "R1" if not fail else "X1")
        later(s, "R2" if not fail else "X2")
        if fail:
            raise RuntimeError("the call fails after its writes")

    with db.engine.connect() as conn:
        session = session_for(conn)
        transact(conn, lambda s: both(s, fail=False), session)
        with pytest.raises(RuntimeError, match="after its writes"):
            transact(conn, lambda s: both(s, fail=True), session)
        assert not conn.in_transaction()
        if db.engine.dialect.name == "sqlite":  # the transaction transact began on the driver
            assert not conn.connection.driver_connection.in_transaction
        kept = ["R1", "R2"] if then != "nothing" else ["R1"]
        assert transact(conn, ids, session) == kept
    with db.engine.connect() as other:  # committed for every connection, not only this one
        assert transact(other, ids) == kept


def _row(store_id: str) -> dict:
    return {
        "id": store_id,
        "name": store_id,
        "format": "supermarket",
        "currency": "CNY",
        "region": "",
        "size_m2": 0,
        "opens": dt.time(8),
        "closes": dt.time(22),
        "status": "open",
        "price_group": None,
    }
