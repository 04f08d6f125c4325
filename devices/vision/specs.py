"""Camera configuration: frozen pydantic models, ready to embed in the scenario schema.

``CamerasSpec`` is the block a scenario would carry (``cameras:``): the
fidelity, the imaging conditions and one entry per camera, told apart by
``kind``. Unknown keys are errors, as everywhere in scenarios.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Fidelity(StrEnum):
    """How a camera observes: real models, measured error rates, or the truth."""

    real = "real"
    measured = "measured"
    oracle = "oracle"


class Frozen(BaseModel):
    """Frozen, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ConditionsSpec(Frozen):
    """Imaging conditions in the store (real fidelity renders with them)."""

    light: float = Field(1.0, ge=0.05, le=3.0, description="Light level; 1 is a well-lit store.")
    blur: float = Field(0.0, ge=0.0, le=5.0, description="Lens or motion blur radius, pixels.")
    noise: float = Field(2.0, ge=0.0, le=40.0, description="Sensor noise, grey levels.")


class CameraBase(Frozen):
    """What every camera has."""

    id: str = Field(min_length=1, description="Device id, unique in the store.")
    fidelity: Fidelity | None = Field(None, description="Overrides the block's fidelity.")
    mtbf_h: float | None = Field(
        None, gt=0, description="Mean hours between faults; none if unset."
    )
    repair_h: float = Field(4.0, gt=0, description="Mean hours to repair.")


class QueueCameraSpec(CameraBase):
    """Oblique cameras over checkout queues, one view per lane."""

    kind: Literal["queue"] = "queue"
    lanes: list[int] | None = Field(None, description="Lane indices watched; all lanes if unset.")
    interval_s: float = Field(30.0, gt=0, description="Seconds between frames.")
    model: str = Field("blazepose", description="People model (registry name).")


class DoorCounterSpec(CameraBase):
    """A ceiling camera over the entrance that counts people crossing a line inwards."""

    kind: Literal["door"] = "door"
    interval_s: float = Field(1.0, gt=0, description="Seconds between frames.")
    line_m: float = Field(1.5, gt=0, description="How far inside the entrance the line lies.")
    model: str = Field("topdown", description="People model (registry name).")


class CeilingCameraSpec(CameraBase):
    """A straight-down camera that counts people in its view."""

    kind: Literal["ceiling"] = "ceiling"
    x: float = Field(ge=0)
    y: float = Field(ge=0)
    height_m: float = Field(3.5, ge=2.5, le=8.0)
    interval_s: float = Field(10.0, gt=0, description="Seconds between frames.")
    model: str = Field("topdown", description="People model (registry name).")


class PriceAuditSpec(CameraBase):
    """A shelf camera (or a patrol robot's pass) that reads price tags."""

    kind: Literal["price_audit"] = "price_audit"
    zones: list[str] | None = Field(None, description="Zone ids covered; all zones if unset.")
    at_h: list[float] = Field(
        default=[6.5], description="Hours of the day when a pass starts (6.5 = 06:30)."
    )
    model: str = Field("ppocr", description="OCR model (registry name).")

    @model_validator(mode="after")
    def _hours(self) -> PriceAuditSpec:
        bad = [h for h in self.at_h if not 0 <= h < 24]
        if bad or not self.at_h:
            raise ValueError(f"at_h needs hours in [0, 24), got {self.at_h}")
        return self


CameraSpec = Annotated[
    QueueCameraSpec | DoorCounterSpec | CeilingCameraSpec | PriceAuditSpec,
    Field(discriminator="kind"),
]


class CamerasSpec(Frozen):
    """A store's cameras."""

    fidelity: Fidelity = Field(Fidelity.measured, description="real, measured or oracle.")
    conditions: ConditionsSpec = ConditionsSpec()
    error_table: Path | None = Field(
        None, description="bench.json for measured fidelity; the shipped table if unset."
    )
    cameras: list[CameraSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> CamerasSpec:
        ids = [c.id for c in self.cameras]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"camera ids must be unique, repeated: {dup}")
        return self
