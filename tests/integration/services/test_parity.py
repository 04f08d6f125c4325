"""The same scenario through the in-process and the HTTP transport gives the same KPIs."""

from services.client import HttpClient, InProcessClient
from twin.run import run

from .conftest import live_server


def test_in_process_and_http_give_identical_kpis(supermarket, small, app, tmp_path):
    from services.db import Database
    from services.db.engine import sqlite_url

    scenario = small(supermarket, 250)
    local_db = Database(sqlite_url(tmp_path / "local.db"))
    local_db.create_schema()
    local = InProcessClient(local_db)
    try:
        in_process = run(scenario, seed=3, client=local)
    finally:
        local.close()
    with live_server(app) as url:
        remote = HttpClient(url, "hq")
        try:
            over_http = run(scenario, seed=3, client=remote)
        finally:
            remote.close()
    assert in_process.kpis["transactions"] > 50
    assert over_http.kpis == in_process.kpis
    assert over_http.tables["visits"].equals(in_process.tables["visits"])
