"""The price-audit camera: a shelf camera or patrol robot pass that reads every tag it passes.

A pass covers the SKUs of its zones bay by bay (the planogram says which tag
hangs where), reads the printed price, and flags tags whose price differs from
the one the services charge: paper labels nobody changed, ESL sync failures.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from devices.vision.cameras import Camera
from devices.vision.shelf import STANDARD_BAY, Bay, TagSpec, shelf_frame

DAY = 86400.0


class PriceAuditCamera(Camera):
    """Reads price tags on a schedule; the observation is the last pass's readings."""

    kind = "price_audit_camera"

    def __init__(
        self, *args, zones: list[str] | None, at_h: list[float], bay: Bay = STANDARD_BAY, **kwargs
    ):
        super().__init__(*args, **kwargs)
        layout = self.model.scenario.layout
        ids = [z.id for z in layout.zones]
        unknown = sorted(set(zones or []) - set(ids))
        if unknown:
            raise ValueError(f"camera {self.device_id}: unknown zones {unknown}; zones are {ids}")
        chosen = [ids.index(z) for z in zones] if zones else list(range(len(ids)))
        cat = self.model.catalog
        self.skus = [
            int(i)
            for z in chosen
            for i in np.flatnonzero(cat.zone == z)[np.argsort(cat.shelf_y[cat.zone == z])]
        ]
        self.at_s = sorted(h * 3600.0 for h in at_h)
        self.bay = bay
        self._last_pass: list[tuple[int, int | None]] | None = None
        self._mismatches: list[int] = []

    def audit(self) -> list[tuple[int, int | None]] | None:
        """(SKU index, price read in cents or None if unreadable) from the last pass.

        None before the first pass and while the camera is faulty.
        """
        if not self.ok or self._last_pass is None:
            return None
        return list(self._last_pass)

    def mismatches(self) -> list[int]:
        """SKU indices read, at the last pass, with a price the services do not charge."""
        return list(self._mismatches) if self.ok else []

    @property
    def latency_s(self) -> float:
        """Seconds per bay frame."""
        if self.errors is None:
            return 0.0
        return self.errors.ocr(self.model_name).latency_s

    def run(self) -> Generator[simpy.Event, object, None]:
        """A pass at each scheduled hour, every day."""
        env = self.model.env
        while True:
            day, into = divmod(env.now, DAY)
            upcoming = [day * DAY + s for s in self.at_s if s > into] or [
                (day + 1) * DAY + self.at_s[0]
            ]
            yield env.timeout(upcoming[0] - env.now)
            if not self.ok:
                self.event("pass_skipped", "no frames")
                continue
            yield from self.sweep()

    def sweep(self) -> Generator[simpy.Event, object, None]:
        """One pass: read every bay, then publish; takes the model's latency per frame."""
        env = self.model.env
        prices = {p.sku: p.price_cents for p in self.model.client.list_products()}
        products = self.model.catalog.products
        shown = self.model.labels.shown_cents
        specs = [
            TagSpec(i, products[i].name, products[i].sku, int(shown[i]), prices[products[i].sku])
            for i in self.skus
        ]
        readings: list[tuple[int, int | None]] = []
        n = self.bay.per_frame
        for k in range(0, len(specs), n):
            readings += self.read_bay(specs[k : k + n], env.now)
        if self.latency_s:
            yield env.timeout(self.latency_s * int(np.ceil(len(specs) / n)))
        if not self.ok:
            self.event("pass_lost", "fault during the pass")
            return
        self._last_pass = readings
        self._mismatches = []
        for spec, (sku, read) in zip(specs, readings, strict=True):
            self.report("tag_price", read, spec.shown_cents)
            if read is not None and read != spec.price_cents:
                self._mismatches.append(sku)
                self.event(
                    "price_mismatch", f"{spec.code}: tag {read} vs services {spec.price_cents}"
                )

    def read_bay(self, tags: list[TagSpec], t: float) -> list[tuple[int, int | None]]:
        """Prices read off one bay's tags, in the camera's fidelity."""
        if self.fidelity.value == "oracle":
            return [(tag.sku, tag.shown_cents) for tag in tags]
        if self.fidelity.value == "measured":
            assert self.errors is not None
            rates = self.errors.ocr(self.model_name)
            return [(tag.sku, rates.sample(tag.shown_cents, self.rng)) for tag in tags]
        from devices.vision.models.ocr import read_tags
        from devices.vision.registry import shared

        frame = shelf_frame(tags, self.bay, self.conditions, self.rng, t)
        lines = shared(self.model_name, (self.bay.width, self.bay.height))(frame.image)
        return [(r.sku, r.price_cents) for r in read_tags(lines, list(frame.tags))]
