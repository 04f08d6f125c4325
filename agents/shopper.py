"""The shopper: arrives, walks the list, takes what is on the shelf, queues, pays, leaves."""

from __future__ import annotations

from collections.abc import Generator
from enum import Enum
from typing import TYPE_CHECKING

import mesa
import simpy

from agents.mission import Mission
from scenarios.schema import Segment
from services.domain.errors import DomainError
from services.schemas import CheckoutLine, CheckoutRequest, PaymentMethod
from twin.checkout import shortest
from twin.trajectory import Trajectory

if TYPE_CHECKING:
    from twin.model import StoreModel


class ShopperState(Enum):
    """Where a shopper is in the visit."""

    SHOPPING = "shopping"
    QUEUING = "queuing"
    PAYING = "paying"
    LEAVING = "leaving"


class Shopper(mesa.Agent):
    """One visit to the store, run as a SimPy process by ``visit``."""

    model: StoreModel

    def __init__(
        self,
        model: StoreModel,
        visit_id: int,
        segment: Segment,
        speed: float,
        payment: PaymentMethod,
        mission: Mission,
    ):
        super().__init__(model)
        self.visit_id = visit_id
        self.segment = segment
        self.speed = speed
        self.payment = payment
        self.mission = mission
        self.state = ShopperState.SHOPPING
        self.arrived = model.env.now
        self.trajectory = Trajectory(self.arrived, model.plan.entrance)
        self.basket: dict[int, int] = {}
        self.lost_units = 0
        self.lane = -1
        self.wait_s: float | None = None
        self.total_cents = 0
        self.cost_cents = 0

    def visit(self) -> Generator[simpy.Event, object, None]:
        """The visit as a SimPy process."""
        m, env, traj = self.model, self.model.env, self.trajectory
        zone, shelf_y = m.catalog.zone, m.catalog.shelf_y
        mission = self.mission
        for i, sku in enumerate(mission.sku.tolist()):
            target = (m.plan.aisle_x(int(zone[sku])), float(shelf_y[sku]))
            there = traj.walk(env.now, m.plan.route(traj.here, target), self.speed)
            traj.wait_until(there + float(mission.dwell_s[i]))
            yield env.timeout(traj.end - env.now)
            if mission.intend[i]:
                self._take(sku, int(mission.qty[i]))
        if self.basket:
            yield from self._checkout()
        self.state = ShopperState.LEAVING
        gone = traj.walk(env.now, m.plan.route(traj.here, m.plan.exit), self.speed)
        yield env.timeout(gone - env.now)
        self.remove()
        m.record_visit(self)

    def _take(self, sku: int, qty: int) -> None:
        got = self.model.shelves.take(sku, qty)
        if got < qty:
            self.lost_units += qty - got
            self.model.lost_units[sku] += qty - got
        if got:
            self.basket[sku] = self.basket.get(sku, 0) + got

    def _checkout(self) -> Generator[simpy.Event, object, None]:
        m, env, traj = self.model, self.model.env, self.trajectory
        there = traj.walk(env.now, m.plan.route(traj.here, m.plan.checkout_area()), self.speed)
        yield env.timeout(there - env.now)
        lane = shortest(m.lanes)
        self.lane = lane.index
        self.state = ShopperState.QUEUING
        lane.join(self, env.now)
        queued = env.now
        with lane.till.request() as turn:
            yield turn
            self.wait_s = env.now - queued
            self.state = ShopperState.PAYING
            at_counter = lane.step_up(self, env.now)
            items = sum(self.basket.values())
            service = m.service_time.sample(m.checkout_rng, items, self.payment)
            traj.wait_until(at_counter + service)
            yield env.timeout(traj.end - env.now)
            self._pay()

    def _pay(self) -> None:
        m = self.model
        skus = m.catalog.products
        request = CheckoutRequest(
            store_id=m.store_id,
            lines=[CheckoutLine(sku=skus[i].sku, qty=q) for i, q in self.basket.items()],
            payment_method=self.payment,
            idempotency_key=f"{m.run_key}:{self.visit_id}",
            at=m.clock(),
        )
        try:
            receipt = m.client.checkout(request)
        except DomainError as exc:
            m.record_failure(self, exc)
            return
        self.total_cents = receipt.total_cents
        self.cost_cents = receipt.cost_cents
