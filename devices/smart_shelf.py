"""Weight-sensing shelves under the fastest movers: stock levels and out-of-stock alerts.

A facing that looks low is reported to the device center once (until it is seen
full again); the services turn the reading into a low-stock or out-of-stock
alert, which restockers pull from there.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from devices.base import Device
from scenarios.features import SmartShelves
from services.schemas import TelemetryIn

if TYPE_CHECKING:
    from twin.model import StoreModel


class SmartShelfNetwork(Device):
    """All the sensored facings of a store, read every ``period_s``."""

    kind = "smart_shelf"

    def __init__(self, model: StoreModel, spec: SmartShelves, rng: np.random.Generator):
        super().__init__(model, "shelf-net", model.plan.checkout_area(), rng)
        self.spec = spec
        n = max(1, round(len(model.catalog) * spec.coverage))
        self.skus = np.argsort(-model.catalog.daily_demand, kind="stable")[:n]
        self.alerts_sent = 0
        self.reported: set[int] = set()

    def run(self) -> Generator[simpy.Event, object, None]:
        """Read the sensors; alert for facings that look nearly empty."""
        m, env = self.model, self.model.env
        while True:
            yield env.timeout(self.spec.period_s)
            if m.day < self.spec.from_day or not m.store_open:
                continue
            units = m.stock.shelf[self.skus]
            seen = units + self.rng.normal(0.0, self.spec.noise_units, len(units))
            low = seen < self.spec.alert_below * m.stock.capacity[self.skus]
            truly_low = units < self.spec.alert_below * m.stock.capacity[self.skus]
            flagged = self.report("low_facings", float(low.sum()), float(truly_low.sum()))
            if flagged is None:
                continue
            self.reported -= set(self.skus[~low].tolist())
            for i in np.flatnonzero(low).tolist():
                sku = int(self.skus[i])
                if sku not in self.reported:
                    self.reported.add(sku)
                    self._post(sku, seen[i])

    def _post(self, sku: int, seen: float) -> None:
        m = self.model
        capacity = int(m.stock.capacity[sku])
        accepted = m.client.post_telemetry(
            TelemetryIn(
                device_id=self.device_id,
                kind=self.kind,
                store_id=m.store_id,
                at=m.clock(),
                payload={
                    "sku": m.catalog.products[sku].sku,
                    "units": max(round(seen), 0),
                    "low_below": int(self.spec.alert_below * capacity),
                },
            )
        )
        self.alerts_sent += len(accepted.alerts)
