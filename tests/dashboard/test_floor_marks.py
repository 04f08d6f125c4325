"""Shelf marks and camera frames of the store floor: spells from events, figures, the page."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from dashboard import data
from dashboard import figures_floor as ffig
from dashboard.data import Source

from .test_pages import find, render, write_trace

EVENTS = pd.DataFrame(
    [
        (60, "out_of_stock", "DAI0001", "dairy", 3.0, 4.0, None, None, None),
        (600, "restocked", "DAI0001", "dairy", 3.0, 4.0, None, None, None),
        (900, "out_of_stock", "DAI0001", "dairy", 3.0, 4.0, None, None, None),
        (120, "price_mismatch", "BAK0002", "bakery", 1.5, 6.0, "paper", 290, 250),
        (120, "out_of_stock", "BAK0002", "bakery", 1.5, 6.0, None, None, None),
        (300, "price_fixed", "BAK0002", "bakery", 1.5, 6.0, "paper", 250, 250),
    ],
    columns=["t_s", "event", "sku", "zone", "x", "y", "labels", "shown_cents", "price_cents"],
)


def jpeg(width=64, height=48) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((height, width, 3), 128, np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_shelf_events_pair_into_spells_that_stay_open_at_the_end():
    spells = data.shelf_spells(EVENTS)
    oos = spells[spells["kind"] == "out_of_stock"].set_index(["sku", "start_s"])["end_s"]
    assert oos.to_dict() == {
        ("DAI0001", 60): 600,
        ("BAK0002", 120): np.inf,
        ("DAI0001", 900): np.inf,
    }
    wrong = spells[spells["kind"] == "price_mismatch"].iloc[0]
    assert (wrong["start_s"], wrong["end_s"], wrong["shown_cents"]) == (120, 300, 290)
    assert data.shelf_spells(pd.DataFrame()).empty


def test_marks_at_a_moment_are_the_spells_that_cover_it():
    floor = data.Floor("x", pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), None)
    floor = data.Floor("x", floor.tracks, floor.queues, floor.plan, None, data.shelf_spells(EVENTS))
    at = {t: {k: sorted(v["sku"]) for k, v in floor.marks(t).items()} for t in (0, 200, 700, 950)}
    assert at[0] == {"out_of_stock": [], "price_mismatch": []}
    assert at[200] == {"out_of_stock": ["BAK0002", "DAI0001"], "price_mismatch": ["BAK0002"]}
    assert at[700] == {"out_of_stock": ["BAK0002"], "price_mismatch": []}
    assert at[950]["out_of_stock"] == ["BAK0002", "DAI0001"]


def plan():
    return pd.DataFrame(
        {
            "kind": ["floor"],
            "name": ["floor"],
            "x": [0.0],
            "y": [0.0],
            "width": [10.0],
            "depth": [8.0],
        }
    )


def test_the_floor_map_draws_each_mark_kind_after_the_walkers():
    here = pd.DataFrame({"t_s": [0], "id": [1], "kind": ["shopper"], "x": [1.0], "y": [1.0]})
    marks = data.Floor("x", here, pd.DataFrame(), plan(), None, data.shelf_spells(EVENTS)).marks(
        200
    )
    fig = ffig.floor_map(plan(), here, set(), 200, marks)
    names = [t.name for t in fig.data]
    assert names[4:] == ["out of stock (2)", "wrong price label (1)"]
    label = fig.data[5]
    assert list(label.x) == [1.5 + ffig.MARKS["price_mismatch"][3]] and list(label.y) == [6.0]
    assert "paper label shows 2.90, till charges 2.50" in label.text[0]
    bare = ffig.floor_map(plan(), here, set(), 0)
    assert [t.name for t in bare.data[4:]] == ["out of stock (0)", "wrong price label (0)"]


def test_a_camera_frame_shows_the_truth_beside_the_model():
    truth = [[1.0, 2.0, 11.0, 22.0], [30.0, 5.0, 40.0, 25.0]]
    predicted = [[2.0, 3.0, 12.0, 21.0, 0.9]]
    fig = ffig.camera_frame(jpeg(), 64, 48, truth, predicted, "q1 at noon")
    images = [t for t in fig.data if t.type == "image"]
    boxes = [t for t in fig.data if t.type == "scatter"]
    assert len(images) == 2 and images[0].source.startswith("data:image/jpeg;base64,")
    assert [b.name for b in boxes] == ["truth boxes (2)", "model boxes (1)"]
    assert list(boxes[0].x[:6]) == [1.0, 11.0, 11.0, 1.0, 1.0, None]
    assert list(boxes[1].y[:5]) == [3.0, 3.0, 21.0, 21.0, 3.0]
    assert boxes[0].xaxis == "x" and boxes[1].xaxis == "x2"
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["truth: 2 people", "model: 1 found"]
    assert list(fig.layout.yaxis.range) == [48, 0]


def frames_table(n=2, truth="[[1, 2, 11, 22]]"):
    return pd.DataFrame(
        {
            "camera": ["q1"] * n,
            "view": [0] * n,
            "t_s": [36000.0 + 3600 * i for i in range(n)],
            "model": ["blazepose"] * n,
            "width": [64] * n,
            "height": [48] * n,
            "jpeg": [jpeg()] * n,
            "truth": [truth] * n,
            "predicted": ["[]"] * n,
        }
    )


def test_a_camera_frame_with_unreadable_boxes_is_a_problem():
    f = data.camera_frame(frames_table(), 1)
    assert (f.camera, f.t_s, f.truth, f.predicted) == ("q1", 39600.0, [[1, 2, 11, 22]], [])
    with pytest.raises(data.Problem, match="boxes cannot be read"):
        data.camera_frame(frames_table(truth="[[1, 2"), 0)
    with pytest.raises(data.Problem, match="no camera frame number 5"):
        data.camera_frame(frames_table(), 5)


@pytest.fixture(scope="module")
def app(dash_app):
    return dash_app


@pytest.mark.parametrize("cameras", [True, False])
def test_the_floor_page_has_marks_and_the_cameras_frames(app, tmp_path, cameras):
    store = tmp_path / "store"
    write_trace(store, heat=False)
    EVENTS.to_parquet(store / "shelf_events.parquet")
    times = list(range(0, 1001, 5))  # the replay's clock runs as far as the tracks go
    walker = {"id": 1, "kind": "shopper", "x": 1.0, "y": 1.0}
    pd.DataFrame([{"t_s": t, **walker} for t in times]).to_parquet(store / "tracks.parquet")
    if cameras:
        frames_table().to_parquet(store / "frames.parquet")
    page = json.loads(render(app, Source(tmp_path), "floor", run="store", t="200"))
    names = [t["name"] for t in find(page, "floor-map")["props"]["figure"]["data"]]
    assert names[4:] == ["out of stock (2)", "wrong price label (1)"]
    assert (find(page, "camera-frame") is not None) == cameras
    assert (find(page, "camera-none") is not None) == (not cameras)
    if cameras:
        options = find(page, "camera-pick")["props"]["options"]
        assert [o["label"] for o in options] == [
            "q1 view 1 at day 0 10:00",
            "q1 view 1 at day 0 11:00",
        ]


def test_a_broken_shelf_events_file_is_a_message(app, tmp_path):
    store = tmp_path / "store"
    write_trace(store, heat=False)
    (store / "shelf_events.parquet").write_bytes(b"PAR1 half")
    page = render(app, Source(tmp_path), "floor", run="store")
    assert "shelf_events.parquet cannot be read" in page and "half-written" in page


def test_zone_names_break_into_lines_that_fit_their_zone():
    """On one line "Cold drinks and dairy" ran into its neighbour's name (3 m of a 14 m floor)."""
    assert ffig.zone_label("Cold drinks and dairy", 3 / 14) == "Cold drinks<br>and dairy"
    assert ffig.zone_label("Snacks and sweets", 3 / 14) == "Snacks and<br>sweets"
    assert ffig.zone_label("Meals to go", 3 / 14) == "Meals to go"
    assert ffig.zone_label("Fresh produce and bakery", 20 / 40) == "Fresh produce and bakery"
    names = ["Meals to go", "Cold drinks and dairy", "Snacks and sweets", "Essentials"]
    zones = pd.DataFrame(
        {"kind": "zone", "name": names, "x": [1.0, 4.0, 7.0, 10.0], "y": 4.0, "width": 3.0}
    ).assign(depth=5.0)
    store = pd.concat([plan().assign(width=14.0, depth=11.0), zones], ignore_index=True)
    here = pd.DataFrame({"t_s": [0], "id": [1], "kind": ["shopper"], "x": [1.0], "y": [1.0]})
    texts = [a.text for a in ffig.floor_map(store, here, set(), 0).layout.annotations]
    assert texts == [
        "Meals to go",
        "Cold drinks<br>and dairy",
        "Snacks and<br>sweets",
        "Essentials",
    ]
