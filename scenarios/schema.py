"""The scenario schema: what a store-day twin is made of, validated up front.

Every model is frozen and forbids unknown keys, so a typo in a YAML file is an
error with the field's path instead of a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from scenarios.base import (
    FieldProblem,
    Frozen,
    Id,
    NonNeg,
    Pos,
    Share,
    StoreFormat,
    check_clock,
    clock_seconds,
)
from scenarios.chain import ChainSpec, WhatIf
from scenarios.features import (
    Coupons,
    Devices,
    LossPrevention,
    OnlineOrders,
    SelfCheckout,
    SmartCarts,
)
from scenarios.features import Labels as LabelSpec
from scenarios.interventions import InterventionUse
from scenarios.marketing import Marketing
from scenarios.placement import Placement, check_placement
from scenarios.staffing import Staff
from services.schemas import PaymentMethod

__all__ = ["Frozen", "PaymentMethod", "Scenario", "StoreFormat", "clock_seconds"]


class Hours(Frozen):
    """Opening hours of one day; shoppers arrive only while the store is open."""

    open: str = Field("08:00", description="Opening time, 'HH:MM'.")
    close: str = Field("22:00", description="Closing time, 'HH:MM' ('24:00' for midnight).")

    @field_validator("open", "close", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str:
        return check_clock(value)

    @property
    def open_s(self) -> int:
        """Opening time in seconds after midnight."""
        return clock_seconds(self.open)

    @property
    def close_s(self) -> int:
        """Closing time in seconds after midnight."""
        return clock_seconds(self.close)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.close_s <= self.open_s:
            raise ValueError(f"close {self.close!r} must be after open {self.open!r}")
        return self


class Arrivals(Frozen):
    """Shopper arrivals: a non-homogeneous Poisson process by hour of day."""

    daily_visitors: Pos = Field(description="Expected visitors on a day with weight 1.")
    hourly_profile: list[NonNeg] = Field(
        min_length=24,
        max_length=24,
        description="Relative arrival rate for each hour 0..23; hours outside opening are ignored.",
    )
    weekday_factors: list[NonNeg] = Field(
        default=[1.0] * 7,
        min_length=7,
        max_length=7,
        description="Traffic multiplier for Monday..Sunday.",
    )
    holidays: list[dt.date] = Field(default_factory=list, description="Dates with holiday traffic.")
    holiday_factor: NonNeg = Field(1.3, description="Traffic multiplier on a holiday.")
    traffic_factor: Pos = Field(
        1.0, description="This store's traffic level (set per chain store)."
    )


class Point(Frozen):
    """A position on the floor plan in metres; y grows from the front wall."""

    x: NonNeg
    y: NonNeg


class Zone(Frozen):
    """A rectangle of shelving served by one aisle running front to back."""

    id: Id
    name: str
    categories: list[Id] = Field(min_length=1)
    x: NonNeg
    y: NonNeg
    width: Pos
    depth: Pos


class Tills(Frozen):
    """Where the checkout lanes stand: a row along the front of the store."""

    x: NonNeg = Field(description="x of the first lane.")
    y: NonNeg = Field(description="y of the lane counters.")
    spacing_m: Pos = Field(2.5, description="Distance between neighbouring lanes.")
    queue_spacing_m: Pos = Field(0.9, description="Space each waiting shopper takes in a queue.")


class Checkout(Frozen):
    """How shoppers pay: staffed lanes, their service time model, and the other options."""

    lanes: int = Field(
        ge=1, le=60, description="Staffed lanes built; cashiers decide how many open."
    )
    fixed_s: NonNeg = Field(8.0, description="Greeting, bagging and receipt per transaction.")
    scan_s_per_item: NonNeg = Field(3.0, description="Mean scanning time per item.")
    payment_s: dict[PaymentMethod, Pos] = Field(
        default={PaymentMethod.mobile: 6.0, PaymentMethod.card: 18.0, PaymentMethod.cash: 30.0},
        description="Mean payment time per method (case: mobile payment, about 6 s vs 18 s).",
    )
    time_cv: Share = Field(0.3, description="Coefficient of variation of each time component.")
    queue: Literal["per_lane", "serpentine"] = Field(
        "per_lane",
        description="per_lane: a line at each staffed lane, shoppers join the shortest; "
        "serpentine: one shared line, its head goes to the first free open lane.",
    )
    produce_s_per_item: NonNeg = Field(
        6.0, description="Weighing and code lookup per produce item without an AI scale."
    )
    weighed_categories: list[Id] = Field(
        default=["fruit", "vegetables"], description="Categories weighed at the till."
    )
    self_checkout: SelfCheckout | None = None
    loss_prevention: LossPrevention | None = None
    smart_carts: SmartCarts | None = None

    @field_validator("payment_s")
    @classmethod
    def _all_methods(cls, value: dict[PaymentMethod, float]) -> dict[PaymentMethod, float]:
        missing = [m.value for m in PaymentMethod if m not in value]
        if missing:
            raise ValueError(f"needs a time for every payment method; missing {missing}")
        return value


class Layout(Frozen):
    """The floor plan: entrance, zones with shelves, checkout lanes, exit."""

    width_m: Pos
    depth_m: Pos
    entrance: Point
    exit: Point
    front_aisle_y: NonNeg = Field(description="y of the cross aisle in front of the zones.")
    back_aisle_y: NonNeg = Field(description="y of the cross aisle behind the zones.")
    zones: list[Zone] = Field(min_length=1)
    tills: Tills

    @model_validator(mode="after")
    def _fits(self) -> Self:
        def inside(name: str, p: Point) -> None:
            if p.x > self.width_m or p.y > self.depth_m:
                raise ValueError(
                    f"{name} ({p.x}, {p.y}) lies outside the "
                    f"{self.width_m} x {self.depth_m} m floor"
                )

        inside("entrance", self.entrance)
        inside("exit", self.exit)
        if not self.front_aisle_y < self.back_aisle_y <= self.depth_m:
            raise ValueError("need front_aisle_y < back_aisle_y <= depth_m")
        ids = [z.id for z in self.zones]
        if len(set(ids)) != len(ids):
            raise ValueError(f"zone ids must be unique, got {ids}")
        for z in self.zones:
            if z.x + z.width > self.width_m or z.y + z.depth > self.depth_m:
                raise ValueError(f"zone {z.id!r} reaches outside the floor")
            if z.y < self.front_aisle_y or z.y + z.depth > self.back_aisle_y:
                raise ValueError(
                    f"zone {z.id!r} must lie between the front aisle (y={self.front_aisle_y}) "
                    f"and the back aisle (y={self.back_aisle_y})"
                )
        if self.tills.y > self.front_aisle_y:
            raise ValueError("tills.y must be in front of the front aisle")
        return self

    def fits_lanes(self, lanes: int) -> bool:
        """Whether ``lanes`` tills (plus a self-checkout bay of two) fit across the floor."""
        t = self.tills
        return t.x + (lanes + 1) * t.spacing_m <= self.width_m


class Category(Frozen):
    """A product category; its SKUs are generated deterministically from the catalogue seed."""

    name: Id
    skus: int = Field(ge=1, le=5000)
    median_price: Pos = Field(description="Median shelf price of the category's SKUs.")
    price_spread: NonNeg = Field(0.4, description="Sigma of log price across SKUs.")
    margin: float = Field(gt=0, lt=1, description="Mean gross margin as a share of price.")
    popularity: Pos = Field(1.0, description="Relative chance a shopping-list entry is this one.")


class Catalog(Frozen):
    """The assortment: categories, and how much of each SKU the shelves hold."""

    seed: int = Field(1, ge=0, description="Seed of the assortment; fixed across run seeds.")
    categories: list[Category] = Field(min_length=1)
    shelf_days: Pos = Field(
        1.5, description="Mean shelf capacity in days of expected demand (spread per SKU)."
    )
    capacity_min: int = Field(3, ge=1, description="Smallest shelf capacity of any SKU.")

    @field_validator("categories")
    @classmethod
    def _unique(cls, value: list[Category]) -> list[Category]:
        names = [c.name for c in value]
        if len(set(names)) != len(names):
            raise ValueError(f"category names must be unique, got {names}")
        return value


class Segment(Frozen):
    """A kind of shopping trip: how many items, how often it ends in a purchase."""

    name: Id
    share: Share
    list_mean: Pos = Field(description="Mean number of distinct products on the list.")
    buy_probability: Share = Field(1.0, description="Chance each found item goes in the basket.")
    multi_buy: Share = Field(0.15, description="Chance a line is bought as two units.")


class Shoppers(Frozen):
    """Who comes in, how they move and how they pay."""

    segments: list[Segment] = Field(min_length=1)
    walking_speed_mps: Pos = Field(1.0, description="Mean walking speed in the store.")
    walking_speed_sd: NonNeg = Field(0.15, description="Sd of walking speed across shoppers.")
    walking_speed_min_mps: Pos = Field(0.4, description="Slowest walking speed drawn.")
    walking_speed_max_mps: Pos = Field(2.0, description="Fastest walking speed drawn.")
    pick_s_per_item: Pos = Field(12.0, description="Mean time to find and take one product.")
    payment_mix: dict[PaymentMethod, Share] = Field(
        default={PaymentMethod.mobile: 0.6, PaymentMethod.card: 0.3, PaymentMethod.cash: 0.1}
    )
    balk_queue_mean: Pos = Field(
        7.0, description="Mean queue length a shopper accepts on reaching the tills."
    )
    patience_min_mean: Pos = Field(9.0, description="Mean minutes in a queue before walking out.")
    balking: bool = Field(True, description="Shoppers may refuse a queue they find too long.")
    reneging: bool = Field(True, description="Shoppers may leave a queue they waited too long in.")
    price_sensitivity: NonNeg = Field(
        2.0, description="Chance to skip an item per unit of relative price increase on the label."
    )
    member_share: Share = Field(0.2, description="Share of the customer pool that are members.")
    capture_rate: Share = Field(
        0.01, description="Chance a non-member signs up at a staffed till (case: ~5% captured)."
    )
    customer_pool_factor: Pos = Field(
        10.0, description="Distinct customers per daily visitor; repeat visits come from this pool."
    )

    @model_validator(mode="after")
    def _shares(self) -> Self:
        total = sum(s.share for s in self.segments)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise FieldProblem("segments", None, f"segment shares must sum to 1, got {total:g}")
        lo, hi, mean = (
            self.walking_speed_min_mps,
            self.walking_speed_max_mps,
            self.walking_speed_mps,
        )
        if not lo <= mean <= hi:
            raise FieldProblem(
                "walking_speed_mps",
                mean,
                f"the mean walking_speed_mps {mean:g} must lie between walking_speed_min_mps"
                f" {lo:g} and walking_speed_max_mps {hi:g}",
                others=("walking_speed_min_mps", "walking_speed_max_mps"),
            )
        mix = sum(self.payment_mix.values())
        if not math.isclose(mix, 1.0, abs_tol=1e-6):
            raise FieldProblem("payment_mix", None, f"shares must sum to 1, got {mix:g}")
        return self


class Pricing(Frozen):
    """Price changes HQ pushes to the services each morning (what labels must follow)."""

    changes_per_day: NonNeg = Field(8.0, description="Mean SKUs repriced per day.")
    at: str = Field("06:00", description="When the day's new prices take effect.")
    change_sd: NonNeg = Field(0.08, description="Sd of the log price change.")

    @field_validator("at", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str:
        return check_clock(value)

    @property
    def at_s(self) -> int:
        """When new prices take effect, in seconds after midnight."""
        return clock_seconds(self.at)


class Promotions(Frozen):
    """Promoted SKUs that shoppers may pick on impulse when they pass them."""

    per_zone: int = Field(1, ge=0, description="Promoted SKUs per zone, redrawn each week.")
    impulse_probability: Share = Field(
        0.04, description="Chance a shopper in the zone picks a promoted SKU they did not plan."
    )
    promo_stock_days: NonNeg = Field(
        2.0, description="Extra back-room stock of each promoted SKU, in days of demand."
    )
    display_factor: Pos = Field(
        3.0, description="Shelf capacity of a promoted SKU on its display, times its facing."
    )


class Replenishment(Frozen):
    """Back room, the daily order and the delivery that fills it."""

    backroom_days: NonNeg = Field(1.0, description="Opening back-room stock in days of demand.")
    cover_days: Pos = Field(2.5, description="Order up to this many days of forecast demand.")
    delivery: str = Field("06:00", description="When the overnight order arrives.")
    forecast_days: int = Field(7, ge=1, description="Days of sales the forecast averages.")
    stocktake_every_days: int = Field(7, ge=1, description="Book stock is corrected to a count.")

    @field_validator("delivery", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str:
        return check_clock(value)

    @property
    def delivery_s(self) -> int:
        """When the delivery arrives, in seconds after midnight."""
        return clock_seconds(self.delivery)


class Scenario(Frozen):
    """One store (for now) and everything needed to simulate its days."""

    id: Id
    version: int = Field(1, ge=1)
    name: str
    description: str = ""
    format: StoreFormat
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$", description="ISO 4217 code of all prices.")
    start_date: dt.date = Field(
        dt.date(2026, 3, 2), description="Date of day 0 (a Monday by default)."
    )
    hours: Hours = Hours()
    arrivals: Arrivals
    layout: Layout
    checkout: Checkout
    catalog: Catalog
    shoppers: Shoppers
    staff: Staff = Staff()
    labels: LabelSpec = LabelSpec()
    devices: Devices = Devices()
    pricing: Pricing = Pricing()
    promotions: Promotions = Promotions()
    replenishment: Replenishment = Replenishment()
    coupons: Coupons | None = None
    marketing: Marketing | None = Field(
        None, description="Promotions of the marketing center and shoppers' responses."
    )
    online: OnlineOrders | None = None
    placement: Placement | None = Field(
        None, description="Categories or SKUs moved to other zones, end-caps, eye level, facings."
    )
    interventions: list[InterventionUse] = Field(
        default_factory=list, description="Interventions applied from their start day."
    )
    chain: ChainSpec | None = None
    what_if: WhatIf | None = None

    @field_validator("interventions", mode="before")
    @classmethod
    def _bare_names(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="before")
    @classmethod
    def _chain_of_own_format(cls, data: Any) -> Any:
        """A ``chain:`` block that names no formats is a chain of this scenario's format.

        ``run convenience --param "chain={stores: 4}"`` means four convenience
        stores; ChainSpec's own default (supermarkets) would silently swap them.
        """
        if isinstance(data, dict) and "format" in data:
            chain = data.get("chain")
            if isinstance(chain, dict) and "formats" not in chain:
                data = {**data, "chain": {**chain, "formats": {data["format"]: 1.0}}}
        return data

    @property
    def versioned_id(self) -> str:
        """The library id with its version, e.g. ``supermarket-v1``."""
        return f"{self.id}-v{self.version}"

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        placed: dict[str, str] = {}
        for zone in self.layout.zones:
            for cat in zone.categories:
                if cat in placed:
                    raise ValueError(
                        f"category {cat!r} is in zones {placed[cat]!r} and {zone.id!r}; "
                        "give each category one zone"
                    )
                placed[cat] = zone.id
        names = [c.name for c in self.catalog.categories]
        unplaced = [n for n in names if n not in placed]
        if unplaced:
            raise ValueError(f"categories {unplaced} have no zone; add them to a zone's categories")
        unknown = [c for c in placed if c not in names]
        if unknown:
            raise ValueError(f"zones name categories {unknown} that the catalog does not have")
        if not self.layout.fits_lanes(self.checkout.lanes):
            t, width = self.layout.tills, self.layout.width_m
            most = max(math.floor((width - t.x) / t.spacing_m) - 1, 0)
            raise FieldProblem(
                "checkout.lanes",
                self.checkout.lanes,
                f"{self.checkout.lanes} lanes from x={t.x} every {t.spacing_m} m (plus a "
                f"self-checkout bay) need a floor {t.x + (self.checkout.lanes + 1) * t.spacing_m:g}"
                f" m wide; layout.width_m is {width:g} m: "
                + (f"use at most {most} lanes" if most else "no lane fits; narrow the tills")
                + " or widen layout.width_m",
                others=("layout.width_m", "layout.tills.x", "layout.tills.spacing_m"),
            )
        open_h = range(self.hours.open_s // 3600, math.ceil(self.hours.close_s / 3600))
        if not any(self.arrivals.hourly_profile[h] > 0 for h in open_h):
            raise FieldProblem("arrivals.hourly_profile", None, "is zero in every opening hour")
        check_placement(self)
        return self
