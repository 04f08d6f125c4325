"""``storetwin frames export`` end to end, on a few frames."""

import json

from typer.testing import CliRunner

from twin.cli import app


def test_frames_export_writes_a_coco_dataset_and_a_summary(tmp_path):
    out = tmp_path / "ds"
    result = CliRunner().invoke(
        app,
        [
            "frames",
            "export",
            "--view",
            "top",
            "--frames",
            "2",
            "--format",
            "coco",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    dataset = json.loads((out / "annotations" / "instances.json").read_text())
    assert [i["file_name"] for i in dataset["images"]] == ["000000.jpg", "000001.jpg"]
    assert len(dataset["annotations"]) == sum(i["count"] for i in dataset["images"])
    assert all(i["condition"]["pose"] == "top-down" for i in dataset["images"])
    for figure in ("frames", "annotations", "bytes", "seconds", "CPU seconds"):
        assert figure in result.output


def test_a_bad_condition_is_a_one_line_error_naming_the_allowed_ones(tmp_path):
    result = CliRunner().invoke(
        app,
        ["frames", "export", "--view", "shelf", "--conditions", "crowd=3", "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "unknown condition 'crowd=3' for the shelf view" in result.stderr
    assert "distance=near|mid|far" in result.stderr
    assert not (tmp_path / "images").exists()
