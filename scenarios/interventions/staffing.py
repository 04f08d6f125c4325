"""Staff interventions: a roster built from the traffic forecast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from scenarios.base import Frozen, NonNeg, Share, replace
from scenarios.demand import cashiers_needed
from scenarios.interventions.base import Cost, Intervention, Pillar
from scenarios.staffing import Role, Shift

if TYPE_CHECKING:
    from scenarios.schema import Scenario


class ShiftOptimizerParams(Frozen):
    """Target till utilisation, shift length and cost of the shift optimiser."""

    utilisation: Share = Field(0.85, gt=0, description="Target share of a cashier's time busy.")
    block_h: int = Field(3, ge=2, le=12, description="Length of the shifts it plans.")
    monthly: NonNeg = 1500.0


class ShiftOptimizerIntervention(Intervention):
    """Cashier shifts follow forecast traffic instead of a flat roster."""

    name = "shift_optimizer"
    pillar = Pillar.staff_enablement
    summary = "Cashier roster planned from forecast traffic in short shifts (flexible staffing)."
    case = "virtual store manager: staff/security cost -20%"
    Params = ShiftOptimizerParams

    def apply(self, scenario: Scenario, params: ShiftOptimizerParams, start_day: int) -> Scenario:  # noqa: D102
        need = cashiers_needed(scenario, params.utilisation)
        kept = [
            s if s.role is not Role.cashier else s.model_copy(update={"until_day": start_day})
            for s in scenario.staff.shifts
            if s.role is not Role.cashier or s.from_day < start_day
        ]
        planned = []
        for start in range(0, 24, params.block_h):
            count = int(need[start : start + params.block_h].max())
            if count:
                end = min(start + params.block_h, 24)
                planned.append(
                    Shift(
                        role=Role.cashier,
                        start=f"{start:02d}:00",
                        end=f"{end:02d}:00",
                        count=count,
                        from_day=start_day,
                    )
                )
        return replace(scenario, "staff.shifts", kept + planned)

    def cost(self, scenario: Scenario, params: ShiftOptimizerParams) -> Cost:  # noqa: D102
        return Cost(one_off=0.0, monthly=params.monthly)
