import pytest

from services.domain.pricing import CouponOffer, Line, Offer, Pricing, gifts_earned, price
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
)

BASKET = [Line("MILK", 2, 1290), Line("BREAD", 1, 890), Line("JAM", 1, 1500)]  # 4970


def offer(i, rule, remaining=None):
    return Offer(i, f"p{i}", rule, remaining)


def test_list_total_without_promotions():
    p = price(BASKET, [])
    assert (p.list_cents, p.discount_cents, p.total_cents) == (4970, 0, 4970)


@pytest.mark.parametrize(
    ("rule", "off"),
    [
        (SpendSave(threshold_cents=3000, save_cents=500), 500),
        (SpendSave(threshold_cents=2000, save_cents=300, repeat=True), 600),
        (SpendSave(threshold_cents=6000, save_cents=500), 0),
        (SpendPercent(threshold_cents=4000, percent_off=10), 497),
        (Markdown(skus=["MILK"], save_cents=200), 400),
        (FlashSale(sku="MILK", price_cents=990), 600),
        (Bundle(skus=["BREAD", "JAM"], price_cents=1990), 400),
        (Bundle(skus=["BREAD", "EGGS"], price_cents=100), 0),
    ],
)
def test_each_discount_kind(rule, off):
    assert price(BASKET, [offer(1, rule)]).discount_cents == off


def test_flash_sale_counts_only_the_units_its_quota_has_left():
    p = price(BASKET, [offer(1, FlashSale(sku="MILK", price_cents=990), remaining=1)])
    assert (p.promotion_cents, p.quota_units) == (300, 1)


def test_best_promotion_wins_and_promotions_do_not_stack():
    offers = [
        offer(1, SpendSave(threshold_cents=3000, save_cents=500)),
        offer(2, SpendPercent(threshold_cents=0, percent_off=15)),  # 745
        offer(3, Markdown(skus=["MILK"], save_cents=100)),
    ]
    p = price(BASKET, offers)
    assert p.promotion.id == 2 and p.discount_cents == 745


def test_ties_go_to_the_oldest_promotion():
    offers = [
        offer(7, Markdown(skus=["JAM"], save_cents=500)),
        offer(3, Markdown(skus=["MILK"], save_cents=250)),
    ]
    assert price(BASKET, offers).promotion.id == 3


def test_one_coupon_on_the_amount_after_the_promotion():
    offers = [offer(1, SpendSave(threshold_cents=3000, save_cents=1000))]  # 3970 after
    coupons = [
        CouponOffer(1, "A", CouponKind.amount, 500, 4000),  # threshold not met after promotion
        CouponOffer(2, "B", CouponKind.percent, 10, 0),  # 397
        CouponOffer(3, "C", CouponKind.amount, 300, 0),
    ]
    p = price(BASKET, offers, coupons)
    assert p.coupon.code == "B" and p.coupon_cents == 397
    assert p.total_cents == 4970 - 1000 - 397


def test_discount_never_exceeds_the_amount():
    coupons = [CouponOffer(1, "BIG", CouponKind.amount, 10**6, 0)]
    p = price([Line("X", 1, 100)], [offer(1, Markdown(skus=["X"], save_cents=10**6))], coupons)
    assert p.total_cents == 0 and p.promotion_cents == 100 and p.coupon_cents == 0


def test_gifts_follow_the_amount_paid_and_the_channel():
    gifts = [
        offer(1, SpendGetCoupon(threshold_cents=4000, template_id=1)),
        offer(2, SpendGetCoupon(threshold_cents=6000, template_id=2)),
        offer(3, PayGift(method=PaymentChannel.mobile, template_id=3)),
    ]
    assert [g.id for g in price(BASKET, gifts, method=PaymentChannel.mobile).gifts] == [1, 3]
    assert [g.id for g in price(BASKET, gifts, method=PaymentChannel.cash).gifts] == [1]
    with_discount = [*gifts, offer(4, SpendPercent(threshold_cents=0, percent_off=30))]
    assert [g.id for g in price(BASKET, with_discount, method=PaymentChannel.cash).gifts] == []


def test_excluded_promotions_are_skipped():
    offers = [
        offer(1, SpendSave(threshold_cents=100, save_cents=50)),
        offer(2, SpendSave(threshold_cents=100, save_cents=90)),
    ]
    assert price(BASKET, offers, exclude=frozenset({2})).promotion.id == 1


def test_a_basket_with_nothing_in_force_prices_as_the_full_rule_does():
    lines = [Line("A", 2, 100), Line("B", 1, 250), Line("A2", 3, 85)]
    quick = price(lines, [], [])
    assert quick == Pricing(705)
    assert quick == price(lines, iter([]), iter([]))  # iterators take the whole rule
    assert gifts_earned([], 705, None) == gifts_earned(iter([]), 705, None) == ()
