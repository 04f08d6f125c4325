"""Price-tag OCR: rapidocr's PP-OCR det/rec ONNX files compiled by OpenVINO.

rapidocr ships the networks (Apache-2.0) and the DB box decoder and CTC label
decoder this module reuses; OpenVINO runs both networks, with resize, colour
order, scaling and layout in the compiled graphs (PrePostProcessor). The
detector runs once per frame (AsyncInferQueue in ``stream``); the recogniser
reads all of a frame's text boxes in one batch.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from devices.vision.frames import TagTruth
from devices.vision.models.base import (
    Model,
    ModelError,
    async_queue,
    compile_model,
    read_model,
    run_queue,
)
from devices.vision.results import TagReading, TextLine

PRICE = re.compile(r"(\d{1,5})[.,](\d{2})(?!\d)")
REC_HEIGHT, REC_WIDTH = 48, 320


def rapidocr_models() -> Path:
    """The folder where the installed rapidocr package keeps its ONNX files."""
    try:
        import rapidocr
    except ImportError as exc:  # pragma: no cover - rapidocr is a dependency
        raise ModelError("the OCR model needs the rapidocr package") from exc
    return Path(rapidocr.__file__).parent / "models"


def parse_price(text: str) -> int | None:
    """Cents of the last price-like number in ``text`` (``12.90`` -> 1290), or None."""
    found = PRICE.findall(text.replace(" ", ""))
    if not found:
        return None
    units, cents = found[-1]
    return int(units) * 100 + int(cents)


def _image_input(model: Any, shape: list[int], best: bool = False) -> Any:
    """A PaddleOCR network made to take uint8 RGB NHWC images of ``shape``.

    The graph resizes only when ``shape`` differs from the network's own size.
    With ``best`` the graph ends in the most likely class per step (values,
    indices) instead of the full distribution: the recogniser's scores over
    18,710 characters at 40 steps are 57 MB for a batch of 19 lines, and copying
    them out cost more than a third of its throughput.
    """
    import openvino as ov
    import openvino.opset13 as ops
    from openvino.preprocess import ColorFormat, PrePostProcessor, ResizeAlgorithm

    size = [d.get_length() if d.is_static else -1 for d in model.inputs[0].partial_shape][2:]
    if best:
        top = ops.topk(model.get_results()[0].input_value(0), 1, -1, "max", "none")
        top.output(0).get_tensor().set_names({"best_prob"})
        top.output(1).get_tensor().set_names({"best_index"})
        model = ov.Model([top.output(0), top.output(1)], model.get_parameters(), "rec_best")
    ppp = PrePostProcessor(model)
    tensor = ppp.input().tensor()
    tensor.set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC")).set_color_format(
        ColorFormat.RGB
    )
    tensor.set_shape(shape)
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    pre = ppp.input().preprocess()
    pre.convert_color(ColorFormat.BGR)
    if list(shape[1:3]) != size:
        pre.resize(ResizeAlgorithm.RESIZE_LINEAR)
    pre.convert_element_type(ov.Type.f32).mean(127.5).scale(127.5)
    return ppp.build()


class TextReader(Model[list[TextLine]]):
    """Finds and reads every line of text in a frame: DB detector, then CTC recogniser.

    Args:
        frame_size: (width, height) of the frames the camera takes.
        det_side: The detector works on the frame scaled so its short side is
            this many pixels (rounded to multiples of 32), like rapidocr's
            ``Det.limit_side_len``.
        device: OpenVINO device.
    """

    name = "ppocr"
    task = "ocr"

    def __init__(
        self,
        frame_size: tuple[int, int],
        det_side: int = 544,
        device: str = "CPU",
        det_path: Path | None = None,
        rec_path: Path | None = None,
    ):
        from rapidocr.ch_ppocr_det.utils import DBPostProcess
        from rapidocr.ch_ppocr_rec.utils import CTCLabelDecode

        root = rapidocr_models()
        det_path = det_path or root / "PP-OCRv6_det_small.onnx"
        rec_path = rec_path or root / "PP-OCRv6_rec_small.onnx"
        w, h = frame_size
        ratio = det_side / min(w, h)
        dh, dw = (max(32, round(v * ratio / 32) * 32) for v in (h, w))
        det = read_model(det_path)
        self.net_shape = [1, 3, dh, dw]
        det.reshape({det.inputs[0]: self.net_shape})
        det_net = _image_input(det, [1, h, w, 3])
        super().__init__(
            compile_model(det_net, device),
            det_path,
            latency=lambda: compile_model(det_net, device, "LATENCY"),
        )
        self.frame_size = frame_size
        rec = read_model(rec_path)
        try:
            chars = rec.get_rt_info()["framework"]["character"].value.splitlines()
        except (KeyError, RuntimeError) as exc:
            raise ModelError(f"{rec_path}: no character list in the model's metadata") from exc
        rec.reshape({rec.inputs[0]: [-1, 3, REC_HEIGHT, REC_WIDTH]})
        rec_net = _image_input(rec, [-1, REC_HEIGHT, REC_WIDTH, 3], best=True)
        self.rec = compile_model(rec_net, device)
        self._rec_latency = lambda: compile_model(rec_net, device, "LATENCY")
        self.rec_path = rec_path
        self.lines_read = 0
        self.frames_read = 0
        self.boxes = DBPostProcess(thresh=0.3, box_thresh=0.5, unclip_ratio=1.6)
        self.decode = CTCLabelDecode(character=chars)

    def networks(self) -> list[tuple[Path, list[int] | None, float]]:
        """The detector once per frame; the recogniser on every line the frame has, in one batch."""
        lines = self.lines_read / max(self.frames_read, 1)
        return [
            (self.source, self.net_shape, 1.0),
            (self.rec_path, [max(1, round(lines)), 3, REC_HEIGHT, REC_WIDTH], lines),
        ]

    def preprocess(self, image: np.ndarray) -> tuple[list[np.ndarray], Any]:
        """The frame itself; the graph scales it to the detector's size."""
        h, w = image.shape[:2]
        if (w, h) != self.frame_size:
            raise ModelError(f"{self.name} was compiled for {self.frame_size} frames, got {(w, h)}")
        return [np.ascontiguousarray(image)[None]], image

    def postprocess(self, outputs: list[list[np.ndarray]], meta: Any) -> list[TextLine]:
        """Boxes from the probability map, then one recogniser batch over their crops."""
        boxes, crops = self.find(outputs, meta)
        if crops is None:
            return []
        t0 = time.perf_counter()
        self._rec_request.infer({0: crops})
        best = [t.data for t in self._rec_request.output_tensors]
        self.timings.second_stage += time.perf_counter() - t0
        return self.read(boxes, best)

    @cached_property
    def _rec_request(self) -> Any:
        """The recogniser's request for synchronous reads, on its latency-compiled copy."""
        return self._rec_latency().create_infer_request()

    def find(self, outputs: list[list[np.ndarray]], image: np.ndarray) -> tuple[Any, Any]:
        """Text boxes from the detector's probability map and their recogniser crops (or None)."""
        self.frames_read += 1
        boxes, _ = self.boxes(outputs[0][0], image.shape[:2])
        if len(boxes) == 0:
            return boxes, None
        self.lines_read += len(boxes)
        return boxes, np.stack([_rec_crop(image, box) for box in boxes])

    def read(self, boxes: Any, best: list[np.ndarray]) -> list[TextLine]:
        """Text lines from the recogniser's best character per step (probability, index)."""
        prob, index = (t[..., 0] for t in best)
        lines, _ = self.decode.decode(index, prob, remove_duplicate=True)
        out = []
        for box, (text, score) in zip(boxes, lines, strict=True):
            x0, y0 = box.min(axis=0)
            x1, y1 = box.max(axis=0)
            out.append(TextLine((float(x0), float(y0), float(x1), float(y1)), text, float(score)))
        return out

    def stream(
        self, images: Iterable[np.ndarray], jobs: int = 0, done: Callable[[], None] | None = None
    ) -> list[list[TextLine]]:
        """Many frames through two queues: the detector's, then the recogniser's.

        A frame's crops go to the recogniser as soon as its detector request is
        done, so both networks, and finding boxes in Python, run at once.
        """
        found: dict[int, Any] = {}

        def feeds() -> Iterator[tuple[int, np.ndarray]]:
            for frame, outputs, image in self.stream_outputs(images, jobs):
                found[frame], crops = self.find(outputs, image)
                if crops is not None:
                    yield frame, crops

        preds = run_queue(async_queue(self.rec, jobs or self.jobs()), feeds())
        results = []
        for frame in range(len(found)):
            results.append(self.read(found[frame], preds[frame]) if frame in preds else [])
            if done:
                done()
        return results


def _rec_crop(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """A text box straightened, scaled to the recogniser's height and padded to its width."""
    import cv2
    from rapidocr.utils.process_img import get_rotate_crop_image

    crop = get_rotate_crop_image(image, quad.astype(np.float32))
    h, w = crop.shape[:2]
    new_w = min(REC_WIDTH, max(1, int(np.ceil(REC_HEIGHT * w / max(h, 1)))))
    out = np.full((REC_HEIGHT, REC_WIDTH, 3), 128, dtype=np.uint8)
    out[:, :new_w] = cv2.resize(crop, (new_w, REC_HEIGHT))
    return out


def read_tags(lines: list[TextLine], tags: list[TagTruth]) -> list[TagReading]:
    """Assign text lines to the tag slots they fall in; a tag's price is its tallest price text.

    The slots come from the planogram (where each SKU's tag hangs); only what is
    printed on them is read.
    """
    out = []
    for tag in tags:
        x0, y0, x1, y1 = tag.box
        mine = [
            line
            for line in lines
            if x0 <= (line.box[0] + line.box[2]) / 2 <= x1
            and y0 <= (line.box[1] + line.box[3]) / 2 <= y1
        ]
        mine.sort(key=lambda line: line.box[1])
        prices = [
            (line.box[3] - line.box[1], cents)
            for line in mine
            if (cents := parse_price(line.text)) is not None
        ]
        price = max(prices)[1] if prices else None
        out.append(TagReading(tag.sku, " | ".join(line.text for line in mine), price))
    return out
