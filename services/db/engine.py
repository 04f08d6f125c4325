"""Engine and sessions for one database URL, with SQLite tuned for a single busy writer."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.db.models import Base

DEFAULT_URL_ENV = "DATABASE_URL"
T = TypeVar("T")


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


class _WriterQueue:
    """Threads of one process take turns at SQLite's single write lock.

    Every transaction starts with BEGIN IMMEDIATE (a transaction that reads
    stock and then writes it cannot be overtaken between the two). Without
    this queue, threads that find the lock taken poll for it with SQLite's
    busy handler, sleeping up to 100 ms between tries: under concurrent
    requests that wastes most of the time and makes p99 latency seconds.
    Queuing on a Python lock first hands the database to the next thread as
    soon as the last one commits; other processes still meet SQLite's lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin(self, connection) -> None:
        self._lock.acquire()
        try:
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise

    def end(self, _connection) -> None:
        self._lock.release()


class Database:
    """One database: its engine, a session factory, and schema creation.

    ``Database.from_env(default)`` honours ``DATABASE_URL`` so the same code runs on
    the embedded SQLite file or on PostgreSQL.
    """

    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            writers = _WriterQueue()
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", writers.begin)
            event.listen(self.engine, "commit", writers.end)
            event.listen(self.engine, "rollback", writers.end)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_env(cls, default_url: str) -> Database:
        """Use ``DATABASE_URL`` when set, else ``default_url``."""
        return cls(os.environ.get(DEFAULT_URL_ENV) or default_url)

    def transaction(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a transaction on a pooled connection (see ``transact``)."""
        with self.engine.connect() as conn:
            return transact(conn, work)

    def create_schema(self) -> None:
        """Create every table that does not exist yet."""
        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        """Close all pooled connections (needed before deleting a SQLite file)."""
        self.engine.dispose()


@contextmanager
def session_in(conn: Connection) -> Iterator[Session]:
    """A session in a new transaction of ``conn``: committed on exit, rolled back on error."""
    with conn.begin(), Session(bind=conn) as session:
        yield session
        session.flush()  # the connection's transaction commits, not the session


def transact(conn: Connection, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction on ``conn``: committed if it returns, rolled back if not.

    A lost race on a unique key (two requests creating the same row) is retried
    once, when the retry sees the winner's row. Both the in-process client and
    the HTTP API run every call through here.
    """
    for attempt in range(2):
        try:
            with session_in(conn) as session:
                return work(session)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")
