"""Labelled top-down frames rendered from the twin's own store, for the ceiling-camera net.

Frames come from ceiling cameras at random places over the supermarket floor,
with random crowds, camera heights and imaging conditions. The labels are the
head centres the renderer knows. Everything follows from one seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from devices.vision.frames import Conditions, Frame
from devices.vision.geometry import Pinhole
from devices.vision.render import Renderer
from devices.vision.scenes import ceiling_camera, floor_crowd
from scenarios import load


@dataclass(frozen=True)
class TopDownSet:
    """Frames (N, H, W, 3) uint8 and, per frame, head centres in pixels (K, 2)."""

    images: np.ndarray
    heads: list[np.ndarray]


def random_conditions(rng: np.random.Generator) -> Conditions:
    """Light, blur and noise drawn over the range the benchmark covers."""
    return Conditions(
        light=float(rng.uniform(0.45, 1.35)),
        blur=float(rng.choice([0.0, 0.0, 0.6, 1.2])),
        noise=float(rng.uniform(1.0, 8.0)),
    )


def random_ceiling(renderer: Renderer, rng: np.random.Generator, size: int) -> Pinhole:
    """A ceiling camera at a random place, height and field of view over the store."""
    lay = renderer.layout
    return ceiling_camera(
        float(rng.uniform(2.0, lay.width_m - 2.0)),
        float(rng.uniform(1.0, lay.depth_m - 2.0)),
        height=float(rng.uniform(3.0, 4.2)),
        hfov_deg=float(rng.uniform(80.0, 100.0)),
        size=size,
    )


def top_down_frame(
    renderer: Renderer,
    rng: np.random.Generator,
    size: int,
    max_people: int,
    pid: int,
    cam: Pinhole | None = None,
) -> Frame:
    """One ceiling view (random unless ``cam`` is given) with up to ``max_people`` people."""
    cam = cam or random_ceiling(renderer, rng, size)
    crowd = floor_crowd(cam, int(rng.integers(0, max_people + 1)), rng, first_pid=pid)
    cond = random_conditions(rng)
    frame = renderer.people(cam, crowd, conditions=cond, rng=rng)
    return replace(frame, condition={"light": cond.light, "blur": cond.blur})


def make_set(
    n: int,
    seed: int,
    size: int = 320,
    net_size: int = 192,
    max_people: int = 10,
    tick: Callable[[float], None] | None = None,
) -> TopDownSet:
    """``n`` frames rendered at ``size`` and resized to ``net_size``, as the camera's graph does."""
    import cv2

    rng = np.random.default_rng(seed)
    renderer = Renderer.of(load("supermarket"))
    images = np.empty((n, net_size, net_size, 3), dtype=np.uint8)
    heads = []
    scale = net_size / size
    for i in range(n):
        frame = top_down_frame(renderer, rng, size, max_people, pid=seed * 1_000_000 + i * 20)
        images[i] = cv2.resize(frame.image, (net_size, net_size), interpolation=cv2.INTER_LINEAR)
        centres = [((p.head[0] + p.head[2]) / 2, (p.head[1] + p.head[3]) / 2) for p in frame.people]
        heads.append(np.asarray(centres, dtype=np.float32).reshape(-1, 2) * scale)
        if tick and i % 50 == 0:
            tick(i / n)
    return TopDownSet(images, heads)
