"""Campaign review: reach, redemption, incremental sales and ROI of a promotion or coupon.

Simple, stated estimates (the twin's pilots give the true effect):

- A discount promotion reaches the orders it applied to. Its incremental sales
  are those orders' sales less what the same number of orders of the same
  stores and window without it averaged.
- A coupon campaign (a template, or a gift promotion through its template)
  reaches the members it was issued to. Its incremental sales are the reached
  members' spend in the window less what as many members not reached spent on
  average in the same window.
- ROI = (incremental sales x gross margin of the redeeming orders - discounts
  - running cost) / (discounts + running cost); None when nothing was spent.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from services.db.models import Coupon, Member, Order, Promotion
from services.domain.errors import NotFound
from services.domain.marketing import require_template
from services.domain.members import SOLD
from services.schemas import CampaignReview


def review_promotion(session: Session, promotion_id: int) -> CampaignReview:
    """KPIs of a promotion over its window (up to now if it still runs)."""
    promo = session.get(Promotion, promotion_id)
    if promo is None:
        raise NotFound(f"no promotion {promotion_id}")
    template_id = promo.params.get("template_id")
    if template_id is not None:  # gifts work through the coupons they hand out
        return _coupons(
            session,
            f"promotion {promo.id}: {promo.name}",
            template_id,
            promo.starts_at,
            promo.ends_at,
            promo.cost_cents,
        )
    window = [
        Order.status.in_(SOLD),
        Order.created_at >= promo.starts_at,
        Order.created_at < promo.ends_at,
    ]
    if promo.store_id is not None:
        window.append(Order.store_id == promo.store_id)
    with_it = Order.promotion_id == promo.id
    n, sales, discount, cost = _totals(session, [*window, with_it])
    others, other_sales, _, _ = _totals(
        session, [*window, or_(Order.promotion_id.is_(None), Order.promotion_id != promo.id)]
    )
    baseline = other_sales / others * n if others else 0
    name = f"promotion {promo.id}: {promo.name}"
    return _review(name, n, n, sales, discount, cost, sales - baseline, promo.cost_cents)


def review_template(session: Session, template_id: int) -> CampaignReview:
    """KPIs of every coupon issued from a template, from the first issue on."""
    template = require_template(session, template_id)
    first, last = session.execute(
        select(func.min(Coupon.issued_at), func.max(Coupon.expires_at)).where(
            Coupon.template_id == template_id
        )
    ).one()
    start = first or template.created_at
    return _coupons(
        session, f"coupons {template.id}: {template.name}", template_id, start, last or start, 0
    )


def _coupons(session, name, template_id, start, end, running_cents) -> CampaignReview:
    issued = [Coupon.template_id == template_id, Coupon.issued_at >= start, Coupon.issued_at < end]
    reached = set(
        session.scalars(
            select(Coupon.member_id).distinct().where(*issued, Coupon.member_id.is_not(None))
        )
    )
    redeemed_orders = select(Coupon.order_id).where(*issued, Coupon.order_id.is_not(None))
    n, sales, _, cost = _totals(session, [Order.id.in_(redeemed_orders), Order.status.in_(SOLD)])
    coupon_cents = session.scalar(
        select(func.coalesce(func.sum(Order.coupon_cents), 0)).where(Order.id.in_(redeemed_orders))
    )
    window = [Order.status.in_(SOLD), Order.created_at >= start, Order.created_at < end]
    spend = dict(
        session.execute(
            select(Order.member_id, func.sum(Order.total_cents))
            .where(*window, Order.member_id.is_not(None))
            .group_by(Order.member_id)
        ).all()
    )
    everyone = set(session.scalars(select(Member.id)))
    unreached = everyone - reached
    reached_spend = sum(int(spend.get(m, 0)) for m in reached)
    if unreached:
        baseline = sum(int(spend.get(m, 0)) for m in unreached) / len(unreached) * len(reached)
    else:
        baseline = reached_spend - sales  # without a control group: the redeeming orders only
    incremental = reached_spend - baseline
    return _review(name, len(reached), n, sales, coupon_cents, cost, incremental, running_cents)


def _totals(session: Session, where: list[ColumnElement]) -> tuple[int, int, int, int]:
    """Orders, sales, promotion discounts (coupons apart) and cost of the matching orders."""
    n, sales, discount, cost = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Order.total_cents), 0),
            func.coalesce(func.sum(Order.discount_cents - Order.coupon_cents), 0),
            func.coalesce(func.sum(Order.cost_cents), 0),
        ).where(*where)
    ).one()
    return n, int(sales), int(discount), int(cost)


def _review(name, reach, redemptions, sales, discount, cost, incremental, running):
    margin = (sales - cost) / sales if sales else 0.0
    spent = discount + running
    roi = round((incremental * margin - spent) / spent, 4) if spent else None
    return CampaignReview(
        campaign=name,
        reach=reach,
        redemptions=redemptions,
        redemption_rate=round(redemptions / reach, 4) if reach else 0.0,
        sales_cents=sales,
        discount_cents=discount,
        incremental_sales_cents=round(incremental),
        roi=roi,
    )
