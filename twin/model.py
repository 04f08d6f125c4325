"""The store model: Mesa holds the agents and data collection, SimPy owns the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator

import mesa
import numpy as np
import pyarrow as pa
import simpy

from agents.arrivals import arrival_times
from agents.mission import MissionMaker
from agents.shopper import Shopper
from devices.base import Device
from devices.labels import ShelfLabels
from scenarios.schema import Scenario
from services.client import StoreClient
from services.schemas import StockCount, StoreIn
from twin.catalog import build_catalog
from twin.checkout import Lane, ServiceTime
from twin.eventlog import EventLog
from twin.layout import FloorPlan
from twin.recorder import Recorder
from twin.rng import Streams
from twin.shelves import Shelves

DAY = 86400
HOUR = 3600

VISITS = pa.schema(
    [
        ("visit_id", pa.int64()),
        ("day", pa.int32()),
        ("segment", pa.string()),
        ("arrival_s", pa.float64()),
        ("departure_s", pa.float64()),
        ("list_lines", pa.int32()),
        ("items", pa.int32()),
        ("lost_units_oos", pa.int32()),
        ("lane", pa.int32()),
        ("wait_s", pa.float64()),
        ("payment", pa.string()),
        ("total_cents", pa.int64()),
        ("cost_cents", pa.int64()),
        ("converted", pa.bool_()),
        ("failed", pa.bool_()),
    ]
)

FLOWS = ("visitors", "transactions", "sales_cents", "items", "lost_units_oos", "wait_s_total")


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes (for benchmarks)."""

    def __init__(self) -> None:
        super().__init__()
        self.processed = 0

    def step(self) -> None:
        """Process the next event."""
        self.processed += 1
        super().step()


class StoreModel(mesa.Model):
    """One store over one or more days, with its services reached through ``client``."""

    def __init__(
        self,
        scenario: Scenario,
        streams: Streams,
        client: StoreClient,
        store_id: str = "S001",
    ):
        super().__init__(rng=streams.generator("mesa"))
        self.scenario = scenario
        self.store_id = store_id
        self.run_key = f"{scenario.versioned_id}:{streams.seed}:{store_id}"
        self.env = CountingEnvironment()
        self.client = client
        self.plan = FloorPlan(scenario.layout)
        self.catalog = build_catalog(scenario)
        self.shelves = Shelves(self.catalog.capacity)
        self.lost_units = np.zeros(len(self.catalog), dtype=np.int64)
        self.lanes = [Lane(self.env, i, self.plan) for i in range(scenario.layout.checkout.lanes)]
        self.service_time = ServiceTime(scenario.layout.checkout)
        self.missions = MissionMaker(scenario, self.catalog)
        self.arrival_rng = streams.generator("arrivals")
        self.shopper_rng = streams.generator("shoppers")
        self.mission_rng = streams.generator("missions")
        self.checkout_rng = streams.generator("checkout")
        self.visits = Recorder(VISITS)
        self.log = EventLog()
        self.devices: list[Device] = []
        self.failures: list[str] = []
        self._arrivals_over = False
        self.flows = dict.fromkeys(FLOWS, 0.0)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "t_s": lambda m: m.env.now,
                "in_store": lambda m: len(m.agents_by_type.get(Shopper, ())),
                "queuing": lambda m: sum(len(lane) for lane in m.lanes),
                "empty_shelves": lambda m: len(m.shelves.empty()),
                **{name: _flow(name) for name in FLOWS},
            }
        )
        self._stock_store()
        self.labels = ShelfLabels(self.catalog.skus, [p.price_cents for p in self.catalog.products])

    def clock(self) -> dt.datetime:
        """Simulated wall-clock time, for the services."""
        start = dt.datetime.combine(self.scenario.start_date, dt.time())
        return start + dt.timedelta(seconds=self.env.now)

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
        self.client.set_stock(self.store_id, self._counts(self.shelves.units))

    def _counts(self, units: np.ndarray) -> list[StockCount]:
        products = self.catalog.products
        return [StockCount(sku=products[i].sku, qty=int(q)) for i, q in enumerate(units) if q]

    def run(self, days: int, progress: Callable[[float], None] | None = None) -> None:
        """Simulate ``days`` days; returns when the last shopper of the last day has left."""
        if days < 1:
            raise ValueError(f"days must be >= 1, got {days}")
        self._horizon = days * DAY
        self._closed = self.env.event()
        self._progress = progress
        for day in range(days):
            self.env.process(self._day(day, last=day == days - 1))
        self.env.process(self._hourly())
        for device in self.devices:
            device.start()
        self.env.run(until=self._closed)
        self.datacollector.collect(self)
        if progress:
            progress(1.0)

    def _day(self, day: int, last: bool) -> Generator[simpy.Event, object, None]:
        env, sc = self.env, self.scenario
        if day > 0:
            yield env.timeout(day * DAY + max(sc.hours.open_s - 1800, 0) - env.now)
            self._refill()
        weekday = (sc.start_date.weekday() + day) % 7
        times = day * DAY + arrival_times(sc, weekday, self.arrival_rng)
        segments = sc.shoppers.segments
        rng = self.shopper_rng
        seg = rng.choice(len(segments), size=times.size, p=[s.share for s in segments])
        speed = np.clip(
            rng.normal(sc.shoppers.walking_speed_mps, sc.shoppers.walking_speed_sd, times.size),
            0.4,
            2.0,
        )
        methods = list(sc.shoppers.payment_mix)
        pay = rng.choice(len(methods), size=times.size, p=list(sc.shoppers.payment_mix.values()))
        for i, t in enumerate(times.tolist()):
            yield env.timeout(t - env.now)
            segment = segments[seg[i]]
            shopper = Shopper(
                self,
                visit_id=int(self.flows["visitors"]),
                segment=segment,
                speed=float(speed[i]),
                payment=methods[pay[i]],
                mission=self.missions.draw(self.mission_rng, segment),
            )
            self.flows["visitors"] += 1
            env.process(shopper.visit())
        if last:
            self._arrivals_over = True
            self._maybe_close()

    def _refill(self) -> None:
        """Overnight delivery: every facing filled, the goods booked into the services."""
        added = self.shelves.refill()
        self.client.receive_stock(self.store_id, self._counts(added))

    def _hourly(self) -> Generator[simpy.Event, object, None]:
        while True:
            yield self.env.timeout(HOUR)
            self.datacollector.collect(self)
            if self._progress:
                self._progress(min(self.env.now / self._horizon, 0.999))

    def record_visit(self, s: Shopper) -> None:
        """Book a finished visit into the visit table and the hourly flows."""
        items = sum(s.basket.values())
        converted = s.total_cents > 0
        self.visits.add(
            {
                "visit_id": s.visit_id,
                "day": int(s.arrived // DAY),
                "segment": s.segment.name,
                "arrival_s": s.arrived,
                "departure_s": self.env.now,
                "list_lines": len(s.mission),
                "items": items if converted else 0,
                "lost_units_oos": s.lost_units,
                "lane": s.lane,
                "wait_s": s.wait_s,
                "payment": s.payment.value if converted else None,
                "total_cents": s.total_cents,
                "cost_cents": s.cost_cents,
                "converted": converted,
                "failed": bool(s.basket) and not converted,
            }
        )
        f = self.flows
        f["lost_units_oos"] += s.lost_units
        if converted:
            f["transactions"] += 1
            f["sales_cents"] += s.total_cents
            f["items"] += items
            f["wait_s_total"] += s.wait_s
        self._maybe_close()

    def record_failure(self, s: Shopper, error: Exception) -> None:
        """A checkout the services refused; the visit ends without a sale."""
        self.failures.append(f"visit {s.visit_id}: {error}")

    def _maybe_close(self) -> None:
        done = self._arrivals_over and not self.agents_by_type.get(Shopper)
        if done and not self._closed.triggered:
            self._closed.succeed()


def _flow(name: str) -> Callable[[StoreModel], float]:
    return lambda m: m.flows[name]
