"""Standard camera poses and labelled scenes, shared by cameras, the benchmark and training.

The queue camera and ceiling camera poses are defined once here, so the
benchmark measures the very view a camera in a run has, and the top-down net
is trained on it.
"""

from __future__ import annotations

import math

import numpy as np

from devices.vision.geometry import Pinhole
from devices.vision.render import Person
from scenarios.schema import Layout

FACING_TILLS = -math.pi / 2
"""Heading of a shopper who faces the front of the store (the tills)."""


def queue_camera(layout: Layout, lane: int, width: int = 640, height: int = 480) -> Pinhole:
    """The oblique camera over one lane's queue: high on the front wall, beside the till."""
    c = layout.tills
    x = c.x + lane * c.spacing_m
    return Pinhole(
        (x + 2.5, max(c.y - 1.5, 0.0), 2.6), (x, c.y + 2.5, 1.0), width, height, hfov_deg=60.0
    )


def queue_region(layout: Layout, lane: int, places: int = 8) -> tuple[float, float, float, float]:
    """Floor rectangle of one lane's queue: the paying place and ``places`` behind it."""
    c = layout.tills
    x = c.x + lane * c.spacing_m
    return (x - 0.7, c.y - 0.6, x + 0.7, c.y + (places + 0.5) * c.queue_spacing_m)


def ceiling_camera(
    x: float, y: float, height: float = 3.5, hfov_deg: float = 90.0, size: int = 320
) -> Pinhole:
    """A straight-down camera on the ceiling above (x, y)."""
    return Pinhole((x, y, height), (x, y, 0.0), size, size, hfov_deg)


def queue_people(
    layout: Layout,
    lane: int,
    n: int,
    rng: np.random.Generator,
    first_pid: int = 0,
    sway_m: float = 0.2,
) -> list[Person]:
    """``n`` shoppers in a lane's queue facing the till; each stands a little off the line."""
    c = layout.tills
    x = c.x + lane * c.spacing_m
    return [
        Person(
            first_pid + k,
            x + float(rng.uniform(-sway_m, sway_m)),
            c.y + k * c.queue_spacing_m,
            FACING_TILLS + float(rng.normal(0, 0.2)),
        )
        for k in range(n)
    ]


def floor_crowd(
    cam: Pinhole, n: int, rng: np.random.Generator, first_pid: int = 0, spacing_m: float = 0.55
) -> list[Person]:
    """Up to ``n`` people standing apart at random in the floor area a camera sees."""
    corners = cam.unproject(
        np.array([[0, 0], [cam.width, 0], [0, cam.height], [cam.width, cam.height]]), 1.7
    )
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    placed: list[Person] = []
    for _ in range(n * 20):
        if len(placed) == n:
            break
        x, y = rng.uniform(x0 + 0.2, x1 - 0.2), rng.uniform(y0 + 0.2, y1 - 0.2)
        if all(math.hypot(x - p.x, y - p.y) >= spacing_m for p in placed):
            placed.append(
                Person(first_pid + len(placed), float(x), float(y), rng.uniform(-np.pi, np.pi))
            )
    return placed
