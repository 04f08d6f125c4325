"""Decoders of one's own models: OpenVINO DetectionOutput, YOLO box tables, non-square inputs.

Each model is a real OpenVINO graph built here with the opset API: its output
has the decoder's layout, its boxes are constants and its scores scale with the
brightest input pixel, so a white frame shows the boxes and a black one none.
Models go through the path the bench takes (``registry.describe`` with a YAML
adapter, then ``Entry.build``), and the boxes come back in frame pixels.
"""

import json

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
import yaml
from typer.testing import CliRunner

from devices.vision.adapters import adapter
from devices.vision.models.base import ModelError
from devices.vision.models.detectors import LETTERBOX_FILL, letterbox
from devices.vision.registry import describe
from twin.cli import app

FRAME = (640, 480)
WHITE = np.full((480, 640, 3), 255, np.uint8)
BLACK = np.zeros((480, 640, 3), np.uint8)


def _graph(path, net_wh, table, score_mask, extra_outputs=(), name="detections"):
    """A model writing ``table`` with the entries in ``score_mask`` scaled by the input's max.

    The input is NCHW float of ``net_wh``; pixels arrive scaled to 0..1.
    """
    w, h = net_wh
    image = ops.parameter([1, 3, h, w], ov.Type.f32, name="image")
    bright = ops.reduce_max(image, ops.constant(np.array([0, 1, 2, 3])), keep_dims=False)
    table = np.asarray(table, np.float32)
    mask = np.asarray(score_mask, np.float32)
    # entries outside the mask stay as they are; inside, they are multiplied by the brightness
    out = ops.add(
        ops.constant(table * (1 - mask)), ops.multiply(ops.constant(table * mask), bright)
    )
    out.output(0).get_tensor().set_names({name})
    results = [ops.result(out)]
    for other, shape in extra_outputs:
        decoy = ops.add(ops.constant(np.zeros(shape, np.float32)), bright)
        decoy.output(0).get_tensor().set_names({other})
        results.append(ops.result(decoy))
    ov.save_model(ov.Model(results, [image], "tiny"), str(path))
    return path


def _entry(tmp_path, model, **fields):
    spec = {"task": "people", "layout": "NCHW", "mean": 0.0, "scale": 255.0, **fields}
    yml = tmp_path / "adapter.yaml"
    yml.write_text(yaml.safe_dump(spec))
    return describe(model, str(yml))


def _boxes(model, image=WHITE):
    det = model(image)
    order = np.lexsort((det.boxes[:, 1], det.boxes[:, 0]))
    return det.boxes[order], det.scores[order], det.points[order]


# rows: image_id, label, confidence, x_min, y_min, x_max, y_max (0..1 of the input)
ROWS = [
    [0, 1, 0.9, 0.25, 0.25, 0.5, 0.75],  # a person
    [0, 2, 0.95, 0.6, 0.1, 0.9, 0.4],  # label 2: not a person
    [0, 1, 0.3, 0.1, 0.1, 0.2, 0.2],  # under the threshold
    [-1, 1, 0.99, 0.0, 0.0, 1.0, 1.0],  # after the last detection
]
SCORE = np.zeros((4, 7))
SCORE[:, 2] = 1


@pytest.fixture
def ssd_out(tmp_path):
    return _graph(tmp_path / "det.xml", (320, 320), np.array(ROWS)[None, None], SCORE[None, None])


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # 640x480 into 320x320 kept in shape: 80 px of grey above and below
        ({"fit": "letterbox"}, [[160, 80, 320, 400]]),
        ({"fit": "stretch"}, [[160, 120, 320, 360]]),
        # two cells of 320x480, each stretched: the box once in each
        ({"fit": "stretch", "grid": [2, 1]}, [[80, 120, 160, 360], [400, 120, 480, 360]]),
    ],
    ids=["letterbox", "stretch", "two cells"],
)
def test_openvino_detection_output_boxes_come_back_in_frame_pixels(
    ssd_out, tmp_path, fields, expected
):
    fields = {"grid": [1, 1], **fields}
    entry = _entry(tmp_path, ssd_out, decoder="ov_detection", classes=[1], **fields)
    model = entry.build(FRAME)
    boxes, scores, points = _boxes(model)
    np.testing.assert_allclose(boxes, expected, atol=1.0)
    np.testing.assert_allclose(scores, 0.9, atol=2e-3)  # the CPU may infer in half precision
    np.testing.assert_allclose(
        points, [[(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] for b in expected], atol=1
    )
    assert len(model(BLACK)) == 0  # a black frame (and grey padding) scores 0.9 x 0.45 < 0.5


def test_all_labels_are_people_unless_the_adapter_says_which(ssd_out, tmp_path):
    model = _entry(tmp_path, ssd_out, decoder="ov_detection", grid=[1, 1], fit="stretch").build(
        FRAME
    )
    assert len(model(WHITE)) == 2


def test_whole_body_boxes_put_the_head_near_the_top(ssd_out, tmp_path):
    entry = _entry(
        tmp_path,
        ssd_out,
        decoder="ov_detection",
        classes=[1],
        grid=[1, 1],
        fit="stretch",
        head="top",
    )
    _, _, points = _boxes(entry.build(FRAME))
    np.testing.assert_allclose(points, [[240, 120 + 0.1 * 240]], atol=1)


def _padded(rows, n=64):
    """A box table of ``n`` boxes, the rest all zeros (a real table has thousands)."""
    table = np.zeros((n, len(rows[0])))
    table[: len(rows)] = rows
    return table


# YOLOv8-style: (1, 4 + C, N), centre x, centre y, width, height in input pixels, C = 2
NET = (320, 192)
V8 = _padded(
    [
        [80, 96, 32, 96, 0.8, 0.1],  # class 0 (a person): cx, cy, w, h, scores
        [240, 48, 64, 64, 0.2, 0.9],  # class 1
        [160, 96, 20, 20, 0.3, 0.2],  # too low
    ]
)


@pytest.fixture
def yolo_v8(tmp_path):
    mask = np.zeros_like(V8)
    mask[:, 4:] = 1
    return _graph(tmp_path / "v8.xml", NET, V8.T[None], mask.T[None])


@pytest.mark.parametrize(
    ("fit", "expected"),
    [
        # (0.2, 0.25, 0.3, 0.75) of the input, stretched over 640x480
        ("stretch", [128, 120, 192, 360]),
        # 640x480 kept in shape in a 320x192 input: 800x480 with 80 px either side
        ("letterbox", [80, 120, 160, 360]),
    ],
)
def test_a_yolo_v8_table_on_a_non_square_input(yolo_v8, tmp_path, fit, expected):
    entry = _entry(tmp_path, yolo_v8, decoder="yolo", classes=[0], grid=[1, 1], fit=fit)
    model = entry.build(FRAME)
    assert model.channels_first and not model.objectness and model.n_classes == 2
    boxes, scores, _ = _boxes(model)
    np.testing.assert_allclose(boxes, [expected], atol=1.0)
    np.testing.assert_allclose(scores, [0.8], atol=2e-3)  # the CPU may infer in half precision
    assert len(model(BLACK)) == 0


def test_a_square_fit_refuses_a_non_square_input_and_says_what_to_use(yolo_v8, tmp_path):
    entry = _entry(tmp_path, yolo_v8, decoder="yolo", grid=[1, 1], tile=None)
    with pytest.raises(ModelError, match="fit: stretch or fit: letterbox"):
        entry.build(FRAME)


# YOLOv5-style: (1, N, 5 + C) with an object score, coordinates 0..1; a second 3-D output
V5 = _padded(
    [
        [0.5, 0.5, 0.25, 0.5, 0.9, 0.9, 0.1],  # person: 0.9 x 0.9
        [0.5, 0.5, 0.25, 0.5, 0.4, 0.9, 0.1],  # same place, lower object score: suppressed
        [0.1, 0.1, 0.1, 0.1, 0.3, 0.95, 0.0],  # object score too low
    ]
)


@pytest.fixture
def yolo_v5(tmp_path):
    mask = np.zeros_like(V5)
    mask[:, 4] = 1
    decoy = [("proto", (1, 32, 40))]
    return _graph(tmp_path / "v5.xml", (320, 320), V5[None], mask[None], decoy, name="preds")


def test_outputs_are_named_by_name(yolo_v5, tmp_path):
    fields = {"decoder": "yolo", "grid": [1, 1], "fit": "letterbox", "normalized": True}
    with pytest.raises(ModelError, match=r"name it in the adapter.*preds"):
        _entry(tmp_path, yolo_v5, **fields).build(FRAME)
    with pytest.raises(ModelError, match="no output named 'pred'"):
        _entry(tmp_path, yolo_v5, outputs={"detections": "pred"}, **fields).build(FRAME)
    model = _entry(tmp_path, yolo_v5, outputs={"detections": "preds"}, classes=[0], **fields).build(
        FRAME
    )
    assert model.objectness and not model.channels_first
    boxes, scores, _ = _boxes(model)
    # (0.375, 0.25, 0.625, 0.75) of a 640x640 canvas, 80 px of it above the frame
    np.testing.assert_allclose(boxes, [[240, 80, 400, 400]], atol=1.0)
    np.testing.assert_allclose(scores, [0.81], atol=2e-3)  # the CPU may infer in half precision


def test_bad_adapter_fields_are_refused_by_name(tmp_path):
    bad = [
        ({"decoder": "yolo", "fit": "stretch", "tile": 200}, "tile is for fit: square"),
        ({"decoder": "yolo", "outputs": {"boxes": "x"}}, "decoder 'yolo' reads"),
        ({"decoder": "ssd", "outputs": {"scores": "s", "heat": "h"}}, r"outputs \['heat'\]"),
    ]
    for fields, says in bad:
        yml = tmp_path / "a.yaml"
        yml.write_text(yaml.safe_dump({"task": "people", **fields}))
        with pytest.raises(ModelError, match=says):
            adapter(str(yml))


def test_a_letterboxed_tile_sits_in_the_middle_of_grey(yolo_v8, tmp_path):
    assert letterbox((640, 480), (320, 192)) == (800, 480, 80, 0)
    model = _entry(tmp_path, yolo_v8, decoder="yolo", grid=[1, 1], fit="letterbox").build(FRAME)
    (tile,), _ = model.preprocess(WHITE)
    assert tile.shape == (1, 480, 800, 3)
    assert (tile[0, :, :80] == LETTERBOX_FILL).all() and (tile[0, :, 720:] == LETTERBOX_FILL).all()
    assert (tile[0, :, 80:720] == 255).all()


def test_bench_models_runs_a_yolo_model_with_its_adapter(yolo_v8, tmp_path):
    yml = tmp_path / "yolo.yaml"
    spec = {"task": "people", "decoder": "yolo", "layout": "NCHW", "mean": 0.0, "scale": 255.0}
    yml.write_text(yaml.safe_dump({**spec, "grid": [1, 1], "fit": "letterbox", "classes": [0]}))
    out = tmp_path / "b"
    args = ["bench", "models", "--model", str(yolo_v8), "--adapter", str(yml), "--frames", "2"]
    result = CliRunner().invoke(app, [*args, "--benchmark-app-s", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (model,) = json.loads((out / "bench.json").read_text())["models"]
    assert model["name"] == "v8" and model["requests_per_frame"] == 1
