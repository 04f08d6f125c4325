"""Reads that only the services' own writes can change, kept in memory between those writes.

A store-day prices some 3,000 baskets against a price book and promotions that
change a few times a day, so asking SQLite for each basket repeats one answer.
The cache is kept only for a database that no other process can write: the
private in-memory SQLite the twin's in-process services run on. Every domain
write that can change a cached answer (products, price changes, store
profiles, promotions and their quotas) clears it, and so does any rollback,
so a read of a transaction that was rolled back is never kept. A file or PostgreSQL database, which
``storetwin serve`` and other processes share, is always read afresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session

V = TypeVar("V")


@dataclass
class Held(Generic[V]):
    """An answer that holds from ``lo`` to ``hi``: nothing it depends on changes in between.

    ``None`` bounds are open: no change before (or after) the time it was read at.
    """

    value: V
    lo: dt.datetime | None
    hi: dt.datetime | None

    def covers(self, at: dt.datetime) -> bool:
        """Whether the answer holds at ``at``."""
        return (self.lo is None or self.lo <= at) and (self.hi is None or at < self.hi)


def window(times: Iterable[dt.datetime], at: dt.datetime) -> tuple[dt.datetime | None, ...]:
    """(lo, hi) around ``at``: the latest of ``times`` at or before it, the first after it."""
    times = list(times)
    return (
        max((t for t in times if t <= at), default=None),
        min((t for t in times if t > at), default=None),
    )


@dataclass
class ReadCache:
    """Price books and promotions in force, by store id."""

    prices: dict[str, Held[dict[str, tuple[int, int]]]] = field(default_factory=dict)
    offers: dict[str, Held[tuple]] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget everything (a write or a rollback happened)."""
        self.prices.clear()
        self.offers.clear()


_CACHES: WeakKeyDictionary[Engine, ReadCache] = WeakKeyDictionary()


def enable(engine: Engine) -> None:
    """Cache reads of ``engine``, which only this process can write; rollbacks clear it.

    The dialect's rollback clears it (also when the pool resets a connection it
    takes back), rather than a "rollback" event: an engine with no connection
    events spares every transaction their dispatch.
    """
    cache = _CACHES[engine] = ReadCache()
    dialect = engine.dialect
    rollback = dialect.do_rollback

    def clear_then_rollback(dbapi_connection: Any) -> None:
        cache.clear()
        rollback(dbapi_connection)

    dialect.do_rollback = clear_then_rollback  # type: ignore[method-assign]


def of(session: Session) -> ReadCache | None:
    """The cache of the session's database, or None when its reads are not cached.

    A session ``engine.session_for`` made holds it (``SESSION_KEY``): a sale asks
    twice, and the weak dictionary's look-up costs more than the read it saves.
    """
    found = session.info.get(SESSION_KEY, _UNKNOWN)
    if found is not _UNKNOWN:
        return found
    if not _CACHES or session.bind is None:
        return None
    return _CACHES.get(session.bind.engine)  # the session's bind is a connection or an engine


def of_engine(engine: Engine) -> ReadCache | None:
    """The cache of ``engine``'s database, or None when its reads are not cached."""
    return _CACHES.get(engine)


SESSION_KEY = "storetwin.readcache"
_UNKNOWN = object()


def invalidate(session: Session) -> None:
    """Clear the cache of the session's database after a write that changes cached reads."""
    cache = of(session)
    if cache is not None:
        cache.clear()
