"""Overview: what was found under the runs folder, with a link to the page that shows each."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard import components as ui
from dashboard import data

dash.register_page(__name__, path="/", name="Overview", order=0, title="storetwin", plotly_js="")

PAGES = {
    "pilot": ("/pilots", "pilot"),
    "what_if": ("/what-if", "run"),
    "replicated": ("/what-if", "run"),
    "sweep": ("/what-if", "run"),
    "chain": ("/chain", "run"),
    "run": ("/chain", "run"),
    "bench": ("/models", "run"),
    "loadtest": ("/services", "run"),
}


def layout(**_: Any) -> html.Div:
    """Every result folder found, by kind."""
    source = data.Source.current()
    found = data.find(source.runs)
    if not found:
        return html.Div(
            [
                html.H2("Nothing to show yet"),
                ui.empty_state(
                    "results",
                    "pilot",
                    source.runs,
                    "Run `make demo`, then `storetwin dashboard --runs runs`.",
                ),
            ]
        )
    rows = []
    traced = set(data.traced(source.runs))
    for f in found:
        replay = html.A("store floor", href=ui.link("/floor", run=f.name))
        if f.kind in PAGES:
            page, key = PAGES[f.kind]
            shown: Any = html.A(f.name, href=ui.link(page, **{key: f.name}))
        else:  # a validation: no page shows it (its summary is validation.json)
            shown = html.Span(f"{f.name} ({f.kind}.json)")
        rows.append(
            {
                "folder": shown,
                "kind": f.kind,
                "replay": replay if f.name in traced else html.Span("-"),
            }
        )
    return html.Div(
        [
            html.H2("What is under the runs folder"),
            html.Div(
                ui.table(rows, ["folder", "kind", "replay"], table_id="found"), className="card"
            ),
        ]
    )
