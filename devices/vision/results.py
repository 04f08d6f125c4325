"""Typed model outputs: what ``model(frame)`` returns, whichever model made it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Detections:
    """People found in a frame: boxes (N, 4) as x0, y0, x1, y1 pixels and scores (N,).

    ``points`` (N, 2) is where each person's head is in the image, which cameras
    turn back into floor positions.
    """

    boxes: np.ndarray
    scores: np.ndarray
    points: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.scores)
        if self.boxes.shape != (n, 4) or self.points.shape != (n, 2):
            raise ValueError("boxes must be (N, 4) and points (N, 2) for N scores")

    @classmethod
    def empty(cls) -> Detections:
        """No detections."""
        return cls(np.zeros((0, 4)), np.zeros(0), np.zeros((0, 2)))

    def __len__(self) -> int:
        return len(self.scores)


@dataclass(frozen=True)
class TextLine:
    """One line of text read in a frame: its box, text and confidence."""

    box: tuple[float, float, float, float]
    text: str
    score: float


@dataclass(frozen=True)
class TagReading:
    """What a camera read on one price tag; ``price_cents`` is None when no price was legible."""

    sku: int
    text: str
    price_cents: int | None
