"""Services (developers): load-test results (loadtest.json): latency, throughput, errors, checks.

It reads what `storetwin loadtest` writes: headline figures, thresholds and
invariants with their verdicts, the per-second timeline (req/s, errors, p95 per
endpoint) and the per-endpoint percentiles; a missing part is left out.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard import components as ui
from dashboard import data
from dashboard import figures as dfig

dash.register_page(
    __name__, path="/services", name="Services", order=6, title="Services", plotly_js="cartesian"
)

PAGE = "/services"
RATE = ("requests_per_s", "errors_per_s")


def _as_typed(item: Any) -> Any:
    """A threshold's value in the unit it was typed in ('2.44%' beside errors<0.1%).

    loadtest.json's ``value`` and ``limit`` keep an error rate as a share (0.0244 and
    0.001); its ``shown`` (written since it was added) reads as the rule does.
    """
    if not isinstance(item, dict) or "shown" not in item:
        return item
    rest = {k: v for k, v in item.items() if k not in ("threshold", "value", "limit", "shown")}
    return {"threshold": item.get("threshold"), "value": item["shown"], **rest}


def checks(result: dict[str, Any], key: str, title: str) -> html.Div | None:
    """Thresholds or invariants with their verdicts, as a table."""
    items = result.get(key)
    if isinstance(items, dict):
        items = [
            {"name": k, **(v if isinstance(v, dict) else {"value": v})} for k, v in items.items()
        ]
    if not isinstance(items, list) or not items:
        return None
    items = [_as_typed(i) for i in items]
    columns = list(dict.fromkeys(c for i in items if isinstance(i, dict) for c in i))
    return html.Div(
        [html.H3(title), ui.table(items, columns, table_id=f"load-{key}")], className="card"
    )


def detail(runs: Any, name: str) -> list[Any]:
    """One load-test folder."""
    result = data.load_json_result(runs, name, "loadtest.json")
    headline = [(k, ui.fmt(v)) for k, v in result.items() if isinstance(v, int | float)]
    out: list[Any] = [html.H2(f"Load test: {name}")]
    if headline:
        out.append(ui.figures(headline))
    for key, title in (("thresholds", "Thresholds"), ("invariants", "Invariants (database)")):
        part = checks(result, key, title)
        if part is not None:
            out.append(part)
    points = data.load_timeline(result)
    if not points.empty:
        latency = [c for c in points.columns if c.startswith("p95 ")]
        out.append(
            html.Div(
                [
                    ui.chart(
                        dfig.load_over_time(points, latency, "Latency (p95 per endpoint)", "ms"),
                        "load-latency",
                    ),
                    ui.chart(dfig.load_over_time(points, RATE, "Throughput", "per s"), "load-rate"),
                ],
                className="grid2",
            )
        )
    endpoints = data.load_endpoints(result)
    if endpoints:
        columns = list(dict.fromkeys(c for e in endpoints for c in e))
        out.append(
            html.Div(
                [
                    html.H3("Per endpoint (ms from the intended send time)"),
                    ui.table(endpoints, columns),
                ],
                className="card",
            )
        )
    return out


def layout(run: str | None = None, **_: Any) -> html.Div:
    """The load-test folders, and the chosen one."""
    source = data.Source.current()
    found = data.of_kind(source.runs, "loadtest")
    if not found:
        return ui.empty_state(
            "load tests",
            "loadtest",
            source.runs,
            "Benchmarks of the services without a load test: storetwin bench services --json.",
        )
    links = [html.Span([html.A(f.name, href=ui.link(PAGE, run=f.name)), " "]) for f in found]
    chosen = run or found[0].name
    return html.Div(
        [
            html.Div([html.H2("Load tests"), html.Div(links)], className="card"),
            html.Div(ui.guarded(lambda: detail(source.runs, chosen))),
        ]
    )
