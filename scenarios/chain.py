"""Chains of stores and what-if variants: many stores (or versions of one) from one scenario.

A ``chain:`` block turns one scenario into N stores that differ the way real
stores of a chain do (format, traffic, region, members, staffing), all drawn
from the chain's own seed, so pilots have comparable and non-comparable stores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from pydantic import Field, model_validator

from scenarios.base import Frozen, Id, NonNeg, Share, StoreFormat

if TYPE_CHECKING:
    from scenarios.schema import Scenario


class ChainSpec(Frozen):
    """How many stores, of which formats, and how much they differ."""

    stores: int = Field(ge=1, le=1000)
    seed: int = Field(1, ge=0, description="Seed of the chain's make-up; fixed across run seeds.")
    formats: dict[StoreFormat, Share] = Field(
        default={StoreFormat.supermarket: 1.0},
        description="Share of stores per format; other formats use the library's scenario. "
        "In a scenario, a chain that names none is all of the scenario's own format.",
    )
    traffic_sd: NonNeg = Field(0.25, description="Sd of the log traffic level across stores.")
    regions: list[Id] = Field(default=["north", "south", "east", "west"], min_length=1)
    region_traffic_sd: NonNeg = Field(0.1, description="Sd of the log traffic level by region.")
    member_share_sd: NonNeg = Field(0.05, description="Sd of the member share across stores.")
    staff_sd: NonNeg = Field(0.15, description="Sd of the relative staffing level across stores.")
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="Dotted-path changes for every store, also those of other formats "
        "(--set and --param on a chain record theirs here).",
    )

    @model_validator(mode="after")
    def _shares(self) -> Self:
        total = sum(self.formats.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"formats shares must sum to 1, got {total:g}")
        return self


class Variant(Frozen):
    """A named set of overrides (dotted paths) to compare against the base scenario."""

    name: Id
    set: dict[str, Any] = Field(min_length=1)


class WhatIf(Frozen):
    """Variants a planner wants side by side with the base, run with common random numbers."""

    variants: list[Variant] = Field(min_length=1)


@dataclass(frozen=True)
class StoreSpec:
    """One store of a chain: its id, index (for its random streams), region and scenario."""

    store_id: str
    index: int
    region: str
    scenario: Scenario


def expand(scenario: Scenario) -> list[StoreSpec]:
    """The stores of a scenario: one store, or the ``chain:`` block's N stores."""
    return expand_noting(scenario)[0]


def expand_noting(scenario: Scenario) -> tuple[list[StoreSpec], list[str]]:
    """The stores, and a note for each chain override some stores could not take, and why."""
    if scenario.chain is None:
        return [StoreSpec("S001", 0, "", scenario)], []
    spec = scenario.chain
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(0xC4A1,)))
    formats = list(spec.formats)
    region_level = {r: float(rng.normal(0.0, spec.region_traffic_sd)) for r in spec.regions}
    base = scenario.model_copy(update={"chain": None, "what_if": None})
    templates: dict[StoreFormat, tuple[Scenario, dict[str, str]]] = {}
    stores = []
    for i in range(spec.stores):
        fmt = formats[int(rng.choice(len(formats), p=list(spec.formats.values())))]
        if fmt not in templates:
            templates[fmt] = (base, {}) if fmt is scenario.format else _template(fmt, base, spec)
        template = templates[fmt][0]
        region = spec.regions[int(rng.integers(len(spec.regions)))]
        traffic = math.exp(float(rng.normal(0.0, spec.traffic_sd)) + region_level[region])
        members = float(rng.normal(0.0, spec.member_share_sd))
        staffing = math.exp(float(rng.normal(0.0, spec.staff_sd)))
        stores.append(
            StoreSpec(
                store_id=f"S{i + 1:03d}",
                index=i,
                region=region,
                scenario=_vary(template, traffic, members, staffing),
            )
        )
    notes = []
    for fmt, (_, refused) in templates.items():
        ids = ", ".join(s.store_id for s in stores if s.scenario.format is fmt)
        for path, why in refused.items():
            notes.append(f"{path} not applied to the {fmt.value} stores ({ids}): {why}")
    return stores, notes


def _template(
    fmt: StoreFormat, chain_base: Scenario, spec: ChainSpec
) -> tuple[Scenario, dict[str, str]]:
    """Another format's library store with the chain's interventions, start date and overrides.

    Returns the store and, for each override it could not take, the reason.
    """
    from scenarios.loader import ScenarioError, load  # the library holds the other formats
    from scenarios.overrides import apply

    sc = load(fmt.value).model_copy(
        update={"interventions": chain_base.interventions, "start_date": chain_base.start_date}
    )
    refused = {}
    for path, value in spec.overrides.items():
        try:
            sc = apply(sc, {path: value}, source="chain.overrides")
        except ScenarioError as exc:
            refused[path] = "; ".join(str(p) for p in exc.problems)
    return sc, refused


def _vary(sc: Scenario, traffic: float, members: float, staffing: float) -> Scenario:
    arrivals = sc.arrivals.model_copy(
        update={"traffic_factor": sc.arrivals.traffic_factor * traffic}
    )
    share = min(max(sc.shoppers.member_share + members, 0.0), 1.0)
    shoppers = sc.shoppers.model_copy(update={"member_share": share})
    shifts = [
        s.model_copy(update={"count": max(1, round(s.count * staffing * traffic))})
        for s in sc.staff.shifts
    ]
    staff = sc.staff.model_copy(update={"shifts": shifts})
    return sc.model_copy(update={"arrivals": arrivals, "shoppers": shoppers, "staff": staff})


def describe(stores: list[StoreSpec]) -> list[dict[str, Any]]:
    """One row of attributes per store, for listings and reference-store matching."""
    return [
        {
            "store_id": s.store_id,
            "format": s.scenario.format.value,
            "region": s.region,
            "traffic_factor": round(s.scenario.arrivals.traffic_factor, 4),
            "daily_visitors": round(
                s.scenario.arrivals.daily_visitors * s.scenario.arrivals.traffic_factor, 1
            ),
            "member_share": round(s.scenario.shoppers.member_share, 4),
            "lanes": s.scenario.checkout.lanes,
        }
        for s in stores
    ]
