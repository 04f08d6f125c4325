"""Typed requests and replies shared by the domain, both client transports and the HTTP API.

One schema per use: ``XxxCreate``/``XxxIn`` is what a caller sends, ``XxxPublic`` what
the services answer. Tables never leave ``services.db``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from enum import StrEnum
from numbers import Integral, Real
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from services.clock import iso_text

NEXT_OFFSET = "X-Next-Offset"
"""Reply header of a list endpoint: the offset of the next page (absent on the last page)."""
TIME_MIN = dt.datetime(1970, 1, 1)
TIME_MAX = dt.datetime(2200, 1, 1)  # exclusive: far enough for any plan, safe for date arithmetic
YEARS = r"^(19[7-9][0-9]|2[01][0-9][0-9])-"  # the years from TIME_MIN to TIME_MAX, for OpenAPI
BIRTH_YEARS = r"^(19[0-9][0-9]|2[01][0-9][0-9])-"


def _whole(value: Any) -> Any:
    """A JSON integer (``2.0`` is one, as JSON Schema says), never a string or boolean."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise PydanticCustomError(
            "int_strict", "must be an integer, not {kind}", {"kind": type(value).__name__}
        )
    return int(value) if isinstance(value, Integral) else value


def _number(value: Any) -> Any:
    """A JSON number, never a string or boolean taken for one."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise PydanticCustomError(
            "number_strict", "must be a number, not {kind}", {"kind": type(value).__name__}
        )
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    """Naive UTC, as every table stores times; an aware time is converted, a naive one is UTC.

    The bound applies to the time as written (its year is what ``YEARS`` matches), so
    converting it cannot leave the calendar.
    """
    if not TIME_MIN <= value.replace(tzinfo=None) < TIME_MAX:
        raise PydanticCustomError(
            "datetime_range",
            "must be from {lo} to before {hi}",
            {"lo": f"{TIME_MIN:%Y-%m-%d}", "hi": f"{TIME_MAX:%Y-%m-%d}"},
        )
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_as(kind: type, what: str) -> Callable[[Any], Any]:
    """A check that a value is a ``kind`` or a string in ISO form, never a number taken for one."""

    def check(value: Any) -> Any:
        if isinstance(value, kind) or (isinstance(value, str) and _ISO_DAY.match(value)):
            return value
        raise PydanticCustomError("iso_format", "must be {what}", {"what": what})

    return check


def _iso_utc(value: dt.datetime) -> str:
    """RFC 3339 with the zone: ``2026-03-02T09:30:00Z``.

    ``isoformat()``'s text, made from ``iso_text`` (which the database's rows of
    the same time then reuse): the separator a ``T``, no fraction when it is zero.
    """
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if type(value) is not dt.datetime:
        return value.isoformat() + "Z"
    text = iso_text(value).replace(" ", "T", 1)
    return (text[:-7] if value.microsecond == 0 else text) + "Z"


Int = Annotated[int, BeforeValidator(_whole)]
Number = Annotated[float, BeforeValidator(_number)]
Cents = Annotated[int, Field(ge=0, le=10**12), BeforeValidator(_whole)]
ID_MAX = 2**53 - 1  # the largest id every JSON client reads exactly (JavaScript's safe integer)
Id = Annotated[int, Field(ge=1, le=ID_MAX), BeforeValidator(_whole)]
Units = Annotated[int, Field(ge=0, le=10**9), BeforeValidator(_whole)]
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refused on every database alike
Key = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]
Sku = Annotated[str, Field(min_length=1, max_length=32, pattern=NO_NUL)]
StoreId = Annotated[str, Field(min_length=1, max_length=32, pattern=NO_NUL)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]
Tag = Annotated[str, Field(min_length=1, max_length=40, pattern=NO_NUL)]


def _naive_utc(value: dt.datetime) -> dt.datetime:
    """The same instant as naive UTC (an aware time read back from a reply, say)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


_ON_THE_WIRE = PlainSerializer(_iso_utc, return_type=str, when_used="json")
Instant = Annotated[
    dt.datetime,
    AfterValidator(_naive_utc),
    _ON_THE_WIRE,
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A time the services answer with: naive UTC inside, RFC 3339 with ``Z`` on the wire."""
Timestamp = Annotated[
    dt.datetime,
    AfterValidator(_utc),
    BeforeValidator(_written_as(dt.datetime, "an RFC 3339 date-time (2026-03-02T09:30:00Z)")),
    _ON_THE_WIRE,
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": YEARS}),
]
"""A time a caller sends: converted to UTC (naive means UTC), written from 1970 to 2199."""


def _finite(value: Any) -> Any:
    """Raise unless every number in a JSON value is finite (PostgreSQL refuses NaN)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise PydanticCustomError(
                "finite_number", "numbers must be finite, not {v}", {"v": item}
            )
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_finite)]
"""Free-form JSON a caller sends (telemetry payloads, project figures): finite numbers only."""


def _local(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise PydanticCustomError("time_zone", "a store's local time of day, without a zone", {})
    return value


LocalTime = Annotated[
    dt.time,
    AfterValidator(_local),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "The store's local time of day (HH:MM[:SS]), without a zone.",
        }
    ),
]
Day = Annotated[
    dt.date,
    Field(ge=TIME_MIN.date(), lt=TIME_MAX.date()),
    BeforeValidator(_written_as(dt.date, "a date (2026-03-02)")),
    WithJsonSchema({"type": "string", "format": "date", "pattern": YEARS}),
]
"""A day a caller sends, from 1970 to 2199."""


class Schema(BaseModel):
    """Base of every request and reply: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- shared vocabularies ------------------------------------------------------------------


class PaymentMethod(StrEnum):
    """How a shopper pays at a staffed till (what the twin's scenarios draw from)."""

    mobile = "mobile"
    card = "card"
    cash = "cash"


class PaymentChannel(StrEnum):
    """Every channel the payment center accepts: the till methods plus member balances."""

    mobile = "mobile"
    card = "card"
    cash = "cash"
    stored_value = "stored_value"
    points = "points"


class OrderStatus(StrEnum):
    """Order lifecycle: created -> paid -> (picked) -> fulfilled; cancelled; refunded."""

    created = "created"
    paid = "paid"
    picked = "picked"
    fulfilled = "fulfilled"
    cancelled = "cancelled"
    refunded = "refunded"


class Channel(StrEnum):
    """Where an order comes from and how the goods leave the store."""

    in_store = "in_store"
    pickup = "pickup"
    delivery = "delivery"


class StoreFormat(StrEnum):
    """Store formats of the chain."""

    supermarket = "supermarket"
    convenience = "convenience"
    specialty = "specialty"
    department = "department"


# --- store center -------------------------------------------------------------------------


class StoreStatus(StrEnum):
    """Whether a store trades."""

    open = "open"
    closed = "closed"


class StoreIn(Schema):
    """A store profile to register or update."""

    id: StoreId
    name: str = Field(min_length=1, max_length=200)
    format: StoreFormat
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    region: str = Field("", max_length=80)
    size_m2: Int = Field(0, ge=0, le=10**6)
    opens: LocalTime = dt.time(8)
    closes: LocalTime = dt.time(22)
    status: StoreStatus = StoreStatus.open
    price_group: str | None = Field(None, min_length=1, max_length=40)


class StorePublic(StoreIn):
    """A store profile as the services hold it."""


# --- product center -----------------------------------------------------------------------


class ProductIn(Schema):
    """A catalogue entry to create or update."""

    sku: Sku
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=40)
    brand: str = Field(max_length=80)
    price_cents: Cents
    cost_cents: Cents
    department: str | None = Field(None, max_length=40, description="Defaults to the category.")


class ProductPublic(ProductIn):
    """A catalogue entry as the services hold it."""


class PriceChangeIn(Schema):
    """A new price from ``effective_at`` on, for one price group or (no group) every store."""

    sku: Sku
    price_cents: Cents
    effective_at: Timestamp
    price_group: str | None = Field(None, min_length=1, max_length=40)
    reason: str = Field("", max_length=200)


class StorePrice(Schema):
    """The price a shelf label should show now, and the next scheduled change."""

    sku: str
    list_price_cents: int
    price_cents: int
    next_price_cents: int | None = None
    next_effective_at: Instant | None = None


# --- inventory center ---------------------------------------------------------------------


class StockCount(Schema):
    """A stock-take result or a receipt of goods for one SKU."""

    sku: Sku
    qty: Int = Field(ge=0, le=10**9)
    safety_stock: Units | None = None


class StockLevel(Schema):
    """Book stock of one SKU in one store."""

    store_id: str
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int = 0

    @property
    def available(self) -> int:
        """Units that may still be sold or reserved."""
        return self.on_hand - self.reserved


class AdjustmentReason(StrEnum):
    """Why on-hand changed outside a sale or a receipt."""

    shrink = "shrink"
    damage = "damage"
    expiry = "expiry"
    correction = "correction"


class StockAdjustment(Schema):
    """A change of on-hand found outside a sale (shrink is a negative delta)."""

    sku: Sku
    delta: Int = Field(ge=-(10**9), le=10**9)
    reason: AdjustmentReason

    @model_validator(mode="after")
    def _nonzero(self) -> StockAdjustment:
        if self.delta == 0:
            raise ValueError("delta must not be 0")
        return self


class ReplenishmentCreate(Schema):
    """A purchase order of goods for a store."""

    lines: list[StockCount] = Field(min_length=1, max_length=10000)


class ReplenishmentStatus(StrEnum):
    """A purchase order is open until its goods are received."""

    ordered = "ordered"
    received = "received"


class ReplenishmentPublic(Schema):
    """A purchase order as the services hold it."""

    id: int
    store_id: str
    status: ReplenishmentStatus
    lines: list[StockCount]
    created_at: Instant
    received_at: Instant | None


# --- order center -------------------------------------------------------------------------


class CheckoutLine(Schema):
    """One SKU and quantity at the till."""

    sku: Sku
    qty: Int = Field(gt=0, le=10**6)


MAX_UNITS = 10**6
"""Units one order may hold in all: with prices up to 10**12 cents, a total fits 63 bits."""


def _units(lines: list[CheckoutLine]) -> list[CheckoutLine]:
    if sum(line.qty for line in lines) > MAX_UNITS:
        raise ValueError(f"at most {MAX_UNITS} units in all")
    return lines


Lines = Annotated[list[CheckoutLine], Field(min_length=1, max_length=1000), AfterValidator(_units)]


class CheckoutRequest(Schema):
    """An in-store sale: order, promotions, payment, stock and points in one transaction."""

    store_id: StoreId
    lines: Lines
    payment_method: PaymentChannel
    idempotency_key: Key
    at: Timestamp | None = Field(None, description="Time of sale; now when omitted.")
    member_id: Id | None = None
    coupon_codes: list[Code] = Field(default_factory=list, max_length=20)


class ReceiptLine(Schema):
    """A line as charged."""

    sku: str
    qty: int
    unit_price_cents: int
    unit_cost_cents: int


class Receipt(Schema):
    """What the till prints, plus the cost the store's margin is computed from.

    ``total_cents`` is what was paid: ``list_cents - discount_cents``.
    """

    order_id: int
    store_id: str
    status: OrderStatus
    payment_method: PaymentChannel
    items: int
    total_cents: int
    cost_cents: int
    lines: list[ReceiptLine]
    list_cents: int = 0
    discount_cents: int = 0
    promotion: str | None = None
    coupon_code: str | None = None
    member_id: int | None = None
    points_earned: int = 0
    gift_coupons: list[str] = Field(default_factory=list)


class DeliveryInfo(Schema):
    """When and where a delivery order goes: a time window and a bearing from the store."""

    window_start: Timestamp
    bearing_deg: Number = Field(ge=0, lt=360)
    distance_km: Number = Field(ge=0, le=100)


class OrderCreate(Schema):
    """An online order (pickup or delivery); its stock is reserved until it is fulfilled."""

    store_id: StoreId
    channel: Literal[Channel.pickup, Channel.delivery]
    lines: Lines
    idempotency_key: Key
    member_id: Id | None = None
    coupon_codes: list[Code] = Field(default_factory=list, max_length=20)
    at: Timestamp | None = None
    delivery: DeliveryInfo | None = None

    @model_validator(mode="after")
    def _delivery_needs_address(self) -> OrderCreate:
        if (self.channel == Channel.delivery) != (self.delivery is not None):
            raise ValueError("delivery: required for delivery orders and only for them")
        return self


class OrderPublic(Schema):
    """An order of any channel as the services hold it."""

    id: int
    store_id: str
    channel: Channel
    status: OrderStatus
    member_id: int | None
    items: int
    list_cents: int
    discount_cents: int
    total_cents: int
    cost_cents: int
    created_at: Instant
    lines: list[ReceiptLine]


class OrderEvent(Schema):
    """A step of an online order's lifecycle (pick, fulfil, cancel)."""

    at: Timestamp | None = None


# --- payment center -----------------------------------------------------------------------


class PaymentCreate(Schema):
    """Pay an order's total with one channel; the key makes a retry charge once."""

    order_id: Id
    method: PaymentChannel
    idempotency_key: Key
    at: Timestamp | None = None


class RefundCreate(Schema):
    """Refund an order's payment in full; the key makes a retry refund once."""

    idempotency_key: Key
    at: Timestamp | None = None


class PaymentPublic(Schema):
    """A charge (positive) or refund (negative) as recorded."""

    id: int
    order_id: int
    method: PaymentChannel
    amount_cents: int
    status: str
    created_at: Instant


# --- member center ------------------------------------------------------------------------


class MemberCreate(Schema):
    """A registration at a store's till or app."""

    store_id: StoreId
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(pattern=r"^\+?[0-9]{6,20}$")
    birthday: (
        Annotated[
            dt.date,
            Field(ge=dt.date(1900, 1, 1), lt=TIME_MAX.date()),
            BeforeValidator(_written_as(dt.date, "a date (1990-05-17)")),
            WithJsonSchema({"type": "string", "format": "date", "pattern": BIRTH_YEARS}),
        ]
        | None
    ) = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    at: Timestamp | None = None


class Rfm(Schema):
    """Recency, frequency and monetary value over the last year, scored 1..5, and the segment."""

    recency_days: int | None
    frequency: int
    monetary_cents: int
    r: int
    f: int
    m: int
    segment: str


class MemberPublic(Schema):
    """A member's profile; the phone is shown masked."""

    id: int
    store_id: str
    name: str
    phone_masked: str
    birthday: dt.date | None
    tier: str
    points: int
    stored_value_cents: int
    lifetime_cents: int
    tags: list[str]
    registered_at: Instant
    rfm: Rfm


class TagsIn(Schema):
    """Tags to add to a member."""

    tags: list[Tag] = Field(min_length=1, max_length=50)


class TopUpIn(Schema):
    """Money loaded onto a member's stored-value account."""

    amount_cents: Int = Field(gt=0, le=10**9)
    at: Timestamp | None = None


class Segment(Schema):
    """Members selected for a campaign; every given criterion must hold."""

    store_id: StoreId | None = None
    tier: Tag | None = None
    tag: Tag | None = None
    rfm_segment: Tag | None = None


# --- marketing center ---------------------------------------------------------------------


class PromotionKind(StrEnum):
    """Kinds of promotion the engine evaluates."""

    spend_save = "spend_save"
    spend_percent = "spend_percent"
    markdown = "markdown"
    flash_sale = "flash_sale"
    bundle = "bundle"
    spend_get_coupon = "spend_get_coupon"
    pay_gift = "pay_gift"
    visit_gift = "visit_gift"


def _kind_required(schema: dict[str, Any]) -> None:
    required = schema.setdefault("required", [])
    if "kind" not in required:
        required.insert(0, "kind")


class RuleSchema(Schema):
    """Base of the promotion rules: ``kind`` picks the rule, so a request must send it."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_kind_required)


class SpendSave(RuleSchema):
    """满减: spend at least ``threshold_cents``, save ``save_cents`` (per threshold if repeat)."""

    kind: Literal[PromotionKind.spend_save] = PromotionKind.spend_save
    threshold_cents: Int = Field(gt=0, le=10**9)
    save_cents: Int = Field(gt=0, le=10**9)
    repeat: bool = False

    @model_validator(mode="after")
    def _save_below_threshold(self) -> SpendSave:
        if self.save_cents >= self.threshold_cents:
            raise ValueError("save_cents must be below threshold_cents")
        return self


class SpendPercent(RuleSchema):
    """满折: spend at least ``threshold_cents``, get ``percent_off`` off the order."""

    kind: Literal[PromotionKind.spend_percent] = PromotionKind.spend_percent
    threshold_cents: Int = Field(ge=0, le=10**9)
    percent_off: Int = Field(ge=1, le=90)


class Markdown(RuleSchema):
    """单品直降: ``save_cents`` off each unit of the listed SKUs."""

    kind: Literal[PromotionKind.markdown] = PromotionKind.markdown
    skus: list[Sku] = Field(min_length=1, max_length=1000)
    save_cents: Int = Field(gt=0, le=10**9)


class FlashSale(RuleSchema):
    """秒杀: one SKU at ``price_cents`` within the window, up to the promotion's unit quota."""

    kind: Literal[PromotionKind.flash_sale] = PromotionKind.flash_sale
    sku: Sku
    price_cents: Cents


class Bundle(RuleSchema):
    """Buy one of each listed SKU for ``price_cents`` (as often as the basket allows)."""

    kind: Literal[PromotionKind.bundle] = PromotionKind.bundle
    skus: list[Sku] = Field(min_length=2, max_length=20)
    price_cents: Cents


class SpendGetCoupon(RuleSchema):
    """消费送券: a member who pays at least ``threshold_cents`` gets a coupon of the template."""

    kind: Literal[PromotionKind.spend_get_coupon] = PromotionKind.spend_get_coupon
    threshold_cents: Int = Field(gt=0, le=10**9)
    template_id: Id


class PayGift(RuleSchema):
    """支付有礼: a member who pays with ``method`` gets a coupon of the template."""

    kind: Literal[PromotionKind.pay_gift] = PromotionKind.pay_gift
    method: PaymentChannel
    template_id: Id
    threshold_cents: Int = Field(0, ge=0, le=10**9)


class VisitGift(RuleSchema):
    """进店有礼: a member who checks in at the store gets a coupon (once per day)."""

    kind: Literal[PromotionKind.visit_gift] = PromotionKind.visit_gift
    template_id: Id


Rule = Annotated[
    SpendSave | SpendPercent | Markdown | FlashSale | Bundle | SpendGetCoupon | PayGift | VisitGift,
    Field(discriminator="kind"),
]


class PromotionCreate(Schema):
    """A promotion for one store or the whole chain, valid from ``starts_at`` to ``ends_at``."""

    name: str = Field(min_length=1, max_length=200)
    rule: Rule
    starts_at: Timestamp
    ends_at: Timestamp
    store_id: StoreId | None = None
    quota: Annotated[int, Field(ge=1, le=10**9), BeforeValidator(_whole)] | None = Field(
        None, description="Units (flash sale) or uses."
    )
    cost_cents: Cents = Field(0, description="Running cost of the campaign, for its ROI.")

    @model_validator(mode="after")
    def _window(self) -> PromotionCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class PromotionPublic(PromotionCreate):
    """A promotion as the services hold it, with how much of its quota was used."""

    id: int
    used: int


class CouponKind(StrEnum):
    """What a coupon takes off: an amount in cents or a percentage."""

    amount = "amount"
    percent = "percent"


class CouponTemplateCreate(Schema):
    """A coupon design; coupons are issued from it to members or segments."""

    name: str = Field(min_length=1, max_length=200)
    kind: CouponKind
    value: Int = Field(gt=0, le=10**9, description="Cents off, or percent off (1..90).")
    threshold_cents: Cents = 0
    valid_days: Int = Field(ge=1, le=3650)
    store_id: StoreId | None = None

    @model_validator(mode="after")
    def _percent_range(self) -> CouponTemplateCreate:
        if self.kind == CouponKind.percent and self.value > 90:
            raise ValueError("value: a percent coupon takes at most 90 percent off")
        return self


class CouponTemplatePublic(CouponTemplateCreate):
    """A coupon template as the services hold it."""

    id: int


class CouponIssue(Schema):
    """Issue coupons of a template to one member or to every member of a segment."""

    template_id: Id
    member_id: Id | None = None
    segment: Segment | None = None
    at: Timestamp | None = None

    @model_validator(mode="after")
    def _one_target(self) -> CouponIssue:
        if (self.member_id is None) == (self.segment is None):
            raise ValueError("give exactly one of member_id and segment")
        return self


class CouponPublic(Schema):
    """A coupon a member holds."""

    code: str
    template_id: int
    name: str
    kind: CouponKind
    value: int
    threshold_cents: int
    member_id: int | None
    issued_at: Instant
    expires_at: Instant
    redeemed_at: Instant | None


class VisitIn(Schema):
    """A member checking in at a store (app scan at the door)."""

    member_id: Id
    store_id: StoreId
    at: Timestamp | None = None


class BirthdayOffers(Schema):
    """Give every member whose birthday is ``on`` a coupon of the template."""

    template_id: Id
    on: Day


class CampaignReview(Schema):
    """How a promotion or coupon campaign did (see ``services.domain.campaigns``)."""

    campaign: str
    reach: int
    redemptions: int
    redemption_rate: float
    sales_cents: int
    discount_cents: int
    incremental_sales_cents: int
    roi: float | None


# --- delivery center ----------------------------------------------------------------------


class CourierKind(StrEnum):
    """Own riders are used before third-party couriers."""

    own = "own"
    third_party = "third_party"


class CourierCreate(Schema):
    """A courier serving a store."""

    store_id: StoreId
    name: str = Field(min_length=1, max_length=200)
    kind: CourierKind
    capacity: Int = Field(5, ge=1, le=100, description="Orders per batch.")


class CourierPublic(CourierCreate):
    """A courier as the services hold it."""

    id: int
    active: bool


class DispatchRequest(Schema):
    """Batch a store's paid delivery orders whose window starts before ``until``."""

    until: Timestamp
    at: Timestamp | None = None


class BatchPublic(Schema):
    """Orders of one window and direction handed to one courier."""

    id: int
    store_id: str
    courier_id: int | None
    courier_kind: CourierKind | None
    window_start: Instant
    direction: str
    order_ids: list[int]


# --- data center --------------------------------------------------------------------------


class DaySales(Schema):
    """Sales of one day."""

    date: dt.date
    orders: int
    sales_cents: int
    discount_cents: int


class CategorySales(Schema):
    """Units and sales (after order discounts, shared pro rata) of one category."""

    category: str
    units: int
    sales_cents: int


class PaymentSplit(Schema):
    """Payments of one channel."""

    method: str
    payments: int
    amount_cents: int


class DepartmentRevenue(Schema):
    """Revenue of one department: orders containing it, distinct customers, average spend."""

    department: str
    orders: int
    customers: int
    sales_cents: int
    avg_spend_cents: int


class MonthProfit(Schema):
    """Gross profit of one month: sales after discounts less cost of goods."""

    month: str
    sales_cents: int
    cost_cents: int
    profit_cents: int


class Dashboard(Schema):
    """Headline KPIs of a store or the chain for a date range."""

    store_id: str | None
    sales_cents: int
    orders: int
    customers: int
    avg_basket_cents: int
    member_sales_share: float
    members: int
    open_online_orders: int
    open_alerts: int
    skus_out_of_stock: int
    skus_below_safety: int


# --- device center ------------------------------------------------------------------------


class TelemetryIn(Schema):
    """One device reading; known kinds raise alerts (see ``services.domain.devices``)."""

    device_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(min_length=1, max_length=30)
    store_id: StoreId
    at: Timestamp
    payload: JsonObject = Field(default_factory=dict, max_length=64)


class AlertStatus(StrEnum):
    """An alert is open until a member of staff acknowledges it."""

    open = "open"
    acked = "acked"


class AlertPublic(Schema):
    """Something staff should act on."""

    id: int
    store_id: str
    kind: str
    subject: str
    device_id: str
    message: str
    raised_at: Instant
    status: AlertStatus
    acked_by: str | None
    acked_at: Instant | None


class TelemetryAccepted(Schema):
    """What a reading led to."""

    telemetry_id: int
    alerts: list[AlertPublic]


class AckIn(Schema):
    """Who acknowledges an alert, and when."""

    by: str = Field(min_length=1, max_length=64)
    at: Timestamp | None = None


# --- project library ----------------------------------------------------------------------


class ProjectStatus(StrEnum):
    """The six steps of the pilot method, in order."""

    identified = "identified"
    estimated = "estimated"
    reviewed = "reviewed"
    piloting = "piloting"
    evaluated = "evaluated"
    decided = "decided"


class Decision(StrEnum):
    """What management decides at step six."""

    roll_out = "roll_out"
    stop = "stop"
    next_round = "next_round"


class ProjectCreate(Schema):
    """A pilot project identified from the blueprint."""

    name: str = Field(min_length=1, max_length=200)
    intervention: str = Field(min_length=1, max_length=80)
    estimates: JsonObject = Field(default_factory=dict)
    notes: str = Field("", max_length=2000)


class ProjectUpdate(Schema):
    """Fields to change; omitted ones stay. Status only moves forward."""

    status: ProjectStatus | None = None
    estimates: JsonObject | None = None
    pilot_stores: list[StoreId] | None = Field(None, max_length=10000)
    reference_stores: list[StoreId] | None = Field(None, max_length=10000)
    results: JsonObject | None = None
    decision: Decision | None = None
    notes: str | None = Field(None, max_length=2000)


class ProjectPublic(Schema):
    """A project of the library."""

    id: int
    name: str
    intervention: str
    status: ProjectStatus
    estimates: dict[str, Any]
    pilot_stores: list[str]
    reference_stores: list[str]
    results: dict[str, Any]
    decision: Decision | None
    notes: str
    created_at: Instant
    updated_at: Instant
