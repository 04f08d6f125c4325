"""Member center over HTTP: registration, profiles, tags, stored value, coupons held."""

import datetime as dt

from fastapi import APIRouter, Query

from services.api.deps import AccessDep, AtQuery, CipherDep, IdPath, NowDep, SessionDep, StoreQuery
from services.api.paging import PageDep
from services.domain import marketing, members
from services.schemas import CouponPublic, MemberCreate, MemberPublic, TagsIn, TopUpIn

router = APIRouter(prefix="/members", tags=["members"])


@router.post("", status_code=201)
def register(
    req: MemberCreate, s: SessionDep, a: AccessDep, c: CipherDep, now: NowDep
) -> MemberPublic:
    """Register a member at a store (name and phone are stored encrypted)."""
    a.store(req.store_id)
    return members.register(s, c, req, now)


@router.get("")
def list_members(
    store_id: StoreQuery, s: SessionDep, a: AccessDep, c: CipherDep, now: NowDep, page: PageDep
) -> list[MemberPublic]:
    """Members registered at a store, by id."""
    a.store(store_id)
    return page.done(members.list_members(s, c, store_id, now, page.rows, page.offset))


@router.get("/by-phone")
def find_by_phone(
    s: SessionDep,
    a: AccessDep,
    c: CipherDep,
    now: NowDep,
    phone: str = Query(pattern=r"^\+?[0-9]{6,20}$"),
) -> MemberPublic:
    """The member with this phone number."""
    found = members.find_by_phone(s, c, phone, now)
    a.member(found.id, found.store_id)
    return found


def _own(s, a, c, member_id: int, now: dt.datetime) -> MemberPublic:
    profile = members.profile(s, c, member_id, now)
    a.member(member_id, profile.store_id)
    return profile


@router.get("/{member_id}")
def profile(
    member_id: IdPath, s: SessionDep, a: AccessDep, c: CipherDep, now: NowDep
) -> MemberPublic:
    """Tier, points, stored value, tags and RFM segment."""
    return _own(s, a, c, member_id, now)


@router.post("/{member_id}/tags")
def tag(
    member_id: IdPath, req: TagsIn, s: SessionDep, a: AccessDep, c: CipherDep, now: NowDep
) -> MemberPublic:
    """Add tags (store staff)."""
    a.store(members.require_member(s, member_id).store_id)
    members.add_tags(s, member_id, req.tags)
    return members.profile(s, c, member_id, now)


@router.post("/{member_id}/top-ups")
def top_up(
    member_id: IdPath, req: TopUpIn, s: SessionDep, a: AccessDep, c: CipherDep, now: NowDep
) -> MemberPublic:
    """Load stored value at the till (store staff)."""
    a.store(members.require_member(s, member_id).store_id)
    members.top_up(s, member_id, req.amount_cents, req.at or now)
    return members.profile(s, c, member_id, now)


@router.get("/{member_id}/coupons")
def coupons(
    member_id: IdPath,
    s: SessionDep,
    a: AccessDep,
    c: CipherDep,
    now: NowDep,
    page: PageDep,
    at: AtQuery = None,
) -> list[CouponPublic]:
    """The member's coupons that are valid at ``at`` (now by default), in issue order."""
    _own(s, a, c, member_id, now)
    return page.of(marketing.member_coupons(s, member_id, at or now))
