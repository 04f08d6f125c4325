"""People detectors: SSD anchors, centre heatmaps, OpenVINO DetectionOutput, YOLO tables.

BlazePose is an SSD, the top-down net a heatmap. Each takes a frame, cuts it
into tiles (square tiles, or the grid's cells when the network's input is not
square: one tile is the whole frame when the grid is 1x1), fits each tile to
the network's input (the compiled graph resizes and normalises it with
PrePostProcessor; a letterbox pads it first), and decodes the outputs into
``Detections`` in frame pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

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


Fit = Literal["square", "stretch", "letterbox"]
"""How frames become network inputs: ``square`` tiles of a square network; the grid's
cells ``stretch``ed to the network's shape, or scaled whole and padded (``letterbox``)."""

LETTERBOX_FILL = 114
"""Grey of a letterbox's padding (the value YOLO trainers pad with)."""


def net_shape(model: Any, path: Path, spec: InputSpec) -> tuple[int, int]:
    """The static (width, height) of the image input of a network read with ``read_model``."""
    if len(model.inputs) != 1:
        raise ModelError(f"{path}: a detector needs one input, the model has {len(model.inputs)}")
    shape = model.inputs[0].partial_shape
    if shape.rank.is_dynamic or shape.rank.get_length() != 4:
        raise ModelError(f"{path}: expected a 4-D image input, got {shape}")
    h, w = (shape[1], shape[2]) if spec.layout == "NHWC" else (shape[2], shape[3])
    if h.is_dynamic or w.is_dynamic:
        raise ModelError(f"{path}: expected a static image input, got {shape}")
    return int(w.get_length()), int(h.get_length())


def net_size(model: Any, path: Path, spec: InputSpec) -> int:
    """The square input size of a network read with ``read_model``."""
    w, h = net_shape(model, path, spec)
    if w != h:
        raise ModelError(
            f"{path}: expected a square image input, got {w}x{h} (width x height); "
            "an adapter with fit: stretch or fit: letterbox takes any shape"
        )
    return w


def cell_origins(
    width: int, height: int, grid: tuple[int, int]
) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """The cells of a ``cols`` x ``rows`` grid over a frame: their (width, height) and corners.

    Cells do not overlap (beyond rounding); a 1x1 grid is the whole frame.
    """
    cols, rows = grid
    if cols < 1 or rows < 1:
        raise ModelError(f"tile grid must be at least 1x1, got {cols}x{rows}")
    if cols > width or rows > height:
        raise ModelError(f"a {cols}x{rows} grid does not fit a {width}x{height} frame")
    cw, ch = int(np.ceil(width / cols)), int(np.ceil(height / rows))
    xs = np.linspace(0, width - cw, cols).round().astype(int) if cols > 1 else [0]
    ys = np.linspace(0, height - ch, rows).round().astype(int) if rows > 1 else [0]
    return (cw, ch), [(int(x), int(y)) for y in ys for x in xs]


def letterbox(tile: tuple[int, int], net: tuple[int, int]) -> tuple[int, int, int, int]:
    """The canvas a tile is padded to so it keeps its aspect in the network: (w, h, left, top).

    The canvas has the network's aspect and the tile sits in its middle; the
    graph then scales canvas and tile alike.
    """
    (tw, th), (nw, nh) = tile, net
    s = min(nw / tw, nh / th)
    cw, ch = max(tw, round(nw / s)), max(th, round(nh / s))
    return cw, ch, (cw - tw) // 2, (ch - th) // 2


def tile_network(model: Any, tile: int | tuple[int, int], spec: InputSpec) -> Any:
    """``model`` made to take uint8 NHWC tiles of ``tile`` pixels (a side, or width and height).

    Resize to the network's own size, conversion to float, scaling and layout
    are put into the graph with PrePostProcessor.
    """
    import openvino as ov
    from openvino.preprocess import PrePostProcessor, ResizeAlgorithm

    w, h = (tile, tile) if isinstance(tile, int) else tile
    ppp = PrePostProcessor(model)
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC")).set_shape(
        [1, h, w, 3]
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
    """Shared tiling for detectors: cut, infer each tile, map back, suppress duplicates.

    ``fit`` says how tiles meet the network (see ``Fit``); ``outputs`` names the
    model's outputs by role (``{"boxes": "regressors"}``) where a decoder would
    otherwise pick them by shape; ``head`` says where in a box the head point is.
    """

    task = "people"
    roles: tuple[str, ...] = ()
    """The output roles a decoder reads, in the order ``outputs`` may name them."""

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
        *,
        fit: Fit = "square",
        outputs: dict[str, str] | None = None,
        head: Literal["centre", "top"] = "centre",
    ):
        network = read_model(path)
        self.fit = fit
        self.head = head
        if fit == "square":
            self.size = net_size(network, path, spec)
            self.net = (self.size, self.size)
            self.side, self.origins = tile_origins(*frame_size, grid, tile)
            self.cell = (self.side, self.side)
        else:
            if tile is not None:
                raise ModelError(
                    f"tile is for fit: square; with fit: {fit} the grid's cells are the tiles"
                )
            self.net = net_shape(network, path, spec)
            self.size = max(self.net)
            self.cell, self.origins = cell_origins(*frame_size, grid)
            self.side = max(self.cell)
        self.canvas = letterbox(self.cell, self.net) if fit == "letterbox" else (*self.cell, 0, 0)
        self.frame_size = frame_size
        tiles = tile_network(network, self.canvas[:2], spec)
        super().__init__(
            compile_for(tiles, path, device),
            path,
            latency=lambda: compile_for(tiles, path, device, "LATENCY"),
        )
        self.grid = grid
        self.threshold = threshold
        self.iou = iou
        self.output_of = self._named_outputs(outputs or {}, path)

    def _named_outputs(self, outputs: dict[str, str], path: Path) -> dict[str, int]:
        """Output index of each role ``outputs`` names; a name the model lacks is refused."""
        unknown = sorted(set(outputs) - set(self.roles))
        if unknown:
            raise ModelError(
                f"{path}: output roles {unknown} unknown; this decoder reads {list(self.roles)}"
            )
        index = {}
        names = [sorted(o.get_names()) for o in self.compiled.outputs]
        for role, name in outputs.items():
            found = [i for i, n in enumerate(names) if name in n]
            if not found:
                have = sorted(n for ns in names for n in ns)
                raise ModelError(f"{path}: no output named {name!r} ({role}); it has {have}")
            index[role] = found[0]
        return index

    def preprocess(self, image: np.ndarray) -> tuple[list[np.ndarray], Any]:
        """Tiles of the frame (views; the graph resizes them), letterboxed when asked."""
        h, w = image.shape[:2]
        if (w, h) != self.frame_size:
            raise ModelError(f"{self.name} was compiled for {self.frame_size} frames, got {(w, h)}")
        (tw, th), (cw, ch, left, top) = self.cell, self.canvas
        tiles = []
        for x, y in self.origins:
            cut = image[y : y + th, x : x + tw]
            if self.fit == "letterbox":
                padded = np.full((1, ch, cw, 3), LETTERBOX_FILL, dtype=np.uint8)
                padded[0, top : top + cut.shape[0], left : left + cut.shape[1]] = cut
                tiles.append(padded)
            else:
                tiles.append(np.ascontiguousarray(cut)[None])
        return tiles, (self.canvas, self.origins)

    def postprocess(self, outputs: list[list[np.ndarray]], meta: Any) -> Detections:
        """Decode every tile, move to frame pixels, keep the best of overlapping boxes."""
        (cw, ch, left, top), origins = meta
        scale = np.array([cw, ch, cw, ch], dtype=float)
        boxes, scores, points = [], [], []
        for out, (x, y) in zip(outputs, origins, strict=True):
            b, s, p = self.decode(out)
            offset = np.array([x - left, y - top, x - left, y - top], dtype=float)
            boxes.append(b * scale + offset)
            scores.append(s)
            points.append(p * scale[:2] + offset[:2])
        if not boxes or not sum(len(s) for s in scores):
            return Detections.empty()
        b, s, p = np.concatenate(boxes), np.concatenate(scores), np.concatenate(points)
        keep = nms(b, s, self.iou)
        return Detections(b[keep], s[keep], p[keep])

    def decode(self, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes (N, 4), points (N, 2) in 0..1 of the network's input, scores (N,), of a tile."""
        raise NotImplementedError

    def head_points(self, boxes: np.ndarray) -> np.ndarray:
        """Head points (N, 2) of boxes (N, 4): their centres, or near the top of whole bodies."""
        cx = (boxes[:, 0] + boxes[:, 2]) / 2
        if self.head == "top":
            return np.stack([cx, boxes[:, 1] + HEAD_DOWN * (boxes[:, 3] - boxes[:, 1])], axis=-1)
        return np.stack([cx, (boxes[:, 1] + boxes[:, 3]) / 2], axis=-1)


HEAD_DOWN = 0.1
"""Where the head is in a whole-body box: this share of its height below the top."""


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
    pixels (then keypoints), and one score logit per anchor (1, A, 1); the
    adapter may name them (roles ``boxes`` and ``scores``), else the one with
    four or more values per anchor is the regressors.
    """

    roles = ("boxes", "scores")

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
        **kwargs: Any,
    ):
        self.name = name
        super().__init__(path, frame_size, grid, spec, threshold, iou, device, tile, **kwargs)
        if self.net[0] != self.net[1]:
            raise ModelError(f"{path}: SSD anchors need a square input, got {self.net}")
        self.anchors = ssd_anchors(self.size, strides, per_layer)
        outs = self.compiled.outputs
        if "boxes" in self.output_of:
            self._reg = self.output_of["boxes"]
        else:
            regs = [o for o in outs if o.partial_shape[-1].get_length() >= 4]
            self._reg = outs.index(regs[0]) if regs else -1
        self._score = self.output_of.get("scores", 1 - self._reg if len(outs) == 2 else -1)
        reg = outs[self._reg] if self._reg >= 0 else None
        if reg is None or self._score < 0 or reg.partial_shape[1].get_length() != len(self.anchors):
            raise ModelError(
                f"{path}: outputs {[str(o.partial_shape) for o in outs]} "
                f"do not fit {len(self.anchors)} anchors from strides {strides}"
            )

    def decode(self, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Anchor offsets to boxes; sigmoid scores over the threshold."""
        reg = outputs[self._reg][0]
        logits = outputs[self._score][0, :, 0]
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -80.0, 80.0)))
        hit = np.flatnonzero(scores >= self.threshold)
        reg, a = reg[hit] / self.size, self.anchors[hit]
        cx, cy = reg[:, 0] + a[:, 0], reg[:, 1] + a[:, 1]
        w, h = reg[:, 2], reg[:, 3]
        boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)
        return boxes, scores[hit], self.head_points(boxes)


class HeatmapDetector(TiledDetector):
    """A centre-heatmap detector: one output (1, 1, H/s, W/s) of person-centre probabilities.

    Each local maximum over ``threshold`` is a person; its box is a square of
    ``box`` (share of the tile) around the peak. The adapter may name the output
    (role ``heatmap``); else it is the first.
    """

    roles = ("heatmap",)

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
        **kwargs: Any,
    ):
        self.name = name
        super().__init__(path, frame_size, grid, spec, threshold, 0.3, device, tile, **kwargs)
        self.box = box
        self._heat = self.output_of.get("heatmap", 0)

    def decode(self, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Local maxima of the heatmap (3x3) over the threshold."""
        import cv2

        heat = outputs[self._heat][0, 0]
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


def _one_output(detector: TiledDetector, role: str, rank: int, path: Path) -> int:
    """The output a one-output decoder reads: named by the adapter, or the only one of ``rank``."""
    if role in detector.output_of:
        return detector.output_of[role]
    outs = detector.compiled.outputs
    fits = [i for i, o in enumerate(outs) if o.partial_shape.rank.get_length() == rank]
    if len(fits) != 1:
        names = [sorted(o.get_names()) for o in outs]
        raise ModelError(
            f"{path}: expected one {rank}-D output, got {[str(o.partial_shape) for o in outs]}; "
            f"name it in the adapter (outputs: {{{role}: NAME}}), the outputs are {names}"
        )
    return fits[0]


def _wanted(classes: tuple[int, ...] | None, labels: np.ndarray) -> np.ndarray:
    """Which labels count as people (all when ``classes`` is None)."""
    return np.ones(len(labels), bool) if classes is None else np.isin(labels, classes)


class DetectionOutputDetector(TiledDetector):
    """OpenVINO's DetectionOutput: one output (1, 1, N, 7) of detections.

    Each row is (image_id, label, confidence, x_min, y_min, x_max, y_max), the
    box in 0..1 of the input. Rows after the last detection have image_id -1.
    ``classes`` keeps only the labels that are people (e.g. 1 for person-detection-retail-0013).
    """

    roles = ("detections",)

    def __init__(
        self,
        path: Path,
        frame_size: tuple[int, int],
        grid: tuple[int, int] = (1, 1),
        spec: InputSpec = InputSpec(layout="NCHW", mean=0.0, scale=1.0),
        threshold: float = 0.5,
        iou: float = 0.3,
        device: str = "CPU",
        name: str = "detector",
        tile: int | None = None,
        classes: tuple[int, ...] | None = None,
        **kwargs: Any,
    ):
        self.name = name
        super().__init__(path, frame_size, grid, spec, threshold, iou, device, tile, **kwargs)
        self.classes = classes
        self._out = _one_output(self, "detections", 4, path)
        shape = self.compiled.outputs[self._out].partial_shape
        if shape[-1].is_dynamic or shape[-1].get_length() != 7:
            raise ModelError(f"{path}: a DetectionOutput has 7 values per row, got {shape}")

    def decode(self, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows of this image over the threshold whose label is a person."""
        rows = outputs[self._out].reshape(-1, 7)
        ok = (rows[:, 0] >= 0) & (rows[:, 2] >= self.threshold)
        ok &= _wanted(self.classes, rows[:, 1].round().astype(int))
        rows = rows[ok]
        boxes = rows[:, 3:7].astype(float)
        return boxes, rows[:, 2].astype(float), self.head_points(boxes)


class YoloDetector(TiledDetector):
    """A YOLO-style box table: (1, N, 5 + C) or (1, 4 + C, N).

    Each box is centre x, centre y, width, height, then (with ``objectness``)
    an object score, then C class scores. The longer axis is the boxes.
    ``objectness`` None takes the usual layouts: boxes first (YOLOv5/v7) have
    an object score, channels first (YOLOv8 and later) do not. Coordinates are
    input pixels unless ``normalized``; scores are probabilities (exports apply
    the sigmoid). A box's score is its best people class times its object score.
    """

    roles = ("detections",)

    def __init__(
        self,
        path: Path,
        frame_size: tuple[int, int],
        grid: tuple[int, int] = (1, 1),
        spec: InputSpec = InputSpec(layout="NCHW", mean=0.0, scale=255.0),
        threshold: float = 0.5,
        iou: float = 0.45,
        device: str = "CPU",
        name: str = "yolo",
        tile: int | None = None,
        classes: tuple[int, ...] | None = None,
        objectness: bool | None = None,
        normalized: bool = False,
        **kwargs: Any,
    ):
        self.name = name
        super().__init__(path, frame_size, grid, spec, threshold, iou, device, tile, **kwargs)
        self._out = _one_output(self, "detections", 3, path)
        shape = self.compiled.outputs[self._out].partial_shape
        if shape.rank.get_length() != 3 or shape[1].is_dynamic or shape[2].is_dynamic:
            raise ModelError(f"{path}: a YOLO output is (1, N, 5+C) or (1, 4+C, N), got {shape}")
        a, b = shape[1].get_length(), shape[2].get_length()
        self.channels_first = a < b
        self.objectness = (not self.channels_first) if objectness is None else objectness
        values = min(a, b)
        self.n_classes = values - 4 - int(self.objectness)
        if self.n_classes < 1:
            raise ModelError(f"{path}: {values} values per box leave no class scores ({shape})")
        if classes is not None and max(classes) >= self.n_classes:
            raise ModelError(f"{path}: classes {list(classes)} but the model has {self.n_classes}")
        self.classes = list(range(self.n_classes)) if classes is None else list(classes)
        self.units = np.array([1.0, 1.0] if normalized else self.net, dtype=float)

    def decode(self, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes whose best people-class score (times the object score) is over the threshold."""
        table = outputs[self._out][0]
        rows = table.T if self.channels_first else table
        first = 4 + int(self.objectness)
        scores = rows[:, first:][:, self.classes].max(axis=1)
        if self.objectness:
            scores = scores * rows[:, 4]
        hit = np.flatnonzero(scores >= self.threshold)
        xywh = rows[hit, :4].astype(float) / np.tile(self.units, 2)
        half = xywh[:, 2:] / 2
        boxes = np.concatenate([xywh[:, :2] - half, xywh[:, :2] + half], axis=1)
        return boxes, scores[hit].astype(float), self.head_points(boxes)
