"""Cameras as devices: queue cameras, door counter, ceiling cameras, price-audit camera.

Each camera runs on the twin's clock, observes at its frame rate or schedule,
and publishes its observation after the model's latency (latency enters the
twin as time; it is the benchmark's p50, not this machine's wall clock, so a
run stays a pure function of scenario and seed). Three fidelities give the same
observation API (architecture rule 5):

- ``real``: render the frame from the twin's state and run the OpenVINO model;
- ``measured``: draw the observation from the truth with the model's measured
  error rates (``devices.vision.errors``);
- ``oracle``: the truth.

While a camera is faulty it takes no frames: its observation is None, the fault
is an event, and every missed frame is a reading with a null observation.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from devices.base import Device, FaultModel, Health
from devices.vision.errors import ErrorTable, look_of
from devices.vision.frames import Conditions
from devices.vision.geometry import Pinhole
from devices.vision.render import Person, Rect, Renderer
from devices.vision.scenes import ceiling_camera, queue_camera, queue_region
from devices.vision.world import people_at
from scenarios.cameras import (
    Fidelity,
)

if TYPE_CHECKING:
    from twin.model import StoreModel

HEAD_Z = 1.6
"""Height (m) at which a detected head point is turned back into a floor position."""


@dataclass(frozen=True)
class View:
    """One camera view: the pinhole and the floor area it can see."""

    cam: Pinhole
    bounds: Rect

    @classmethod
    def of(cls, cam: Pinhole) -> View:
        """The view of ``cam``, its bounds where heads at HEAD_Z are in the image."""
        corners = cam.unproject(
            np.array([[0, 0], [cam.width, 0], [0, cam.height], [cam.width, cam.height]]), HEAD_Z
        )
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
        return cls(cam, (float(x0), float(y0), float(x1), float(y1)))

    def in_view(self, crowd: list[Person]) -> list[Person]:
        """People whose head is in the image."""
        if not crowd:
            return []
        uv, depth = self.cam.project(np.array([[p.x, p.y, HEAD_Z] for p in crowd]))
        ok = (depth > 0.3) & (uv[:, 0] >= 0) & (uv[:, 0] < self.cam.width)
        ok &= (uv[:, 1] >= 0) & (uv[:, 1] < self.cam.height)
        return [p for p, keep in zip(crowd, ok.tolist(), strict=True) if keep]


class Camera(Device):
    """What all cameras share: fidelity, conditions, error rates, latency, fault handling."""

    kind = "camera"

    def __init__(
        self,
        model: StoreModel,
        device_id: str,
        position: tuple[float, float],
        rng: np.random.Generator,
        faults: FaultModel,
        fidelity: Fidelity,
        model_name: str,
        conditions: Conditions,
        errors: ErrorTable | None,
        from_day: int = 0,
    ):
        super().__init__(model, device_id, position, rng, faults)
        self.from_day = from_day
        self.fidelity = fidelity
        self.model_name = model_name
        self.conditions = conditions
        self.errors = errors
        if fidelity is Fidelity.measured and errors is None:
            raise ValueError(f"camera {device_id}: measured fidelity needs an error table")
        self._renderer: Renderer | None = None

    @property
    def renderer(self) -> Renderer:
        """This camera's renderer (made on first real frame)."""
        if self._renderer is None:
            self._renderer = Renderer.of(self.model.scenario)
        return self._renderer

    @property
    def installed(self) -> bool:
        """Whether the camera is up on the wall yet (a pilot installs it on its start day)."""
        return self.model.day >= self.from_day

    def fail(self, detail: str = "no frames") -> None:
        """Stop taking frames until ``repair``; logged as a fault event."""
        self.health = Health.FAULTY
        self.event("fault", detail)

    def repair(self) -> None:
        """Take frames again."""
        self.health = Health.OK
        self.event("repaired")


class PeopleCamera(Camera):
    """A camera whose frames become floor positions of the people it sees."""

    def __init__(self, *args, views: list[View], interval_s: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.views = views
        self.interval_s = interval_s
        self.position = views[0].cam.position[:2]

    @property
    def latency_s(self) -> float:
        """Seconds from frame to observation."""
        if self.fidelity is Fidelity.oracle or self.errors is None:
            return 0.0
        return self.errors.people(self.model_name).latency_s * len(self.views)

    def detect(self, view: View, t: float, crowd: list[Person]) -> np.ndarray:
        """Render ``view`` at ``t`` and run the model: floor points (N, 2) of the people found."""
        from devices.vision.registry import shared

        cam = view.cam
        frame = self.renderer.people(cam, crowd, t, self.conditions, self.rng)
        detections = shared(self.model_name, (cam.width, cam.height))(frame.image)
        tracer = getattr(self.model, "tracer", None)
        if tracer is not None:  # a traced run keeps a few frames for the dashboard
            which = next(i for i, v in enumerate(self.views) if v is view)
            tracer.frame(self.device_id, which, frame, detections, self.model_name)
        return cam.unproject(detections.points, HEAD_Z).reshape(-1, 2)

    def sight(self, view: View, t: float, crowd: list[Person]) -> tuple[np.ndarray, list[Person]]:
        """Floor points (N, 2) this camera sees in ``view`` at ``t``, and who is truly there."""
        truth = view.in_view(crowd)
        true_points = np.array([(p.x, p.y) for p in truth], dtype=float).reshape(-1, 2)
        if self.fidelity is Fidelity.oracle:
            return true_points, truth
        if self.fidelity is Fidelity.measured:
            assert self.errors is not None
            rates = self.errors.people(self.model_name)
            return rates.sample(true_points, view.bounds, self.rng), truth
        return self.detect(view, t, truth), truth

    @property
    def filming(self) -> bool:
        """Whether the store is open or shoppers are still inside: a closed store is not filmed."""
        return self.model.store_open or self.model.shoppers_inside

    def run(self) -> Generator[simpy.Event, object, None]:
        """Take a frame every ``interval_s`` while filming; publish after the latency."""
        env = self.model.env
        while True:
            yield env.timeout(self.interval_s)
            if not self.installed or not self.filming:
                continue
            if not self.ok:
                self.publish(None, env.now)
                continue
            t = env.now
            seen = self.observe(t)
            if self.latency_s:
                yield env.timeout(self.latency_s)
            self.publish(seen, t)

    def observe(self, t: float):
        """What the frames at ``t`` show, with the truth at that moment."""
        crowd = people_at(self.model, t)
        return [self.sight(view, t, crowd) for view in self.views]

    def publish(self, seen, t: float) -> None:
        """Turn what ``observe`` returned (None while faulty) into the camera's observation."""
        raise NotImplementedError


def _inside(points: np.ndarray, rect: Rect) -> int:
    x0, y0, x1, y1 = rect
    return int(
        (
            (points[:, 0] >= x0)
            & (points[:, 0] <= x1)
            & (points[:, 1] >= y0)
            & (points[:, 1] <= y1)
        ).sum()
    )


class QueueCamera(PeopleCamera):
    """Oblique cameras over checkout lanes; the observation is each lane's queue length."""

    kind = "queue_camera"

    def __init__(self, *args, lanes: list[int], **kwargs):
        layout = args[0].scenario.layout
        views = [View.of(queue_camera(layout, lane)) for lane in lanes]
        super().__init__(*args, views=views, **kwargs)
        self.lanes = lanes
        self.regions = [queue_region(layout, lane) for lane in lanes]
        self._lengths: dict[int, int | None] = dict.fromkeys(lanes)

    def queue_lengths(self) -> dict[int, int | None]:
        """People seen at each watched lane (paying and waiting); None when faulty."""
        return dict(self._lengths)

    @property
    def watches_every_lane(self) -> bool:
        """Whether the camera sees all staffed lanes, so cashiers can steer by it."""
        return set(self.lanes) == set(range(len(self.model.lanes)))

    def waiting(self) -> float | None:
        """Shoppers seen at the open lanes (the cashiers' queue sensor); None if blind."""
        if not self.installed or not self.ok:
            return None
        seen = [self._lengths[k] for k in self.lanes if self.model.lanes[k].open]
        if any(n is None for n in seen):
            return None
        return float(sum(seen))  # type: ignore[arg-type]

    def observe(self, t: float) -> list[tuple[int, int]]:
        """(seen, true) length of each lane at ``t``.

        The truth is the lane's length in the twin; ``measured`` draws the count
        error the benchmark measured for that many people; ``real`` counts the
        detections whose floor position lies in the lane's queue area.
        """
        truths = [len(self.model.lanes[lane]) for lane in self.lanes]
        if self.fidelity is Fidelity.oracle:
            return list(zip(truths, truths, strict=True))
        if self.fidelity is Fidelity.measured:
            assert self.errors is not None
            rates = self.errors.people(self.model_name)
            look = look_of(self.conditions.blur)
            store = self.model.scenario.format.value
            return [(rates.sample_count(n, self.rng, look, store), n) for n in truths]
        crowd = people_at(self.model, t)
        return [
            (_inside(self.detect(view, t, view.in_view(crowd)), region), n)
            for view, region, n in zip(self.views, self.regions, truths, strict=True)
        ]

    def publish(self, seen: list[tuple[int, int]] | None, t: float) -> None:
        """Log observed vs true length per lane; the observation is None while faulty."""
        for k, lane in enumerate(self.lanes):
            truth = len(self.model.lanes[lane]) if seen is None else seen[k][1]
            got = self.report(f"queue_len_{lane}", None if seen is None else seen[k][0], truth)
            self._lengths[lane] = None if got is None else int(got)


class LineCounter:
    """Counts tracks that start before a line ``y = line`` and go past it (entries).

    Points are linked frame to frame by nearest neighbour within ``gate_m``;
    with ``ids`` the links are exact (used for the truth). A track counts once,
    and only after it was seen in ``min_age`` frames, so stray false detections
    that happen to link up do not count as visitors.
    """

    def __init__(self, line: float, gate_m: float = 2.4, min_age: int = 3):
        self.line = line
        self.gate_m = gate_m
        self.min_age = min_age
        self.entries = 0
        self._last: np.ndarray = np.zeros((0, 2))
        self._last_ids: list[int] = []
        self._age = np.zeros(0, dtype=int)
        self._origin = np.zeros(0)
        self._counted = np.zeros(0, dtype=bool)

    def update(self, points: np.ndarray, ids: list[int] | None = None) -> int:
        """Add one frame's points; returns the entries counted so far."""
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        age = np.ones(len(points), dtype=int)
        origin = points[:, 1].copy()
        counted = np.zeros(len(points), dtype=bool)
        for i, j in self._pairs(points, ids):
            age[i], origin[i], counted[i] = self._age[j] + 1, self._origin[j], self._counted[j]
        old_enough = age >= (1 if ids is not None else self.min_age)
        crossed = (origin < self.line) & (points[:, 1] >= self.line) & old_enough & ~counted
        self.entries += int(crossed.sum())
        counted |= crossed
        self._last, self._last_ids = points, list(ids or [])
        self._age, self._origin, self._counted = age, origin, counted
        return self.entries

    def _pairs(self, points: np.ndarray, ids: list[int] | None) -> list[tuple[int, int]]:
        if ids is not None:
            where = {pid: j for j, pid in enumerate(self._last_ids)}
            return [(i, where[pid]) for i, pid in enumerate(ids) if pid in where]
        if not len(points) or not len(self._last):
            return []
        dist = np.linalg.norm(points[:, None] - self._last[None], axis=-1)
        pairs = []
        while dist.size and dist.min() <= self.gate_m:
            i, j = np.unravel_index(np.argmin(dist), dist.shape)
            pairs.append((int(i), int(j)))
            dist[i, :] = np.inf
            dist[:, j] = np.inf
        return pairs


class DoorCounter(PeopleCamera):
    """A ceiling camera over the entrance; the observation is the count of people who came in."""

    kind = "door_counter"

    def __init__(self, *args, line_m: float, **kwargs):
        x, y = args[0].plan.entrance
        views = [View.of(ceiling_camera(x, y + line_m))]
        super().__init__(*args, views=views, **kwargs)
        gate = 2.0 * kwargs["interval_s"] + 0.4  # the fastest walker's stride between frames
        self.seen = LineCounter(y + line_m, gate_m=gate)
        self.true = LineCounter(y + line_m)
        self._count: int | None = 0

    @property
    def count(self) -> int | None:
        """Entries counted since the run began; None while faulty."""
        return self._count

    def publish(self, seen, t: float) -> None:
        """Link this frame to the last and count line crossings."""
        if seen is None:
            self._count = self.report("entries", None, self.true.entries)
            return
        points, truth = seen[0]
        before = (self.seen.entries, self.true.entries)
        ids = [p.pid for p in truth]
        self.seen.update(points, ids if self.fidelity is Fidelity.oracle else None)
        self.true.update(np.array([(p.x, p.y) for p in truth]), ids)
        self._count = self.seen.entries
        if (self.seen.entries, self.true.entries) != before:
            self.report("entries", self.seen.entries, self.true.entries)


class CeilingCamera(PeopleCamera):
    """A straight-down camera; the observation is how many people are in its view."""

    kind = "ceiling_camera"

    def __init__(self, *args, cam: Pinhole, **kwargs):
        super().__init__(*args, views=[View.of(cam)], **kwargs)
        self._count: int | None = None

    def people_count(self) -> int | None:
        """People in view at the last frame; None when faulty or before the first frame."""
        return self._count

    def publish(self, seen, t: float) -> None:
        """Count what the frame shows; log it against the truth."""
        if seen is None:
            self._count = self.report(
                "people", None, len(self.views[0].in_view(people_at(self.model, t)))
            )
            return
        points, truth = seen[0]
        got = self.report("people", _inside(points, self.views[0].bounds), len(truth))
        self._count = None if got is None else int(got)
