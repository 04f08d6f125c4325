"""Store floor (planners): a traced run replayed: shoppers and staff moving, queues, heat.

The browser gets one frame at a time (everyone's position at one moment, a few
hundred points at most), so a supermarket store-day replays as smoothly as a
small one: the server keeps the run's tracks in memory and slices them by time.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, Patch, State, callback, ctx, dcc, html, no_update

from dashboard import components as ui
from dashboard import data
from dashboard import figures as dfig
from dashboard import figures_floor as ffig

dash.register_page(
    __name__, path="/floor", name="Store floor", order=4, title="Store floor", plotly_js="cartesian"
)

PAGE = "/floor"
SPEEDS = {"10 s": 10, "1 min": 60, "5 min": 300, "15 min": 900}


def frame(floor: data.Floor, t: int) -> Any:
    """The floor map at grid time ``t``, with the empty shelves and wrong labels of then."""
    return ffig.floor_map(floor.plan, floor.at(t), floor.queuing(t), t, floor.marks(t))


def frame_label(row: Any) -> str:
    """How a sampled frame is listed: camera, view and when."""
    return f"{row.camera} view {row.view + 1} at {ffig.clock(row.t_s)}"


def camera_figure(floor: data.Floor, index: int) -> Any:
    """Sampled frame ``index`` with the truth's and the model's boxes."""
    f = data.camera_frame(floor.frames, index)
    title = f"{f.camera} at {ffig.clock(f.t_s)}: true people beside what {f.model} found"
    return ffig.camera_frame(f.jpeg, f.width, f.height, f.truth, f.predicted, title)


def cameras(floor: data.Floor) -> Any:
    """The cameras' sample frames, or a line saying how a run gets some."""
    if floor.frames is None or floor.frames.empty:
        return html.P(
            [
                "No camera frames in this run: cameras in real fidelity keep a few with ",
                html.Code("--trace"),
                " (a scenario with devices.cameras and fidelity: real).",
            ],
            className="note card",
            id="camera-none",
        )
    options = [
        {"label": frame_label(r), "value": i} for i, r in enumerate(floor.frames.itertuples())
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.Label("Camera frame: "),
                    dcc.Dropdown(id="camera-pick", options=options, value=0, clearable=False),
                ],
                className="controls card",
            ),
            ui.chart(
                camera_figure(floor, 0),
                "camera-frame",
                "Green: the people truly in view (the twin's ground truth); orange: the boxes "
                "the model found on the rendered frame.",
            ),
        ]
    )


def heat(floor: data.Floor) -> list[Any]:
    """Observed (WiFi probes) beside true dwell heat, or the truth from the tracks alone."""
    if floor.heat is not None and {"observed_s", "true_s"} <= set(floor.heat):
        return [
            html.Div(
                [
                    ui.chart(
                        ffig.heat_map(floor.heat, "observed_s", "Dwell seen by the WiFi probes"),
                        "heat-observed",
                    ),
                    ui.chart(ffig.heat_map(floor.heat, "true_s", "Dwell (truth)"), "heat-true"),
                ],
                className="grid2",
            )
        ]
    step = int(floor.times[1] - floor.times[0]) if len(floor.times) > 1 else 5
    cells = data.heat_from_tracks(floor.tracks, step)
    return [
        ui.chart(
            ffig.heat_map(cells, "true_s", "Dwell (truth, from the tracks)"),
            "heat-true",
            "This store has no WiFi probes, so there is no observed heat map to compare: add "
            "devices.wifi_probe to the scenario.",
        )
    ]


def detail(runs: Any, name: str, t: int | None) -> list[Any]:
    """One traced run: the replay controls, the floor, queues and heat."""
    floor = data.load_floor(runs, name)
    times = floor.times
    if len(times) == 0:
        raise data.Problem(f"{name}: tracks.parquet has no positions")
    first, last = int(times[0]), int(times[-1])
    start = first if t is None else min(max(int(t), first), last)
    step = int(times[1] - times[0]) if len(times) > 1 else 5
    marks = {h: f"{h % 86400 // 3600}h" for h in range(first // 3600 * 3600, last, 3 * 3600)}
    lengths = data.queue_lengths(floor.queues)
    return [
        html.H2(f"Store floor: {name}"),
        dcc.Store(id="floor-name", data=name),
        html.Div(
            [
                html.Button("Play", id="floor-play", n_clicks=0),
                dcc.Dropdown(
                    id="floor-speed",
                    options=[{"label": f"{k} per frame", "value": v} for k, v in SPEEDS.items()],
                    value=60,
                    clearable=False,
                ),
                html.Span(ffig.clock(start), id="floor-clock"),
            ],
            className="controls card",
        ),
        html.Div(
            dcc.Slider(
                id="floor-time",
                min=first,
                max=last,
                step=step,
                value=start,
                marks=marks,
                updatemode="drag",
            ),
            className="card",
        ),
        dcc.Interval(id="floor-tick", interval=500, disabled=True),
        html.Div(
            [
                ui.chart(frame(floor, start), "floor-map"),
                ui.chart(ffig.queue_chart(lengths, start), "floor-queues"),
            ],
            className="grid2",
        ),
        html.P(
            "Red crosses: shelves empty at that moment; purple triangles: price labels that "
            "show another price than the till charges (hover for the SKU and both prices).",
            className="note",
        ),
        *heat(floor),
        cameras(floor),
    ]


def layout(run: str | None = None, t: str | None = None, **_: Any) -> html.Div:
    """The traced runs, and the chosen one replayed."""
    source = data.Source.current()
    names = data.traced(source.runs)
    if not names:
        return ui.empty_state("traced runs", "trace", source.runs)
    links = [html.Span([html.A(n, href=ui.link(PAGE, run=n)), " "]) for n in names]
    chosen = run or names[0]
    moment = int(float(t)) if t is not None and t.replace(".", "", 1).isdigit() else None
    return html.Div(
        [
            html.Div([html.H2("Traced runs"), html.Div(links)], className="card"),
            html.Div(ui.guarded(lambda: detail(source.runs, chosen, moment))),
        ]
    )


@callback(
    Output("floor-tick", "disabled"),
    Output("floor-play", "children"),
    Input("floor-play", "n_clicks"),
    prevent_initial_call=True,
)
def play(clicks: int):
    """Start or pause the replay."""
    playing = clicks % 2 == 1
    return not playing, "Pause" if playing else "Play"


@callback(
    Output("floor-time", "value"),
    Output("floor-map", "figure"),
    Output("floor-queues", "figure"),
    Output("floor-clock", "children"),
    Input("floor-tick", "n_intervals"),
    Input("floor-time", "value"),
    State("floor-time", "max"),
    State("floor-speed", "value"),
    State("floor-name", "data"),
    prevent_initial_call=True,
)
def show(_: int, t: int, last: int, speed: int, name: str):
    """Move on by ``speed`` seconds on a tick, or to the slider's moment; redraw the walkers.

    Only what moves is sent (the walkers' positions and the queue chart's marker), so
    a frame stays small whatever the store and the run's length.
    """
    try:
        floor = data.load_floor(data.Source.current().runs, name)
    except data.Problem:
        return no_update, no_update, no_update, "the traced run is gone"
    if ctx.triggered_id == "floor-tick":
        t = min(t + speed, last)
    step = int(floor.times[1] - floor.times[0]) if len(floor.times) > 1 else 5
    t = int(t) // step * step
    walkers = ffig.walkers(floor.at(t), floor.queuing(t))
    figure = Patch()
    for i, (label, part) in enumerate(walkers.items(), start=1):
        figure["data"][i]["x"] = part["x"].tolist()
        figure["data"][i]["y"] = part["y"].tolist()
        figure["data"][i]["customdata"] = part["id"].tolist()
        figure["data"][i]["name"] = f"{label} ({len(part)})"
    for j, (kind, part) in enumerate(ffig.shelf_marks(floor.marks(t)).items(), 1 + len(walkers)):
        label, _, _, dx = ffig.MARKS[kind]
        figure["data"][j]["x"] = (part["x"] + dx).tolist()
        figure["data"][j]["y"] = part["y"].tolist()
        figure["data"][j]["text"] = ffig.mark_hover(kind, part)
        figure["data"][j]["name"] = f"{label} ({len(part)})"
    figure["layout"]["title"]["text"] = f"The floor at {ffig.clock(t)}"
    queues = Patch()
    queues["layout"]["shapes"][0]["x0"] = t / 3600
    queues["layout"]["shapes"][0]["x1"] = t / 3600
    return t, figure, queues, ffig.clock(t)


@callback(
    Output("camera-frame", "figure"),
    Input("camera-pick", "value"),
    State("floor-name", "data"),
    prevent_initial_call=True,
)
def pick_frame(index: int, name: str):
    """Show another sampled camera frame."""
    try:
        return camera_figure(data.load_floor(data.Source.current().runs, name), int(index))
    except data.Problem as exc:
        return dfig.empty(str(exc))
