"""Shelf frames: a bay of facings with their shelf-edge price tags, as a patrol camera sees it.

The tag shows what ``model.labels`` says is printed on it (paper or ESL); the
truth also keeps the services' price, so a frame knows which tags are wrong.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from devices.vision.figures import CLOTHES, shade
from devices.vision.frames import NORMAL, Conditions, Frame, TagTruth
from devices.vision.render import apply_conditions


@dataclass(frozen=True)
class TagSpec:
    """One facing's tag: SKU index, product name and code, shown and true price."""

    sku: int
    name: str
    code: str
    shown_cents: int
    price_cents: int


@dataclass(frozen=True)
class Bay:
    """How a bay is framed: facings per row, rows, image size and the camera's distance."""

    cols: int = 3
    rows: int = 2
    width: int = 960
    height: int = 544
    distance_m: float = 1.0

    def __post_init__(self) -> None:
        if self.cols < 1 or self.rows < 1:
            raise ValueError("a bay needs at least one row and one column")
        if not 0.4 <= self.distance_m <= 3.0:
            raise ValueError(f"distance_m must be in [0.4, 3], got {self.distance_m}")

    @property
    def per_frame(self) -> int:
        """Tags in one frame."""
        return self.cols * self.rows


STANDARD_BAY = Bay()
"""Three facings by two shelves at 1 m, 960x544 pixels."""


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def price_text(cents: int) -> str:
    """How a tag prints a price."""
    return f"{cents // 100}.{cents % 100:02d}"


def shelf_frame(
    tags: Sequence[TagSpec],
    bay: Bay = STANDARD_BAY,
    conditions: Conditions = NORMAL,
    rng: np.random.Generator | None = None,
    t: float = 0.0,
) -> Frame:
    """One frame of up to ``bay.per_frame`` facings, row by row, with each tag's truth."""
    if len(tags) > bay.per_frame:
        raise ValueError(f"{len(tags)} tags do not fit a {bay.cols}x{bay.rows} bay")
    zoom = 1.0 / bay.distance_m
    image = Image.new("RGB", (bay.width, bay.height), (214, 210, 200))
    draw = ImageDraw.Draw(image)
    cell_w, cell_h = bay.width / bay.cols, bay.height / bay.rows
    truths = []
    for i, tag in enumerate(tags):
        col, row = i % bay.cols, i // bay.cols
        x0, y0 = col * cell_w, row * cell_h
        board = y0 + cell_h * 0.56
        draw.rectangle((x0, board, x0 + cell_w, board + cell_h * 0.44), fill=(120, 124, 132))
        _packs(draw, tag, x0, y0 + 6, cell_w, board - y0 - 6)
        box = _tag(draw, tag, x0 + cell_w / 2, board + 4, zoom)
        truths.append(TagTruth(tag.sku, box, tag.name, tag.code, tag.shown_cents, tag.price_cents))
    pixels = apply_conditions(image, conditions, rng)
    return Frame(pixels, t, tags=tuple(truths))


def _packs(draw: ImageDraw.ImageDraw, tag: TagSpec, x: float, y: float, w: float, h: float) -> None:
    """Three packs of the product, coloured by SKU, shaded on one side."""
    colour = CLOTHES[zlib.crc32(tag.code.encode()) % len(CLOTHES)]
    pack_w = w / 3.4
    for k in range(3):
        px = x + w * 0.06 + k * pack_w * 1.08
        draw.rounded_rectangle((px, y + h * 0.1, px + pack_w, y + h), radius=6, fill=colour)
        draw.rectangle(
            (px + pack_w * 0.75, y + h * 0.1 + 4, px + pack_w, y + h), fill=shade(colour, 0.8)
        )
        draw.ellipse(
            (px + pack_w * 0.2, y + h * 0.35, px + pack_w * 0.6, y + h * 0.65),
            fill=shade(colour, 1.4),
        )


def _tag(draw: ImageDraw.ImageDraw, tag: TagSpec, cx: float, top: float, zoom: float):
    """A white tag centred at ``cx``: name, code, and the price in large type."""
    w, h = 250 * zoom, 110 * zoom
    box = (cx - w / 2, top, cx + w / 2, top + h)
    draw.rectangle(box, fill=(250, 250, 246), outline=(60, 60, 60))
    pad = 8 * zoom
    draw.text((box[0] + pad, top + pad), tag.name, fill=(20, 20, 20), font=_font(round(17 * zoom)))
    draw.text(
        (box[0] + pad, top + 30 * zoom), tag.code, fill=(70, 70, 70), font=_font(round(13 * zoom))
    )
    draw.text(
        (box[2] - pad, top + h - pad),
        price_text(tag.shown_cents),
        fill=(10, 10, 10),
        font=_font(round(44 * zoom)),
        anchor="rd",
    )
    return box
