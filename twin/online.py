"""Online orders picked from the store's own shelves (store-as-warehouse fulfilment).

Orders come in through the order center (which reserves their stock), are
paid at once, picked by pickers who walk the same aisles as shoppers and
compete with them for the last units, then handed over: pickup customers come
for theirs, delivery orders leave in the courier batches the delivery center
forms. A picker who cannot find every unit cancels the order (money back).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np
import pyarrow as pa
import simpy

from scenarios.base import clock_seconds
from scenarios.features import OnlineOrders
from scenarios.staffing import Shift
from services.domain.errors import DomainError
from services.schemas import (
    Channel,
    CheckoutLine,
    CourierCreate,
    DeliveryInfo,
    DispatchRequest,
    OrderCreate,
    PaymentCreate,
)
from twin.clock import DAY, HOUR
from twin.trajectory import Trajectory

if TYPE_CHECKING:
    from twin.model import StoreModel

ONLINE = pa.schema(
    [
        ("order_id", pa.int64()),
        ("day", pa.int32()),
        ("channel", pa.string()),
        ("created_s", pa.float64()),
        ("picked_s", pa.float64()),
        ("done_s", pa.float64()),
        ("items", pa.int32()),
        ("total_cents", pa.int64()),
        ("status", pa.string()),
    ]
)


@dataclass
class Ticket:
    """The twin's view of one online order on its way through the store."""

    order_id: int
    channel: str
    created: float
    window_start: float
    skus: list[tuple[int, int]]
    total_cents: int
    picked: float | None = None
    collected: float | None = None
    dispatched: bool = False


class OnlineDesk:
    """Takes orders in, hands picked ones over, and batches deliveries with couriers."""

    def __init__(self, model: StoreModel, spec: OnlineOrders):
        self.model = model
        self.spec = spec
        self.waiting: list[Ticket] = []
        self.ready: dict[int, Ticket] = {}
        self.table = model.log.table("online_orders", ONLINE)
        self.today = {
            "online_orders": 0,
            "online_fulfilled": 0,
            "online_cancelled": 0,
            "online_sales": 0.0,
        }

    def start(self, days: int) -> None:
        """Register the couriers and start the order and dispatch processes."""
        m = self.model
        for k in range(self.spec.couriers):
            m.client.add_courier(
                CourierCreate(store_id=m.store_id, name=f"rider {k + 1}", kind="own")
            )
        for day in range(days):
            m.env.process(self._orders(day))
        m.env.process(self._dispatch_rounds())

    def _orders(self, day: int) -> Generator[simpy.Event, object, None]:
        m, spec = self.model, self.spec
        h = m.scenario.hours
        last = clock_seconds(spec.last_order) if spec.last_order else h.close_s - 2 * HOUR
        rng = m.streams.generator("online", day)
        n = int(rng.poisson(spec.daily_orders * m.scenario.arrivals.traffic_factor))
        times = np.sort(day * DAY + h.open_s + rng.random(n) * max(last - h.open_s, 60))
        for k, t in enumerate(times.tolist()):
            yield m.env.timeout(t - m.env.now)
            self._take(day, k, m.streams.generator("online_order", day, k))

    def _take(self, day: int, k: int, rng: np.random.Generator) -> None:
        m, spec = self.model, self.spec
        mission = m.missions.draw_online(rng, spec.items_mean)
        skus = list(zip(mission.sku.tolist(), mission.qty.tolist(), strict=True))
        pickup = rng.random() < spec.pickup_share
        window = (np.floor(m.env.now / HOUR) + 2) * HOUR
        at = m.clock()
        delivery = None
        if not pickup:
            delivery = DeliveryInfo(
                window_start=m.clock_at(window),
                bearing_deg=float(rng.uniform(0, 360)),
                distance_km=float(rng.exponential(spec.delivery_km_mean)),
            )
        products = m.catalog.products
        try:
            order = m.client.create_order(
                OrderCreate(
                    store_id=m.store_id,
                    channel=Channel.pickup if pickup else Channel.delivery,
                    lines=[CheckoutLine(sku=products[s].sku, qty=q) for s, q in skus],
                    idempotency_key=f"{m.run_key}:online:{day}:{k}",
                    at=at,
                    delivery=delivery,
                )
            )
            m.client.pay(
                PaymentCreate(
                    order_id=order.id,
                    method="mobile",
                    idempotency_key=f"{m.run_key}:online-pay:{day}:{k}",
                    at=at,
                )
            )
        except DomainError:  # the book says there is not enough stock to promise
            self.today["online_orders"] += 1
            self.today["online_cancelled"] += 1
            return
        self.today["online_orders"] += 1
        ticket = Ticket(
            order.id,
            order.channel.value,
            m.env.now,
            window,
            skus,
            order.total_cents,
        )
        if pickup:
            ticket.collected = window + rng.random() * HOUR
            m.env.process(self._collect(ticket))
        self.waiting.append(ticket)

    def next_to_pick(self) -> Ticket | None:
        """The oldest order nobody is picking yet."""
        return self.waiting.pop(0) if self.waiting else None

    def picked(self, ticket: Ticket, complete: bool) -> None:
        """A picker is done with an order: complete, or short and cancelled."""
        m = self.model
        ticket.picked = m.env.now
        if not complete:
            m.client.cancel_order(ticket.order_id, m.clock())
            self._book(ticket, "cancelled_short")
            return
        m.client.pick_order(ticket.order_id, m.clock())
        self.ready[ticket.order_id] = ticket
        if ticket.channel == Channel.delivery.value and ticket.dispatched:
            self._hand_over(ticket)

    def _collect(self, ticket: Ticket) -> Generator[simpy.Event, object, None]:
        """The pickup customer arrives; if the order is not ready they wait for it."""
        m = self.model
        yield m.env.timeout(max(ticket.collected - m.env.now, 0.0))
        while ticket.order_id not in self.ready:
            if ticket.picked is not None:  # picked short and cancelled
                return
            yield m.env.timeout(300)
        self._hand_over(ticket)

    def _dispatch_rounds(self) -> Generator[simpy.Event, object, None]:
        """Every half hour the delivery center batches orders due within the hour."""
        m = self.model
        while True:
            yield m.env.timeout(1800)
            if not any(t.channel == Channel.delivery.value for t in self._open()):
                continue
            batches = m.client.dispatch(
                m.store_id, DispatchRequest(until=m.clock_at(m.env.now + HOUR), at=m.clock())
            )
            batched = {oid for b in batches for oid in b.order_ids}
            for ticket in self._open():
                if ticket.order_id in batched:
                    ticket.dispatched = True
                    if ticket.order_id in self.ready:
                        self._hand_over(ticket)

    def _open(self) -> list[Ticket]:
        return self.waiting + list(self.ready.values())

    def _hand_over(self, ticket: Ticket) -> None:
        m = self.model
        m.client.fulfil_order(ticket.order_id, m.clock())
        self.ready.pop(ticket.order_id, None)
        self._book(ticket, "fulfilled")

    def close_day(self, day: int) -> dict[str, float]:
        """Cancel orders still open at night (the customer was let down); the day's counts."""
        m = self.model
        for ticket in self.waiting:
            m.client.cancel_order(ticket.order_id, m.clock())
            self._book(ticket, "cancelled_unpicked")
        self.waiting = []
        counts = {**self.today, "online_sales": round(self.today["online_sales"], 2)}
        self.today = dict.fromkeys(self.today, 0)
        return counts

    def _book(self, ticket: Ticket, status: str) -> None:
        if status == "fulfilled":
            self.today["online_fulfilled"] += 1
            self.today["online_sales"] += ticket.total_cents / 100
        else:
            self.today["online_cancelled"] += 1
        self.table.add(
            {
                "order_id": ticket.order_id,
                "day": int(ticket.created // DAY),
                "channel": ticket.channel,
                "created_s": ticket.created,
                "picked_s": ticket.picked,
                "done_s": self.model.env.now,
                "items": sum(q for _, q in ticket.skus),
                "total_cents": ticket.total_cents if status == "fulfilled" else 0,
                "status": status,
            }
        )


class Picker(mesa.Agent):
    """One picker's shift: takes the oldest order, walks the aisles for it, hands it on."""

    model: StoreModel

    def __init__(self, model: StoreModel, day: int, shift: Shift):
        super().__init__(model)
        self.day, self.shift = day, shift
        self.speed = 1.1
        self.trajectory = Trajectory(day * DAY + clock_seconds(shift.start), model.plan.entrance)

    def start(self) -> None:
        """Schedule the shift."""
        self.model.env.process(self.work())

    def work(self) -> Generator[simpy.Event, object, None]:
        """Pick orders one after another; look again every two minutes when there are none."""
        m, env = self.model, self.model.env
        desk = m.online
        start = self.day * DAY + clock_seconds(self.shift.start)
        end = self.day * DAY + clock_seconds(self.shift.end)
        yield env.timeout(max(start - env.now, 0.0))
        while env.now < end:
            ticket = desk.next_to_pick() if desk is not None else None
            if ticket is None:
                yield env.timeout(min(120.0, max(end - env.now, 1.0)))
                continue
            complete = yield from self._pick(ticket)
            desk.picked(ticket, complete)

    def _pick(self, ticket: Ticket) -> Generator[simpy.Event, object, bool]:
        """Walk the order's SKUs in route order; stop at the first one that cannot be found."""
        m, env, traj = self.model, self.model.env, self.trajectory
        spec = m.online.spec
        taken: list[tuple[int, int]] = []
        complete = True
        for sku, qty in sorted(ticket.skus, key=lambda x: m.missions.route_key[x[0]]):
            target = (m.plan.aisle_x(int(m.catalog.zone[sku])), float(m.catalog.shelf_y[sku]))
            there = traj.walk(env.now, m.plan.route(traj.here, target), self.speed)
            traj.wait_until(there + spec.pick_s_per_item * qty)
            yield env.timeout(traj.end - env.now)
            got = m.stock.take(sku, qty)
            got += m.stock.take_backroom(sku, qty - got)
            taken.append((sku, got))
            if got < qty:
                complete = False
                break
        for sku, got in taken:
            if complete:
                m.stock.sold_today[sku] += got
            else:
                m.stock.put_back(sku, got)  # the cancelled order's units go back out
        packed = traj.walk(env.now, m.plan.route(traj.here, m.plan.exit), self.speed)
        yield env.timeout(packed - env.now)
        return complete
