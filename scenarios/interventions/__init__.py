"""The 5P intervention library: named, parameterised changes to a store with their costs.

``InterventionUse`` is what a scenario lists (name, start day, parameters); the
union is discriminated by name, so an unknown name lists the allowed ones and a
bad parameter is reported with its full path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Union

from pydantic import Field, create_model

from scenarios.base import Day, Frozen
from scenarios.interventions.base import Cost, Intervention, Pillar
from scenarios.interventions.checkout import (
    AIScaleIntervention,
    LossPreventionIntervention,
    SelfCheckoutIntervention,
    SmartCartIntervention,
)
from scenarios.interventions.marketing import (
    PromotionsIntervention,
    SignageIntervention,
    TargetedCouponsIntervention,
    VoicePromoterIntervention,
)
from scenarios.interventions.merchandising import PlacementIntervention
from scenarios.interventions.shelf import (
    EslIntervention,
    ShelfCameraIntervention,
    SmartShelfIntervention,
)
from scenarios.interventions.staffing import ShiftOptimizerIntervention

if TYPE_CHECKING:
    from scenarios.schema import Scenario

REGISTRY: dict[str, Intervention] = {
    i.name: i
    for i in (
        SelfCheckoutIntervention(),
        LossPreventionIntervention(),
        EslIntervention(),
        SmartCartIntervention(),
        SmartShelfIntervention(),
        VoicePromoterIntervention(),
        ShiftOptimizerIntervention(),
        AIScaleIntervention(),
        SignageIntervention(),
        TargetedCouponsIntervention(),
        ShelfCameraIntervention(),
        PlacementIntervention(),
        PromotionsIntervention(),
    )
}


def _use_model(item: Intervention) -> type[Frozen]:
    return create_model(
        f"{type(item).__name__}Use",
        __base__=Frozen,
        __doc__=item.summary,
        name=(Literal[item.name], ...),  # type: ignore[valid-type]
        start_day=(Day, 0),
        params=(item.Params, item.Params()),
    )


_USES = tuple(_use_model(i) for i in REGISTRY.values())
InterventionUse = Annotated[Union[_USES], Field(discriminator="name")]  # type: ignore[valid-type]  # noqa: UP007


def resolve(scenario: Scenario) -> Scenario:
    """The scenario with every listed intervention applied, in order, and the list emptied."""
    sc = scenario
    for use in scenario.interventions:
        sc = REGISTRY[use.name].apply(sc, use.params, use.start_day)
    return sc.model_copy(update={"interventions": []})


def costs(scenario: Scenario) -> dict[str, Cost]:
    """Investment and running cost of each listed intervention, for one store."""
    return {u.name: REGISTRY[u.name].cost(scenario, u.params) for u in scenario.interventions}


__all__ = ["REGISTRY", "Cost", "Intervention", "InterventionUse", "Pillar", "costs", "resolve"]
