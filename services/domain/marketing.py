"""Marketing center: promotions, coupon templates and coupons, gifts for visits and birthdays.

The engine that prices a basket is ``services.domain.pricing``; this module
keeps promotions and coupons in the database and hands the engine the rows in
force, each fetched with one statement.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable, Sequence
from functools import lru_cache

from pydantic import TypeAdapter
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from services.db import readcache
from services.db.engine import connection_of
from services.db.models import Coupon, CouponTemplate, Promotion
from services.db.prepared import Prepared
from services.domain import members
from services.domain.catalog import require_products
from services.domain.errors import Conflict, NotFound
from services.domain.pricing import CouponOffer, Offer
from services.domain.stores import require_store
from services.schemas import (
    Bundle,
    CouponIssue,
    CouponPublic,
    CouponTemplateCreate,
    CouponTemplatePublic,
    FlashSale,
    Markdown,
    PromotionCreate,
    PromotionPublic,
    Rule,
    VisitGift,
    VisitIn,
)

_PROMOS = Promotion.__table__
_RULE = TypeAdapter(Rule)
_IN_FORCE = Prepared(
    select(_PROMOS.c.id, _PROMOS.c.name, _PROMOS.c.params, _PROMOS.c.quota, _PROMOS.c.used).where(
        or_(_PROMOS.c.store_id.is_(None), _PROMOS.c.store_id == bindparam("store_id")),
        _PROMOS.c.starts_at <= bindparam("at"),
        _PROMOS.c.ends_at > bindparam("at"),
    )
)
_BOUNDS = select(_PROMOS.c.starts_at, _PROMOS.c.ends_at).where(
    or_(_PROMOS.c.store_id.is_(None), _PROMOS.c.store_id == bindparam("store_id"))
)
_USE_QUOTA = Prepared(
    update(_PROMOS)
    .where(
        _PROMOS.c.id == bindparam("p_id"),
        or_(_PROMOS.c.quota.is_(None), _PROMOS.c.used + bindparam("p_n") <= _PROMOS.c.quota),
    )
    .values(used=_PROMOS.c.used + bindparam("p_n"))
)


@lru_cache(maxsize=1024)
def _parse_rule(text: str) -> Rule:
    return _RULE.validate_json(text)


def _rule(params: str | dict) -> Rule:
    """A stored rule; SQLite hands JSON back as text (parsed once), PostgreSQL as a dict."""
    return _parse_rule(params if isinstance(params, str) else json.dumps(params, sort_keys=True))


def create_promotion(session: Session, req: PromotionCreate) -> PromotionPublic:
    """Start a promotion; the SKUs, store and coupon template it names must exist."""
    if req.store_id is not None:
        require_store(session, req.store_id)
    rule = req.rule
    if isinstance(rule, Markdown | Bundle):
        require_products(session, rule.skus)
    elif isinstance(rule, FlashSale):
        require_products(session, [rule.sku])
    template_id = getattr(rule, "template_id", None)
    if template_id is not None:
        require_template(session, template_id)
    row = Promotion(
        name=req.name,
        kind=rule.kind.value,
        store_id=req.store_id,
        starts_at=req.starts_at,
        ends_at=req.ends_at,
        params=rule.model_dump(mode="json"),
        quota=req.quota,
        used=0,
        cost_cents=req.cost_cents,
    )
    readcache.invalidate(session)
    session.add(row)
    session.flush()
    return _promotion(row)


def get_promotion(session: Session, promotion_id: int) -> PromotionPublic:
    """One promotion."""
    row = session.get(Promotion, promotion_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no promotion {promotion_id}")
    return _promotion(row)


def list_promotions(
    session: Session, store_id: str | None = None, at: dt.datetime | None = None
) -> list[PromotionPublic]:
    """A store's promotions (its own and the chain's) or all; or those in force at ``at``."""
    stmt = select(Promotion).order_by(Promotion.id)
    if store_id is not None:
        stmt = stmt.where(or_(Promotion.store_id.is_(None), Promotion.store_id == store_id))
    if at is not None:
        stmt = stmt.where(Promotion.starts_at <= at, Promotion.ends_at > at)
    return [_promotion(p) for p in session.scalars(stmt)]


def end_promotion(session: Session, promotion_id: int, at: dt.datetime) -> PromotionPublic:
    """Stop a promotion at ``at`` (no effect on one that already ended)."""
    row = session.get(Promotion, promotion_id)
    if row is None:
        raise NotFound(f"no promotion {promotion_id}")
    readcache.invalidate(session)
    row.ends_at = max(min(row.ends_at, at), row.starts_at + dt.timedelta(microseconds=1))
    session.flush()
    return _promotion(row)


def offers(session: Session, store_id: str, at: dt.datetime) -> list[Offer]:
    """The promotions in force in a store at ``at``, as the pricing engine takes them."""
    cache = readcache.of(session)
    if cache is None or at.tzinfo is not None:
        return _offers(session, store_id, at)
    held = cache.offers.get(store_id)
    if held is None or not held.covers(at):
        conn = connection_of(session)
        times = conn.execute(_BOUNDS, {"store_id": store_id}).all()
        lo, hi = readcache.window([t for pair in times for t in pair], at)
        found = tuple(_offers(session, store_id, at))
        held = cache.offers[store_id] = readcache.Held(found, lo, hi)
    return list(held.value)


def _offers(session: Session, store_id: str, at: dt.datetime) -> list[Offer]:
    rows = _IN_FORCE.execute(connection_of(session), {"store_id": store_id, "at": at}).fetchall()
    return [
        Offer(pid, name, _rule(params), None if quota is None else quota - used)
        for pid, name, params, quota, used in rows
    ]


def use_quota(session: Session, promotion_id: int, units: int) -> bool:
    """Take ``units`` of a promotion's quota; False if not that many are left."""
    readcache.invalidate(session)
    params = {"p_id": promotion_id, "p_n": units}
    return _USE_QUOTA.execute(connection_of(session), params).rowcount == 1


def _promotion(p: Promotion) -> PromotionPublic:
    return PromotionPublic(
        id=p.id,
        name=p.name,
        rule=_rule(p.params),
        starts_at=p.starts_at,
        ends_at=p.ends_at,
        store_id=p.store_id,
        quota=p.quota,
        used=p.used,
        cost_cents=p.cost_cents,
    )


# --- coupons ------------------------------------------------------------------------------


def create_template(session: Session, req: CouponTemplateCreate, at: dt.datetime):
    """A new coupon template."""
    if req.store_id is not None:
        require_store(session, req.store_id)
    row = CouponTemplate(**req.model_dump(), created_at=at)
    session.add(row)
    session.flush()
    return _template(row)


def require_template(session: Session, template_id: int) -> CouponTemplate:
    """The coupon template with this id, or NotFound."""
    row = session.get(CouponTemplate, template_id)
    if row is None:
        raise NotFound(f"no coupon template {template_id}")
    return row


def get_template(session: Session, template_id: int) -> CouponTemplatePublic:
    """One coupon template."""
    return _template(require_template(session, template_id))


def issue(session: Session, req: CouponIssue, now: dt.datetime) -> list[str]:
    """Issue one coupon of the template to a member or to each member of a segment; codes."""
    at = req.at or now
    if req.member_id is not None:
        members.require_member(session, req.member_id)
        targets = [req.member_id]
    else:
        targets = members.select_segment(session, req.segment, at)
    return issue_to(session, req.template_id, targets, at)


def issue_to(
    session: Session,
    template_id: int,
    member_ids: Sequence[int],
    at: dt.datetime,
    gift_of_order: int | None = None,
) -> list[str]:
    """Issue one coupon of the template to each member; returns the codes in member order."""
    template = require_template(session, template_id)
    expires = at + dt.timedelta(days=template.valid_days)
    codes = [f"C{template_id}-{secrets.token_hex(5).upper()}" for _ in member_ids]
    session.add_all(
        Coupon(
            code=code,
            template_id=template_id,
            member_id=m,
            issued_at=at,
            expires_at=expires,
            gift_of_order=gift_of_order,
        )
        for code, m in zip(codes, member_ids, strict=True)
    )
    session.flush()
    return codes


def member_coupons(session: Session, member_id: int, at: dt.datetime) -> list[CouponPublic]:
    """A member's coupons that are unused and unexpired at ``at``, in issue order."""
    members.require_member(session, member_id)
    rows = session.execute(
        _coupon_query().where(
            Coupon.member_id == member_id,
            Coupon.redeemed_at.is_(None),
            Coupon.issued_at <= at,
            Coupon.expires_at > at,
        )
    ).all()
    return [_coupon(c, t) for c, t in rows]


def holders(session: Session, template_id: int, at: dt.datetime) -> list[int]:
    """Ids of members holding an unused, unexpired coupon of the template at ``at``."""
    require_template(session, template_id)
    rows = session.scalars(
        select(Coupon.member_id)
        .where(
            Coupon.template_id == template_id,
            Coupon.member_id.is_not(None),
            Coupon.redeemed_at.is_(None),
            Coupon.issued_at <= at,
            Coupon.expires_at > at,
        )
        .distinct()
        .order_by(Coupon.member_id)
    )
    return list(rows)


def usable_coupons(
    session: Session, codes: Sequence[str], member_id: int | None, store_id: str, at: dt.datetime
) -> list[CouponOffer]:
    """The coupons a customer shows, checked; a code that cannot be used is a clear error.

    Raises:
        NotFound: a code does not exist.
        Conflict: a coupon is used, expired, not yet valid, another member's, or for another store.
    """
    if not codes:
        return []
    rows = {
        c.code: (c, t) for c, t in session.execute(_coupon_query().where(Coupon.code.in_(codes)))
    }
    found = []
    for code in dict.fromkeys(codes):
        if code not in rows:
            raise NotFound(f"coupon_codes: no coupon {code!r}")
        c, t = rows[code]
        why = (
            "was already used" if c.redeemed_at is not None
            else "has expired" if c.expires_at <= at
            else "is not valid yet" if c.issued_at > at
            else "belongs to another member" if c.member_id is not None and c.member_id != member_id
            else "is for another store" if t.store_id is not None and t.store_id != store_id
            else None
        )  # fmt: skip
        if why:
            raise Conflict(f"coupon_codes: coupon {code!r} {why}")
        found.append(CouponOffer(c.id, c.code, t.kind, t.value, t.threshold_cents))
    return found


def redeem(session: Session, coupon_id: int, order_id: int, at: dt.datetime) -> None:
    """Mark a coupon used by an order; a coupon used meanwhile by another order is a Conflict."""
    done = session.execute(
        update(Coupon)
        .where(Coupon.id == coupon_id, Coupon.redeemed_at.is_(None))
        .values(redeemed_at=at, order_id=order_id)
    )
    if done.rowcount != 1:
        raise Conflict("coupon_codes: the coupon was used by another order meanwhile")


def give_back(session: Session, order_id: int) -> None:
    """An order that is cancelled returns its coupon to the member."""
    session.execute(
        update(Coupon).where(Coupon.order_id == order_id).values(redeemed_at=None, order_id=None)
    )


def visit(session: Session, req: VisitIn, now: dt.datetime) -> list[str]:
    """A member checks in at a store: each visit gift in force gives a coupon, once a day."""
    at = req.at or now
    members.require_member(session, req.member_id)
    require_store(session, req.store_id)
    day = dt.datetime.combine(at.date(), dt.time())
    codes = []
    for offer in offers(session, req.store_id, at):
        if not isinstance(offer.rule, VisitGift):
            continue
        had = session.scalar(
            select(func.count())
            .select_from(Coupon)
            .where(
                Coupon.member_id == req.member_id,
                Coupon.template_id == offer.rule.template_id,
                Coupon.issued_at >= day,
                Coupon.issued_at < day + dt.timedelta(days=1),
            )
        )
        if not had:
            codes += issue_to(session, offer.rule.template_id, [req.member_id], at)
    return codes


def birthday_offers(session: Session, template_id: int, on: dt.date, now: dt.datetime) -> list[str]:
    """Give members whose birthday is ``on`` a coupon of the template, once a year each."""
    require_template(session, template_id)
    year_start = dt.datetime(on.year, 1, 1)
    had = set(
        session.scalars(
            select(Coupon.member_id).where(
                Coupon.template_id == template_id, Coupon.issued_at >= year_start
            )
        )
    )
    due = [m for m in members.birthdays(session, on) if m not in had]
    return issue_to(session, template_id, due, max(now, dt.datetime.combine(on, dt.time())))


def _coupon_query():
    return (
        select(Coupon, CouponTemplate)
        .join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
        .order_by(Coupon.id)
    )


def _coupon(c: Coupon, t: CouponTemplate) -> CouponPublic:
    return CouponPublic(
        code=c.code,
        template_id=t.id,
        name=t.name,
        kind=t.kind,
        value=t.value,
        threshold_cents=t.threshold_cents,
        member_id=c.member_id,
        issued_at=c.issued_at,
        expires_at=c.expires_at,
        redeemed_at=c.redeemed_at,
    )


def _template(t: CouponTemplate) -> CouponTemplatePublic:
    return CouponTemplatePublic(
        id=t.id,
        name=t.name,
        kind=t.kind,
        value=t.value,
        threshold_cents=t.threshold_cents,
        valid_days=t.valid_days,
        store_id=t.store_id,
    )


def gift(
    session: Session, template_ids: Iterable[int], member_id: int, order_id: int, at: dt.datetime
) -> list[str]:
    """Coupons a member earned with an order (spend-and-get, pay gift); their codes."""
    codes = []
    for template_id in template_ids:
        codes += issue_to(session, template_id, [member_id], at, gift_of_order=order_id)
    return codes


def gifts_of(session: Session, order_id: int) -> list[str]:
    """Codes of the coupons an order earned."""
    return list(
        session.scalars(
            select(Coupon.code).where(Coupon.gift_of_order == order_id).order_by(Coupon.id)
        )
    )
