"""People as shaded figures: upright (oblique cameras) or seen from above (ceiling cameras).

A figure's look (height, skin, hair, clothes) follows from its id alone, so a
shopper looks the same in every frame and every camera.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import ImageDraw

from devices.vision.frames import Box
from devices.vision.geometry import Pinhole

RGB = tuple[int, int, int]

SKIN = ((255, 224, 196), (234, 192, 160), (198, 150, 110), (160, 110, 75), (110, 75, 50))
HAIR = ((30, 25, 20), (70, 45, 25), (120, 85, 50), (200, 170, 110), (150, 150, 150))
CLOTHES = (
    (200, 40, 40),
    (40, 90, 190),
    (40, 150, 70),
    (230, 190, 40),
    (120, 60, 150),
    (240, 240, 240),
    (50, 50, 60),
    (230, 120, 40),
    (90, 160, 200),
)
TROUSERS = ((40, 45, 70), (60, 60, 60), (110, 90, 70), (30, 30, 35), (70, 90, 120))


@dataclass(frozen=True)
class Look:
    """How one person looks."""

    height_m: float
    skin: RGB
    hair: RGB
    shirt: RGB
    trousers: RGB

    @classmethod
    @lru_cache(maxsize=4096)
    def of(cls, pid: int) -> Look:
        """The look of person ``pid``; the same id always looks the same."""
        rng = np.random.default_rng(zlib.crc32(f"look:{pid}".encode()))
        return cls(
            height_m=float(np.clip(rng.normal(1.70, 0.08), 1.50, 1.95)),
            skin=SKIN[rng.integers(len(SKIN))],
            hair=HAIR[rng.integers(len(HAIR))],
            shirt=CLOTHES[rng.integers(len(CLOTHES))],
            trousers=TROUSERS[rng.integers(len(TROUSERS))],
        )


def shade(colour: RGB, factor: float) -> RGB:
    """``colour`` made darker (factor < 1) or lighter (> 1)."""
    return tuple(int(min(255, max(0, c * factor))) for c in colour)  # type: ignore[return-value]


def _ellipse(draw: ImageDraw.ImageDraw, cx: float, cy: float, rx: float, ry: float, fill) -> None:
    draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=fill)


def draw_upright(
    draw: ImageDraw.ImageDraw,
    cam: Pinhole,
    floor: tuple[float, float],
    look: Look,
    facing_camera: bool,
) -> tuple[Box, Box]:
    """Draw a standing person; returns the body and head boxes in pixels."""
    x, y = floor
    h = look.height_m
    pts = np.array(
        [[x, y, 0.0], [x, y, 0.50 * h], [x, y, 0.81 * h], [x, y, 0.87 * h], [x, y, 0.935 * h]]
    )
    uv, depth = cam.project(pts)
    s = float(cam.scale_at(depth[4]))
    (fx, fy), (hx, hy), (sx, sy), (nx, ny), (cx, cy) = uv.tolist()
    # legs
    leg_w = 0.075 * s
    for side in (-1, 1):
        ox = side * 0.085 * s
        draw.polygon(
            [
                (hx + ox - leg_w, hy),
                (hx + ox + leg_w, hy),
                (fx + ox + 0.8 * leg_w, fy),
                (fx + ox - 0.8 * leg_w, fy),
            ],
            fill=shade(look.trousers, 0.9 if side < 0 else 1.0),
        )
        _ellipse(draw, fx + ox, fy, 1.3 * leg_w, 0.5 * leg_w, (25, 25, 25))
    # arms, then torso over them
    arm_w = 0.055 * s
    for side in (-1, 1):
        ax = sx + side * 0.23 * s
        draw.polygon(
            [
                (ax - arm_w, sy + 0.02 * s),
                (ax + arm_w, sy + 0.02 * s),
                (ax + side * 0.03 * s + arm_w, hy + 0.05 * s),
                (ax + side * 0.03 * s - arm_w, hy + 0.05 * s),
            ],
            fill=shade(look.shirt, 0.75),
        )
        _ellipse(draw, ax + side * 0.03 * s, hy + 0.08 * s, arm_w, 1.2 * arm_w, look.skin)
    top, bottom = sy - 0.03 * s, hy + 0.04 * s
    draw.rounded_rectangle(
        (sx - 0.21 * s, top, sx + 0.21 * s, bottom), radius=0.08 * s, fill=look.shirt
    )
    draw.rounded_rectangle(
        (sx + 0.06 * s, top + 0.02 * s, sx + 0.21 * s, bottom),
        radius=0.06 * s,
        fill=shade(look.shirt, 0.8),
    )
    # neck and head
    draw.rectangle((nx - 0.045 * s, ny - 0.02 * s, nx + 0.045 * s, sy), fill=shade(look.skin, 0.85))
    rx, ry = 0.08 * s, 0.105 * s
    if facing_camera:
        _ellipse(draw, cx, cy - 0.01 * s, rx * 1.2, ry * 1.05, look.hair)
        for side in (-1, 1):
            _ellipse(
                draw,
                cx + side * rx * 0.98,
                cy + 0.01 * s,
                0.018 * s,
                0.03 * s,
                shade(look.skin, 0.9),
            )
        _ellipse(draw, cx, cy + 0.015 * s, rx, ry * 0.92, look.skin)
        _ellipse(draw, cx + 0.03 * s, cy + 0.03 * s, rx * 0.6, ry * 0.7, shade(look.skin, 0.92))
        _ellipse(draw, cx - 0.025 * s, cy - 0.005 * s, rx * 0.45, ry * 0.5, shade(look.skin, 1.06))
        draw.chord(
            (cx - rx * 1.05, cy - ry * 1.05, cx + rx * 1.05, cy + ry * 0.25),
            180,
            360,
            fill=look.hair,
        )
        _face(draw, cx, cy + 0.015 * s, s, look)
    else:
        _ellipse(draw, cx, cy, rx * 1.15, ry, look.hair)
    body = (sx - 0.25 * s, cy - ry, sx + 0.25 * s, fy + 0.03 * s)
    head = (cx - rx, cy - ry, cx + rx, cy + ry)
    return body, head


def _face(draw: ImageDraw.ImageDraw, cx: float, cy: float, s: float, look: Look) -> None:
    """Eyes, brows, nose and mouth, in proportion to the head."""
    ey = cy - 0.012 * s
    dark = (35, 25, 20)
    for side in (-1, 1):
        ex = cx + side * 0.032 * s
        _ellipse(draw, ex, ey, 0.02 * s, 0.011 * s, shade(look.skin, 0.75))
        _ellipse(draw, ex, ey, 0.016 * s, 0.008 * s, (240, 240, 235))
        _ellipse(draw, ex, ey, 0.008 * s, 0.008 * s, dark)
        draw.line(
            (ex - 0.022 * s, ey - 0.02 * s, ex + 0.018 * s, ey - 0.024 * s),
            fill=shade(look.hair, 0.7),
            width=max(1, round(0.009 * s)),
        )
    draw.polygon(
        [(cx, ey + 0.004 * s), (cx - 0.013 * s, cy + 0.03 * s), (cx + 0.013 * s, cy + 0.03 * s)],
        fill=shade(look.skin, 0.8),
    )
    for side in (-1, 1):
        _ellipse(draw, cx + side * 0.007 * s, cy + 0.03 * s, 0.004 * s, 0.003 * s, dark)
    lips = (170, 70, 70)
    draw.ellipse((cx - 0.026 * s, cy + 0.045 * s, cx + 0.026 * s, cy + 0.062 * s), fill=lips)
    draw.line((cx - 0.025 * s, cy + 0.053 * s, cx + 0.025 * s, cy + 0.053 * s), fill=(90, 30, 30))
    draw.arc(
        (cx - 0.05 * s, cy + 0.04 * s, cx + 0.05 * s, cy + 0.095 * s),
        20,
        160,
        fill=shade(look.skin, 0.85),
    )


def from_above_points(floor: tuple[float, float], look: Look) -> list[tuple[float, float, float]]:
    """The points a ceiling view of a person is drawn around: shoulders, then crown."""
    x, y = floor
    return [(x, y, 0.8 * look.height_m), (x, y, look.height_m - 0.1)]


def draw_from_above(
    image: np.ndarray,
    shoulders: tuple[float, float],
    crown: tuple[float, float],
    scale: tuple[float, float],
    look: Look,
    heading: float,
) -> tuple[Box, Box]:
    """Draw a person seen from the ceiling onto ``image`` (uint8 RGB, drawn in place).

    ``shoulders`` and ``crown`` are the pixels of ``from_above_points`` and
    ``scale`` their pixels per metre. Shapes are anti-aliased cv2 fills at
    sub-pixel precision, so the frame needs no supersampling. Returns the body
    and head boxes in pixels.
    """
    import cv2

    (bx, by), (hx, hy) = shoulders, crown
    s_body, s_head = scale
    # shoulders: an ellipse across the heading; its long axis points (sin h, cos h) in the image
    angle = math.degrees(math.atan2(math.cos(heading), math.sin(heading)))
    axes = (round(0.25 * s_body * _SUB), round(0.13 * s_body * _SUB))
    cv2.ellipse(image, _px(bx, by), axes, angle, 0, 360, look.shirt, -1, cv2.LINE_AA, _SHIFT)
    r = 0.095 * s_head
    cv2.circle(image, _px(hx, hy), round(r * _SUB), look.hair, -1, cv2.LINE_AA, _SHIFT)
    highlight = _px(hx - 0.3 * r, hy - 0.3 * r)
    cv2.circle(
        image, highlight, round(0.4 * r * _SUB), shade(look.hair, 1.6), -1, cv2.LINE_AA, _SHIFT
    )
    rb = 0.27 * s_body
    body = (min(bx - rb, hx - r), min(by - rb, hy - r), max(bx + rb, hx + r), max(by + rb, hy + r))
    return body, (hx - r, hy - r, hx + r, hy + r)


_SHIFT = 4
_SUB = 1 << _SHIFT
"""cv2 draws at 1/16 pixel: coordinates and radii are passed times 16."""


def _px(x: float, y: float) -> tuple[int, int]:
    return round(x * _SUB), round(y * _SUB)
