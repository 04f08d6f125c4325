"""The price-audit camera: a shelf camera or patrol robot pass that reads every tag it passes.

A pass covers the SKUs of its zones bay by bay (the planogram says which tag
hangs where), reads the printed price, and flags tags whose price differs from
the one the services charge: paper labels nobody changed, ESL sync failures.
Each flag is a ticket staff work off (a wrong read is a wasted ticket, a missed
mismatch stays on the shelf). The same pass looks at the facings and reports
nearly empty ones to the device center, whose alerts restockers pull.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from devices.smart_shelf import post_low_facing
from devices.vision.cameras import Camera
from devices.vision.shelf import STANDARD_BAY, Bay, TagSpec, shelf_frame
from scenarios.cameras import Fidelity, PriceAuditSpec

DAY = 86400.0
COUNTS = ("price_tickets", "price_tickets_false", "camera_alerts")
"""What every store reports per day from its audit cameras (zero without one)."""


class PriceAuditCamera(Camera):
    """Reads price tags on a schedule; the observation is the last pass's readings."""

    kind = "price_audit_camera"

    def __init__(self, *args, spec: PriceAuditSpec, bay: Bay = STANDARD_BAY, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        zones, at_h = spec.zones, spec.at_h
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
        self._reported_low: set[int] = set()
        self.counts = dict.fromkeys(COUNTS, 0)

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
            if not self.installed:
                continue
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
                self.model.pricing.ticket(sku, self.spec.fix_h, self.rng)
                self.counts["price_tickets"] += 1
                self.counts["price_tickets_false"] += int(spec.shown_cents == spec.price_cents)
        if self.spec.out_of_stock:
            self.look_at_facings()

    def look_at_facings(self) -> None:
        """Report facings that look nearly empty (once, until seen stocked again).

        The shipped models read tags, not gaps, so every fidelity but ``oracle``
        draws what a pass recognises from the spec's recall and false-alarm rate.
        """
        stock, spec = self.model.stock, self.spec
        skus = np.asarray(self.skus, dtype=np.int64)
        low_at = spec.low_below * stock.capacity[skus]
        truly_low = stock.shelf[skus] < low_at
        if self.fidelity is Fidelity.oracle:
            seen_low = truly_low
        else:
            draw = self.rng.random(len(skus))
            seen_low = np.where(truly_low, draw < spec.oos_recall, draw < spec.oos_false_rate)
        if self.report("low_facings", float(seen_low.sum()), float(truly_low.sum())) is None:
            return
        self._reported_low -= set(skus[~seen_low].tolist())
        for i in np.flatnonzero(seen_low).tolist():
            sku = int(skus[i])
            if sku not in self._reported_low:
                self._reported_low.add(sku)
                units = min(int(stock.shelf[sku]), int(low_at[i]))
                self.counts["camera_alerts"] += post_low_facing(
                    self, sku, units, int(low_at[i]), kind="shelf"
                )

    def take_counts(self) -> dict[str, int]:
        """Tickets and alerts since the last call (the day's figures)."""
        counts, self.counts = self.counts, dict.fromkeys(COUNTS, 0)
        return counts

    def read_bay(self, tags: list[TagSpec], t: float) -> list[tuple[int, int | None]]:
        """Prices read off one bay's tags, in the camera's fidelity."""
        if self.fidelity is Fidelity.oracle:
            return [(tag.sku, tag.shown_cents) for tag in tags]
        if self.fidelity is Fidelity.measured:
            assert self.errors is not None
            rates = self.errors.ocr(self.model_name)
            return [(tag.sku, rates.sample(tag.shown_cents, self.rng)) for tag in tags]
        from devices.vision.models.ocr import read_tags
        from devices.vision.registry import shared

        frame = shelf_frame(tags, self.bay, self.conditions, self.rng, t)
        lines = shared(self.model_name, (self.bay.width, self.bay.height))(frame.image)
        return [(r.sku, r.price_cents) for r in read_tags(lines, list(frame.tags))]
