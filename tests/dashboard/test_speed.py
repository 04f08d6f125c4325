"""What makes a first open fast: plotly.js asked for at once, bundles compressed once, cached."""

import ast
import gzip
import importlib.util
import re
from pathlib import Path

import dash
import pytest

from dashboard.speed import (
    CARTESIAN_JS,
    PLOTLY_BUNDLES,
    PLOTLY_JS,
    REQUEST_PRE,
    BundleCache,
    is_bundle,
    plotly_bundle,
)

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
OURS = ("dashboard", "scenarios")
TRACE_NAME = re.compile(r'moduleType:"trace",name:"(\w+)"')


@pytest.fixture(scope="module")
def app(dash_app):
    return dash_app


def loader_url(page: str) -> str | None:
    """The plotly.js a page's head starts loading, if any."""
    found = re.search(r'script\.src = "([^"]+)"', page)
    return found.group(1) if found else None


def test_chart_pages_start_loading_the_plotly_js_they_need_with_the_page(app):
    client = app.server.test_client()
    cartesian = app.get_asset_url(CARTESIAN_JS)
    assert loader_url(client.get("/chain?run=chain").get_data(as_text=True)) == cartesian
    assert loader_url(client.get("/pilots").get_data(as_text=True)) == PLOTLY_JS  # a waterfall
    assert loader_url(client.get("/no-such-page").get_data(as_text=True)) == PLOTLY_JS
    overview = client.get("/").get_data(as_text=True)
    assert loader_url(overview) is None  # no chart there: only fetched for the next page
    assert f'<link rel="prefetch" href="{cartesian}" as="script">' in overview
    assert CARTESIAN_JS not in overview.split("<footer>")[1]  # never a script of every page
    chain = client.get("/chain").get_data(as_text=True)
    assert f"new DashRenderer({{request_pre: {REQUEST_PRE}}})" in chain  # starts with a callback
    for url in (cartesian, PLOTLY_JS):
        js = client.get(url)
        assert js.status_code == 200 and b"window.Plotly = Plotly" in js.get_data()[-300:]


def test_dash_graph_draws_with_a_plotly_the_page_provides():
    """The loader relies on dcc.Graph taking ``window.Plotly`` (or waiting on it) when set."""
    dcc = Path(dash.__file__).with_name("dcc") / "dash_core_components.js"
    assert "Promise.resolve(window.Plotly||" in dcc.read_text()


def test_the_cartesian_bundle_is_the_plotly_js_of_plotly_py():
    import plotly

    full = Path(plotly.__file__).with_name("package_data") / "plotly.min.js"
    version = re.compile(r"plotly\.js (?:\(cartesian - minified\) )?(v[\d.]+)")
    head = (DASHBOARD / "assets" / CARTESIAN_JS).read_text()[:300]
    assert version.search(head).group(1) == version.search(full.read_text()[:300]).group(1)


def module_file(name: str) -> Path | None:
    """The source of module ``name``; None when it names no module (a function, a constant)."""
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:  # a name taken from a module, not a module
        return None
    return Path(spec.origin) if spec and spec.origin else None


def drawn_traces(source: Path) -> set[str]:
    """Trace types (``go.Bar``: bar) a page's source and the figure modules it imports draw.

    Modules count when imported as modules (``from dashboard import figures``),
    not when a name is taken from them (``from scenarios.pilot.figures import PILOT``).
    """
    seen, todo, traces = set(), [source], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(OURS):
                todo += [m for a in node.names if (m := module_file(f"{node.module}.{a.name}"))]
            call = getattr(node, "func", None)
            if (
                isinstance(call, ast.Attribute)
                and isinstance(call.value, ast.Name)
                and call.value.id == "go"
                and call.attr not in ("Figure", "Layout")
            ):
                traces.add(call.attr.lower())
    return traces


def test_pages_on_the_cartesian_bundle_draw_only_its_traces(app):
    bundle = set(TRACE_NAME.findall((DASHBOARD / "assets" / CARTESIAN_JS).read_text()))
    assert {"scatter", "bar", "heatmap", "image"} <= bundle and "waterfall" not in bundle
    pages = {p["module"]: p.get("plotly_js", "full") for p in dash.page_registry.values()}
    assert set(pages.values()) <= set(PLOTLY_BUNDLES)
    assert pages["pages.pilots"] == "full" and pages["pages.home"] == ""
    on_cartesian = [m for m, b in pages.items() if b == "cartesian"]
    assert "pages.chain" in on_cartesian
    for module in on_cartesian:
        drawn = drawn_traces(DASHBOARD / "pages" / f"{module.split('.')[-1]}.py")
        assert drawn and drawn <= bundle, f"{module} draws {drawn - bundle}: plotly_js='full'"
    assert "waterfall" in drawn_traces(DASHBOARD / "pages" / "pilots.py")  # what the scan catches
    assert plotly_bundle("/chain") == "cartesian"


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
    cartesian = app.get_asset_url(CARTESIAN_JS)
    served = client.get(cartesian, headers={"Accept-Encoding": "gzip"})
    assert (
        served.headers["Content-Encoding"] == "gzip"
        and "max-age" in served.headers["Cache-Control"]
    )
    assert f"gzip;{cartesian}?" in cache.kept()  # an asset comes as a stream: read and kept


def test_only_bundles_are_kept_never_a_page_or_a_callback(app):
    cache: BundleCache = app.server.extensions[BundleCache.EXTENSION]
    client = app.server.test_client()
    client.get("/chain", headers={"Accept-Encoding": "gzip"})
    client.post("/_dash-update-component", json={}, headers={"Accept-Encoding": "gzip"})
    assert all(is_bundle(key.split(";", 1)[1].split("?")[0]) for key in cache.kept())
    assert not is_bundle("/chain") and not is_bundle("/_dash-update-component")
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
