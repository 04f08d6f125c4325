"""Pinhole cameras in store coordinates (metres; x across, y into the store, z up).

One small class serves the renderer (world -> pixels) and the cameras
(pixels -> floor), so a detection is turned back into a floor position with the
same pose that drew the frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Pinhole:
    """A camera at ``position`` looking at ``target`` with a horizontal field of view.

    Straight-down cameras (ceiling) keep the store's +y axis pointing up in the image.
    """

    position: tuple[float, float, float]
    target: tuple[float, float, float]
    width: int = 640
    height: int = 480
    hfov_deg: float = 70.0

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16:
            raise ValueError(f"image too small: {self.width}x{self.height}")
        if not 5.0 <= self.hfov_deg <= 170.0:
            raise ValueError(f"hfov_deg must be in [5, 170], got {self.hfov_deg}")
        if np.allclose(self.position, self.target):
            raise ValueError("a camera cannot look at its own position")

    @cached_property
    def focal(self) -> float:
        """Focal length in pixels."""
        return self.width / 2 / math.tan(math.radians(self.hfov_deg) / 2)

    @cached_property
    def rotation(self) -> np.ndarray:
        """Rows: the camera's right, down and forward axes in world coordinates."""
        forward = np.subtract(self.target, self.position).astype(float)
        forward /= np.linalg.norm(forward)
        up = np.array([0.0, 0.0, 1.0])
        if abs(forward @ up) > 0.999:
            up = np.array([0.0, 1.0, 0.0])
        right = np.cross(forward, up)
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        return np.stack([right, down, forward])

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixels (..., 2) and depth along the view axis (...) of world points (..., 3)."""
        cam = (np.asarray(points, dtype=float) - self.position) @ self.rotation.T
        depth = cam[..., 2]
        z = np.where(depth > 1e-6, depth, 1e-6)
        uv = np.stack(
            [
                self.focal * cam[..., 0] / z + self.width / 2,
                self.focal * cam[..., 1] / z + self.height / 2,
            ],
            axis=-1,
        )
        return uv, depth

    def scale_at(self, depth: np.ndarray | float) -> np.ndarray | float:
        """Pixels per metre for an object facing the camera at ``depth``."""
        return self.focal / np.maximum(depth, 1e-6)

    def unproject(self, uv: np.ndarray, height_m: float) -> np.ndarray:
        """Floor positions (..., 2) of pixels (..., 2) that show points at ``height_m``."""
        uv = np.asarray(uv, dtype=float)
        rays = np.stack(
            [
                (uv[..., 0] - self.width / 2) / self.focal,
                (uv[..., 1] - self.height / 2) / self.focal,
                np.ones(uv.shape[:-1]),
            ],
            axis=-1,
        )
        world = rays @ self.rotation
        dz = np.where(np.abs(world[..., 2]) > 1e-9, world[..., 2], -1e-9)
        t = (height_m - self.position[2]) / dz
        return np.asarray(self.position[:2]) + t[..., None] * world[..., :2]
