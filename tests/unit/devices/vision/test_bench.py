"""The benchmark's own arithmetic, without running anything."""

import pytest

from devices.vision.bench import benchmark_app_figures


def _runs(det: float | None, rec: float | None) -> list[dict]:
    return [
        {"file": "det.onnx", "shape": [1, 3, 544, 960], "items_per_frame": 1.0, "fps": det},
        {"file": "rec.onnx", "shape": [19, 3, 48, 320], "items_per_frame": 19.0, "fps": rec},
    ]


def test_benchmark_app_is_the_mean_of_the_runs_before_and_after_the_pipeline():
    figures = benchmark_app_figures(_runs(20.0, 120.0), _runs(24.0, 140.0))
    det, rec = figures["benchmark_app"]
    assert (det["fps"], det["fps_before"], det["fps_after"]) == (22.0, 20.0, 24.0)
    assert rec["fps"] == 130.0
    assert figures["benchmark_app_fps"] == 22.0
    assert figures["benchmark_app_frame_fps"] == pytest.approx(1 / (1 / 22 + 19 / 130), abs=0.01)


def test_a_benchmark_app_run_that_failed_leaves_the_frame_rate_unknown():
    figures = benchmark_app_figures(_runs(20.0, 120.0), _runs(24.0, None))
    assert figures["benchmark_app"][1]["fps"] is None
    assert figures["benchmark_app_frame_fps"] is None
