"""Property-based run over the whole OpenAPI: whatever the body, the services never answer 5xx."""

import tempfile
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from services.api.main import create_app
from services.settings import Settings

from .conftest import KEYS

EXAMPLES = 8  # per operation: bounded so the run takes seconds, in CI as well


def _seeded_app():
    folder = Path(tempfile.mkdtemp(prefix="storetwin-schemathesis-"))
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'api.db'}", api_keys=KEYS))
    with TestClient(app, headers={"X-API-Key": "hq"}) as hq:
        hq.put("/stores/S1", json={"id": "S1", "name": "One", "format": "supermarket"})
        milk = {
            "sku": "MILK",
            "name": "Milk",
            "category": "dairy",
            "brand": "B",
            "price_cents": 100,
            "cost_cents": 50,
        }
        hq.put("/products", json=[milk])
        hq.put("/inventory/S1/stock-take", json=[{"sku": "MILK", "qty": 1000}])
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", _seeded_app())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case):
    case.call_and_validate(headers={"X-API-Key": "hq"}, checks=[not_a_server_error])
