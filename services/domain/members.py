"""Member center: registration, tiers, points, stored value, tags and RFM segments.

Tiers follow lifetime spend (``TIERS``); points are earned at one point per
yuan paid times the tier's multiplier, and burnt at one point per cent. RFM is
computed from the member's order history over the last year with fixed score
bands (``rfm_scores``), so one member's segment does not depend on the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.db.engine import connection_of
from services.db.models import LedgerEntry, Member, MemberTag, Order
from services.db.prepared import Prepared, PreparedInsert
from services.domain.errors import Conflict, DomainError, Forbidden, NotFound
from services.domain.privacy import MemberCipher, mask_phone
from services.domain.replies import reply
from services.domain.stores import check_store, require_store
from services.schemas import MemberCreate, MemberPublic, OrderStatus, Rfm, Segment

TIERS = (  # name, lifetime spend in cents from which it holds, points multiplier
    ("standard", 0, 1.0),
    ("silver", 100_000, 1.2),
    ("gold", 500_000, 1.5),
    ("platinum", 2_000_000, 2.0),
)
SOLD = (OrderStatus.paid.value, OrderStatus.picked.value, OrderStatus.fulfilled.value)
_R_DAYS = (7, 30, 90, 180)  # recency at most this many days scores 5, 4, 3, 2
_F_ORDERS = (20, 10, 5, 2)  # at least this many orders a year scores 5, 4, 3, 2
_M_CENTS = (500_000, 200_000, 80_000, 20_000)  # at least this spend a year scores 5, 4, 3, 2
_MEMBERS = Member.__table__
Standing = tuple[str, int]
"""A member's tier and lifetime spend in cents."""
# the checkout path's statements (a member's credit on every paid order), compiled once
_TIER_OF = Prepared(
    select(_MEMBERS.c.tier, _MEMBERS.c.lifetime_cents).where(_MEMBERS.c.id == bindparam("m_id"))
)
_CREDIT = Prepared(
    update(_MEMBERS)
    .where(_MEMBERS.c.id == bindparam("m_id"))
    .values(
        points=_MEMBERS.c.points + bindparam("m_points"),
        lifetime_cents=_MEMBERS.c.lifetime_cents + bindparam("m_paid"),
        tier=bindparam("m_tier"),
    )
)
_LEDGER = Prepared(insert(LedgerEntry.__table__))
_HOME = Prepared(
    select(_MEMBERS.c.store_id, _MEMBERS.c.tier, _MEMBERS.c.lifetime_cents).where(
        _MEMBERS.c.id == bindparam("m_id")
    )
)
_REGISTER = PreparedInsert(insert(_MEMBERS), _MEMBERS.c.id)


def tier_for(lifetime_cents: int) -> str:
    """The tier a lifetime spend earns."""
    return [name for name, floor, _ in TIERS if lifetime_cents >= floor][-1]


def points_for(paid_cents: int, tier: str) -> int:
    """Points a payment earns in a tier: one per whole yuan times the tier's multiplier."""
    multiplier = next(m for name, _, m in TIERS if name == tier)
    return int(paid_cents // 100 * multiplier)


def register(
    session: Session, cipher: MemberCipher, req: MemberCreate, now: dt.datetime
) -> MemberPublic:
    """Register a member; a phone number already registered is a Conflict."""
    conn = connection_of(session)
    # SQLite enforces the store's foreign key on the insert and a failed statement
    # leaves its transaction usable: the store is looked up only when the insert
    # fails (a SELECT less per registration); PostgreSQL aborts the transaction, so first
    sqlite = conn.dialect.name == "sqlite"
    if not sqlite:
        check_store(session, req.store_id)
    index = cipher.phone_index(req.phone)
    registered_at = req.at or now
    row = {
        "store_id": req.store_id,
        "phone_hash": index,
        "phone_enc": cipher.encrypt(req.phone, "phone"),
        "name_enc": cipher.encrypt(req.name, "name"),
        "birthday": req.birthday,
        "tier": _NEW_TIER,
        "points": 0,
        "lifetime_cents": 0,
        "stored_value_cents": 0,
        "registered_at": registered_at,
    }
    # prepared, not the ORM: registration is on the checkout path of first-time members;
    # the phone index is unique, so a number registered before fails the insert itself
    try:
        member_id = _REGISTER.new_id(conn, row)
    except IntegrityError:
        if sqlite:
            check_store(session, req.store_id)  # NotFound before the phone's Conflict
        raise Conflict("phone: this number is already registered") from None
    if req.tags:
        add_tags(session, member_id, req.tags)
    r, f, m = _NEW_RFM
    # A new member's profile needs no look-ups (nothing happened yet), and every value is
    # one the request's validation or the services made: built as validation would build
    # it (tests/unit/services/test_member_reply.py); registration is on the checkout path.
    rfm = {"recency_days": None, "frequency": 0, "monetary_cents": 0, "r": r, "f": f, "m": m}
    return reply(
        MemberPublic,
        {
            "id": member_id,
            "store_id": req.store_id,
            "name": req.name,
            "phone_masked": mask_phone(req.phone),
            "birthday": req.birthday,
            "tier": _NEW_TIER,
            "points": 0,
            "stored_value_cents": 0,
            "lifetime_cents": 0,
            "tags": sorted({t.strip() for t in req.tags}),
            "registered_at": registered_at,
            "rfm": reply(Rfm, {**rfm, "segment": _NEW_SEGMENT}),
        },
    )


def require_member(session: Session, member_id: int) -> Member:
    """The member with this id, or NotFound."""
    member = session.get(Member, member_id, populate_existing=True)
    if member is None:
        raise NotFound(f"no member {member_id}")
    return member


def check_member(session: Session, member_id: int, store_id: str) -> Standing:
    """The member may be named on an order of ``store_id``: only at their home store.

    A franchise store keeps its own members and accounts (DOMAIN.md): the stored
    value a member loaded and the points they earned are the home store's debt,
    so only the home store's sales earn or spend them. Elsewhere the customer
    buys as a guest. Raises NotFound (no such member) or Forbidden.

    Returns:
        The member's tier and lifetime spend as read (for ``earn`` of the same sale).
    """
    row = _HOME.execute(connection_of(session), {"m_id": member_id}).fetchone()
    if row is None:
        raise NotFound(f"no member {member_id}")
    if row[0] != store_id:
        raise Forbidden(
            f"member_id: member {member_id} belongs to store {row[0]!r}; their stored value "
            f"and points are that store's, so an order of store {store_id!r} cannot name them"
        )
    return row[1], row[2]


def find_by_phone(
    session: Session, cipher: MemberCipher, phone: str, now: dt.datetime
) -> MemberPublic:
    """The member registered with this phone number, found by its keyed hash."""
    member_id = session.scalar(
        select(Member.id).where(Member.phone_hash == cipher.phone_index(phone))
    )
    if member_id is None:
        raise NotFound("no member with this phone number")
    return profile(session, cipher, member_id, now)


def profile(
    session: Session, cipher: MemberCipher, member_id: int, now: dt.datetime
) -> MemberPublic:
    """A member's profile with tier, balances, tags and RFM segment as of ``now``."""
    m = require_member(session, member_id)
    phone = cipher.decrypt(m.phone_enc, "phone")
    return MemberPublic(
        id=m.id,
        store_id=m.store_id,
        name=cipher.decrypt(m.name_enc, "name"),
        phone_masked=mask_phone(phone),
        birthday=m.birthday,
        tier=m.tier,
        points=m.points,
        stored_value_cents=m.stored_value_cents,
        lifetime_cents=m.lifetime_cents,
        tags=list(
            session.scalars(
                select(MemberTag.tag).where(MemberTag.member_id == m.id).order_by(MemberTag.tag)
            )
        ),
        registered_at=m.registered_at,
        rfm=rfm(session, [m.id], now)[m.id],
    )


def add_tags(session: Session, member_id: int, tags: Iterable[str]) -> None:
    """Label a member; tags already there stay once."""
    require_member(session, member_id)
    have = set(session.scalars(select(MemberTag.tag).where(MemberTag.member_id == member_id)))
    for tag in dict.fromkeys(t.strip() for t in tags):
        if not tag or len(tag) > 40:
            raise DomainError(f"tags: {tag!r} must have 1 to 40 characters")
        if tag not in have:
            session.add(MemberTag(member_id=member_id, tag=tag))
    session.flush()


def top_up(session: Session, member_id: int, amount_cents: int, at: dt.datetime) -> int:
    """Load money onto a member's stored value; returns the new balance."""
    require_member(session, member_id)
    change(session, member_id, "stored_value", amount_cents, "top_up", None, at)
    return require_member(session, member_id).stored_value_cents


def change(
    session: Session,
    member_id: int,
    account: str,
    delta: int,
    reason: str,
    order_id: int | None,
    at: dt.datetime,
) -> None:
    """Move a member's points or stored value by ``delta``; never below zero (Conflict)."""
    column = {"points": _MEMBERS.c.points, "stored_value": _MEMBERS.c.stored_value_cents}[account]
    done = session.execute(
        update(_MEMBERS)
        .where(_MEMBERS.c.id == member_id, column + delta >= 0)
        .values({column: column + delta})
    )
    if done.rowcount != 1:
        require_member(session, member_id)
        raise Conflict(f"member {member_id} has not enough {account.replace('_', ' ')}")
    _ledger(session, member_id, account, delta, reason, order_id, at)


def earn(
    session: Session,
    member_id: int,
    paid_cents: int,
    order_id: int,
    at: dt.datetime,
    standing: Standing | None = None,
) -> int:
    """Credit an order's spend: lifetime spend, tier and points. Returns points earned.

    ``standing``: the member's tier and lifetime spend as ``check_member`` read
    them earlier in this transaction (a SELECT less a member's sale). Taken on
    SQLite only, whose transactions hold the write lock from their start, so
    nothing changed them since; PostgreSQL reads them again, after this
    transaction's own updates of the member (a payment from stored value).
    """
    conn = connection_of(session)
    if standing is None or conn.dialect.name != "sqlite":
        row = _TIER_OF.execute(conn, {"m_id": member_id}).fetchone()
        if row is None:
            raise NotFound(f"no member {member_id}")
        standing = row[0], row[1]
    tier, lifetime = standing
    points = points_for(paid_cents, tier)
    _CREDIT.execute(
        conn,
        {
            "m_id": member_id,
            "m_points": points,
            "m_paid": paid_cents,
            "m_tier": tier_for(lifetime + paid_cents),
        },
    )
    if points:
        _ledger(session, member_id, "points", points, "earn", order_id, at)
    return points


def reverse_earn(
    session: Session, member_id: int, paid_cents: int, points: int, order_id: int, at: dt.datetime
) -> None:
    """Undo an order's credit on refund; points already spent leave the balance at zero."""
    session.execute(
        update(_MEMBERS)
        .where(_MEMBERS.c.id == member_id)
        .values(
            points=case((_MEMBERS.c.points >= points, _MEMBERS.c.points - points), else_=0),
            lifetime_cents=case(
                (_MEMBERS.c.lifetime_cents >= paid_cents, _MEMBERS.c.lifetime_cents - paid_cents),
                else_=0,
            ),
        )
    )
    _ledger(session, member_id, "points", -points, "refund", order_id, at)


def _ledger(session, member_id, account, delta, reason, order_id, at) -> None:
    _LEDGER.execute(
        connection_of(session),
        {
            "member_id": member_id,
            "account": account,
            "delta": delta,
            "reason": reason,
            "order_id": order_id,
            "at": at,
        },
    )


def rfm_scores(
    recency_days: int | None, frequency: int, monetary_cents: int
) -> tuple[int, int, int]:
    """Fixed-band R, F and M scores from 1 (low) to 5 (high)."""
    r = 1 if recency_days is None else 5 - sum(recency_days > d for d in _R_DAYS)
    f = 1 + sum(frequency >= n for n in _F_ORDERS)
    m = 1 + sum(monetary_cents >= c for c in _M_CENTS)
    return r, f, m


def rfm_segment(r: int, f: int, m: int) -> str:
    """The RFM segment of a score triple."""
    if r >= 4 and f >= 4:
        return "champion"
    if f >= 4 or (f >= 3 and m >= 4):
        return "loyal" if r >= 3 else "at_risk"
    if r >= 4:
        return "new" if f == 1 else "promising"
    if r <= 2:
        return "hibernating" if f <= 2 else "at_risk"
    return "needs_attention"


# A new member's tier and RFM are every registration's: worked out once, by the rules above
_NEW_TIER = tier_for(0)
_NEW_RFM = rfm_scores(None, 0, 0)
_NEW_SEGMENT = rfm_segment(*_NEW_RFM)


def rfm(session: Session, member_ids: list[int] | None, now: dt.datetime) -> dict[int, Rfm]:
    """RFM of the given members (every member when None) from their orders up to ``now``."""
    year_ago = now - dt.timedelta(days=365)
    in_year = Order.created_at > year_ago
    stmt = (
        select(
            Order.member_id,
            func.max(Order.created_at),
            func.sum(case((in_year, 1), else_=0)),
            func.sum(case((in_year, Order.total_cents), else_=0)),
        )
        .where(Order.member_id.is_not(None), Order.status.in_(SOLD), Order.created_at <= now)
        .group_by(Order.member_id)
    )
    ids = member_ids
    if ids is None:
        ids = list(session.scalars(select(Member.id)))
    else:
        stmt = stmt.where(Order.member_id.in_(ids))
    history = {
        mid: (last, int(n or 0), int(spend or 0)) for mid, last, n, spend in session.execute(stmt)
    }
    result = {}
    for mid in ids:
        last, n, spend = history.get(mid, (None, 0, 0))
        days = None if last is None else (now - last).days
        r, f, m = rfm_scores(days, n, spend)
        result[mid] = Rfm(
            recency_days=days,
            frequency=n,
            monetary_cents=spend,
            r=r,
            f=f,
            m=m,
            segment=rfm_segment(r, f, m),
        )
    return result


def select_segment(session: Session, segment: Segment, now: dt.datetime) -> list[int]:
    """Ids of members matching every criterion of the segment, ascending."""
    stmt = select(Member.id).order_by(Member.id)
    if segment.store_id is not None:
        stmt = stmt.where(Member.store_id == segment.store_id)
    if segment.tier is not None:
        stmt = stmt.where(Member.tier == segment.tier)
    if segment.tag is not None:
        stmt = stmt.where(
            Member.id.in_(select(MemberTag.member_id).where(MemberTag.tag == segment.tag))
        )
    ids = list(session.scalars(stmt))
    if segment.rfm_segment is not None:
        scores = rfm(session, ids, now)
        ids = [i for i in ids if scores[i].segment == segment.rfm_segment]
    return ids


def birthdays(session: Session, on: dt.date) -> list[int]:
    """Ids of members whose birthday (month and day) is ``on``; 29 Feb counts on 28 Feb."""
    rows = session.execute(select(Member.id, Member.birthday).where(Member.birthday.is_not(None)))
    leap_day = (on.month, on.day) == (2, 28) and not _is_leap(on.year)
    return sorted(
        mid
        for mid, b in rows
        if (b.month, b.day) == (on.month, on.day) or (leap_day and (b.month, b.day) == (2, 29))
    )


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def list_members(
    session: Session,
    cipher: MemberCipher,
    store_id: str,
    now: dt.datetime,
    limit: int = 100,
    offset: int = 0,
) -> list[MemberPublic]:
    """Members registered at a store, by id (at most ``limit``, after the first ``offset``)."""
    require_store(session, store_id)
    ids = session.scalars(
        select(Member.id)
        .where(Member.store_id == store_id)
        .order_by(Member.id)
        .limit(limit)
        .offset(offset)
    )
    return [profile(session, cipher, i, now) for i in ids]
