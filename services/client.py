"""The one way agents and devices reach the store services, with two transports.

``StoreClient`` is the contract. ``InProcessClient`` calls the domain directly
in this process (fast, for what-if runs and pilots); ``HttpClient`` calls a
running ``storetwin serve`` (live mode, load tests). Both raise the same
domain errors (``services.domain.errors``), so a caller handles one set of
exceptions whichever transport it was given.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter
from sqlalchemy.orm import Session
from typing_extensions import override

from services.clock import utcnow
from services.db import Database
from services.db.engine import session_for, transact
from services.domain import (
    campaigns,
    catalog,
    delivery,
    devices,
    inventory,
    marketing,
    members,
    orders,
    payments,
    projects,
    reports,
    stores,
)
from services.domain.errors import from_body
from services.domain.privacy import MemberCipher
from services.schemas import (
    NEXT_OFFSET,
    AckIn,
    AlertPublic,
    BatchPublic,
    CampaignReview,
    CategorySales,
    CheckoutRequest,
    CouponIssue,
    CouponPublic,
    CouponTemplateCreate,
    CouponTemplatePublic,
    CourierCreate,
    CourierPublic,
    Dashboard,
    DaySales,
    DispatchRequest,
    MemberCreate,
    MemberPublic,
    MonthProfit,
    OrderCreate,
    OrderEvent,
    OrderPublic,
    PaymentCreate,
    PaymentPublic,
    PaymentSplit,
    PriceChangeIn,
    ProductIn,
    ProductPublic,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    PromotionCreate,
    PromotionPublic,
    Receipt,
    RefundCreate,
    ReplenishmentCreate,
    ReplenishmentPublic,
    StockAdjustment,
    StockCount,
    StockLevel,
    StoreIn,
    StorePrice,
    StorePublic,
    TagsIn,
    TelemetryAccepted,
    TelemetryIn,
    TopUpIn,
    VisitIn,
)
from services.settings import DEV_HQ_KEY, Settings

T = TypeVar("T")


class StoreClient(Protocol):
    """Operations the twin needs from the store services.

    Domain errors (``services.domain.errors``) are raised as they are, whatever
    the transport, so callers handle one set of exceptions. Times default to
    now where a request has no ``at``.
    """

    # store and product centers
    def register_store(self, store: StoreIn) -> StorePublic:
        """Create or update a store profile."""
        ...

    def list_stores(self) -> list[StorePublic]:
        """Every store of the chain."""
        ...

    def upsert_products(self, products: Sequence[ProductIn]) -> int:
        """Create or update catalogue entries."""
        ...

    def list_products(self, category: str | None = None) -> list[ProductPublic]:
        """The catalogue, ordered by SKU."""
        ...

    def schedule_price(self, change: PriceChangeIn) -> int:
        """Record a price change with its effective time; returns its id."""
        ...

    def price_list(self, store_id: str, at: dt.datetime | None = None) -> list[StorePrice]:
        """Prices in force in a store at ``at`` and the next scheduled change of each."""
        ...

    # inventory center
    def set_stock(self, store_id: str, counts: Sequence[StockCount]) -> int:
        """Record a stock-take for a store."""
        ...

    def receive_stock(self, store_id: str, counts: Sequence[StockCount]) -> None:
        """Book a delivery of goods into a store."""
        ...

    def adjust_stock(self, store_id: str, changes: Sequence[StockAdjustment]) -> list[StockLevel]:
        """Book shrink, damage, expiry or corrections."""
        ...

    def order_goods(self, store_id: str, lines: Sequence[StockCount]) -> ReplenishmentPublic:
        """Raise a replenishment order."""
        ...

    def receive_goods(self, replenishment_id: int) -> ReplenishmentPublic:
        """Book the goods of a replenishment order into stock."""
        ...

    def stock_level(self, store_id: str, sku: str) -> StockLevel:
        """Book stock of one SKU in one store."""
        ...

    def stock_levels(self, store_id: str, below_safety: bool = False) -> list[StockLevel]:
        """Book stock of every SKU of a store (or those below safety stock)."""
        ...

    # order and payment centers
    def checkout(self, request: CheckoutRequest) -> Receipt:
        """Sell with promotions and a coupon, charge, deduct stock, earn points: one transaction."""
        ...

    def create_order(self, order: OrderCreate) -> OrderPublic:
        """Take an online order (pickup or delivery) and reserve its stock."""
        ...

    def get_order(self, order_id: int) -> OrderPublic:
        """One order."""
        ...

    def open_orders(self, store_id: str) -> list[OrderPublic]:
        """A store's online orders not yet fulfilled or cancelled."""
        ...

    def pick_order(self, order_id: int, at: dt.datetime | None = None) -> OrderPublic:
        """Mark a paid online order picked."""
        ...

    def fulfil_order(self, order_id: int, at: dt.datetime | None = None) -> OrderPublic:
        """Hand an online order over; its reserved stock leaves the book."""
        ...

    def cancel_order(self, order_id: int, at: dt.datetime | None = None) -> OrderPublic:
        """Cancel an online order; stock and coupon are released, money returned."""
        ...

    def pay(self, payment: PaymentCreate) -> PaymentPublic:
        """Pay an online order, once per idempotency key."""
        ...

    def refund(self, order_id: int, refund: RefundCreate) -> OrderPublic:
        """Refund a paid order in full, once per idempotency key."""
        ...

    # member and marketing centers
    def register_member(self, member: MemberCreate) -> MemberPublic:
        """Register a member."""
        ...

    def find_member(self, phone: str) -> MemberPublic:
        """The member with this phone number."""
        ...

    def member_profile(self, member_id: int) -> MemberPublic:
        """Tier, points, stored value, tags and RFM segment of a member."""
        ...

    def tag_member(self, member_id: int, tags: Sequence[str]) -> MemberPublic:
        """Add tags to a member."""
        ...

    def top_up(self, member_id: int, amount_cents: int) -> MemberPublic:
        """Load stored value."""
        ...

    def member_coupons(self, member_id: int, at: dt.datetime | None = None) -> list[CouponPublic]:
        """A member's coupons that are valid at ``at``."""
        ...

    def create_coupon_template(self, template: CouponTemplateCreate) -> CouponTemplatePublic:
        """A new coupon template."""
        ...

    def coupon_holders(self, template_id: int, at: dt.datetime | None = None) -> list[int]:
        """Members holding an unused, unexpired coupon of the template."""
        ...

    def issue_coupons(self, issue: CouponIssue) -> list[str]:
        """Issue coupons to a member or a segment; their codes."""
        ...

    def create_promotion(self, promotion: PromotionCreate) -> PromotionPublic:
        """Start a promotion."""
        ...

    def list_promotions(self, store_id: str | None = None) -> list[PromotionPublic]:
        """A store's promotions (its own and the chain's), or every promotion."""
        ...

    def review_promotion(self, promotion_id: int) -> CampaignReview:
        """The marketing center's review of a promotion: reach, sales, incremental sales, ROI."""
        ...

    def visit(self, visit: VisitIn) -> list[str]:
        """A member checks in at a store; codes of visit-gift coupons."""
        ...

    # delivery, devices, data, projects
    def add_courier(self, courier: CourierCreate) -> CourierPublic:
        """Register a courier for a store."""
        ...

    def dispatch(self, store_id: str, request: DispatchRequest) -> list[BatchPublic]:
        """Batch a store's paid delivery orders and hand them to couriers."""
        ...

    def post_telemetry(self, reading: TelemetryIn) -> TelemetryAccepted:
        """Send a device reading; alerts it raised come back."""
        ...

    def alerts(self, store_id: str, kind: str | None = None) -> list[AlertPublic]:
        """A store's open alerts."""
        ...

    def ack_alert(self, alert_id: int, ack: AckIn) -> AlertPublic:
        """Acknowledge an alert."""
        ...

    def dashboard(self, store_id: str | None, start: dt.date, end: dt.date) -> Dashboard:
        """Headline KPIs of a store (or the chain, None) over a date range."""
        ...

    def sales_report(self, store_id: str | None, start: dt.date, end: dt.date) -> list[DaySales]:
        """Orders, sales and discounts per day of a store (or the chain, None)."""
        ...

    def category_report(
        self, store_id: str | None, start: dt.date, end: dt.date
    ) -> list[CategorySales]:
        """Units and sales per category, best-selling first."""
        ...

    def payment_report(
        self, store_id: str | None, start: dt.date, end: dt.date
    ) -> list[PaymentSplit]:
        """Payments per channel."""
        ...

    def profit_report(
        self, store_id: str | None, start: dt.date, end: dt.date
    ) -> list[MonthProfit]:
        """Sales, cost of goods and gross profit per calendar month."""
        ...

    def create_project(self, project: ProjectCreate) -> ProjectPublic:
        """Add a pilot project to the library."""
        ...

    def get_project(self, project_id: int) -> ProjectPublic:
        """One project."""
        ...

    def list_projects(self) -> list[ProjectPublic]:
        """The project library."""
        ...

    def update_project(self, project_id: int, update: ProjectUpdate) -> ProjectPublic:
        """Change a project."""
        ...

    def delete_project(self, project_id: int) -> None:
        """Remove a project."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class InProcessClient(StoreClient):
    """StoreClient that runs the domain in this process, one transaction per call.

    It keeps one database connection open for its lifetime, so it is meant for
    one thread (the twin's); the HTTP service gives each request its own.
    """

    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime] | None = None,
        member_key: str | None = None,
    ):
        self.db = db
        self._conn = db.engine.connect()
        self._session = session_for(self._conn)
        self._now = clock or utcnow
        self._cipher = MemberCipher(member_key or Settings().member_key.get_secret_value())

    def _tx(self, work: Callable[[Session], T]) -> T:
        return transact(self._conn, work, self._session)

    @override
    def register_store(self, store: StoreIn) -> StorePublic:
        return self._tx(lambda s: stores.upsert_store(s, store))

    @override
    def list_stores(self) -> list[StorePublic]:
        return self._tx(stores.list_stores)

    @override
    def upsert_products(self, products: Sequence[ProductIn]) -> int:
        return self._tx(lambda s: catalog.upsert_products(s, products))

    @override
    def list_products(self, category: str | None = None) -> list[ProductPublic]:
        return self._tx(lambda s: catalog.list_products(s, category))

    @override
    def schedule_price(self, change: PriceChangeIn) -> int:
        return self._tx(lambda s: catalog.schedule_price(s, change))

    @override
    def price_list(self, store_id: str, at: dt.datetime | None = None) -> list[StorePrice]:
        return self._tx(lambda s: catalog.price_list(s, store_id, at or self._now()))

    @override
    def set_stock(self, store_id: str, counts: Sequence[StockCount]) -> int:
        return self._tx(lambda s: inventory.set_stock(s, store_id, counts, self._now()))

    @override
    def receive_stock(self, store_id: str, counts: Sequence[StockCount]) -> None:
        self._tx(lambda s: inventory.receive(s, store_id, counts, self._now()))

    @override
    def adjust_stock(self, store_id: str, changes: Sequence[StockAdjustment]) -> list[StockLevel]:
        return self._tx(lambda s: inventory.adjust(s, store_id, changes, self._now()))

    @override
    def order_goods(self, store_id: str, lines: Sequence[StockCount]) -> ReplenishmentPublic:
        return self._tx(lambda s: inventory.order_goods(s, store_id, lines, self._now()))

    @override
    def receive_goods(self, replenishment_id: int) -> ReplenishmentPublic:
        return self._tx(lambda s: inventory.receive_order(s, replenishment_id, self._now()))

    @override
    def stock_level(self, store_id: str, sku: str) -> StockLevel:
        return self._tx(lambda s: inventory.stock_level(s, store_id, sku))

    @override
    def stock_levels(self, store_id: str, below_safety: bool = False) -> list[StockLevel]:
        return self._tx(lambda s: inventory.stock_levels(s, store_id, below_safety))

    @override
    def checkout(self, request: CheckoutRequest) -> Receipt:
        # the clock is read only when the request has no time of its own (the twin's
        # always do): it is the only use the domain makes of ``now`` here, at 1.6 us a read
        return self._tx(lambda s: orders.checkout(s, request, request.at or self._now()))

    @override
    def create_order(self, order: OrderCreate) -> OrderPublic:
        return self._tx(lambda s: orders.create_online(s, order, order.at or self._now()))

    @override
    def get_order(self, order_id: int) -> OrderPublic:
        return self._tx(lambda s: orders.get_order(s, order_id))

    @override
    def open_orders(self, store_id: str) -> list[OrderPublic]:
        return self._tx(lambda s: orders.list_orders(s, store_id, open_only=True, limit=None))

    @override
    def pick_order(self, order_id: int, at: dt.datetime | None = None) -> OrderPublic:
        return self._tx(lambda s: orders.pick(s, order_id, at or self._now()))

    @override
    def fulfil_order(self, order_id: int, at: dt.datetime | None = None) -> OrderPublic:
        return self._tx(lambda s: orders.fulfil(s, order_id, at or self._now()))

    @override
    def cancel_order(self, order_id: int, at: dt.datetime | None = None) -> OrderPublic:
        return self._tx(lambda s: orders.cancel(s, order_id, at or self._now()))

    @override
    def pay(self, payment: PaymentCreate) -> PaymentPublic:
        return self._tx(lambda s: payments.charge(s, payment, payment.at or self._now()))

    @override
    def refund(self, order_id: int, refund: RefundCreate) -> OrderPublic:
        return self._tx(lambda s: orders.refund(s, order_id, refund, self._now()))

    @override
    def register_member(self, member: MemberCreate) -> MemberPublic:
        return self._tx(
            lambda s: members.register(s, self._cipher, member, member.at or self._now())
        )

    @override
    def find_member(self, phone: str) -> MemberPublic:
        return self._tx(lambda s: members.find_by_phone(s, self._cipher, phone, self._now()))

    @override
    def member_profile(self, member_id: int) -> MemberPublic:
        return self._tx(lambda s: members.profile(s, self._cipher, member_id, self._now()))

    @override
    def tag_member(self, member_id: int, tags: Sequence[str]) -> MemberPublic:
        def work(s: Session) -> MemberPublic:
            members.add_tags(s, member_id, tags)
            return members.profile(s, self._cipher, member_id, self._now())

        return self._tx(work)

    @override
    def top_up(self, member_id: int, amount_cents: int) -> MemberPublic:
        def work(s: Session) -> MemberPublic:
            members.top_up(s, member_id, amount_cents, self._now())
            return members.profile(s, self._cipher, member_id, self._now())

        return self._tx(work)

    @override
    def member_coupons(self, member_id: int, at: dt.datetime | None = None) -> list[CouponPublic]:
        return self._tx(lambda s: marketing.member_coupons(s, member_id, at or self._now()))

    @override
    def create_coupon_template(self, template: CouponTemplateCreate) -> CouponTemplatePublic:
        return self._tx(lambda s: marketing.create_template(s, template, self._now()))

    @override
    def coupon_holders(self, template_id: int, at: dt.datetime | None = None) -> list[int]:
        return self._tx(lambda s: marketing.holders(s, template_id, at or self._now()))

    @override
    def issue_coupons(self, issue: CouponIssue) -> list[str]:
        return self._tx(lambda s: marketing.issue(s, issue, self._now()))

    @override
    def create_promotion(self, promotion: PromotionCreate) -> PromotionPublic:
        return self._tx(lambda s: marketing.create_promotion(s, promotion))

    @override
    def list_promotions(self, store_id: str | None = None) -> list[PromotionPublic]:
        return self._tx(lambda s: marketing.list_promotions(s, store_id))

    @override
    def review_promotion(self, promotion_id: int) -> CampaignReview:
        return self._tx(lambda s: campaigns.review_promotion(s, promotion_id))

    @override
    def visit(self, visit: VisitIn) -> list[str]:
        return self._tx(lambda s: marketing.visit(s, visit, self._now()))

    @override
    def add_courier(self, courier: CourierCreate) -> CourierPublic:
        return self._tx(lambda s: delivery.add_courier(s, courier))

    @override
    def dispatch(self, store_id: str, request: DispatchRequest) -> list[BatchPublic]:
        at = request.at or self._now()
        return self._tx(lambda s: delivery.dispatch(s, store_id, request.until, at))

    @override
    def post_telemetry(self, reading: TelemetryIn) -> TelemetryAccepted:
        return self._tx(lambda s: devices.ingest(s, reading))

    @override
    def alerts(self, store_id: str, kind: str | None = None) -> list[AlertPublic]:
        return self._tx(lambda s: devices.alerts(s, store_id, kind=kind))

    @override
    def ack_alert(self, alert_id: int, ack: AckIn) -> AlertPublic:
        return self._tx(lambda s: devices.ack(s, alert_id, ack, self._now()))

    @override
    def dashboard(self, store_id: str | None, start: dt.date, end: dt.date) -> Dashboard:
        return self._tx(lambda s: reports.dashboard(s, store_id, start, end))

    @override
    def sales_report(self, store_id: str | None, start: dt.date, end: dt.date) -> list[DaySales]:
        return self._tx(lambda s: reports.sales_by_day(s, store_id, start, end))

    @override
    def category_report(
        self, store_id: str | None, start: dt.date, end: dt.date
    ) -> list[CategorySales]:
        return self._tx(lambda s: reports.sales_by_category(s, store_id, start, end))

    @override
    def payment_report(
        self, store_id: str | None, start: dt.date, end: dt.date
    ) -> list[PaymentSplit]:
        return self._tx(lambda s: reports.sales_by_payment(s, store_id, start, end))

    @override
    def profit_report(
        self, store_id: str | None, start: dt.date, end: dt.date
    ) -> list[MonthProfit]:
        return self._tx(lambda s: reports.monthly_profit(s, store_id, start, end))

    @override
    def create_project(self, project: ProjectCreate) -> ProjectPublic:
        return self._tx(lambda s: projects.create(s, project, self._now()))

    @override
    def get_project(self, project_id: int) -> ProjectPublic:
        return self._tx(lambda s: projects.get(s, project_id))

    @override
    def list_projects(self) -> list[ProjectPublic]:
        return self._tx(projects.list_all)

    @override
    def update_project(self, project_id: int, update: ProjectUpdate) -> ProjectPublic:
        return self._tx(lambda s: projects.update(s, project_id, update, self._now()))

    @override
    def delete_project(self, project_id: int) -> None:
        self._tx(lambda s: projects.delete(s, project_id))

    @override
    def close(self) -> None:
        self._session.close()
        self._conn.close()
        self.db.dispose()


@cache
def _adapter(tp: Any) -> TypeAdapter:
    return TypeAdapter(tp)


RETRY_STATUS = frozenset({502, 503, 504})


class HttpClient(StoreClient):
    """StoreClient over HTTP against ``storetwin serve``.

    One pooled ``httpx.Client`` (keep-alive connections). A call that could not
    reach the server, or got 502/503/504, is sent again, up to ``retries``
    times with backoff, with the same body: requests that change money or
    stock carry an idempotency key, so a retry cannot charge or sell twice.
    Requests without a key are resent only when the connection was never made.
    Error replies are raised as the domain errors the in-process client raises.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff_s: float = 0.05,
        transport: httpx.BaseTransport | None = None,
        page_size: int = 1000,
    ):
        self.base_url = base_url.rstrip("/")
        self._page_size = page_size
        self._retries = retries
        self._backoff_s = backoff_s
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"X-API-Key": api_key or DEV_HQ_KEY},
            timeout=timeout,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
            transport=transport,
        )

    def _call(
        self,
        method: str,
        path: str,
        out: Any = None,
        body: BaseModel | Sequence[BaseModel] | dict | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """Send one request (retrying as the class says) and parse the reply as ``out``."""
        reply = self._send(method, path, body, params)
        return None if out is None else _adapter(out).validate_python(reply.json())

    def _list(self, path: str, item: Any, params: dict[str, Any] | None = None) -> list:
        """Every row of a list endpoint, page by page (``X-Next-Offset`` says what follows)."""
        rows: list = []
        offset: int | None = 0
        while offset is not None:
            query = {**(params or {}), "limit": self._page_size, "offset": offset}
            reply = self._send("GET", path, None, query)
            rows += _adapter(list[item]).validate_python(reply.json())
            nxt = reply.headers.get(NEXT_OFFSET)
            offset = int(nxt) if nxt else None
        return rows

    def _send(
        self,
        method: str,
        path: str,
        body: BaseModel | Sequence[BaseModel] | dict | None,
        params: dict[str, Any] | None,
    ) -> httpx.Response:
        """One request, retried as the class says; an error reply raised as its domain error."""
        if isinstance(body, BaseModel):
            payload = body.model_dump(mode="json")
        elif isinstance(body, Sequence):
            payload = [b.model_dump(mode="json") for b in body]
        else:
            payload = body
        safe = method in ("GET", "PUT", "DELETE") or (
            isinstance(payload, dict) and "idempotency_key" in payload
        )
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        for attempt in range(self._retries + 1):
            last = attempt == self._retries
            try:
                reply = self._http.request(method, path, json=payload, params=query)
            except httpx.ConnectError:
                if last:
                    raise
            except httpx.TransportError:
                if last or not safe:
                    raise
            else:
                if reply.status_code not in RETRY_STATUS or last or not safe:
                    break
            time.sleep(self._backoff_s * 2**attempt)
        if reply.status_code >= 500:
            reply.raise_for_status()
        if reply.status_code >= 400:
            raise from_body(reply.status_code, reply.json())
        return reply

    @override
    def register_store(self, store: StoreIn) -> StorePublic:
        return self._call("PUT", f"/stores/{store.id}", StorePublic, store)

    @override
    def list_stores(self) -> list[StorePublic]:
        return self._list("/stores", StorePublic)

    @override
    def upsert_products(self, products: Sequence[ProductIn]) -> int:
        return self._call("PUT", "/products", int, list(products))

    @override
    def list_products(self, category: str | None = None) -> list[ProductPublic]:
        return self._list("/products", ProductPublic, {"category": category})

    @override
    def schedule_price(self, change: PriceChangeIn) -> int:
        return self._call("POST", "/products/price-changes", int, change)

    @override
    def price_list(self, store_id: str, at: dt.datetime | None = None) -> list[StorePrice]:
        return self._list(f"/products/prices/{store_id}", StorePrice, {"at": at})

    @override
    def set_stock(self, store_id: str, counts: Sequence[StockCount]) -> int:
        return self._call("PUT", f"/inventory/{store_id}/stock-take", int, list(counts))

    @override
    def receive_stock(self, store_id: str, counts: Sequence[StockCount]) -> None:
        self._call("POST", f"/inventory/{store_id}/receipts", None, list(counts))

    @override
    def adjust_stock(self, store_id: str, changes: Sequence[StockAdjustment]) -> list[StockLevel]:
        return self._call(
            "POST", f"/inventory/{store_id}/adjustments", list[StockLevel], list(changes)
        )

    @override
    def order_goods(self, store_id: str, lines: Sequence[StockCount]) -> ReplenishmentPublic:
        body = ReplenishmentCreate(lines=list(lines))
        return self._call(
            "POST", f"/inventory/{store_id}/replenishments", ReplenishmentPublic, body
        )

    @override
    def receive_goods(self, replenishment_id: int) -> ReplenishmentPublic:
        path = f"/inventory/replenishments/{replenishment_id}/receipt"
        return self._call("POST", path, ReplenishmentPublic)

    @override
    def stock_level(self, store_id: str, sku: str) -> StockLevel:
        return self._call("GET", f"/inventory/{store_id}/{sku}", StockLevel)

    @override
    def stock_levels(self, store_id: str, below_safety: bool = False) -> list[StockLevel]:
        params = {"below_safety": below_safety}
        return self._list(f"/inventory/{store_id}", StockLevel, params)

    @override
    def checkout(self, request: CheckoutRequest) -> Receipt:
        return self._call("POST", "/orders/checkout", Receipt, request)

    @override
    def create_order(self, order: OrderCreate) -> OrderPublic:
        return self._call("POST", "/orders", OrderPublic, order)

    @override
    def get_order(self, order_id: int) -> OrderPublic:
        return self._call("GET", f"/orders/{order_id}", OrderPublic)

    @override
    def open_orders(self, store_id: str) -> list[OrderPublic]:
        params = {"store_id": store_id, "open_only": True}
        return self._list("/orders", OrderPublic, params)

    def _order_event(self, order_id: int, step: str, at: dt.datetime | None) -> OrderPublic:
        return self._call("POST", f"/orders/{order_id}/{step}", OrderPublic, OrderEvent(at=at))

    @override
    def pick_order(self, order_id: int, at: dt.datetime | None = None) -> OrderPublic:
        return self._order_event(order_id, "pick", at)

    @override
    def fulfil_order(self, order_id: int, at: dt.datetime | None = None) -> OrderPublic:
        return self._order_event(order_id, "fulfil", at)

    @override
    def cancel_order(self, order_id: int, at: dt.datetime | None = None) -> OrderPublic:
        return self._order_event(order_id, "cancel", at)

    @override
    def pay(self, payment: PaymentCreate) -> PaymentPublic:
        return self._call("POST", "/payments", PaymentPublic, payment)

    @override
    def refund(self, order_id: int, refund: RefundCreate) -> OrderPublic:
        return self._call("POST", f"/payments/refunds/{order_id}", OrderPublic, refund)

    @override
    def register_member(self, member: MemberCreate) -> MemberPublic:
        return self._call("POST", "/members", MemberPublic, member)

    @override
    def find_member(self, phone: str) -> MemberPublic:
        return self._call("GET", "/members/by-phone", MemberPublic, params={"phone": phone})

    @override
    def member_profile(self, member_id: int) -> MemberPublic:
        return self._call("GET", f"/members/{member_id}", MemberPublic)

    @override
    def tag_member(self, member_id: int, tags: Sequence[str]) -> MemberPublic:
        body = TagsIn(tags=list(tags))
        return self._call("POST", f"/members/{member_id}/tags", MemberPublic, body)

    @override
    def top_up(self, member_id: int, amount_cents: int) -> MemberPublic:
        body = TopUpIn(amount_cents=amount_cents)
        return self._call("POST", f"/members/{member_id}/top-ups", MemberPublic, body)

    @override
    def member_coupons(self, member_id: int, at: dt.datetime | None = None) -> list[CouponPublic]:
        path = f"/members/{member_id}/coupons"
        return self._list(path, CouponPublic, {"at": at})

    @override
    def create_coupon_template(self, template: CouponTemplateCreate) -> CouponTemplatePublic:
        path = "/marketing/coupon-templates"
        return self._call("POST", path, CouponTemplatePublic, template)

    @override
    def coupon_holders(self, template_id: int, at: dt.datetime | None = None) -> list[int]:
        path = f"/marketing/coupon-templates/{template_id}/holders"
        return self._list(path, int, {"at": at})

    @override
    def issue_coupons(self, issue: CouponIssue) -> list[str]:
        return self._call("POST", "/marketing/coupons", list[str], issue)

    @override
    def create_promotion(self, promotion: PromotionCreate) -> PromotionPublic:
        return self._call("POST", "/marketing/promotions", PromotionPublic, promotion)

    @override
    def list_promotions(self, store_id: str | None = None) -> list[PromotionPublic]:
        params = {"store_id": store_id} if store_id is not None else None
        return self._call("GET", "/marketing/promotions", list[PromotionPublic], params=params)

    @override
    def review_promotion(self, promotion_id: int) -> CampaignReview:
        path = f"/marketing/promotions/{promotion_id}/review"
        return self._call("GET", path, CampaignReview)

    @override
    def visit(self, visit: VisitIn) -> list[str]:
        return self._call("POST", "/marketing/visits", list[str], visit)

    @override
    def add_courier(self, courier: CourierCreate) -> CourierPublic:
        return self._call("POST", "/delivery/couriers", CourierPublic, courier)

    @override
    def dispatch(self, store_id: str, request: DispatchRequest) -> list[BatchPublic]:
        return self._call("POST", f"/delivery/{store_id}/dispatch", list[BatchPublic], request)

    @override
    def post_telemetry(self, reading: TelemetryIn) -> TelemetryAccepted:
        return self._call("POST", "/devices/telemetry", TelemetryAccepted, reading)

    @override
    def alerts(self, store_id: str, kind: str | None = None) -> list[AlertPublic]:
        params = {"store_id": store_id, "kind": kind}
        return self._list("/devices/alerts", AlertPublic, params)

    @override
    def ack_alert(self, alert_id: int, ack: AckIn) -> AlertPublic:
        return self._call("POST", f"/devices/alerts/{alert_id}/ack", AlertPublic, ack)

    @override
    def dashboard(self, store_id: str | None, start: dt.date, end: dt.date) -> Dashboard:
        params = {"store_id": store_id, "start": start, "end": end}
        return self._call("GET", "/reports/dashboard", Dashboard, params=params)

    def _report(self, path: str, out: Any, store_id: str | None, start: dt.date, end: dt.date):
        params = {"store_id": store_id, "start": start, "end": end}
        return self._call("GET", f"/reports/{path}", out, params=params)

    @override
    def sales_report(self, store_id: str | None, start: dt.date, end: dt.date) -> list[DaySales]:
        return self._report("sales", list[DaySales], store_id, start, end)

    @override
    def category_report(
        self, store_id: str | None, start: dt.date, end: dt.date
    ) -> list[CategorySales]:
        return self._report("categories", list[CategorySales], store_id, start, end)

    @override
    def payment_report(
        self, store_id: str | None, start: dt.date, end: dt.date
    ) -> list[PaymentSplit]:
        return self._report("payments", list[PaymentSplit], store_id, start, end)

    @override
    def profit_report(
        self, store_id: str | None, start: dt.date, end: dt.date
    ) -> list[MonthProfit]:
        return self._report("profit", list[MonthProfit], store_id, start, end)

    @override
    def create_project(self, project: ProjectCreate) -> ProjectPublic:
        return self._call("POST", "/projects", ProjectPublic, project)

    @override
    def get_project(self, project_id: int) -> ProjectPublic:
        return self._call("GET", f"/projects/{project_id}", ProjectPublic)

    @override
    def list_projects(self) -> list[ProjectPublic]:
        return self._list("/projects", ProjectPublic)

    @override
    def update_project(self, project_id: int, update: ProjectUpdate) -> ProjectPublic:
        body = update.model_dump(mode="json", exclude_unset=True)
        return self._call("PATCH", f"/projects/{project_id}", ProjectPublic, body)

    @override
    def delete_project(self, project_id: int) -> None:
        self._call("DELETE", f"/projects/{project_id}")

    @override
    def close(self) -> None:
        self._http.close()


def _param(value: Any) -> Any:
    """A query parameter as text (dates in ISO form, booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
