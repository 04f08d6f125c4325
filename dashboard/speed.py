"""What makes a page open fast in a fresh browser: fewer bytes, earlier bytes, a warm server.

A chart page needs plotly.js (4.8 MB), which Dash loads only once the page's
layout has arrived, and the first chain page also waits for a store's reports
(hundreds of thousands of order lines). So:

- responses are compressed (gzip, about 3.4 times smaller for plotly.js), and
  the compressed component bundles are kept, so each is compressed once;
- component bundles that Dash serves without a cache header (plotly.js and the
  lazily loaded chunks) get one, so a second visit does not ask again;
- a page whose charts need only plotly.js's cartesian traces (scatter, bar,
  heatmap, image, ...) gets plotly's cartesian bundle (1.5 MB, not 4.8 MB: the
  browser compiles and runs a third of the code), and every chart page loads
  its plotly.js as soon as Dash's renderer is running (the page's load event
  or the renderer's first callback, whichever comes first), so the browser
  compiles it while the server builds the page, not after its layout has
  arrived, nor before the renderer has asked for it; the overview, which
  draws no chart, only prefetches it;
- ``warm`` readies a server before it answers: the imports and the chart
  template a first request would pay for, the compressed bundles; and starts
  on the first chain run's default store reports.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
from typing import Any

import dash
from dash import Dash
from flask import Response, request

PLOTLY_JS = "/_dash-component-suites/plotly/package_data/plotly.min.js"
"""Where Dash serves plotly.js from when a page first shows a chart (served locally)."""
CARTESIAN_JS = "plotly-cartesian.min.js"
"""plotly.js's cartesian partial bundle in assets/ (npm ``plotly.js-cartesian-dist-min``, the
version of plotly.py's own plotly.js); Dash serves it but does not put it on every page."""
PLOTLY_BUNDLES = ("full", "cartesian", "")
"""What a page may say it draws with (``dash.register_page(..., plotly_js=...)``): the full
plotly.js (the default), the cartesian bundle, or no chart at all ("")."""
BUNDLES = "/_dash-component-suites/"
WARM_IMPORTS = ("services.client", "services.db", "pyarrow.parquet")
"""What the first reports and the first chain page import (SQLAlchemy, the domain, Parquet)."""
BUNDLE_MAX_AGE_S = 24 * 3600
"""How long a browser may keep a bundle without asking (it carries an ETag for afterwards)."""
INDEX = """<!DOCTYPE html>
<html>
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        <!-- plotly.js -->
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


EARLY_PLOTLY = """<script>
        (function () {
            var started = false, loaded, failed;
            window.Plotly = window.Plotly || new Promise(function (ok, ko) {
                loaded = ok;
                failed = ko;
            });
            window.storetwinPlotly = function () {
                if (started || !loaded) { return; }
                started = true;
                var script = document.createElement("script");
                script.src = "URL";
                script.async = true;
                script.onload = function () { loaded(window.Plotly); };
                script.onerror = function () { failed(new Error("plotly.js did not load: URL")); };
                document.head.appendChild(script);
            };
            window.addEventListener("load", window.storetwinPlotly);
        })();
        </script>"""
"""The page's plotly.js, loaded while the server answers the page's first callback.

dcc.Graph draws with ``window.Plotly`` when the page has it and waits on it
when it is a promise (``Promise.resolve(window.Plotly || <load it>)`` in
dash_core_components.js); the loaded script replaces the promise with
plotly.js itself. Loading starts with the page's load event (its scripts have
run: the renderer has asked for the layout) or the renderer's first callback
request (``REQUEST_PRE``), whichever comes first, so plotly.js is compiled
while the server builds the page, not before the renderer has asked for it.
"""
REQUEST_PRE = "function () { if (window.storetwinPlotly) { window.storetwinPlotly(); } }"
"""Dash's ``request_pre`` renderer hook: runs before each callback request is sent."""


class FastDash(Dash):
    """Dash whose pages each load the plotly.js they need while the server builds them.

    Overriding ``interpolate_index`` is Dash's documented way to change the page
    it serves; the head gets the loader of the bundle the requested page asked
    for (see PLOTLY_BUNDLES), or for the overview only a prefetch hint.
    """

    def interpolate_index(self, **kwargs: Any) -> str:
        """The page with its plotly.js loader in the head."""
        return super().interpolate_index(**kwargs).replace("<!-- plotly.js -->", self.plotly_head())

    def plotly_head(self) -> str:
        """The head's plotly.js line for the page asked for."""
        bundle = plotly_bundle(request.path)
        cartesian = self.get_asset_url(CARTESIAN_JS)
        if not bundle:
            return f'<link rel="prefetch" href="{cartesian}" as="script">'
        url = cartesian if bundle == "cartesian" else self.get_relative_path(PLOTLY_JS)
        return EARLY_PLOTLY.replace("URL", url)


def plotly_bundle(path: str) -> str:
    """The plotly.js bundle the page at ``path`` draws with (PLOTLY_BUNDLES); "full" if unknown."""
    for page in dash.page_registry.values():
        if page["relative_path"] == path:
            bundle = page.get("plotly_js", "full")
            if bundle not in PLOTLY_BUNDLES:
                raise ValueError(f"page {path}: plotly_js={bundle!r}, not one of {PLOTLY_BUNDLES}")
            return bundle
    return "full"


class BundleCache:
    """Compressed component bundles, by URL; everything else (callbacks, pages) is not kept.

    Flask-Compress asks a cache for every response it compresses, so the key
    says which may be kept: only files under ``/_dash-component-suites/``,
    whose content never changes while the server runs.
    """

    EXTENSION = "storetwin.bundles"
    """Where the app keeps its cache (``app.server.extensions``)."""

    def __init__(self) -> None:
        self._kept: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(req: Any) -> str:
        """The URL of a bundle; an empty key for anything else (never kept)."""
        return req.full_path if is_bundle(req.path) and req.method == "GET" else ""

    def get(self, key: str) -> bytes | None:
        """The kept compressed bytes of ``key``, if any."""
        return None if key.endswith(";") else self._kept.get(key)

    def kept(self) -> list[str]:
        """The keys kept so far."""
        return list(self._kept)

    def set(self, key: str, value: bytes) -> None:
        """Keep the compressed bytes of a bundle."""
        if not key.endswith(";"):  # "<algorithm>;" with an empty key: not a bundle
            with self._lock:
                self._kept[key] = value


def is_bundle(path: str) -> bool:
    """Whether ``path`` is a script that never changes while the server runs."""
    return path.startswith(BUNDLES) or path.endswith("/" + CARTESIAN_JS)


def cache_bundles(response: Response) -> Response:
    """A cache header for a bundle Dash sent without one (plotly.js, the lazy chunks, assets').

    A file from assets/ comes as a stream, which Flask-Compress compresses anew
    for every request; read, it is compressed once and kept like the others.
    """
    if is_bundle(request.path) and response.status_code == 200:
        if response.is_streamed:
            response.direct_passthrough = False
            response.make_sequence()
        if "max-age" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = f"public, max-age={BUNDLE_MAX_AGE_S}"
    return response


def speed_up(app: Dash) -> None:
    """Compression with kept bundles and cache headers."""
    from flask_compress import Compress

    server = app.server
    cache = BundleCache()
    server.config.update(
        COMPRESS_ALGORITHM=["gzip"],
        COMPRESS_LEVEL=6,
        COMPRESS_CACHE_KEY=BundleCache.key,
        COMPRESS_CACHE_BACKEND=lambda: cache,
    )
    Compress(server)
    server.extensions[BundleCache.EXTENSION] = cache
    server.after_request(cache_bundles)
    app.index_string = INDEX


def warm(app: Dash) -> None:
    """Pay at start what the first visitor would, then start on the first reports.

    Here: the imports, the chart template and the compressed bundles (about a
    second); in the background, the first chain run's default store reports
    (they take longer, and the visitor may want another page first).
    """
    from dashboard import figures as dfig

    try:
        import plotly.graph_objects as go

        for module in WARM_IMPORTS:
            importlib.import_module(module)

        dfig.style(go.Figure(), "warm")  # loads the plotly_white template once
        client = app.server.test_client()
        gzip = {"Accept-Encoding": "gzip"}
        index = client.get("/").get_data(as_text=True)
        for url in [
            PLOTLY_JS,
            app.get_asset_url(CARTESIAN_JS),
            *re.findall(r'src="([^"]+)"', index),
        ]:
            client.get(url, headers=gzip)
    except Exception:  # a start must not fail for a cache; the pages report any problem
        logging.getLogger(__name__).exception("warming the dashboard failed")
    threading.Thread(target=warm_reports, args=(app,), name="warm-reports", daemon=True).start()


def warm_reports(app: Dash) -> None:
    """The reports the chain page shows first: its first run's first store (from a run folder)."""
    from dashboard import data

    source: data.Source = app.server.config[data.CONFIG_KEY]
    runs = data.of_kind(source.runs, "chain", "run")
    if not runs or source.services is not None:
        return
    try:
        chain = data.load_chain(source.runs, runs[0].name)
        if chain.stores:
            data.run_reports(source.runs, chain.name, chain.stores[0])
    except Exception:  # a problem the chain page will show when asked
        logging.getLogger(__name__).debug("warming the first reports failed", exc_info=True)
