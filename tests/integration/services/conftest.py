"""HTTP tests of the services: an app on the backend under test, keys of every role."""

import threading
import time
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi.testclient import TestClient

from services.api.main import create_app
from services.bench import free_port
from services.settings import Principal, Role, Settings

KEYS = {
    "hq": Principal(role=Role.hq),
    "s1": Principal(role=Role.store, store_id="S1"),
    "s2": Principal(role=Role.store, store_id="S2"),
    "dev1": Principal(role=Role.device, store_id="S1"),
    "m1": Principal(role=Role.member, member_id=1),
}


@pytest.fixture
def db(services_db):
    return services_db


@pytest.fixture
def app(db):
    return create_app(Settings(database_url=db.url, api_keys=KEYS, member_key="k" * 32))


@pytest.fixture
def api(app):
    """A TestClient factory: ``api("s1")`` calls with store S1's key."""
    clients = []

    def make(key: str | None = "hq") -> TestClient:
        c = TestClient(app, headers={"X-API-Key": key} if key else {})
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@contextmanager
def live_server(app):
    """The app under a real uvicorn in a thread on a free loopback port; yields its URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
