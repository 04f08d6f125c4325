"""The model registry: the one place that loads every vision model.

Built-in models are files the project ships or its dependencies ship: the
vendored BlazePose detector, the top-down net trained on the twin's frames,
and rapidocr's PP-OCR networks. A file of one's own comes in through an
adapter (``devices.vision.adapters``). Nothing is downloaded at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from devices.vision.adapters import AdapterSpec, Factory, Task, adapter
from devices.vision.models.base import Model, ModelError

ASSETS = Path(__file__).resolve().parent / "assets"


@dataclass(frozen=True)
class Entry:
    """A registered model: where its file is, how to read it, and which view it is for."""

    name: str
    path: Path
    spec: AdapterSpec
    factory: Factory | None = None
    """A Python adapter's factory: it builds the model instead of ``spec``."""
    factory_view: str | None = None

    @property
    def task(self) -> Task:
        """What the model is for."""
        return self.spec.task

    @property
    def view(self) -> str:
        """oblique, top or shelf."""
        return self.factory_view or self.spec.view

    def build(self, frame_size: tuple[int, int], device: str = "CPU") -> Model:
        """Compile the model for frames of ``frame_size``: by its factory, or as its spec says."""
        if self.factory is not None:
            model = self.factory(self.path, frame_size, device)
        else:
            model = self.spec.build(self.path, frame_size, device)
        model.name = self.name
        return model


def _rapidocr_rec() -> Path:
    from devices.vision.models.ocr import rapidocr_models

    return rapidocr_models() / "PP-OCRv6_rec_small.onnx"


def builtin() -> dict[str, Entry]:
    """The shipped models, by name."""
    return {
        "blazepose": Entry(
            "blazepose",
            ASSETS / "blazepose" / "pose_detection.tflite",
            # threshold and NMS overlap chosen on seed-1 queue frames and checked on
            # the benchmark's seed 0 (devices.vision.training.tune_people)
            AdapterSpec(task=Task.people, grid=(6, 4), tile=200, threshold=0.45, iou=0.2),
        ),
        "topdown": Entry(
            "topdown",
            ASSETS / "topdown" / "topdown.xml",
            AdapterSpec(
                task=Task.people,
                decoder="heatmap",
                layout="NCHW",
                mean=0.0,
                scale=255.0,
                threshold=0.4,
                grid=(1, 1),
                tile=None,
            ),
        ),
        "ppocr": Entry("ppocr", _rapidocr_rec(), AdapterSpec(task=Task.ocr, decoder="ppocr_rec")),
    }


def load(name: str, frame_size: tuple[int, int], device: str = "CPU") -> Model:
    """Compile a built-in model for frames of ``frame_size`` (width, height).

    Raises:
        ModelError: For an unknown name or a missing file.
    """
    entries = builtin()
    if name not in entries:
        raise ModelError(f"unknown model {name!r}: built-in models are {sorted(entries)}")
    entry = entries[name]
    model = entry.spec.build(entry.path, frame_size, device)
    model.name = name
    return model


def load_file(
    path: Path, adapter_name: str, frame_size: tuple[int, int], device: str = "CPU"
) -> tuple[Model, str]:
    """Compile a model file of one's own with an adapter; returns the model and its view."""
    found = adapter(adapter_name)
    if isinstance(found, AdapterSpec):
        return found.build(Path(path), frame_size, device), found.view
    _task, view, factory = found
    return factory(Path(path), frame_size, device), view


def describe(path: Path, adapter_name: str) -> Entry:
    """The registry entry of a file of one's own; a Python adapter's factory stays its builder."""
    found = adapter(adapter_name)
    if isinstance(found, AdapterSpec):
        return Entry(Path(path).stem, Path(path), found)
    task, view, factory = found
    decoder = {"oblique": "ssd", "top": "heatmap", "shelf": "ppocr_rec"}[view]
    spec = AdapterSpec(task=task, decoder=decoder)
    return Entry(Path(path).stem, Path(path), spec, factory, view)


@lru_cache(maxsize=32)
def shared(name: str, frame_size: tuple[int, int], device: str = "CPU") -> Model:
    """One compiled built-in model per (name, frame size, device), shared by all cameras."""
    return load(name, frame_size, device)
