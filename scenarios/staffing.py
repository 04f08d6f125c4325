"""Staff: who works when, what they cost, and the policies they follow."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from scenarios.base import Day, Frozen, NonNeg, Pos, Share, check_clock, clock_seconds


class Role(StrEnum):
    """Store roles with their own shifts and wage."""

    cashier = "cashier"
    restocker = "restocker"
    picker = "picker"
    associate = "associate"
    manager = "manager"


class Shift(Frozen):
    """``count`` people of one role working from ``start`` to ``end`` on the days given."""

    role: Role
    start: str = Field(description="'HH:MM'")
    end: str = Field(description="'HH:MM' ('24:00' for midnight)")
    count: int = Field(1, ge=1, le=200)
    from_day: Day = 0
    until_day: int | None = Field(None, ge=1, description="First day it no longer applies.")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str:
        return check_clock(value)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if clock_seconds(self.end) <= clock_seconds(self.start):
            raise ValueError(f"shift end {self.end!r} must be after start {self.start!r}")
        if self.until_day is not None and self.until_day <= self.from_day:
            raise ValueError("until_day must be after from_day")
        return self

    @property
    def hours(self) -> float:
        """Paid hours of one person on one day."""
        return (clock_seconds(self.end) - clock_seconds(self.start)) / 3600

    def on(self, day: int) -> bool:
        """Whether this shift is worked on ``day``."""
        return day >= self.from_day and (self.until_day is None or day < self.until_day)


class CashierPolicy(Frozen):
    """When cashiers open and close staffed lanes.

    ``fixed`` keeps one lane open per cashier on shift; ``observed`` reads the
    queue from the store's queue sensor (people counter or camera) and
    ``oracle`` reads the true queue, so the cost of sensor error is measurable.
    """

    mode: Literal["fixed", "observed", "oracle"] = "observed"
    open_above: Pos = Field(
        3.0, description="Open a lane when waiting shoppers per open lane exceed this."
    )
    close_below: NonNeg = Field(1.0, description="Close one when they fall below this.")
    check_every_s: Pos = 120.0
    min_open: int = Field(1, ge=1)
    off_till_value: Share = Field(
        0.0,
        description="Share of a rostered cashier's time away from a till that the store does "
        "not pay for or gets back as other work (restocking, online picking): 0 = idle paid "
        "time of a fixed roster, so opening a lane costs nothing; 1 = an on-call roster that "
        "pays only till time, so every lane-hour opened costs a cashier's wage.",
    )

    @model_validator(mode="after")
    def _band(self) -> Self:
        if self.close_below >= self.open_above:
            raise ValueError("close_below must be below open_above")
        return self


class RestockPolicy(Frozen):
    """How shelves are refilled from the back room during the day."""

    mode: Literal["patrol", "alerts"] = Field(
        "patrol",
        description="'patrol' walks the aisles in rounds; 'alerts' also answers shelf alerts.",
    )
    patrol_every_min: Pos = 90.0
    refill_below: Share = Field(
        0.3, description="Refill a facing found below this share of capacity."
    )
    s_per_facing: Pos = Field(
        25.0, description="Time to refill one facing, walking to it excluded."
    )
    alert_poll_s: Pos = Field(180.0, description="How often a restocker checks for shelf alerts.")


class Staff(Frozen):
    """The roster, hourly wages and the policies staff follow."""

    shifts: list[Shift] = Field(default_factory=list)
    wages: dict[Role, Pos] = Field(
        default={
            Role.cashier: 28.0,
            Role.restocker: 25.0,
            Role.picker: 25.0,
            Role.associate: 25.0,
            Role.manager: 50.0,
        },
        description="Cost of one paid hour per role, in the scenario's currency.",
    )
    cashiers: CashierPolicy = CashierPolicy()
    restock: RestockPolicy = RestockPolicy()
    label_update_lag_h: Pos = Field(
        6.0, description="Mean hours until staff replace a paper label after a price change."
    )
    label_change_s: NonNeg = Field(
        120.0,
        description="Paid staff seconds per paper label replaced: print, walk, swap, check "
        "(docs/calibration.md; Levy et al. 1997 measured the cost of a shelf price change).",
    )

    @field_validator("wages")
    @classmethod
    def _all_roles(cls, value: dict[Role, float]) -> dict[Role, float]:
        missing = [r.value for r in Role if r not in value]
        if missing:
            raise ValueError(f"needs a wage for every role; missing {missing}")
        return value

    def on_shift(self, role: Role, day: int, t_of_day: float) -> int:
        """People of ``role`` working at second ``t_of_day`` of ``day``."""
        return sum(
            s.count
            for s in self.shifts
            if s.role is role
            and s.on(day)
            and clock_seconds(s.start) <= t_of_day < clock_seconds(s.end)
        )
