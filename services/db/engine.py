"""Engine and sessions for one database URL, with SQLite tuned for a single busy writer."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from services.db import readcache
from services.db.models import Base

DEFAULT_URL_ENV = "DATABASE_URL"
MEMORY_URL = "sqlite://"
MEMORY_PAGE_SIZE = 1024
_CONNECTION = "storetwin.connection"
_TX_CURSOR = "storetwin.transaction_cursor"
T = TypeVar("T")
# PostgreSQL's SQLSTATEs for "try again": serialization_failure, deadlock_detected
RETRYABLE = frozenset({"40001", "40P01"})


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin) instead of pysqlite's
    # implicit transactions, which start too late to protect read-then-write.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_NOTHING: dict = {}


def quick_nulls() -> None:
    """Have Python's sqlite3 bind ``None`` through its adapter registry, not its slow fallback.

    The driver binds ints, floats and strings as they are; anything else,
    ``None`` included, is "adapted" first, and with no adapter registered for
    its type the fallback asks the protocol type for ``__adapt__``, which
    raises and formats an AttributeError every time: some 2,500 instructions a
    NULL, and a sale binds three (its order's member, promotion and coupon).
    An adapter for ``None`` that gives ``None`` back (a dict's ``get``, a C
    call) binds the same NULL at a third of the cost. Process-wide and
    harmless: every sqlite3 connection binds ``None`` as NULL either way.
    """
    sqlite3.register_adapter(type(None), _NOTHING.get)


def _small_pages(dbapi_connection, _record) -> None:
    # The private in-memory database only (it is empty when it connects, so the
    # size holds): a transaction copies every page it changes into the rollback
    # journal first, and a sale changes a few rows of some ten pages. 1 KiB pages
    # instead of 4 KiB: 3.6% fewer instructions for a window of a store-day's
    # service calls (2 KiB: 3.1%, 512 B: 2.4%); the same answers.
    dbapi_connection.execute(f"PRAGMA page_size={MEMORY_PAGE_SIZE}")


def _sqlite_begin(dbapi_connection) -> None:
    # Take the write lock at the start: a transaction that reads stock and then
    # writes it cannot be overtaken between the two. A transaction ``transact``
    # began on the driver already holds it (SQLAlchemy joins it, see _sqlite_transact).
    driver = dbapi_connection.driver_connection
    if not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")


class Database:
    """One database: its engine, a session factory, and schema creation.

    ``Database.from_env(default)`` honours ``DATABASE_URL`` so the same code runs on
    the embedded SQLite file or on PostgreSQL. ``MEMORY_URL`` is one in-memory
    SQLite database behind a single shared connection: the twin's own services
    run there, because a store-day commits thousands of times and each commit
    to a file costs a score of page writes; ``save`` keeps it as a file.
    """

    def __init__(self, url: str):
        self.url = url
        self.in_memory = url == MEMORY_URL
        pool = {"poolclass": StaticPool} if self.in_memory else {}
        self.engine: Engine = create_engine(url, **pool)
        if self.engine.dialect.name == "sqlite":
            quick_nulls()
            event.listen(self.engine, "connect", _sqlite_connect)
            if self.in_memory:
                event.listen(self.engine, "connect", _small_pages)
            # the dialect's own hook, not a "begin" event: with no connection events
            # SQLAlchemy skips dispatching them, some 14,000 instructions a transaction
            self.engine.dialect.do_begin = _sqlite_begin  # type: ignore[method-assign]
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        if self.in_memory:  # no other process can write it: reads may be cached
            readcache.enable(self.engine)

    @classmethod
    def from_env(cls, default_url: str) -> Database:
        """Use ``DATABASE_URL`` when set, else ``default_url``."""
        return cls(os.environ.get(DEFAULT_URL_ENV) or default_url)

    def transaction(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a transaction on a pooled connection (see ``transact``)."""
        with self.engine.connect() as conn:
            return transact(conn, work)

    def create_schema(self) -> None:
        """Create every table that does not exist yet.

        A private in-memory database starts empty, so it gets the statements
        the first one was made with, read back from its ``sqlite_master``:
        SQLAlchemy's ``create_all`` looks up and compiles every table and index
        again each time, some 10 ms a run (a supermarket store-day's 0.7%).
        """
        key = tuple(Base.metadata.tables)
        empty = False
        if self.in_memory:
            with self.engine.connect() as conn:
                driver = conn.connection.driver_connection
                empty = driver.execute(_ANY_TABLE).fetchone() is None
                ddl = _MEMORY_SCHEMA.get(key)
                if empty and ddl is not None:
                    _run_script(driver, ddl)
                    return
        Base.metadata.create_all(self.engine)
        if empty:
            with self.engine.connect() as conn:
                made = conn.connection.driver_connection.execute(_SCHEMA_SQL).fetchall()
            _MEMORY_SCHEMA[key] = [sql for (sql,) in made]

    @property
    def concurrent_writers(self) -> int:
        """How many transactions can make progress at once (SQLite: one writer)."""
        return 1 if self.engine.dialect.name == "sqlite" else 10

    def save(self, path: Path) -> None:
        """Copy an in-memory database to a SQLite file at ``path``, replacing what is there."""
        if not self.in_memory:
            raise ValueError(f"only an in-memory database is saved, not {self.url}")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.engine.connect() as conn, closing(sqlite3.connect(path)) as target:
            conn.connection.driver_connection.backup(target)

    def dispose(self) -> None:
        """Close all pooled connections (needed before deleting a SQLite file)."""
        self.engine.dispose()


_ANY_TABLE = "SELECT 1 FROM sqlite_master LIMIT 1"
_SCHEMA_SQL = "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
_MEMORY_SCHEMA: dict[tuple[str, ...], list[str]] = {}
"""The statements that made this process's first private in-memory database, by its tables."""


def _run_script(driver: sqlite3.Connection, statements: list[str]) -> None:
    """Run ``statements`` in one transaction on the driver's connection."""
    driver.execute("BEGIN IMMEDIATE")
    try:
        for statement in statements:
            driver.execute(statement)
        driver.commit()
    except BaseException:
        driver.rollback()
        raise


def session_for(conn: Connection) -> Session:
    """A session for transactions of ``conn`` that knows its connection (see ``connection_of``)."""
    info = {_CONNECTION: conn, readcache.SESSION_KEY: readcache.of_engine(conn.engine)}
    return Session(bind=conn, info=info, expire_on_commit=False)


def connection_of(session: Session) -> Connection:
    """The connection of the session's transaction, without the session's look-up each time.

    Prepared statements on the checkout path ask for it several times per call,
    and ``Session.connection()`` costs more than the statement itself.
    """
    return session.info.get(_CONNECTION) or session.connection()


def transact(conn: Connection, work: Callable[[Session], T], session: Session | None = None) -> T:
    """Run ``work`` in one transaction on ``conn``: committed if it returns, rolled back if not.

    ``session`` (from ``session_for(conn)``) is reused, and reset after each
    transaction; a caller running thousands of short transactions saves making
    one each time. A new one is made when omitted.

    A lost race on a unique key (two requests creating the same row) is retried
    once, when the retry sees the winner's row. Both the in-process client and
    the HTTP API run every call through here.
    """
    for attempt in range(2):
        s = session if session is not None else session_for(conn)
        try:
            if conn.dialect.name == "sqlite" and not conn.in_transaction():
                return _sqlite_transact(conn, work, s)
            with conn.begin():
                try:
                    result = work(s)
                    s.flush()  # the connection's transaction commits, not the session
                finally:
                    # forgets the transaction's objects; the session stays usable (a
                    # transaction of Core statements only left nothing to forget)
                    if s.in_transaction() or s.identity_map or s.new:
                        s.close()
            return result
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _sqlite_transact(conn: Connection, work: Callable[[Session], T], s: Session) -> T:
    """``transact``'s transaction on SQLite, begun and ended on the driver's connection.

    SQLAlchemy's own begin and commit cost some 47,000 instructions a
    transaction against 13,500 for the driver's ``BEGIN IMMEDIATE`` and
    ``COMMIT``, and most calls of a store-day (a sale) run prepared statements
    only (``services.db.prepared``), which need no SQLAlchemy transaction. A
    Core or ORM statement of ``work`` still begins one, which joins the
    driver's (``_sqlite_begin`` sees it open), and it is ended through
    SQLAlchemy, so its bookkeeping stays right; what is left open after that
    is the driver's alone. A rollback goes through the dialect's, which clears
    the read cache as ever (``readcache.enable``). An empty call on the
    in-memory database: 6.4 us before, 3.9 us after (CPU, best of five runs
    of 20,000), of which SQLite's own BEGIN and COMMIT take 1.8 us.
    """
    fairy = conn.connection
    # the DBAPI connection itself, an attribute (``driver_connection`` is two properties)
    driver = fairy.dbapi_connection
    # BEGIN and COMMIT on a cursor the session keeps: ``driver.execute`` makes a new
    # cursor, and ``driver.commit()`` prepares its COMMIT again, every transaction
    cursor = s.info.get(_TX_CURSOR)
    if cursor is None or cursor.connection is not driver:
        cursor = s.info[_TX_CURSOR] = driver.cursor()
    cursor.execute("BEGIN IMMEDIATE")  # what _sqlite_begin does
    try:
        result = work(s)
        # a session ``work`` never used (a sale's prepared statements) has not begun
        # (adding or reading an object begins it): nothing to flush, commit or forget
        used = s.in_transaction()
        if used:
            s.flush()
            s.commit()  # a session that began the connection's transaction commits it
        if conn.in_transaction():
            conn.commit()  # Core statements began it, or the session joined it
        if driver.in_transaction:
            cursor.execute("COMMIT")
    except BaseException:
        if s.in_transaction():
            s.rollback()
        if conn.in_transaction():
            conn.rollback()
        if driver.in_transaction:
            conn.dialect.do_rollback(fairy)  # the dialect's: it clears the read cache
        if s.identity_map or s.new:  # forget the transaction's objects
            s.close()
        raise
    # flushed, so nothing is new: ``s.new`` (a set made on every read) need not be asked
    if used and s.identity_map:  # forget the transaction's objects
        s.close()
    return result


def retrying(session: Session, work: Callable[[], T], tries: int = 5) -> T:
    """Run ``work`` in a savepoint of the session's transaction, again if PostgreSQL aborted it.

    Rows are locked in a fixed order (stock by SKU), so transactions should not
    deadlock; should one still be picked as a deadlock victim (or fail to
    serialise), only its savepoint is rolled back, which frees the locks it
    took, and the work runs again, so the caller gets an answer, not a 500.
    ``work`` must take all its locks inside (it is the transaction's first
    writer). SQLite serialises writers (``BEGIN IMMEDIATE``): no savepoint there.
    """
    if connection_of(session).dialect.name != "postgresql":
        return work()
    for attempt in range(tries):
        try:
            with session.begin_nested():
                return work()
        except DBAPIError as error:
            if attempt == tries - 1 or getattr(error.orig, "sqlstate", None) not in RETRYABLE:
                raise
        time.sleep(0.005 * 2**attempt)  # let the winner finish before asking for its rows again
    raise AssertionError("unreachable")
