"""The ``marketing:`` block: the marketing center's promotions, and how shoppers respond.

Each promotion is one of the center's ``PromotionKind`` kinds with that kind's
rule fields exactly as ``services.schemas`` defines them (``threshold_cents``,
``save_cents``, ``skus``, ...), plus when and where it runs. The twin creates it
through ``StoreClient`` at the start of its window, so the real pricing engine
prices every basket. Gift kinds (spend_get_coupon, pay_gift, visit_gift) name no
``template_id``: they carry the ``coupon`` they hand out, and the twin creates
its template first.

The response parameters are documented with their sources in docs/calibration.md
("Promotion responses").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self, Union

from pydantic import Field, ValidationError, create_model, field_validator, model_validator

from scenarios.base import Day, FieldProblem, Frozen, NonNeg, Pos, Share, check_clock, clock_seconds
from services.schemas import (
    Bundle,
    CouponKind,
    FlashSale,
    Markdown,
    PayGift,
    PromotionKind,
    SpendGetCoupon,
    SpendPercent,
    SpendSave,
    VisitGift,
)

RULES = (SpendSave, SpendPercent, Markdown, FlashSale, Bundle, SpendGetCoupon, PayGift, VisitGift)
"""The services' rule schemas, one per ``PromotionKind``."""

GIFT_KINDS = frozenset(
    {PromotionKind.spend_get_coupon, PromotionKind.pay_gift, PromotionKind.visit_gift}
)


class Hours(Frozen):
    """Part of each day the promotion runs (a flash sale's hour, say)."""

    start: str = Field(description="'HH:MM' the promotion starts each day of its window.")
    end: str = Field(description="'HH:MM' it ends each day.")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str:
        return check_clock(value)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if clock_seconds(self.end) <= clock_seconds(self.start):
            raise FieldProblem("end", self.end, f"must be after start {self.start!r}")
        return self


class GiftCoupon(Frozen):
    """The coupon a gift promotion hands out (a coupon template of the marketing center)."""

    kind: CouponKind = CouponKind.amount
    value: int = Field(gt=0, le=10**9, description="Cents off, or percent off (1..90).")
    threshold_cents: int = Field(0, ge=0, description="Spend needed to use it.")
    valid_days: int = Field(7, ge=1, le=3650)

    @model_validator(mode="after")
    def _percent(self) -> Self:
        if self.kind == CouponKind.percent and self.value > 90:
            raise FieldProblem("value", self.value, "a percent coupon takes at most 90 off")
        return self


class PromotionBase(Frozen):
    """When and where a promotion runs; the kind's rule fields are added per kind."""

    name: str | None = Field(
        None, max_length=120, description="Shown in reviews; '<kind>-<n>' by default."
    )
    from_day: Day = 0
    days: int = Field(1, ge=1, description="Days it runs from from_day.")
    hours: Hours | None = Field(None, description="Part of each day; all day when omitted.")
    stores: list[str] | None = Field(None, description="Store ids (S001, ...); all if omitted.")
    quota: int | None = Field(None, ge=1, description="Units (flash sale) or uses, per store.")
    cost: NonNeg = Field(0.0, description="Running cost of the campaign per store (currency).")

    def rule_fields(self) -> dict[str, Any]:
        """The fields of the services' rule, as given."""
        base = set(PromotionBase.model_fields) | {"coupon"}
        return {k: getattr(self, k) for k in type(self).model_fields if k not in base}

    def rule(self, template_id: int | None = None):
        """The services' rule of this promotion (gift kinds with their template's id)."""
        fields = self.rule_fields()
        if template_id is not None:
            fields["template_id"] = template_id
        return _RULE_OF[self.kind](**fields)  # type: ignore[attr-defined]

    @model_validator(mode="after")
    def _rule_valid(self) -> Self:
        try:
            self.rule(template_id=1 if self.kind in GIFT_KINDS else None)  # type: ignore[attr-defined]
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            message, value = err["msg"].removeprefix("Value error, "), err.get("input")
            fields = self.rule_fields()
            named = message.split(" ", 1)[0]
            if not where and named in fields:  # a check across fields names the one it tests
                where, value = named, fields[named]
            raise FieldProblem(where, value, message) from None
        return self


_RULE_OF = {r.model_fields["kind"].default: r for r in RULES}


def _promotion_model(rule: type) -> type[PromotionBase]:
    fields: dict[str, Any] = {
        name: (f.annotation, f) for name, f in rule.model_fields.items() if name != "template_id"
    }
    kind = rule.model_fields["kind"].default
    fields["kind"] = (Literal[kind.value], ...)  # type: ignore[valid-type]
    if "template_id" in rule.model_fields:
        fields["coupon"] = (GiftCoupon, Field(description="The coupon it hands out."))
    return create_model(
        f"{rule.__name__}Promotion", __base__=PromotionBase, __doc__=rule.__doc__, **fields
    )


_MODELS = tuple(_promotion_model(r) for r in RULES)
PromotionSpec = Annotated[Union[_MODELS], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007


class Response(Frozen):
    """How shoppers respond to promotions they see (sources: docs/calibration.md)."""

    elasticity: float = Field(
        -3.0,
        le=0,
        description="Promotional price elasticity at a small discount: units change per "
        "relative price cut (literature: -2 to -4; Bijmolt et al. 2005 mean -2.62).",
    )
    max_lift: Pos = Field(
        2.5,
        description="Relative unit lift the deepest discount approaches (saturation of the "
        "deal-effect curve, Van Heerde, Leeflang & Wittink 2001).",
    )
    stockpile_share: Share = Field(
        0.3,
        description="Share of a planner's extra units that are stock for later (Hendel & Nevo "
        "2006; Van Heerde et al. 2003: about a third of the bump is acceleration).",
    )
    consume_days: Pos = Field(
        28.0, description="Days a stockpiled unit can stand in for a purchase of its category."
    )
    label_notice: Share = Field(
        0.5,
        description="Chance a shopper in the aisle notices a label of an item not planned.",
    )
    poster_notice: Share = Field(
        0.6, description="Chance a shopper notices the entrance poster of a spend promotion."
    )
    app_reach: Share = Field(
        0.0589, description="Chance a member reads the app's push (case: member reach, 5.89%)."
    )
    app_visit: Share = Field(
        0.3988,
        description="Chance a member who read the push comes in for it (case: member reach, "
        "39.88% of clickers buy).",
    )
    topup_reach: Share = Field(
        0.15, description="Shoppers within this share below a spend threshold consider topping up."
    )
    topup_probability: Share = Field(
        0.6,
        description="Chance a shopper just below the threshold tops up (0 at the reach).",
    )
    bundle_take: Pos = Field(
        0.5, description="Chance to complete a bundle per unit of lift at its discount depth."
    )
    rush_min: Pos = Field(
        15.0,
        description="Mean minutes after a flash sale starts that members lured by it arrive.",
    )
    shelf_slots: int = Field(
        2, ge=1, description="Shoppers who can take from a flash-sale bin at once; others queue."
    )
    gift_return: Share = Field(
        0.5,
        description="Chance a gift coupon brings its holder back within its validity (case: "
        "smart-cart marketing, coupon redemption 50-65%).",
    )


class Marketing(Frozen):
    """Promotions the marketing center runs during the run, and the shoppers' responses."""

    promotions: list[PromotionSpec] = Field(min_length=1)  # type: ignore[valid-type]
    response: Response = Response()

    @model_validator(mode="after")
    def _names(self) -> Self:
        names = [p.name or f"{p.kind}-{i + 1}" for i, p in enumerate(self.promotions)]
        if len(set(names)) != len(names):
            raise FieldProblem("promotions", None, f"promotion names must be unique, got {names}")
        return self

    def names(self) -> list[str]:
        """Each promotion's name, defaults filled in."""
        return [p.name or f"{p.kind}-{i + 1}" for i, p in enumerate(self.promotions)]


__all__ = ["GIFT_KINDS", "GiftCoupon", "Hours", "Marketing", "PromotionSpec", "Response"]
