"""The real models on rendered frames whose truth is known."""

import numpy as np
import openvino as ov
import pytest

from devices.vision.adapters import AdapterSpec, adapter
from devices.vision.bench_sets import oblique_samples, shelf_samples
from devices.vision.bench_tasks import score_people
from devices.vision.models.base import ModelError
from devices.vision.models.detectors import NMS_BLOCK, nms, ssd_anchors, tile_origins
from devices.vision.models.ocr import parse_price, read_tags
from devices.vision.registry import load, load_file
from devices.vision.shelf import TagSpec, shelf_frame

BLAZEPOSE = "devices/vision/assets/blazepose/pose_detection.tflite"


@pytest.fixture(scope="module")
def people():
    return load("blazepose", (640, 480))


@pytest.fixture(scope="module")
def reader():
    return load("ppocr", (960, 544))


def test_a_rendered_tag_is_read_correctly(reader):
    tags = [
        TagSpec(0, "Fresh Milk 1L", "DAI0001", 1290, 1290),
        TagSpec(1, "Rye Bread 400g", "BAK0007", 805, 805),
        TagSpec(2, "Salmon Fillet 200g", "SEA0003", 4590, 4990),
    ]
    frame = shelf_frame(tags)
    readings = read_tags(reader(frame.image), list(frame.tags))
    assert [r.sku for r in readings] == [0, 1, 2]
    assert [r.price_cents for r in readings] == [1290, 805, 4590]
    assert readings[0].text.startswith("Fresh Milk 1L")


def test_shelf_frames_are_read_at_the_exact_price(reader):
    frames = list(shelf_samples(4, seed=3))
    shown = [t.shown_cents for s in frames for t in s.frame.tags]
    read = [
        r.price_cents for s in frames for r in read_tags(reader(s.frame.image), list(s.frame.tags))
    ]
    exact = np.mean([a == b for a, b in zip(shown, read, strict=True)])
    assert exact >= 0.9


def test_a_rendered_queue_of_known_size_is_counted_within_tolerance(people):
    frames = list(oblique_samples(12, seed=0))
    result = score_people(frames, [people(s.frame.image) for s in frames])
    assert result["count_mae"] <= 0.75
    assert result["recall"] >= 0.75 and result["precision"] >= 0.85
    # an empty lane's queue area may hold a browsing shopper, so "0" may have a recall too
    assert set(result["recall_by_count"]) >= {"1", "2", "3", "4", "5", "6"}


def test_stream_gives_the_same_detections_as_sync_calls(people):
    frames = [s.frame.image for s in oblique_samples(3, seed=5)]
    sync = [people(f) for f in frames]
    streamed = people.stream(iter(frames))
    for a, b in zip(sync, streamed, strict=True):
        np.testing.assert_allclose(a.boxes, b.boxes, atol=1e-3)


def test_a_one_request_frame_runs_sync_on_a_latency_compiled_copy_with_the_same_result():
    from devices.vision.bench_sets import top_samples

    ceiling = load("topdown", (320, 320))
    frames = [s.frame.image for s in top_samples(4, seed=3)]
    sync = [ceiling(f) for f in frames]
    hint = ceiling._request.get_compiled_model().get_property("PERFORMANCE_HINT")
    assert str(hint).endswith("LATENCY")
    assert str(ceiling.compiled.get_property("PERFORMANCE_HINT")).endswith("THROUGHPUT")
    streamed = ceiling.stream(iter(frames))
    assert sum(len(d) for d in sync) > 0
    for a, b in zip(sync, streamed, strict=True):
        np.testing.assert_allclose(a.points, b.points, atol=1e-3)


def test_the_reader_streams_the_same_lines_as_sync_calls(reader):
    frames = [s.frame.image for s in shelf_samples(3, seed=6)]
    sync = [[line.text for line in reader(f)] for f in frames]
    streamed = [[line.text for line in lines] for lines in reader.stream(iter(frames))]
    assert streamed == sync and all(sync)


def test_the_reader_reads_one_frame_on_latency_compiled_copies_of_both_networks(reader):
    reader(next(shelf_samples(1, seed=2)).frame.image)
    for request in (reader._request, reader._rec_request):
        hint = request.get_compiled_model().get_property("PERFORMANCE_HINT")
        assert str(hint).endswith("LATENCY")
    assert str(reader.rec.get_property("PERFORMANCE_HINT")).endswith("THROUGHPUT")


def test_the_recogniser_hands_back_only_the_best_character_per_step(reader):
    shapes = [o.partial_shape for o in reader.rec.outputs]
    assert len(shapes) == 2 and all(str(s[-1]) == "1" for s in shapes)


def test_blazepose_anchors_match_its_outputs():
    assert len(ssd_anchors(224, (8, 16, 32, 32, 32), 2)) == 2254


def test_nms_keeps_the_best_of_overlapping_and_nested_boxes_best_first():
    boxes = np.array(
        [
            [0.0, 0.0, 10.0, 10.0],  # overlaps the next one by IoU 0.68: dropped
            [1.0, 1.0, 11.0, 11.0],  # the better of the pair
            [30.0, 30.0, 40.0, 40.0],  # holds the top box (IoU 0.04): dropped as nested
            [31.0, 31.0, 33.0, 33.0],  # the top score
            [50.0, 50.0, 60.0, 60.0],  # apart, weakest: kept last
        ]
    )
    scores = np.array([0.8, 0.9, 0.7, 0.95, 0.1])
    assert nms(boxes, scores, iou=0.3).tolist() == [3, 1, 4]
    assert nms(boxes, scores, iou=0.3, nested=1.0).tolist() == [3, 1, 2, 4]
    assert nms(np.zeros((0, 4)), np.zeros(0), iou=0.3).tolist() == []


def test_nms_over_several_blocks_is_box_by_box_greedy_suppression():
    rng = np.random.default_rng(3)
    corner = rng.uniform(0, 200, (3 * NMS_BLOCK, 2))
    boxes = np.concatenate([corner, corner + rng.uniform(2, 30, corner.shape)], axis=1)
    scores = rng.random(len(boxes)).round(2)  # with ties

    def overlaps(a, b):
        w = max(min(a[2], b[2]) - max(a[0], b[0]), 0.0)
        h = max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)
        areas = [(x[2] - x[0]) * (x[3] - x[1]) for x in (a, b)]
        return w * h / (sum(areas) - w * h), w * h / min(areas)

    kept: list[int] = []
    for i in np.argsort(-scores):
        if all(
            iou <= 0.3 and inside <= 0.6
            for iou, inside in (overlaps(boxes[k], boxes[i]) for k in kept)
        ):
            kept.append(int(i))
    assert nms(boxes, scores, iou=0.3).tolist() == kept


def test_tiles_cover_the_frame_and_overlap():
    side, origins = tile_origins(640, 480, (6, 4), 200)
    assert side == 200 and len(origins) == 24
    assert max(x for x, _ in origins) + side == 640 and max(y for _, y in origins) + side == 480
    with pytest.raises(ModelError, match="do not cover"):
        tile_origins(640, 480, (2, 2), 100)


def test_prices_are_parsed_from_tag_text():
    assert parse_price("12.90") == 1290
    assert parse_price("Price 3,05") == 305
    assert parse_price("DAI0012") is None


def test_a_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_file(tmp_path / "nope.xml", "people", (640, 480))
    with pytest.raises(ModelError, match="expected one of"):
        load_file(tmp_path / "model.pt", "people", (640, 480))


def test_a_wrong_adapter_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="unknown adapter"):
        adapter("faces")
    bad = tmp_path / "a.yaml"
    bad.write_text("task: people\ndecoder: ppocr_rec\n")
    with pytest.raises(ModelError, match="does not fit task"):
        adapter(str(bad))
    typo = tmp_path / "b.yaml"
    typo.write_text("task: people\nthreshhold: 0.3\n")
    with pytest.raises(ModelError, match="threshhold"):
        adapter(str(typo))
    with pytest.raises(ModelError, match="anchors"):
        AdapterSpec(task="people", strides=(8, 16)).build(BLAZEPOSE, (640, 480))


def test_a_yaml_adapter_loads_a_model_of_ones_own(tmp_path):
    spec = tmp_path / "mine.yaml"
    spec.write_text("task: people\ngrid: [3, 3]\ntile: 240\nthreshold: 0.6\n")
    model, view = load_file(BLAZEPOSE, str(spec), (640, 480))
    assert view == "oblique" and model.threshold == 0.6 and len(model.origins) == 9


def test_a_frame_of_another_size_is_refused(people):
    with pytest.raises(ModelError, match="compiled for"):
        people(np.zeros((100, 100, 3), dtype=np.uint8))


def test_the_people_sweep_scores_every_setting_and_a_lower_threshold_finds_more():
    from devices.vision.training.tune_people import OVERLAPS, THRESHOLDS, sweep

    rows = sweep("blazepose", seed=3, frames=6)
    assert len(rows) == len(THRESHOLDS) * len(OVERLAPS)
    assert [r["count_mae"] for r in rows] == sorted(r["count_mae"] for r in rows)
    recall = {(r["threshold"], r["iou"]): r["recall"] for r in rows}
    assert recall[(min(THRESHOLDS), 0.3)] >= recall[(max(THRESHOLDS), 0.3)]


def test_the_shipped_blazepose_uses_its_tuned_threshold_and_overlap(people):
    assert (people.threshold, people.iou) == (0.45, 0.2)
    assert AdapterSpec(task="people", iou=0.4).build(BLAZEPOSE, (640, 480)).iou == 0.4


def test_models_run_in_f32_on_any_cpu(people, reader):
    """OpenVINO's CPU plugin drops to bf16 on processors that have it (AVX-512 BF16,
    AMX); there the queue test above counted another recall (0.742) than elsewhere."""
    for compiled in (people.compiled, reader.rec):
        assert compiled.get_property("INFERENCE_PRECISION_HINT") == ov.Type.f32
