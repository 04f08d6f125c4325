"""In-store marketing interventions: voice promotion robots and digital signage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from scenarios.base import Frozen, NonNeg, replace
from scenarios.features import Promoters
from scenarios.interventions.base import Cost, Intervention, Pillar

if TYPE_CHECKING:
    from scenarios.schema import Scenario


class VoicePromoterParams(Frozen):
    """Robots, lift and costs of voice promotion."""

    count: int = Field(2, ge=1, description="Robots, each at one promoted SKU.")
    lift: NonNeg = Field(
        2.2,
        description="Lift of the impulse pick rate; 2.2 gives the case's +94% item sales "
        "in the library supermarket (docs/calibration.md).",
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


class SignageParams(Frozen):
    """Screens, lift and costs of digital signage."""

    screens: int = Field(4, ge=1, description="Screens, each showing one zone's promotion.")
    lift: NonNeg = Field(
        0.4,
        description="Lift of the impulse pick rate; 0.4 gives the case's +20% sales of the "
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
