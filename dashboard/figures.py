"""The dashboard's charts: data in, a Plotly figure out, testable without a browser.

The pilot report's own charts (``scenarios.pilot.figures``) are used as they
are; this module adds what the dashboard shows beyond that page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from scenarios.pilot.figures import PILOT, REFERENCE, SYNTH, TRUTH

BAD = "#d62728"
ARM_COLOURS = ("#7f7f7f", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")


TEMPLATE_LAYOUT = (
    "autotypenumbers",
    "colorway",
    "font",
    "hovermode",
    "hoverlabel",
    "paper_bgcolor",
    "plot_bgcolor",
    "coloraxis",
    "colorscale",
    "xaxis",
    "yaxis",
    "shapedefaults",
    "annotationdefaults",
    "title",
)
"""The parts of plotly_white's layout that 2-D charts use (not its 3-D, map or polar ones)."""
TEMPLATE_TRACES = ("bar", "heatmap", "scatter")
"""The trace types the dashboard draws that plotly_white has defaults for (image and waterfall
have none)."""


@cache
def template() -> go.layout.Template:
    """plotly_white cut to what the dashboard's charts use.

    The whole template (defaults for two dozen trace types and 3-D, map and
    polar axes) is 7.2 KB in every chart sent, the cut one 2.4 KB, and styling
    a chart costs 18 ms of server CPU instead of 30 ms; it looks the same on
    these charts.
    """
    white = pio.templates["plotly_white"]
    return go.layout.Template(
        layout={k: white.layout[k] for k in TEMPLATE_LAYOUT},
        data={k: white.data[k] for k in TEMPLATE_TRACES},
    )


def style(fig: go.Figure, title: str, y: str = "", height: int = 380) -> go.Figure:
    """One look for every chart: white, title on top, legend below, room for labels."""
    fig.layout.template = template()
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        yaxis_title=y,
        height=height,
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        margin={"l": 70, "r": 20, "t": 50, "b": 110},
        font={"size": 13},
    )
    return fig


def empty(message: str) -> go.Figure:
    """A blank chart that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, "", height=200)


# --- pilots -----------------------------------------------------------------------------------


def kpi_lift(estimate: Mapping[str, Any], kpi: str, unit: str, min_gain: float | None) -> go.Figure:
    """One KPI's measured lift with its CI, the synthetic control's, and the true effect.

    In the KPI's own unit per store-day, with the decision rule's required gain
    marked, so a reader sees at once whether the whole interval clears it.
    """
    fig = go.Figure()
    rows = [("difference-in-differences", estimate.get("estimate"), PILOT)]
    sc = estimate.get("synthetic_control") or {}
    if sc.get("estimate") is not None:
        rows.append(("synthetic control", sc["estimate"], SYNTH))
    for name, value, colour in rows:
        if value is None:
            continue
        ci = estimate if name.startswith("difference") else None
        band = sc.get("placebo_band") if ci is None else None
        error = None
        if ci is not None and ci.get("ci_low") is not None and ci.get("ci_high") is not None:
            error = {
                "type": "data",
                "symmetric": False,
                "array": [ci["ci_high"] - value],
                "arrayminus": [value - ci["ci_low"]],
                "thickness": 3,
                "width": 12,
            }
        fig.add_trace(
            go.Scatter(
                x=[value],
                y=[name],
                mode="markers",
                name=f"{name} (95% CI)" if error else name,
                marker={"color": colour, "size": 14},
                error_x=error,
                hovertext=None
                if band is None
                else f"placebo band {band[0]:,.1f} .. {band[1]:,.1f}",
            )
        )
    if estimate.get("true_effect") is not None:
        fig.add_trace(
            go.Scatter(
                x=[estimate["true_effect"]] * len(rows),
                y=[r[0] for r in rows],
                mode="markers",
                name="true effect (twin)",
                marker={"color": TRUTH, "symbol": "x", "size": 14, "line": {"width": 2}},
            )
        )
    fig.add_vline(x=0, line_color="black")
    if min_gain is not None:
        fig.add_vline(x=min_gain, line_dash="dash", line_color=BAD)
        fig.add_annotation(
            x=min_gain, y=1.02, yref="paper", text="required", showarrow=False, font={"color": BAD}
        )
    fig.update_xaxes(title=f"{kpi} lift per store-day ({unit})")
    fig.update_yaxes(automargin=True)
    return style(fig, f"{kpi}: lift per store-day, with the twin's true effect", height=300)


# --- what-if ----------------------------------------------------------------------------------


def what_if_diffs(rows: pd.DataFrame, kpis: Sequence[str]) -> go.Figure:
    """Each variant's difference from the base, in % of the base, for the chosen KPIs.

    A KPI whose base is zero or a loss has no % (``diff_pct`` missing): its label
    says so, and its bars' hover keeps the difference itself.
    """
    fig = go.Figure()
    shown = rows[rows["kpi"].isin(kpis)]
    order = [k for k in kpis if k in set(shown["kpi"])]
    no_pct = set(shown.loc[shown["diff_pct"].isna(), "kpi"])
    labels = [f"{k} (base <= 0: no %)" if k in no_pct else k for k in order]
    for i, (variant, part) in enumerate(shown.groupby("variant", sort=False)):
        part = part.set_index("kpi").reindex(order)
        fig.add_trace(
            go.Bar(
                y=labels,
                x=part["diff_pct"],
                orientation="h",
                name=str(variant),
                marker_color=ARM_COLOURS[1 + i % (len(ARM_COLOURS) - 1)],
                text=[f"{d:+,.4g}" for d in part["diff"]],
                hovertemplate="%{y}: %{x:+.1f}% (%{text})<extra>%{fullData.name}</extra>",
            )
        )
    fig.add_vline(x=0, line_color="black")
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="difference from the base, % of the base")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return style(fig, "Variant minus base (same shoppers: common random numbers)", height=520)


def hourly_overlay(hourly: pd.DataFrame, column: str, arms: Sequence[str]) -> go.Figure:
    """One hourly series of every arm on one time axis (hours since the run started)."""
    fig = go.Figure()
    for i, arm in enumerate(arms):
        part = hourly[hourly["arm"] == arm].sort_values("t_h")
        fig.add_trace(
            go.Scatter(
                x=part["t_h"],
                y=part[column],
                name=arm,
                mode="lines",
                line={
                    "color": ARM_COLOURS[i % len(ARM_COLOURS)],
                    "width": 4 if i == 0 else 2,
                    "dash": "solid" if i == 0 else "dash",
                },
            )
        )
    fig.update_xaxes(title="hour since the run started")
    return style(fig, f"{column} per hour", column)


# --- chain ------------------------------------------------------------------------------------


def store_grid(by_store: pd.DataFrame, kpi: str, per_row: int = 8) -> go.Figure:
    """Every store as a tile coloured by the KPI, formats in blocks of rows (a map-like overview).

    A format with more than ``per_row`` stores takes several rows, so tiles never overlap.
    """
    frame = by_store.sort_values(["format", "store_id"]).reset_index(drop=True)
    k = frame.groupby("format").cumcount()
    frame["col"] = k % per_row
    rows_per_format = frame.groupby("format")["col"].size().sub(1) // per_row + 1
    first = rows_per_format.cumsum() - rows_per_format
    frame["row"] = frame["format"].map(first) + k // per_row
    n_rows = int(frame["row"].max()) + 1
    z = [[None] * per_row for _ in range(n_rows)]
    text = [[""] * per_row for _ in range(n_rows)]
    for r in frame.itertuples():
        z[r.row][r.col] = getattr(r, kpi)
        text[r.row][r.col] = r.store_id
    fig = go.Figure(
        go.Heatmap(
            z=z,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 11},
            colorscale="Viridis",
            xgap=4,
            ygap=4,
            colorbar={"title": {"text": kpi}},
            showscale=frame[kpi].nunique() > 1,  # one value: a scale of 18.454k..18.4545k
            hovertemplate="%{text}: %{z:,.4g}<extra></extra>",
        )
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(
        tickvals=list(first), ticktext=list(first.index), autorange="reversed", automargin=True
    )
    return style(fig, f"{kpi} per store, by format", height=max(260, 150 + 46 * n_rows))


def format_days(by_format_day: pd.DataFrame, kpi: str) -> go.Figure:
    """A KPI per day, one line per format (sums over its stores; means for waits and scores)."""
    fig = go.Figure()
    for i, (fmt, part) in enumerate(by_format_day.groupby("format")):
        fig.add_trace(
            go.Scatter(
                x=part["day"],
                y=part[kpi],
                name=str(fmt),
                mode="lines+markers",
                line={"color": ARM_COLOURS[(i + 1) % len(ARM_COLOURS)]},
            )
        )
    days = by_format_day["day"].nunique()
    fig.update_xaxes(title="day", tick0=0, dtick=max(1, days // 10))
    if days == 1:  # one point a format: no zoom onto its value, no days -1 and 1
        day = float(by_format_day["day"].iloc[0])
        fig.update_xaxes(range=[day - 0.5, day + 0.5])
        fig.update_yaxes(rangemode="tozero")
    return style(fig, f"{kpi} per day by format", kpi)


def sales_by_day(sales: pd.DataFrame) -> go.Figure:
    """Manager report: sales per day (from the services' reports)."""
    if sales.empty:
        return empty("no sales in this range")
    fig = go.Figure(go.Bar(x=sales["date"], y=sales["sales_cents"] / 100, marker_color=PILOT))
    # whole days only: without this, a short range gets hour ticks between the bars
    every = max(1, len(sales) // 10)
    fig.update_xaxes(type="date", tickformat="%d %b", dtick=every * 86_400_000)
    return style(fig, "Sales per day", "sales")


def share_bars(frame: pd.DataFrame, label: str, value: str, title: str) -> go.Figure:
    """Manager report: a value per label (category, payment method), largest first."""
    if frame.empty:
        return empty("nothing in this range")
    part = frame.sort_values(value)
    fig = go.Figure(go.Bar(x=part[value] / 100, y=part[label], orientation="h"))
    fig.update_yaxes(automargin=True)
    return style(fig, title, height=max(260, 60 + 24 * len(part)))


def monthly_profit(profit: pd.DataFrame) -> go.Figure:
    """Manager report: sales, cost and gross profit per month (bars)."""
    if profit.empty:
        return empty("no months with sales in this range")
    fig = go.Figure()
    for column, name, colour in (
        ("sales_cents", "sales", PILOT),
        ("cost_cents", "cost of goods", REFERENCE),
        ("profit_cents", "gross profit", TRUTH),
    ):
        fig.add_trace(
            go.Bar(x=profit["month"], y=profit[column] / 100, name=name, marker_color=colour)
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category")
    return style(fig, "Monthly profit", "amount")


# --- models and services ------------------------------------------------------------------------


MIN_SAMPLES = 30
"""bench.json flags a bucket ``too_few`` below this many people (or tags) and frames."""


def bucket_size(bucket: Mapping[str, Any]) -> tuple[int | None, str]:
    """A bucket's sample size and what it counts (people, price tags or frames)."""
    for unit in ("people", "tags", "frames"):
        if bucket.get(unit) is not None:
            return int(bucket[unit]), unit
    return None, "samples"


def bucket_hover(
    name: str,
    metric: str,
    value: float | None,
    ci: Sequence[float] | None,
    size: tuple[int | None, str],
    too_few: bool,
) -> str:
    """What hovering a bucket's bar says: the rate, its CI, n, and whether n is too small."""
    n, unit = size
    lines = [f"{name}: {metric} " + (f"{value:.3f}" if value is not None else "-")]
    lines.append(f"95% CI {ci[0]:.3f} to {ci[1]:.3f}" if ci is not None else "no CI")
    lines.append(f"n = {n if n is not None else '?'} {unit}")
    if too_few:
        lines.append(f"too few to read alone (under {MIN_SAMPLES})")
    return "<br>".join(lines)


def accuracy_by_condition(model: Mapping[str, Any], condition: str, metric: str) -> go.Figure:
    """One model's accuracy per bucket of a condition, with its 95% CI and sample size.

    The bench holds per bucket the rate, its 95% CI (``<metric>_ci``), its
    sample size and ``too_few``: each bar carries its CI as an error bar, its
    axis label says n, and a bucket too small to read alone is drawn pale,
    hatched and labelled "too few", so nobody reads its bar as a finding.
    """
    buckets = model.get("by_condition", {}).get(condition, {})
    if not buckets:
        return empty(f"{model.get('name', 'model')}: no {condition} buckets")
    names = list(buckets)
    values = [buckets[b].get(metric) for b in names]
    cis = [buckets[b].get(f"{metric}_ci") for b in names]
    sizes = [bucket_size(buckets[b]) for b in names]
    few = [bool(buckets[b].get("too_few")) for b in names]
    labels = [
        f"{b}<br>n={n if n is not None else '?'}" + (" (too few)" if f else "")
        for b, (n, _), f in zip(names, sizes, few, strict=True)
    ]
    pairs = list(zip(values, cis, strict=True))
    ok = [ci is not None and len(ci) == 2 and v is not None for v, ci in pairs]
    hover = [
        bucket_hover(b, metric, v, ci if good else None, size, f)
        for b, v, ci, good, size, f in zip(names, values, cis, ok, sizes, few, strict=True)
    ]
    bar = go.Bar(
        x=labels,
        y=values,
        marker={
            "color": PILOT,
            "opacity": [0.35 if f else 1.0 for f in few],
            "pattern": {"shape": ["/" if f else "" for f in few]},
        },
        hovertext=hover,
        hoverinfo="text",
        name=metric,
        showlegend=False,
    )
    if any(ok):
        bar.error_y = {
            "type": "data",
            "symmetric": False,
            "array": [ci[1] - v if g else 0 for (v, ci), g in zip(pairs, ok, strict=True)],
            "arrayminus": [v - ci[0] if g else 0 for (v, ci), g in zip(pairs, ok, strict=True)],
            "color": "#333",
            "thickness": 1.5,
            "width": 6,
        }
    fig = go.Figure(bar)
    note = "whiskers: 95% CI" + (f"; hatched: too few, n < {MIN_SAMPLES}" if any(few) else "")
    fig.update_xaxes(title=f"{condition} ({note})", type="category")
    if metric.endswith("_rate") or metric in ("recall", "precision"):
        fig.update_yaxes(range=[0, 1.05])
    return style(fig, f"{model.get('name')}: {metric} by {condition}", metric, height=340)


STAGES = ("render_ms", "preprocess_ms", "infer_ms", "postprocess_ms")


def stage_times(models: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Time per stage of each model's pipeline (ms per frame), stacked."""
    fig = go.Figure()
    names = [m.get("name", "?") for m in models]
    for stage in STAGES:
        fig.add_trace(
            go.Bar(y=names, x=[m.get(stage) for m in models], name=stage, orientation="h")
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="ms per frame")
    fig.update_yaxes(automargin=True)
    return style(fig, "Time per stage", height=160 + 50 * len(models))


def speed_vs_benchmark_app(models: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Frames per second of the pipeline beside OpenVINO's benchmark_app for the same networks."""
    names = [m.get("name", "?") for m in models]
    fig = go.Figure(
        [
            go.Bar(x=names, y=[m.get("fps") for m in models], name="pipeline", marker_color=PILOT),
            go.Bar(
                x=names,
                y=[m.get("benchmark_app_frame_fps") for m in models],
                name="benchmark_app",
                marker_color=REFERENCE,
            ),
        ]
    )
    fig.update_layout(barmode="group")
    return style(fig, "Speed against benchmark_app", "frames per second")


def load_over_time(points: pd.DataFrame, columns: Sequence[str], title: str, y: str) -> go.Figure:
    """Load-test series over time (``t_s`` on x), one line per column present."""
    fig = go.Figure()
    for column in columns:
        if column in points:
            fig.add_trace(go.Scatter(x=points["t_s"], y=points[column], name=column, mode="lines"))
    fig.update_xaxes(title="seconds into the test")
    return style(fig, title, y)
