"""People detectors: SSD-anchor heads (BlazePose) and centre heatmaps (the top-down net).

Both take a frame, cut it into square tiles (one tile is the whole frame when
the grid is 1x1), let the compiled graph resize and normalise each tile
(PrePostProcessor), and decode the outputs into ``Detections`` in frame pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from devices.vision.models.base import Model, ModelError, compile_model, read_model
from devices.vision.results import Detections


@dataclass(frozen=True)
class InputSpec:
    """How the network wants its input: layout, size and pixel scaling ``(x - mean) / scale``."""

    layout: str = "NHWC"
    mean: float = 127.5
    scale: float = 127.5

    def __post_init__(self) -> None:
        if self.layout not in ("NHWC", "NCHW"):
            raise ModelError(f"input layout must be NHWC or NCHW, got {self.layout!r}")
        if self.scale == 0:
            raise ModelError("input scale must not be 0")


def net_size(model: Any, path: Path, spec: InputSpec) -> int:
    """The square input size of a network read with ``read_model``."""
    if len(model.inputs) != 1:
        raise ModelError(f"{path}: a detector needs one input, the model has {len(model.inputs)}")
    shape = model.inputs[0].partial_shape
    if shape.rank.is_dynamic or shape.rank.get_length() != 4:
        raise ModelError(f"{path}: expected a 4-D image input, got {shape}")
    h, w = (shape[1], shape[2]) if spec.layout == "NHWC" else (shape[2], shape[3])
    if h.is_dynamic or w.is_dynamic or h.get_length() != w.get_length():
        raise ModelError(f"{path}: expected a static square image input, got {shape}")
    return int(h.get_length())


def tile_network(model: Any, tile: int, spec: InputSpec) -> Any:
    """``model`` made to take uint8 NHWC tiles of ``tile`` x ``tile`` pixels.

    Resize to the network's own size, conversion to float, scaling and layout
    are put into the graph with PrePostProcessor.
    """
    import openvino as ov
    from openvino.preprocess import PrePostProcessor, ResizeAlgorithm

    ppp = PrePostProcessor(model)
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC")).set_shape(
        [1, tile, tile, 3]
    )
    ppp.input().model().set_layout(ov.Layout(spec.layout))
    ppp.input().preprocess().resize(ResizeAlgorithm.RESIZE_LINEAR).convert_element_type(
        ov.Type.f32
    ).mean(spec.mean).scale(spec.scale)
    return ppp.build()


def compile_for(network: Any, path: Path, device: str, hint: str = "THROUGHPUT") -> Any:
    """``compile_model`` with a clear error naming the file when the device refuses it."""
    try:
        return compile_model(network, device, hint)
    except RuntimeError as exc:
        raise ModelError(
            f"cannot compile {path} for {device}: {str(exc).splitlines()[0]}"
        ) from None


def tile_origins(
    width: int, height: int, grid: tuple[int, int], side: int | None = None
) -> tuple[int, list[tuple[int, int]]]:
    """Square tiles covering a ``width`` x ``height`` frame in a ``cols`` x ``rows`` grid.

    Args:
        width: Frame width.
        height: Frame height.
        grid: Tiles across and down.
        side: Tile side; by default the smallest that covers the frame.

    Returns:
        The tile side and the top-left corner of each tile; neighbours overlap
        evenly, so a larger ``side`` (or more tiles) means more overlap.
    """
    cols, rows = grid
    if cols < 1 or rows < 1:
        raise ModelError(f"tile grid must be at least 1x1, got {cols}x{rows}")
    cover = max(np.ceil(width / cols), np.ceil(height / rows))
    if side is not None and side < cover:
        raise ModelError(f"{cols}x{rows} tiles of {side} px do not cover {width}x{height}")
    side = int(min(side or cover, width, height))
    if (cols == 1 and side < width) or (rows == 1 and side < height):
        short = min(width, height)
        need = (int(np.ceil(width / short)), int(np.ceil(height / short)))
        raise ModelError(
            f"{cols}x{rows} tiles cannot cover a {width}x{height} frame: a square tile is at "
            f"most {short} px (the frame's shorter side), so {width - side if cols == 1 else 0} "
            f"px across and {height - side if rows == 1 else 0} px down would never be seen; "
            f"use a grid of at least {need[0]}x{need[1]}"
        )
    xs = np.linspace(0, width - side, cols).round().astype(int) if cols > 1 else [0]
    ys = np.linspace(0, height - side, rows).round().astype(int) if rows > 1 else [0]
    return side, [(int(x), int(y)) for y in ys for x in xs]


NMS_BLOCK = 256
"""How many of the best remaining boxes ``nms`` compares with all others at once.

Its memory is this many rows by the number of boxes.
"""


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float, nested: float = 0.6) -> np.ndarray:
    """Indices kept by greedy non-maximum suppression, best first.

    A box is dropped when it overlaps a kept one by more than ``iou``, or when
    more than ``nested`` of the smaller box lies inside the other: the same head
    found in two overlapping tiles at different scales. The overlaps of the best
    remaining boxes (a block) with all remaining ones are taken at once; a walk
    down the block keeps or drops each, and what they drop leaves the race. A
    frame has tens of boxes, so that is one block; a low threshold gives thousands.
    """
    order = np.argsort(-scores)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep: list[int] = []
    while order.size:
        head = order[:NMS_BLOCK]
        clash = _clashes(boxes[head], area[head], boxes[order], area[order], iou, nested)
        dropped = np.zeros(len(order), dtype=bool)
        for i, row in enumerate(clash):
            if not dropped[i]:
                keep.append(int(head[i]))
                dropped |= row
        order = order[len(head) :][~dropped[len(head) :]]
    return np.asarray(keep, dtype=int)


def _clashes(
    rows: np.ndarray,
    rows_area: np.ndarray,
    others: np.ndarray,
    others_area: np.ndarray,
    iou: float,
    nested: float,
) -> np.ndarray:
    """(len(rows), len(others)): whether each box of ``rows`` suppresses each of ``others``."""
    lo = np.maximum(rows[:, None, :2], others[None, :, :2])
    hi = np.minimum(rows[:, None, 2:], others[None, :, 2:])
    inter = np.clip(hi[..., 0] - lo[..., 0], 0, None) * np.clip(hi[..., 1] - lo[..., 1], 0, None)
    union = np.maximum(rows_area[:, None] + others_area[None, :] - inter, 1e-9)
    smaller = np.maximum(np.minimum(rows_area[:, None], others_area[None, :]), 1e-9)
    return (inter / union > iou) | (inter / smaller > nested)


class TiledDetector(Model[Detections]):
    """Shared tiling for detectors: cut, infer each tile, map back, suppress duplicates."""

    task = "people"

    def __init__(
        self,
        path: Path,
        frame_size: tuple[int, int],
        grid: tuple[int, int],
        spec: InputSpec,
        threshold: float,
        iou: float = 0.3,
        device: str = "CPU",
        tile: int | None = None,
    ):
        network = read_model(path)
        self.size = net_size(network, path, spec)
        self.frame_size = frame_size
        self.side, self.origins = tile_origins(*frame_size, grid, tile)
        tiles = tile_network(network, self.side, spec)
        super().__init__(
            compile_for(tiles, path, device),
            path,
            latency=lambda: compile_for(tiles, path, device, "LATENCY"),
        )
        self.grid = grid
        self.threshold = threshold
        self.iou = iou

    def preprocess(self, image: np.ndarray) -> tuple[list[np.ndarray], Any]:
        """Square tiles of the frame (views; the graph resizes them)."""
        h, w = image.shape[:2]
        if (w, h) != self.frame_size:
            raise ModelError(f"{self.name} was compiled for {self.frame_size} frames, got {(w, h)}")
        side = self.side
        tiles = [
            np.ascontiguousarray(image[y : y + side, x : x + side])[None] for x, y in self.origins
        ]
        return tiles, (side, self.origins)

    def postprocess(self, outputs: list[list[np.ndarray]], meta: Any) -> Detections:
        """Decode every tile, move to frame pixels, keep the best of overlapping boxes."""
        side, origins = meta
        boxes, scores, points = [], [], []
        for out, (x, y) in zip(outputs, origins, strict=True):
            b, s, p = self.decode(out)
            offset = np.array([x, y, x, y], dtype=float)
            boxes.append(b * side + offset)
            scores.append(s)
            points.append(p * side + offset[:2])
        if not boxes or not sum(len(s) for s in scores):
            return Detections.empty()
        b, s, p = np.concatenate(boxes), np.concatenate(scores), np.concatenate(points)
        keep = nms(b, s, self.iou)
        return Detections(b[keep], s[keep], p[keep])

    def decode(self, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes (N, 4) and points (N, 2) in tile units (0..1), and scores (N,), of one tile."""
        raise NotImplementedError


def ssd_anchors(size: int, strides: tuple[int, ...], per_layer: int) -> np.ndarray:
    """Anchor centres (A, 2) in 0..1 for MediaPipe-style SSD heads with fixed anchor size.

    Consecutive layers with the same stride share one feature map, as in
    MediaPipe's SsdAnchorsCalculator.
    """
    out = []
    i = 0
    while i < len(strides):
        stride, n = strides[i], 0
        while i < len(strides) and strides[i] == stride:
            n += per_layer
            i += 1
        cells = int(np.ceil(size / stride))
        yy, xx = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        centres = np.stack([(xx + 0.5) / cells, (yy + 0.5) / cells], axis=-1).reshape(-1, 1, 2)
        out.append(np.repeat(centres, n, axis=1).reshape(-1, 2))
    return np.concatenate(out)


class SsdDetector(TiledDetector):
    """An SSD-anchor face/person detector such as MediaPipe's BlazePose detector.

    Outputs: regressors (1, A, >=4) as centre x, centre y, width, height in input
    pixels (then keypoints), and one score logit per anchor (1, A, 1).
    """

    def __init__(
        self,
        path: Path,
        frame_size: tuple[int, int],
        grid: tuple[int, int] = (1, 1),
        strides: tuple[int, ...] = (8, 16, 32, 32, 32),
        per_layer: int = 2,
        spec: InputSpec = InputSpec(),
        threshold: float = 0.5,
        iou: float = 0.3,
        device: str = "CPU",
        name: str = "blazepose",
        tile: int | None = None,
    ):
        self.name = name
        super().__init__(path, frame_size, grid, spec, threshold, iou, device, tile)
        self.anchors = ssd_anchors(self.size, strides, per_layer)
        regs = [o for o in self.compiled.outputs if o.partial_shape[-1].get_length() >= 4]
        if not regs or regs[0].partial_shape[1].get_length() != len(self.anchors):
            raise ModelError(
                f"{path}: outputs {[str(o.partial_shape) for o in self.compiled.outputs]} "
                f"do not fit {len(self.anchors)} anchors from strides {strides}"
            )
        self._reg = self.compiled.outputs.index(regs[0])

    def decode(self, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Anchor offsets to boxes; sigmoid scores over the threshold."""
        reg = outputs[self._reg][0]
        logits = outputs[1 - self._reg][0, :, 0]
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -80.0, 80.0)))
        hit = np.flatnonzero(scores >= self.threshold)
        reg, a = reg[hit] / self.size, self.anchors[hit]
        cx, cy = reg[:, 0] + a[:, 0], reg[:, 1] + a[:, 1]
        w, h = reg[:, 2], reg[:, 3]
        boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)
        return boxes, scores[hit], np.stack([cx, cy], axis=-1)


class HeatmapDetector(TiledDetector):
    """A centre-heatmap detector: one output (1, 1, H/s, W/s) of person-centre probabilities.

    Each local maximum over ``threshold`` is a person; its box is a square of
    ``box`` (share of the tile) around the peak.
    """

    def __init__(
        self,
        path: Path,
        frame_size: tuple[int, int],
        grid: tuple[int, int] = (1, 1),
        spec: InputSpec = InputSpec(layout="NCHW", mean=0.0, scale=255.0),
        threshold: float = 0.4,
        box: float = 0.12,
        device: str = "CPU",
        name: str = "topdown",
        tile: int | None = None,
    ):
        self.name = name
        super().__init__(path, frame_size, grid, spec, threshold, 0.3, device, tile)
        self.box = box

    def decode(self, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Local maxima of the heatmap (3x3) over the threshold."""
        import cv2

        heat = outputs[0][0, 0]
        hmax = cv2.dilate(
            heat, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=-1.0
        )
        ys, xs = np.nonzero((heat >= hmax) & (heat >= self.threshold))
        scores = heat[ys, xs]
        gh, gw = heat.shape
        cx, cy = (xs + 0.5) / gw, (ys + 0.5) / gh
        r = self.box / 2
        boxes = np.stack([cx - r, cy - r, cx + r, cy + r], axis=-1)
        return boxes, scores, np.stack([cx, cy], axis=-1)
