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
        # Without a fault cycle the counter's stream serves its entries alone, so its
        # uniforms come in blocks: the same numbers in the same order as one call each,
        # at a fraction of a call's cost (a store-day draws two per visitor).
        self._left: list[float] = []
        self._uniform = self.rng.random if self.faults.mtbf_h is not None else self._next

    BLOCK = 256
    """Uniforms drawn at once when the stream is the entries' alone."""

    def _next(self) -> float:
        """The stream's next uniform, from the block drawn ahead (kept last-first)."""
        left = self._left
        if not left:
            left.extend(self.rng.random(self.BLOCK)[::-1].tolist())
        return left.pop()

    def entered(self) -> None:
        """One person walked in."""
        self.true += 1
        if self.ok and self._uniform() >= self._miss:
            self.seen += 1 + int(self._uniform() < self._double)

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
