"""The pilot file: what HQ wants to try, where, for how long, and how it will decide.

Frozen pydantic models with ``extra="forbid"`` like scenarios, so a typo in a
pilot file is an error naming the field instead of a silently ignored setting.
What can only be checked against the chain (store ids, enough stores) is checked
when the file is loaded (``scenarios.pilot.loader``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from scenarios.base import Frozen, Id, NonNeg, Pos, Share, StoreFormat
from scenarios.interventions import InterventionUse
from scenarios.pilot.kpis import DRIVERS, Kpi


class ChainSource(Frozen):
    """The chain the pilot runs in: a scenario with a ``chain:`` block, plus changes."""

    scenario: str | dict[str, Any] = Field(
        description="Library id, YAML path (relative to the pilot file) or an inline scenario."
    )
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="Dotted-path changes applied to the scenario, as `storetwin run --set`.",
    )


class Stores(Frozen):
    """Which stores may take part, how many pilot stores, and how references are matched."""

    formats: list[StoreFormat] = Field(
        default=[StoreFormat.supermarket],
        min_length=1,
        description="Store formats that may be pilot or reference stores.",
    )
    candidates: list[str] = Field(
        default_factory=list,
        description="Store ids HQ proposes as pilot stores (default: every eligible store).",
    )
    pilot: int = Field(3, ge=1, le=100, description="Pilot stores, drawn at random from these.")
    references_per_pilot: int = Field(2, ge=1, le=10)
    match_on: list[Kpi] = Field(
        default=[Kpi.sales, Kpi.transactions, Kpi.contribution],
        min_length=1,
        description="Pre-period KPIs (store means) references are matched on, with the "
        "store's attributes (traffic, lanes, member share, region).",
    )
    region_weight: NonNeg = Field(
        0.5, description="Distance added when a reference is in another region."
    )


class Periods(Frozen):
    """Days before the intervention (history) and days with it."""

    pre_days: int = Field(14, ge=4, le=365)
    pilot_days: int = Field(14, ge=2, le=365)

    @property
    def horizon(self) -> int:
        """Days every store is simulated: pre-period then pilot period."""
        return self.pre_days + self.pilot_days


class Costs(Frozen):
    """Per-store costs; each one left out comes from the intervention's cost model."""

    one_off: NonNeg | None = Field(None, description="Investment per store.")
    monthly: NonNeg | None = Field(None, description="Running cost per store and month.")


class Finance(Frozen):
    """How money over time is valued."""

    discount_rate: Share = Field(0.08, description="Annual discount rate for the NPV.")
    horizon_months: int = Field(36, ge=1, le=120, description="Months the ROI and NPV cover.")


class DecisionRule(Frozen):
    """When to roll out: a gain on the decision KPI that is sure enough, and a quick payback."""

    kpi: Kpi = Field(Kpi.contribution, description="The KPI whose lift decides.")
    min_gain: float = Field(
        0.0,
        description="The CI bound on the bad side must be past this gain (KPI units per "
        "store-day; a fall for KPIs where lower is better).",
    )
    max_payback_months: Pos = 18.0
    alpha: Share = Field(0.05, gt=0, lt=0.5, description="1 - confidence level of the CIs.")
    max_std_diff: Pos = Field(
        0.25,
        description="Largest standardised difference (pilot - reference, pre-period) on the "
        "decision KPI that still counts as balanced.",
    )
    allow_underpowered: bool = Field(
        False,
        description="Let a pilot roll out although it was under-powered or unbalanced on the "
        "decision KPI; the warnings stay in the report.",
    )


class Rollout(Frozen):
    """Which formats the chain-wide roll-out projection covers."""

    extrapolate_formats: bool = Field(
        False,
        description="Also project formats the pilot did not cover, from the twin's quick "
        "estimate (step 2), marked as an extrapolation; by default they are only listed.",
    )


class EstimateSpec(Frozen):
    """The quick twin run of step 2: one typical store per format, with and without."""

    days: int = Field(3, ge=1, le=28)


class Covariate(StrEnum):
    """A store-day figure HQ observes that the intervention cannot change."""

    door_count = "door_count"
    """Footfall counted by the door's people counter: shoppers come in before any checkout."""


class EvaluateSpec(Frozen):
    """How step 5 (and step 3's power analysis, which must match it) estimates the lift."""

    adjust_for: list[Covariate] = Field(
        default=[],
        description="Covariates added to the store and day effects of the difference-in-"
        "differences regression (regression adjustment): a busy day then no longer reads as "
        "a lift, so the MDE falls. Only figures the intervention cannot change.",
    )


class PilotSpec(Frozen):
    """A pilot of an intervention (or a bundle) in a chain, against comparable reference stores."""

    id: Id
    version: int = Field(1, ge=1)
    name: str = Field(min_length=1, max_length=160)
    description: str = ""
    seed: int = Field(0, ge=0, description="Run seed of every store (common random numbers).")
    chain: ChainSource
    interventions: list[InterventionUse] = Field(
        min_length=1,
        description="What the pilot stores get from the start day: one intervention, or a "
        "bundle tried together (e.g. ESL with smart shelves). A bare name takes the defaults.",
    )
    stores: Stores = Stores()
    periods: Periods = Periods()
    kpis: list[Kpi] = Field(
        default=[
            Kpi.contribution,
            Kpi.gross_margin,
            Kpi.sales,
            Kpi.labour_cost,
            Kpi.shrink_value,
            Kpi.queue_wait_p95_s,
            Kpi.satisfaction,
        ],
        min_length=1,
        description="KPIs that count; the decision KPI, its drivers and satisfaction are "
        "always evaluated too.",
    )
    costs: Costs = Costs()
    finance: Finance = Finance()
    decision: DecisionRule = DecisionRule()
    rollout: Rollout = Rollout()
    estimate: EstimateSpec = EstimateSpec()
    evaluate: EvaluateSpec = EvaluateSpec()

    @field_validator("interventions", mode="before")
    @classmethod
    def _bare_names(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        if any(isinstance(v, dict) and "start_day" in v for v in value):
            raise ValueError("start_day is set by periods.pre_days; leave it out")
        return [{"name": v} if isinstance(v, str) else v for v in value]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [u.name for u in self.interventions]
        if len(set(names)) != len(names):
            raise ValueError(f"interventions lists one twice: {names}")
        if len(set(self.stores.candidates)) != len(self.stores.candidates):
            raise ValueError(f"stores.candidates has duplicates: {self.stores.candidates}")
        if self.stores.candidates and self.stores.pilot > len(self.stores.candidates):
            raise ValueError(
                f"stores.pilot = {self.stores.pilot} but only "
                f"{len(self.stores.candidates)} candidates are listed"
            )
        return self

    @property
    def versioned_id(self) -> str:
        """The pilot's id with its version, e.g. ``self_checkout-v1``."""
        return f"{self.id}-v{self.version}"

    @property
    def label(self) -> str:
        """The intervention's name, or the bundle's names joined by "+"."""
        return "+".join(u.name for u in self.interventions)

    @property
    def covariates(self) -> list[str]:
        """The regression's covariates as columns of the twin's daily table."""
        return [c.value for c in self.evaluate.adjust_for]

    @property
    def evaluated(self) -> list[Kpi]:
        """The KPIs that count, then the decision KPI, contribution, its drivers, satisfaction.

        Contribution is there whether the file asks for it or not: ROI and payback are
        priced on it.
        """
        extra = [self.decision.kpi, Kpi.contribution, *DRIVERS, Kpi.satisfaction]
        return list(dict.fromkeys([*self.kpis, *extra]))
