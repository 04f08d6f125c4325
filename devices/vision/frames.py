"""What a rendered frame carries: the pixels, and the truth the twin knows about them.

Every frame has its ground truth (architecture rule 5), so any model's output
can be scored against it, in the benchmark and inside a run alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 in pixels."""


@dataclass(frozen=True)
class Conditions:
    """Imaging conditions: light level (1 = normal), blur radius and noise in pixels/levels."""

    light: float = 1.0
    blur: float = 0.0
    noise: float = 2.0

    def __post_init__(self) -> None:
        if not 0.05 <= self.light <= 3.0:
            raise ValueError(f"light must be in [0.05, 3], got {self.light}")
        if self.blur < 0 or self.noise < 0:
            raise ValueError("blur and noise must be >= 0")


NORMAL = Conditions()
"""A well-lit store, a sharp lens and a little sensor noise."""


@dataclass(frozen=True)
class PersonTruth:
    """One person in view: ids, boxes, where they stand, and how much of the head shows."""

    pid: int
    box: Box
    head: Box
    floor: tuple[float, float]
    facing_camera: bool
    visible: float


@dataclass(frozen=True)
class TagTruth:
    """One shelf-edge price tag in view."""

    sku: int
    box: Box
    name: str
    code: str
    shown_cents: int
    price_cents: int


@dataclass(frozen=True)
class Frame:
    """An RGB image (H, W, 3, uint8) taken at ``t`` with everything true about it."""

    image: np.ndarray
    t: float
    people: tuple[PersonTruth, ...] = ()
    tags: tuple[TagTruth, ...] = ()
    regions: dict[str, int] = field(default_factory=dict)
    condition: dict[str, str | float] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """People in view."""
        return len(self.people)
