"""What every intervention is: a named, parameterised change to a store plus its cost model."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from scenarios.base import Frozen, NonNeg
from scenarios.staffing import Role, Shift, Staff

if TYPE_CHECKING:
    from scenarios.schema import Scenario


class Pillar(StrEnum):
    """The 5P model of store digital scenarios (DOMAIN.md section 2)."""

    user_interaction = "user interaction"
    staff_enablement = "staff enablement"
    supply_chain = "supply chain efficiency"
    merchandise = "merchandise presentation"
    facilities = "facilities"


class Cost(Frozen):
    """What the intervention costs one store, in the scenario's currency."""

    one_off: NonNeg = Field(description="Investment: hardware, installation, set-up.")
    monthly: NonNeg = Field(description="Running cost: licences, maintenance, consumables.")


class Intervention:
    """Base of the library's interventions; each subclass sets the class attributes.

    ``apply`` is a pure change of the scenario (devices, options and roster from
    the start day), so a planner could write the same into a YAML file by hand.
    """

    name: ClassVar[str]
    pillar: ClassVar[Pillar]
    summary: ClassVar[str]
    case: ClassVar[str]
    Params: ClassVar[type[Frozen]]

    def apply(self, scenario: Scenario, params: Frozen, start_day: int) -> Scenario:
        """The scenario with this intervention in place from ``start_day``."""
        raise NotImplementedError

    def cost(self, scenario: Scenario, params: Frozen) -> Cost:
        """Investment and running cost for one store."""
        raise NotImplementedError


def change_role_count(staff: Staff, role: Role, delta: int, start_day: int) -> Staff:
    """Add ``delta`` people (negative removes, never below one) to each shift of ``role``.

    Shifts that started before ``start_day`` are split so earlier days keep their count.
    """
    shifts: list[Shift] = []
    for s in staff.shifts:
        ends_before = s.until_day is not None and s.until_day <= start_day
        if s.role is not role or ends_before:
            shifts.append(s)
            continue
        changed = max(1, s.count + delta)
        if s.from_day >= start_day:
            shifts.append(s.model_copy(update={"count": changed}))
        else:
            shifts.append(s.model_copy(update={"until_day": start_day}))
            shifts.append(s.model_copy(update={"from_day": start_day, "count": changed}))
    return staff.model_copy(update={"shifts": shifts})
