"""The promotion engine: what a basket costs after promotions and a coupon.

Pure Python on rows the caller fetched in one query each, so the checkout hot
path stays a handful of statements whatever promotions run.

Stacking rule (one rule for every channel):

1. **Best promotion per order.** Of the discount promotions in force for the
   store (spend-X-save-Y, spend-X-get-%-off, item markdown, flash sale,
   bundle), the one that takes most off the list total applies; ties go to
   the oldest promotion. A flash sale counts only the units its quota still has.
2. **Plus at most one coupon**, on the amount after the promotion: of the valid
   coupons the customer shows, the one worth most applies (its threshold is
   checked against that amount); the others stay unused with the member.
3. **Gifts on top.** Spend-and-get-coupon and pay gift promotions discount
   nothing; every one whose condition holds on the amount paid (and, for a
   pay gift, the payment channel) gives the member a coupon.

Percentages round down to the cent; a discount never exceeds what it applies to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from services.schemas import (
    Bundle,
    CouponKind,
    FlashSale,
    Markdown,
    PayGift,
    PaymentChannel,
    SpendGetCoupon,
    SpendPercent,
    SpendSave,
    VisitGift,
)

DISCOUNTS = (SpendSave, SpendPercent, Markdown, FlashSale, Bundle)
GIFTS = (SpendGetCoupon, PayGift)


class Line(NamedTuple):
    """A basket line at the store's price.

    A named tuple, not a frozen dataclass: a sale makes one per line, and a
    frozen dataclass sets each field through ``object.__setattr__``.
    """

    sku: str
    qty: int
    unit_price_cents: int


@dataclass(frozen=True, slots=True)
class Offer:
    """A promotion in force: its rule and, if it has a quota, how much is left."""

    id: int
    name: str
    rule: (
        SpendSave
        | SpendPercent
        | Markdown
        | FlashSale
        | Bundle
        | SpendGetCoupon
        | PayGift
        | VisitGift
    )
    remaining: int | None = None


@dataclass(frozen=True, slots=True)
class CouponOffer:
    """A valid coupon the customer showed."""

    id: int
    code: str
    kind: CouponKind
    value: int
    threshold_cents: int


class Pricing(NamedTuple):
    """The outcome of the stacking rule for one basket (a named tuple: one per sale)."""

    list_cents: int
    promotion: Offer | None = None
    promotion_cents: int = 0
    quota_units: int = 0
    coupon: CouponOffer | None = None
    coupon_cents: int = 0
    gifts: tuple[Offer, ...] = ()

    @property
    def discount_cents(self) -> int:
        """Everything taken off the list total."""
        return self.promotion_cents + self.coupon_cents

    @property
    def total_cents(self) -> int:
        """What the customer pays (``list_cents - discount_cents``, without a second call)."""
        return self.list_cents - self.promotion_cents - self.coupon_cents


def promotion_discount(offer: Offer, lines: Sequence[Line], list_cents: int) -> tuple[int, int]:
    """(cents off, quota units used) if ``offer`` alone applied to the basket."""
    rule = offer.rule
    if isinstance(rule, SpendSave):
        if list_cents < rule.threshold_cents:
            return 0, 0
        times = list_cents // rule.threshold_cents if rule.repeat else 1
        return rule.save_cents * times, 0
    if isinstance(rule, SpendPercent):
        if list_cents < rule.threshold_cents:
            return 0, 0
        return list_cents * rule.percent_off // 100, 0
    if isinstance(rule, Markdown):
        skus = set(rule.skus)
        return sum(
            min(rule.save_cents, x.unit_price_cents) * x.qty for x in lines if x.sku in skus
        ), 0
    if isinstance(rule, FlashSale):
        line = next((x for x in lines if x.sku == rule.sku), None)
        if line is None or line.unit_price_cents <= rule.price_cents:
            return 0, 0
        units = line.qty if offer.remaining is None else min(line.qty, offer.remaining)
        return (line.unit_price_cents - rule.price_cents) * units, units
    if isinstance(rule, Bundle):
        by_sku = {x.sku: x for x in lines}
        if not all(s in by_sku for s in rule.skus):
            return 0, 0
        sets = min(by_sku[s].qty for s in rule.skus)
        saving = sum(by_sku[s].unit_price_cents for s in rule.skus) - rule.price_cents
        return max(saving, 0) * sets, 0
    return 0, 0  # gifts take nothing off


def coupon_discount(coupon: CouponOffer, amount_cents: int) -> int:
    """Cents a coupon takes off ``amount_cents`` (0 below its threshold)."""
    if amount_cents <= 0 or amount_cents < coupon.threshold_cents:
        return 0
    if coupon.kind == CouponKind.amount:
        return min(coupon.value, amount_cents)
    return amount_cents * coupon.value // 100


def price(
    lines: Sequence[Line],
    offers: Iterable[Offer],
    coupons: Iterable[CouponOffer] = (),
    method: PaymentChannel | None = None,
    exclude: frozenset[int] = frozenset(),
) -> Pricing:
    """Apply the stacking rule; ``exclude`` drops promotions found used up meanwhile."""
    list_cents = sum(x.qty * x.unit_price_cents for x in lines)
    if not offers and not coupons:  # nothing in force, nothing shown: the list price
        return Pricing(list_cents)  # what the rule gives (no sorting, no gift search)
    best: tuple[int, int, Offer | None] = (0, 0, None)
    gifts = []
    for offer in sorted(offers, key=lambda o: o.id):
        if offer.id in exclude:
            continue
        if isinstance(offer.rule, DISCOUNTS):
            cents, units = promotion_discount(offer, lines, list_cents)
            if cents > best[0]:
                best = (min(cents, list_cents), units, offer)
        elif isinstance(offer.rule, GIFTS):
            gifts.append(offer)
    promo_cents, units, promotion = best
    after = list_cents - promo_cents
    coupon, coupon_cents = None, 0
    for c in sorted(coupons, key=lambda c: c.id):
        cents = coupon_discount(c, after)
        if cents > coupon_cents:
            coupon, coupon_cents = c, cents
    earned = gifts_earned(gifts, after - coupon_cents, method)
    return Pricing(list_cents, promotion, promo_cents, units, coupon, coupon_cents, earned)


def gifts_earned(
    offers: Iterable[Offer], paid_cents: int, method: PaymentChannel | None
) -> tuple[Offer, ...]:
    """The gift promotions (spend-and-get-coupon, pay gift) a payment earns."""
    if not offers:
        return ()
    return tuple(
        o
        for o in sorted(offers, key=lambda o: o.id)
        if (isinstance(o.rule, SpendGetCoupon) and paid_cents >= o.rule.threshold_cents)
        or (
            isinstance(o.rule, PayGift)
            and method == o.rule.method
            and paid_cents >= o.rule.threshold_cents
        )
    )
