"""``upsert`` on SQLite (one prepared executemany) writes what SQLAlchemy's own path writes."""

import pytest
from sqlalchemy import select

from services.db import Database
from services.db.dialect import _prepared_upsert, _upsert, upsert
from services.db.engine import MEMORY_URL
from services.db.models import Inventory, Product, Store

_INV = Inventory.__table__
_PRODUCTS = Product.__table__


def _rows(db: Database, table) -> list[tuple]:
    return db.transaction(
        lambda s: [tuple(r) for r in s.execute(select(table).order_by(*table.primary_key))]
    )


def _write(db: Database, table, rows: list[dict], keys: list[str], sqlalchemy: bool) -> None:
    def work(s):
        if sqlalchemy:  # the path other databases take
            s.execute(_upsert("sqlite", table, keys, tuple(rows[0])), rows)
        else:
            assert upsert(s, table, rows, keys) == len(rows)

    db.transaction(work)


@pytest.mark.parametrize("sqlalchemy", [False, True])
def test_inserts_fill_defaults_and_conflicts_update_only_the_given_columns(sqlalchemy):
    db = Database(MEMORY_URL)
    db.create_schema()
    db.transaction(
        lambda s: s.add(Store(id="S1", name="One", format="supermarket", currency="CNY"))
    )
    products = [
        {
            "sku": f"P{i}",
            "name": f"P {i}",
            "category": "dairy",
            "brand": "B",
            "price_cents": 100 + i,
            "cost_cents": 50,
            "department": None,
        }
        for i in range(5)
    ]
    _write(db, _PRODUCTS, products, ["sku"], sqlalchemy)
    _write(db, _PRODUCTS, [{**products[1], "price_cents": 999, "name": "new"}], ["sku"], sqlalchemy)
    counts = [{"store_id": "S1", "sku": f"P{i}", "on_hand": 10 * i} for i in range(5)]
    _write(db, _INV, counts, ["store_id", "sku"], sqlalchemy)
    safety = [{"store_id": "S1", "sku": "P2", "on_hand": 7, "safety_stock": 3}]
    _write(db, _INV, safety, ["store_id", "sku"], sqlalchemy)
    assert _rows(db, _INV) == [
        ("S1", "P0", 0, 0, 0),
        ("S1", "P1", 10, 0, 0),
        ("S1", "P2", 7, 0, 3),
        ("S1", "P3", 30, 0, 0),
        ("S1", "P4", 40, 0, 0),
    ]
    assert _rows(db, _PRODUCTS)[1][:5] == ("P1", "new", "dairy", "B", 999)
    db.dispose()


def test_a_column_sqlalchemy_fills_per_execution_keeps_sqlalchemys_path():
    class Default:  # a default SQLAlchemy computes when it executes
        is_scalar = False

    column = _PRODUCTS.c.department
    kept = column.default
    column.default = Default()
    _prepared_upsert.cache_clear()
    try:
        assert _prepared_upsert("sqlite", _PRODUCTS, ("sku",), ("sku", "name")) is None
    finally:
        column.default = kept
        _prepared_upsert.cache_clear()
    assert _prepared_upsert("sqlite", _PRODUCTS, ("sku",), ("sku", "name")) is not None
