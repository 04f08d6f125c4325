"""The benchmark's own arithmetic, without running anything."""

import subprocess
from pathlib import Path

import pytest

from devices.vision import bench
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


def test_benchmark_app_runs_that_disagree_by_more_than_a_fifth_are_flagged():
    steady = benchmark_app_figures(_runs(20.0, 120.0), _runs(22.0, 130.0))
    assert steady["benchmark_app_unreliable"] is False
    drifted = benchmark_app_figures(_runs(20.0, 120.0), _runs(20.0, 160.0))
    assert drifted["benchmark_app_unreliable"] is True
    assert drifted["benchmark_app_spread"] == pytest.approx(40 / 140, abs=1e-3)


def test_each_bucket_carries_its_sample_size_a_ci_and_a_too_few_flag():
    from devices.vision.bench import finish

    one = finish({"hit": 1, "miss": 0, "extra": 0, "frames": 1, "abs_err": 0, "exact": 1})
    assert one["recall"] == 1.0 and one["people"] == 1 and one["too_few"] is True
    low, high = one["recall_ci"]
    assert low < 0.25 and high == 1.0  # one person found says little: the CI shows it
    many = finish(
        {
            "hit": 90,
            "miss": 10,
            "extra": 5,
            "frames": 40,
            "abs_err": 20,
            "abs_err_sq": 30,
            "exact": 25,
        }
    )
    assert many["too_few"] is False and many["frames"] == 40
    assert many["recall_ci"][0] < 0.9 < many["recall_ci"][1]
    assert many["count_mae_ci"][0] < 0.5 < many["count_mae_ci"][1]


def test_condition_figures_show_n_flag_small_buckets_and_start_count_mae_at_zero():
    from devices.vision.bench import finish
    from devices.vision.report import condition_figure

    tally = {"hit": 1, "miss": 0, "extra": 0, "frames": 1, "abs_err": 0, "exact": 1}
    big = {
        "hit": 60,
        "miss": 6,
        "extra": 3,
        "frames": 40,
        "abs_err": 8,
        "abs_err_sq": 10,
        "exact": 32,
    }
    model = {
        "name": "m",
        "task": "people",
        "by_condition": {"occlusion": {"occluded": finish(tally), "visible": finish(big)}},
    }
    fig = condition_figure(model, "occlusion")
    labels = list(fig.data[0].x)
    assert labels[0] == "occluded (n=1 people, too few)" and "n=66 people" in labels[1]
    assert fig.data[0].error_y.array is not None
    assert fig.layout.yaxis2.rangemode == "tozero"


def test_the_printed_table_keeps_names_and_numbers_whole_in_a_narrow_pipe():
    import io

    from rich.console import Console

    from devices.vision.bench import SUMMARY
    from twin.commands.models import models_table

    names = ["blazepose", "topdown", "ppocr", "pose_detection"]  # the built-ins and one's own
    row = {c: 1234.56 for c in SUMMARY} | {"task": "people"}
    rows = [row | {"name": name} for name in names]
    buf = io.StringIO()
    Console(file=buf, width=80, color_system=None).print(models_table({"models": rows}, "t"))
    text = buf.getvalue()
    assert all(name in text for name in names)
    assert "benchmark_app_frame_fps" in text and text.count("1234.56") == 4 * (len(SUMMARY) - 2)
    assert "…" not in text


def test_benchmark_app_runs_the_cpu_in_f32_as_the_pipeline_does(monkeypatch, tmp_path):
    """On a bf16 processor benchmark_app's default would time another precision."""
    seen = []

    def run(cmd, **_):
        seen.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, stdout="Throughput: 12.50 FPS\n")

    exe = tmp_path / "benchmark_app"
    exe.touch()
    monkeypatch.setattr(bench.shutil, "which", lambda _: str(exe))
    monkeypatch.setattr(bench.subprocess, "run", run)
    for device, f32 in (("CPU", True), ("GPU", False)):
        fps = bench.benchmark_app(Path("m.xml"), None, bench.BenchConfig(device=device))
        assert fps == 12.5
        assert (seen[-1][-2:] == ["-infer_precision", "f32"]) is f32
