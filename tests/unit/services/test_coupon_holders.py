import datetime as dt

from services.schemas import CouponIssue, CouponTemplateCreate, MemberCreate, StoreIn

AT = dt.datetime(2026, 3, 2, 9)


def test_holders_are_the_members_with_a_valid_unused_coupon(client):
    client.register_store(StoreIn(id="S1", name="One", format="supermarket"))
    a = client.register_member(MemberCreate(store_id="S1", name="A", phone="13800000001", at=AT))
    b = client.register_member(MemberCreate(store_id="S1", name="B", phone="13800000002", at=AT))
    t = client.create_coupon_template(
        CouponTemplateCreate(name="10 off", kind="amount", value=1000, valid_days=7, store_id="S1")
    )
    client.issue_coupons(CouponIssue(template_id=t.id, member_id=b.id, at=AT))
    assert client.coupon_holders(t.id, AT + dt.timedelta(days=1)) == [b.id]
    assert client.coupon_holders(t.id, AT + dt.timedelta(days=8)) == []
    assert a.id not in client.coupon_holders(t.id, AT)
