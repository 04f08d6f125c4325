"""The Dash app: one page per user job (dashboard/pages/), reading through dashboard.data.

``create_app`` builds it for a ``Source`` (the runs folder, optional services);
``storetwin dashboard`` serves it, on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import re
from pathlib import Path

import dash
from dash import Dash, html

from dashboard.data import CONFIG_KEY, Source
from dashboard.speed import CARTESIAN_JS, REQUEST_PRE, FastDash, speed_up, warm

PAGES = Path(__file__).with_name("pages")


def nav(source: Source) -> html.Div:
    """The bar on top of every page: the pages in their registry order, and what is read."""
    links = [
        html.A(p["name"], href=p["relative_path"], id=f"nav-{p['module'].rsplit('.', 1)[-1]}")
        for p in sorted(dash.page_registry.values(), key=lambda p: p["order"])
    ]
    where = f"runs: {source.runs}" + (f" | services: {source.services}" if source.services else "")
    return html.Div(
        [html.Span("storetwin", className="brand"), *links, html.Span(where, className="source")],
        className="nav",
    )


def create_app(source: Source) -> Dash:
    """The dashboard app for ``source``; read-only."""
    app = FastDash(
        __name__,
        assets_ignore=re.escape(CARTESIAN_JS),  # served, but only on the pages that load it
        hooks={"request_pre": REQUEST_PRE},
        use_pages=True,
        pages_folder=str(PAGES),
        title="storetwin",
        suppress_callback_exceptions=True,
    )
    app.server.config[CONFIG_KEY] = source
    app.layout = html.Div([nav(source), html.Div(dash.page_container, className="page")])
    speed_up(app)
    return app


def serve(source: Source, host: str = "127.0.0.1", port: int = 8050) -> None:
    """Serve the dashboard until interrupted, warmed first (see dashboard.speed)."""
    app = create_app(source)
    warm(app)
    app.run(host=host, port=port, debug=False)
