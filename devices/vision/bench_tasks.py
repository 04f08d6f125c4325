"""Scoring a model's results on benchmark frames: people counting and price-tag reading."""

from __future__ import annotations

import numpy as np

from devices.vision.bench import MIN_SAMPLES, by_condition, finish
from devices.vision.bench_sets import Sample
from devices.vision.frames import PersonTruth
from devices.vision.metrics import Match, match_heads
from devices.vision.models.ocr import read_tags
from devices.vision.results import Detections, TextLine

HEAD_Z = 1.6

STORE_POSE = "standard"
"""The pose of a store's queue cameras (``scenes.queue_camera``): the frames whose count errors,
by blur, the measured fidelity draws for a camera in a run (``count_error_by_look``)."""


def looks(condition: dict[str, str]) -> list[str]:
    """The ``count_error_by_look`` keys a store-pose frame counts under.

    Its blur, and ``store/blur`` when it is a moment of a bench store (see
    ``errors.PeopleErrors.sample_count``).
    """
    blur = condition["blur"]
    return [blur, f"{condition['store']}/{blur}"] if "store" in condition else [blur]


def seen_count(s: Sample, det: Detections) -> int:
    """People a model counts in a frame: in the lane's queue area for queue frames, else all."""
    return int(counted(s, det).sum())


def counted(s: Sample, det: Detections) -> np.ndarray:
    """Which detections a frame's count takes: those in the lane's queue area, else all."""
    if s.region is None or s.cam is None:
        return np.ones(len(det), dtype=bool)
    floor = s.cam.unproject(det.points, HEAD_Z).reshape(-1, 2)
    x0, y0, x1, y1 = s.region
    return (floor[:, 0] >= x0) & (floor[:, 0] <= x1) & (floor[:, 1] >= y0) & (floor[:, 1] <= y1)


def _counts(s: Sample, person: PersonTruth) -> bool:
    """Whether a person in view is one a frame's count is about (in the queue area, if any)."""
    if s.region is None:
        return True
    x0, y0, x1, y1 = s.region
    x, y = person.floor
    return x0 <= x <= x1 and y0 <= y <= y1


def prediction_rows(model: str, frames: list[Sample], results: list) -> list[dict]:
    """Every frame's predictions beside its truth, one row per frame (predictions.parquet).

    People frames: true ids, boxes, head boxes, visible share and whether each
    is one the frame's count is about (in the queue area); predicted
    boxes, head points, scores and whether each is counted (in the queue area);
    true and seen counts. Shelf frames: the tags
    (sku, name, shown and true price) and the text lines read (box, text, score).
    """
    rows = []
    for i, (s, res) in enumerate(zip(frames, results, strict=True)):
        row: dict = {"model": model, "frame": i, **{f"cond_{k}": v for k, v in s.condition.items()}}
        if isinstance(res, Detections):
            people = s.frame.people
            row |= {
                "truth_count": s.truth_count,
                "seen_count": seen_count(s, res),
                "truth_ids": [p.pid for p in people],
                "truth_boxes": [list(p.box) for p in people],
                "truth_heads": [list(p.head) for p in people],
                "truth_visible": [float(p.visible) for p in people],
                "truth_counted": [_counts(s, p) for p in people],
                "pred_boxes": res.boxes.round(2).tolist(),
                "pred_points": res.points.round(2).tolist(),
                "pred_scores": res.scores.round(4).tolist(),
                "pred_counted": counted(s, res).tolist(),
            }
        else:
            tags = s.frame.tags
            row |= {
                "truth_count": len(tags),
                "truth_skus": [t.sku for t in tags],
                "truth_names": [t.name for t in tags],
                "truth_boxes": [list(t.box) for t in tags],
                "truth_shown_cents": [t.shown_cents for t in tags],
                "truth_price_cents": [t.price_cents for t in tags],
                "pred_boxes": [list(line.box) for line in res],
                "pred_text": [line.text for line in res],
                "pred_scores": [float(line.score) for line in res],
            }
        rows.append(row)
    return rows


def person_labels(person: PersonTruth) -> dict[str, str]:
    """A person's occlusion and distance buckets (distance by the head's height in pixels)."""
    height = person.head[3] - person.head[1]
    return {
        "occlusion": "visible" if person.visible >= 0.8 else "occluded",
        "distance": "near (head >= 30 px)"
        if height >= 30
        else "mid (18-30 px)"
        if height >= 18
        else "far (< 18 px)",
    }


def score_people(frames: list[Sample], results: list[Detections]) -> dict:
    """Recall, precision, count error overall, by crowd size, and by condition.

    Queue frames count people in the lane's queue area (detections turned back
    into floor positions); ceiling frames count everyone in view. Recall and
    precision are of the people that count: on queue frames, those standing in
    the lane's queue area (found anywhere in the frame), and the detections
    there (the neighbouring queues and shelves a store camera also sees are
    drawn, but not scored).
    """
    rows = []
    person_rows = []
    deltas: dict[str, list[int]] = {}
    by_look: dict[str, dict[str, list[int]]] = {}
    for s, det in zip(frames, results, strict=True):
        m = match_heads(det, [p.head for p in s.frame.people])
        seen = seen_count(s, det)
        scored = [_counts(s, p) for p in s.frame.people]
        hit = sum(f for f, c in zip(m.found, scored, strict=True) if c)
        if s.region is not None:
            m = Match(hit, sum(scored) - hit, max(seen - hit, 0), m.found)
        err = abs(seen - s.truth_count)
        deltas.setdefault(s.condition["crowd"], []).append(seen - s.truth_count)
        if s.condition.get("pose") == STORE_POSE:
            for look in looks(s.condition):
                by_look.setdefault(look, {}).setdefault(s.condition["crowd"], []).append(
                    seen - s.truth_count
                )
        rows.append(
            (
                s.condition,
                {
                    "hit": m.hit,
                    "miss": m.miss,
                    "extra": m.extra,
                    "frames": 1,
                    "abs_err": err,
                    "abs_err_sq": err * err,
                    "exact": float(err == 0),
                },
            )
        )
        for person, found, counts in zip(s.frame.people, m.found, scored, strict=True):
            if not counts:
                continue
            person_rows.append(
                (
                    person_labels(person),
                    {
                        "hit": float(found),
                        "miss": float(not found),
                        "extra": 0.0,
                        "frames": 0.0,
                        "abs_err": 0.0,
                        "abs_err_sq": 0.0,
                        "exact": 0.0,
                    },
                )
            )
    total = finish({k: sum(r[1][k] for r in rows) for k in rows[0][1]})
    conditions = by_condition(rows)
    per_person = by_condition(person_rows)
    for key in ("occlusion", "distance"):
        conditions[key] = {
            b: {
                "recall": v["recall"],
                "recall_ci": v["recall_ci"],
                "people": v["people"],
                "too_few": v["people"] < MIN_SAMPLES,
            }
            for b, v in per_person.get(key, {}).items()
        }
    crowd = conditions.get("crowd", {})
    return {
        "recall": total["recall"],
        "recall_ci": total["recall_ci"],
        "precision": total["precision"],
        "count_mae": total["count_mae"],
        "count_mae_ci": total["count_mae_ci"],
        "exact_count_rate": total["exact_count_rate"],
        "fp_per_frame": round(sum(r[1]["extra"] for r in rows) / len(rows), 4),
        "recall_by_count": {
            k: v["recall"] for k, v in crowd.items() if k.isdigit() and v["recall"] is not None
        },
        "count_error_by_count": _histograms(deltas),
        "count_error_by_look": {look: _histograms(d) for look, d in sorted(by_look.items())},
        "by_condition": conditions,
    }


def _histograms(deltas: dict[str, list[int]]) -> dict[str, dict[str, float]]:
    """Per true count: the share of frames with each count error (seen - true)."""
    counts = sorted((k for k in deltas if k.isdigit()), key=int)  # ceiling buckets are ranges
    return {
        k: {str(d): round(deltas[k].count(d) / len(deltas[k]), 4) for d in sorted(set(deltas[k]))}
        for k in counts
    }


def score_ocr(frames: list[Sample], results: list[list[TextLine]]) -> dict:
    """Exact price and name rates, unreadable rate, and stale-tag detection precision/recall."""
    rows = []
    flagged = stale = caught = unread = 0
    for s, lines in zip(frames, results, strict=True):
        tags = list(s.frame.tags)
        readings = read_tags(lines, tags)
        price_ok = name_ok = 0
        for tag, r in zip(tags, readings, strict=True):
            price_ok += r.price_cents == tag.shown_cents
            name_ok += r.text.split(" | ")[0] == tag.name
            unread += r.price_cents is None
            is_stale = tag.shown_cents != tag.price_cents
            says_stale = r.price_cents is not None and r.price_cents != tag.price_cents
            stale += is_stale
            flagged += says_stale
            caught += is_stale and says_stale
        tally = {"tags": len(tags), "price_ok": price_ok, "name_ok": name_ok, "frames": 1}
        rows.append((s.condition, tally))
    total = finish({k: sum(r[1][k] for r in rows) for k in rows[0][1]})
    n_tags = sum(r[1]["tags"] for r in rows)
    return {
        "exact_price_rate": total["exact_price_rate"],
        "exact_price_rate_ci": total["exact_price_rate_ci"],
        "exact_name_rate": total["exact_name_rate"],
        "no_read_rate": round(unread / n_tags, 4),
        "mismatch_recall": round(caught / stale, 4) if stale else None,
        "mismatch_precision": round(caught / flagged, 4) if flagged else None,
        "tags": n_tags,
        "by_condition": by_condition(rows),
    }
