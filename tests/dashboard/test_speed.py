"""What makes a first open fast: plotly.js asked for at once, bundles compressed once, cached."""

import gzip
import re

import pytest

from dashboard.speed import BUNDLES, PLOTLY_JS, BundleCache


@pytest.fixture(scope="module")
def app(dash_app):
    return dash_app


def test_every_page_asks_for_plotly_js_at_once_at_the_url_dash_loads_it_from(app):
    client = app.server.test_client()
    page = client.get("/chain").get_data(as_text=True)
    preload = re.search(r'<link rel="preload" href="([^"]+)" as="script">', page)
    assert preload and preload.group(1) == PLOTLY_JS
    plotly_js = client.get(PLOTLY_JS)
    assert plotly_js.status_code == 200 and b"plotly" in plotly_js.get_data()[:2000].lower()


def test_bundles_are_compressed_once_and_cached_by_the_browser(app):
    client = app.server.test_client()
    plain = client.get(PLOTLY_JS).get_data()
    first = client.get(PLOTLY_JS, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert len(first.get_data()) < len(plain) / 3
    assert gzip.decompress(first.get_data()) == plain
    assert "max-age" in first.headers["Cache-Control"]
    cache: BundleCache = app.server.extensions[BundleCache.EXTENSION]
    assert f"gzip;{PLOTLY_JS}?" in cache.kept()  # the next browser gets the kept bytes
    again = client.get(PLOTLY_JS, headers={"Accept-Encoding": "gzip"})
    assert again.get_data() == first.get_data()


def test_only_bundles_are_kept_never_a_page_or_a_callback(app):
    cache: BundleCache = app.server.extensions[BundleCache.EXTENSION]
    client = app.server.test_client()
    client.get("/chain", headers={"Accept-Encoding": "gzip"})
    client.post("/_dash-update-component", json={}, headers={"Accept-Encoding": "gzip"})
    assert all(key.split(";", 1)[1].startswith(BUNDLES) for key in cache.kept())
    cache.set("gzip;", b"x")
    assert cache.get("gzip;") is None


def test_warming_compresses_the_bundles_and_computes_the_first_chain_reports(app, dash_runs):
    import threading

    from dashboard import data
    from dashboard.speed import warm

    app.server.config[data.CONFIG_KEY] = data.Source(dash_runs)
    data._REPORTS.clear()
    warm(app)
    for thread in threading.enumerate():
        if thread.name == "warm-reports":
            thread.join(120)
    cache: BundleCache = app.server.extensions[BundleCache.EXTENSION]
    assert f"gzip;{PLOTLY_JS}?" in cache.kept()
    first = data.of_kind(dash_runs, "chain", "run")[0].name
    store = data.load_chain(dash_runs, first).stores[0]
    assert [k[2] for k in data._REPORTS] == [store]  # what the chain page shows first
