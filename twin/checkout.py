"""How shoppers pay: staffed lanes, self-checkout, smart-cart exit, and how long each takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import simpy
from simpy.resources.resource import Request

from scenarios.schema import Checkout
from services.schemas import PaymentMethod
from twin.layout import FloorPlan, Point
from twin.trajectory import Trajectory


def gamma(rng: np.random.Generator, mean: float, cv: float) -> float:
    """A positive draw with the given mean and coefficient of variation.

    ``rng.gamma(shape, scale)`` is ``scale`` times numpy's standard gamma
    (``random_gamma`` in its distributions.c): the product gives the same
    number from the same draws, without ``gamma``'s checks of a second
    parameter (a quarter of the call's CPU; a store-day draws some 13,000).
    """
    if mean <= 0:
        return 0.0
    if cv <= 0:
        return mean
    shape = 1.0 / cv**2
    return rng.standard_gamma(shape) * (mean / shape)


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
            + gamma(rng, self.payment_s[method], self.cv)  # ``payment``'s draw
        )


_new_request = Request.__new__


class Places(simpy.Resource):
    """A till's places to pay: a free place is taken, and a released one handed on, at once.

    simpy's ``release`` makes a ``Release`` event, and the place is handed on
    when that event is processed, later in the same instant: one event per
    sale, some 2,700 of a supermarket day's 30,900. Here ``release`` frees the
    place and grants the waiting request itself, at the same simulated time;
    it returns nothing (tills release through ``with till.request()`` only).
    Likewise a request that finds a free place is granted as it is made,
    already processed (nobody can wait on it yet, and its only callback would
    look at a get queue these places never use): a shopper who yields it goes
    on at once, without the event a scheduled grant costs.
    """

    def _do_put(self, event: simpy.Event) -> None:
        if len(self.users) < self._capacity:  # simpy's properties' values, without their calls
            self.users.append(event)
            event.usage_since = self._env._now  # type: ignore[attr-defined]
            if event.callbacks == [self._trigger_get]:  # being made now: granted as made
                event._ok = True
                event._value = None
                event.callbacks = None  # type: ignore[assignment]
            else:
                event.succeed()

    def request(self) -> Request:  # type: ignore[override]
        """A place's ``Request`` as simpy makes it, in one call.

        ``Request(self)`` queues the request and runs ``_trigger_put``, which
        looks at the head of the queue only (``_do_put`` returns nothing): with
        nobody queued and a place free the new request is granted as made,
        otherwise it waits at the back (and the head is looked at as before).
        The same request, without the half-dozen calls in between.
        """
        event = _new_request(Request)
        env = self._env
        event.env = env
        event.resource = self
        event.proc = env._active_proc
        if not self.put_queue and len(self.users) < self._capacity:
            self.users.append(event)
            event.usage_since = env._now
            event._ok = True
            event._value = None
            event.callbacks = None  # type: ignore[assignment]
        else:
            event.callbacks = [self._trigger_get]
            self.put_queue.append(event)
            self._trigger_put(None)
        return event

    def release(self, request: simpy.Event) -> None:  # type: ignore[override]
        """Free ``request``'s place (if it holds one) and grant the next waiting request."""
        users = self.users
        if request in users:
            users.remove(request)
            self._trigger_put(None)


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
        places = self.resource
        return len(places.users) + len(places.put_queue)

    def __bool__(self) -> bool:
        """A till is there even when nobody is at it (``len`` alone would make it falsy)."""
        return True

    @property
    def servers(self) -> int:
        """How many shoppers are served at once."""
        return self.resource._capacity  # simpy's ``capacity`` property, without its call

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

    def request(self) -> simpy.Event:
        """A turn at this till: use as ``with till.request() as turn: yield turn``."""
        return self.resource.request()

    def served_at(self, turn: simpy.Event) -> Till:
        """The till that serves the holder of ``turn`` (this one)."""
        return self


class Lane(Till):
    """A staffed till; a closed lane takes no new shoppers but serves those in it."""

    kind = "lane"

    def __init__(self, env: simpy.Environment, index: int, plan: FloorPlan):
        self.feeder: SharedLine | None = None
        super().__init__(plan, index, Places(env, capacity=1))

    @property
    def open(self) -> bool:
        """Whether the lane takes new shoppers."""
        return self._open

    @open.setter
    def open(self, value: bool) -> None:
        self._open = value
        if value and self.feeder is not None:
            self.feeder.dispatch()  # a lane just opened: the head of the shared line may go


def open_lanes(lanes: list[Lane]) -> list[Lane]:
    """The open ones of ``lanes``, in order: their flag read directly, not through ``open``.

    The staff's desk and the model's lane counts ask some 12,000 times a day;
    the property costs a Python call per lane each time.
    """
    return [lane for lane in lanes if lane._open]


class Turn(simpy.Event):
    """A place in the shared line; succeeds when a lane is free, holding that lane's request."""

    def __init__(self, line: SharedLine):
        super().__init__(line.env)
        self.line = line
        self.lane: Lane | None = None
        self.held: simpy.Event | None = None

    def __enter__(self) -> Turn:
        return self

    def __exit__(self, *exc: object) -> None:
        """Served or gave up: leave the line, free the lane, and send the next shopper."""
        self.line.finish(self)


class SharedLine(Till):
    """One serpentine line feeding every open staffed lane: the head goes to the first free lane.

    The line stands behind the first lane (cashiers open lanes from the first
    on); a shopper at its head walks to whichever open lane frees first (lowest
    index on a tie), so nobody waits behind a slow basket while another lane
    stands idle. The walk from the head to a farther lane is the price of it.
    """

    kind = "lane"

    def __init__(self, env: simpy.Environment, plan: FloorPlan, lanes: list[Lane]):
        self.env = env
        self.lanes = lanes
        self.turns: list[Turn] = []
        super().__init__(plan, -1, Places(env, capacity=1))
        self.open = True
        for lane in lanes:
            lane.feeder = self

    def __len__(self) -> int:
        """Shoppers waiting in the line plus those being served at open lanes."""
        return len(self.turns) + sum(lane.resource.count for lane in open_lanes(self.lanes))

    @property
    def servers(self) -> int:
        """Open lanes (at least one: a closed front still takes the line)."""
        return max(len(open_lanes(self.lanes)), 1)

    @property
    def counter(self) -> Point:
        """The head of the line."""
        return self.place(0)

    def place(self, k: int) -> Point:
        """Where the k-th waiting shopper stands, behind the first lane's counter."""
        return self.plan.queue_position(0, k)

    def request(self) -> Turn:
        """Join the back of the line; the turn succeeds when a lane takes this shopper."""
        turn = Turn(self)
        self.turns.append(turn)
        self.dispatch()
        return turn

    def served_at(self, turn: simpy.Event) -> Till:
        """The lane the line sent the holder of ``turn`` to."""
        assert isinstance(turn, Turn) and turn.lane is not None
        return turn.lane

    def dispatch(self) -> None:
        """Send shoppers from the head of the line to open lanes that nobody is using."""
        for lane in self.lanes:
            if not self.turns:
                return
            if lane.open and len(lane) == 0:
                turn = self.turns.pop(0)
                turn.lane, turn.held = lane, lane.resource.request()
                turn.succeed()

    def finish(self, turn: Turn) -> None:
        """``turn`` is over (served, or the shopper walked out of the line)."""
        if turn in self.turns:
            self.turns.remove(turn)
        if turn.held is not None and turn.lane is not None:
            turn.lane.resource.release(turn.held)
            turn.held = None
        self.dispatch()


class SelfCheckoutBay(Till):
    """Self-checkout stations fed by one shared queue, just past the staffed lanes."""

    kind = "self_checkout"

    def __init__(self, env: simpy.Environment, stations: int, plan: FloorPlan, lane_index: int):
        super().__init__(plan, lane_index, Places(env, capacity=stations))


def shortest(lanes: list[Lane]) -> Lane | None:
    """The open lane with the fewest shoppers (ties to the lowest index), or None.

    Asked by every shopper who reaches the tills: the counts are read off the
    lanes' places directly, not through ``len`` and the ``open`` property.
    """
    best, fewest = None, 0
    for lane in lanes:
        if lane._open:
            places = lane.resource
            n = len(places.users) + len(places.put_queue)
            if best is None or n < fewest:
                best, fewest = lane, n
    return best
