"""Placement as data: where a category or SKU stands, on which fixture, with how many facings.

A scenario's ``placement:`` block lists moves (the seeds' 商品上架 A/B tests:
"move snacks to the end-cap"). The twin walks shoppers to where things are,
counts who passes each display (``twin.hotzones``) and lets a display raise the
chance of an unplanned pick by the factors below (docs/calibration.md, section
"Placement").
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Self

from pydantic import Field, model_validator

from scenarios.base import Day, FieldProblem, Frozen, Id, NonNeg, Pos

if TYPE_CHECKING:
    from scenarios.schema import Scenario


class Fixture(StrEnum):
    """Where on the floor a placed item stands.

    ``shelf`` is an ordinary facing in an aisle, ``eye_level`` the same aisle at
    the shelf height shoppers see first, ``endcap`` the display at the head of an
    aisle, facing a cross aisle that most shoppers walk along.
    """

    shelf = "shelf"
    eye_level = "eye_level"
    endcap = "endcap"


class Move(Frozen):
    """One category or SKU moved to another zone, fixture or number of facings."""

    category: Id | None = Field(None, description="Category moved (this or sku).")
    sku: str | None = Field(None, description="SKU code moved, e.g. SNA0003 (this or category).")
    zone: Id | None = Field(None, description="Zone id it moves to; its own zone if unset.")
    fixture: Fixture = Field(Fixture.shelf, description="shelf, eye_level or endcap.")
    end: Literal["front", "back"] = Field(
        "front", description="For an endcap: the aisle's head on the front or the back cross aisle."
    )
    facings: float = Field(
        1.0, gt=0, le=10, description="Shelf space relative to today's (2 = twice the facings)."
    )
    from_day: Day = 0

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.category is None) == (self.sku is None):
            raise FieldProblem(
                "category", self.category, "name exactly one of category or sku to move"
            )
        return self


class Placement(Frozen):
    """Moves of categories and SKUs, and how displays change what shoppers pick."""

    moves: list[Move] = Field(min_length=1, description="The moves, applied from their from_day.")
    reach_m: Pos = Field(
        1.5, description="A shopper within this distance of a display passes it (is exposed)."
    )
    endcap_lift: NonNeg = Field(
        0.7,
        description="Extra unplanned picks of an end-cap's items per passer-by, as a share of "
        "the units an average shopper has planned of them (fitted: docs/calibration.md).",
    )
    eye_level_lift: NonNeg = Field(
        0.6,
        description="The same for items at eye level, per shopper walking their stretch of "
        "aisle (model choice, figure to confirm: docs/calibration.md).",
    )
    facings_elasticity: NonNeg = Field(
        0.17, description="Sales elasticity of shelf space (Eisend 2014 meta-analysis: 0.17)."
    )

    def lift(self, move: Move) -> float:
        """Extra picks per passer-by of the move's display, per planned unit per shopper.

        A display multiplies what a passer-by takes by ``1 + lift`` of its fixture and
        by the facings to the power of the space elasticity; the lists already hold the
        plain shelf's share, so only the part above one is drawn. Fewer facings
        draw nothing: they only make the shelf empty sooner.
        """
        base = {
            Fixture.shelf: 0.0,
            Fixture.eye_level: self.eye_level_lift,
            Fixture.endcap: self.endcap_lift,
        }[move.fixture]
        return max((1.0 + base) * move.facings**self.facings_elasticity - 1.0, 0.0)


def check_placement(scenario: Scenario) -> None:
    """Check every move against the store: zones, categories and SKUs that exist.

    Raises:
        FieldProblem: naming ``placement.moves.<i>.<field>`` and the allowed values.
    """
    placement = scenario.placement
    if placement is None:
        return
    zones = [z.id for z in scenario.layout.zones]
    cats = {c.name: c.skus for c in scenario.catalog.categories}
    for i, move in enumerate(placement.moves):
        at = f"placement.moves[{i}]"
        if move.zone is not None and move.zone not in zones:
            raise FieldProblem(
                f"{at}.zone", move.zone, f"no such zone; allowed zones: {', '.join(zones)}"
            )
        if move.category is not None and move.category not in cats:
            raise FieldProblem(
                f"{at}.category",
                move.category,
                f"no such category; allowed categories: {', '.join(cats)}",
            )
        if move.sku is not None and move.sku not in sku_codes(scenario):
            first = {
                name: f"{code}0001..{code}{cats[name]:04d}" for name, code in _prefixes(scenario)
            }
            shown = ", ".join(f"{n}: {r}" for n, r in first.items())
            raise FieldProblem(f"{at}.sku", move.sku, f"no such SKU in the catalog ({shown})")


def sku_codes(scenario: Scenario) -> set[str]:
    """Every SKU code of the scenario's catalogue (as ``twin.catalog`` names them)."""
    cats = {c.name: c.skus for c in scenario.catalog.categories}
    return {f"{code}{i + 1:04d}" for name, code in _prefixes(scenario) for i in range(cats[name])}


def _prefixes(scenario: Scenario) -> list[tuple[str, str]]:
    # The catalogue owns SKU naming; imported here, when a SKU is checked, not at import time.
    from twin.catalog import sku_prefixes

    return list(sku_prefixes([c.name for c in scenario.catalog.categories]).items())
