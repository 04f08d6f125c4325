"""Statements compiled once and run straight on the DBAPI cursor, for the checkout hot path.

SQLAlchemy's per-execution bookkeeping costs about 30 us per statement here,
ten times what SQLite itself spends on a one-row UPDATE (measured: Core
``execute`` 32 us, DBAPI ``cursor.execute`` 3 us). A store-day runs thousands
of checkouts of five statements each, so the few statements on that path are
compiled by SQLAlchemy once per dialect and column set, their parameters go
through the dialect's own bind processors (so stored values are exactly what
the Core path would store), and they run inside the connection's current
transaction. Everything else uses plain SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, DateTime, Dialect, Table, bindparam, exc, insert
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.dml import Insert

from services.clock import iso_text


class Prepared:
    """A Core statement that is executed on the raw DBAPI connection."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._compiled: dict[tuple[str, ...], tuple[str, Any]] = {}
        # (DBAPI connection, cursor): the statement's cursor on the connection it last ran on
        self._cursor: tuple[Any, Any] = (None, None)

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """Execute with one parameter set; returns the DBAPI cursor (rowcount, fetchone).

        The cursor is this statement's own on that connection, used again by its
        next execution there: read its rows before running the statement again.
        """
        # the compiled statement looked up here, ``_for`` called only to compile: a
        # Python call costs some 900 instructions, and a store-day runs 15,000 of these
        found = self._compiled.get((conn.dialect.name, *params)) or self._for(conn, params)
        return self._run(conn, "execute", found[0], found[1](params))

    def executemany(self, conn: Connection, params: Sequence[Mapping[str, Any]]) -> Any:
        """Execute once per parameter set in one DBAPI call; returns the cursor."""
        first = params[0]
        sql, convert = self._compiled.get((conn.dialect.name, *first)) or self._for(conn, first)
        return self._run(conn, "executemany", sql, [convert(p) for p in params])

    def _for(self, conn: Connection, params: Mapping[str, Any]) -> tuple[str, Any]:
        # the keys in the caller's order: cheaper than a frozenset of them, and a
        # statement compiled from them does not depend on their order (_compile sorts)
        key = (conn.dialect.name, *params)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = self._compile(conn, sorted(params))
        return found

    def _statement_for(self, dialect: Dialect) -> ClauseElement:
        """The statement to compile for ``dialect``."""
        return self.statement

    def _compile(self, conn: Connection, keys: list[str]) -> tuple[str, Any]:
        dialect = conn.dialect
        compiled = self._statement_for(dialect).compile(dialect=dialect, column_keys=keys)
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        procs = [_bind_processor(compiled.binds[n].type, dialect) for n in names]
        pick = itemgetter(*names) if len(names) > 1 else (lambda p: (p[names[0]],))
        literals = {  # values written into the statement itself, e.g. the 1 of ``x + 1``
            n: b.effective_value for n, b in compiled.binds.items() if n not in keys
        }
        if literals:
            given = pick
            pick = lambda params: given({**literals, **params})  # noqa: E731
        converts = [(i, f) for i, f in enumerate(procs) if f is not None]
        if converts:
            # only the few columns with a bind processor (datetimes on SQLite) are touched
            def values(params: Mapping[str, Any]) -> list:
                row = list(pick(params))
                for i, f in converts:
                    if row[i] is not None:
                        row[i] = f(row[i])
                return row
        else:
            values = pick
        if compiled.positional:
            return compiled.string, values
        return compiled.string, lambda params: dict(zip(names, values(params), strict=True))

    def _run(self, conn: Connection, method: str, sql: str, args: Any) -> Any:
        # the DBAPI connection itself (the driver's, for every synchronous driver), an
        # attribute: ``driver_connection`` asks the dialect for it through two properties
        dbapi = conn.connection.dbapi_connection
        # a cursor made once per connection, not per execution (making one and
        # letting it go costs some 1,700 instructions, 15,000 times a store-day);
        # a tuple, so a thread on another connection never gets half of one
        last, cursor = self._cursor
        if last is not dbapi:
            cursor = dbapi.cursor()
            self._cursor = (dbapi, cursor)
        try:
            getattr(cursor, method)(sql, args)
        except conn.dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(
                sql, args, error, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
            ) from error
        return cursor


def _bind_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The dialect's bind processor of ``type_``; SQLite's text datetimes by ``text_datetimes``."""
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    if process is not None and isinstance(type_, DateTime):
        return text_datetimes(process)
    return process


_PROBES = (
    dt.datetime(2026, 3, 2, 9, 30, 0, 250),
    dt.datetime(2026, 3, 2),
    dt.datetime(5, 1, 1, 23, 59, 59, 999999),
)


def text_datetimes(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process`` (a datetime column's bind processor) with the text made in C, once per value.

    SQLite stores datetimes as text, which SQLAlchemy's processor formats with
    ``%`` from a dict of seven fields: some 18,000 instructions a value, and a
    sale writes one time into its order and again into its payment (and a
    member's ledger). ``isoformat`` writes the same text at half the cost, and
    ``iso_text`` remembers the last value written (datetimes are immutable), so
    the second write of a sale's time costs a comparison. Used only where the
    probes show ``isoformat`` gives exactly ``process``'s text; aware datetimes
    and other values go to ``process``.
    """
    if any(p.isoformat(" ", "microseconds") != process(p) for p in _PROBES):
        return process

    def text(value: Any) -> Any:
        if type(value) is not dt.datetime or value.tzinfo is not None:
            return process(value)
        return iso_text(value)

    return text


class PreparedInsert(Prepared):
    """An INSERT (or an INSERT that does nothing on a conflict) that gives the new row's id.

    PostgreSQL returns it with ``RETURNING``; on SQLite the id is the cursor's
    ``lastrowid``, because ``RETURNING`` makes SQLite collect the returned rows
    in a table of their own first: a third of the cost of the insert (one
    order insert: 22 us with it, 13 us without). ``id_column`` must be the
    table's integer primary key (SQLite's rowid).
    """

    def __init__(self, statement: Insert, id_column: Column):
        super().__init__(statement)
        self._returning = statement.returning(id_column)

    def _statement_for(self, dialect: Dialect) -> ClauseElement:
        return self.statement if dialect.name == "sqlite" else self._returning

    def new_id(self, conn: Connection, params: Mapping[str, Any]) -> int | None:
        """Insert one row; its id, or None when a conflict left the row out."""
        cursor = self.execute(conn, params)
        if conn.dialect.name == "sqlite":
            return cursor.lastrowid if cursor.rowcount == 1 else None
        row = cursor.fetchone()
        return None if row is None else row[0]


class PreparedRows:
    """An INSERT of several rows as one statement: ``INSERT ... VALUES (...), (...)``.

    ``executemany`` runs the one-row statement once per row, binding, stepping
    and resetting it each time; one statement of many rows does that once. A
    sale's eight order lines on the in-memory SQLite database: 14.7 us as
    ``executemany``, 7.0 us as one statement (CPU). The rows get their ids in
    the order given, as they would one by one. Compiled once per dialect,
    column set and row count; more than ``most`` rows go as ``executemany``
    (the bound parameters of one statement are limited).
    """

    def __init__(self, table: Table, most: int = 64):
        self.table = table
        self.most = most
        self._one = Prepared(insert(table))
        self._compiled: dict[tuple, tuple] = {}

    def insert(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` (each with the same keys, in the same order)."""
        n = len(rows)
        if n <= 1 or n > self.most:
            if n == 1:
                self._one.execute(conn, rows[0])
            elif n:
                self._one.executemany(conn, rows)
            return
        key = (conn.dialect.name, n, *rows[0])
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = self._compile(conn.dialect, list(rows[0]), n)
        sql, order, converts, names = found
        values = [rows[i][c] for i, c in order]
        for j, f in converts:  # the few columns with a bind processor (datetimes on SQLite)
            if values[j] is not None:
                values[j] = f(values[j])
        args = values if names is None else dict(zip(names, values, strict=True))
        self._one._run(conn, "execute", sql, args)

    def _compile(self, dialect: Dialect, keys: list[str], n: int) -> tuple:
        where = {f"r{i}_{c}": (i, c) for i in range(n) for c in keys}
        stmt = insert(self.table).values(
            [{c: bindparam(f"r{i}_{c}") for c in keys} for i in range(n)]
        )
        compiled = stmt.compile(dialect=dialect)
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        order = [where[name] for name in names]
        procs = [_bind_processor(compiled.binds[name].type, dialect) for name in names]
        converts = [(j, f) for j, f in enumerate(procs) if f is not None]
        return compiled.string, order, converts, None if compiled.positional else names


class PreparedRow(Prepared):
    """A SELECT of at most one row on SQLite's DBAPI cursor, read as the Core path reads it.

    A Core ``execute`` of a one-row SELECT builds an execution context, a cursor
    result and its metadata for every call; an online order reads its order row
    three times (placed, picked, paid: about 135 reads a supermarket day). Here
    the row's values go through the same result processors Core would apply
    (SQLite's text datetimes, the ``BigInt`` decorator) and come back as a named
    tuple with the selected columns' names, so callers use it as they use a
    ``Row`` (attributes). Other dialects keep the Core path unchanged.
    """

    def __init__(self, statement: Select):
        super().__init__(statement)
        self._shapes: dict[str, tuple[Any, list[tuple[int, Callable[[Any], Any]]]]] = {}

    def one_or_none(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The row, or None; more than one row is an error, as Core's ``one_or_none``."""
        if conn.dialect.name != "sqlite":
            return conn.execute(self.statement, params).one_or_none()
        cursor = self.execute(conn, params)
        rows = cursor.fetchmany(2)
        if not rows:
            return None
        if len(rows) > 1:
            raise exc.MultipleResultsFound("Multiple rows were found when one or none was required")
        shape = self._shapes.get(conn.dialect.name)
        if shape is None:
            shape = self._shapes[conn.dialect.name] = self._shape(conn.dialect)
        make, converts = shape
        values = list(rows[0])
        for i, f in converts:
            values[i] = f(values[i])
        return make(*values)

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Every row the SELECT gives, in its order (Core's ``all`` on other dialects)."""
        if conn.dialect.name != "sqlite":
            return list(conn.execute(self.statement, params).all())
        rows = self.execute(conn, params).fetchall()
        shape = self._shapes.get(conn.dialect.name)
        if shape is None:
            shape = self._shapes[conn.dialect.name] = self._shape(conn.dialect)
        make, converts = shape
        if not converts:
            return [make(*r) for r in rows]
        made = []
        for r in rows:
            values = list(r)
            for i, f in converts:
                values[i] = f(values[i])
            made.append(make(*values))
        return made

    def _shape(self, dialect: Dialect) -> tuple[Any, list[tuple[int, Callable[[Any], Any]]]]:
        columns = list(self.statement.selected_columns)
        procs = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        converts = [(i, f) for i, f in enumerate(procs) if f is not None]
        return namedtuple("PreparedRow", [c.key for c in columns]), converts
