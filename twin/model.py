"""The store model: Mesa holds the agents and data collection, SimPy owns the clock.

One ``StoreModel`` is one store over one or more days: its floor, stock, tills,
staff and devices, the shoppers that come and go, and the services it reaches
through its ``StoreClient``. Features that interventions bring (self-checkout,
ESL, smart carts, ...) exist from the start and switch on at their ``from_day``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import uuid
from collections.abc import Callable, Generator
from typing import Any

import mesa
import numpy as np
import pyarrow as pa
import simpy
from simpy.core import BoundClass

from agents.arrivals import arrival_times, hourly_rates
from agents.customers import CustomerPool
from agents.mission import MissionMaker
from agents.satisfaction import Satisfaction
from agents.shopper import Shopper, VisitRules
from agents.staff import FirstSeeing, QueueSensor, Team, TrueQueue
from agents.visitors import Visitor, VisitorDraws
from devices.base import Device
from devices.energy import EnergyMeter
from devices.labels import EslSystem, ShelfLabels
from devices.loss_prevention import LossPreventionCamera
from devices.people_counter import DoorCounter, TillCounter
from devices.smart_cart import CartFleet
from devices.smart_shelf import SmartShelfNetwork
from devices.vision import install_cameras
from devices.vision.audit import COUNTS as AUDIT_COUNTS
from devices.vision.audit import PriceAuditCamera
from devices.vision.cameras import QueueCamera
from devices.wifi_probe import WifiProbeNetwork
from scenarios.demand import mean_service_s
from scenarios.interventions import resolve
from scenarios.schema import Scenario
from scenarios.staffing import Role
from services.client import StoreClient
from services.schemas import StockCount, StoreIn
from twin.catalog import build_catalog
from twin.checkout import Lane, SelfCheckoutBay, ServiceTime, SharedLine, open_lanes
from twin.clock import DAY, HOUR, day_of, time_of_day
from twin.eventlog import EventLog
from twin.hotzones import HotZones
from twin.layout import FloorPlan
from twin.marketing import MarketingDesk
from twin.members import CouponCampaign, Members
from twin.online import OnlineDesk
from twin.placement import Planogram
from twin.pricing import PriceBook
from twin.promotions import Promotions
from twin.recorder import Recorder
from twin.requests import LineBook, stock_counts
from twin.rng import Streams
from twin.stock import Stock
from twin.trace import Tracer
from twin.visit_process import start, wait

SKU_DAILY = pa.schema(
    [
        ("day", pa.int32()),
        ("sku", pa.string()),
        ("zone", pa.string()),
        ("sold", pa.int64()),
        ("lost_oos", pa.int64()),
        ("stolen", pa.int64()),
        ("shelf_end", pa.int64()),
        ("backroom_end", pa.int64()),
        ("price_cents", pa.int64()),
        ("label_cents", pa.int64()),
        ("promoted", pa.bool_()),
        ("voice_promoter", pa.bool_()),
        ("signage", pa.bool_()),
    ]
)
"""What happened to each SKU each day: sold, wanted but missing, stolen, left over."""

VISITS = pa.schema(
    [
        ("visit_id", pa.int64()),
        ("day", pa.int32()),
        ("customer", pa.int64()),
        ("member", pa.bool_()),
        ("segment", pa.string()),
        ("arrival_s", pa.float64()),
        ("departure_s", pa.float64()),
        ("list_lines", pa.int32()),
        ("items", pa.int32()),
        ("impulse_units", pa.int32()),
        ("lost_units_oos", pa.int32()),
        ("price_skips", pa.int32()),
        ("smart_cart", pa.bool_()),
        ("till", pa.string()),
        ("lane", pa.int32()),
        ("wait_s", pa.float64()),
        ("queue_seen", pa.int32()),
        ("gave_up", pa.string()),
        ("payment", pa.string()),
        ("total_cents", pa.int64()),
        ("cost_cents", pa.int64()),
        ("stolen_units", pa.int32()),
        ("recovered_units", pa.int32()),
        ("flagged", pa.bool_()),
        ("price_mismatches", pa.int32()),
        ("captured", pa.bool_()),
        ("coupon_visit", pa.bool_()),
        ("coupon_used", pa.bool_()),
        ("discount_cents", pa.int64()),
        ("satisfaction", pa.float64()),
        ("converted", pa.bool_()),
        ("failed", pa.bool_()),
    ]
)

FLOWS = (
    "visitors",
    "transactions",
    "sales_cents",
    "items",
    "lost_units_oos",
    "wait_s_total",
    "balked",
    "reneged",
    "satisfaction_total",
)


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes (for benchmarks).

    Counted, not tallied: every event scheduled takes the next number of the
    environment's id counter and ``step`` pops one from the queue, so the
    events processed are those numbered less those still queued (an event a
    stopped ``run`` puts back is numbered again: counted again when it comes
    round, as a tally in ``step`` counted it). A ``step`` of our own that
    tallied them cost a Python call for every event of a run.

    simpy binds ``timeout``, ``event``, ``process`` and the like to the
    instance only for its own class (``BoundClass.bind_early`` reads the
    class's own attributes): on a subclass each ``env.timeout`` went through a
    descriptor making a new bound method. ``__init__`` binds them as simpy does.
    """

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        for name, attr in vars(simpy.Environment).items():
            if type(attr) is BoundClass:
                setattr(self, name, getattr(self, name))

    @property
    def processed(self) -> int:
        """Events processed so far."""
        return _issued(self._eid) - len(self._queue)


def _issued(ids: itertools.count) -> int:
    """How many numbers ``ids`` (counting from 0 by 1) has given, without taking one."""
    return int(repr(ids)[len("count(") : -1])


class StoreModel(mesa.Model):
    """One store over one or more days, with its services reached through ``client``."""

    def __init__(
        self,
        scenario: Scenario,
        streams: Streams,
        client: StoreClient,
        store_id: str = "S001",
        store_number: int = 1,
        env: simpy.Environment | None = None,
    ):
        super().__init__(rng=streams.generator("mesa"))
        self.log = EventLog()
        scenario = resolve(scenario)
        self.scenario = scenario
        self._midnight = dt.datetime.combine(scenario.start_date, dt.time())
        self.streams = streams
        self.store_id = store_id
        # The nonce keeps a second run against the same services from replaying the first
        # run's receipts; nothing in the results depends on it.
        self.run_key = f"{scenario.versioned_id}:{streams.seed}:{store_id}:{uuid.uuid4().hex[:8]}"
        self.env = env if env is not None else CountingEnvironment()
        self.client = client
        co = scenario.checkout
        self.plan = FloorPlan(scenario.layout, co.lanes)
        self.catalog = build_catalog(scenario)
        self.line_book = LineBook(self.catalog.codes)
        rep = scenario.replenishment
        backroom = np.round(self.catalog.daily_demand * rep.backroom_days)
        self.stock = Stock(self.catalog.capacity, backroom, rep.forecast_days)
        self.lost_units = np.zeros(len(self.catalog), dtype=np.int64)
        self._lost_before = self.lost_units.copy()
        a = scenario.arrivals
        pool = round(a.daily_visitors * a.traffic_factor * scenario.shoppers.customer_pool_factor)
        self.customers = CustomerPool(
            max(pool, 1), scenario.shoppers.member_share, streams.generator("customers")
        )
        self.lanes = [Lane(self.env, i, self.plan) for i in range(co.lanes)]
        serpentine = co.queue == "serpentine"
        self.line = SharedLine(self.env, self.plan, self.lanes) if serpentine else None
        self.lane_time = ServiceTime.staffed(co)
        self.lane_service_s = mean_service_s(scenario)
        self._bay: SelfCheckoutBay | None = None
        if co.self_checkout is not None:
            sco = co.self_checkout
            self._bay = SelfCheckoutBay(self.env, sco.stations, self.plan, co.lanes)
            self._bay.spec = sco
            self.sco_time = ServiceTime.self_service(co)
            if co.scan_s_per_item > 0:
                self.sco_service_s = self.lane_service_s * sco.scan_s_per_item / co.scan_s_per_item
            else:  # nothing to scale from: the bay's own parts
                self.sco_service_s = mean_service_s(scenario, self_service=True)
        self.attendants = simpy.Resource(self.env, capacity=1)
        self._carts = CartFleet(co.smart_carts) if co.smart_carts else None
        self.labels = ShelfLabels(self.catalog.skus, [p.price_cents for p in self.catalog.products])
        self.pricing = PriceBook(self)
        self.missions = MissionMaker(scenario, self.catalog)
        self.visit_rules = VisitRules.of(scenario)
        self._hours_s = (scenario.hours.open_s, scenario.hours.close_s)  # parsed once, not per ask
        self.visitors = VisitorDraws(scenario.shoppers, self.missions, streams)
        self.aisle_x = [self.plan.aisle_x(i) for i in range(len(scenario.layout.zones))]
        scale = scenario.devices.ai_scale
        self._produce_s = (  # read at every till: plain numbers, not the scenario's models
            scale.from_day if scale is not None else math.inf,
            scale.s_per_item + (1.0 - scale.accuracy) * scale.correction_s if scale else 0.0,
            co.produce_s_per_item,
        )
        self.fridge_skus: list[bool] = self.catalog.fridge.tolist()
        self.produce_skus: list[bool] = self.catalog.produce.tolist()
        self.planogram = Planogram(self, scenario.placement) if scenario.placement else None
        self.hotzones = HotZones(self)
        shoppers = scenario.shoppers
        self._segment_cdf = np.cumsum([s.share for s in shoppers.segments])
        self._methods = list(shoppers.payment_mix)
        self._payment_cdf = np.cumsum(list(shoppers.payment_mix.values()))
        self.satisfaction = Satisfaction()
        self.members = Members(self, store_number)
        self.campaign = CouponCampaign(self, scenario.coupons) if scenario.coupons else None
        self.marketing = MarketingDesk(self, scenario.marketing) if scenario.marketing else None
        self.online = OnlineDesk(self, scenario.online) if scenario.online else None
        self.staff = Team(self)
        self.claimed_alerts: set[int] = set()
        self.visits = Recorder(VISITS)
        self.tracer: Tracer | None = None
        self.failures: list[str] = []
        # Live mode: simulated seconds the last checkout took (see pos_wait).
        self.pos_time: Callable[[], float] | None = None
        self.pos_held_s = 0.0
        self.flows = dict.fromkeys(FLOWS, 0.0)
        self.daily: list[dict[str, Any]] = []
        self._pending_order: tuple[int, np.ndarray] | None = None
        self._arrivals_over = False
        self._nights_done = 0
        self._extra_pending = 0
        self._days = 0
        self.devices: list[Device] = []
        self._install_devices()
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "t_s": lambda m: m.env.now,
                "in_store": lambda m: len(m.agents_by_type.get(Shopper, ())),
                "queuing": lambda m: sum(len(t) for t in m.tills()) + m.in_line(),
                "open_lanes": lambda m: len(open_lanes(m.lanes)),
                "cashiers_on_duty": lambda m: m.staff.on_duty(Role.cashier, m.env.now - 1),
                "empty_shelves": lambda m: len(m.stock.empty()),
                **{name: _flow(name) for name in FLOWS},
            }
        )
        self._stock_store()

    # --- set-up ------------------------------------------------------------------------

    def _install_devices(self) -> None:
        sc, s = self.scenario, self.streams
        dev = sc.devices
        self.door = self.till_counter = self.energy = None
        self.smart_shelves = self.wifi = self.lp_camera = self.esl = None
        if dev.people_counter is not None:
            pc = dev.people_counter
            self.door = DoorCounter(self, pc, s.generator("door_counter"))
            self.till_counter = TillCounter(self, pc, s.generator("till_counter"))
        if dev.energy is not None:
            self.energy = EnergyMeter(self, dev.energy, s.generator("energy"))
        if dev.smart_shelves is not None:
            self.smart_shelves = SmartShelfNetwork(self, dev.smart_shelves, s.generator("shelves"))
        if dev.wifi_probe is not None:
            self.wifi = WifiProbeNetwork(self, dev.wifi_probe, s.generator("wifi"))
        if sc.checkout.loss_prevention is not None:
            lp = sc.checkout.loss_prevention
            self.lp_camera = LossPreventionCamera(self, lp, s.generator("lp_camera"))
        if sc.labels.electronic_from_day is not None:
            self.esl = EslSystem(self, sc.labels, s.generator("esl"))
        self.promotions = Promotions(self)
        candidates = [
            self.door,
            self.till_counter,
            self.energy,
            self.smart_shelves,
            self.wifi,
            self.lp_camera,
            self.esl,
            *self.promotions.devices,
        ]
        self.devices = [d for d in candidates if d is not None]
        self.cameras = install_cameras(self, dev.cameras, s) if dev.cameras is not None else []

    def _stock_store(self) -> None:
        """Load this store's master data and opening stock into the services."""
        self.client.register_store(
            StoreIn(
                id=self.store_id,
                name=self.scenario.name,
                format=self.scenario.format.value,
                currency=self.scenario.currency,
            )
        )
        self.client.upsert_products(list(self.catalog.products))
        self.client.set_stock(self.store_id, self._counts(self.stock.physical))

    def _counts(self, units: np.ndarray) -> list[StockCount]:
        return stock_counts(self.catalog.codes, units.tolist())

    # --- what agents ask of the store ----------------------------------------------------

    @property
    def day(self) -> int:
        """The run day now (0 = first)."""
        return day_of(self.env.now)

    @property
    def store_open(self) -> bool:
        """Whether the doors are open for new shoppers now."""
        open_s, close_s = self._hours_s
        return open_s <= time_of_day(self.env.now) < close_s

    @property
    def shoppers_inside(self) -> bool:
        """Whether any shopper is still in the store."""
        return bool(self.agents_by_type.get(Shopper))

    @property
    def self_checkout(self) -> SelfCheckoutBay | None:
        """The self-checkout bay, once it is in service."""
        return self._bay if self._bay is not None and self._bay.open else None

    @property
    def carts(self) -> CartFleet | None:
        """The smart-cart fleet, once it is in service."""
        fleet = self._carts
        return fleet if fleet is not None and self.day >= fleet.spec.from_day else None

    def tills(self) -> list:
        """Every place to pay: the lanes and the self-checkout bay, if any."""
        return self.lanes + ([self._bay] if self._bay is not None else [])

    def in_line(self) -> int:
        """Shoppers waiting in the shared serpentine line (0 with a line per lane)."""
        return len(self.line.turns) if self.line is not None else 0

    def at_open_lanes(self) -> int:
        """Shoppers at the open staffed lanes, served or waiting, the shared line included."""
        return sum(len(lane) for lane in open_lanes(self.lanes)) + self.in_line()

    def produce_s(self, lane: bool) -> float:
        """Seconds to weigh one produce item, at a lane or at self-checkout."""
        scale_from_day, scale_s, manual = self._produce_s
        if self.day >= scale_from_day:
            return scale_s
        return manual if lane else manual * 1.5

    def loss_prevention_check(
        self, rng: np.random.Generator, unscanned: dict[int, int]
    ) -> dict[int, int] | None:
        """What the loss-prevention camera catches, or None without a camera or a flag."""
        cam = self.lp_camera
        if cam is None or self.day < cam.spec.from_day:
            return None
        return cam.check(rng, unscanned)

    def queue_sensor(self) -> QueueSensor:
        """What cashiers read the queue from.

        Queue cameras over every lane first, then the till counter (also while the
        cameras are blind), or the truth without either.
        """
        sensors: list[QueueSensor] = [
            c for c in self.cameras if isinstance(c, QueueCamera) and c.watches_every_lane
        ]
        if self.till_counter is not None:
            sensors.append(self.till_counter)
        return FirstSeeing(sensors) if sensors else TrueQueue(self)

    def rebuild_routes(self) -> None:
        """Shopping lists follow the shelves after a move (the walk order is by position)."""
        self.missions = MissionMaker(self.scenario, self.catalog)

    def fridge_door(self) -> None:
        """A shopper opened a fridge door."""
        if self.energy is not None:
            self.energy.door_opened()

    def clock(self) -> dt.datetime:
        """Simulated wall-clock time now, for the services."""
        return self.clock_at(self.env.now)

    def clock_at(self, t: float) -> dt.datetime:
        """Simulated wall-clock time of second ``t`` of the run."""
        # days and seconds by position: matching the keyword costs the constructor some
        # 1,200 of its 6,100 instructions (every sale and service call asks for its time)
        return self._midnight + dt.timedelta(0, t)

    # --- running -------------------------------------------------------------------------

    def run(self, days: int, progress: Callable[[float], None] | None = None) -> None:
        """Simulate ``days`` days; returns when the last shopper of the last day has left."""
        if days < 1:
            raise ValueError(f"days must be >= 1, got {days}")
        self._days = days
        self._horizon = days * DAY
        self._closed = self.env.event()
        self._progress = progress
        for day in range(days):
            self.env.process(self._morning(day))
            self.env.process(self._arrivals(day, last=day == days - 1))
            self.env.process(self._night(day))
        self.env.process(self._hourly())
        self.staff.start(days)
        if self.campaign is not None:
            self.env.process(self.campaign.run(days))
        if self.online is not None:
            self.online.start(days)
        if self.marketing is not None:
            self.marketing.start(days)
        for device in self.devices:
            device.start()
        self.env.run(until=self._closed)
        if self.marketing is not None:
            self.marketing.close()
        self.datacollector.collect(self)
        if progress:
            progress(1.0)

    def _at(self, t: float) -> simpy.Timeout:
        return self.env.timeout(max(t - self.env.now, 0.0))

    def _morning(self, day: int) -> Generator[simpy.Event, object, None]:
        """Switch on today's features, take in last night's order, reprice."""
        sc = self.scenario
        yield self._at(day * DAY)
        if self.planogram is not None:
            self.planogram.apply(day)
        if self._bay is not None:
            self._bay.open = day >= self._bay.spec.from_day
        if sc.labels.electronic_from_day == day:
            self.labels.electronic = True
            self.pricing.relabel_all()
        steps = sorted(
            [(sc.replenishment.delivery_s, self._deliver), (sc.pricing.at_s, self.pricing.reprice)],
            key=lambda step: step[0],
        )
        for at, step in steps:
            yield self._at(day * DAY + at)
            step(day)

    def _deliver(self, day: int) -> None:
        """Last night's replenishment order arrives; on a new promotion week, promo stock too."""
        if self._pending_order is not None:
            order_id, units = self._pending_order
            self.client.receive_goods(order_id)
            self.stock.receive(units)
            self._pending_order = None
        if day % 7 == 0:  # a new promotion week: displays go up, HQ pushes promo stock
            promo = self.scenario.promotions
            promoted = self.promotions.promoted_skus(day)
            self.stock.display(promoted, promo.display_factor)
            extra = np.zeros(len(self.catalog), dtype=np.int64)
            push = np.ceil(self.catalog.daily_demand * promo.promo_stock_days)
            extra[promoted] = push[promoted].astype(np.int64)
            if extra.any():
                self.client.receive_goods(self._order_goods(extra))
                self.stock.receive(extra)

    def _order_goods(self, units: np.ndarray) -> int:
        """Raise a replenishment order in the inventory center; its id."""
        return self.client.order_goods(self.store_id, self._counts(units)).id

    def _arrivals(self, day: int, last: bool) -> Generator[simpy.Event, object, None]:
        env, sc = self.env, self.scenario
        yield self._at(day * DAY)
        date = sc.start_date + dt.timedelta(days=day)
        factor = sc.arrivals.holiday_factor if date in sc.arrivals.holidays else 1.0
        times = day * DAY + arrival_times(
            sc, date.weekday(), self.streams.generator("arrivals", day), factor
        )
        people = self.visitors.day(day, len(times))
        visits = self.streams.generators("visit", len(times), day)
        for t, person, rng in zip(times.tolist(), people, visits, strict=True):
            yield wait(env, t - env._now)  # env.timeout's event, made and queued in one call
            self._walk_in(person, rng)
        if last:
            self._arrivals_over = True
            self._maybe_close()

    def _walk_in(self, person: Visitor, rng: np.random.Generator) -> Shopper:
        """A regular arrival walks in now, as drawn in the day's block; ``rng`` is the visit's."""
        shopper = Shopper(
            self,
            visit_id=int(self.flows["visitors"]),
            customer=self.customers.pick(person.customer_u),
            segment=person.segment,
            speed=person.speed,
            payment=person.payment,
            mission=person.mission(self.missions, rng),
            rng=rng,
        )
        self._enter(shopper)
        return shopper

    def _spawn(self, rng: np.random.Generator, customer: int | None = None) -> Shopper:
        """A shopper walks in now; every choice of the visit comes from ``rng``.

        For visits outside the day's arrivals (a coupon or a promotion brought
        them): their person is drawn from their own stream.
        """
        shoppers = self.scenario.shoppers
        segments, methods = shoppers.segments, self._methods
        u = rng.random(4)
        seg_cdf, pay_cdf = self._segment_cdf, self._payment_cdf
        segment = segments[min(int(seg_cdf.searchsorted(u[1] * seg_cdf[-1])), len(segments) - 1)]
        method = methods[min(int(pay_cdf.searchsorted(u[2] * pay_cdf[-1])), len(methods) - 1)]
        speed = shoppers.walking_speed_mps + shoppers.walking_speed_sd * rng.standard_normal()
        slowest, fastest = shoppers.walking_speed_min_mps, shoppers.walking_speed_max_mps
        shopper = Shopper(
            self,
            visit_id=int(self.flows["visitors"]),
            customer=self.customers.pick(u[0]) if customer is None else customer,
            segment=segment,
            speed=min(max(float(speed), slowest), fastest),
            payment=method,
            mission=self.missions.draw(rng, segment),
            rng=rng,
        )
        self._enter(shopper)
        return shopper

    def _enter(self, shopper: Shopper) -> None:
        self.flows["visitors"] += 1
        if self.door is not None:
            self.door.entered()
        start(shopper.visit())

    def extra_visit(self, day: int, customer: int, key: tuple[int, int]) -> None:
        """Schedule a visit by ``customer`` on ``day`` (a coupon brought them), at a usual hour."""
        if day >= self._days:
            return
        rng = self.streams.generator("extra_visit", *key)
        rates = hourly_rates(self.scenario, (self.scenario.start_date.weekday() + day) % 7)
        hour = int(rng.choice(24, p=rates / rates.sum()))
        h = self.scenario.hours
        t = day * DAY + min(max(hour * HOUR + rng.random() * HOUR, h.open_s), h.close_s - 60)

        def come() -> Generator[simpy.Event, object, None]:
            yield self._at(t)
            self._spawn(rng, customer).coupon_visit = True
            self._extra_pending -= 1
            self._maybe_close()

        self._extra_pending += 1
        self.env.process(come())

    def _night(self, day: int) -> Generator[simpy.Event, object, None]:
        """After closing: order for tomorrow, count stock when due, book the day."""
        sc = self.scenario
        yield self._at(day * DAY + sc.hours.close_s + 1800)
        rep = sc.replenishment
        online = self.online.close_day(day) if self.online is not None else {}
        book = np.zeros(len(self.catalog), dtype=np.int64)
        reserved = np.zeros(len(self.catalog), dtype=np.int64)
        index = self.catalog.index
        for level in self.client.stock_levels(self.store_id):
            book[index[level.sku]] = level.on_hand
            reserved[index[level.sku]] = level.reserved
        shrink_found_cents = 0
        if (day + 1) % rep.stocktake_every_days == 0:
            physical = self.stock.physical + self._held_for_orders()
            # Units a picker is carrying right now are neither on the shelf nor
            # handed over: such SKUs wait for the next count.
            counted = physical >= reserved
            missing = np.where(counted, np.maximum(book - physical, 0), 0)
            shrink_found_cents = int(np.dot(missing, self._cost_cents()))
            self.client.set_stock(self.store_id, self._counts_all(physical, counted))
            book = np.where(counted, physical, book)
        target = np.ceil(self.stock.forecast(self.catalog.daily_demand) * rep.cover_days)
        order = np.maximum(target.astype(np.int64) - book, 0)
        if order.any():
            self._pending_order = (self._order_goods(order), order)
        self.daily.append({**self._day_stats(day, shrink_found_cents), **online})
        self._book_skus(day)
        self.stock.close_day()
        if self.wifi is not None:
            self.wifi.close_day(day)
        self._nights_done += 1
        self._maybe_close()

    def _book_skus(self, day: int) -> None:
        n = len(self.catalog)
        promoted = set(self.promotions.promoted_skus(day))
        voice, screen = self.promotions.featured(day)
        zones = [z.id for z in self.scenario.layout.zones]
        lost_today = self.lost_units - self._lost_before
        self._lost_before = self.lost_units.copy()
        self.log.table("sku_daily", SKU_DAILY).extend(
            {
                "day": [day] * n,
                "sku": self.catalog.skus,
                "zone": [zones[z] for z in self.catalog.zone.tolist()],
                "sold": self.stock.sold_today.tolist(),
                "lost_oos": lost_today.tolist(),
                "stolen": self.stock.stolen_today.tolist(),
                "shelf_end": self.stock.shelf.tolist(),
                "backroom_end": self.stock.backroom.tolist(),
                "price_cents": self.pricing.cents.tolist(),
                "label_cents": self.labels.shown_cents.tolist(),
                "promoted": [i in promoted for i in range(n)],
                "voice_promoter": [i in voice for i in range(n)],
                "signage": [i in screen for i in range(n)],
            }
        )

    def _counts_all(self, units: np.ndarray, counted: np.ndarray) -> list[StockCount]:
        products = self.catalog.products
        return [
            StockCount(sku=products[i].sku, qty=int(q)) for i, q in enumerate(units) if counted[i]
        ]

    def _held_for_orders(self) -> np.ndarray:
        """Units of picked online orders waiting for their customer or courier."""
        held = np.zeros(len(self.catalog), dtype=np.int64)
        if self.online is not None:
            for ticket in self.online.ready.values():
                for sku, qty in ticket.skus:
                    held[sku] += qty
        return held

    def _cost_cents(self) -> np.ndarray:
        return np.asarray([p.cost_cents for p in self.catalog.products], dtype=np.int64)

    def _day_stats(self, day: int, shrink_found_cents: int) -> dict[str, Any]:
        hours = self.staff.hours(day)
        cost = self.staff.cost(day)
        label_hours, label_cost = self._label_work()
        stolen = self.stock.stolen_today
        stats: dict[str, Any] = {
            "day": day,
            "labour_hours": round(sum(hours.values()) + label_hours, 2),
            "labour_cost": round(sum(cost.values()) + label_cost, 2),
            **{f"{role.value}_hours": round(h, 2) for role, h in hours.items()},
            **{f"{role.value}_cost": round(c, 2) for role, c in cost.items()},
            "cashier_off_till_hours": round(self.staff.off_till_hours(day), 2),
            "label_changes": self.pricing.paper_labels,
            "label_hours": round(label_hours, 2),
            "label_cost": round(label_cost, 2),
            "shrink_units": int(stolen.sum()),
            "shrink_value": round(float(np.dot(stolen, self._cost_cents())) / 100, 2),
            "shrink_found": round(shrink_found_cents / 100, 2),
            "price_changes": self.pricing.changes,
            "label_mismatches_at_close": len(self.labels.mismatches(self.pricing.cents)),
            "alerts": self.smart_shelves.alerts_sent if self.smart_shelves else 0,
            "energy_kwh": round(self.energy.kwh_today, 2) if self.energy else 0.0,
            "fridge_alarms": self.energy.alarms if self.energy else 0,
            "door_count": self.door.counted_total if self.door else 0,
            **self._camera_counts(),
        }
        self.pricing.changes = 0
        self.pricing.paper_labels = 0
        if self.energy is not None:
            self.energy.kwh_today = 0.0
            self.energy.alarms = 0
        if self.door is not None:
            self.door.counted_total = 0
        if self.smart_shelves is not None:
            self.smart_shelves.alerts_sent = 0
        return stats

    def _label_work(self) -> tuple[float, float]:
        """Hours and cost of today's paper label changes, paid on top of the roster.

        Price-change work is done by associates (or a price-change crew) when it
        comes, so it is booked as extra paid time at the associate's wage.
        """
        staff = self.scenario.staff
        hours = self.pricing.paper_labels * staff.label_change_s / 3600
        return hours, hours * staff.wages[Role.associate]

    def _camera_counts(self) -> dict[str, int]:
        """Today's audit tickets and camera alerts, summed over the store's audit cameras."""
        totals = dict.fromkeys(AUDIT_COUNTS, 0)
        for cam in self.cameras:
            if isinstance(cam, PriceAuditCamera):
                for key, n in cam.take_counts().items():
                    totals[key] += n
        return totals

    def _hourly(self) -> Generator[simpy.Event, object, None]:
        while True:
            yield self.env.timeout(HOUR)
            self.datacollector.collect(self)
            if self._progress:
                self._progress(min(self.env.now / self._horizon, 0.999))

    # --- bookkeeping ---------------------------------------------------------------------

    def record_visit(self, s: Shopper) -> None:
        """Book a finished visit into the visit table, the hourly flows and the customer."""
        items = sum(s.basket.values())
        converted = s.total_cents > 0
        gave_up = bool(s.gave_up)
        fast = s.till_kind in ("self_checkout", "smart_cart") and (s.wait_s or 0.0) < 60
        score = self.satisfaction.score(
            wait_s=s.wait_s or 0.0,
            out_of_stock=s.lost_units,
            price_mismatches=s.mismatches,
            price_skips=s.price_skips,
            gave_up=gave_up,
            fast_checkout=fast,
        )
        day = day_of(s.arrived)
        self.visits.add(
            {
                "visit_id": s.visit_id,
                "day": day,
                "customer": s.customer,
                "member": s.member,
                "segment": s.segment.name,
                "arrival_s": s.arrived,
                "departure_s": self.env._now,
                "list_lines": len(s.mission),
                "items": items if converted else 0,
                "impulse_units": s.impulse_units,
                "lost_units_oos": s.lost_units,
                "price_skips": s.price_skips,
                "smart_cart": s.cart,
                "till": s.till_kind,
                "lane": s.lane,
                "wait_s": s.wait_s,
                "queue_seen": s.queue_seen,
                "gave_up": s.gave_up,
                # ``_value_``: the member's attribute; ``value`` is a property (two Python calls)
                "payment": s.payment._value_ if converted else None,
                "total_cents": s.total_cents,
                "cost_cents": s.cost_cents,
                "stolen_units": s.stolen_units,
                "recovered_units": s.recovered_units,
                "flagged": s.flagged,
                "price_mismatches": s.mismatches,
                "captured": s.captured,
                "coupon_visit": s.coupon_visit,
                "coupon_used": s.coupon_used,
                "discount_cents": s.discount_cents,
                "satisfaction": score,
                "converted": converted,
                "failed": bool(s.basket) and not converted and not gave_up and not s.stolen_units,
            }
        )
        f = self.flows
        f["lost_units_oos"] += s.lost_units
        f["satisfaction_total"] += score
        f["balked"] += s.gave_up == "balked"
        f["reneged"] += s.gave_up == "reneged"
        if converted:
            f["transactions"] += 1
            f["sales_cents"] += s.total_cents
            f["items"] += items
            f["wait_s_total"] += s.wait_s or 0.0
        self.customers.record(s.customer, day, s.total_cents)
        self.hotzones.add(s)
        if self.wifi is not None:
            self.wifi.observe(s)
        if self.tracer is not None:
            self.tracer.shopper(s, self.env._now)
        if self._arrivals_over:  # ``_maybe_close``'s first test, without its call every visit
            self._maybe_close()

    def pos_wait(self) -> Generator[simpy.Event, object, None]:
        """The lane stays taken while the till waits for the services (live mode only).

        In the twin's own runs a checkout takes no simulated time; live, the
        wall time it took is simulated time too (``pos_time``), and a slow
        server makes the queues grow as a slow POS would.
        """
        held = self.pos_time() if self.pos_time is not None else 0.0
        if held > 0:
            self.pos_held_s += held
            yield self.env.timeout(held)

    def record_failure(self, s: Shopper, error: Exception) -> None:
        """A checkout the services refused; the visit ends without a sale."""
        self.failures.append(f"visit {s.visit_id}: {error}")

    def _maybe_close(self) -> None:
        done = self._arrivals_over and not self.shoppers_inside and self._nights_done == self._days
        if done and not self._closed.triggered:
            self._closed.succeed()


def _flow(name: str) -> Callable[[StoreModel], float]:
    return lambda m: m.flows[name]
