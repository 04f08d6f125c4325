"""Scoring model output against a frame's truth.

A detection counts as a person found when its head point falls on that
person's head (box widened by a quarter each way); each person is found at most
once, best-scoring detection first. Counting errors are computed per frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from devices.vision.frames import Box
from devices.vision.results import Detections


@dataclass(frozen=True)
class Match:
    """Per frame: people found, people missed, detections that are nobody."""

    hit: int
    miss: int
    extra: int
    found: tuple[bool, ...]


def match_heads(det: Detections, heads: Sequence[Box], margin: float = 0.25) -> Match:
    """Match detections (best first) to head boxes."""
    used, hits = head_hits(det.points, det.scores, heads, margin)
    hit = int(hits.sum())
    return Match(hit, len(heads) - hit, len(det) - hit, tuple(used.tolist()))


def head_hits(
    points: np.ndarray, scores: np.ndarray, heads: Sequence[Box], margin: float = 0.25
) -> tuple[np.ndarray, np.ndarray]:
    """The matching of ``match_heads``: which heads were found, and which detections found one."""
    finders = head_finders(points, scores, heads, margin)
    hits = np.zeros(len(np.asarray(points).reshape(-1, 2)), dtype=bool)
    hits[finders[finders >= 0]] = True
    return finders >= 0, hits


def head_finders(
    points: np.ndarray, scores: np.ndarray, heads: Sequence[Box], margin: float = 0.25
) -> np.ndarray:
    """Per head, the detection that found it (-1: none), matched best first.

    Best first, so the detections at or above any score threshold are matched
    exactly as they would be without the ones below it: one matching gives
    precision and recall at every threshold.
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    finders = np.full(len(heads), -1, dtype=int)
    for i in np.argsort(-np.asarray(scores, dtype=float)):
        px, py = points[i]
        for k, (x0, y0, x1, y1) in enumerate(heads):
            mx, my = margin * (x1 - x0), margin * (y1 - y0)
            if finders[k] < 0 and x0 - mx <= px <= x1 + mx and y0 - my <= py <= y1 + my:
                finders[k] = i
                break
    return finders


def match_points(points: np.ndarray, truth: np.ndarray, radius: float) -> tuple[int, int, int]:
    """Greedy nearest matching of points within ``radius``; returns (hit, miss, extra)."""
    truth = np.asarray(truth, dtype=float).reshape(-1, 2)
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if not len(truth) or not len(points):
        return 0, len(truth), len(points)
    dist = np.linalg.norm(points[:, None, :] - truth[None, :, :], axis=-1)
    hit = 0
    while dist.size and dist.min() <= radius:
        i, k = np.unravel_index(np.argmin(dist), dist.shape)
        dist[i, :] = np.inf
        dist[:, k] = np.inf
        hit += 1
    return hit, len(truth) - hit, len(points) - hit


def rate(numerator: float, denominator: float) -> float | None:
    """A share, or None when nothing was there to count."""
    return round(numerator / denominator, 4) if denominator else None
