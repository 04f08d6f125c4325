"""A model of one's own: Python adapters by import path, OpenVINO's reasons kept."""

import json
import textwrap

import pytest
from typer.testing import CliRunner

from devices.vision.adapters import Task, adapter
from devices.vision.models.base import ModelError, openvino_reason, read_model
from devices.vision.registry import describe
from twin.cli import app

BLAZEPOSE = "devices/vision/assets/blazepose/pose_detection.tflite"


@pytest.fixture
def factory_module(tmp_path, monkeypatch):
    """A module on the path whose factory builds BlazePose and counts its calls."""
    (tmp_path / "my_adapters.py").write_text(
        textwrap.dedent(
            """
            from devices.vision.adapters import AdapterSpec, Task, register

            CALLS = []

            def tiles_of_four(path, frame_size, device):
                CALLS.append(frame_size)
                spec = AdapterSpec(task=Task.people, grid=(2, 2), tile=320, threshold=0.5)
                return spec.build(path, frame_size, device)

            def overhead(path, frame_size, device):
                return tiles_of_four(path, frame_size, device)

            overhead.view = "top"
            register("four_tiles", Task.people, "oblique", tiles_of_four)
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    module = importlib.import_module("my_adapters")
    yield module
    module.CALLS.clear()


def test_describe_keeps_a_registered_factory(factory_module):
    entry = describe(BLAZEPOSE, "four_tiles")
    model = entry.build((640, 480))
    assert factory_module.CALLS == [(640, 480)]
    assert len(model.origins) == 4 and model.name == "pose_detection"
    assert entry.view == "oblique"


def test_an_import_path_names_a_factory(factory_module):
    assert adapter("my_adapters:tiles_of_four")[:2] == (Task.people, "oblique")
    assert adapter("my_adapters:overhead")[:2] == (Task.people, "top")
    with pytest.raises(ModelError, match="cannot import"):
        adapter("no_such_module:f")
    with pytest.raises(ModelError, match="no factory or spec"):
        adapter("my_adapters:CALLZ")


def test_bench_models_runs_a_factory_named_on_the_command_line(factory_module, tmp_path):
    out = tmp_path / "b"
    args = ["bench", "models", "--model", BLAZEPOSE, "--adapter", "my_adapters:tiles_of_four"]
    result = CliRunner().invoke(
        app, [*args, "--frames", "1", "--benchmark-app-s", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert factory_module.CALLS  # the factory built the model, not default SSD settings
    (model,) = json.loads((out / "bench.json").read_text())["models"]
    assert model["requests_per_frame"] == 4  # its 2x2 tiles, not the default 6x4


def test_a_corrupted_model_file_keeps_openvinos_reason(tmp_path):
    trunc = tmp_path / "trunc.tflite"
    with open(BLAZEPOSE, "rb") as f:
        trunc.write_bytes(f.read(2000))
    with pytest.raises(ModelError, match="FlatBuffer verification failed"):
        read_model(trunc)
    wrapped = "Exception from src/inference/src/cpp/core.cpp:84:\nCheck 'x' failed at a.cpp:82:\n"
    assert openvino_reason(wrapped + "FrontEnd API failed with GeneralFailure:\nbad file\n") == (
        "bad file"
    )


def test_a_tile_grid_that_leaves_part_of_the_frame_unseen_is_refused():
    from devices.vision.models.detectors import tile_origins

    with pytest.raises(ModelError, match=r"160 px across .* at least 2x1"):
        tile_origins(640, 480, (1, 1), 640)
    with pytest.raises(ModelError, match="cannot cover"):
        tile_origins(640, 480, (1, 2))
    assert tile_origins(320, 320, (1, 1)) == (320, [(0, 0)])
    assert tile_origins(640, 480, (2, 1))[0] == 480
