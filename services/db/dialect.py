"""Dialect-aware statements that SQLAlchemy spells differently per database."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.db.engine import connection_of
from services.db.prepared import Prepared

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
    """Insert ``rows``, updating every non-key column where a row with the same keys exists.

    Every row has the keys of the first. On SQLite the rows go to the driver's
    ``executemany`` as one prepared statement (compiled once per process, values
    through the dialect's bind processors, as SQLAlchemy would write them):
    SQLAlchemy's own executemany builds each row's parameters in Python, and a
    run's catalogue and opening stock are a few hundred rows each (a store's
    stocking: 10 -> x ms of CPU). Other databases keep SQLAlchemy's path.
    """
    if not rows:
        return 0
    name = session.get_bind().dialect.name
    columns = tuple(rows[0])
    prepared = _prepared_upsert(name, table, tuple(keys), columns) if name == "sqlite" else None
    if prepared is not None:
        statement, defaults = prepared
        if defaults:
            rows = [{**row, **defaults} for row in rows]
        statement.executemany(connection_of(session), rows)
        return len(rows)
    stmt = _upsert(name, table, keys, columns)
    session.execute(stmt, rows)
    return len(rows)


def _upsert(name: str, table: Table, keys: list[str] | tuple[str, ...], columns):
    stmt = insert_on_conflict(name, table)
    changed = {c: stmt.excluded[c] for c in columns if c not in keys}
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=changed)


@cache
def _prepared_upsert(
    name: str, table: Table, keys: tuple[str, ...], columns: tuple[str, ...]
) -> tuple[Prepared, dict[str, Any]] | None:
    """The upsert of rows with ``columns`` into ``table``, prepared once, and the defaults.

    The defaults are the constant Python-side ones of the columns a row leaves
    out, which SQLAlchemy would have added to the INSERT. None (keep SQLAlchemy's
    path) when a column left out has another kind of default or any column an
    ``onupdate``: those SQLAlchemy computes per execution.
    """
    defaults = {}
    for column in table.columns:
        if column.onupdate is not None:
            return None
        if column.key in columns or column.default is None:
            continue
        if not column.default.is_scalar:
            return None
        defaults[column.key] = column.default.arg
    return Prepared(_upsert(name, table, keys, columns)), defaults
