"""A private in-memory database gets the first one's schema statements, not create_all again."""

import sqlite3

import pytest

from services.db import engine
from services.db.engine import MEMORY_URL, Database
from services.db.models import Base

MASTER = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"


def _master(db: Database) -> list[tuple]:
    with db.engine.connect() as conn:
        return conn.connection.driver_connection.execute(MASTER).fetchall()


def test_a_second_memory_database_has_the_same_schema_without_create_all(monkeypatch):
    first = Database(MEMORY_URL)
    first.create_schema()
    assert engine._MEMORY_SCHEMA[tuple(Base.metadata.tables)]

    def refuse(*_args, **_kwargs):
        raise AssertionError("create_all ran again")

    monkeypatch.setattr(Base.metadata, "create_all", refuse)
    second = Database(MEMORY_URL)
    second.create_schema()
    made = _master(second)
    assert made == _master(first)
    assert {name for kind, name, _, _ in made if kind == "table"} >= set(Base.metadata.tables)


def test_a_memory_database_with_tables_already_goes_through_create_all(monkeypatch):
    Database(MEMORY_URL).create_schema()  # the statements are known
    db = Database(MEMORY_URL)
    with db.engine.connect() as conn:
        conn.connection.driver_connection.execute("CREATE TABLE mine (x INTEGER)")
    calls = []
    monkeypatch.setattr(Base.metadata, "create_all", lambda bind: calls.append(bind))
    db.create_schema()
    assert calls == [db.engine]


def test_a_failed_statement_leaves_the_database_empty():
    db = Database(MEMORY_URL)
    with db.engine.connect() as conn:
        driver = conn.connection.driver_connection
        with pytest.raises(sqlite3.OperationalError):
            engine._run_script(driver, ["CREATE TABLE a (x INTEGER)", "CREATE TABLE b (x"])
        assert driver.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
