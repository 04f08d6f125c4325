"""Pieces every page shares: empty states, problems, plain tables, figure cards, charts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import plotly.graph_objects as go
from dash import dcc, html

from dashboard.data import COMMANDS, Problem

DECISION_WORDS = {"roll_out": "Roll out", "stop": "Stop", "next_round": "Run a next round"}
DECISION_COLOURS = {"roll_out": "#2ca02c", "stop": "#d62728", "next_round": "#ff7f0e"}


def fmt(value: Any, digits: int = 4) -> str:
    """A value as people read it: thousands separated, a few significant digits, '-' for none."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return f"{value:,.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v, digits) for v in value)
    return str(value)


def link(page: str, **query: str) -> str:
    """The URL of a page with its query (folder names quoted)."""
    if not query:
        return page
    return page + "?" + "&".join(f"{k}={quote(str(v), safe='/')}" for k, v in query.items())


def empty_state(what: str, kind: str, runs: Any, extra: str | None = None) -> html.Div:
    """What a page shows when there is nothing to show: what is missing and the command."""
    return html.Div(
        [
            html.H3(f"No {what} yet"),
            html.P(["Nothing of this kind was found under ", html.Code(str(runs)), "."]),
            html.P(["Make one with: ", html.Code(COMMANDS[kind])]),
            *([html.P(extra, className="note")] if extra else []),
        ],
        className="card empty",
        id="empty-state",
    )


def problem(message: str | Problem) -> html.Div:
    """A message in place of what could not be read."""
    return html.Div(
        [html.B("Cannot show this: "), html.Span(str(message))], className="card problem"
    )


def guarded(build: Callable[[], Any]) -> Any:
    """``build()``, or the problem it ran into, shown on the page (the server logs the rest)."""
    try:
        return build()
    except Problem as exc:
        return problem(exc)
    except Exception as exc:  # a file this dashboard does not understand: say so, keep the page
        logging.getLogger(__name__).exception("page failed")
        return problem(f"unexpected {type(exc).__name__}: {exc}")


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    headers: Sequence[str] | None = None,
    table_id: str | None = None,
) -> html.Div:
    """A plain HTML table of ``rows`` (missing cells as '-'); a cell may be a Dash component."""

    def cell(value: Any) -> Any:
        return value if isinstance(value, html.A | html.Span) else fmt(value)

    head = html.Tr([html.Th(h) for h in headers or columns])
    body = [html.Tr([html.Td(cell(r.get(c))) for c in columns]) for r in rows]
    return html.Div(
        html.Table(
            [html.Thead(head), html.Tbody(body)],
            className="plain",
            **({"id": table_id} if table_id else {}),
        ),
        className="scroll",
    )


def figures(items: Sequence[tuple[str, str]]) -> html.Div:
    """Headline figures as cards: (label, value)."""
    return html.Div(
        [
            html.Div(
                [html.Div(v, className="value"), html.Div(k, className="label")], className="figure"
            )
            for k, v in items
        ],
        className="figures",
    )


def has_legend(fig: go.Figure) -> bool:
    """Whether Plotly draws a legend: asked for, or more than one trace that would be in it."""
    if fig.layout.showlegend is not None:
        return bool(fig.layout.showlegend)
    in_legend = [t for t in fig.data if getattr(t, "showlegend", False) is not False]
    return len(in_legend) > 1  # an image, for one, has no legend entry at all


def labels_above_the_plot(fig: go.Figure) -> None:
    """Put labels of lines across the plot ("pilot starts", "required") above its top edge.

    There they are on neither the line nor the data, with room left under the title.
    """
    top = [a for a in fig.layout.annotations if a.yref == "paper" and (a.y or 0) >= 1]
    for a in top:
        a.update(y=1, yanchor="bottom")
    if top:
        fig.update_layout(margin={"t": max(fig.layout.margin.t or 0, 72)})


def chart(fig: go.Figure, chart_id: str | None = None, note: str | None = None) -> html.Div:
    """A chart in a card, with a line saying how to read it."""
    if fig.layout.height is None:
        fig.update_layout(height=400)
    # The legend sits at the bottom of the chart's box, below the x-axis title, never on it;
    # a chart without one keeps less room there.
    fig.update_layout(
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        margin={"b": 110 if has_legend(fig) else 80},
    )
    labels_above_the_plot(fig)
    graph = dcc.Graph(
        figure=fig,
        config={"displaylogo": False, "displayModeBar": False},
        style={"height": f"{fig.layout.height}px"},
    )
    if chart_id is not None:
        graph.id = chart_id
    return html.Div([graph, *([html.P(note, className="note")] if note else [])], className="card")


def badge(decision: str | None) -> html.Span:
    """A pilot's decision as a coloured word."""
    if decision is None:
        return html.Span("not decided", className="badge", style={"background": "#999"})
    return html.Span(
        DECISION_WORDS.get(decision, decision),
        className="badge",
        style={"background": DECISION_COLOURS.get(decision, "#555")},
    )
