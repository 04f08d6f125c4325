"""People counters: one at the door (visitors), one over the tills (the queue cashiers see).

Both miss some people and count a few twice; both report what they counted and
the truth, and while faulty they see nothing.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from devices.base import Device
from scenarios.features import PeopleCounter
from twin.clock import HOUR

if TYPE_CHECKING:
    from twin.model import StoreModel


class DoorCounter(Device):
    """Counts people coming in; reports each hour's count."""

    kind = "door_counter"

    def __init__(self, model: StoreModel, spec: PeopleCounter, rng: np.random.Generator):
        super().__init__(model, "door-1", model.plan.entrance, rng, spec.faults)
        self.spec = spec
        self._miss, self._double = spec.miss_rate, spec.double_rate  # read at every entry
        self.true = 0
        self.seen = 0
        self.counted_total = 0

    def entered(self) -> None:
        """One person walked in."""
        self.true += 1
        if self.ok and self.rng.random() >= self._miss:
            self.seen += 1 + int(self.rng.random() < self._double)

    def run(self) -> Generator[simpy.Event, object, None]:
        """Report once an hour."""
        while True:
            yield self.model.env.timeout(HOUR)
            seen = self.report("visitors", float(self.seen), float(self.true))
            self.counted_total += int(seen or 0)
            self.true = self.seen = 0


class TillCounter(Device):
    """An overhead counter over the tills: how many shoppers are at the open lanes."""

    kind = "till_counter"

    def __init__(self, model: StoreModel, spec: PeopleCounter, rng: np.random.Generator):
        super().__init__(model, "tills-1", model.plan.checkout_area(), rng, spec.faults)
        self.spec = spec

    def waiting(self) -> float | None:
        """The counted queue (None while faulty); each reading is logged with the truth."""
        true = self.model.at_open_lanes()
        missed = self.rng.binomial(true, self.spec.miss_rate) if true else 0
        doubled = self.rng.binomial(true, self.spec.double_rate) if true else 0
        return self.report("queue_length", float(true - missed + doubled), float(true))
