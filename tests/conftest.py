"""Shared fixtures: small, fast versions of library scenarios and a fresh services database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from scenarios import Scenario, load
from services.client import InProcessClient
from services.db import Base, Database
from services.db.engine import sqlite_url

PG_URL = os.environ.get("STORETWIN_TEST_DB_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="STORETWIN_TEST_DB_URL not set (CI sets it)"),
    ),
]


def _small(scenario: Scenario, visitors: float = 300) -> Scenario:
    arrivals = scenario.arrivals.model_copy(update={"daily_visitors": visitors})
    return scenario.model_copy(update={"arrivals": arrivals})


@pytest.fixture
def small():
    """Make the same store with fewer visitors, so a day runs in a fraction of a second."""
    return _small


@pytest.fixture
def supermarket() -> Scenario:
    return load("supermarket")


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(sqlite_url(tmp_path / "services.db"))
    database.create_schema()
    yield database
    database.dispose()


@pytest.fixture
def client(db: Database) -> InProcessClient:
    c = InProcessClient(db)
    yield c
    c.close()


@pytest.fixture(params=BACKENDS)
def services_db(request, tmp_path: Path) -> Database:
    """A fresh, empty services database: SQLite, and PostgreSQL if STORETWIN_TEST_DB_URL is set."""
    if request.param == "sqlite":
        database = Database(sqlite_url(tmp_path / "services.db"))
        database.create_schema()
    else:
        database = Database(PG_URL)
        database.create_schema()
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database
    database.dispose()
