"""The renderer: frames of the store from the twin's state, each with its truth.

Scenery (floor, shelves, tills) depends only on the layout and the camera, so it
is drawn once per camera and reused; people are drawn far to near over it, and
lighting, blur and noise come last, as a sensor would add them.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
from PIL import Image, ImageDraw

from devices.vision.figures import Look, draw_from_above, draw_upright, from_above_points
from devices.vision.frames import NORMAL, Box, Conditions, Frame, PersonTruth
from devices.vision.geometry import Pinhole
from scenarios.schema import Layout, Scenario

T = TypeVar("T")
Rect = tuple[float, float, float, float]
"""x0, y0, x1, y1 on the floor, in metres."""

FLOOR = (196, 190, 178)
WALL = (225, 222, 214)
SHELF = (150, 155, 165)
COUNTER = (110, 100, 95)
PRODUCTS = (
    (190, 50, 45),
    (230, 200, 60),
    (60, 120, 190),
    (240, 240, 235),
    (70, 150, 80),
    (200, 110, 40),
    (120, 70, 140),
    (30, 30, 35),
    (210, 160, 170),
)

SCENERY_KEPT = 64
"""Cameras whose scenery a renderer keeps: installed cameras are few, random ones many."""


@dataclass(frozen=True)
class Person:
    """A person to draw: id, floor position and the direction they face (radians)."""

    pid: int
    x: float
    y: float
    heading: float


def is_top_down(cam: Pinhole) -> bool:
    """True for a camera looking (nearly) straight down."""
    return cam.rotation[2][2] < -0.9


def _cuboid(draw: ImageDraw.ImageDraw, cam: Pinhole, rect: Rect, top: float, colour) -> None:
    x0, y0, x1, y1 = rect
    corners = np.array(
        [[x, y, z] for z in (0.0, top) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    )
    uv, depth = cam.project(corners)
    if (depth <= 0.05).any():
        return
    hull = _hull(uv)
    draw.polygon(hull, fill=tuple(int(c * 0.8) for c in colour), outline=(70, 70, 70))
    draw.polygon([tuple(p) for p in uv[4:].tolist()], fill=colour, outline=(70, 70, 70))


def _stock(draw: ImageDraw.ImageDraw, cam: Pinhole, rect: Rect) -> None:
    """Rows of products on the faces of a shelf unit that face the camera."""
    x0, y0, x1, y1 = rect
    cx, cy = cam.position[:2]
    faces = []
    if cx < x0:
        faces.append([((x0, y), (x0, y + 0.34)) for y in np.arange(y0 + 0.05, y1 - 0.35, 0.4)])
    if cx > x1:
        faces.append([((x1, y), (x1, y + 0.34)) for y in np.arange(y0 + 0.05, y1 - 0.35, 0.4)])
    if cy < y0:
        faces.append([((x, y0), (x + 0.12, y0)) for x in np.arange(x0 + 0.05, x1 - 0.1, 0.17)])
    for face in faces:
        for level in range(4):
            z0 = 0.15 + 0.42 * level
            for k, ((ax, ay), (bx, by)) in enumerate(face):
                quad = np.array(
                    [[ax, ay, z0], [bx, by, z0], [bx, by, z0 + 0.3], [ax, ay, z0 + 0.3]]
                )
                uv, depth = cam.project(quad)
                if (depth > 0.1).all():
                    colour = PRODUCTS[(k * 7 + level * 3 + int(ax + ay)) % len(PRODUCTS)]
                    draw.polygon([tuple(p) for p in uv.tolist()], fill=colour)


def _hull(points: np.ndarray) -> list[tuple[float, float]]:
    """Convex hull (monotone chain) of 2-D points."""
    pts = sorted(map(tuple, points.tolist()))

    def half(seq: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for p in seq:
            while len(out) >= 2:
                (ax, ay), (bx, by) = out[-2], out[-1]
                if (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) > 0:
                    break
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(reversed(pts))
    return lower[:-1] + upper[:-1]


class Renderer:
    """Draws one store's floor for any camera; keeps each camera's scenery.

    Upright views are drawn ``supersample`` times larger and scaled down, which
    gives the soft edges a real lens has (and a detector trained on photos
    expects); ceiling views get them from anti-aliased shapes instead.
    """

    def __init__(self, layout: Layout, lanes: int, supersample: int = 2):
        if supersample not in (1, 2, 3, 4):
            raise ValueError(f"supersample must be 1..4, got {supersample}")
        self.layout = layout
        self.lanes = lanes
        self.supersample = supersample
        self._scenery: OrderedDict[Hashable, Any] = OrderedDict()

    @classmethod
    def of(cls, scenario: Scenario, supersample: int = 2) -> Renderer:
        """The renderer of a scenario's floor with all its staffed lanes built."""
        return cls(scenario.layout, scenario.checkout.lanes, supersample)

    def scenery(self, cam: Pinhole) -> Image.Image:
        """Floor, shelves and tills as ``cam`` sees them (kept for the most recent cameras)."""
        return self._kept(cam, lambda: self._draw_scenery(cam))

    def _kept(self, key: Hashable, draw: Callable[[], T]) -> T:
        """What ``draw`` gives for ``key``, drawn once while among the most recent keys."""
        found = self._scenery.get(key)
        if found is None:
            found = self._scenery[key] = draw()
            if len(self._scenery) > SCENERY_KEPT:
                self._scenery.popitem(last=False)
        else:
            self._scenery.move_to_end(key)
        return found

    def _draw_scenery(self, cam: Pinhole) -> Image.Image:
        lay = self.layout
        image = Image.new("RGB", (cam.width, cam.height), WALL)
        draw = ImageDraw.Draw(image)
        far = 60.0
        floor = np.array([[-far, -far, 0], [far, -far, 0], [far, far, 0], [-far, far, 0]])
        uv, _ = cam.project(_clip_to_front(cam, floor))
        draw.polygon([tuple(p) for p in uv.tolist()], fill=FLOOR)
        for k in range(0, int(lay.depth_m) + 1, 2):
            self._floor_line(draw, cam, (0, k), (lay.width_m, k))
        units = [
            (x, zone.y, x + 0.6, zone.y + zone.depth)
            for zone in lay.zones
            for x in (zone.x, zone.x + zone.width - 0.6)
        ]
        centres = np.array([[(r[0] + r[2]) / 2, (r[1] + r[3]) / 2, 0.9] for r in units])
        for k in np.argsort(-cam.project(centres)[1]).tolist():
            _cuboid(draw, cam, units[k], 1.8, SHELF)
            _stock(draw, cam, units[k])
        c = lay.tills
        for lane in range(self.lanes):
            x = c.x + lane * c.spacing_m
            _cuboid(draw, cam, (x + 0.55, c.y - 1.2, x + 1.15, c.y + 1.0), 0.9, COUNTER)
        return image

    @staticmethod
    def _floor_line(draw, cam: Pinhole, a, b) -> None:
        seg = np.array([[a[0], a[1], 0.0], [b[0], b[1], 0.0]])
        uv, depth = cam.project(seg)
        if (depth > 0.1).all():
            draw.line([tuple(p) for p in uv.tolist()], fill=(175, 170, 160), width=1)

    def people(
        self,
        cam: Pinhole,
        crowd: Iterable[Person],
        t: float = 0.0,
        conditions: Conditions = NORMAL,
        rng: np.random.Generator | None = None,
        regions: Mapping[str, Rect] | None = None,
    ) -> Frame:
        """A frame of ``crowd`` seen by ``cam``, with person boxes and counts per floor region."""
        top = is_top_down(cam)
        crowd = list(crowd)
        pixels, drawn = self._from_above(cam, crowd) if top else self._upright(cam, crowd)
        people = _truth(drawn, cam, top)
        counts = {
            name: sum(_inside(person.floor, rect) for person in people)
            for name, rect in (regions or {}).items()
        }
        pixels = apply_conditions(pixels, conditions, rng)
        return Frame(pixels, t, people=people, regions=counts)

    def _upright(self, cam: Pinhole, crowd: list[Person]) -> tuple[np.ndarray, list[Drawn]]:
        """People standing, far to near, drawn with PIL on the supersampled scenery."""
        k = self.supersample
        big = _enlarged(cam, k)
        image = self.scenery(big).copy()
        draw = ImageDraw.Draw(image)
        drawn: list[Drawn] = []
        if crowd:
            _, depth = cam.project(np.array([[p.x, p.y, 1.0] for p in crowd]))
            for i in np.argsort(-depth, kind="stable").tolist():
                p = crowd[i]
                if depth[i] <= 0.3:
                    continue
                to_cam = math.atan2(cam.position[1] - p.y, cam.position[0] - p.x)
                facing = math.cos(p.heading - to_cam) > 0
                body, head = draw_upright(draw, big, (p.x, p.y), Look.of(p.pid), facing)
                drawn.append((p, _scaled(body, k), _scaled(head, k), facing))
        pixels = np.asarray(image)
        if k > 1:
            import cv2

            pixels = cv2.resize(pixels, (cam.width, cam.height), interpolation=cv2.INTER_AREA)
        return pixels, drawn

    def _from_above(self, cam: Pinhole, crowd: list[Person]) -> tuple[np.ndarray, list[Drawn]]:
        """People seen from the ceiling, drawn with cv2 straight onto the frame-sized scenery.

        A ceiling camera (the door counter) takes a frame a second all day, so
        this path skips PIL and supersampling: the scenery is shrunk once per
        camera, the crowd is projected in one call, and the anti-aliased
        shapes give the soft edges.
        """
        image = self._kept(("frame-sized", cam), lambda: self._shrunk_scenery(cam)).copy()
        drawn: list[Drawn] = []
        if not crowd:
            return image, drawn
        looks = [Look.of(p.pid) for p in crowd]
        points = [
            [(p.x, p.y, 1.0), *from_above_points((p.x, p.y), look)]
            for p, look in zip(crowd, looks, strict=True)
        ]
        uv, depth = cam.project(np.array(points))
        scale = cam.scale_at(depth)
        for i in np.argsort(-depth[:, 0], kind="stable").tolist():
            if depth[i, 0] <= 0.3:
                continue
            p, (_, shoulders, crown) = crowd[i], uv[i].tolist()
            body, head = draw_from_above(
                image, shoulders, crown, (scale[i, 1], scale[i, 2]), looks[i], p.heading
            )
            drawn.append((p, body, head, True))
        return image, drawn

    def _shrunk_scenery(self, cam: Pinhole) -> np.ndarray:
        """The scenery drawn supersampled and scaled down to ``cam``'s size (uint8 RGB)."""
        k = self.supersample
        pixels = np.asarray(self._draw_scenery(_enlarged(cam, k)))
        if k == 1:
            return pixels
        import cv2

        return cv2.resize(pixels, (cam.width, cam.height), interpolation=cv2.INTER_AREA)


Drawn = tuple[Person, Box, Box, bool]
"""A person as drawn: who, body box, head box (frame pixels), facing the camera."""


@lru_cache(maxsize=SCENERY_KEPT)
def _enlarged(cam: Pinhole, k: int) -> Pinhole:
    """``cam`` with ``k`` times the pixels (kept, so its pose is worked out once)."""
    return replace(cam, width=cam.width * k, height=cam.height * k)


def _clip_to_front(cam: Pinhole, quad: np.ndarray) -> np.ndarray:
    """Pull points behind the camera forward so the floor polygon stays drawable."""
    cam_pts = (quad - cam.position) @ cam.rotation.T
    if (cam_pts[:, 2] > 0.1).all():
        return quad
    forward = cam.rotation[2]
    out = quad.copy()
    for k, depth in enumerate(cam_pts[:, 2]):
        if depth <= 0.1:
            out[k] = out[k] + forward * (0.1 - depth) / max(forward @ forward, 1e-9)
            out[k, 2] = 0.0
    return out


def _truth(drawn: list[Drawn], cam: Pinhole, top: bool) -> tuple[PersonTruth, ...]:
    """Truth for everyone whose head centre is in the image; visibility from later draws."""
    out = []
    for k, (p, body, head, facing) in enumerate(drawn):
        cx, cy = (head[0] + head[2]) / 2, (head[1] + head[3]) / 2
        if not (0 <= cx < cam.width and 0 <= cy < cam.height):
            continue
        out.append(
            PersonTruth(
                pid=p.pid,
                box=body,
                head=head,
                floor=(p.x, p.y),
                facing_camera=facing,
                visible=1.0 if top else _visible(head, drawn[k + 1 :]),
            )
        )
    return tuple(out)


def _visible(head: Box, later: list[Drawn]) -> float:
    """Share of a head not covered by the bodies drawn after it."""
    return max(0.0, 1.0 - sum(_overlap(head, d[1]) for d in later))


def _scaled(box: Box, k: int) -> Box:
    return (box[0] / k, box[1] / k, box[2] / k, box[3] / k)


def _overlap(a: Box, b: Box) -> float:
    """Share of box ``a`` covered by box ``b``."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = max((a[2] - a[0]) * (a[3] - a[1]), 1e-9)
    return w * h / area


def _inside(point: tuple[float, float], rect: Rect) -> bool:
    x, y = point
    return rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3]


def apply_conditions(
    image: Image.Image | np.ndarray, conditions: Conditions, rng: np.random.Generator | None
) -> np.ndarray:
    """Light level with vignetting, lens blur and sensor noise; returns uint8 RGB.

    Noise is cut at a random offset from a fixed bank of Gaussian noise per
    frame size, which costs one addition instead of drawing a fresh field. The
    vignette is kept per frame size (the light level, which changes from frame
    to frame, is one multiplication), and the float work happens in buffers kept
    per frame size, so a frame allocates only its result.
    """
    import cv2

    pixels = np.asarray(image)
    if conditions.blur > 0:
        pixels = cv2.GaussianBlur(pixels, (0, 0), conditions.blur)
    h, w = pixels.shape[:2]
    gain, out, noise = _scratch(h, w)
    np.multiply(_vignette(h, w), conditions.light, out=gain)
    np.copyto(out, pixels)
    out *= gain
    if conditions.noise > 0:
        rng = rng or np.random.default_rng(0)
        bank = _noise_bank(h, w)
        dy, dx = (int(v) for v in rng.integers(0, NOISE_MARGIN, 2))
        np.multiply(bank[dy : dy + h, dx : dx + w], np.float32(conditions.noise), out=noise)
        out += noise
    return np.clip(out, 0, 255, out=out).astype(np.uint8)


NOISE_MARGIN = 32


@lru_cache(maxsize=16)
def _vignette(h: int, w: int) -> np.ndarray:
    """Gain (h, w, 3) falling to 0.75 in the corners."""
    yy = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
    xx = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
    gain = (1.0 - 0.125 * (xx * xx + yy * yy)).astype(np.float32)
    return np.repeat(gain[..., None], 3, axis=2)


_buffers = threading.local()


def _scratch(h: int, w: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Work buffers for one frame size: gain, image and noise, (h, w, 3) float32.

    Kept per thread, so frames drawn in different threads never share them. The
    gain is per channel too: numpy multiplies (h, w, 3) by (h, w, 1) several
    times slower than by (h, w, 3).
    """
    kept: dict[tuple[int, int], tuple[np.ndarray, ...]] = _buffers.__dict__.setdefault("kept", {})
    if (h, w) not in kept:
        kept[(h, w)] = tuple(np.empty((h, w, 3), np.float32) for _ in range(3))
    return kept[(h, w)]  # type: ignore[return-value]


@lru_cache(maxsize=8)
def _noise_bank(h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(h * 100_003 + w)
    return rng.standard_normal((h + NOISE_MARGIN, w + NOISE_MARGIN, 3), dtype=np.float32)
