"""In-store marketing interventions: voice robots, signage, targeted coupons, promotions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, TypeAdapter

from scenarios.base import Frozen, NonNeg, Share, replace
from scenarios.features import Coupons, Promoters
from scenarios.interventions.base import Cost, Intervention, Pillar
from scenarios.marketing import Marketing, PromotionSpec, Response

if TYPE_CHECKING:
    from scenarios.schema import Scenario


class VoicePromoterParams(Frozen):
    """Robots, lift and costs of voice promotion."""

    count: int = Field(2, ge=1, description="Robots, each at one promoted SKU.")
    lift: NonNeg = Field(
        4.6,
        description="Lift of the impulse pick rate; 4.6 gives the case's +94% item sales "
        "in the library supermarket, on average over seeds (docs/calibration.md).",
    )
    one_off_each: NonNeg = 3000.0
    monthly_each: NonNeg = 50.0


class VoicePromoterIntervention(Intervention):
    """A motion-triggered robot at a promoted item calls out the offer."""

    name = "voice_promoter"
    pillar = Pillar.user_interaction
    summary = "Motion-triggered voice robots at promoted items lift their pick rate."
    case = "voice promotion robot: promoted item sales +94.38% (24 stores, 49 days)"
    Params = VoicePromoterParams

    def apply(self, scenario: Scenario, params: VoicePromoterParams, start_day: int) -> Scenario:  # noqa: D102
        device = Promoters(from_day=start_day, count=params.count, lift=params.lift)
        return replace(scenario, "devices.voice_promoters", device)

    def cost(self, scenario: Scenario, params: VoicePromoterParams) -> Cost:  # noqa: D102
        return Cost(
            one_off=params.count * params.one_off_each, monthly=params.count * params.monthly_each
        )


class TargetedCouponsParams(Frozen):
    """Targeting, value and costs of targeted coupons."""

    segments: list[str] = Field(
        default=["new", "promising", "needs_attention", "at_risk", "hibernating"]
    )
    value_cents: int = Field(1000, gt=0)
    threshold_cents: int = Field(6000, ge=0)
    every_days: int = Field(7, ge=1)
    valid_days: int = Field(7, ge=1)
    response: Share = Field(0.0235, description="Case: member reach, 5.89% click x 39.88% buy.")
    one_off: NonNeg = Field(5000.0, description="Set-up of the campaign tooling.")
    monthly: NonNeg = Field(800.0, description="Platform fee; the coupons' face value is in sales.")


class TargetedCouponsIntervention(Intervention):
    """Coupons issued to members by RFM segment; some come in to use them."""

    name = "targeted_coupons"
    pillar = Pillar.user_interaction
    summary = "Targeted coupons (千人千券) to RFM segments through the marketing center."
    case = "member reach: click 5.89%, purchase 39.88% of clickers; coupon redemption 50-65%"
    Params = TargetedCouponsParams

    def apply(self, scenario: Scenario, params: TargetedCouponsParams, start_day: int) -> Scenario:  # noqa: D102
        coupons = Coupons(
            from_day=start_day,
            **params.model_dump(exclude={"one_off", "monthly"}),
        )
        return replace(scenario, "coupons", coupons)

    def cost(self, scenario: Scenario, params: TargetedCouponsParams) -> Cost:  # noqa: D102
        return Cost(one_off=params.one_off, monthly=params.monthly)


class SignageParams(Frozen):
    """Screens, lift and costs of digital signage."""

    screens: int = Field(4, ge=1, description="Screens, each showing one zone's promotion.")
    lift: NonNeg = Field(
        0.6,
        description="Lift of the impulse pick rate; 0.6 gives the case's +20% sales of the "
        "items on screen in the library supermarket (docs/calibration.md).",
    )
    one_off_each: NonNeg = 4000.0
    monthly_each: NonNeg = 80.0


class SignageIntervention(Intervention):
    """Screens in zones show the promoted items and lift impulse picks."""

    name = "digital_signage"
    pillar = Pillar.facilities
    summary = "Digital signage in zones shows promotions; impulse picks rise nearby."
    case = "targeted in-store ads: +20% vs the channel"
    Params = SignageParams

    def apply(self, scenario: Scenario, params: SignageParams, start_day: int) -> Scenario:  # noqa: D102
        device = Promoters(from_day=start_day, count=params.screens, lift=params.lift)
        return replace(scenario, "devices.signage", device)

    def cost(self, scenario: Scenario, params: SignageParams) -> Cost:  # noqa: D102
        return Cost(
            one_off=params.screens * params.one_off_each,
            monthly=params.screens * params.monthly_each,
        )


def _default_promotions() -> list:
    return [
        _PROMOTION.validate_python(
            {"kind": "spend_save", "threshold_cents": 10000, "save_cents": 2000, "days": 365}
        )
    ]


_PROMOTION = TypeAdapter(PromotionSpec)


class PromotionsParams(Frozen):
    """Promotions to pilot; ``from_day`` counts from the start day.

    Shoppers respond with the scenario's ``marketing.response`` (the defaults
    without a ``marketing:`` block).
    """

    promotions: list[PromotionSpec] = Field(  # type: ignore[valid-type]
        default_factory=_default_promotions,
        min_length=1,
        description="As in a scenario's marketing block; 满100减20 for the whole pilot by default.",
    )
    monthly: NonNeg = Field(0.0, description="Running cost per month beyond each one's cost.")


class PromotionsIntervention(Intervention):
    """The marketing center runs the promotions; the discounts are in the sales."""

    name = "promotions"
    pillar = Pillar.user_interaction
    summary = "Promotions of the marketing center (满减, markdowns, flash sales, gifts...)."
    case = "promotion review: reach, exposure, sales, conversion, repurchase, ROI (DOMAIN.md)"
    Params = PromotionsParams

    def apply(self, scenario: Scenario, params: PromotionsParams, start_day: int) -> Scenario:  # noqa: D102
        shifted = [
            p.model_copy(update={"from_day": p.from_day + start_day}) for p in params.promotions
        ]
        have = scenario.marketing
        before = list(have.promotions) if have else []
        block = Marketing(
            promotions=before + shifted, response=have.response if have else Response()
        )
        return replace(scenario, "marketing", block)

    def cost(self, scenario: Scenario, params: PromotionsParams) -> Cost:  # noqa: D102
        return Cost(one_off=sum(p.cost for p in params.promotions), monthly=params.monthly)
