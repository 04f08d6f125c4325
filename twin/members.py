"""Members and targeted coupons (千人千券): the twin's customers as the member center knows them.

The twin knows who a customer is; the member center holds their account,
points, RFM segment and coupons. A member is registered in the services on their
first purchase as a member, and every later purchase carries the member id.
A coupon campaign issues coupons to RFM segments through the marketing center;
holders may come in just to use them (coupon-driven visits) and redeem them at
the till.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from scenarios.features import Coupons
from services.domain.errors import Conflict
from services.schemas import CouponIssue, CouponTemplateCreate, Segment
from twin.clock import DAY
from twin.requests import member_request

if TYPE_CHECKING:
    from twin.model import StoreModel


class Members:
    """Customer -> member account, registered lazily; coupon lookups while a campaign runs."""

    def __init__(self, model: StoreModel, store_number: int):
        self.model = model
        self.store_number = store_number
        self._account: dict[int, int] = {}
        self._customer: dict[int, int] = {}
        self.registered = 0

    def account(self, customer: int) -> int:
        """The member id of a customer who is a member, registering them on first use."""
        found = self._account.get(customer)
        if found is not None:
            return found
        m = self.model
        phone = f"1{self.store_number:03d}{customer:07d}"
        try:
            name = f"Customer {self.store_number}-{customer}"
            member = m.client.register_member(member_request(m.store_id, name, phone, m.clock()))
        except Conflict:  # registered by an earlier run against the same services
            member = m.client.find_member(phone)
        self._account[customer] = member.id
        self._customer[member.id] = customer
        self.registered += 1
        return member.id

    def customer(self, member_id: int) -> int | None:
        """The twin's customer behind a member id (None for members of other stores)."""
        return self._customer.get(member_id)

    def coupons(self, member_id: int) -> list[str]:
        """Codes a member shows at the till: their valid coupons, while a campaign or gift runs."""
        campaign, desk = self.model.campaign, self.model.marketing
        gifts = desk is not None and desk.gives_coupons
        if (campaign is None or not campaign.started) and not gifts:
            return []
        return [c.code for c in self.model.client.member_coupons(member_id, self.model.clock())]


class CouponCampaign:
    """Issues targeted coupons to RFM segments every few days and sends holders to the store."""

    def __init__(self, model: StoreModel, spec: Coupons):
        self.model = model
        self.spec = spec
        self.template_id: int | None = None
        self.issued = 0
        self.started = False

    def run(self, days: int) -> Generator[simpy.Event, object, None]:
        """Issue on ``from_day`` and every ``every_days`` after, before the store opens."""
        m, spec = self.model, self.spec
        for day in range(spec.from_day, days, spec.every_days):
            yield m.env.timeout(max(day * DAY + m.scenario.hours.open_s - 3600 - m.env.now, 0))
            self.started = True
            self._issue(day)

    def _issue(self, day: int) -> None:
        m, spec = self.model, self.spec
        if self.template_id is None:
            self.template_id = m.client.create_coupon_template(
                CouponTemplateCreate(
                    name=f"targeted {spec.value_cents / 100:g} off {spec.threshold_cents / 100:g}",
                    kind="amount",
                    value=spec.value_cents,
                    threshold_cents=spec.threshold_cents,
                    valid_days=spec.valid_days,
                    store_id=m.store_id,
                )
            ).id
        at = m.clock()
        for segment in spec.segments:
            codes = m.client.issue_coupons(
                CouponIssue(
                    template_id=self.template_id,
                    segment=Segment(store_id=m.store_id, rfm_segment=segment),
                    at=at,
                )
            )
            self.issued += len(codes)
        holders = m.client.coupon_holders(self.template_id, at)
        self._send_visits(day, holders)

    def _send_visits(self, day: int, holders: list[int]) -> None:
        """Some holders come in during the coupon's life just to use it."""
        m, spec = self.model, self.spec
        rng = m.streams.generator("coupon_visits", day)
        customers = [c for h in holders if (c := m.members.customer(h)) is not None]
        come = [c for c in customers if rng.random() < spec.response]
        days = rng.integers(0, spec.valid_days, len(come))
        for k, (customer, offset) in enumerate(zip(come, days.tolist(), strict=True)):
            m.extra_visit(day + offset, customer, key=(day, k))
