"""Models (data teams): the vision benchmark (bench.json): accuracy by condition, speed, stages."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard import components as ui
from dashboard import data
from dashboard import figures as dfig

dash.register_page(
    __name__, path="/models", name="Models", order=5, title="Models", plotly_js="cartesian"
)

PAGE = "/models"
SUMMARY = ("name", "task", "frames", "latency_ms_p50", "latency_ms_p99", "fps")
ACCURACY = ("recall", "precision", "count_mae", "exact_price_rate", "exact_name_rate")


def metric_of(model: dict[str, Any]) -> str:
    """The accuracy figure that names the model's quality (recall, or exact price reads)."""
    return "recall" if model.get("task") == "people" else "exact_price_rate"


def detail(runs: Any, name: str) -> list[Any]:
    """One bench folder."""
    bench = data.load_json_result(runs, name, "bench.json")
    models = [m for m in bench.get("models", []) if isinstance(m, dict)]
    if not models:
        raise data.Problem(f"{name}/bench.json lists no models")
    columns = [*SUMMARY, "benchmark_app_frame_fps", *ACCURACY]
    out: list[Any] = [
        html.H2(f"Model benchmark: {name}"),
        html.P(
            f"{bench.get('frames', '?')} labelled frames per model on {bench.get('device', '?')}, "
            f"OpenVINO {bench.get('openvino', '?')}.",
            className="note",
        ),
        html.Div(
            ui.table(models, columns, [c.replace("_", " ") for c in columns], "bench-table"),
            className="card",
        ),
        html.Div(
            [
                ui.chart(dfig.speed_vs_benchmark_app(models), "bench-speed"),
                ui.chart(dfig.stage_times(models), "bench-stages"),
            ],
            className="grid2",
        ),
    ]
    charts = [
        ui.chart(dfig.accuracy_by_condition(m, condition, metric_of(m)))
        for m in models
        for condition in m.get("by_condition", {})
    ]
    if charts:
        out += [
            html.H3("Accuracy by condition, with 95% CIs (n = the bucket's sample size)"),
            html.Div(charts, className="grid2"),
        ]
    return out


def layout(run: str | None = None, **_: Any) -> html.Div:
    """The bench folders, and the chosen one."""
    source = data.Source.current()
    found = data.of_kind(source.runs, "bench")
    if not found:
        return ui.empty_state("model benchmarks", "bench", source.runs)
    links = [html.Span([html.A(f.name, href=ui.link(PAGE, run=f.name)), " "]) for f in found]
    chosen = run or found[0].name
    return html.Div(
        [
            html.Div([html.H2("Benchmarks"), html.Div(links)], className="card"),
            html.Div(ui.guarded(lambda: detail(source.runs, chosen))),
        ]
    )
