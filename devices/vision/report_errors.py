"""A people model's errors on the bench page: precision-recall, a threshold sweep, example frames.

Everything here is computed from ``predictions.parquet``'s rows (each frame's
predictions with their scores beside its truth), so a data team gets the same
curves from the file as the page shows. The model's own score threshold has
already cut what it reported: the curves start there.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from PIL import Image, ImageDraw

from devices.vision.metrics import head_finders, head_hits

TRUTH_FOUND = (40, 200, 80)
TRUTH_MISSED = (255, 200, 0)
PRED_HIT = (60, 130, 255)
PRED_FALSE = (230, 40, 40)
THUMB_WIDTH = 240


def scored_detections(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per detection: frame, score, found a person that counts, counted.

    ``rows`` are one model's people rows of predictions.parquet; detections are
    matched to the true heads best first (``metrics.head_finders``), as the bench
    scores them. As in the bench, a person counts when the frame's count is about
    them (``truth_counted``: in a queue frame, standing in the lane's queue area),
    wherever the detection that found them lies.
    """
    out: list[tuple[int, float, bool, bool]] = []
    for frame, heads, points, scores, counted, counts in zip(
        rows["frame"],
        rows["truth_heads"],
        rows["pred_points"],
        rows["pred_scores"],
        rows["pred_counted"],
        _truth_counted(rows),
        strict=True,
    ):
        scores = np.asarray(scores, dtype=float)
        finders = head_finders(_array(points, 2), scores, [tuple(h) for h in heads])
        hits = np.zeros(len(scores), dtype=bool)
        hits[[f for f, c in zip(finders, counts, strict=True) if f >= 0 and c]] = True
        out += [(frame, s, bool(h), bool(c)) for s, h, c in zip(scores, hits, counted, strict=True)]
    columns = list(zip(*out, strict=True)) or [(), (), (), ()]
    types = {"frame": int, "score": float, "hit": bool, "counted": bool}
    return pd.DataFrame(
        {name: np.array(c, dtype=t) for (name, t), c in zip(types.items(), columns, strict=True)}
    )


def _truth_counted(rows: pd.DataFrame) -> list[list[bool]]:
    """Per frame, which true people its count is about (all of them in files without the column)."""
    if "truth_counted" in rows:
        return [list(c) for c in rows["truth_counted"]]
    return [[True] * len(h) for h in rows["truth_heads"]]


def _array(values: Sequence, width: int) -> np.ndarray:
    return np.array([list(v) for v in values], dtype=float).reshape(-1, width)


def pr_curve(rows: pd.DataFrame, points: int = 400) -> pd.DataFrame:
    """Precision and recall with every detection down to each score in turn (best first).

    At most ``points`` thresholds (score quantiles, the lowest score always
    among them), each scored as the bench scores a frame (``threshold_sweep``).
    """
    scores = np.unique(scored_detections(rows)["score"].to_numpy())[::-1]
    if len(scores) > points:
        scores = np.unique(np.quantile(scores, np.linspace(0, 1, points)))[::-1]
    sweep = threshold_sweep(rows, list(scores))
    if sweep.empty:
        return pd.DataFrame({"score": [], "precision": [], "recall": []}, dtype=float)
    return pd.DataFrame(
        {"score": sweep["threshold"], "precision": sweep["precision"], "recall": sweep["recall"]}
    )


def threshold_sweep(rows: pd.DataFrame, thresholds: Sequence[float] | None = None) -> pd.DataFrame:
    """Precision, recall and count MAE if only detections scoring at least each threshold were kept.

    Scored as the bench scores frames: a frame's count is its counted
    detections at or above the threshold, its error against the frame's true
    count; people found are those that count, found by any kept detection;
    detections that are nobody are the frame's count beyond the people found.
    Default thresholds: 0.05 steps from the lowest score kept up to the highest.
    """
    dets = scored_detections(rows)
    if thresholds is None:
        low = float(dets["score"].min()) if len(dets) else 0.0
        high = float(dets["score"].max()) if len(dets) else 1.0
        start = np.floor(low * 20) / 20
        thresholds = [low, *(t for t in np.arange(start + 0.05, high, 0.05).round(2) if t > low)]
    people = sum(sum(c) for c in _truth_counted(rows))
    truth = rows.set_index("frame")["truth_count"]
    out = []
    for t in thresholds:
        kept = dets[dets["score"] >= t]
        found = kept.groupby("frame")["hit"].sum().reindex(truth.index, fill_value=0)
        seen = kept[kept["counted"]].groupby("frame").size().reindex(truth.index, fill_value=0)
        hits = int(found.sum())
        extra = int((seen - found).clip(lower=0).sum())
        out.append(
            {
                "threshold": float(t),
                "detections": len(kept),
                "precision": hits / (hits + extra) if hits + extra else np.nan,
                "recall": hits / people if people else np.nan,
                "count_mae": float((seen - truth).abs().mean()),
            }
        )
    return pd.DataFrame(out)


def pr_figure(name: str, curve: pd.DataFrame) -> go.Figure:
    """A model's precision-recall curve, each point hovering its score."""
    fig = go.Figure(
        go.Scatter(
            x=curve["recall"],
            y=curve["precision"],
            mode="lines+markers",
            marker_size=4,
            customdata=curve["score"],
            hovertemplate="score >= %{customdata:.3f}<br>recall %{x:.3f}<br>precision %{y:.3f}",
            name=name,
        )
    )
    low = f" (down to its own threshold, score {curve['score'].min():.2f})" if len(curve) else ""
    fig.update_layout(
        title=f"{name}: precision-recall{low}",
        xaxis={"title": "recall", "range": [0, 1.02]},
        yaxis={"title": "precision", "range": [0, 1.05]},
    )
    return fig


def sweep_figure(name: str, sweep: pd.DataFrame) -> go.Figure:
    """Precision, recall (left axis) and count MAE (right axis, from 0) against the threshold."""
    fig = go.Figure(
        [
            go.Scatter(x=sweep["threshold"], y=sweep[k], name=k, mode="lines+markers")
            for k in ("precision", "recall")
        ]
    )
    fig.add_trace(
        go.Scatter(
            x=sweep["threshold"],
            y=sweep["count_mae"],
            name="count MAE",
            yaxis="y2",
            mode="lines+markers",
            line_dash="dash",
        )
    )
    fig.update_layout(
        title=f"{name}: what each score threshold would give",
        xaxis={"title": "score threshold"},
        yaxis={"title": "precision / recall", "range": [0, 1.05]},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "title": "count MAE (people per frame)",
            "rangemode": "tozero",
        },
    )
    return fig


def error_frames(rows: pd.DataFrame, k: int = 3) -> list[tuple[str, int]]:
    """The ``k`` frames with the most misses and the ``k`` with the most false positives.

    Returns (kind, frame) pairs, kind ``miss`` or ``false positive``; ties go
    to the earlier frame, and frames without such errors are never picked.
    """
    dets = scored_detections(rows)
    found = dets.groupby("frame")["hit"].sum()
    seen = dets[dets["counted"]].groupby("frame").size()
    per_frame = rows.set_index("frame")["truth_count"].to_frame("truth")
    per_frame["people"] = [sum(c) for c in _truth_counted(rows)]
    per_frame["found"] = found.reindex(per_frame.index, fill_value=0)
    per_frame["misses"] = per_frame["people"] - per_frame["found"]
    per_frame["false"] = (seen.reindex(per_frame.index, fill_value=0) - per_frame["found"]).clip(
        lower=0
    )
    out = []
    for kind, column in (("miss", "misses"), ("false positive", "false")):
        worst = per_frame[per_frame[column] > 0].sort_values(column, ascending=False, kind="stable")
        out += [(kind, int(f)) for f in worst.index[:k]]
    return out


def thumbnail(
    image: np.ndarray,
    truth_boxes: Sequence,
    truth_heads: Sequence,
    pred_boxes: Sequence,
    pred_points: Sequence,
    pred_scores: Sequence,
    width: int = THUMB_WIDTH,
) -> str:
    """A small JPEG (data URI) of a frame with both box sets drawn.

    Truth: green when found, yellow when missed; the model's boxes: blue when
    they found someone, red when they are nobody.
    """
    scores = np.asarray(pred_scores, dtype=float)
    found, hits = head_hits(_array(pred_points, 2), scores, [tuple(h) for h in truth_heads])
    picture = Image.fromarray(np.ascontiguousarray(image)).convert("RGB")
    draw = ImageDraw.Draw(picture)
    line = max(2, picture.width // 200)
    for box, ok in zip(truth_boxes, found, strict=True):
        draw.rectangle(tuple(box), outline=TRUTH_FOUND if ok else TRUTH_MISSED, width=line)
    for box, ok in zip(pred_boxes, hits, strict=True):
        draw.rectangle(tuple(box), outline=PRED_HIT if ok else PRED_FALSE, width=line)
    height = round(picture.height * width / picture.width)
    picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    picture.save(buf, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def error_examples(rows: pd.DataFrame, images: Sequence[np.ndarray], k: int = 3) -> list[dict]:
    """Thumbnails of the frames with the most misses and false positives, with what they show.

    ``images[i]`` is the image of the frame numbered ``i`` in ``rows``.
    """
    by_frame = rows.set_index("frame")
    out = []
    for kind, frame in error_frames(rows, k):
        row = by_frame.loc[frame]
        scores = np.asarray(row["pred_scores"], dtype=float)
        found, hits = head_hits(
            _array(row["pred_points"], 2), scores, [tuple(h) for h in row["truth_heads"]]
        )
        condition = {c.removeprefix("cond_"): row[c] for c in rows.columns if c.startswith("cond_")}
        out.append(
            {
                "kind": kind,
                "frame": frame,
                "people": int(row["truth_count"]),
                "misses": int((~found).sum()),
                "false_positives": int((~hits).sum()),
                "condition": {k: v for k, v in condition.items() if isinstance(v, str)},
                "image": thumbnail(
                    images[frame],
                    row["truth_boxes"],
                    row["truth_heads"],
                    row["pred_boxes"],
                    row["pred_points"],
                    row["pred_scores"],
                ),
            }
        )
    return out


def examples_html(name: str, examples: Sequence[dict]) -> str:
    """A model's example frames as an HTML section (thumbnails embedded)."""
    if not examples:
        return f"<h3>{html.escape(name)}: no frame with a miss or a false positive</h3>"
    legend = (
        "truth: <b style='color:#28c850'>found</b> / <b style='color:#c8a000'>missed</b>; "
        "model: <b style='color:#3c82ff'>found someone</b> / "
        "<b style='color:#e62828'>nobody (false positive)</b>"
    )
    cells = []
    for e in examples:
        cond = ", ".join(f"{k} {v}" for k, v in e["condition"].items())
        caption = html.escape(
            f"{e['kind']}: frame {e['frame']}, {e['people']} people, {e['misses']} missed, "
            f"{e['false_positives']} false; {cond}"
        )
        cells.append(
            f"<figure style='display:inline-block;margin:4px;width:{THUMB_WIDTH}px'>"
            f"<img src='{e['image']}' width='{THUMB_WIDTH}' alt='{caption}'>"
            f"<figcaption style='font-size:small'>{caption}</figcaption></figure>"
        )
    return f"<h3>{html.escape(name)}: example errors</h3><p>{legend}</p>{''.join(cells)}"
