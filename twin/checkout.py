"""Checkout lanes and how long a transaction takes at one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import simpy

from scenarios.schema import Checkout
from services.schemas import PaymentMethod
from twin.layout import FloorPlan, Point
from twin.trajectory import Trajectory


class Walker(Protocol):
    """Anything that stands in a queue and moves up when it advances."""

    trajectory: Trajectory
    speed: float


def _gamma(rng: np.random.Generator, mean: float, cv: float) -> float:
    """A positive draw with the given mean and coefficient of variation."""
    if mean <= 0:
        return 0.0
    if cv <= 0:
        return mean
    shape = 1.0 / cv**2
    return float(rng.gamma(shape, mean / shape))


@dataclass(frozen=True)
class ServiceTime:
    """Seconds at the till: fixed part + scanning per item + payment by method.

    Means come from the scenario (case: mobile payment about 6 s, card about
    18 s, cash longer); each part varies with the scenario's coefficient of variation.
    """

    spec: Checkout

    def mean(self, items: int, method: PaymentMethod) -> float:
        """Expected service time of a basket."""
        return self.spec.fixed_s + self.spec.scan_s_per_item * items + self.spec.payment_s[method]

    def payment(self, rng: np.random.Generator, method: PaymentMethod) -> float:
        """One draw of the payment part alone."""
        return _gamma(rng, self.spec.payment_s[method], self.spec.time_cv)

    def sample(self, rng: np.random.Generator, items: int, method: PaymentMethod) -> float:
        """One draw of the whole service time."""
        cv = self.spec.time_cv
        scan = self.spec.scan_s_per_item * items
        return (
            _gamma(rng, self.spec.fixed_s, cv)
            + _gamma(rng, scan, cv / max(items, 1) ** 0.5)
            + self.payment(rng, method)
        )


class Lane:
    """A staffed till: a one-server queue with the places where its shoppers stand."""

    def __init__(self, env: simpy.Environment, index: int, plan: FloorPlan):
        self.index = index
        self.plan = plan
        self.till = simpy.Resource(env, capacity=1)
        self.waiting: list[Walker] = []

    def __len__(self) -> int:
        """Shoppers at the lane: the one paying plus those waiting."""
        return self.till.count + len(self.till.queue)

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

    def step_up(self, walker: Walker, now: float) -> float:
        """``walker`` goes to the counter and everyone behind moves up one place.

        Returns:
            When ``walker`` reaches the counter.
        """
        self.waiting.remove(walker)
        for k, other in enumerate(self.waiting, start=1):
            other.trajectory.walk(now, [self.place(k)], other.speed)
        return walker.trajectory.walk(now, [self.counter], walker.speed)


def shortest(lanes: list[Lane]) -> Lane:
    """The lane with the fewest shoppers; ties go to the lowest index."""
    return min(lanes, key=len)
