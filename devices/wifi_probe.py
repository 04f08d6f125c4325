"""WiFi probes: positions of the phones they see, dwell per zone and heat zones.

Treat the store like a website: a probe sees a share of shoppers' phones and
samples their position every few seconds with metres of error. From that the
store gets paths, dwell per zone ("exposure") and hot zones, each beside the
truth so the probe's error is known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from devices.base import Device
from scenarios.features import WifiProbe

if TYPE_CHECKING:
    from agents.shopper import Shopper
    from twin.model import StoreModel

DWELL = pa.schema(
    [
        ("visit_id", pa.int64()),
        ("day", pa.int32()),
        ("zone", pa.string()),
        ("observed_s", pa.float64()),
        ("true_s", pa.float64()),
    ]
)
HEAT = pa.schema(
    [
        ("day", pa.int32()),
        ("cell_x", pa.int32()),
        ("cell_y", pa.int32()),
        ("observed_s", pa.float64()),
        ("true_s", pa.float64()),
    ]
)
CELL_M = 2.0
TRUTH_STEP_S = 2.0


class WifiProbeNetwork(Device):
    """The store's probes as one device: observes shoppers as they leave."""

    kind = "wifi_probe"

    def __init__(self, model: StoreModel, spec: WifiProbe, rng: np.random.Generator):
        super().__init__(model, "wifi-1", model.plan.checkout_area(), rng)
        self.spec = spec
        lay = model.scenario.layout
        self.zones = lay.zones
        self.grid = (int(np.ceil(lay.width_m / CELL_M)), int(np.ceil(lay.depth_m / CELL_M)))
        self.heat_seen = np.zeros(self.grid)
        self.heat_true = np.zeros(self.grid)
        self.dwell = model.log.table("wifi_dwell", DWELL)
        self.heat = model.log.table("heat", HEAT)
        self.detected = 0

    def observe(self, shopper: Shopper) -> None:
        """Sample a leaving shopper's path if their phone was seen."""
        if self.model.day < self.spec.from_day or not self.ok:
            return
        rng = shopper.visit_rng
        traj = shopper.trajectory
        t0, t1 = shopper.arrived, traj.end
        truth = traj.position(np.arange(t0, t1, TRUTH_STEP_S))
        true_zone = self._zone_seconds(truth, TRUTH_STEP_S)
        self._heat(self.heat_true, truth, TRUTH_STEP_S)
        if rng.random() >= self.spec.detect_rate:
            return
        self.detected += 1
        times = np.arange(t0 + rng.random() * self.spec.sample_s, t1, self.spec.sample_s)
        seen = traj.position(times) + rng.normal(0.0, self.spec.noise_m, (len(times), 2))
        seen_zone = self._zone_seconds(seen, self.spec.sample_s)
        self._heat(self.heat_seen, seen, self.spec.sample_s)
        day = self.model.day
        for z, spec in enumerate(self.zones):
            if seen_zone[z] or true_zone[z]:
                self.dwell.add(
                    {
                        "visit_id": shopper.visit_id,
                        "day": day,
                        "zone": spec.id,
                        "observed_s": float(seen_zone[z]),
                        "true_s": float(true_zone[z]),
                    }
                )

    def _zone_seconds(self, xy: np.ndarray, step: float) -> np.ndarray:
        out = np.zeros(len(self.zones))
        for z, spec in enumerate(self.zones):
            inside = (
                (xy[:, 0] >= spec.x)
                & (xy[:, 0] <= spec.x + spec.width)
                & (xy[:, 1] >= spec.y)
                & (xy[:, 1] <= spec.y + spec.depth)
            )
            out[z] = inside.sum() * step
        return out

    def _heat(self, grid: np.ndarray, xy: np.ndarray, step: float) -> None:
        cx = np.clip((xy[:, 0] // CELL_M).astype(int), 0, self.grid[0] - 1)
        cy = np.clip((xy[:, 1] // CELL_M).astype(int), 0, self.grid[1] - 1)
        np.add.at(grid, (cx, cy), step)

    def close_day(self, day: int) -> None:
        """Write the day's heat map (cells anyone was seen in) and start a new one."""
        for cx, cy in zip(*np.nonzero(self.heat_true + self.heat_seen), strict=True):
            self.heat.add(
                {
                    "day": day,
                    "cell_x": int(cx),
                    "cell_y": int(cy),
                    "observed_s": float(self.heat_seen[cx, cy]),
                    "true_s": float(self.heat_true[cx, cy]),
                }
            )
        seen_share = self.heat_seen.sum() / max(self.heat_true.sum(), 1.0)
        self.report("heat_seconds_share", seen_share, self.spec.detect_rate)
        self.heat_seen[:] = 0
        self.heat_true[:] = 0
