"""Staff: the roster and its cost, cashiers opening lanes, restockers refilling shelves.

Cashiers decide how many lanes are open from the queue their sensor reports
(a counter over the tills, a camera, or the truth in oracle mode); restockers
walk patrol rounds and, where shelves can raise alerts, answer those first.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Protocol

import mesa
import simpy

from scenarios.base import clock_seconds
from scenarios.staffing import Role, Shift
from services.schemas import AckIn, AlertPublic
from twin.checkout import open_lanes
from twin.clock import DAY, day_of, time_of_day
from twin.online import Picker
from twin.trajectory import Trajectory

SHELF_ALERTS = ("low_stock", "out_of_stock")

if TYPE_CHECKING:
    from twin.model import StoreModel


class QueueSensor(Protocol):
    """Anything that tells how many shoppers wait at the open staffed lanes."""

    def waiting(self) -> float | None:
        """Shoppers at open lanes (None when the sensor sees nothing)."""
        ...


class TrueQueue:
    """Oracle mode: the true number of shoppers at open lanes."""

    def __init__(self, model: StoreModel):
        self.model = model

    def waiting(self) -> float | None:
        """Shoppers at open lanes, exactly."""
        return float(self.model.at_open_lanes())


class FirstSeeing:
    """Queue sensors in order of preference: the first one that sees something answers."""

    def __init__(self, sensors: list[QueueSensor]):
        self.sensors = sensors

    def waiting(self) -> float | None:
        """The first sensor's reading that is not None, or None if all are blind."""
        for sensor in self.sensors:
            seen = sensor.waiting()
            if seen is not None:
                return seen
        return None


class Team:
    """The roster of one store: who is on duty, what it costs, and the staff processes."""

    def __init__(self, model: StoreModel):
        self.model = model
        self.spec = model.scenario.staff
        self.shifts = list(self.spec.shifts)
        # (role, count, from_day, until_day, start_s, end_s) of each shift: ``on_duty`` runs
        # every few minutes of a day, and the roster's models parse clock times on each read.
        self._roster = [
            (s.role, s.count, s.from_day, s.until_day, clock_seconds(s.start), clock_seconds(s.end))
            for s in self.shifts
        ]
        self.off_till_s: dict[int, float] = {}
        """Seconds per day that rostered cashiers spent away from a till (summed over cashiers)."""

    def on_duty(self, role: Role, t: float) -> int:
        """People of ``role`` working at second ``t`` of the run (as ``Staff.on_shift``)."""
        day, now = day_of(t), time_of_day(t)
        return sum(
            count
            for who, count, first, until, start, end in self._roster
            if who is role
            and first <= day
            and (until is None or day < until)
            and start <= now < end
        )

    def hours(self, day: int) -> dict[Role, float]:
        """Paid hours per role on ``day``.

        The roster's hours, less the share ``off_till_value`` of the cashiers'
        time away from a till: what opening a lane costs and closing one saves.
        """
        out = dict.fromkeys(Role, 0.0)
        for s in self.shifts:
            if s.on(day):
                out[s.role] += s.count * s.hours
        out[Role.cashier] -= self.spec.cashiers.off_till_value * self.off_till_hours(day)
        return out

    def off_till_hours(self, day: int) -> float:
        """Hours rostered cashiers spent away from a till on ``day`` (idle or other work)."""
        return self.off_till_s.get(day, 0.0) / 3600

    def cost(self, day: int) -> dict[Role, float]:
        """Labour cost per role on ``day``."""
        return {r: h * self.spec.wages[r] for r, h in self.hours(day).items()}

    def after_working_time(self, t: float, seconds: float, role: Role = Role.associate) -> float:
        """When ``seconds`` of working time of ``role`` (anyone on duty) have passed after ``t``.

        With nobody of that role rostered, the store's opening hours stand in.
        """
        windows = self._windows(role)
        left, now = seconds, t
        for _ in range(400):  # days of look-ahead; a missing roster is caught below
            day, tod = day_of(now), time_of_day(now)
            for start, end in windows(day):
                if tod >= end:
                    continue
                begin = max(tod, start)
                if begin + left <= end:
                    return day * DAY + begin + left
                left -= end - begin
                tod = end
            now = (day + 1) * DAY
        raise RuntimeError("no working time found in 400 days")

    def _windows(self, role: Role):
        def windows(day: int) -> list[tuple[float, float]]:
            spans = sorted(
                (clock_seconds(s.start), clock_seconds(s.end))
                for s in self.shifts
                if s.role is role and s.on(day)
            )
            if not spans:
                hours = self.model.scenario.hours
                return [(hours.open_s, hours.close_s)]
            merged = [list(spans[0])]
            for a, b in spans[1:]:
                if a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            return [(a, b) for a, b in merged]

        return windows

    def start(self, days: int) -> None:
        """Start the cashier desk and one process per restocker shift and day."""
        m = self.model
        m.env.process(CashierDesk(m, self).run())
        for day in range(days):
            for s in self.shifts:
                if not s.on(day):
                    continue
                for k in range(s.count):
                    if s.role is Role.restocker:
                        Restocker(m, day, s, k).start()
                    elif s.role is Role.picker and m.online is not None:
                        Picker(m, day, s).start()


class CashierDesk:
    """Opens and closes staffed lanes within the cashiers on duty, by the observed queue."""

    def __init__(self, model: StoreModel, team: Team):
        self.model = model
        self.team = team
        self.policy = model.scenario.staff.cashiers
        self.sensor: QueueSensor = model.queue_sensor()
        self._since = 0.0
        self._off_till = 0

    def run(self) -> Generator[simpy.Event, object, None]:
        """The desk's loop, for the whole run."""
        env = self.model.env
        while True:
            self.book_off_till()
            self.decide()
            on_duty = self.team.on_duty(Role.cashier, env.now)
            self._off_till = max(on_duty - len(open_lanes(self.model.lanes)), 0)
            yield env.timeout(self.policy.check_every_s)

    def book_off_till(self) -> None:
        """Add the cashiers' off-till time since the last decision to its day."""
        now = self.model.env.now
        if now > self._since and self._off_till:
            day = day_of(self._since)
            book = self.team.off_till_s
            book[day] = book.get(day, 0.0) + self._off_till * (now - self._since)
        self._since = now

    def decide(self) -> None:
        """Set the number of open lanes for now."""
        m, p = self.model, self.policy
        lanes = m.lanes
        cap = min(self.team.on_duty(Role.cashier, m.env.now), len(lanes))
        if m.store_open or m.shoppers_inside:
            cap = max(cap, p.min_open)  # the last cashiers stay until the floor is empty
        open_now = len(open_lanes(lanes))
        if p.mode == "fixed":
            target = cap
        else:
            seen = self.sensor.waiting() if p.mode == "observed" else TrueQueue(m).waiting()
            if seen is None:
                target = cap  # blind: open every lane the roster allows
            else:
                per_lane = seen / max(open_now, 1)
                target = open_now
                if per_lane > p.open_above:
                    target += 1
                elif per_lane < p.close_below:
                    target -= 1
                target = max(target, p.min_open)
        target = min(target, cap)
        for i, lane in enumerate(lanes):
            lane.open = i < target


class Restocker(mesa.Agent):
    """One restocker's shift: patrol rounds refilling low facings, alerts answered first."""

    model: StoreModel

    def __init__(self, model: StoreModel, day: int, shift: Shift, k: int):
        super().__init__(model)
        self.day, self.shift, self.k = day, shift, k
        self.speed = 1.0
        self.trajectory = Trajectory(day * DAY + clock_seconds(shift.start), model.plan.entrance)
        self.refilled = 0

    def start(self) -> None:
        """Schedule the shift."""
        self.model.env.process(self.work())

    def work(self) -> Generator[simpy.Event, object, None]:
        """Patrol every ``patrol_every_min``; between rounds, answer shelf alerts."""
        m, env = self.model, self.model.env
        start = self.day * DAY + clock_seconds(self.shift.start)
        end = self.day * DAY + clock_seconds(self.shift.end)
        yield env.timeout(max(start - env.now, 0.0))
        policy = m.scenario.staff.restock
        next_round = env.now + self.k * policy.patrol_every_min * 60 / max(self.shift.count, 1)
        while env.now < end:
            if env.now >= next_round:
                yield from self._patrol(end)
                next_round = env.now + policy.patrol_every_min * 60
                continue
            alert = self._next_alert() if policy.mode == "alerts" else None
            if alert is not None:
                yield from self._answer(alert)
                continue
            step = policy.alert_poll_s if policy.mode == "alerts" else next_round - env.now
            yield env.timeout(max(min(step, next_round - env.now, end - env.now), 1.0))

    def _next_alert(self) -> AlertPublic | None:
        """The oldest open shelf alert nobody has taken yet (from the device center)."""
        m = self.model
        for alert in m.client.alerts(m.store_id):
            if alert.kind in SHELF_ALERTS and alert.id not in m.claimed_alerts:
                m.claimed_alerts.add(alert.id)
                return alert
        return None

    def _answer(self, alert: AlertPublic) -> Generator[simpy.Event, object, None]:
        m = self.model
        sku = m.catalog.index[alert.subject]
        yield from self._refill(sku)
        m.client.ack_alert(alert.id, AckIn(by=f"restocker-{self.unique_id}", at=m.clock()))

    def _patrol(self, end: float) -> Generator[simpy.Event, object, None]:
        m, env = self.model, self.model.env
        share = m.scenario.staff.restock.refill_below
        for zone, point in m.plan.patrol():
            if env.now >= end:
                return
            there = self.trajectory.walk(
                env.now, m.plan.route(self.trajectory.here, point), self.speed
            )
            yield env.timeout(there - env.now)
            for sku in m.stock.below(share).tolist():
                if m.catalog.zone[sku] == zone:
                    yield from self._fill(sku)

    def _refill(self, sku: int) -> Generator[simpy.Event, object, None]:
        m, env = self.model, self.model.env
        target = (m.plan.aisle_x(int(m.catalog.zone[sku])), float(m.catalog.shelf_y[sku]))
        there = self.trajectory.walk(
            env.now, m.plan.route(self.trajectory.here, target), self.speed
        )
        yield env.timeout(there - env.now)
        yield from self._fill(sku)

    def _fill(self, sku: int) -> Generator[simpy.Event, object, None]:
        m, env = self.model, self.model.env
        if m.stock.shelf[sku] >= m.stock.capacity[sku] or m.stock.backroom[sku] == 0:
            return
        yield env.timeout(m.scenario.staff.restock.s_per_facing)
        self.refilled += m.stock.refill(sku)
