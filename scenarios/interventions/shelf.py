"""Shelf interventions: electronic shelf labels, smart (weight-sensing) shelves, shelf cameras."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from scenarios.base import Frozen, NonNeg, Pos, Share, replace
from scenarios.cameras import CamerasSpec, Fidelity, PriceAuditSpec
from scenarios.features import SmartShelves
from scenarios.interventions.base import Cost, Intervention, Pillar

if TYPE_CHECKING:
    from scenarios.schema import Scenario


class EslParams(Frozen):
    """Sync behaviour and costs of electronic shelf labels."""

    latency_s: Pos = Field(5.0, description="Mean delay of a label update after a price change.")
    failure_rate: Share = Field(0.005, description="Share of updates that fail until the resync.")
    one_off_per_label: NonNeg = 25.0
    one_off_base: NonNeg = Field(8000.0, description="Base stations and installation.")
    monthly: NonNeg = 300.0


class EslIntervention(Intervention):
    """Every label follows the services' price within seconds; no paper round."""

    name = "esl"
    pillar = Pillar.merchandise
    summary = "Electronic shelf labels synced from the product service."
    case = "smart shelf management: patrol robot with cameras + ESL"
    Params = EslParams

    def apply(self, scenario: Scenario, params: EslParams, start_day: int) -> Scenario:  # noqa: D102
        labels = scenario.labels.model_copy(
            update={
                "electronic_from_day": start_day,
                "esl_latency_s": params.latency_s,
                "esl_failure_rate": params.failure_rate,
            }
        )
        return replace(scenario, "labels", labels)

    def cost(self, scenario: Scenario, params: EslParams) -> Cost:  # noqa: D102
        skus = sum(c.skus for c in scenario.catalog.categories)
        return Cost(
            one_off=params.one_off_base + skus * params.one_off_per_label, monthly=params.monthly
        )


class SmartShelfParams(Frozen):
    """Coverage and costs of weight-sensing shelves."""

    coverage: Share = Field(0.3, description="Share of SKUs, fastest movers first, with a sensor.")
    one_off_per_sensor: NonNeg = 300.0
    monthly_per_sensor: NonNeg = 2.0


class SmartShelfIntervention(Intervention):
    """Weight sensors report stock levels and raise out-of-stock alerts restockers answer."""

    name = "smart_shelf"
    pillar = Pillar.supply_chain
    summary = "Weight sensors on fast movers; out-of-stock alerts sent to restockers."
    case = "smart shelf management: out-of-stock detection"
    Params = SmartShelfParams

    def apply(self, scenario: Scenario, params: SmartShelfParams, start_day: int) -> Scenario:  # noqa: D102
        sc = replace(
            scenario,
            "devices.smart_shelves",
            SmartShelves(from_day=start_day, coverage=params.coverage),
        )
        return replace(sc, "staff.restock.mode", "alerts")

    def cost(self, scenario: Scenario, params: SmartShelfParams) -> Cost:  # noqa: D102
        sensors = round(sum(c.skus for c in scenario.catalog.categories) * params.coverage)
        return Cost(
            one_off=sensors * params.one_off_per_sensor,
            monthly=sensors * params.monthly_per_sensor,
        )


class ShelfCameraParams(Frozen):
    """Schedule, model quality and costs of shelf cameras (or a patrol robot pass)."""

    at_h: list[float] = Field(
        default=[7.0, 11.0, 15.0, 19.0], description="Hours of the day when a pass starts."
    )
    fidelity: Fidelity = Field(
        Fidelity.measured, description="real, measured (the benchmark's error rates) or oracle."
    )
    fix_h: Pos = Field(0.5, description="Mean working hours until staff fix a ticketed label.")
    oos_recall: Share = Field(0.95, description="Case: shelf-facing recognition 95%+.")
    one_off_per_zone: NonNeg = Field(3000.0, description="Cameras over one zone's shelves.")
    one_off_base: NonNeg = Field(6000.0, description="Edge box and installation.")
    monthly: NonNeg = Field(500.0, description="Licence and maintenance.")


class ShelfCameraIntervention(Intervention):
    """Cameras read every price tag and look for gaps a few times a day.

    Tags whose price differs from the services' become tickets staff work off;
    nearly empty facings become alerts restockers answer.
    """

    name = "shelf_camera"
    pillar = Pillar.merchandise
    summary = "Shelf cameras audit price tags (tickets) and spot empty facings (alerts)."
    case = "smart shelf management: patrol robot with cameras, out-of-stock detection"
    Params = ShelfCameraParams

    def apply(self, scenario: Scenario, params: ShelfCameraParams, start_day: int) -> Scenario:  # noqa: D102
        audit = PriceAuditSpec(
            id="shelf-cameras",
            at_h=params.at_h,
            fix_h=params.fix_h,
            oos_recall=params.oos_recall,
        )
        cameras = scenario.devices.cameras or CamerasSpec(from_day=start_day)
        cameras = cameras.model_copy(
            update={
                "fidelity": params.fidelity,
                "from_day": start_day,
                "cameras": [*cameras.cameras, audit],
            }
        )
        sc = replace(scenario, "devices.cameras", cameras)
        return replace(sc, "staff.restock.mode", "alerts")

    def cost(self, scenario: Scenario, params: ShelfCameraParams) -> Cost:  # noqa: D102
        zones = len(scenario.layout.zones)
        return Cost(
            one_off=params.one_off_base + zones * params.one_off_per_zone, monthly=params.monthly
        )
