"""A database out of reach is a 503 to try again later, not a 500."""

from fastapi.testclient import TestClient

from services.api.main import create_app
from services.settings import Settings


def test_a_database_out_of_reach_answers_503_with_retry_after(tmp_path):
    gone = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'store.db'}"
    app = create_app(Settings(database_url=gone, access_log="off"), create_schema=False)
    with TestClient(app, headers={"X-API-Key": "dev-hq-key"}) as http:
        reply = http.get("/stores")
        assert http.get("/health").status_code == 200  # the process itself is alive
    assert reply.status_code == 503, reply.text
    assert reply.headers["Retry-After"] == "1"
    assert reply.json()["error"] == "Unavailable"
    assert "database is unavailable" in reply.json()["detail"]
    paths = app.openapi()["paths"]
    assert "503" in paths["/stores"]["get"]["responses"]
