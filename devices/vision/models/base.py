"""OpenVINO models as ``preprocess -> infer -> postprocess``, sync or through AsyncInferQueue.

A model here is a compiled OpenVINO network plus the few numpy steps around it
that the network cannot do itself. Resize, layout and scaling go into the
compiled graph with PrePostProcessor, so ``preprocess`` only cuts the frame into
the tensors the graph takes (one or several per frame: tiles, text crops).
"""

from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

R = TypeVar("R")

SUFFIXES = (".xml", ".onnx", ".tflite")


class ModelError(ValueError):
    """A model file that is missing, unreadable or does not fit its adapter."""


@cache
def core():
    """The process's one OpenVINO Core (created on first use)."""
    import openvino as ov

    return ov.Core()


def compile_model(network: Any, device: str, hint: str = "THROUGHPUT") -> Any:
    """Compile for throughput by default: many requests in flight (streams, a frame's tiles).

    ``hint="LATENCY"`` puts every core on one request instead: a frame that is
    a single synchronous request runs about twice as fast that way on 2 cores
    (the ceiling net: 1.6 vs 3.3 ms).

    On the CPU the model runs in f32 whatever the processor: OpenVINO's CPU
    plugin otherwise drops to bf16 where the processor has it (AVX-512 BF16,
    AMX), so the same frame would give other detections on other machines.
    """
    config = {"PERFORMANCE_HINT": hint}
    if device == "CPU":
        config["INFERENCE_PRECISION_HINT"] = "f32"
    return core().compile_model(network, device, config)


def read_model(path: Path):
    """Read an OpenVINO-readable file, with a clear error when it is not one."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ModelError(f"{path}: expected one of {', '.join(SUFFIXES)}")
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    try:
        return core().read_model(str(path))
    except RuntimeError as exc:
        raise ModelError(f"OpenVINO cannot read {path}: {openvino_reason(str(exc))}") from None


_WRAPPING = re.compile(
    r"^(Exception from \S+|Check '.*' failed at \S+|FrontEnd API failed with \w+:?)$"
)
"""Lines of an OpenVINO error that say where it was raised, not why."""


def openvino_reason(message: str) -> str:
    """The line of an OpenVINO error message that says what is wrong (its last real reason).

    OpenVINO wraps the frontend's reason ("FlatBuffer verification failed") in
    lines naming the C++ source file that raised it; those are dropped.
    """
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    reasons = [line for line in lines if not _WRAPPING.match(line)]
    return (reasons or lines or ["unknown error"])[-1]


def async_queue(compiled: Any, jobs: int) -> Any:
    """An AsyncInferQueue of ``jobs`` requests on a compiled network."""
    import openvino as ov

    return ov.AsyncInferQueue(compiled, jobs)


def _copies(request: Any) -> list[np.ndarray]:
    """Copies of a finished request's outputs (the request's buffers are reused)."""
    return [t.data.copy() for t in request.output_tensors]


def run_queue(queue: Any, feeds: Iterable[tuple[Hashable, np.ndarray]]) -> dict[Hashable, list]:
    """Run every ``(key, tensor)`` through ``queue``; copies of each request's outputs by key.

    ``feeds`` may be lazy: whatever produces the next tensor (rendering,
    cropping) runs while the queued requests infer.
    """
    out: dict[Hashable, list] = {}

    def finished(request, key: Hashable) -> None:
        out[key] = _copies(request)

    queue.set_callback(finished)
    for key, tensor in feeds:
        queue.start_async({0: tensor}, key)
    queue.wait_all()
    return out


@dataclass
class Timings:
    """Seconds spent in each stage, summed over calls."""

    preprocess: float = 0.0
    infer: float = 0.0
    postprocess: float = 0.0
    calls: int = 0
    requests: int = 0
    per_frame: list[float] = field(default_factory=list)
    second_stage: float = 0.0
    """Inference a model runs inside its postprocess (the OCR recogniser), moved to ``infer``."""


class Model(ABC, Generic[R]):
    """A compiled network with its own pre- and post-processing.

    Subclasses set ``name`` and ``task`` and implement the three stages;
    ``compiled`` is an ``openvino.CompiledModel`` with one input.
    """

    name: str = "model"
    task: str = "people"

    def __init__(self, compiled: Any, source: Path, latency: Callable[[], Any] | None = None):
        """``latency`` compiles the same network for latency, for single synchronous requests."""
        self.compiled = compiled
        self.source = Path(source)
        self.timings = Timings()
        self._latency = latency
        self._queue: Any = None

    @abstractmethod
    def preprocess(self, image: np.ndarray) -> tuple[list[np.ndarray], Any]:
        """Input tensors for one frame, and what postprocess needs to map results back."""

    @abstractmethod
    def postprocess(self, outputs: list[list[np.ndarray]], meta: Any) -> R:
        """The typed result of one frame from the outputs of each of its requests."""

    def infer(self, tensor: np.ndarray) -> list[np.ndarray]:
        """One synchronous inference; returns copies of every output.

        Runs on the latency-compiled network when the model has one (compiled on
        first use): cameras in the twin send one frame at a time.
        """
        self._request.infer({0: tensor})
        return [t.data.copy() for t in self._request.output_tensors]

    @cached_property
    def _request(self) -> Any:
        return (self._latency() if self._latency else self.compiled).create_infer_request()

    def jobs(self) -> int:
        """Requests to keep in flight: four per request the device finds optimal.

        Python hands requests over more slowly than benchmark_app's C++ loop, so
        a deeper queue keeps the device busy (measured: 2 -> 8 requests gave
        about a fifth more throughput on 2 cores).
        """
        return 4 * int(self.compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))

    def infer_all(self, tensors: list[np.ndarray]) -> list[list[np.ndarray]]:
        """Outputs of several requests (a frame's tiles), run in parallel."""
        if len(tensors) == 1:
            return [self.infer(tensors[0])]
        if self._queue is None:
            self._queue = async_queue(self.compiled, self.jobs())
        done = run_queue(self._queue, enumerate(tensors))
        return [done[k] for k in range(len(tensors))]

    def __call__(self, image: np.ndarray) -> R:
        """Run one frame: preprocess -> infer (its requests in parallel) -> postprocess."""
        tm = self.timings
        t0 = time.perf_counter()
        tensors, meta = self.preprocess(image)
        t1 = time.perf_counter()
        outputs = self.infer_all(tensors)
        t2 = time.perf_counter()
        stage = tm.second_stage
        result = self.postprocess(outputs, meta)
        t3 = time.perf_counter()
        inner = tm.second_stage - stage
        tm.preprocess += t1 - t0
        tm.infer += t2 - t1 + inner
        tm.postprocess += t3 - t2 - inner
        tm.calls += 1
        tm.requests += len(tensors)
        tm.per_frame.append(t3 - t0)
        return result

    def stream(
        self, images: Iterable[np.ndarray], jobs: int = 0, done: Callable[[], None] | None = None
    ) -> list[R]:
        """Results for many frames, the requests in flight together in an AsyncInferQueue.

        Frames are produced (rendered) and preprocessed, and finished ones
        postprocessed, while other requests run: that is where the throughput
        comes from.

        Args:
            images: Frames, possibly produced lazily.
            jobs: Requests in flight; 0 takes ``jobs()``.
            done: Called once per finished frame (progress bars).
        """
        results: dict[int, R] = {}
        for frame, outputs, meta in self.stream_outputs(images, jobs):
            results[frame] = self.postprocess(outputs, meta)
            if done:
                done()
        return [results[k] for k in range(len(results))]

    def stream_outputs(
        self, images: Iterable[np.ndarray], jobs: int = 0
    ) -> Iterator[tuple[int, list[list[np.ndarray]], Any]]:
        """Frames as their requests finish: (frame index, outputs per request, preprocess meta).

        Frames come out in the order they finish, which need not be the order in.
        """
        queue = async_queue(self.compiled, jobs or self.jobs())
        finished: deque[tuple[tuple[int, int], list[np.ndarray]]] = deque()
        pending: dict[int, tuple[list[Any], Any]] = {}
        queue.set_callback(lambda request, key: finished.append((key, _copies(request))))

        def complete() -> Iterator[tuple[int, list[list[np.ndarray]], Any]]:
            while finished:
                (frame, k), out = finished.popleft()
                outputs, meta = pending[frame]
                outputs[k] = out
                if all(o is not None for o in outputs):
                    del pending[frame]
                    yield frame, outputs, meta

        for frame, image in enumerate(images):
            tensors, meta = self.preprocess(image)
            if not tensors:
                raise ModelError(f"{self.name}: preprocess gave no tensors for frame {frame}")
            pending[frame] = ([None] * len(tensors), meta)
            for k, tensor in enumerate(tensors):
                queue.start_async({0: tensor}, (frame, k))
            yield from complete()
        queue.wait_all()
        yield from complete()

    def networks(self) -> list[tuple[Path, list[int] | None, float]]:
        """The networks one frame runs: (file, static input shape or None, items per frame).

        Items are what benchmark_app's FPS counts: inferences times batch. This
        is what ``benchmark_app`` is run on to compare the pipeline with.
        """
        per_frame = self.timings.requests / max(self.timings.calls, 1)
        return [(self.source, getattr(self, "net_shape", None), per_frame or 1.0)]

    def input_shape(self) -> Sequence[int]:
        """Static shape of the compiled input tensor."""
        return list(self.compiled.inputs[0].shape)
