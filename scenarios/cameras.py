"""Cameras of a store (``devices.cameras`` in a scenario).

The block holds the fidelity, the imaging conditions and one entry per camera,
told apart by ``kind``; ``devices.vision`` builds the cameras from it.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from scenarios.base import Day, Frozen, Share


class Fidelity(StrEnum):
    """How a camera observes: real models, measured error rates, or the truth."""

    real = "real"
    measured = "measured"
    oracle = "oracle"


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
    fix_h: float = Field(
        0.5,
        gt=0,
        description="Mean working hours until staff replace a label the audit ticketed.",
    )
    out_of_stock: bool = Field(
        True, description="Also look for nearly empty facings and alert restockers."
    )
    low_below: Share = Field(0.2, description="Share of a facing's capacity that counts as low.")
    oos_recall: Share = Field(
        0.95,
        description="Share of low facings a pass recognises (case: shelf-facing recognition 95%+).",
    )
    oos_false_rate: Share = Field(
        0.005, description="Share of well-stocked facings a pass wrongly reports as low."
    )

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

    from_day: Day = 0
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

    @model_validator(mode="after")
    def _known_models(self) -> CamerasSpec:
        """Each camera's model has what its fidelity needs: a name in the error table."""
        for cam in self.cameras:
            fidelity = cam.fidelity or self.fidelity
            if fidelity is Fidelity.oracle:
                continue
            if Path(cam.model).suffix or "/" in cam.model or "\\" in cam.model:
                raise ValueError(
                    f"camera {cam.id}: model {cam.model!r} is a file; a camera names a model: "
                    "benchmark the file with `storetwin bench models --model FILE --adapter A "
                    "--out DIR` and use its name (the file's stem) with error_table: DIR/bench.json"
                )
            table = self.error_table if fidelity is Fidelity.measured else None
            known = _table_models(table)
            task = "ocr" if cam.kind == "price_audit" else "people"
            if known.get(cam.model) != task:
                names = sorted(n for n, t in known.items() if t == task)
                where = f"error table {table}" if table else "the shipped error table"
                raise ValueError(
                    f"camera {cam.id}: unknown {task} model {cam.model!r} for {fidelity.value} "
                    f"fidelity; {where} has {names}"
                )
        return self


def _table_models(path: Path | None) -> dict[str, str]:
    """Model name -> task in an error table (bench.json), or in the shipped one for None.

    The shipped table covers every built-in model, so it is also the list real
    fidelity can load.
    """
    from devices.vision.errors import DEFAULT_TABLE  # a file path only: no device code runs

    path = Path(path) if path is not None else DEFAULT_TABLE
    if not path.is_file():
        raise ValueError(f"error table not found: {path}")
    return _read_table(path, path.stat().st_mtime_ns)


@cache
def _read_table(path: Path, _mtime_ns: int) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"error table {path} is not JSON: {exc}") from None
    return {m["name"]: m.get("task", "") for m in data.get("models", []) if "name" in m}
