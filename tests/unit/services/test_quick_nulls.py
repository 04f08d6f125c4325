"""``quick_nulls``: the sqlite3 driver binds ``None`` through an adapter, as the same NULL."""

import sqlite3

from services.db import Database
from services.db.engine import MEMORY_URL, quick_nulls


def test_a_sqlite_database_registers_the_none_adapter():
    Database(MEMORY_URL).dispose()
    assert (type(None), sqlite3.PrepareProtocol) in sqlite3.adapters


def test_none_is_still_stored_and_matched_as_null():
    quick_nulls()
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE t (a INTEGER, b TEXT)")
        conn.execute("INSERT INTO t VALUES (?, ?)", (1, None))
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(None, "x"), (3, None)])
        assert conn.execute("SELECT a, b FROM t ORDER BY rowid").fetchall() == [
            (1, None),
            (None, "x"),
            (3, None),
        ]
        assert conn.execute("SELECT count(*) FROM t WHERE b IS NULL").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM t WHERE b = ?", (None,)).fetchone() == (0,)
