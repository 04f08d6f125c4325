import datetime as dt

import pytest
from sqlalchemy import select

from services.db.models import Member
from services.domain.errors import Conflict, DomainError, NotFound
from services.schemas import (
    CheckoutLine,
    CheckoutRequest,
    CouponIssue,
    CouponKind,
    CouponTemplateCreate,
    FlashSale,
    MemberCreate,
    PayGift,
    PaymentChannel,
    PriceChangeIn,
    PromotionCreate,
    Segment,
    SpendGetCoupon,
    SpendSave,
    VisitGift,
    VisitIn,
)

AT = dt.datetime(2026, 3, 2, 12, 0)
WEEK = dt.timedelta(days=7)


def sale(key, member=None, coupons=(), method=PaymentChannel.card, at=AT, **lines):
    return CheckoutRequest(
        store_id="S1",
        lines=[CheckoutLine(sku=s, qty=q) for s, q in (lines or {"MILK": 2}).items()],
        payment_method=method,
        idempotency_key=key,
        member_id=member,
        coupon_codes=list(coupons),
        at=at,
    )


def promo(rule, quota=None, store="S1", name="promo"):
    return PromotionCreate(
        name=name, rule=rule, starts_at=AT - WEEK, ends_at=AT + WEEK, store_id=store, quota=quota
    )


@pytest.fixture
def member(shop):
    return shop.register_member(
        MemberCreate(
            store_id="S1",
            name="Li Lei",
            phone="13812345678",
            birthday=dt.date(1990, 3, 2),
            tags=["vip"],
        )
    )


def test_phone_and_name_are_encrypted_and_searchable(shop, member, db):
    with db.sessions() as s:
        row = s.scalar(select(Member))
        assert b"13812345678" not in row.phone_enc and b"Li Lei" not in row.name_enc
        assert "13812345678" not in row.phone_hash
    found = shop.find_member("13812345678")
    assert found.id == member.id and found.name == "Li Lei"
    assert found.phone_masked == "138****5678"
    with pytest.raises(Conflict, match="phone"):
        shop.register_member(MemberCreate(store_id="S2", name="X", phone="13812345678"))
    with pytest.raises(NotFound):
        shop.find_member("13800000000")


def test_a_member_of_an_unknown_store_is_not_found_even_with_a_registered_phone(shop, member):
    for phone in ("13700000000", "13812345678"):  # new, and registered at S1
        with pytest.raises(NotFound, match="no store"):
            shop.register_member(MemberCreate(store_id="NOPE", name="X", phone=phone))
    again = shop.register_member(MemberCreate(store_id="S1", name="Han", phone="13700000000"))
    assert again.id > member.id  # the failed inserts left the transaction usable


def test_checkout_applies_promotion_and_coupon_and_earns_points(shop, member):
    shop.create_promotion(promo(SpendSave(threshold_cents=2000, save_cents=300)))
    template = shop.create_coupon_template(
        CouponTemplateCreate(name="5 off", kind=CouponKind.amount, value=500, valid_days=30)
    )
    code = shop.issue_coupons(CouponIssue(template_id=template.id, member_id=member.id, at=AT))[0]
    receipt = shop.checkout(sale("k1", member.id, [code]))
    assert receipt.list_cents == 2580
    assert receipt.discount_cents == 800 and receipt.total_cents == 1780
    assert receipt.promotion == "promo" and receipt.coupon_code == code
    assert receipt.points_earned == 17
    profile = shop.member_profile(member.id)
    assert profile.points == 17 and profile.lifetime_cents == 1780
    assert profile.rfm.frequency == 1
    assert shop.member_coupons(member.id, AT) == []
    with pytest.raises(Conflict, match="already used"):
        shop.checkout(sale("k2", member.id, [code]))
    assert shop.checkout(sale("k1", member.id, [code])) == receipt  # idempotent replay


def test_coupon_of_another_member_or_expired_is_refused(shop, member):
    other = shop.register_member(MemberCreate(store_id="S1", name="Han", phone="13900000000"))
    t = shop.create_coupon_template(
        CouponTemplateCreate(name="1 off", kind=CouponKind.amount, value=100, valid_days=1)
    )
    code = shop.issue_coupons(CouponIssue(template_id=t.id, member_id=member.id, at=AT))[0]
    with pytest.raises(Conflict, match="another member"):
        shop.checkout(sale("a", other.id, [code]))
    with pytest.raises(Conflict, match="expired"):
        shop.checkout(sale("b", member.id, [code], at=AT + dt.timedelta(days=2)))
    with pytest.raises(NotFound, match="NOPE"):
        shop.checkout(sale("c", member.id, ["NOPE"]))
    assert shop.stock_level("S1", "MILK").on_hand == 50


def test_flash_sale_quota_is_never_oversold(shop):
    shop.create_promotion(promo(FlashSale(sku="MILK", price_cents=990), quota=3))
    first = shop.checkout(sale("f1", MILK=2))
    second = shop.checkout(sale("f2", MILK=2))
    third = shop.checkout(sale("f3", MILK=2))
    assert [r.discount_cents for r in (first, second, third)] == [600, 300, 0]


def test_gifts_and_stored_value_and_tiers(shop, member):
    gift = shop.create_coupon_template(
        CouponTemplateCreate(name="gift", kind=CouponKind.percent, value=10, valid_days=7)
    )
    shop.create_promotion(promo(SpendGetCoupon(threshold_cents=1000, template_id=gift.id)))
    shop.create_promotion(promo(PayGift(method=PaymentChannel.stored_value, template_id=gift.id)))
    with pytest.raises(Conflict, match="stored value"):
        shop.checkout(sale("sv0", member.id, method=PaymentChannel.stored_value))
    with pytest.raises(DomainError, match="member_id"):
        shop.checkout(sale("sv1", method=PaymentChannel.stored_value))
    shop.top_up(member.id, 200_000)
    receipt = shop.checkout(sale("sv2", member.id, method=PaymentChannel.stored_value, EGGS=40))
    assert len(receipt.gift_coupons) == 2
    profile = shop.member_profile(member.id)
    assert profile.stored_value_cents == 200_000 - 100_000
    assert profile.tier == "silver" and profile.points == 1000
    points = shop.checkout(sale("pt", member.id, method=PaymentChannel.points, BREAD=1))
    assert shop.member_profile(member.id).points == 1000 - 890 + points.points_earned


def test_a_sale_earns_at_the_tier_the_sale_before_reached(shop, member):
    first = shop.checkout(sale("t1", member.id, EGGS=40))  # 1,000 yuan: silver from now on
    second = shop.checkout(sale("t2", member.id, BREAD=1))
    assert first.points_earned == 1000  # standard: a point a yuan
    assert second.points_earned == int(890 // 100 * 1.2)  # silver's multiplier
    profile = shop.member_profile(member.id)
    assert (profile.tier, profile.points, profile.lifetime_cents) == ("silver", 1009, 100_890)


def test_segments_visit_and_birthday_gifts(shop, member):
    other = shop.register_member(MemberCreate(store_id="S2", name="Han", phone="13900000000"))
    t = shop.create_coupon_template(
        CouponTemplateCreate(name="hi", kind=CouponKind.amount, value=100, valid_days=3)
    )
    assert (
        len(shop.issue_coupons(CouponIssue(template_id=t.id, segment=Segment(tag="vip"), at=AT)))
        == 1
    )
    assert (
        len(
            shop.issue_coupons(
                CouponIssue(template_id=t.id, segment=Segment(rfm_segment="hibernating"), at=AT)
            )
        )
        == 2
    )
    welcome = shop.create_coupon_template(
        CouponTemplateCreate(name="welcome", kind=CouponKind.amount, value=100, valid_days=3)
    )
    shop.create_promotion(promo(VisitGift(template_id=welcome.id), store=None))
    assert len(shop.visit(VisitIn(member_id=other.id, store_id="S1", at=AT))) == 1
    assert shop.visit(VisitIn(member_id=other.id, store_id="S1", at=AT)) == []  # once a day
    assert len(shop.visit(VisitIn(member_id=other.id, store_id="S1", at=AT + WEEK / 7))) == 1
    assert len(shop.member_coupons(other.id, AT)) == 2


def test_birthday_offers_once_a_year(shop, member, db):
    from services.domain import marketing

    t = shop.create_coupon_template(
        CouponTemplateCreate(name="bday", kind=CouponKind.percent, value=20, valid_days=7)
    )
    with db.sessions() as s, s.begin():
        assert len(marketing.birthday_offers(s, t.id, dt.date(2026, 3, 2), AT)) == 1
        assert marketing.birthday_offers(s, t.id, dt.date(2026, 3, 2), AT) == []
        assert marketing.birthday_offers(s, t.id, dt.date(2026, 3, 3), AT) == []


def test_price_changes_take_effect_at_their_time_and_by_group(shop):
    shop.schedule_price(
        PriceChangeIn(sku="MILK", price_cents=1190, effective_at=AT + dt.timedelta(hours=1))
    )
    shop.schedule_price(
        PriceChangeIn(
            sku="MILK",
            price_cents=1090,
            effective_at=AT + dt.timedelta(hours=2),
            price_group="city",
        )
    )
    shop.schedule_price(
        PriceChangeIn(
            sku="MILK",
            price_cents=999,
            effective_at=AT + dt.timedelta(hours=2),
            price_group="rural",
        )
    )
    now = {p.sku: p for p in shop.price_list("S1", AT)}
    assert now["MILK"].price_cents == 1290 and now["MILK"].next_price_cents == 1190
    later = {p.sku: p for p in shop.price_list("S1", AT + dt.timedelta(hours=3))}
    assert later["MILK"].price_cents == 1090  # S1 is in the city group
    assert shop.checkout(sale("p", at=AT + dt.timedelta(hours=3), MILK=1)).total_cents == 1090
    s2 = {p.sku: p for p in shop.price_list("S2", AT + dt.timedelta(hours=3))}
    assert s2["MILK"].price_cents == 1190


def test_campaign_reviews(shop, member, db):
    from services.domain import campaigns

    p = shop.create_promotion(promo(SpendSave(threshold_cents=2000, save_cents=300)))
    shop.checkout(sale("r1", member.id, MILK=2))  # 2580 - 300, promotion applies
    shop.checkout(sale("r2", BREAD=1))  # 890, below the threshold
    t = shop.create_coupon_template(
        CouponTemplateCreate(name="5 off", kind=CouponKind.amount, value=500, valid_days=30)
    )
    other = shop.register_member(MemberCreate(store_id="S1", name="Han", phone="13900000000"))
    code = shop.issue_coupons(CouponIssue(template_id=t.id, member_id=member.id, at=AT))[0]
    shop.checkout(sale("r3", member.id, [code], at=AT + WEEK / 7, JAM=1))  # 1500 - 500
    with db.sessions() as s:
        promo_review = campaigns.review_promotion(s, p.id)
        coupon_review = campaigns.review_template(s, t.id)
    assert (promo_review.reach, promo_review.sales_cents, promo_review.discount_cents) == (
        1,
        2280,
        300,
    )
    assert promo_review.incremental_sales_cents == 2280 - (890 + 1000) // 2
    assert (coupon_review.reach, coupon_review.redemptions, coupon_review.discount_cents) == (
        1,
        1,
        500,
    )
    assert coupon_review.redemption_rate == 1.0
    # the reached member spent 2280 + 1000 from the first issue on; the unreached one nothing
    assert coupon_review.incremental_sales_cents == 2280 + 1000
    assert other.id != member.id
