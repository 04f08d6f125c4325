"""Checkout interventions: self-checkout, AI loss prevention, smart carts, AI scales."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from scenarios.base import Frozen, NonNeg, Pos, Share, replace
from scenarios.features import AIScale, LossPrevention, SelfCheckout, SmartCarts
from scenarios.interventions.base import Cost, Intervention, Pillar, change_role_count
from scenarios.staffing import Role

if TYPE_CHECKING:
    from scenarios.schema import Scenario


class SelfCheckoutParams(Frozen):
    """Stations, cashiers freed and costs of self-checkout."""

    stations: int = Field(4, ge=1, le=40)
    cashiers_saved: int = Field(1, ge=0, description="Cashiers taken off each cashier shift.")
    theft_share: Share = Field(0.02, description="Shoppers who deliberately skip items.")
    one_off_per_station: NonNeg = 35000.0
    monthly_per_station: NonNeg = 400.0


class SelfCheckoutIntervention(Intervention):
    """Self-service tills with one shared queue; frees cashiers, opens a door to theft."""

    name = "self_checkout"
    pillar = Pillar.facilities
    summary = "Self-checkout stations with a shared queue; cashiers freed from the roster."
    case = "AI self-checkout terminal (food): checkout efficiency +30%, labour -50..70%"
    Params = SelfCheckoutParams

    def apply(self, scenario: Scenario, params: SelfCheckoutParams, start_day: int) -> Scenario:  # noqa: D102
        sco = SelfCheckout(
            from_day=start_day, stations=params.stations, theft_share=params.theft_share
        )
        sc = replace(scenario, "checkout.self_checkout", sco)
        staff = change_role_count(sc.staff, Role.cashier, -params.cashiers_saved, start_day)
        return replace(sc, "staff", staff)

    def cost(self, scenario: Scenario, params: SelfCheckoutParams) -> Cost:  # noqa: D102
        return Cost(
            one_off=params.stations * params.one_off_per_station,
            monthly=params.stations * params.monthly_per_station,
        )


class LossPreventionParams(Frozen):
    """Detection quality and costs of the AI loss-prevention camera."""

    detect_rate: Share = Field(0.85, description="Share of unscanned items flagged.")
    false_alarm_rate: Share = Field(0.02, description="Share of honest transactions flagged.")
    one_off: NonNeg = 20000.0
    monthly: NonNeg = 600.0


class LossPreventionIntervention(Intervention):
    """A camera over the self-checkout flags items that leave unscanned."""

    name = "ai_loss_prevention"
    pillar = Pillar.facilities
    summary = "AI camera over self-checkout flags unscanned items; staff recover them."
    case = "self-checkout AI loss prevention: cases found x10, recovered x20, theft loss -80%"
    Params = LossPreventionParams

    def apply(self, scenario: Scenario, params: LossPreventionParams, start_day: int) -> Scenario:  # noqa: D102
        if scenario.checkout.self_checkout is None:
            raise ValueError("ai_loss_prevention watches self-checkout: add self_checkout first")
        lp = LossPrevention(
            from_day=start_day,
            detect_rate=params.detect_rate,
            false_alarm_rate=params.false_alarm_rate,
        )
        return replace(scenario, "checkout.loss_prevention", lp)

    def cost(self, scenario: Scenario, params: LossPreventionParams) -> Cost:  # noqa: D102
        return Cost(one_off=params.one_off, monthly=params.monthly)


class SmartCartParams(Frozen):
    """Fleet, uptake, cashiers freed and costs of smart carts."""

    fleet: int = Field(30, ge=1)
    adoption: Share = Field(0.486, description="Case: 48.6% of visitors use one.")
    offer_lift: NonNeg = Field(
        3.5,
        description="Impulse lift of on-screen offers; 3.5 gives the case's basket +4% "
        "(docs/calibration.md).",
    )
    cashiers_saved: int = Field(1, ge=0)
    one_off_per_cart: NonNeg = 6000.0
    monthly_per_cart: NonNeg = 50.0


class SmartCartIntervention(Intervention):
    """Carts that scan as shoppers go and let them skip the lanes."""

    name = "smart_cart"
    pillar = Pillar.user_interaction
    summary = "Smart carts: self-scan while shopping, offers on screen, pay on the cart."
    case = "smart shopping cart: 48.6% of visitors use it, 6 cashiers saved, basket +4%"
    Params = SmartCartParams

    def apply(self, scenario: Scenario, params: SmartCartParams, start_day: int) -> Scenario:  # noqa: D102
        carts = SmartCarts(
            from_day=start_day,
            fleet=params.fleet,
            adoption=params.adoption,
            offer_lift=params.offer_lift,
        )
        sc = replace(scenario, "checkout.smart_carts", carts)
        staff = change_role_count(sc.staff, Role.cashier, -params.cashiers_saved, start_day)
        return replace(sc, "staff", staff)

    def cost(self, scenario: Scenario, params: SmartCartParams) -> Cost:  # noqa: D102
        return Cost(
            one_off=params.fleet * params.one_off_per_cart,
            monthly=params.fleet * params.monthly_per_cart,
        )


class AIScaleParams(Frozen):
    """Recognition quality and costs of AI scales at every till."""

    accuracy: Share = Field(0.99, description="Case: AI scale, 99%+ recognition.")
    s_per_item: Pos = 1.0
    one_off_per_scale: NonNeg = 6000.0
    monthly_per_scale: NonNeg = 80.0


class AIScaleIntervention(Intervention):
    """Produce is recognised on the scale instead of a manual code lookup."""

    name = "ai_scale"
    pillar = Pillar.facilities
    summary = "AI scales recognise produce at the till: faster weighing, fewer wrong codes."
    case = "AI scale: 99%+ recognition, no separate weigh-and-label step"
    Params = AIScaleParams

    def apply(self, scenario: Scenario, params: AIScaleParams, start_day: int) -> Scenario:  # noqa: D102
        scale = AIScale(from_day=start_day, accuracy=params.accuracy, s_per_item=params.s_per_item)
        return replace(scenario, "devices.ai_scale", scale)

    def cost(self, scenario: Scenario, params: AIScaleParams) -> Cost:  # noqa: D102
        sco = scenario.checkout.self_checkout
        scales = scenario.checkout.lanes + (sco.stations if sco else 0)
        return Cost(
            one_off=scales * params.one_off_per_scale, monthly=scales * params.monthly_per_scale
        )
