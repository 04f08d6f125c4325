"""Devices and checkout options a store may have, each switched on from a day of the run.

Interventions are made of these: an intervention sets one or more of them (and
changes the roster), so a planner can also write them into a scenario directly.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from scenarios.base import Day, Frozen, Id, NonNeg, Pos, Share, check_clock


class FaultModel(Frozen):
    """Exponential time to failure and to repair; ``mtbf_h: null`` means it never fails."""

    mtbf_h: Pos | None = Field(None, description="Mean hours between failures.")
    repair_h: Pos = Field(4.0, description="Mean hours to repair.")


class SelfCheckout(Frozen):
    """Self-checkout stations fed by one shared queue."""

    from_day: Day = 0
    stations: int = Field(4, ge=1, le=40)
    scan_s_per_item: Pos = Field(4.5, description="Shoppers scan slower than cashiers.")
    fixed_s: NonNeg = 12.0
    preference: Share = Field(
        0.55, description="Share of shoppers who prefer it for a small basket."
    )
    max_items: int = Field(15, ge=1, description="Baskets above this go to a staffed lane.")
    scan_miss_rate: Share = Field(0.01, description="Items a shopper forgets to scan, by mistake.")
    theft_share: Share = Field(0.02, description="Shoppers who deliberately leave items unscanned.")
    theft_item_share: Share = Field(0.35, description="Share of a thief's items left unscanned.")
    attendant_s: Pos = Field(45.0, description="Staff time to clear one alert at a station.")


class LossPrevention(Frozen):
    """AI camera over the self-checkout that flags unscanned items."""

    from_day: Day = 0
    detect_rate: Share = Field(0.85, description="Share of unscanned items flagged.")
    false_alarm_rate: Share = Field(0.02, description="Share of honest transactions flagged.")


class SmartCarts(Frozen):
    """Carts with a screen and scanner: shoppers scan as they go and skip the lanes."""

    from_day: Day = 0
    fleet: int = Field(30, ge=1)
    adoption: Share = Field(
        0.486, description="Share of visitors who take one if free (case: smart cart)."
    )
    scan_s_per_item: NonNeg = 3.0
    exit_s: Pos = Field(20.0, description="Pay on the cart and pass the exit check.")
    offer_lift: NonNeg = Field(
        3.5, description="Relative lift of impulse picks from on-screen offers (case: basket +4%)."
    )


class Labels(Frozen):
    """Shelf labels: paper (changed by staff) or electronic (ESL, synced from services)."""

    electronic_from_day: int | None = Field(None, ge=0, description="None: paper labels only.")
    esl_latency_s: Pos = Field(5.0, description="Mean delay of an ESL update after a price change.")
    esl_failure_rate: Share = Field(0.005, description="Share of ESL updates that fail.")
    esl_resync_min: Pos = Field(60.0, description="Failed labels are retried at this interval.")


class SmartShelves(Frozen):
    """Weight sensors under the fastest-moving SKUs: stock level and out-of-stock alerts."""

    from_day: Day = 0
    coverage: Share = Field(0.3, description="Share of SKUs, fastest movers first, with a sensor.")
    period_s: Pos = 300.0
    noise_units: NonNeg = Field(0.5, description="Sd of the weight-derived unit count.")
    alert_below: NonNeg = Field(0.15, description="Alert when a facing is below this share full.")


class Promoters(Frozen):
    """Devices that lift the pick rate of promoted SKUs near them (voice robot, signage)."""

    from_day: Day = 0
    count: int = Field(2, ge=1)
    lift: NonNeg = Field(2.2, description="Relative lift of the impulse pick rate of the item.")


class AIScale(Frozen):
    """Produce recognised at weighing instead of a manual code lookup."""

    from_day: Day = 0
    accuracy: Share = Field(0.99, description="Case: AI scale, 99%+ recognition.")
    s_per_item: Pos = 1.0
    correction_s: NonNeg = Field(10.0, description="Cashier time to correct a wrong recognition.")


class PeopleCounter(Frozen):
    """A door counter: counts entries, misses some, double-counts a few."""

    miss_rate: Share = 0.05
    double_rate: Share = 0.01
    faults: FaultModel = FaultModel()


class WifiProbe(Frozen):
    """Probes that see shoppers' phones: sampled positions, dwell per zone, heat zones."""

    from_day: Day = 0
    detect_rate: Share = Field(0.6, description="Share of shoppers whose phone is seen.")
    sample_s: Pos = 15.0
    noise_m: NonNeg = 2.5


class Energy(Frozen):
    """Lighting and refrigeration load, and fridge temperature driven by door openings."""

    lighting_kw: NonNeg = 20.0
    fridge_base_kw: NonNeg = 12.0
    kw_per_door_opening: NonNeg = Field(0.004, description="Extra kWh per fridge door opening.")
    setpoint_c: float = 4.0
    rise_c_per_opening: NonNeg = 0.02
    recovery_per_h: Share = Field(
        0.5, description="Share of the excess temperature removed per hour."
    )
    alarm_c: float = 8.0
    fridge_categories: list[Id] = Field(default=["dairy", "frozen", "beverages", "meat", "seafood"])


class OnlineOrders(Frozen):
    """Online orders the store picks from its own shelves (pickup and delivery)."""

    daily_orders: Pos = Field(60.0, description="Mean orders a day at traffic factor 1.")
    pickup_share: Share = 0.4
    items_mean: Pos = Field(8.0, description="Mean lines per order.")
    pick_s_per_item: Pos = 15.0
    last_order: str | None = Field(None, description="'HH:MM'; two hours before closing if None.")

    @field_validator("last_order", mode="before")
    @classmethod
    def _clock(cls, value: object) -> object:
        return value if value is None else check_clock(value)

    delivery_km_mean: Pos = 3.0
    couriers: int = Field(2, ge=0, description="Own riders registered with the delivery center.")


class Coupons(Frozen):
    """Targeted coupons (千人千券): issued to RFM segments of members by the marketing center."""

    from_day: Day = 7
    every_days: int = Field(7, ge=1, description="Issue a new round every this many days.")
    segments: list[str] = Field(
        default=["new", "promising", "needs_attention", "at_risk", "hibernating"],
        min_length=1,
        description="RFM segments to target.",
    )
    value_cents: int = Field(1000, gt=0, description="Amount off.")
    threshold_cents: int = Field(6000, ge=0, description="Minimum spend to use it.")
    valid_days: int = Field(7, ge=1)
    response: Share = Field(
        0.0235,
        description="Chance a holder comes in just to use it (case: member reach, "
        "5.89% click x 39.88% buy).",
    )


class Devices(Frozen):
    """Devices of the store; missing ones are absent."""

    people_counter: PeopleCounter | None = PeopleCounter()
    energy: Energy | None = Energy()
    wifi_probe: WifiProbe | None = None
    smart_shelves: SmartShelves | None = None
    voice_promoters: Promoters | None = None
    signage: Promoters | None = None
    ai_scale: AIScale | None = None
