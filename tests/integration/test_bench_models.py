"""``storetwin bench models`` end to end, on a few frames."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from devices.vision.report_errors import threshold_sweep
from twin.cli import app

KEYS = {
    "name",
    "task",
    "latency_ms_p50",
    "latency_ms_p99",
    "fps",
    "benchmark_app_fps",
    "overhead_ratio",
}


@pytest.mark.slow
def test_bench_models_writes_json_and_html(tmp_path):
    out = tmp_path / "bench"
    result = CliRunner().invoke(
        app, ["bench", "models", "--frames", "4", "--benchmark-app-s", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    bench = json.loads((out / "bench.json").read_text())
    models = {m["name"]: m for m in bench["models"]}
    assert set(models) == {"blazepose", "topdown", "ppocr"}
    for m in models.values():
        assert set(m) >= KEYS
        assert m["fps"] > 0 and m["latency_ms_p99"] >= m["latency_ms_p50"] > 0
        assert m["benchmark_app_fps"] > 0 and m["overhead_ratio"] > 0
    for name in ("blazepose", "topdown"):
        assert {"recall", "precision", "count_mae"} <= set(models[name])
        assert {"crowd", "light", "pose"} <= set(models[name]["by_condition"])
    assert 0 <= models["ppocr"]["exact_price_rate"] <= 1
    assert "plotly" in (out / "index.html").read_text()
    assert json.loads((out / "error_table.json").read_text())["models"]
    for m in models.values():
        assert isinstance(m["benchmark_app_unreliable"], bool)
        for buckets in m["by_condition"].values():
            assert all("too_few" in b for b in buckets.values())
    crowd = models["blazepose"]["by_condition"]["crowd"]
    assert "0" in crowd and crowd["0"]["frames"] == 1  # an empty lane is a frame the bench shows
    # frames 0-3: store pose, the supermarket's moments
    assert set(models["blazepose"]["count_error_by_look"]) == {"sharp", "supermarket/sharp"}
    assert models["topdown"]["count_error_by_look"] == {}
    predictions = pd.read_parquet(out / "predictions.parquet")
    assert len(predictions) == 3 * 4
    people = predictions[predictions["model"] == "blazepose"].iloc[1]
    assert people["truth_count"] == 1  # the lane's length; everyone in view has an id and box
    assert len(people["truth_ids"]) == len(people["truth_boxes"]) >= 1
    assert len(people["pred_boxes"]) == len(people["pred_scores"])
    assert {"cond_crowd", "cond_light", "cond_pose"} <= set(predictions.columns)
    shelf = predictions[predictions["model"] == "ppocr"].iloc[0]
    assert len(shelf["truth_shown_cents"]) == shelf["truth_count"] and len(shelf["pred_text"])
    assert "predictions.parquet" in result.output
    page = (out / "index.html").read_text()
    for name in ("blazepose", "topdown"):  # the page's curves come from the file's rows
        rows = predictions[predictions["model"] == name]
        lowest = threshold_sweep(rows, [min(min(s, default=1.0) for s in rows["pred_scores"])])
        assert lowest["recall"].iloc[0] == pytest.approx(models[name]["recall"], abs=1e-4)
        assert lowest["count_mae"].iloc[0] == pytest.approx(models[name]["count_mae"], abs=1e-4)
        if models[name]["precision"] is not None:
            assert lowest["precision"].iloc[0] == pytest.approx(models[name]["precision"], abs=1e-4)
        assert f"{name}: precision-recall" in page and f"{name}: what each score threshold" in page
        assert f"{name}: example errors" in page or f"{name}: no frame with a miss" in page
    assert "ppocr: precision-recall" not in page


def test_bench_a_model_of_ones_own(tmp_path):
    out = tmp_path / "mine"
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "models",
            "--model",
            "devices/vision/assets/blazepose/pose_detection.tflite",
            "--adapter",
            "people",
            "--frames",
            "2",
            "--benchmark-app-s",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    (model,) = json.loads((out / "bench.json").read_text())["models"]
    assert model["name"] == "pose_detection" and model["task"] == "people"


def test_bad_model_input_is_a_clear_error(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(
        app,
        [
            "bench",
            "models",
            "--model",
            str(tmp_path / "x.onnx"),
            "--adapter",
            "people",
            "--out",
            str(tmp_path),
        ],
    )
    assert missing.exit_code == 2 and "model file not found" in missing.stderr
    no_adapter = runner.invoke(app, ["bench", "models", "--model", "m.xml"])
    assert no_adapter.exit_code == 2 and "--adapter" in no_adapter.stderr
    wrong = runner.invoke(app, ["bench", "models", "--model", "m.xml", "--adapter", "faces"])
    assert wrong.exit_code == 2 and "unknown adapter" in wrong.stderr
