"""Merchandising interventions: placement A/B tests (the seeds' 商品上架A/B测试).

"Move snacks to the end-cap" as a pilot: the moves of a ``placement:`` block,
applied in the pilot stores from the pilot's first day, judged against
reference stores like any other intervention.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from scenarios.base import FieldProblem, Frozen, NonNeg, replace
from scenarios.interventions.base import Cost, Intervention, Pillar
from scenarios.placement import Fixture, Move, Placement, check_placement

if TYPE_CHECKING:
    from scenarios.schema import Scenario


class PlacementParams(Frozen):
    """The moves and what a reset of the shelves costs."""

    moves: list[Move] = Field(
        default=[Move(category="snacks", fixture=Fixture.endcap)],
        min_length=1,
        description="Moves as in a placement block; their from_day counts from the start day.",
    )
    one_off_per_move: NonNeg = Field(
        500.0, description="Resetting the shelves, display material and signage, per move."
    )
    monthly_per_endcap: NonNeg = Field(
        0.0, description="Running cost of an end-cap (upkeep; slotting fees would be income)."
    )


class PlacementIntervention(Intervention):
    """Categories or SKUs move to another zone, an end-cap or eye level, or get more facings."""

    name = "placement"
    pillar = Pillar.merchandise
    summary = "Move categories or SKUs to end-caps, eye level, other zones or more facings."
    case = "merchandise presentation: A/B tests of product placement (no case figure)"
    Params = PlacementParams

    def apply(self, scenario: Scenario, params: PlacementParams, start_day: int) -> Scenario:  # noqa: D102
        moves = [m.model_copy(update={"from_day": start_day + m.from_day}) for m in params.moves]
        old = scenario.placement
        block = (
            Placement(moves=moves)
            if old is None
            else old.model_copy(update={"moves": [*old.moves, *moves]})
        )
        sc = replace(scenario, "placement", block)
        try:
            check_placement(sc)
        except FieldProblem as exc:
            raise ValueError(
                f"intervention placement in {scenario.id}: {exc.path}: {exc.message}"
            ) from None
        return sc

    def cost(self, scenario: Scenario, params: PlacementParams) -> Cost:  # noqa: D102
        endcaps = sum(m.fixture is Fixture.endcap for m in params.moves)
        return Cost(
            one_off=len(params.moves) * params.one_off_per_move,
            monthly=endcaps * params.monthly_per_endcap,
        )
