"""Property-based run over the whole OpenAPI: whatever the request, the services never answer
5xx, and every reply has a documented status, content type and body."""

import os
import tempfile
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.api.main import create_app
from services.settings import Settings

from .conftest import KEYS

# Per operation: bounded so the run stays inside CI's budget; set
# STORETWIN_SCHEMATHESIS_EXAMPLES to search longer.
EXAMPLES = int(os.environ.get("STORETWIN_SCHEMATHESIS_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _seeded_app():
    folder = Path(tempfile.mkdtemp(prefix="storetwin-schemathesis-"))
    url = f"sqlite:///{folder / 'api.db'}"
    settings = Settings(database_url=url, api_keys=KEYS, access_log="off")
    app = create_app(settings)
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
    case.call_and_validate(headers={"X-API-Key": "hq"}, checks=CHECKS)
