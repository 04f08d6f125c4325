"""The benchmark's HTML page: Plotly charts of speed and accuracy by condition.

Figures are pure functions of the bench.json data (no browser needed to test
them); the page embeds plotly.js once so it opens offline.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from devices.vision.bench import SUMMARY

if TYPE_CHECKING:
    import pandas as pd

STYLE = (
    "body{font-family:sans-serif;margin:2em} table{border-collapse:collapse} "
    "td,th{border:1px solid #ccc;padding:4px 8px}"
)


def speed_figure(models: list[dict]) -> go.Figure:
    """Pipeline inference rate next to benchmark_app's, per model."""
    names = [m["name"] for m in models]
    fig = go.Figure(
        [
            go.Bar(
                name="pipeline (inferences/s, rendering included)",
                x=names,
                y=[m["inferences_per_s"] for m in models],
            ),
            go.Bar(name="benchmark_app (FPS)", x=names, y=[m["benchmark_app_fps"] for m in models]),
        ]
    )
    fig.update_layout(
        title="Throughput: our pipeline vs OpenVINO benchmark_app",
        barmode="group",
        yaxis_title="per second",
    )
    return fig


def latency_figure(models: list[dict]) -> go.Figure:
    """Where a frame's time goes: render, pre-process, infer, post-process."""
    names = [m["name"] for m in models]
    stages = ("render_ms", "preprocess_ms", "infer_ms", "postprocess_ms")
    fig = go.Figure(
        [go.Bar(name=s.removesuffix("_ms"), x=names, y=[m[s] for m in models]) for s in stages]
    )
    fig.update_layout(title="Time per frame by stage (sync, ms)", barmode="stack", yaxis_title="ms")
    return fig


def bucket_label(name: str, bucket: dict) -> str:
    """A bucket's axis label: its name, its sample size, and a flag when it is too small."""
    n = bucket.get("people") or bucket.get("tags") or bucket.get("frames") or 0
    unit = "people" if "people" in bucket else "tags" if "tags" in bucket else "frames"
    flag = ", too few" if bucket.get("too_few") else ""
    return f"{name} (n={n} {unit}{flag})"


def _error_bars(values: list, cis: list) -> dict | None:
    if not any(ci for ci in cis):
        return None
    pairs = list(zip(values, cis, strict=True))
    return {
        "type": "data",
        "array": [ci[1] - v if ci and v is not None else 0 for v, ci in pairs],
        "arrayminus": [v - ci[0] if ci and v is not None else 0 for v, ci in pairs],
    }


def condition_figure(model: dict, key: str) -> go.Figure:
    """One model's main accuracy figure per bucket of one condition, with n and 95% CIs.

    Buckets with too few samples are named so on the axis and drawn pale.
    """
    metric = "recall" if model["task"] == "people" else "exact_price_rate"
    buckets = model["by_condition"][key]
    labels = [bucket_label(name, b) for name, b in buckets.items()]
    values = [b.get(metric) for b in buckets.values()]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            name=metric,
            error_y=_error_bars(values, [b.get(f"{metric}_ci") for b in buckets.values()]),
            marker_opacity=[0.35 if b.get("too_few") else 1.0 for b in buckets.values()],
        )
    )
    if model["task"] == "people" and any("count_mae" in b for b in buckets.values()):
        mae = [b.get("count_mae") for b in buckets.values()]
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=mae,
                name="count MAE",
                yaxis="y2",
                mode="lines+markers",
                error_y=_error_bars(mae, [b.get("count_mae_ci") for b in buckets.values()]),
            )
        )
        fig.update_layout(
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "title": "count MAE (people per frame)",
                "rangemode": "tozero",
            }
        )
    fig.update_layout(
        title=f"{model['name']}: {metric} by {key} (95% CI)",
        yaxis={"range": [0, 1.05], "title": metric},
    )
    return fig


def error_section(
    name: str, predictions: pd.DataFrame | None, examples: dict[str, list[dict]] | None
) -> str:
    """One people model's precision-recall curve, threshold sweep and example error frames."""
    from devices.vision.report_errors import (
        examples_html,
        pr_curve,
        pr_figure,
        sweep_figure,
        threshold_sweep,
    )

    parts = [f"<h2>{html.escape(name)}: errors</h2>"]
    if predictions is not None and "pred_counted" in predictions:
        rows = predictions[predictions["model"] == name]
        for fig in (pr_figure(name, pr_curve(rows)), sweep_figure(name, threshold_sweep(rows))):
            parts.append(fig.to_html(full_html=False, include_plotlyjs=False))
    if examples is not None:
        parts.append(examples_html(name, examples.get(name, [])))
    return "".join(parts)


def summary_table(models: list[dict]) -> str:
    """The headline figures as an HTML table."""
    cols = SUMMARY
    head = "".join(f"<th>{c}</th>" for c in cols)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(m.get(c, '')))}</td>" for c in cols) + "</tr>"
        for m in models
    )
    return f"<table><tr>{head}</tr>{rows}</table>"


def write_html(
    bench: dict,
    path: Path,
    predictions: pd.DataFrame | None = None,
    examples: dict[str, list[dict]] | None = None,
) -> Path:
    """Write the page for a bench.json dict.

    With ``predictions`` (predictions.parquet's rows) each people model also
    gets its precision-recall curve and threshold sweep, and with ``examples``
    (``report_errors.error_examples`` per model name) its worst frames.
    """
    models = bench["models"]
    figures = [speed_figure(models), latency_figure(models)]
    for m in models:
        figures += [condition_figure(m, key) for key in m.get("by_condition", {})]
    parts = []
    for i, fig in enumerate(figures):
        parts.append(fig.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False))
    parts += [
        error_section(m["name"], predictions, examples) for m in models if m["task"] == "people"
    ]
    meta = html.escape(
        f"OpenVINO {bench['openvino']} on {bench['device']}, "
        f"{bench['frames']} frames per model, seed {bench['seed']}"
    )
    page = (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>storetwin model benchmark</title><style>{STYLE}</style></head><body>"
        f"<h1>Model benchmark</h1><p>{meta}</p>{summary_table(models)}{''.join(parts)}"
        "</body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path
