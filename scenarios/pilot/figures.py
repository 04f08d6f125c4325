"""The report's charts: plain data in, a Plotly figure out, testable without a browser."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

PILOT, REFERENCE, TRUTH, SYNTH = "#1f77b4", "#7f7f7f", "#2ca02c", "#ff7f0e"


def _layout(fig: go.Figure, title: str, y: str) -> go.Figure:
    fig.update_layout(
        title=title,
        yaxis_title=y,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
    )
    return fig


def _start(fig: go.Figure, start_day: int) -> None:
    fig.add_vline(x=start_day - 0.5, line_dash="dash", line_color="black")
    fig.add_annotation(
        x=start_day - 0.5, y=1, yref="paper", text="pilot starts", showarrow=False, xanchor="left"
    )


def timeline(panel: pd.DataFrame, kpi: str, start_day: int) -> go.Figure:
    """Pilot vs reference stores per day (means), with the pilot stores' twin counterfactual.

    ``panel`` has columns store_id, group (pilot/reference), arm
    (observed/counterfactual), day and the KPI.
    """
    fig = go.Figure()
    observed = panel[panel["arm"] == "observed"]
    lines = [
        (observed[observed["group"] == "pilot"], "pilot stores", PILOT, "solid"),
        (observed[observed["group"] == "reference"], "reference stores", REFERENCE, "solid"),
        (
            panel[(panel["arm"] == "counterfactual") & (panel["group"] == "pilot")],
            "pilot stores without it (twin truth)",
            TRUTH,
            "dot",
        ),
    ]
    for rows, name, color, dash in lines:
        mean = rows.groupby("day")[kpi].mean()
        fig.add_trace(
            go.Scatter(
                x=mean.index,
                y=mean.values,
                name=name,
                mode="lines+markers",
                line={"color": color, "dash": dash},
            )
        )
    _start(fig, start_day)
    return _layout(fig, f"{kpi}: pilot vs reference stores, per store-day", kpi)


def synthetic(
    series: Mapping[str, Sequence[float]], truth: Sequence[float], kpi: str, start_day: int
) -> go.Figure:
    """The pilot stores (actual), their synthetic control, and the counterfactual truth."""
    fig = go.Figure()
    days = list(series["day"])
    for name, ys, color, dash in (
        ("pilot stores (actual)", series["actual"], PILOT, "solid"),
        ("synthetic control", series["synthetic"], SYNTH, "dash"),
        ("without it (twin truth)", truth, TRUTH, "dot"),
    ):
        fig.add_trace(
            go.Scatter(
                x=days, y=list(ys), name=name, mode="lines", line={"color": color, "dash": dash}
            )
        )
    _start(fig, start_day)
    return _layout(fig, f"{kpi}: synthetic control vs actual", kpi)


def lifts(estimates: Mapping[str, Mapping[str, Any]]) -> go.Figure:
    """Lift of each KPI in % of its level without the intervention, CI bars, truth beside."""
    rows = [
        (k, e)
        for k, e in estimates.items()
        if e["lift_pct"] is not None and e["ci_low"] is not None and e["ci_high"] is not None
    ]
    names = [k for k, _ in rows]
    pct = [100 * e["estimate"] / e["baseline"] for _, e in rows]
    low = [100 * e["ci_low"] / e["baseline"] for _, e in rows]
    high = [100 * e["ci_high"] / e["baseline"] for _, e in rows]
    true = [100 * e["true_effect"] / e["baseline"] for _, e in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=pct,
            y=names,
            mode="markers",
            name="measured lift (CI)",
            marker={"color": PILOT, "size": 10},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [h - p for h, p in zip(high, pct, strict=True)],
                "arrayminus": [p - lo for p, lo in zip(pct, low, strict=True)],
            },
        )
    )
    fig.add_trace(
        go.Scatter(
            x=true,
            y=names,
            mode="markers",
            name="true effect (twin)",
            marker={"color": TRUTH, "symbol": "x", "size": 10},
        )
    )
    fig.add_vline(x=0, line_color="black")
    fig = _layout(fig, "Lift per KPI with its confidence interval", "")
    fig.update_xaxes(title="% of the level without the intervention")
    return fig


def waterfall(drivers: Sequence[Mapping[str, Any]], currency: str) -> go.Figure:
    """Monthly net gain per store built up from its drivers (the last row is the net)."""
    fig = go.Figure(
        go.Waterfall(
            x=[d["driver"] for d in drivers],
            y=[d["monthly"] for d in drivers],
            measure=["relative"] * (len(drivers) - 1) + ["total"],
            connector={"line": {"color": REFERENCE}},
        )
    )
    return _layout(fig, "Where the monthly gain per store comes from", f"{currency} per month")


def projection(rows: Sequence[Mapping[str, Any]], currency: str) -> go.Figure:
    """Net value of a chain-wide roll-out per year, stacked by format (projected formats only)."""
    frame = pd.DataFrame([r for r in rows if r["net"] is not None])
    fig = go.Figure()
    for fmt, part in frame.groupby("format"):
        # Reports written before formats were marked have no "extrapolated" column.
        extrapolated = "extrapolated" in part and bool(part["extrapolated"].fillna(False).any())
        label = f"{fmt} (extrapolated)" if extrapolated else str(fmt)
        fig.add_trace(go.Bar(x=[f"year {y}" for y in part["year"]], y=part["net"], name=label))
    fig.update_layout(barmode="relative")
    return _layout(fig, "Roll-out to the whole chain: net value per year", currency)
