"""Shared fixtures: small, fast versions of library scenarios and a fresh services database."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

# One BLAS thread per test process. The tests' matrices are small, and pytest-xdist already
# gives each core a worker: OpenBLAS's own threads then only wait on each other (on two busy
# cores test_pilot_estimators.py took 45 CPU s with them, 12 without). Set before numpy loads
# (scenarios imports it below); child processes (servers, pools, Ray) inherit it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest
from sqlalchemy import create_engine, make_url, text

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


@pytest.fixture(scope="session")
def pg_url(worker_id: str) -> str | None:
    """This test worker's own PostgreSQL database (pytest-xdist workers must not share one).

    Its tables are dropped once per test session, so tables an older schema made
    (``create_all`` changes no existing table) do not linger between sessions.
    """
    if not PG_URL:
        return None
    url = make_url(PG_URL)
    if worker_id != "master":
        name = f"{url.database}_{worker_id}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = url.set(database=name)
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def services_db(request, tmp_path: Path, pg_url: str | None) -> Database:
    """A fresh, empty services database: SQLite, and PostgreSQL if STORETWIN_TEST_DB_URL is set."""
    if request.param == "sqlite":
        database = Database(sqlite_url(tmp_path / "services.db"))
        database.create_schema()
    else:
        database = Database(pg_url)
        database.create_schema()
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database
    database.dispose()


def _weight(path: Path, root: Path) -> int:
    """1 for integration and dashboard files (twin runs, servers, a browser), 2 for the rest."""
    parts = path.relative_to(root).parts if path.is_relative_to(root) else path.parts
    return 1 if "integration" in parts or "dashboard" in parts else 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, heavy files first, so the long ones start early on the two workers.

    ``make test`` hands out whole files (``--dist loadfile``) in collection order
    (``--no-loadscope-reorder``). xdist's own order, most tests first, left the few-test
    files that run the twin for minutes to the end, where one worker could be left running
    them after the other had run out of work. Files with the most ``slow`` tests start
    first, then the other integration and dashboard files; many small unit files fill in
    the end. The sort is stable: a file's tests stay together and in their order.
    """
    if not hasattr(config, "workerinput"):
        return
    slow = Counter(item.path for item in items if item.get_closest_marker("slow"))
    items.sort(key=lambda item: (-slow[item.path], _weight(item.path, config.rootpath)))
