"""The marketing desk: runs the scenario's ``marketing:`` promotions and books how shoppers respond.

At the start of each promotion's window the desk creates it in the marketing
center through ``StoreClient``, so the real pricing engine prices every basket
(best promotion per order, gifts on top); the promotion ends by its ``ends_at``.
SKU promotions get a display with extra stock, as a store would set one up.

Visibility (documented in docs/calibration.md, "Promotion responses"): a
shopper reacts only to a promotion they saw. A planner of a promoted item reads
its label at the shelf; others in the aisle notice the label with
``label_notice``; spend and payment promotions hang on a poster at the entrance
(``poster_notice``); a member reads the app's push with ``app_reach``, and
some of those come in for a flash sale or a visit gift (``app_visit``).

Every draw comes from a per-visit generator seeded from the visit's own
generator state (read, never drawn from), and from new named streams, so a
scenario without a ``marketing:`` block draws exactly what it drew before, and
a treated run and its counterfactual see the same shoppers.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import simpy

from agents.mission import Mission
from agents.promotion_response import (
    completes_bundle,
    extra_units,
    filler,
    tops_up,
    trial,
)
from scenarios.demand import hourly_rates
from scenarios.marketing import GIFT_KINDS, Marketing, PromotionSpec
from services.schemas import (
    CouponTemplateCreate,
    PromotionCreate,
    PromotionKind,
    Receipt,
    StockCount,
    VisitIn,
)
from twin.clock import DAY, HOUR

if TYPE_CHECKING:
    from agents.shopper import Shopper
    from twin.model import StoreModel

SKU_KINDS = frozenset({PromotionKind.markdown, PromotionKind.flash_sale, PromotionKind.bundle})
SPEND_KINDS = frozenset(
    {PromotionKind.spend_save, PromotionKind.spend_percent, PromotionKind.spend_get_coupon}
)
LURING_KINDS = frozenset({PromotionKind.flash_sale, PromotionKind.visit_gift})
FILLER_LOOKS = 6
"""Items a shopper topping up looks at before choosing one that closes the gap."""

PROMOTIONS = pa.schema(
    [
        ("store_id", pa.string()),
        ("promotion", pa.string()),
        ("kind", pa.string()),
        ("from_day", pa.int32()),
        ("days", pa.int32()),
        ("exposure", pa.int64()),
        ("lured_visits", pa.int64()),
        ("return_visits", pa.int64()),
        ("window_transactions", pa.int64()),
        ("buyers", pa.int64()),
        ("penetration", pa.float64()),
        ("conversion", pa.float64()),
        ("repeat_purchase_rate", pa.float64()),
        ("extra_units", pa.int64()),
        ("stockpiled_units", pa.int64()),
        ("trial_units", pa.int64()),
        ("bundles_completed", pa.int64()),
        ("top_ups", pa.int64()),
        ("shelf_wait_mean_s", pa.float64()),
        ("review_reach", pa.int64()),
        ("review_redemptions", pa.int64()),
        ("review_redemption_rate", pa.float64()),
        ("review_sales", pa.float64()),
        ("review_discount", pa.float64()),
        ("review_incremental_sales", pa.float64()),
        ("review_roi", pa.float64()),
        ("cost", pa.float64()),
    ]
)
"""Per promotion: the twin's own counts beside the marketing center's review of it."""


@dataclass(eq=False)
class Running:
    """One promotion of the block in this store, and what it did."""

    index: int
    name: str
    spec: PromotionSpec  # type: ignore[valid-type]
    skus: list[int]
    rows: list[int] = field(default_factory=list)
    template_id: int | None = None
    active: bool = False
    exposure: int = 0
    lured: int = 0
    returns: int = 0
    window_tx: int = 0
    buyers: int = 0
    first_buy: dict[int, int] = field(default_factory=dict)
    repeaters: set[int] = field(default_factory=set)
    extra: int = 0
    stocked: int = 0
    trials: int = 0
    bundles: int = 0
    top_ups: int = 0
    shelf_waits: list[float] = field(default_factory=list)

    @property
    def kind(self) -> PromotionKind:
        """The marketing center's kind of this promotion."""
        return PromotionKind(self.spec.kind)


@dataclass(eq=False)
class VisitPromo:
    """What one visit saw of the promotions, and its own generator for its responses."""

    rng: np.random.Generator
    seen: set[int] = field(default_factory=set)
    lured: int | None = None
    checked_in: bool = False


class MarketingDesk:
    """Creates the block's promotions in the services and turns what shoppers see into choices."""

    def __init__(self, model: StoreModel, spec: Marketing):
        self.model = model
        self.spec = spec
        self.response = spec.response
        index = model.catalog.index
        self.promos: list[Running] = []
        for i, (name, p) in enumerate(zip(spec.names(), spec.promotions, strict=True)):
            if p.stores is not None and model.store_id not in p.stores:
                continue
            skus = _rule_skus(p)
            unknown = [s for s in skus if s not in index]
            if unknown:
                raise ValueError(
                    f"marketing.promotions.{i}: SKUs {unknown} are not in this store's catalogue "
                    f"(e.g. {', '.join(model.catalog.skus[:3])})"
                )
            self.promos.append(Running(i, name, p, [index[s] for s in skus]))
        self.by_name = {p.name: p for p in self.promos}
        self.by_template: dict[int, Running] = {}
        self.home: dict[int, dict[str, list[float]]] = {}
        self.category = [p.category for p in model.catalog.products]
        self._lure_for: dict[int, int] = {}
        self._shelves: dict[int, simpy.Resource] = {}
        self._days = 0

    @property
    def gives_coupons(self) -> bool:
        """Whether any promotion hands out coupons (members then show theirs at the till)."""
        return any(p.kind in GIFT_KINDS for p in self.promos)

    # --- the promotions' windows -----------------------------------------------------------

    def start(self, days: int) -> None:
        """Schedule every promotion's windows within the run's ``days``."""
        self._days = days
        for p in self.promos:
            last = min(p.spec.from_day + p.spec.days, days)
            if p.spec.from_day < last:
                self.model.env.process(self._run(p, range(p.spec.from_day, last)))

    def window(self, p: Running, day: int) -> tuple[float, float]:
        """Start and end (run seconds) of a promotion on ``day``."""
        hours = p.spec.hours
        if hours is None:
            return day * DAY, (day + 1) * DAY
        return day * DAY + _clock(hours.start), day * DAY + _clock(hours.end)

    def _run(self, p: Running, days: range) -> Generator[simpy.Event, object, None]:
        m = self.model
        for day in days:
            start, end = self.window(p, day)
            yield m.env.timeout(max(start - m.env.now, 0.0))
            if p.spec.hours is not None or day == days.start:
                self._create(p, start, end if p.spec.hours is not None else days.stop * DAY)
            p.active = True
            setup = day * DAY + m.scenario.replenishment.delivery_s + 1
            yield m.env.timeout(max(setup - m.env.now, 0.0))
            self._display(p, start, end)
            if p.kind in LURING_KINDS:
                self._lure(p, day, start, end)
            yield m.env.timeout(max(end - m.env.now, 0.0))
            p.active = False

    def _create(self, p: Running, start: float, end: float) -> None:
        m, spec = self.model, p.spec
        if p.kind in GIFT_KINDS and p.template_id is None:
            c = spec.coupon
            p.template_id = m.client.create_coupon_template(
                CouponTemplateCreate(
                    name=f"{p.name} gift",
                    kind=c.kind,
                    value=c.value,
                    threshold_cents=c.threshold_cents,
                    valid_days=c.valid_days,
                    store_id=m.store_id,
                )
            ).id
            self.by_template[p.template_id] = p
        cost = round(spec.cost * 100) if not p.rows else 0  # the running cost once
        row = m.client.create_promotion(
            PromotionCreate(
                name=p.name,
                rule=spec.rule(p.template_id),
                starts_at=m.clock_at(start),
                ends_at=m.clock_at(end),
                store_id=m.store_id,
                quota=spec.quota,
                cost_cents=cost,
            )
        )
        p.rows.append(row.id)

    def _display(self, p: Running, start: float, end: float) -> None:
        """A display for the promoted SKUs, filled from extra stock HQ sends for the window."""
        if not p.skus:
            return
        m = self.model
        share = (end - start) / DAY
        push = np.ceil(m.catalog.daily_demand[p.skus] * (1.0 + self.response.max_lift) * share)
        units = np.zeros(len(m.catalog), dtype=np.int64)
        units[p.skus] = push.astype(np.int64)
        codes = m.catalog.skus
        counts = [StockCount(sku=codes[s], qty=int(units[s])) for s in p.skus if units[s]]
        if counts:
            m.client.receive_goods(m.client.order_goods(m.store_id, counts).id)
            m.stock.receive(units)
        factor = m.scenario.promotions.display_factor
        stock = m.stock
        stock.capacity[p.skus] = np.maximum(
            stock.capacity[p.skus], np.ceil(stock.facing[p.skus] * factor).astype(np.int64)
        )
        for s in p.skus:
            stock.refill(s)

    def _lure(self, p: Running, day: int, start: float, end: float) -> None:
        """Members who read the app's push and come in for it, during today's window."""
        m, r = self.model, self.response
        rng = m.streams.generator("promo_lure", p.index, day)
        members = np.flatnonzero(m.customers.member)
        n = int(rng.binomial(len(members), r.app_reach * r.app_visit))
        h = m.scenario.hours
        lo = max(start, day * DAY + h.open_s)
        hi = min(end, day * DAY + h.close_s - 600)
        if n == 0 or hi <= lo:
            return
        come = rng.choice(members, size=n, replace=False)
        if p.kind == PromotionKind.flash_sale:  # a rush at the start: the stock runs out
            rush = min(self.response.rush_min * 60.0, hi - lo)
            times = np.sort(np.minimum(lo + rng.exponential(rush, n), hi))
        else:
            times = np.sort(lo + rng.random(n) * (hi - lo))
        for k, (t, customer) in enumerate(zip(times.tolist(), come.tolist(), strict=True)):
            m.env.process(
                self._come(t, customer, p, m.streams.generator("promo_lured", p.index, day, k))
            )

    def _come(
        self,
        t: float,
        customer: int,
        p: Running | None,
        rng: np.random.Generator,
        back: bool = False,
    ) -> Generator[simpy.Event, object, None]:
        m = self.model
        yield m.env.timeout(max(t - m.env.now, 0.0))
        if p is not None and not back:
            self._lure_for[customer] = p.index
        m._spawn(rng, customer)
        if back and p is not None:
            p.returns += 1

    # --- what a shopper sees and does --------------------------------------------------------

    def arrive(self, shopper: Shopper) -> None:
        """A shopper walks in: what they saw in the app or on the poster; stock at home."""
        m, r = self.model, self.response
        state = shopper.visit_rng.bit_generator.state["state"]["state"]
        vp = VisitPromo(np.random.default_rng([state & (2**64 - 1), state >> 64, 0x50524F4D]))
        shopper.promo = vp
        lured = self._lure_for.pop(shopper.customer, None)
        for p in self.promos:
            if not p.active:
                continue
            if lured == p.index:
                vp.lured = p.index
                p.lured += 1
                self._see(vp, p)
                continue
            app = shopper.member and vp.rng.random() < r.app_reach
            if p.kind in SKU_KINDS:
                if app:
                    self._see(vp, p)
            elif app or vp.rng.random() < r.poster_notice:
                self._see(vp, p)
        for p in self.promos:
            if p.index in vp.seen and p.kind == PromotionKind.visit_gift and shopper.member:
                member_id = m.members.account(shopper.customer)
                m.client.visit(VisitIn(member_id=member_id, store_id=m.store_id, at=m.clock()))
                vp.checked_in = True
        mission = shopper.mission
        if vp.lured is not None:
            p = self.promos_by_index(vp.lured)
            if p is not None and p.skus:
                mission = _with_items(m, mission, p.skus, vp.rng)
        at_home = self.home.get(shopper.customer)
        if at_home:
            mission = self._use_home_stock(mission, at_home)
        shopper.mission = mission

    def promos_by_index(self, index: int) -> Running | None:
        """The running promotion with this index in the block."""
        return next((p for p in self.promos if p.index == index), None)

    def _use_home_stock(self, mission: Mission, at_home: dict[str, list[float]]) -> Mission:
        """Planned items of a category the shopper stocked up on are not bought (the dip).

        Stock at home stands in for the whole category (three bottles of one
        shampoo put off buying any shampoo), since a twin shopper's list has no
        memory of the brands they usually buy.
        """
        today = self.model.env.now / DAY
        intend = mission.intend.copy()
        for i, sku in enumerate(mission.sku.tolist()):
            units = at_home.get(self.category[sku])
            if not units:
                continue
            units[:] = [u for u in units if u > today]
            if units and intend[i]:
                units.pop(0)
                intend[i] = False
        return mission.with_intend(intend)

    def may_queue_at(self, sku: int, wants: bool) -> bool:
        """Whether a shopper could have to queue at this shelf (a flash-sale item, wanted).

        Whatever the sale's hours: a walk is laid down a zone at a time, and it
        stops at such a shelf so the queue (if any) comes when the shopper is there.
        """
        return wants and any(
            p.kind == PromotionKind.flash_sale and sku in p.skus for p in self.promos
        )

    def queue_at_shelf(
        self, shopper: Shopper, sku: int, wants: bool
    ) -> Generator[simpy.Event, object, None]:
        """At a flash-sale item a shopper who wants it waits for a place at the shelf.

        ``response.shelf_slots`` shoppers reach the bin at once, each for a
        pick time; the others queue (the rush after a 秒杀 starts).
        """
        if not wants:
            return
        flash = [p for p in self.promos if p.active and p.kind == PromotionKind.flash_sale]
        p = next((p for p in flash if sku in p.skus), None)
        if p is None:
            return
        m = self.model
        shelf = self._shelves.get(sku)
        if shelf is None:
            shelf = self._shelves[sku] = simpy.Resource(m.env, capacity=self.response.shelf_slots)
        came = m.env.now
        with shelf.request() as turn:
            yield turn
            p.shelf_waits.append(m.env.now - came)
            yield m.env.timeout(m.scenario.shoppers.pick_s_per_item)
        shopper.trajectory.wait_until(m.env.now)

    def passing(self, shopper: Shopper, sku: int, zone: int, first_in_zone: bool) -> None:
        """At a stop: a planner reads the promoted label; a newcomer to the aisle may notice it."""
        vp: VisitPromo | None = shopper.promo
        if vp is None:
            return
        m, r = self.model, self.response
        for p in self.promos:
            if not p.active or not p.skus:
                continue
            if sku in p.skus and sku in shopper.basket:
                self._see(vp, p)
                depth = self._depth(p, sku)
                extra, stocked = extra_units(vp.rng, shopper.basket[sku], depth, r)
                got = self._take(shopper, sku, extra)
                p.extra += got
                if got and stocked:
                    kept = min(stocked, got)
                    until = m.env.now / DAY + r.consume_days
                    home = self.home.setdefault(shopper.customer, {})
                    home.setdefault(self.category[sku], []).extend([until] * kept)
                    p.stocked += kept
                if p.kind == PromotionKind.bundle and completes_bundle(vp.rng, depth, r):
                    self._complete(shopper, p)
            elif first_in_zone:
                for s in p.skus:
                    if int(m.catalog.zone[s]) != zone or s in shopper.basket:
                        continue
                    if p.index not in vp.seen and vp.rng.random() >= r.label_notice:
                        continue
                    self._see(vp, p)
                    base = m.scenario.promotions.impulse_probability
                    if trial(vp.rng, base, self._depth(p, s), r) and self._take(shopper, s, 1):
                        p.trials += 1
                        if p.kind == PromotionKind.bundle:
                            self._complete(shopper, p)

    def before_till(self, shopper: Shopper) -> Generator[simpy.Event, object, None]:
        """A shopper a little below a spend threshold they saw adds items to reach it."""
        vp: VisitPromo | None = shopper.promo
        if vp is None or not shopper.basket:
            return
        m = self.model
        cents = sum(shopper.shown[s] * q for s, q in shopper.basket.items())
        goal, promo = None, None
        for p in self.promos:
            if p.active and p.kind in SPEND_KINDS and p.index in vp.seen:
                t = _next_threshold(p.spec, cents)
                if t is not None and t > cents and (goal is None or t < goal):
                    goal, promo = t, p
        if goal is None or promo is None or not tops_up(vp.rng, cents, goal, self.response):
            return
        promo.top_ups += 1
        cdf = m.missions.cdf
        picks = 0
        while cents < goal and picks < 4:
            looks = np.searchsorted(cdf, vp.rng.random(FILLER_LOOKS), side="right")
            looks = looks[m.stock.shelf[looks] > 0]
            if not looks.size:
                break
            prices = m.labels.shown_cents[looks].astype(np.int64)
            sku = int(looks[filler(prices, goal - cents)])
            if not self._take(shopper, sku, 1):
                break
            cents += int(m.labels.shown_cents[sku])
            picks += 1
        if picks:
            traj = shopper.trajectory
            traj.wait_until(max(traj.end, m.env.now) + picks * m.scenario.shoppers.pick_s_per_item)
            yield m.env.timeout(traj.end - m.env.now)

    def paid(self, shopper: Shopper, receipt: Receipt) -> None:
        """Book a paid basket: which promotion it got, gifts that bring the holder back."""
        vp: VisitPromo | None = shopper.promo
        customer = shopper.customer
        used: set[int] = set()
        if receipt.promotion is not None and receipt.promotion in self.by_name:
            used.add(self.by_name[receipt.promotion].index)
        for code in receipt.gift_coupons:
            template = int(code[1:].split("-", 1)[0])
            p = self.by_template.get(template)
            if p is not None:
                used.add(p.index)
                if vp is not None and vp.rng.random() < self.response.gift_return:
                    self._return_visit(p, customer, vp)
        for p in self.promos:
            if p.active:
                p.window_tx += 1
            if p.kind == PromotionKind.visit_gift and vp is not None and vp.checked_in and p.active:
                used.add(p.index)
            first = p.first_buy.get(customer)
            if first is not None and first != shopper.visit_id:
                p.repeaters.add(customer)
            if p.index in used:
                p.buyers += 1
                p.first_buy.setdefault(customer, shopper.visit_id)

    # --- helpers ---------------------------------------------------------------------------

    def _see(self, vp: VisitPromo, p: Running) -> None:
        if p.index not in vp.seen:
            vp.seen.add(p.index)
            p.exposure += 1

    def _depth(self, p: Running, sku: int) -> float:
        """The discount a shopper reads off the label for ``sku`` (0.2 = 20% off)."""
        m, rule = self.model, p.spec
        price = int(m.pricing.current(sku))
        if price <= 0:
            return 0.0
        if p.kind == PromotionKind.markdown:
            return min(rule.save_cents, price) / price
        if p.kind == PromotionKind.flash_sale:
            return max(price - rule.price_cents, 0) / price
        total = sum(int(m.pricing.current(s)) for s in p.skus)
        return max(total - rule.price_cents, 0) / total if total else 0.0

    def _take(self, shopper: Shopper, sku: int, qty: int) -> int:
        if qty <= 0:
            return 0
        m = self.model
        got = m.stock.take(sku, qty)
        if got < qty:
            m.lost_units[sku] += qty - got
        if got:
            shopper._add(sku, got, int(m.labels.shown_cents[sku]))
        return got

    def _complete(self, shopper: Shopper, p: Running) -> None:
        took = [self._take(shopper, s, 1) for s in p.skus if s not in shopper.basket]
        if took and all(took):
            p.bundles += 1

    def _return_visit(self, p: Running, customer: int, vp: VisitPromo) -> None:
        m = self.model
        valid = p.spec.coupon.valid_days
        day = m.day + int(vp.rng.integers(1, valid + 1))
        if day >= self._days:
            return
        sc = m.scenario
        rates = hourly_rates(sc, (sc.start_date.weekday() + day) % 7)
        hour = int(vp.rng.choice(24, p=rates / rates.sum()))
        h = sc.hours
        t = day * DAY + min(max(hour * HOUR + vp.rng.random() * HOUR, h.open_s), h.close_s - 600)
        rng = np.random.default_rng(int(vp.rng.integers(2**63)))
        m.env.process(self._come(t, customer, p, rng, back=True))

    # --- results ---------------------------------------------------------------------------

    def close(self) -> None:
        """After the run: each promotion's counts and the marketing center's review, as a table."""
        m = self.model
        rows = []
        for p in self.promos:
            costs = [round(p.spec.cost * 100) if i == 0 else 0 for i in range(len(p.rows))]
            review = _review(m, p.rows, costs)
            buyers = len(p.first_buy)
            rows.append(
                {
                    "store_id": m.store_id,
                    "promotion": p.name,
                    "kind": p.kind.value,
                    "from_day": p.spec.from_day,
                    "days": p.spec.days,
                    "exposure": p.exposure,
                    "lured_visits": p.lured,
                    "return_visits": p.returns,
                    "window_transactions": p.window_tx,
                    "buyers": p.buyers,
                    "penetration": _ratio(p.buyers, p.window_tx),
                    "conversion": _ratio(p.buyers, p.exposure),
                    "repeat_purchase_rate": _ratio(len(p.repeaters), buyers),
                    "extra_units": p.extra,
                    "stockpiled_units": p.stocked,
                    "trial_units": p.trials,
                    "bundles_completed": p.bundles,
                    "top_ups": p.top_ups,
                    "shelf_wait_mean_s": round(float(np.mean(p.shelf_waits)), 1)
                    if p.shelf_waits
                    else 0.0,
                    **review,
                    "cost": float(p.spec.cost),
                }
            )
        m.log.table("promotions", PROMOTIONS).extend(
            {name: [r[name] for r in rows] for name in PROMOTIONS.names}
        )


def _rule_skus(p: Any) -> list[str]:
    if p.kind == PromotionKind.flash_sale:
        return [p.sku]
    return list(getattr(p, "skus", []) or [])


def _clock(text: str) -> int:
    hh, mm = text.split(":")
    return int(hh) * 3600 + int(mm) * 60


def _next_threshold(spec: Any, cents: int) -> int | None:
    t = int(spec.threshold_cents)
    if t <= 0:
        return None
    if getattr(spec, "repeat", False):
        return (cents // t + 1) * t
    return t


def _with_items(
    m: StoreModel, mission: Mission, skus: list[int], rng: np.random.Generator
) -> Mission:
    """The mission with ``skus`` added (one unit each, wanted), in route order."""
    have = set(mission.sku.tolist())
    add = [s for s in skus if s not in have]
    if not add:
        intend = mission.intend.copy()
        intend[np.isin(mission.sku, skus)] = True
        return mission.with_intend(intend)
    sku = np.concatenate([mission.sku, np.asarray(add, dtype=np.int64)])
    qty = np.concatenate([mission.qty, np.ones(len(add), dtype=np.int64)])
    intend = np.concatenate([mission.intend, np.ones(len(add), dtype=bool)])
    pick = m.scenario.shoppers.pick_s_per_item
    dwell = np.concatenate([mission.dwell_s, rng.gamma(4.0, pick / 4.0, len(add))])
    key = m.missions.route_key[sku]
    order = np.lexsort((sku, key))
    return Mission(sku[order], qty[order], intend[order], dwell[order])


def _review(m: StoreModel, rows: list[int], costs: list[int]) -> dict[str, Any]:
    """The marketing center's reviews of a promotion's rows (one per window), added up.

    ROI over several rows is the sum of each row's return over the sum of what
    each spent, which is what one review of them all would give.
    """
    reach = redemptions = 0
    sales = discount = incremental = 0
    gain = spent = 0.0
    for row, cost in zip(rows, costs, strict=True):
        r = m.client.review_promotion(row)
        reach += r.reach
        redemptions += r.redemptions
        sales += r.sales_cents
        discount += r.discount_cents
        incremental += r.incremental_sales_cents
        if r.roi is not None:
            row_spent = r.discount_cents + cost
            gain += r.roi * row_spent
            spent += row_spent
    return {
        "review_reach": reach,
        "review_redemptions": redemptions,
        "review_redemption_rate": _ratio(redemptions, reach),
        "review_sales": sales / 100,
        "review_discount": discount / 100,
        "review_incremental_sales": incremental / 100,
        "review_roi": round(gain / spent, 4) if spent else None,
    }


def _ratio(num: float, den: float) -> float:
    return round(num / den, 4) if den else 0.0


__all__ = ["PROMOTIONS", "MarketingDesk"]
