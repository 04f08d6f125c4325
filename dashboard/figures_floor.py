"""The store floor's charts: the plan with everyone on it at one moment, queues, heat maps."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures import style
from scenarios.pilot.figures import PILOT, SYNTH, TRUTH

WALKERS = {"shopper": (PILOT, "circle"), "queuing": (SYNTH, "circle"), "staff": (TRUTH, "diamond")}
"""How each group of walkers is drawn; their traces follow the tills' trace in this order."""
MARKS = {
    "out_of_stock": ("out of stock", "#d62728", "x-thin-open", -1.0),
    "price_mismatch": ("wrong price label", "#9467bd", "triangle-up-open", 1.0),
}
"""How each kind of shelf mark is drawn (label, colour, symbol, x offset in m from the aisle's
middle, where the zone's name is written, so that neither covers it nor the other mark of
the same SKU; zones are at least 3 m wide); their traces follow the walkers' in this order."""
TRUTH_BOX, MODEL_BOX = "#2ca02c", "#ff7f0e"


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


def mark_hover(kind: str, part: pd.DataFrame) -> list[str]:
    """What a shelf mark says on hover: the SKU, and for a label the two prices."""
    if kind == "out_of_stock":
        return [
            f"{sku} ({zone}): shelf empty"
            for sku, zone in zip(part["sku"], part["zone"], strict=True)
        ]
    return [
        f"{sku} ({zone}): {labels} label shows {shown / 100:.2f}, till charges {price / 100:.2f}"
        for sku, zone, labels, shown, price in zip(
            part["sku"],
            part["zone"],
            part["labels"],
            part["shown_cents"],
            part["price_cents"],
            strict=True,
        )
    ]


LABEL_CHARS = 60
"""Characters of a 10 px zone label that fit across the whole floor in a half-page map."""


def zone_label(name: str, share: float) -> str:
    """A zone's name broken at spaces into lines that fit its ``share`` of the floor's width.

    On one line "Cold drinks and dairy" ran into "Snacks and sweets" beside it (3 m zones
    on the convenience store's 14 m floor, at 1280 px).
    """
    fit = max(6, int(LABEL_CHARS * share))
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= fit:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


def floor_map(
    plan: pd.DataFrame,
    here: pd.DataFrame,
    queuing: set[int],
    t_s: float,
    marks: Mapping[str, pd.DataFrame] | None = None,
) -> go.Figure:
    """The floor plan (zones, tills, doors) with everyone where they were at ``t_s``.

    Shoppers in a queue are drawn in another colour; staff as diamonds. ``marks``
    (``Floor.marks``) adds the empty shelves and wrong price labels of that moment,
    one trace per kind after the walkers' (drawn, empty, even without marks, so a
    replay can update them in place).
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
        upright = z.depth > 2 * z.width
        fig.add_annotation(
            x=z.x + z.width / 2,
            y=z.y + z.depth / 2,
            text=zone_label(z.name, (z.depth if upright else z.width) / outline["width"]),
            showarrow=False,
            font={"size": 10, "color": "#667"},
            textangle=-90 if upright else 0,
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
    for kind, part in shelf_marks(marks).items():
        label, colour, symbol, dx = MARKS[kind]
        fig.add_trace(
            go.Scatter(
                x=part["x"] + dx,
                y=part["y"],
                mode="markers",
                name=f"{label} ({len(part)})",
                marker={"color": colour, "size": 10, "symbol": symbol, "line": {"width": 2}},
                text=mark_hover(kind, part),
                hovertemplate="%{text}<extra></extra>",
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


def shelf_marks(marks: Mapping[str, pd.DataFrame] | None) -> dict[str, pd.DataFrame]:
    """Every kind of mark in drawing order, empty where ``marks`` has none."""
    none = pd.DataFrame(
        {c: [] for c in ("x", "y", "sku", "zone", "labels", "shown_cents", "price_cents")}
    )
    marks = marks or {}
    return {k: marks.get(k, none) for k in MARKS}


WHOLE_TICKS = 8
"""Up to this many people waiting, the queue chart ticks every person."""


def queue_chart(lengths: pd.DataFrame, t_s: float) -> go.Figure:
    """People waiting at each till over the run, with the replay's moment marked."""
    fig = go.Figure()
    for till, part in lengths.groupby("till"):
        fig.add_trace(
            go.Scatter(x=part["t_s"] / 3600, y=part["waiting"], name=str(till), mode="lines")
        )
    fig.add_vline(x=t_s / 3600, line_color="black", line_dash="dot")
    fig.update_xaxes(title="hour since the run started")
    most = int(lengths["waiting"].max()) if not lengths.empty else 0
    # whole people: short queues get a tick per person, never 0.2 of one
    fig.update_yaxes(rangemode="tozero", **({"dtick": 1} if most <= WHOLE_TICKS else {}))
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


def _outlines(boxes: Sequence[Sequence[float]]) -> tuple[list[float | None], list[float | None]]:
    """The rectangles of ``boxes`` (x0, y0, x1, y1, ...) as one broken line."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for b in boxes:
        x0, y0, x1, y1 = b[:4]
        xs += [x0, x1, x1, x0, x0, None]
        ys += [y0, y0, y1, y1, y0, None]
    return xs, ys


def camera_frame(
    jpeg: bytes,
    width: int,
    height: int,
    truth: Sequence[Sequence[float]],
    predicted: Sequence[Sequence[float]],
    title: str,
) -> go.Figure:
    """A camera frame twice: the true person boxes on the left, the model's on the right.

    ``truth`` rows are x0, y0, x1, y1 pixels; ``predicted`` rows add the score.
    """
    source = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.03,
        subplot_titles=(f"truth: {len(truth)} people", f"model: {len(predicted)} found"),
    )
    sets = (("truth", truth, TRUTH_BOX), ("model", predicted, MODEL_BOX))
    for col, (name, boxes, colour) in enumerate(sets, start=1):
        fig.add_trace(go.Image(source=source, hoverinfo="skip", name="frame"), row=1, col=col)
        xs, ys = _outlines(boxes)
        hover = "model box" if name == "model" else "true box"
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=f"{name} boxes ({len(boxes)})",
                line={"color": colour, "width": 2},
                hovertemplate=f"{hover}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    fig.update_xaxes(range=[0, width], visible=False)
    fig.update_yaxes(range=[height, 0], visible=False, scaleanchor="x", scaleratio=1)
    fig.update_yaxes(scaleanchor="x2", row=1, col=2)
    return style(fig, title, height=420)
