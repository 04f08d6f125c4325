"""The benchmark's labelled frames: one generator per view, each frame tagged with its condition.

Conditions cycle deterministically so every bucket (crowd size, light, blur,
distance, pose) is covered even by a short run; all randomness comes from the
seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from devices.vision.frames import Conditions, Frame
from devices.vision.geometry import Pinhole
from devices.vision.render import Person, Renderer
from devices.vision.scenes import queue_camera, queue_people, queue_region
from devices.vision.shelf import STANDARD_BAY, Bay, TagSpec, shelf_frame
from scenarios import load
from scenarios.schema import Layout, Scenario

if TYPE_CHECKING:
    from devices.vision.store_scenes import StoreMoment

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
    count: int | None = None
    """The true count when it is not everyone in view: a queue frame's lane length."""

    @property
    def truth_count(self) -> int:
        """What a model's count is scored against: ``count``, else the people in view."""
        return self.frame.count if self.count is None else self.count


@cache
def bench_store() -> tuple[Scenario, Renderer]:
    """The supermarket the benchmark films, and one renderer for it.

    One renderer for the whole process keeps each installed camera's scenery,
    drawn once, as a camera in a store would have it.
    """
    scenario = load("supermarket")
    return scenario, Renderer.of(scenario)


SCENE_STORES = ("supermarket", "convenience")
"""The stores whose queue cameras the bench films: a big store's busy front and a small one's.

Measured fidelity draws a camera's errors from the frames of its own store format
where the table has them (``count_error_by_look``)."""


@cache
def scene_store(name: str) -> tuple[Scenario, Renderer]:
    """One of ``SCENE_STORES`` and its renderer (the supermarket's is ``bench_store``'s)."""
    if name == "supermarket":
        return bench_store()
    scenario = load(name)
    return scenario, Renderer.of(scenario)


def _look(i: int, rng: np.random.Generator) -> tuple[dict[str, str], Conditions]:
    light = list(LIGHTS)[i % len(LIGHTS)]
    blur = list(BLURS)[(i // len(LIGHTS)) % len(BLURS)]
    cond = Conditions(LIGHTS[light], BLURS[blur], float(rng.uniform(1.0, 6.0)))
    return {"light": light, "blur": blur}, cond


QUEUE_SIZES = 7
"""Queue frames show 0..6 people: every count a queue camera meets in a store, empty lanes too."""


def oblique_samples(
    n: int,
    seed: int,
    size: tuple[int, int] = (640, 480),
    keep: Keep | None = None,
    first: int = 0,
) -> Iterator[Sample]:
    """Checkout-queue frames of 0-6 people in the lane, from the standard pose and a higher one.

    Each frame is a moment of a store (``store_scenes``: a day of each of
    ``SCENE_STORES`` from ``seed``) and one of its lanes that had that many
    shoppers, drawn from all such (moment, lane) pairs, so each lane comes up as
    often as the store shows it with that count (a closed lane is an empty lane
    most of the day). The camera over that lane sees what it would there, the
    neighbouring queues, shoppers at the first shelves (some inside the lane's
    queue area) and passers-by, and the truth is the lane's length. Where the
    day had no such moment (long queues are rare), the queue is drawn into a
    moment of an empty lane. Empty lanes are there because a store's cameras
    mostly see them: the false people a model finds there are what the
    measured fidelity draws.

    Each frame draws from its own stream (``seed``, index), so ``keep``, a test
    of a frame's condition labels, can skip frames without rendering them, and
    ``first`` can start at any index (frames ``first``..``n - 1``): the frames
    kept are the same as without them.
    """
    from devices.vision.cameras import View
    from devices.vision.store_scenes import bench_moments

    per_store = 2 * QUEUE_SIZES
    for i in range(first, n):
        rng = np.random.default_rng([seed, i])
        store = SCENE_STORES[(i // per_store) % len(SCENE_STORES)]
        pose = ("standard", "high")[(i // QUEUE_SIZES) % 2]
        crowd = i % QUEUE_SIZES
        labels, cond = _look(i // (per_store * len(SCENE_STORES)), rng)
        condition = {"crowd": str(crowd), "pose": pose, "store": store, **labels}
        if keep is not None and not keep(condition):
            continue
        scenario, renderer = scene_store(store)
        layout = scenario.layout
        moments = bench_moments(store, seed)
        lane, people = _moment(moments, crowd, rng, layout, seed * 100_000 + i * 10)
        cam = queue_camera(layout, lane, *size)
        if pose == "high":
            cam = replace(cam, position=(cam.position[0], cam.position[1], 3.4))
        frame = renderer.people(cam, View.of(cam).in_view(people), conditions=cond, rng=rng)
        region = queue_region(layout, lane)
        yield Sample(frame, condition, region, cam, count=crowd)


def _moment(
    moments: Sequence[StoreMoment],
    crowd: int,
    rng: np.random.Generator,
    layout: Layout,
    first_pid: int,
) -> tuple[int, list[Person]]:
    """A lane and everyone in the store at a moment when that lane had ``crowd`` shoppers.

    Without such a moment, an empty lane at some moment with ``crowd`` queuers added.
    """
    found = [(m, k) for m in moments for k, n in enumerate(m.lanes) if n == crowd]
    if found:
        moment, lane = found[int(rng.integers(len(found)))]
        return lane, list(moment.crowd)
    empty = [(m, k) for m in moments for k, n in enumerate(m.lanes) if n == 0]
    if not empty:
        return 0, queue_people(layout, 0, crowd, rng, first_pid=first_pid)
    moment, lane = empty[int(rng.integers(len(empty)))]
    return lane, list(moment.crowd) + queue_people(layout, lane, crowd, rng, first_pid=first_pid)


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
        return {
            "crowd": crowds,
            "pose": ("standard", "high"),
            "store": tuple(SCENE_STORES),
            **looks,
        }
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
