"""sweep.html: each KPI against the varied parameter with CI bands, and the cost/wait trade-off.

Figures are pure functions (tables in, ``go.Figure`` out); the page loads
Plotly's JavaScript from plotly.min.js beside it (``scenarios.pilot.page.write_html``),
so it opens without a network.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from scenarios.pilot.page import STYLE, chart, table
from twin.sweep import BASE, pareto

PLOTTED = ("contribution", "sales", "queue_wait_p95_s", "labour_cost", "satisfaction", "balked")
"""KPIs drawn against the parameter unless the goal and constraints name others."""


def kpi_vs_parameter(
    summary: pd.DataFrame, params: Mapping[str, Mapping[str, Any]], kpis: Sequence[str]
) -> go.Figure:
    """One panel per KPI: mean over replications vs the first varied path, 95% CI band.

    One line per combination of the other varied paths; the base as a dotted line
    and, where ``params`` gives its own value of the first path, as a point with its CI.
    """
    paths = list(next(iter(params.values())))
    x_path, others = paths[0], paths[1:]
    fig = make_subplots(rows=len(kpis), cols=1, subplot_titles=list(kpis), shared_xaxes=True)
    groups: dict[str, list[str]] = {}
    for name, p in params.items():
        if name == BASE:
            continue
        key = ", ".join(f"{o}={p[o]}" for o in others) or "mean"
        groups.setdefault(key, []).append(name)
    for row, kpi in enumerate(kpis, start=1):
        mine = summary[summary["kpi"] == kpi].set_index("variant")
        for i, (key, names) in enumerate(groups.items()):
            colour = f"hsl({(i * 67) % 360},60%,45%)"
            x = [params[n][x_path] for n in names]
            lows, highs = mine.loc[names, "ci_low"], mine.loc[names, "ci_high"]
            fig.add_trace(
                go.Scatter(
                    x=[*x, *x[::-1]],
                    y=[*highs, *lows[::-1]],
                    fill="toself",
                    fillcolor=colour.replace("hsl", "hsla").replace(")", ",0.15)"),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                ),
                row=row,
                col=1,
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=mine.loc[names, "mean"],
                    mode="lines+markers",
                    name=key,
                    line={"color": colour},
                    legendgroup=key,
                    showlegend=row == 1,
                ),
                row=row,
                col=1,
            )
        if BASE in mine.index:
            base_mean = float(mine.loc[BASE, "mean"])
            fig.add_hline(y=base_mean, line_dash="dot", row=row, col=1, opacity=0.6)
            base_x = params.get(BASE, {}).get(x_path)
            if base_x is not None:
                fig.add_trace(_base_point(base_x, mine.loc[BASE], row == 1), row=row, col=1)
    fig.update_xaxes(title_text=x_path, row=len(kpis), col=1)
    fig.update_layout(
        title="KPI vs parameter (mean over replications, 95% CI; diamond and dotted: base)",
        height=260 * len(kpis),
        template="plotly_white",
    )
    return fig


def _base_point(x: Any, base: pd.Series, legend: bool) -> go.Scatter:
    """The base scenario at its own value of the parameter, its 95% CI as an error bar."""
    mean, low, high = float(base["mean"]), float(base["ci_low"]), float(base["ci_high"])
    bars = None
    if not (math.isnan(low) or math.isnan(high)):
        bars = {
            "type": "data",
            "symmetric": False,
            "array": [high - mean],
            "arrayminus": [mean - low],
        }
    return go.Scatter(
        x=[x],
        y=[mean],
        mode="markers",
        name=BASE,
        marker={"color": "black", "symbol": "diamond", "size": 11},
        error_y=bars,
        legendgroup=BASE,
        showlegend=legend,
    )


def tradeoff(summary: pd.DataFrame) -> go.Figure:
    """Labour cost against queue wait p95 per variant, the Pareto front (lower both) marked."""
    mean = summary.pivot_table(index="variant", columns="kpi", values="mean", sort=False)
    names = [str(n) for n in mean.index]
    points = list(zip(mean["labour_cost"], mean["queue_wait_p95_s"], strict=True))
    front = pareto(points)
    on = sorted((p, n) for p, n, f in zip(points, names, front, strict=True) if f)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            mode="markers",
            text=names,
            name="variants",
            marker={"color": "#999", "size": 9},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[p[0] for p, _ in on],
            y=[p[1] for p, _ in on],
            mode="lines+markers",
            text=[n for _, n in on],
            name="Pareto front",
            marker={"color": "#d62728", "size": 11},
        )
    )
    fig.update_layout(
        title="Labour cost vs queue wait p95 (means; Pareto front: no variant is better on both)",
        xaxis_title="labour_cost",
        yaxis_title="queue_wait_p95_s",
        template="plotly_white",
    )
    return fig


def render(
    title: str,
    summary: pd.DataFrame,
    diffs: pd.DataFrame,
    params: Mapping[str, Mapping[str, Any]],
    kpis: Sequence[str],
    verdict: str,
) -> str:
    """The whole page: verdict, the two charts and the paired differences."""
    charts = [kpi_vs_parameter(summary, params, kpis), tradeoff(summary)]
    body = [f"<h1>{html.escape(title)}</h1>", f"<p><b>{html.escape(verdict)}</b></p>"]
    cut = summary[summary["kpi"].isin(kpis) & summary["bounded"]] if "bounded" in summary else []
    if len(cut):
        names = ", ".join(dict.fromkeys(cut["kpi"]))
        body.append(
            f"<p>The CI bands of {html.escape(names)} are cut at the KPI's range (a count, "
            "amount, wait or share cannot be below 0, nor a share above 1): with so few "
            "replications the t interval reached past it. Differences are not cut.</p>"
        )
    for i, fig in enumerate(charts):
        body.append(chart(fig, i == 0))
    shown = diffs[diffs["kpi"].isin(kpis)].to_dict("records")
    body += [
        "<h2>Differences from the base, paired by seed (95% CI)</h2>",
        table(
            shown,
            ["variant", "kpi", "base", "value", "diff", "ci_low", "ci_high", "distinguishable"],
        ),
    ]
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )
