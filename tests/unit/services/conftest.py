"""Services tests run on every database backend the services support."""

import datetime as dt

import pytest

from services.schemas import ProductIn, StockCount, StoreIn

AT = dt.datetime(2026, 3, 2, 12, 0)


@pytest.fixture
def db(services_db):
    return services_db


def product(sku: str, price: int, cost: int, category: str = "dairy") -> ProductIn:
    return ProductIn(
        sku=sku, name=sku.title(), category=category, brand="B", price_cents=price, cost_cents=cost
    )


@pytest.fixture
def shop(client):
    """Two stores, four products, stock in S1; the in-process client."""
    client.register_store(StoreIn(id="S1", name="One", format="supermarket", price_group="city"))
    client.register_store(StoreIn(id="S2", name="Two", format="convenience"))
    client.upsert_products(
        [
            product("MILK", 1290, 900),
            product("BREAD", 890, 400, "bakery"),
            product("EGGS", 2500, 1800),
            product("JAM", 1500, 700, "pantry"),
        ]
    )
    client.set_stock("S1", [StockCount(sku=s, qty=50) for s in ("MILK", "BREAD", "EGGS", "JAM")])
    client.set_stock("S2", [StockCount(sku="MILK", qty=5)])
    return client
