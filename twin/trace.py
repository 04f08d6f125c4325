"""What the dashboard's store-floor replay needs: where everyone was every few seconds.

A traced run samples each shopper's trajectory when the visit ends (the path is
complete then), and each walking member of staff's when the run ends, on one
grid of times (multiples of ``step_s``) so that every walker has a position in
every frame. It also keeps each shopper's time in a queue, per till. It only
reads what the run computed anyway: KPIs are the same with or without it.

Shelves and price labels are looked at once a minute (a process that only
reads, draws no random number and so moves no other event): a SKU whose shelf
went empty or was refilled, or whose label started or stopped disagreeing with
the services' price, becomes a row of ``shelf_events`` with its place on the
floor. Cameras in ``real`` fidelity hand the tracer a few of their frames with
the model's boxes and the truth's (``frames``: JPEG bytes and JSON boxes), so
the dashboard can show them without running a model.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Generator
from typing import Any

import numpy as np
import pyarrow as pa

STEP_S = 5
SHELF_STEP_S = 60
"""How often shelves and labels are looked at: a minute is finer than any replay step."""
FRAMES_PER_CAMERA = 4
FRAME_GAP_S = 3 * 3600
"""Sample frames kept per camera view, at least this far apart, each with someone in view."""

SHELF_EVENTS = pa.schema(
    [
        ("t_s", pa.int32()),
        ("event", pa.string()),
        ("sku", pa.string()),
        ("zone", pa.string()),
        ("x", pa.float32()),
        ("y", pa.float32()),
        ("labels", pa.string()),
        ("shown_cents", pa.int64()),
        ("price_cents", pa.int64()),
    ]
)
"""out_of_stock / restocked and price_mismatch / price_fixed, where on the floor; for labels,
whether they were paper or electronic (esl) then, the price shown and the price charged."""
FRAMES = pa.schema(
    [
        ("camera", pa.string()),
        ("view", pa.int32()),
        ("t_s", pa.float64()),
        ("model", pa.string()),
        ("width", pa.int32()),
        ("height", pa.int32()),
        ("jpeg", pa.binary()),
        ("truth", pa.string()),
        ("predicted", pa.string()),
    ]
)
"""A sampled camera frame: the image, the true person boxes ([[x0, y0, x1, y1], ...]) and the
model's ([[x0, y0, x1, y1, score], ...]), in pixels, as JSON."""


class Tracer:
    """Collects positions on a grid of ``step_s`` seconds, and queue spells per till."""

    def __init__(self, step_s: int = STEP_S):
        if step_s < 1:
            raise ValueError(f"step_s must be >= 1, got {step_s}")
        self.step_s = step_s
        self._parts: list[tuple[np.ndarray, int, str, np.ndarray]] = []
        self._queues: list[tuple[int, str, int, float, float]] = []
        self._floor: list[tuple[str, str, float, float, float, float]] = []
        self._shelf: list[dict[str, Any]] = []
        self._frames: list[dict[str, Any]] = []
        self._frame_times: dict[tuple[str, int], list[float]] = {}

    def watch_shelves(self, model: Any, every_s: int = SHELF_STEP_S) -> None:
        """Start looking at ``model``'s shelves and labels every ``every_s`` seconds."""
        model.env.process(self._shelves(model, every_s))

    def _shelves(self, model: Any, every_s: int) -> Generator[Any, object, None]:
        catalog, plan = model.catalog, model.plan
        zones = [z.id for z in model.scenario.layout.zones]
        zone = catalog.zone.tolist()
        y = catalog.shelf_y.tolist()
        spots = [
            {"sku": sku, "zone": zones[z], "x": plan.aisle_x(z), "y": y[i]}
            for i, (sku, z) in enumerate(zip(catalog.skus, zone, strict=True))
        ]
        empty = np.zeros(len(catalog), dtype=bool)
        wrong = np.zeros(len(catalog), dtype=bool)
        while True:
            t = int(model.env.now)
            now_empty = model.stock.shelf <= 0
            shown, charged = model.labels.shown_cents, model.pricing.cents
            now_wrong = shown != charged
            labels = "esl" if model.labels.electronic else "paper"
            for i in np.flatnonzero(now_empty != empty).tolist():
                event = "out_of_stock" if now_empty[i] else "restocked"
                self._shelf.append({"t_s": t, "event": event, **spots[i]})
            for i in np.flatnonzero(now_wrong != wrong).tolist():
                event = "price_mismatch" if now_wrong[i] else "price_fixed"
                self._shelf.append(
                    {
                        "t_s": t,
                        "event": event,
                        **spots[i],
                        "labels": labels,
                        "shown_cents": int(shown[i]),
                        "price_cents": int(charged[i]),
                    }
                )
            empty, wrong = now_empty, now_wrong
            yield model.env.timeout(every_s)

    def frame(self, camera: str, view: int, frame: Any, found: Any, model_name: str) -> None:
        """Keep a camera frame with the model's detections if this view still wants one."""
        key = (camera, view)
        kept = self._frame_times.setdefault(key, [])
        if not frame.people or len(kept) >= FRAMES_PER_CAMERA:
            return
        if kept and frame.t - kept[-1] < FRAME_GAP_S:
            return
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(frame.image).save(buffer, "JPEG", quality=80)
        height, width = frame.image.shape[:2]
        truth = [[round(float(v), 1) for v in p.box] for p in frame.people]
        predicted = [
            [*(round(float(v), 1) for v in box), round(float(score), 3)]
            for box, score in zip(found.boxes.tolist(), found.scores.tolist(), strict=True)
        ]
        kept.append(frame.t)
        self._frames.append(
            {
                "camera": camera,
                "view": view,
                "t_s": float(frame.t),
                "model": model_name,
                "width": width,
                "height": height,
                "jpeg": buffer.getvalue(),
                "truth": json.dumps(truth),
                "predicted": json.dumps(predicted),
            }
        )

    def walker(self, kind: str, ident: int, trajectory: Any, start: float, end: float) -> None:
        """Sample one walker's trajectory at the grid times within [start, end]."""
        first = math.ceil(start / self.step_s) * self.step_s
        times = np.arange(first, end + 1e-9, self.step_s, dtype=np.int64)
        if times.size:
            self._parts.append((times, ident, kind, trajectory.position(times)))

    def shopper(self, shopper: Any, left_s: float) -> None:
        """A finished visit: its path, and its spell in a queue if it queued."""
        self.walker("shopper", shopper.visit_id, shopper.trajectory, shopper.arrived, left_s)
        queued = getattr(shopper, "queued_at", None)
        if queued is not None and shopper.wait_s is not None:
            spell = (shopper.visit_id, shopper.till_kind, shopper.lane, queued)
            self._queues.append((*spell, queued + shopper.wait_s))

    def staff(self, agents: Any) -> None:
        """Every agent with a trajectory that is not a shopper (restockers), over its whole path."""
        for k, agent in enumerate(agents):
            trajectory = getattr(agent, "trajectory", None)
            if trajectory is None or hasattr(agent, "visit_id"):
                continue
            kind = type(agent).__name__.lower()
            self.walker(kind, -(k + 1), trajectory, trajectory.t[0], trajectory.end)

    def floor(self, layout: Any, tills: Any) -> None:
        """Keep the floor plan to draw under the walkers: outline, zones, tills, doors."""
        rows = [("floor", "floor", 0.0, 0.0, layout.width_m, layout.depth_m)]
        rows += [("zone", z.name, z.x, z.y, z.width, z.depth) for z in layout.zones]
        rows += [(t.kind, f"{t.kind} {t.index + 1}", *t.counter, 0.0, 0.0) for t in tills]
        rows += [("entrance", "entrance", layout.entrance.x, layout.entrance.y, 0.0, 0.0)]
        rows += [("exit", "exit", layout.exit.x, layout.exit.y, 0.0, 0.0)]
        self._floor = rows

    def tables(self) -> dict[str, pa.Table]:
        """The replay's tables: tracks, queues, floor, shelf_events, and frames if any.

        ``tracks`` has t_s, id, kind, x, y sorted by time; ``queues`` a row per spell.
        """
        if self._parts:
            t = np.concatenate([p[0] for p in self._parts])
            ids = np.concatenate([np.full(p[0].size, p[1], np.int32) for p in self._parts])
            kinds = np.concatenate([np.full(p[0].size, p[2], object) for p in self._parts])
            xy = np.concatenate([p[3] for p in self._parts]).round(2).astype(np.float32)
        else:
            t, ids, kinds, xy = (np.zeros(0, np.int64), np.zeros(0, np.int32), [], np.zeros((0, 2)))
        order = np.lexsort((ids, t))
        tracks = pa.table(
            {
                "t_s": pa.array(t[order].astype(np.int32)),
                "id": pa.array(ids[order]),
                "kind": pa.array(np.asarray(kinds, object)[order], pa.string()).dictionary_encode(),
                "x": pa.array(xy[order, 0].astype(np.float32)),
                "y": pa.array(xy[order, 1].astype(np.float32)),
            }
        )
        queues = sorted(self._queues, key=lambda q: (q[3], q[0]))
        columns = ("visit_id", "till", "lane", "start_s", "end_s")
        spells = pa.table({c: [q[i] for q in queues] for i, c in enumerate(columns)})
        columns = ("kind", "name", "x", "y", "width", "depth")
        floor = pa.table({c: [r[i] for r in self._floor] for i, c in enumerate(columns)})
        out = {"tracks": tracks, "queues": spells, "floor": floor}
        out["shelf_events"] = pa.Table.from_pylist(self._shelf, SHELF_EVENTS)
        if self._frames:
            out["frames"] = pa.Table.from_pylist(self._frames, FRAMES)
        return out
