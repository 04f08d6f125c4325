"""How shoppers pay: staffed lanes, self-checkout, smart-cart exit, and how long each takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import simpy

from scenarios.schema import Checkout
from services.schemas import PaymentMethod
from twin.layout import FloorPlan, Point
from twin.trajectory import Trajectory


def gamma(rng: np.random.Generator, mean: float, cv: float) -> float:
    """A positive draw with the given mean and coefficient of variation."""
    if mean <= 0:
        return 0.0
    if cv <= 0:
        return mean
    shape = 1.0 / cv**2
    return float(rng.gamma(shape, mean / shape))


@dataclass(frozen=True)
class ServiceTime:
    """Seconds at a till: fixed part + scanning + produce weighing + payment.

    Means come from the scenario (case: mobile payment about 6 s, card about
    18 s, cash longer); each part varies with the coefficient of variation.
    """

    fixed_s: float
    scan_s_per_item: float
    payment_s: dict[PaymentMethod, float]
    cv: float

    @classmethod
    def staffed(cls, spec: Checkout) -> ServiceTime:
        """Service at a staffed lane."""
        return cls(spec.fixed_s, spec.scan_s_per_item, spec.payment_s, spec.time_cv)

    @classmethod
    def self_service(cls, spec: Checkout) -> ServiceTime:
        """Service at a self-checkout station: the shopper scans."""
        sco = spec.self_checkout
        if sco is None:
            raise ValueError("the scenario has no self-checkout")
        return cls(sco.fixed_s, sco.scan_s_per_item, spec.payment_s, spec.time_cv)

    def mean(
        self, items: int, method: PaymentMethod, produce: int = 0, produce_s: float = 0.0
    ) -> float:
        """Expected service time of a basket with ``produce`` of its items weighed."""
        weigh = produce * produce_s
        return self.fixed_s + self.scan_s_per_item * items + weigh + self.payment_s[method]

    def payment(self, rng: np.random.Generator, method: PaymentMethod) -> float:
        """One draw of the payment part alone."""
        return gamma(rng, self.payment_s[method], self.cv)

    def sample(
        self,
        rng: np.random.Generator,
        items: int,
        method: PaymentMethod,
        produce: int = 0,
        produce_s: float = 0.0,
    ) -> float:
        """One draw of the whole service time."""
        scan = self.scan_s_per_item * items + produce * produce_s
        return (
            gamma(rng, self.fixed_s, self.cv)
            + gamma(rng, scan, self.cv / max(items, 1) ** 0.5)
            + self.payment(rng, method)
        )


class Walker(Protocol):
    """Anything that stands in a queue and moves up when it advances."""

    trajectory: Trajectory
    speed: float


class Till:
    """A place to pay with a queue in front of it; shoppers stand in line at a lane position."""

    kind = "till"

    def __init__(self, plan: FloorPlan, lane_index: int, resource: simpy.Resource):
        self.plan = plan
        self.index = lane_index
        self.resource = resource
        self.waiting: list[Walker] = []
        self.open = False

    def __len__(self) -> int:
        """Shoppers at the till: those being served plus those waiting."""
        return self.resource.count + len(self.resource.queue)

    def __bool__(self) -> bool:
        """A till is there even when nobody is at it (``len`` alone would make it falsy)."""
        return True

    @property
    def servers(self) -> int:
        """How many shoppers are served at once."""
        return self.resource.capacity

    @property
    def counter(self) -> Point:
        """Where the paying shopper stands."""
        return self.plan.lane_position(self.index)

    def place(self, k: int) -> Point:
        """Where the k-th waiting shopper stands (1 = first behind the counter)."""
        return self.plan.queue_position(self.index, k)

    def join(self, walker: Walker, now: float) -> float:
        """Walk to the end of the queue; returns when the walker gets there."""
        self.waiting.append(walker)
        return walker.trajectory.walk(now, [self.place(len(self.waiting))], walker.speed)

    def leave(self, walker: Walker, now: float) -> None:
        """``walker`` leaves the queue (served or gave up); those behind move up."""
        self.waiting.remove(walker)
        for k, other in enumerate(self.waiting, start=1):
            other.trajectory.walk(now, [self.place(k)], other.speed)

    def expected_wait(self, mean_service_s: float) -> float:
        """Seconds a newcomer expects to wait, judged by the people ahead."""
        ahead = len(self) - self.servers + 1
        return max(ahead, 0) * mean_service_s / self.servers


class Lane(Till):
    """A staffed till; a closed lane takes no new shoppers but serves those in it."""

    kind = "lane"

    def __init__(self, env: simpy.Environment, index: int, plan: FloorPlan):
        super().__init__(plan, index, simpy.Resource(env, capacity=1))


class SelfCheckoutBay(Till):
    """Self-checkout stations fed by one shared queue, just past the staffed lanes."""

    kind = "self_checkout"

    def __init__(self, env: simpy.Environment, stations: int, plan: FloorPlan, lane_index: int):
        super().__init__(plan, lane_index, simpy.Resource(env, capacity=stations))


def shortest(lanes: list[Lane]) -> Lane | None:
    """The open lane with the fewest shoppers (ties to the lowest index), or None."""
    open_lanes = [lane for lane in lanes if lane.open]
    return min(open_lanes, key=len) if open_lanes else None
