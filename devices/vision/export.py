"""A synthetic labelled dataset of the twin's scenes in COCO format (``storetwin frames export``).

The frames are the bench's own (``bench_sets``): the same store, renderer,
camera poses and condition buckets, so a model trained or checked on an export
meets what the bench and the cameras in a run show it. Each annotation keeps
the truth COCO has no field for (person id, occlusion, distance; a tag's text
and prices) as extra keys, which COCO readers carry along untouched.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from devices.vision.bench_sets import (
    SHELF_DISTANCES,
    Sample,
    condition_names,
    oblique_samples,
    shelf_samples,
    top_samples,
)
from devices.vision.bench_tasks import HEAD_Z, person_labels
from devices.vision.frames import Box, PersonTruth, TagTruth
from devices.vision.shelf import price_text

VIEWS = ("oblique", "top", "shelf")
IMAGE_FORMATS = {"jpg": "JPEG", "png": "PNG"}
CATEGORIES = {
    "people": [{"id": 1, "name": "person", "supercategory": "person"}],
    "shelf": [{"id": 1, "name": "price_tag", "supercategory": "shelf"}],
}
TOP_TRIES = 4
"""A ceiling frame's conditions are known only once it is drawn: up to this many times the
frames of one full cycle of buckets are drawn to find the asked ones."""

Tick = Callable[[float], None]


class ExportError(ValueError):
    """An export that cannot be made as asked (the message says why and what is allowed)."""


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote and what it cost (``cpu_s``: user + system seconds of this process)."""

    out: Path
    view: str
    frames: int
    annotations: int
    bytes: int
    seconds: float
    cpu_s: float

    @property
    def frames_per_s(self) -> float:
        """Frames written per wall-clock second."""
        return self.frames / self.seconds if self.seconds else math.inf


def allowed(view: str) -> str:
    """The condition names a view's frames carry, as an error message lists them."""
    return ", ".join(f"{k}={'|'.join(v)}" for k, v in condition_names(view).items())


def parse_conditions(view: str, specs: Sequence[str]) -> dict[str, frozenset[str]]:
    """Conditions to export, from ``key=bucket`` or bare bucket names (commas split them).

    Buckets of one condition are alternatives (``dim,bright``); different
    conditions must all hold (``dim,soft``).

    Raises:
        ExportError: an unknown view, condition or bucket, naming the allowed ones.
    """
    if view not in VIEWS:
        raise ExportError(f"unknown view {view!r}: {', '.join(VIEWS)}")
    names = condition_names(view)
    chosen: dict[str, set[str]] = {}
    for item in (part.strip() for spec in specs for part in spec.split(",")):
        if not item:
            continue
        key, _, bucket = item.rpartition("=")
        if key:
            if bucket not in names.get(key, ()):
                raise ExportError(
                    f"unknown condition {item!r} for the {view} view: {allowed(view)}"
                )
        else:
            keys = [k for k, buckets in names.items() if bucket in buckets]
            if len(keys) != 1:
                why = "unknown" if not keys else "ambiguous"
                raise ExportError(f"{why} condition {item!r} for the {view} view: {allowed(view)}")
            key = keys[0]
        chosen.setdefault(key, set()).add(bucket)
    return {k: frozenset(v) for k, v in chosen.items()}


def _samples(
    view: str, frames: int, seed: int, chosen: dict[str, frozenset[str]]
) -> Iterator[Sample]:
    """The first ``frames`` bench frames of a view whose labels match ``chosen``."""

    def keep(labels: dict[str, str]) -> bool:
        return all(labels.get(k) in buckets for k, buckets in chosen.items())

    if not chosen:
        candidates = frames
    else:
        cycle = math.prod(len(b) for b in condition_names(view).values())
        candidates = frames * cycle * (TOP_TRIES if view == "top" else 1)
    make = {"oblique": oblique_samples, "top": top_samples, "shelf": shelf_samples}[view]
    found = 0
    for sample in make(candidates, seed, keep=keep if chosen else None):
        yield sample
        found += 1
        if found == frames:
            return
    raise ExportError(
        f"only {found} of {frames} {view} frames in {candidates} drawn match the conditions"
    )


def _clipped(box: Box, width: int, height: int) -> list[float]:
    """COCO's [x, y, w, h] of a box cut to the image."""
    x0, y0 = min(max(box[0], 0.0), width), min(max(box[1], 0.0), height)
    x1, y1 = min(max(box[2], 0.0), width), min(max(box[3], 0.0), height)
    return [round(x0, 2), round(y0, 2), round(x1 - x0, 2), round(y1 - y0, 2)]


def person_annotation(person: PersonTruth, sample: Sample, width: int, height: int) -> dict:
    """One person's COCO annotation fields and truth extras (without ids).

    ``head_bbox`` is [x, y, w, h] as ``bbox``; ``distance_m`` runs from the
    camera to the head (None where the sample has no camera: ceiling frames).
    """
    bbox = _clipped(person.box, width, height)
    labels = person_labels(person)
    distance_m = None
    if sample.cam is not None:
        cx, cy, cz = sample.cam.position
        distance_m = round(math.dist((cx, cy, cz), (*person.floor, HEAD_Z)), 3)
    return {
        "category_id": 1,
        "bbox": bbox,
        "area": round(bbox[2] * bbox[3], 2),
        "iscrowd": 0,
        "person_id": person.pid,
        "head_bbox": _clipped(person.head, width, height),
        "visible": round(person.visible, 4),
        "occlusion": round(1.0 - person.visible, 4),
        "occluded": labels["occlusion"] == "occluded",
        "distance": labels["distance"],
        "distance_m": distance_m,
        "floor_xy": [round(v, 3) for v in person.floor],
        "facing_camera": person.facing_camera,
        "truncated": not (
            person.box[0] >= 0
            and person.box[1] >= 0
            and person.box[2] <= width
            and person.box[3] <= height
        ),
    }


def tag_annotation(tag: TagTruth, sample: Sample, width: int, height: int) -> dict:
    """One price tag's COCO annotation fields and truth extras (without ids)."""
    bbox = _clipped(tag.box, width, height)
    shown = price_text(tag.shown_cents)
    distance = sample.condition.get("distance")
    return {
        "category_id": 1,
        "bbox": bbox,
        "area": round(bbox[2] * bbox[3], 2),
        "iscrowd": 0,
        "sku": tag.sku,
        "name": tag.name,
        "code": tag.code,
        "text": f"{tag.name}\n{tag.code}\n{shown}",
        "price_text": shown,
        "shown_cents": tag.shown_cents,
        "price_cents": tag.price_cents,
        "stale": tag.shown_cents != tag.price_cents,
        "distance": distance,
        "distance_m": SHELF_DISTANCES.get(distance or ""),
    }


def export_coco(
    view: str,
    frames: int,
    out: Path,
    conditions: Sequence[str] = (),
    seed: int = 0,
    image_format: str = "jpg",
    tick: Tick | None = None,
) -> ExportSummary:
    """Render ``frames`` labelled frames of a view and write them as a COCO dataset under ``out``.

    Writes ``out/images/NNNNNN.jpg|png`` and ``out/annotations/instances.json``
    (images, annotations with bbox/area/category_id/iscrowd and the truth
    extras, categories). The same arguments give the same files, byte for byte.

    Raises:
        ExportError: a bad view, condition, frame count or image format, or an ``out``
            that already holds an export (its images would mix with these).
    """
    if frames < 1:
        raise ExportError(f"frames must be >= 1, got {frames}")
    if image_format not in IMAGE_FORMATS:
        raise ExportError(f"unknown image format {image_format!r}: {', '.join(IMAGE_FORMATS)}")
    chosen = parse_conditions(view, conditions)
    if (out / "annotations" / "instances.json").exists() or any((out / "images").glob("*")):
        raise ExportError(f"{out} already holds an export: choose another --out or remove it")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "annotations").mkdir(parents=True, exist_ok=True)
    images: list[dict] = []
    annotations: list[dict] = []
    size = 0
    for i, sample in enumerate(_samples(view, frames, seed, chosen)):
        image = sample.frame.image
        height, width = image.shape[:2]
        name = f"{i:06d}.{image_format}"
        path = out / "images" / name
        Image.fromarray(np.ascontiguousarray(image)).save(
            path, IMAGE_FORMATS[image_format], **({"quality": 90} if image_format == "jpg" else {})
        )
        size += path.stat().st_size
        images.append(
            {
                "id": i + 1,
                "file_name": name,
                "width": width,
                "height": height,
                "view": view,
                "condition": dict(sample.condition),
                "count": sample.frame.count if view != "shelf" else len(sample.frame.tags),
            }
        )
        truths = (
            [tag_annotation(t, sample, width, height) for t in sample.frame.tags]
            if view == "shelf"
            else [person_annotation(p, sample, width, height) for p in sample.frame.people]
        )
        for fields in truths:
            annotations.append({"id": len(annotations) + 1, "image_id": i + 1, **fields})
        if tick:
            tick((i + 1) / frames)
    dataset = {
        "info": {
            "description": f"storetwin synthetic {view} frames",
            "view": view,
            "seed": seed,
            "conditions": {k: sorted(v) for k, v in sorted(chosen.items())},
        },
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": CATEGORIES["shelf" if view == "shelf" else "people"],
    }
    instances = out / "annotations" / "instances.json"
    instances.write_text(json.dumps(dataset), encoding="utf-8")
    size += instances.stat().st_size
    return ExportSummary(
        out=out,
        view=view,
        frames=len(images),
        annotations=len(annotations),
        bytes=size,
        seconds=round(time.perf_counter() - wall0, 3),
        cpu_s=round(time.process_time() - cpu0, 3),
    )
