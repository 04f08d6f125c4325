"""Adapters: how to feed a model file and decode its outputs, declared in YAML or Python.

A data team brings any OpenVINO-readable file (.xml, .onnx, .tflite) and says
what it is with an adapter: the built-in ``people`` (MediaPipe-style SSD
anchors, like BlazePose) or ``ocr`` (a PP-OCR recogniser), a YAML file with
the fields of ``AdapterSpec`` (decoders for SSD anchors, centre heatmaps,
OpenVINO's DetectionOutput and YOLO-style box tables; square or any-shape
inputs), or a Python factory given to ``register``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from devices.vision.models.base import Model, ModelError

Factory = Callable[[Path, tuple[int, int], str], Model]
"""Builds a model from (file, frame size (w, h), device)."""


class Task(StrEnum):
    """What a model is for."""

    people = "people"
    ocr = "ocr"


ROLES: dict[str, tuple[str, ...]] = {
    "ssd": ("boxes", "scores"),
    "heatmap": ("heatmap",),
    "ov_detection": ("detections",),
    "yolo": ("detections",),
    "ppocr_rec": (),
}
"""The outputs each decoder reads, by role: what ``AdapterSpec.outputs`` may name."""


class AdapterSpec(BaseModel):
    """A model's input layout and output decoder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task: Task = Field(description="people: find people; ocr: read price tags.")
    decoder: Literal["ssd", "heatmap", "ov_detection", "yolo", "ppocr_rec"] = Field(
        "ssd",
        description="ssd: SSD anchors (BlazePose); heatmap: centre heatmap; "
        "ov_detection: OpenVINO's DetectionOutput [1,1,N,7]; yolo: a YOLO box table "
        "[1,N,5+C] or [1,4+C,N]; "
        "ppocr_rec: a PP-OCR text recogniser with its character list in the metadata.",
    )
    layout: Literal["NHWC", "NCHW"] = Field("NHWC", description="The network's input layout.")
    mean: float = Field(127.5, description="Subtracted from 0..255 pixels.")
    scale: float = Field(127.5, gt=0, description="Pixels are divided by this after the mean.")
    threshold: float = Field(0.5, gt=0, lt=1, description="Lowest score kept.")
    iou: float = Field(
        0.3, gt=0, le=1, description="SSD: of two boxes overlapping more than this, one is kept."
    )
    grid: tuple[int, int] = Field((6, 4), description="Tiles (columns, rows) per frame.")
    tile: int | None = Field(
        200, ge=16, description="Tile side in pixels; tiles overlap to cover the frame."
    )
    strides: tuple[int, ...] = Field((8, 16, 32, 32, 32), description="SSD layer strides.")
    anchors_per_layer: int = Field(2, ge=1, description="SSD anchors per cell and layer.")
    box: float = Field(0.12, gt=0, le=1, description="Heatmap box side, share of the tile.")
    fit: Literal["square", "stretch", "letterbox"] = Field(
        "square",
        description="square: square tiles (grid, tile) into a square input; stretch: the "
        "grid's cells (the whole frame for 1x1) resized to the input's shape; letterbox: "
        "the cells scaled keeping their aspect and padded to it.",
    )
    outputs: tuple[tuple[str, str], ...] = Field(
        (),
        description="Output names by role, a mapping in YAML (ssd: boxes, scores; heatmap: "
        "heatmap; ov_detection and yolo: detections); unnamed roles are found by shape.",
    )
    head: Literal["centre", "top"] = Field(
        "centre",
        description="Where a box's head point is: its centre (head or face boxes) or a "
        "tenth of its height below the top (whole-body boxes).",
    )
    classes: tuple[int, ...] | None = Field(
        None, description="ov_detection, yolo: the class ids that are people; null = all."
    )
    objectness: bool | None = Field(
        None,
        description="yolo: whether an object score follows the box; null = yes for "
        "[1,N,5+C], no for [1,4+C,N].",
    )
    normalized: bool = Field(
        False, description="yolo: box coordinates are 0..1 of the input, not input pixels."
    )
    camera: Literal["oblique", "top"] | None = Field(
        None,
        description="The camera view it is benchmarked on; null = top for heatmap, "
        "oblique for the other people decoders.",
    )

    @model_validator(mode="before")
    @classmethod
    def _cells_need_no_tile(cls, data: Any) -> Any:
        """Cells are the tiles with fit stretch or letterbox (tile null); outputs kept hashable."""
        if isinstance(data, dict) and data.get("fit", "square") != "square":
            data = {"tile": None, **data}
        if isinstance(data, dict) and isinstance(data.get("outputs"), dict):
            data = {**data, "outputs": tuple(sorted(data["outputs"].items()))}
        return data

    @model_validator(mode="after")
    def _fits_task(self) -> AdapterSpec:
        ocr = self.decoder == "ppocr_rec"
        if ocr != (self.task is Task.ocr):
            raise ValueError(f"decoder {self.decoder!r} does not fit task {self.task.value!r}")
        if self.fit != "square" and self.tile is not None:
            raise ValueError(f"tile is for fit: square; with fit: {self.fit} the cells are tiles")
        roles = ROLES[self.decoder]
        unknown = sorted(set(dict(self.outputs)) - set(roles))
        if unknown:
            raise ValueError(f"outputs {unknown}: decoder {self.decoder!r} reads {list(roles)}")
        return self

    @property
    def view(self) -> str:
        """The camera view the model is benchmarked on: oblique, top or shelf."""
        if self.camera is not None:
            return self.camera
        return {"heatmap": "top", "ppocr_rec": "shelf"}.get(self.decoder, "oblique")

    def build(self, path: Path, frame_size: tuple[int, int], device: str = "CPU") -> Model:
        """Load ``path`` as this adapter says."""
        from devices.vision.models.detectors import (
            DetectionOutputDetector,
            HeatmapDetector,
            InputSpec,
            SsdDetector,
            YoloDetector,
        )
        from devices.vision.models.ocr import TextReader

        spec = InputSpec(self.layout, self.mean, self.scale)
        name = Path(path).stem
        shared = {"fit": self.fit, "outputs": dict(self.outputs), "head": self.head}
        if self.decoder == "ov_detection":
            return DetectionOutputDetector(
                path,
                frame_size,
                self.grid,
                spec,
                self.threshold,
                self.iou,
                device,
                name,
                self.tile,
                self.classes,
                **shared,
            )
        if self.decoder == "yolo":
            return YoloDetector(
                path,
                frame_size,
                self.grid,
                spec,
                self.threshold,
                self.iou,
                device,
                name,
                self.tile,
                self.classes,
                self.objectness,
                self.normalized,
                **shared,
            )
        if self.decoder == "ssd":
            return SsdDetector(
                path,
                frame_size,
                self.grid,
                self.strides,
                self.anchors_per_layer,
                spec,
                self.threshold,
                self.iou,
                device=device,
                name=name,
                tile=self.tile,
                **shared,
            )
        if self.decoder == "heatmap":
            return HeatmapDetector(
                path,
                frame_size,
                self.grid,
                spec,
                self.threshold,
                self.box,
                device,
                name,
                self.tile,
                **shared,
            )
        reader = TextReader(frame_size, device=device, rec_path=Path(path))
        reader.name = name
        return reader


BUILTIN: dict[str, AdapterSpec] = {
    "people": AdapterSpec(task=Task.people),
    "ocr": AdapterSpec(task=Task.ocr, decoder="ppocr_rec"),
}

_PYTHON: dict[str, tuple[Task, str, Factory]] = {}


def register(name: str, task: Task, view: str, factory: Factory) -> None:
    """Declare an adapter in Python: ``factory(path, frame_size, device)`` returns a Model."""
    if name in BUILTIN:
        raise ValueError(f"adapter {name!r} is built in")
    if view not in ("oblique", "top", "shelf"):
        raise ValueError(f"view must be oblique, top or shelf, got {view!r}")
    _PYTHON[name] = (task, view, factory)


def adapter(name_or_yaml: str) -> AdapterSpec | tuple[Task, str, Factory]:
    """The adapter named ``name_or_yaml``, one a YAML file declares, or ``package.module:attr``.

    ``package.module:attr`` imports the module (which may ``register`` adapters
    as it loads) and takes ``attr``: an ``AdapterSpec``, or a factory
    ``(path, frame_size, device) -> Model``. A factory registered under any
    name keeps that registration's task and view; otherwise its ``task`` and
    ``view`` attributes say them (default people, oblique).

    Raises:
        ModelError: For an unknown name or a file that is not a valid adapter.
    """
    if name_or_yaml in BUILTIN:
        return BUILTIN[name_or_yaml]
    if name_or_yaml in _PYTHON:
        return _PYTHON[name_or_yaml]
    path = Path(name_or_yaml)
    if ":" in name_or_yaml and path.suffix.lower() not in (".yaml", ".yml"):
        return _imported(name_or_yaml)
    if path.suffix.lower() not in (".yaml", ".yml"):
        known = sorted([*BUILTIN, *_PYTHON])
        raise ModelError(
            f"unknown adapter {name_or_yaml!r}: use one of {known}, a .yaml file "
            "or package.module:factory"
        )
    if not path.is_file():
        raise ModelError(f"adapter file not found: {path}")
    try:
        return AdapterSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'adapter'}: {e['msg']}" for e in exc.errors()
        )
        raise ModelError(f"{path}: {problems}") from None


def _imported(target: str) -> AdapterSpec | tuple[Task, str, Factory]:
    """The adapter ``package.module:attr`` names (see ``adapter``)."""
    import importlib

    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelError(f"adapter {target!r}: cannot import {module_name!r} ({exc})") from None
    found = getattr(module, attr, None)
    if isinstance(found, AdapterSpec):
        return found
    if not callable(found):
        raise ModelError(f"adapter {target!r}: {module_name} has no factory or spec {attr!r}")
    for task, view, factory in _PYTHON.values():
        if factory is found:
            return task, view, factory
    view = getattr(found, "view", "oblique")
    if view not in ("oblique", "top", "shelf"):
        raise ModelError(f"adapter {target!r}: view must be oblique, top or shelf, got {view!r}")
    try:
        task = Task(getattr(found, "task", Task.people))
    except ValueError:
        raise ModelError(f"adapter {target!r}: task must be people or ocr") from None
    return task, view, found
