"""value.html: what each queue-camera model's errors cost per store-day, and where from.

Figures are pure functions (the value.json dict in, ``go.Figure`` out); the page
loads Plotly's JavaScript from plotly.min.js beside it (``scenarios.pilot.page.write_html``),
so it opens without a network.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from scenarios.pilot.page import STYLE, chart, table, write_html

PARTS = {
    "lost_gross_margin": "lost gross margin (walk-outs)",
    "extra_labour": "extra cashier labour",
    "extra_shrink": "extra shrink",
}


def cost_figure(result: dict[str, Any]) -> go.Figure:
    """Cost of error per store-day per arm (oracle minus the arm's contribution), 95% CI bars."""
    rows = [a for a in result["arms"] if a["arm"] != "oracle"]
    means = [a["cost_per_store_day"]["mean"] for a in rows]
    lows = [a["cost_per_store_day"]["ci_low"] for a in rows]
    highs = [a["cost_per_store_day"]["ci_high"] for a in rows]
    error = None
    if all(v is not None for v in lows):
        error = {
            "type": "data",
            "array": [h - m for h, m in zip(highs, means, strict=True)],
            "arrayminus": [m - lo for m, lo in zip(means, lows, strict=True)],
        }
    fig = go.Figure(go.Bar(x=[a["arm"] for a in rows], y=means, error_y=error))
    fig.update_layout(
        title="Cost of model error per store-day (oracle camera = 0), 95% CI",
        yaxis_title=f"{result['currency']} per store-day",
        height=380,
    )
    return fig


def breakdown_figure(result: dict[str, Any]) -> go.Figure:
    """Where each arm's cost comes from: lost margin, extra labour, extra shrink (stacked)."""
    rows = [a for a in result["arms"] if a["arm"] != "oracle"]
    fig = go.Figure()
    for key, label in PARTS.items():
        fig.add_trace(
            go.Bar(
                name=label,
                x=[a["arm"] for a in rows],
                y=[a["breakdown_per_store_day"][key] for a in rows],
            )
        )
    fig.update_layout(
        barmode="relative",
        title="Breakdown of the cost per store-day (mean over replications)",
        yaxis_title=f"{result['currency']} per store-day",
        height=380,
    )
    return fig


def kpi_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per arm and KPI: value, difference from the oracle arm and its CI."""
    rows = []
    for a in result["arms"]:
        for kpi, v in a["kpis"].items():
            d = v.get("vs_oracle", {})
            rows.append(
                {
                    "arm": a["arm"],
                    "kpi": kpi,
                    "value": v["value"],
                    "vs oracle": d.get("mean"),
                    "ci_low": d.get("ci_low"),
                    "ci_high": d.get("ci_high"),
                }
            )
    return rows


def write_page(result: dict[str, Any], path: Path) -> None:
    """Write value.html: headline and warnings first, then the two charts and the KPI table."""
    from twin.camera_value import headline

    title = f"Cost of queue-camera error: {result['scenario']}"
    warns = "".join(f"<li>{html.escape(w)}</li>" for w in result["warnings"])
    body = [
        f"<h1>{html.escape(title)}</h1>",
        "<ul>" + "".join(f"<li><b>{html.escape(s)}</b></li>" for s in headline(result)) + "</ul>",
        f"<div class='warnings'><ul>{warns}</ul></div>" if warns else "",
        f"<p class='note'>{result['days']} day(s) x {result['replications']} replication(s), "
        f"seeds {result['seeds']}, common random numbers in every arm; "
        f"off_till_value {result['off_till_value']}. Figures marked per store-day are "
        "divided by days and stores; waits are means.</p>",
    ]
    for i, fig in enumerate((cost_figure(result), breakdown_figure(result))):
        body.append(chart(fig, i == 0))
    counts = [{"arm": a["arm"], **a["count_error"]} for a in result["arms"] if "count_error" in a]
    if counts:
        body += [
            "<h2>How the camera counted each lane (frames in the store)</h2>",
            table(counts, list(counts[0])),
        ]
    body += [
        "<h2>KPIs by arm, and the difference from the oracle camera (paired, 95% CI)</h2>",
        table(kpi_rows(result), ["arm", "kpi", "value", "vs oracle", "ci_low", "ci_high"]),
    ]
    write_html(
        path,
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>",
    )
