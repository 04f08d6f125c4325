"""The benchmark's labelled frames: one generator per view, each frame tagged with its condition.

Conditions cycle deterministically so every bucket (crowd size, light, blur,
distance, pose) is covered even by a short run; all randomness comes from the
seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from devices.vision.frames import Conditions, Frame
from devices.vision.geometry import Pinhole
from devices.vision.render import Renderer
from devices.vision.scenes import queue_camera, queue_people, queue_region
from devices.vision.shelf import STANDARD_BAY, Bay, TagSpec, shelf_frame
from scenarios import load
from scenarios.schema import Scenario

LIGHTS = {"dim": 0.55, "normal": 1.0, "bright": 1.3}
BLURS = {"sharp": 0.0, "soft": 1.0}
SHELF_DISTANCES = {"near": 0.9, "mid": 1.1, "far": 1.3}
TOP_CROWDS = ("0-2", "3-5", "6+")

Keep = Callable[[dict[str, str]], bool]
"""Which frames to draw, by their condition labels (None: all of them)."""


@dataclass(frozen=True)
class Sample:
    """A frame, its condition labels, and (for queue frames) the queue's floor area."""

    frame: Frame
    condition: dict[str, str]
    region: tuple[float, float, float, float] | None = None
    cam: Pinhole | None = None


@cache
def bench_store() -> tuple[Scenario, Renderer]:
    """The supermarket the benchmark films, and one renderer for it.

    One renderer for the whole process keeps each installed camera's scenery,
    drawn once, as a camera in a store would have it.
    """
    scenario = load("supermarket")
    return scenario, Renderer.of(scenario)


def _look(i: int, rng: np.random.Generator) -> tuple[dict[str, str], Conditions]:
    light = list(LIGHTS)[i % len(LIGHTS)]
    blur = list(BLURS)[(i // len(LIGHTS)) % len(BLURS)]
    cond = Conditions(LIGHTS[light], BLURS[blur], float(rng.uniform(1.0, 6.0)))
    return {"light": light, "blur": blur}, cond


QUEUE_SIZES = 7
"""Queue frames show 0..6 people: every count a queue camera meets in a store, empty lanes too."""


def oblique_samples(
    n: int, seed: int, size: tuple[int, int] = (640, 480), keep: Keep | None = None
) -> Iterator[Sample]:
    """Checkout-queue frames with 0-6 people, from the standard pose and a higher one.

    Empty lanes are there because a store's cameras mostly see them: a model's
    false people on an empty lane are what the measured fidelity draws there.
    Of the ``n`` frames, those ``keep`` refuses are skipped before they are drawn.
    """
    rng = np.random.default_rng(seed)
    scenario, renderer = bench_store()
    layout = scenario.layout
    for i in range(n):
        lane = i % scenario.checkout.lanes
        front = queue_camera(layout, lane, *size)
        high = replace(front, position=(front.position[0], front.position[1], 3.4))
        pose, cam = (("standard", front), ("high", high))[(i // QUEUE_SIZES) % 2]
        crowd = i % QUEUE_SIZES
        labels, cond = _look(i // (2 * QUEUE_SIZES), rng)
        if keep and not keep({"crowd": str(crowd), "pose": pose, **labels}):
            continue
        people = queue_people(layout, lane, crowd, rng, first_pid=seed * 100_000 + i * 10)
        frame = renderer.people(cam, people, conditions=cond, rng=rng)
        region = queue_region(layout, lane)
        yield Sample(frame, {"crowd": str(crowd), "pose": pose, **labels}, region, cam)


def top_samples(n: int, seed: int, poses: int = 0, keep: Keep | None = None) -> Iterator[Sample]:
    """Ceiling frames with 0-10 people (held-out seed).

    Args:
        n: Frames.
        seed: Seed of places, crowds and conditions.
        poses: 0 puts every frame's camera somewhere new (accuracy); k > 0
            cycles through k fixed cameras, as installed cameras are (speed).
        keep: Of the ``n`` frames, only those whose labels it accepts are
            yielded (a ceiling frame's crowd and look are known once drawn).
    """
    from devices.vision.training.data import random_ceiling, top_down_frame

    rng = np.random.default_rng(seed + 77_777)
    _, renderer = bench_store()
    fixed = [random_ceiling(renderer, rng, 320) for _ in range(poses)]
    for i in range(n):
        cam = fixed[i % poses] if poses else None
        frame = top_down_frame(renderer, rng, 320, 10, pid=seed * 100_000 + i * 20, cam=cam)
        crowd = len(frame.people)
        bucket = TOP_CROWDS[0] if crowd <= 2 else TOP_CROWDS[1] if crowd <= 5 else TOP_CROWDS[2]
        light = "dim" if frame.condition.get("light", 1.0) < 0.7 else "normal"
        blur = "sharp" if frame.condition.get("blur", 0.0) == 0 else "soft"
        labels = {"crowd": bucket, "pose": "top-down", "light": light, "blur": blur}
        if keep is None or keep(labels):
            yield Sample(frame, labels)


def shelf_samples(
    n: int,
    seed: int,
    stale_share: float = 0.2,
    bay: Bay = STANDARD_BAY,
    keep: Keep | None = None,
) -> Iterator[Sample]:
    """Shelf bays of the supermarket's catalogue; some tags show a stale price.

    Of the ``n`` frames, those ``keep`` refuses are skipped before they are drawn.
    """
    from twin.catalog import build_catalog

    rng = np.random.default_rng(seed + 55_555)
    products = build_catalog(load("supermarket")).products
    for i in range(n):
        picks = rng.choice(len(products), bay.per_frame, replace=False)
        tags = []
        for k in picks.tolist():
            p = products[k]
            stale = rng.random() < stale_share
            shown = p.price_cents + (int(rng.integers(1, 20)) * 100 if stale else 0)
            tags.append(TagSpec(k, p.name, p.sku, shown, p.price_cents))
        labels, cond = _look(i, rng)
        dist = list(SHELF_DISTANCES)[(i // 6) % len(SHELF_DISTANCES)]
        if keep and not keep({"distance": dist, "pose": "front", **labels}):
            continue
        frame = shelf_frame(tags, replace(bay, distance_m=SHELF_DISTANCES[dist]), cond, rng)
        yield Sample(frame, {"distance": dist, "pose": "front", **labels})


def condition_names(view: str) -> dict[str, tuple[str, ...]]:
    """Every condition and its buckets that the bench labels a view's frames with."""
    looks = {"light": tuple(LIGHTS), "blur": tuple(BLURS)}
    if view == "oblique":
        crowds = tuple(str(k) for k in range(QUEUE_SIZES))
        return {"crowd": crowds, "pose": ("standard", "high"), **looks}
    if view == "top":
        return {
            "crowd": TOP_CROWDS,
            "pose": ("top-down",),
            "light": ("dim", "normal"),
            "blur": looks["blur"],
        }
    if view == "shelf":
        return {"distance": tuple(SHELF_DISTANCES), "pose": ("front",), **looks}
    raise ValueError(f"unknown view {view!r}: oblique, top or shelf")
