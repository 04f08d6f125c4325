"""The shopper: arrives, walks the list, reads labels, takes what is there, pays (or gives up).

Every random choice of a visit comes from the visit's own generator, so a
treated and a counterfactual run of the same store and seed see the same
shoppers make the same choices wherever the intervention does not change them.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import simpy
from simpy.events import PENDING

from agents.mission import Mission
from scenarios.schema import Scenario, Segment
from services.domain.errors import DomainError
from services.schemas import PaymentMethod
from twin.checkout import Lane, SelfCheckoutBay, Till, shortest
from twin.clock import DAY
from twin.requests import checkout_request
from twin.trajectory import Trajectory
from twin.visit_process import FirstOf, wait

if TYPE_CHECKING:
    from twin.model import StoreModel

PATIENCE_SHAPE = 4.0
"""Gamma shape of the minutes a shopper waits in line before walking out."""

BALK_SHAPE = 9.0
"""Gamma shape of the queue length a shopper accepts on reaching the tills.

Narrower than patience: shoppers react to the length of a line, and short lines
barely change purchases (Lu, Musalem, Olivares & Schilkrut 2013, Management
Science 59(8): the effect turns significant above about five people in line).
With shape 9 and a mean of 10 people, about 1% refuse four people ahead and 4% five.
"""


def tolerance(rng: np.random.Generator, mean: float, shape: float = PATIENCE_SHAPE) -> float:
    """How much of a queue (people or seconds) one shopper puts up with.

    Gamma with the given shape: most shoppers are near the mean and few give up at
    once, unlike an exponential, which would make a third leave at the first sight
    of a queue.
    """
    return rng.standard_gamma(shape) * (mean / shape)  # rng.gamma's number (twin.checkout.gamma)


@dataclass(frozen=True, slots=True)
class VisitRules:
    """The scenario's rules a visit reads at every stop and till, as plain numbers.

    Read once per store: an attribute of a (pydantic) scenario model costs some
    twenty times a slot's, and a store-day reads these tens of thousands of times.
    """

    price_sensitivity: float
    impulse_probability: float
    balking: bool
    balk_queue_mean: float
    reneging: bool
    patience_min_mean: float
    capture_rate: float

    @classmethod
    def of(cls, scenario: Scenario) -> VisitRules:
        """The rules of ``scenario`` (interventions applied)."""
        sh = scenario.shoppers
        return cls(
            price_sensitivity=sh.price_sensitivity,
            impulse_probability=scenario.promotions.impulse_probability,
            balking=sh.balking,
            balk_queue_mean=sh.balk_queue_mean,
            reneging=sh.reneging,
            patience_min_mean=sh.patience_min_mean,
            capture_rate=sh.capture_rate,
        )


class ShopperState(Enum):
    """Where a shopper is in the visit."""

    SHOPPING = "shopping"
    QUEUING = "queuing"
    PAYING = "paying"
    LEAVING = "leaving"


class Shopper(mesa.Agent):
    """One visit to the store, run as a SimPy process by ``visit``.

    A visit's own fields are slots: Mesa's agent keeps its instance dict (its
    ``model``, ``unique_id`` and ``pos``), but a dict of some forty keys stops
    sharing its keys with the class's other instances and grows by resizing
    as a shopper is made; a slot is set and read at a fixed offset.
    """

    __slots__ = (
        "_placement_rng",
        "arrived",
        "basket",
        "captured",
        "cart",
        "cost_cents",
        "coupon_used",
        "coupon_visit",
        "customer",
        "discount_cents",
        "displays_seen",
        "flagged",
        "gave_up",
        "impulse_units",
        "lane",
        "lost_units",
        "member",
        "mismatches",
        "mission",
        "payment",
        "placement_checked",
        "price_skips",
        "promo",
        "queue_seen",
        "queued_at",
        "recovered_units",
        "segment",
        "shown",
        "speed",
        "state",
        "stolen_units",
        "till_kind",
        "total_cents",
        "trajectory",
        "visit_id",
        "visit_rng",
        "wait_s",
        "zone_dwell",
    )

    model: StoreModel

    def __init__(
        self,
        model: StoreModel,
        visit_id: int,
        customer: int,
        segment: Segment,
        speed: float,
        payment: PaymentMethod,
        mission: Mission,
        rng: np.random.Generator,
    ):
        super().__init__(model)
        self.visit_id = visit_id
        self.customer = customer
        self.member = model.customers.member.item(customer)  # a bool, without numpy's scalar
        self.segment = segment
        self.speed = speed
        self.payment = payment
        self.mission = mission
        self.visit_rng = rng
        self.state = ShopperState.SHOPPING
        self.arrived = model.env._now
        self.trajectory = Trajectory(self.arrived, model.plan.entrance)
        self.basket: dict[int, int] = {}
        self.shown: dict[int, int] = {}
        self.cart = False
        self.lost_units = 0
        self.price_skips = 0
        self.impulse_units = 0
        self.till_kind = ""
        self.lane = -1
        self.wait_s: float | None = None
        self.queued_at: float | None = None
        self.queue_seen = 0
        self.gave_up = ""
        self.stolen_units = 0
        self.flagged = False
        self.recovered_units = 0
        self.mismatches = 0
        self.total_cents = 0
        self.cost_cents = 0
        self.zone_dwell: dict[int, float] = {}
        self.captured = False
        self.coupon_used = False
        self.discount_cents = 0
        self.coupon_visit = False
        self.placement_checked = 0
        self.displays_seen: set[int] = set()
        self._placement_rng: np.random.Generator | None = None
        self.promo: Any = None  # what this visit saw of the promotions (twin.marketing)

    # --- the visit -------------------------------------------------------------------

    def visit(self) -> Generator[simpy.Event | FirstOf, object, None]:
        """The visit as a process, run by ``twin.visit_process.start`` (it races with it too)."""
        m, env, traj = self.model, self.model.env, self.trajectory
        self.cart = m.carts is not None and m.carts.take(self.visit_rng)
        scan_s = m.carts.spec.scan_s_per_item if self.cart else 0.0
        desk = m.marketing
        if desk is not None:
            desk.arrive(self)
        mission = self.mission
        skus, qtys, intends, dwells = mission.stops()
        fridge, planogram = m.fridge_skus, m.planogram
        plan, speed, zone_dwell, xs, ys_walked = m.plan, self.speed, self.zone_dwell, traj.x, traj.y
        seen_zones: set[int] = set()
        n, i = len(skus), 0
        while i < n:
            # One timeout per zone: the walk and dwell of every stop there are laid
            # down as waypoints, then what the shelves hold is taken stop by stop.
            # The zone's walk ends early at a shelf where the shopper may have to
            # queue (a flash sale), so that queue comes when the shopper is there.
            stops = m.missions  # read per zone: a placement move makes a new maker
            zone_of, shelf_y = stops.zone, stops.shelf_y
            z = zone_of[skus[i]]
            last = i + 1
            while last < n and zone_of[skus[last]] == z:
                if desk is not None and desk.may_queue_at(skus[last - 1], intends[last - 1]):
                    break
                last += 1
            x = m.aisle_x[z]
            dwell_here = zone_dwell.get(z, 0.0)
            pauses, ys = [], []
            for k in range(i, last):
                dwell = dwells[k] + (scan_s if intends[k] else 0.0)
                dwell_here += dwell
                pauses.append(dwell)
                ys.append(shelf_y[skus[k]])
            zone_dwell[z] = dwell_here
            now = env._now  # the property's value, without its call (read per zone)
            to_first = plan.route((xs[-1], ys_walked[-1]), (x, ys[0]))
            marks = traj.stops_along(now, to_first, x, ys, pauses, speed)
            yield wait(env, traj.t[-1] - now)
            first_in_zone = z not in seen_zones
            if first_in_zone:
                seen_zones.add(z)
            for k in range(i, last):
                sku = skus[k]
                if desk is not None and k == last - 1:
                    yield from desk.queue_at_shelf(self, sku, intends[k])
                if fridge[sku]:
                    m.fridge_door()
                if intends[k]:
                    self._consider(sku, qtys[k])
                if first_in_zone:
                    self._impulse(z)
                if planogram is not None:
                    planogram.passing(self, upto=marks[k - i] if k < last - 1 else None)
                if desk is not None:
                    desk.passing(self, sku, z, first_in_zone)
                first_in_zone = False
            i = last
        if m.planogram is not None:  # displays passed on the way to pay
            m.planogram.passing(self, toward=m.plan.exit if self.cart else m.plan.checkout_area())
        if desk is not None:
            yield from desk.before_till(self)
        if self.basket:
            if self.cart:
                yield from self._cart_exit()
            else:
                yield from self._checkout()
        self.state = ShopperState.LEAVING
        now = env._now
        gone = traj.walk(now, plan.route((xs[-1], ys_walked[-1]), plan.exit), speed)
        yield wait(env, gone - now)
        if self.cart:
            m.carts.give_back()
        self.remove()
        m.record_visit(self)

    def remove(self) -> None:
        """Leave the model's agent sets: once, at the end of the visit.

        Mesa's ``remove`` wraps the same call in ``contextlib.suppress``, a context
        manager per visit that a shopper, removed exactly once, does not need.
        """
        self.model.deregister_agent(self)

    # --- on the floor ------------------------------------------------------------------

    def _consider(self, sku: int, qty: int) -> None:
        """Read the label; buy unless the price puts the shopper off or the shelf is empty."""
        m = self.model
        shown = m.labels.shown_cents.item(sku)
        rise = shown / m.catalog.reference_cents.item(sku) - 1.0
        if rise > 0 and self.visit_rng.random() < m.visit_rules.price_sensitivity * rise:
            self.price_skips += 1
            return
        got = m.stock.take(sku, qty)
        if got < qty:
            self.lost_units += qty - got
            m.lost_units[sku] += qty - got
        if got:  # ``_add``, inline: a call at every stop
            basket = self.basket
            basket[sku] = basket.get(sku, 0) + got
            self.shown[sku] = shown

    def _impulse(self, zone: int) -> None:
        """Passing a zone's promoted SKUs, a shopper may pick one they did not plan."""
        m = self.model
        offers = m.promotions.offers(zone, int(m.env._now // DAY))  # day_of, inline: every aisle
        if not offers:
            return
        basket, rng, base = self.basket, self.visit_rng, m.visit_rules.impulse_probability
        cart_lift = 1.0 + m.carts.spec.offer_lift if self.cart else None
        for sku, lift in offers:
            if sku in basket:
                continue
            p = base * (1.0 + lift)
            if cart_lift is not None:
                p *= cart_lift
            if rng.random() < p and m.stock.take(sku, 1):
                self.impulse_units += 1
                self._add(sku, 1, m.labels.shown_cents.item(sku))

    def placement_rng(self) -> np.random.Generator:
        """The visit's stream for display picks, spawned only when a display tempts the shopper."""
        if self._placement_rng is None:
            self._placement_rng = self.model.streams.generator("placement", self.visit_id)
        return self._placement_rng

    def _add(self, sku: int, qty: int, shown_cents: int) -> None:
        self.basket[sku] = self.basket.get(sku, 0) + qty
        self.shown[sku] = shown_cents

    # --- paying ------------------------------------------------------------------------

    def _checkout(self) -> Generator[simpy.Event | FirstOf, object, None]:
        m, env, traj = self.model, self.model.env, self.trajectory
        # ``env._now`` and the last waypoint read as they are: ``env.now`` and
        # ``traj.here`` are Python calls, a dozen of them a checkout
        now = env._now
        there = traj.walk(
            now, m.plan.route((traj.x[-1], traj.y[-1]), m.plan.checkout_area()), self.speed
        )
        yield wait(env, there - now)
        till = self._choose_till()
        self.till_kind, self.lane = till.kind, till.index
        self.queue_seen = max(len(till) - till.servers + 1, 0)
        rules = m.visit_rules
        # Tolerances are drawn even when switched off, so the visit's later draws stay the same.
        accepts = tolerance(self.visit_rng, rules.balk_queue_mean, BALK_SHAPE)
        if rules.balking and till.expected_wait(1.0) > accepts:
            self._give_up("balked")
            return
        self.state = ShopperState.QUEUING
        queued = self.queued_at = env._now
        till.join(self, queued)
        patience = tolerance(self.visit_rng, rules.patience_min_mean * 60.0)
        with till.request() as turn:
            # A free till grants the turn at once: no patience timer to race it.
            waits = rules.reneging and turn._value is PENDING
            first = yield FirstOf(turn, wait(env, patience)) if waits else turn
            now = env._now
            if waits and first is not turn:
                self.wait_s = now - queued
                till.leave(self, now)
                self._give_up("reneged")
                return
            self.wait_s = now - queued
            self.state = ShopperState.PAYING
            till.leave(self, now)
            till = till.served_at(turn)
            self.lane = till.index
            at_counter = traj.walk(now, [till.counter], self.speed)
            if isinstance(till, SelfCheckoutBay):
                yield from self._self_scan(at_counter)
            else:
                yield from self._served(till, at_counter)

    def _choose_till(self) -> Till:
        """Shortest open staffed lane (or the shared line), or the self-checkout bay if it suits."""
        m = self.model
        lane = m.line or shortest(m.lanes)
        if lane is None:  # every lane closed: wait at the first, the desk will open it
            lane = m.lanes[0]
        bay = m.self_checkout
        items = sum(self.basket.values())
        if bay is None or not bay.open or items > bay.spec.max_items:
            return lane
        lane_wait = lane.expected_wait(m.lane_service_s)
        bay_wait = bay.expected_wait(m.sco_service_s)
        prefers = self.visit_rng.random() < bay.spec.preference
        margin = 60.0 if prefers else -120.0
        return bay if bay_wait <= lane_wait + margin else lane

    def _served(self, lane: Lane, at_counter: float) -> Generator[simpy.Event, object, None]:
        m, env = self.model, self.model.env
        items = sum(self.basket.values())
        produce, weighed = 0, m.produce_skus  # a loop, not a generator, once a sale
        for sku, qty in self.basket.items():
            if weighed[sku]:
                produce += qty
        service = m.lane_time.sample(
            self.visit_rng, items, self.payment, produce, m.produce_s(lane=True)
        )
        traj = self.trajectory
        traj.wait_until(at_counter + service)
        yield wait(env, traj.t[-1] - env._now)
        if not self.member and self.visit_rng.random() < m.visit_rules.capture_rate:
            m.customers.capture(self.customer)  # the cashier signs them up before they pay
            self.member = True
            self.captured = True
        self._pay(self.basket)
        if m.pos_time is not None:  # live only: spares a generator a sale
            yield from m.pos_wait()

    def _self_scan(self, at_counter: float) -> Generator[simpy.Event, object, None]:
        """Scan alone: some items slip through (by mistake or on purpose), the camera may flag."""
        m, env, rng = self.model, self.model.env, self.visit_rng
        bay = m.self_checkout
        spec = bay.spec
        thief = rng.random() < spec.theft_share
        paid: dict[int, int] = {}
        unscanned: dict[int, int] = {}
        for sku, qty in self.basket.items():
            p_skip = spec.theft_item_share if thief else spec.scan_miss_rate
            skipped = int(rng.binomial(qty, p_skip))
            if skipped:
                unscanned[sku] = skipped
            if qty - skipped:
                paid[sku] = qty - skipped
        items = sum(paid.values())
        produce = sum(q for s, q in paid.items() if m.produce_skus[s])
        service = m.sco_time.sample(rng, items, self.payment, produce, m.produce_s(lane=False))
        self.trajectory.wait_until(at_counter + service)
        yield env.timeout(self.trajectory.end - env.now)
        caught = m.loss_prevention_check(rng, unscanned)
        if caught is not None:
            self.flagged = True
            with m.attendants.request() as help_:
                yield help_
                yield env.timeout(spec.attendant_s)
            for sku, qty in caught.items():
                paid[sku] = paid.get(sku, 0) + qty
                unscanned[sku] -= qty
                self.recovered_units += qty
        for sku, qty in unscanned.items():
            if qty:
                self.stolen_units += qty
                m.stock.stolen_today[sku] += qty
        if paid:
            self._pay(paid)
            yield from m.pos_wait()

    def _cart_exit(self) -> Generator[simpy.Event, object, None]:
        """Smart-cart shoppers pay on the cart and pass the exit check: no lane."""
        m, env = self.model, self.model.env
        self.till_kind = "smart_cart"
        gate = m.plan.exit
        there = self.trajectory.walk(env.now, m.plan.route(self.trajectory.here, gate), self.speed)
        self.trajectory.wait_until(there + m.carts.spec.exit_s)
        yield env.timeout(self.trajectory.end - env.now)
        self.wait_s = 0.0
        self.payment = PaymentMethod.mobile
        self._pay(self.basket)

    def _give_up(self, how: str) -> None:
        """Walk out without paying; the basket goes back on the shelves."""
        self.gave_up = how
        for sku, qty in self.basket.items():
            self.model.stock.put_back(sku, qty)

    def _pay(self, lines: dict[int, int]) -> None:
        m = self.model
        member_id = m.members.account(self.customer) if self.member else None
        request = checkout_request(
            m.store_id,
            m.line_book.lines(lines),
            self.payment,
            f"{m.run_key}:{self.visit_id}",
            m.clock_at(m.env._now),
            member_id,
            m.members.coupons(member_id) if member_id is not None else [],
        )
        try:
            receipt = m.client.checkout(request)
        except DomainError as exc:
            m.record_failure(self, exc)
            return
        self.total_cents = receipt.total_cents
        self.cost_cents = receipt.cost_cents
        self.discount_cents = receipt.discount_cents
        self.coupon_used = receipt.coupon_code is not None
        if m.marketing is not None:
            m.marketing.paid(self, receipt)
        index, sold = m.catalog.index, m.stock.sold_today
        for line in receipt.lines:
            d = line.__dict__  # one read, not three: a pydantic model's attribute read is slow
            sku, price = index[d["sku"]], d["unit_price_cents"]
            sold[sku] = sold.item(sku) + d["qty"]
            if price > self.shown.get(sku, price):
                self.mismatches += 1
