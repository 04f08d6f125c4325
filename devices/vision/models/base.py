"""OpenVINO models as ``preprocess -> infer -> postprocess``, sync or through AsyncInferQueue.

A model here is a compiled OpenVINO network plus the few numpy steps around it
that the network cannot do itself. Resize, layout and scaling go into the
compiled graph with PrePostProcessor, so ``preprocess`` only cuts the frame into
the tensors the graph takes (one or several per frame: tiles, text crops).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
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
        raise ModelError(f"OpenVINO cannot read {path}: {str(exc).splitlines()[0]}") from None


@dataclass
class Timings:
    """Seconds spent in each stage, summed over calls."""

    preprocess: float = 0.0
    infer: float = 0.0
    postprocess: float = 0.0
    calls: int = 0
    requests: int = 0
    per_frame: list[float] = field(default_factory=list)


class Model(ABC, Generic[R]):
    """A compiled network with its own pre- and post-processing.

    Subclasses set ``name`` and ``task`` and implement the three stages;
    ``compiled`` is an ``openvino.CompiledModel`` with one input.
    """

    name: str = "model"
    task: str = "people"

    def __init__(self, compiled: Any, source: Path):
        self.compiled = compiled
        self.source = Path(source)
        self.timings = Timings()
        self._request = compiled.create_infer_request()

    @abstractmethod
    def preprocess(self, image: np.ndarray) -> tuple[list[np.ndarray], Any]:
        """Input tensors for one frame, and what postprocess needs to map results back."""

    @abstractmethod
    def postprocess(self, outputs: list[list[np.ndarray]], meta: Any) -> R:
        """The typed result of one frame from the outputs of each of its requests."""

    def infer(self, tensor: np.ndarray) -> list[np.ndarray]:
        """One synchronous inference; returns copies of every output."""
        self._request.infer({0: tensor})
        return [self._request.get_output_tensor(i).data.copy() for i in range(self._n_outputs)]

    @property
    def _n_outputs(self) -> int:
        return len(self.compiled.outputs)

    def __call__(self, image: np.ndarray) -> R:
        """Run one frame synchronously: preprocess -> infer -> postprocess."""
        t0 = time.perf_counter()
        tensors, meta = self.preprocess(image)
        t1 = time.perf_counter()
        outputs = [self.infer(t) for t in tensors]
        t2 = time.perf_counter()
        result = self.postprocess(outputs, meta)
        t3 = time.perf_counter()
        tm = self.timings
        tm.preprocess += t1 - t0
        tm.infer += t2 - t1
        tm.postprocess += t3 - t2
        tm.calls += 1
        tm.requests += len(tensors)
        tm.per_frame.append(t3 - t0)
        return result

    def stream(
        self, images: Iterable[np.ndarray], jobs: int = 0, done: Callable[[], None] | None = None
    ) -> list[R]:
        """Results for many frames, the requests in flight together in an AsyncInferQueue.

        Frames are produced (rendered) and preprocessed while earlier requests
        run, which is where the throughput comes from.

        Args:
            images: Frames, possibly produced lazily.
            jobs: Requests in flight; 0 takes the device's optimal number.
            done: Called once per finished frame (progress bars).
        """
        import openvino as ov

        queue = ov.AsyncInferQueue(self.compiled, jobs)
        n_out = self._n_outputs
        outputs: list[list[list[np.ndarray] | None]] = []
        metas: list[Any] = []

        def finished(request, key: tuple[int, int]) -> None:
            frame, k = key
            outputs[frame][k] = [request.get_output_tensor(i).data.copy() for i in range(n_out)]

        queue.set_callback(finished)
        for frame, image in enumerate(images):
            tensors, meta = self.preprocess(image)
            outputs.append([None] * len(tensors))
            metas.append(meta)
            for k, tensor in enumerate(tensors):
                queue.start_async({0: tensor}, (frame, k))
        queue.wait_all()
        results = []
        for out, meta in zip(outputs, metas, strict=True):
            results.append(self.postprocess(out, meta))  # type: ignore[arg-type]
            if done:
                done()
        return results

    def input_shape(self) -> Sequence[int]:
        """Static shape of the compiled input tensor."""
        return list(self.compiled.inputs[0].shape)
