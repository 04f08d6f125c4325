"""The store floor's charts: the plan with everyone on it at one moment, queues, heat maps."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import style
from scenarios.pilot.figures import PILOT, SYNTH, TRUTH

WALKERS = {"shopper": (PILOT, "circle"), "queuing": (SYNTH, "circle"), "staff": (TRUTH, "diamond")}
"""How each group of walkers is drawn; their traces follow the tills' trace in this order."""


def clock(t_s: float) -> str:
    """Simulated time as 'day D HH:MM'."""
    day, rest = divmod(int(t_s), 86400)
    return f"day {day} {rest // 3600:02d}:{rest % 3600 // 60:02d}"


def walkers(here: pd.DataFrame, queuing: set[int]) -> dict[str, pd.DataFrame]:
    """The positions at one moment split into shoppers, shoppers in a queue, and staff."""
    shopper = here["kind"] == "shopper"
    in_queue = shopper & here["id"].isin(queuing)
    return {
        "shopper": here[shopper & ~in_queue],
        "queuing": here[in_queue],
        "staff": here[~shopper],
    }


def floor_map(plan: pd.DataFrame, here: pd.DataFrame, queuing: set[int], t_s: float) -> go.Figure:
    """The floor plan (zones, tills, doors) with everyone where they were at ``t_s``.

    Shoppers in a queue are drawn in another colour; staff as diamonds.
    """
    fig = go.Figure()
    outline = plan[plan["kind"] == "floor"].iloc[0]
    fig.add_shape(
        type="rect", x0=0, y0=0, x1=outline["width"], y1=outline["depth"], line={"color": "#333"}
    )
    for z in plan[plan["kind"] == "zone"].itertuples():
        fig.add_shape(
            type="rect",
            x0=z.x,
            y0=z.y,
            x1=z.x + z.width,
            y1=z.y + z.depth,
            fillcolor="#e8edf2",
            line={"color": "#b8c2cc"},
            layer="below",
        )
        fig.add_annotation(
            x=z.x + z.width / 2,
            y=z.y + z.depth / 2,
            text=z.name,
            showarrow=False,
            font={"size": 10, "color": "#667"},
            textangle=-90 if z.depth > 2 * z.width else 0,
        )
    fixed = plan[~plan["kind"].isin(["floor", "zone"])]
    fig.add_trace(
        go.Scatter(
            x=fixed["x"],
            y=fixed["y"],
            mode="markers",
            name="tills and doors",
            marker={"symbol": "square", "size": 12, "color": "#555"},
            text=fixed["name"],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    for name, part in walkers(here, queuing).items():
        colour, symbol = WALKERS[name]
        fig.add_trace(
            go.Scatter(
                x=part["x"],
                y=part["y"],
                mode="markers",
                name=f"{name} ({len(part)})",
                marker={
                    "color": colour,
                    "size": 9,
                    "symbol": symbol,
                    "line": {"width": 0.5, "color": "white"},
                },
                customdata=part["id"],
                hovertemplate=f"{name} %{{customdata}}<extra></extra>",
            )
        )
    fig.update_xaxes(
        range=[-1, outline["width"] + 1],
        showgrid=False,
        zeroline=False,
        title="m",
        constrain="domain",
    )
    fig.update_yaxes(
        range=[-1, outline["depth"] + 1],
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        scaleratio=1,
    )
    fig.update_layout(uirevision="floor")
    return style(fig, f"The floor at {clock(t_s)}", height=560)


def queue_chart(lengths: pd.DataFrame, t_s: float) -> go.Figure:
    """People waiting at each till over the run, with the replay's moment marked."""
    fig = go.Figure()
    for till, part in lengths.groupby("till"):
        fig.add_trace(
            go.Scatter(x=part["t_s"] / 3600, y=part["waiting"], name=str(till), mode="lines")
        )
    fig.add_vline(x=t_s / 3600, line_color="black", line_dash="dot")
    fig.update_xaxes(title="hour since the run started")
    fig.update_layout(uirevision="queues")
    return style(fig, "Queue per till", "people waiting", height=340)


def heat_map(cells: pd.DataFrame, column: str, title: str, cell_m: float = 2.0) -> go.Figure:
    """Seconds spent per floor cell, summed over days."""
    total = cells.groupby(["cell_x", "cell_y"], as_index=False)[column].sum()
    fig = go.Figure(
        go.Heatmap(
            x=(total["cell_x"] + 0.5) * cell_m,
            y=(total["cell_y"] + 0.5) * cell_m,
            z=total[column] / 60,
            colorscale="YlOrRd",
            colorbar={"title": {"text": "min"}},
        )
    )
    fig.update_yaxes(scaleanchor="x", scaleratio=1, title="m", constrain="domain")
    fig.update_xaxes(title="m", constrain="domain")
    return style(fig, title, height=420)
