"""One scenario through the in-process and the HTTP transport: the same KPIs and reports."""

import datetime as dt

from services.client import HttpClient, InProcessClient
from twin.run import run

from .conftest import live_server


def reports(client, store_id):
    """The manager reports of the store over all time, as the dashboard asks for them."""
    start, end = dt.date(2000, 1, 1), dt.date(2100, 1, 1)
    return [
        client.sales_report(store_id, start, end),
        client.category_report(store_id, start, end),
        client.payment_report(store_id, start, end),
        client.profit_report(store_id, start, end),
    ]


def test_in_process_and_http_give_identical_kpis(supermarket, small, app, tmp_path):
    from services.db import Database
    from services.db.engine import sqlite_url

    scenario = small(supermarket, 250)
    local_db = Database(sqlite_url(tmp_path / "local.db"))
    local_db.create_schema()
    local = InProcessClient(local_db)
    try:
        in_process = run(scenario, seed=3, client=local)
        local_reports = reports(local, in_process.store_id)
    finally:
        local.close()
    with live_server(app) as url:
        remote = HttpClient(url, "hq")
        try:
            over_http = run(scenario, seed=3, client=remote)
            remote_reports = reports(remote, over_http.store_id)
        finally:
            remote.close()
    assert in_process.kpis["transactions"] > 50
    assert over_http.kpis == in_process.kpis
    assert over_http.tables["visits"].equals(in_process.tables["visits"])
    assert remote_reports == local_reports
    assert sum(d.orders for d in local_reports[0]) >= in_process.kpis["transactions"]
