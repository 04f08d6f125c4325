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
        # Two uniforms a visitor: without faults nothing else draws from this stream,
        # so they come a block at a time, the same numbers in the same order
        # (``Generator.random(n)`` is n scalar draws); with faults, whose times
        # interleave with the visitors, one at a time as they are needed.
        self._uniform = rng.random if self.faults.mtbf_h is not None else _Uniforms(rng).next

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


class _Uniforms:
    """A stream's uniforms drawn ``block`` at a time and handed out one by one, in order."""

    __slots__ = ("_block", "_left", "_rng")

    def __init__(self, rng: np.random.Generator, block: int = 256):
        self._rng = rng
        self._block = block
        self._left: list[float] = []

    def next(self) -> float:
        """The stream's next uniform on [0, 1): what ``rng.random()`` would give now."""
        if not self._left:
            self._left = self._rng.random(self._block).tolist()[::-1]
        return self._left.pop()


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
