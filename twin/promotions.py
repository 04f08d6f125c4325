"""Promoted SKUs and the devices that draw attention to them (voice robots, signage).

Each week HQ picks a few SKUs per zone to promote. A voice robot stands at one
promoted SKU and a screen in one zone; both lift the chance that a shopper
passing by picks the promoted item without having planned to.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from devices.base import Device
from scenarios.features import Promoters
from twin.clock import HOUR

if TYPE_CHECKING:
    from twin.model import StoreModel

WEEK = 7


class Promoter(Device):
    """A voice robot at one SKU or a screen in one zone; motion-triggered, counts passers."""

    def __init__(self, model: StoreModel, kind: str, index: int, spec: Promoters, rng):
        self.kind = kind
        super().__init__(model, f"{kind}-{index + 1}", model.plan.checkout_area(), rng)
        self.spec = spec
        self.passers = 0
        self.triggers = 0

    def passed(self) -> None:
        """A shopper came by; the motion sensor triggers most of the time."""
        self.passers += 1
        if self.ok and self.rng.random() < 0.95:
            self.triggers += 1

    def run(self) -> Generator[simpy.Event, object, None]:
        """Report triggers against passers each hour."""
        while True:
            yield self.model.env.timeout(HOUR)
            if self.passers:
                self.report("triggers", float(self.triggers), float(self.passers))
            self.passers = self.triggers = 0


class Promotions:
    """This week's promoted SKUs per zone and the lift each one enjoys today."""

    def __init__(self, model: StoreModel):
        self.model = model
        cat = model.catalog
        zones = len(model.scenario.layout.zones)
        traffic = np.bincount(cat.zone, weights=cat.demand_weight, minlength=zones)
        self.zones_by_traffic = np.argsort(-traffic, kind="stable").tolist()
        self._rank = {zone: rank for rank, zone in enumerate(self.zones_by_traffic)}
        self._week = -1
        self.promoted: dict[int, list[int]] = {}
        self._plain: dict[int, list[tuple[int, float]]] = {}
        """This week's offers of the zones without a screen or a robot (no lift)."""
        dev = model.scenario.devices
        rngs = model.streams
        self.voice = [
            Promoter(model, "voice_promoter", i, dev.voice_promoters, rngs.generator("voice", i))
            for i in range(dev.voice_promoters.count if dev.voice_promoters else 0)
        ]
        self.screens = [
            Promoter(model, "signage", i, dev.signage, rngs.generator("signage", i))
            for i in range(dev.signage.count if dev.signage else 0)
        ]
        self._with_devices = max(len(self.voice), len(self.screens))

    @property
    def devices(self) -> list[Promoter]:
        """The voice robots and screens, to start with the run."""
        return self.voice + self.screens

    def _refresh(self, day: int) -> None:
        week = day // WEEK
        if week == self._week:
            return
        self._week = week
        self._plain = {}
        rng = self.model.streams.generator("promotions", week)
        zone = self.model.catalog.zone
        per_zone = self.model.scenario.promotions.per_zone
        self.promoted = {}
        for z in range(len(self.model.scenario.layout.zones)):
            members = np.flatnonzero(zone == z)
            k = min(per_zone, len(members))
            self.promoted[z] = sorted(rng.choice(members, size=k, replace=False).tolist())

    def offers(self, zone: int, day: int) -> list[tuple[int, float]]:
        """(SKU, lift) of each promoted SKU in ``zone`` today; the devices there add the lift."""
        if day // WEEK != self._week:  # ``_refresh``'s own test, without its call at every aisle
            self._refresh(day)
        skus = self.promoted.get(zone, [])
        if not skus:
            return []
        rank = self._rank[zone]
        if rank >= self._with_devices:  # nothing here adds a lift or counts passers
            plain = self._plain.get(zone)
            if plain is None:
                plain = self._plain[zone] = [(sku, 0.0) for sku in skus]
            return plain
        screen = self.screens[rank] if rank < len(self.screens) else None
        robot = self.voice[rank] if rank < len(self.voice) else None
        out = []
        for j, sku in enumerate(skus):
            lift = 0.0
            if screen is not None and day >= screen.spec.from_day and screen.ok:
                screen.passed()
                lift += screen.spec.lift
            if j == 0 and robot is not None and day >= robot.spec.from_day:
                robot.passed()
                if robot.ok:
                    lift += robot.spec.lift
            out.append((sku, lift))
        return out

    def featured(self, day: int) -> tuple[set[int], set[int]]:
        """SKUs with a working voice robot and SKUs on a screen, on ``day``."""
        self._refresh(day)
        voice, screen = set(), set()
        for rank, zone in enumerate(self.zones_by_traffic):
            skus = self.promoted.get(zone, [])
            if not skus:
                continue
            if rank < len(self.voice) and day >= self.voice[rank].spec.from_day:
                voice.add(skus[0])
            if rank < len(self.screens) and day >= self.screens[rank].spec.from_day:
                screen.update(skus)
        return voice, screen

    def promoted_skus(self, day: int) -> list[int]:
        """All SKUs on promotion on ``day``."""
        self._refresh(day)
        return sorted(s for skus in self.promoted.values() for s in skus)
