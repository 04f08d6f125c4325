"""Building blocks every scenario module shares: the frozen base model and field types."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
NonNeg = Annotated[float, Field(ge=0)]
Pos = Annotated[float, Field(gt=0)]
Share = Annotated[float, Field(ge=0, le=1)]
Day = Annotated[int, Field(ge=0, description="Day of the run (0 = first) from which it applies.")]

_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class FieldProblem(ValueError):
    """A cross-field check that blames one field (``path``, relative to the validated model).

    Raised inside a model validator, so the error names the field a planner
    should change instead of the model as a whole. ``others`` are the other
    fields the check weighs (relative paths too): where the planner changed one
    of them and not ``path`` (``--param``, ``--set``), the error names that one.
    """

    def __init__(self, path: str, value: Any, message: str, others: tuple[str, ...] = ()):
        super().__init__(message)
        self.path = path
        self.value = value
        self.message = message
        self.others = others


class Frozen(BaseModel):
    """Base of every scenario model: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class StoreFormat(StrEnum):
    """Store formats; each has its own defaults and digital priorities."""

    supermarket = "supermarket"
    convenience = "convenience"
    specialty = "specialty"
    department = "department"


def clock_seconds(value: str) -> int:
    """Seconds after midnight of an "HH:MM" clock time ("24:00" allowed)."""
    match = _CLOCK.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a clock time; use a quoted 'HH:MM' such as '08:00'")
    seconds = int(match[1]) * 3600 + int(match[2]) * 60
    if seconds > 86400:
        raise ValueError(f"{value!r} is after midnight; the latest allowed is '24:00'")
    return seconds


def check_clock(value: object) -> str:
    """Validator body for "HH:MM" fields: the value, if it is a clock time."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a clock time; use a quoted 'HH:MM' such as '08:00'")
    clock_seconds(value)
    return value


def replace(model: BaseModel, path: str, value: Any) -> Any:
    """A copy of a frozen model with the field at dotted ``path`` replaced (no re-validation)."""
    head, _, rest = path.partition(".")
    if head not in type(model).model_fields:
        raise KeyError(f"{type(model).__name__} has no field {head!r}")
    if rest:
        value = replace(getattr(model, head), rest, value)
    return model.model_copy(update={head: value})
