"""Marketing center over HTTP: promotions, coupons, visit and birthday gifts, campaign review."""

from fastapi import APIRouter

from services.api.deps import AccessDep, AtQuery, IdPath, NowDep, OptStoreQuery, SessionDep
from services.api.paging import PageDep
from services.domain import campaigns, marketing, members
from services.schemas import (
    BirthdayOffers,
    CampaignReview,
    CouponIssue,
    CouponTemplateCreate,
    CouponTemplatePublic,
    PromotionCreate,
    PromotionPublic,
    VisitIn,
)

router = APIRouter(prefix="/marketing", tags=["marketing"])


@router.post("/promotions", status_code=201)
def create_promotion(req: PromotionCreate, s: SessionDep, a: AccessDep) -> PromotionPublic:
    """A promotion for one store (HQ or that store) or the chain (HQ)."""
    a.store(req.store_id)
    return marketing.create_promotion(s, req)


@router.get("/promotions")
def list_promotions(
    s: SessionDep,
    a: AccessDep,
    now: NowDep,
    page: PageDep,
    store_id: OptStoreQuery = None,
    active: bool = False,
) -> list[PromotionPublic]:
    """A store's promotions (its own and the chain's), or all (HQ); optionally only active ones."""
    a.store(store_id)
    return page.of(marketing.list_promotions(s, store_id, now if active else None))


@router.get("/promotions/{promotion_id}/review")
def review_promotion(promotion_id: IdPath, s: SessionDep, a: AccessDep) -> CampaignReview:
    """Reach, redemption, incremental sales and ROI of a promotion."""
    a.store(marketing.get_promotion(s, promotion_id).store_id)
    return campaigns.review_promotion(s, promotion_id)


@router.post("/coupon-templates", status_code=201)
def create_template(
    req: CouponTemplateCreate, s: SessionDep, a: AccessDep, now: NowDep
) -> CouponTemplatePublic:
    """A coupon design."""
    a.store(req.store_id)
    return marketing.create_template(s, req, now)


@router.get("/coupon-templates/{template_id}/review")
def review_template(template_id: IdPath, s: SessionDep, a: AccessDep) -> CampaignReview:
    """Reach, redemption, incremental sales and ROI of the coupons of a template."""
    a.store(marketing.get_template(s, template_id).store_id)
    return campaigns.review_template(s, template_id)


@router.get("/coupon-templates/{template_id}/holders")
def holders(
    template_id: IdPath,
    s: SessionDep,
    a: AccessDep,
    now: NowDep,
    page: PageDep,
    at: AtQuery = None,
) -> list[int]:
    """Members who hold an unused, unexpired coupon of the template: whom a campaign reached."""
    a.store(marketing.get_template(s, template_id).store_id)
    return page.of(marketing.holders(s, template_id, at or now))


@router.post("/coupons", status_code=201)
def issue(req: CouponIssue, s: SessionDep, a: AccessDep, now: NowDep) -> list[str]:
    """Issue coupons to a member or a segment; their codes."""
    if req.member_id is not None:
        a.store(members.require_member(s, req.member_id).store_id)
    else:
        a.store(req.segment.store_id)
    return marketing.issue(s, req, now)


@router.post("/visits")
def visit(req: VisitIn, s: SessionDep, a: AccessDep, now: NowDep) -> list[str]:
    """A member checks in at a store; codes of the visit gifts it earned."""
    a.member(req.member_id, req.store_id)
    return marketing.visit(s, req, now)


@router.post("/birthday-offers")
def birthday_offers(req: BirthdayOffers, s: SessionDep, a: AccessDep, now: NowDep) -> list[str]:
    """Coupons for every member whose birthday is that day (HQ)."""
    a.hq()
    return marketing.birthday_offers(s, req.template_id, req.on, now)
