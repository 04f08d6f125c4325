"""A new member's profile, built without validation, is the one validation would have made."""

import datetime as dt

from services.schemas import MemberCreate, MemberPublic


def test_a_registration_replies_with_its_validated_profile(shop):
    at = dt.datetime(2026, 3, 2, 9, 30, 5)
    member = shop.register_member(
        MemberCreate(
            store_id="S1",
            name="Li Lei",
            phone="+8613812345678",
            birthday=dt.date(1990, 5, 17),
            tags=[" vip", "vip", "app "],
            at=at,
        )
    )
    again = MemberPublic.model_validate(member.model_dump())
    assert member == again and member.model_fields_set == again.model_fields_set
    assert member.rfm == again.rfm and type(member.rfm) is type(again.rfm)
    assert [type(v) for v in vars(member).values()] == [type(v) for v in vars(again).values()]
    assert member.tags == ["app", "vip"] and member.registered_at == at
    assert member.phone_masked != "+8613812345678"
