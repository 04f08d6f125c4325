"""The bench page's error figures, from predictions rows made by hand."""

import base64
import io
import math

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from devices.vision.report import error_section
from devices.vision.report_errors import (
    error_examples,
    error_frames,
    examples_html,
    pr_curve,
    pr_figure,
    sweep_figure,
    threshold_sweep,
    thumbnail,
)

HEAD_A, HEAD_B = [10, 10, 20, 20], [50, 10, 60, 20]


def _rows() -> pd.DataFrame:
    """Frame 0: one found, one missed, one false; frame 1: one found twice; frame 2: empty."""
    return pd.DataFrame(
        {
            "model": "m",
            "frame": [0, 1, 2],
            "cond_crowd": ["2", "1", "0"],
            "truth_count": [2, 1, 0],
            "truth_boxes": [[[8, 8, 22, 60], [48, 8, 62, 60]], [[8, 8, 22, 60]], []],
            "truth_heads": [[HEAD_A, HEAD_B], [HEAD_A], []],
            "pred_boxes": [
                [[9, 9, 21, 50], [80, 80, 180, 180]],
                [[9, 9, 21, 50], [9, 9, 22, 52]],
                [],
            ],
            "pred_points": [[[15, 15], [100, 100]], [[16, 16], [15, 15]], []],
            "pred_scores": [[0.9, 0.6], [0.8, 0.5], []],
            "pred_counted": [[True, True], [False, True], []],
        }
    )


def test_the_pr_curve_takes_the_detections_best_first():
    curve = pr_curve(_rows())
    assert curve["score"].tolist() == [0.9, 0.8, 0.6, 0.5]
    # as the bench scores frames: frame 1's second detection is its count's only one and
    # the person it counts was found (by the 0.8 outside the queue area), so it is no extra
    assert curve["precision"].tolist() == pytest.approx([1, 1, 2 / 3, 2 / 3])
    assert curve["recall"].tolist() == pytest.approx([1 / 3, 2 / 3, 2 / 3, 2 / 3])


def test_the_sweep_gives_precision_recall_and_count_error_per_threshold():
    sweep = threshold_sweep(_rows(), [0.5, 0.7, 0.95]).set_index("threshold")
    assert sweep.loc[0.5, ["precision", "recall", "count_mae"]].tolist() == pytest.approx(
        [2 / 3, 2 / 3, 0.0]
    )
    # the 0.8 detection is outside the queue area: it finds a person but is not counted
    assert sweep.loc[0.7, ["precision", "recall", "count_mae"]].tolist() == pytest.approx(
        [1.0, 2 / 3, 2 / 3]
    )
    assert math.isnan(sweep.loc[0.95, "precision"]) and sweep.loc[0.95, "count_mae"] == 1.0
    default = threshold_sweep(_rows())
    assert default["threshold"].iloc[0] == 0.5 and default["threshold"].max() < 0.9


def test_the_figures_start_their_count_axis_at_zero_and_name_the_model():
    sweep = sweep_figure("m", threshold_sweep(_rows()))
    assert sweep.layout.yaxis2.rangemode == "tozero"
    assert {t.name for t in sweep.data} == {"precision", "recall", "count MAE"}
    pr = pr_figure("m", pr_curve(_rows()))
    assert "m: precision-recall" in pr.layout.title.text and "0.50" in pr.layout.title.text


def test_the_worst_frames_are_picked_by_misses_and_by_false_positives():
    assert error_frames(_rows(), k=3) == [("miss", 0), ("false positive", 0)]
    assert error_frames(_rows(), k=1) == [("miss", 0), ("false positive", 0)]


def _decoded(uri: str) -> Image.Image:
    assert uri.startswith("data:image/jpeg;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")


def test_a_thumbnail_draws_the_false_positive_red_and_the_miss_yellow():
    row = _rows().iloc[0]
    image = np.full((200, 200, 3), 128, np.uint8)
    args = [
        row[k] for k in ("truth_boxes", "truth_heads", "pred_boxes", "pred_points", "pred_scores")
    ]
    picture = np.asarray(_decoded(thumbnail(image, *args, width=240))).astype(int)
    assert picture.shape == (240, 240, 3)
    left_of_false = picture[150:160, 94:99]  # the false box's left edge, x = 80 * 1.2
    assert (left_of_false[..., 0] - left_of_false[..., 1] > 80).any()
    missed = picture[40:50, 56:60]  # the missed person's left edge, x = 48 * 1.2
    assert ((missed[..., 0] > 180) & (missed[..., 1] > 150) & (missed[..., 2] < 100)).any()


def test_examples_carry_their_counts_and_an_embedded_image():
    images = [np.full((200, 200, 3), 100, np.uint8)] * 3
    examples = error_examples(_rows(), images, k=1)
    assert [(e["kind"], e["frame"], e["misses"], e["false_positives"]) for e in examples] == [
        ("miss", 0, 1, 1),
        ("false positive", 0, 1, 1),
    ]
    assert examples[0]["condition"] == {"crowd": "2"}
    page = examples_html("m", examples)
    assert page.count("<img src='data:image/jpeg;base64,") == 2 and "1 missed" in page
    assert "no frame with a miss" in examples_html("m", [])


def test_the_error_section_draws_both_figures_from_the_predictions():
    page = error_section("m", _rows(), {"m": []})
    assert page.count("plotly-graph-div") == 2 and "no frame with a miss" in page
    old = error_section("m", _rows().drop(columns="pred_counted"), None)  # a file from before
    assert "plotly-graph-div" not in old


def test_only_the_people_a_frame_counts_are_scored():
    rows = _rows()
    rows["truth_counted"] = [[True, False], [True], []]  # frame 0's missed person is off the lane
    sweep = threshold_sweep(rows, [0.5]).iloc[0]
    assert (sweep["recall"], sweep["precision"]) == (1.0, pytest.approx(2 / 3))
    assert error_frames(rows, k=3) == [("false positive", 0)]


def test_a_model_that_found_nobody_still_gets_its_figures():
    rows = _rows()
    for column in ("pred_boxes", "pred_points", "pred_scores", "pred_counted"):
        rows[column] = [[], [], []]
    assert pr_curve(rows).empty
    sweep = threshold_sweep(rows, [0.5])
    assert sweep["recall"].iloc[0] == 0 and sweep["count_mae"].iloc[0] == 1.0
    assert error_frames(rows) == [("miss", 0), ("miss", 1)]
    assert error_section("m", rows, None).count("plotly-graph-div") == 2
