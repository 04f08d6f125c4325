"""Promotions reach the services the same way over HTTP as in process."""

from scenarios.overrides import apply
from services.client import HttpClient, InProcessClient
from twin.run import run

from .conftest import live_server


def test_a_marketing_block_gives_the_same_results_over_http(supermarket, small, app, tmp_path):
    from services.db import Database
    from services.db.engine import sqlite_url

    skus = ["FRU0001", "FRU0002"]  # the first SKUs of the catalogue's first category
    promotions = [
        {"kind": "spend_save", "threshold_cents": 5000, "save_cents": 500},
        {"kind": "markdown", "skus": skus[:1], "save_cents": 100},
        {"kind": "bundle", "skus": skus, "price_cents": 500},
        {"kind": "spend_get_coupon", "threshold_cents": 3000, "coupon": {"value": 300}},
        {"kind": "visit_gift", "coupon": {"value": 100}},
    ]
    scenario = apply(small(supermarket, 250), {"marketing": {"promotions": promotions}})
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
    table = in_process.tables["promotions"]
    assert table.num_rows == 5 and sum(table["buyers"].to_pylist()) > 0
    assert sum(table["review_reach"].to_pylist()) > 0
    assert over_http.kpis == in_process.kpis
    assert over_http.tables["promotions"].equals(table)
