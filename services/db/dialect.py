"""Dialect-aware statements that SQLAlchemy spells differently per database."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def insert_on_conflict(dialect: str, table: Table):
    """An INSERT with ``on_conflict_do_*`` for the named database (SQLite or PostgreSQL)."""
    try:
        return _INSERTS[dialect](table)
    except KeyError:
        raise NotImplementedError(
            f"database {dialect!r} is not supported; use SQLite or PostgreSQL"
        ) from None


def upsert(session: Session, table: Table, rows: list[dict], keys: list[str]) -> int:
    """Insert ``rows``, updating every non-key column where a row with the same keys exists."""
    if not rows:
        return 0
    stmt = insert_on_conflict(session.get_bind().dialect.name, table)
    changed = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changed), rows)
    return len(rows)
