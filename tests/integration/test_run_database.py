"""A run's own services: an in-memory database, saved as a SQLite file where asked."""

from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from services.db import Database
from services.db.engine import MEMORY_URL, sqlite_url
from services.db.models import Order, Store
from twin.run import run


def sales(path: Path) -> int:
    db = Database(sqlite_url(path))
    try:
        with db.sessions() as s:
            return s.scalar(
                select(func.count()).select_from(Order).where(Order.channel == "in_store")
            )
    finally:
        db.dispose()


@pytest.fixture
def own_services(monkeypatch):
    """Runs make their own services even where CI points DATABASE_URL elsewhere."""
    monkeypatch.delenv("DATABASE_URL", raising=False)


def test_a_run_saves_its_services_database_where_asked(own_services, small, supermarket, tmp_path):
    path = tmp_path / "out" / "store.db"
    path.parent.mkdir()
    path.write_text("a file from an earlier run")
    result = run(small(supermarket), seed=3, db_path=path)
    assert sales(path) == result.kpis["transactions"] > 0


def test_a_failed_run_still_saves_what_its_services_recorded(
    own_services, small, supermarket, tmp_path
):
    def stop_midday(done: float) -> None:
        if done > 0.6:
            raise RuntimeError("stopped by the user")

    path = tmp_path / "store.db"
    with pytest.raises(RuntimeError, match="stopped by the user"):
        run(small(supermarket), seed=3, db_path=path, progress=stop_midday)
    whole_day = run(small(supermarket), seed=3).kpis["transactions"]
    assert 0 < sales(path) < whole_day


def test_every_connection_of_an_in_memory_database_sees_the_same_rows():
    db = Database(MEMORY_URL)
    db.create_schema()
    store = {"id": "S1", "name": "s", "format": "supermarket", "currency": "CNY"}
    with db.engine.begin() as conn:
        conn.execute(insert(Store.__table__), store)
    assert db.transaction(lambda s: s.scalar(select(Store.name))) == "s"
    db.dispose()


def test_only_an_in_memory_database_is_saved(tmp_path):
    db = Database(sqlite_url(tmp_path / "services.db"))
    with pytest.raises(ValueError, match="only an in-memory database"):
        db.save(tmp_path / "copy.db")
    db.dispose()
