"""Reads that only the services' own writes can change, kept in memory between those writes.

A store-day prices some 3,000 baskets against a price book that changes a few
times a day, so asking SQLite for each basket's prices repeats one answer.
The cache is kept only for a database that no other process can write: the
private in-memory SQLite the twin's in-process services run on. Every domain
write that can change a cached answer (products, price changes, store
profiles) clears it, and so does any rollback, so a read of a transaction that
was rolled back is never kept. A file or PostgreSQL database, which
``storetwin serve`` and other processes share, is always read afresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session


@dataclass
class PriceBook:
    """(price_cents, cost_cents) of every SKU a store carries, in force from ``lo`` to ``hi``.

    ``None`` bounds are open: no price change before (or after) the book's time.
    """

    prices: dict[str, tuple[int, int]]
    lo: dt.datetime | None
    hi: dt.datetime | None

    def covers(self, at: dt.datetime) -> bool:
        """Whether the same price changes are in force at ``at``."""
        return (self.lo is None or self.lo <= at) and (self.hi is None or at < self.hi)


@dataclass
class ReadCache:
    """Price books by store id."""

    prices: dict[str, PriceBook] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget everything (a write or a rollback happened)."""
        self.prices.clear()


_CACHES: WeakKeyDictionary[Engine, ReadCache] = WeakKeyDictionary()


def enable(engine: Engine) -> None:
    """Cache reads of ``engine``, which only this process can write; rollbacks clear it."""
    cache = _CACHES[engine] = ReadCache()
    event.listen(engine, "rollback", lambda _conn: cache.clear())


def of(session: Session) -> ReadCache | None:
    """The cache of the session's database, or None when its reads are not cached."""
    if not _CACHES or session.bind is None:
        return None
    return _CACHES.get(session.bind.engine)  # the session's bind is a connection or an engine


def invalidate(session: Session) -> None:
    """Clear the cache of the session's database after a write that changes cached reads."""
    cache = of(session)
    if cache is not None:
        cache.clear()
