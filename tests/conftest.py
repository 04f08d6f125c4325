"""Shared fixtures: small, fast versions of library scenarios and a fresh services database."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios import Scenario, load
from services.client import InProcessClient
from services.db import Database
from services.db.engine import sqlite_url


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
