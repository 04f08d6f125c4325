"""What the dashboard's store-floor replay needs: where everyone was every few seconds.

A traced run samples each shopper's trajectory when the visit ends (the path is
complete then), and each walking member of staff's when the run ends, on one
grid of times (multiples of ``step_s``) so that every walker has a position in
every frame. It also keeps each shopper's time in a queue, per till. It only
reads what the run computed anyway: KPIs are the same with or without it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa

STEP_S = 5


class Tracer:
    """Collects positions on a grid of ``step_s`` seconds, and queue spells per till."""

    def __init__(self, step_s: int = STEP_S):
        if step_s < 1:
            raise ValueError(f"step_s must be >= 1, got {step_s}")
        self.step_s = step_s
        self._parts: list[tuple[np.ndarray, int, str, np.ndarray]] = []
        self._queues: list[tuple[int, str, int, float, float]] = []
        self._floor: list[tuple[str, str, float, float, float, float]] = []

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
        """``tracks`` (t_s, id, kind, x, y; by time), ``queues`` (a row a spell) and ``floor``."""
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
        return {"tracks": tracks, "queues": spells, "floor": floor}
