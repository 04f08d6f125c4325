"""How fast the dashboard opens a 28-day, 20-store chain (see dashboard_chain.py for the folder).

``make bench`` times the overview and the chain page with its first store's
reports, built and serialised as Dash sends them; each benchmark also checks
what the page shows, so a fast wrong page fails. The target (under 2 s to open)
is reported, not asserted: wall clocks on shared machines are not a test.
"""

from __future__ import annotations

import json
from pathlib import Path

import plotly.utils
import pytest

from .dashboard_chain import DAYS, STORES, build


@pytest.fixture(scope="module")
def chain_runs(tmp_path_factory) -> Path:
    runs = tmp_path_factory.mktemp("bench_dashboard")
    build(runs / "chain")
    return runs


@pytest.fixture(scope="module")
def app(chain_runs):
    from dashboard.app import create_app
    from dashboard.data import Source

    return create_app(Source(chain_runs))


def sent(layout) -> str:
    return json.dumps(layout, cls=plotly.utils.PlotlyJSONEncoder)


def test_the_chain_page_of_a_28_day_20_store_chain(benchmark, app, chain_runs):
    from dashboard import data
    from dashboard.pages import chain

    with app.server.test_request_context("/"):
        page = benchmark(lambda: sent(chain.layout(run="chain")))
    assert f"KPIs per store over the whole run ({STORES} stores)" in page
    c = data.load_chain(chain_runs, "chain")
    assert len(c.by_store) == STORES and (c.by_store["days"] == DAYS).all()
    assert len(c.by_format_day) == 3 * DAYS


def test_the_reports_of_a_28_day_supermarket(benchmark, app, chain_runs):
    from dashboard import data
    from dashboard.pages import chain

    source = data.Source(chain_runs)
    with app.server.test_request_context("/"):
        body = benchmark(lambda: sent(chain.report_body(source, "chain", "S001")))
    assert "report-sales" in body and "report-categories" in body
    sales = data.run_reports(chain_runs, "chain", "S001").sales
    assert len(sales) == DAYS and sales["orders"].nunique() == 1


def test_the_overview(benchmark, app):
    from dashboard.pages import home

    with app.server.test_request_context("/"):
        page = benchmark(lambda: sent(home.layout()))
    assert '"chain"' in page
