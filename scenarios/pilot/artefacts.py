"""The saved result of each of the six steps: typed, JSON in the run folder, resumable.

A step whose artefact exists (and was made from the same pilot file and chain,
by ``digest``) is read back instead of run again, so ``--step review`` today and
the rest tomorrow give the same report as one call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

STEPS = ("identify", "estimate", "review", "run", "evaluate", "decide")


class Artefact(BaseModel):
    """What every step saves: which step, and the fingerprint of the pilot it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    step: ClassVar[str]
    digest: str

    @classmethod
    def path(cls, out: Path) -> Path:
        """Where this step's artefact lives in the run folder."""
        return out / "steps" / f"{STEPS.index(cls.step) + 1}_{cls.step}.json"

    def save(self, out: Path) -> Path:
        """Write the artefact (through a temporary file, so a crash leaves none or all)."""
        path = self.path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(indent=2) + "\n")
        tmp.replace(path)
        return path


A = TypeVar("A", bound=Artefact)


def load(kind: type[A], out: Path, digest: str) -> A | None:
    """The saved artefact of a step, or None if missing or made from another pilot."""
    path = kind.path(out)
    if not path.exists():
        return None
    saved = kind.model_validate_json(path.read_text())
    return saved if saved.digest == digest else None


class Identified(Artefact):
    """Step 1: the project, entered into the library from the intervention catalogue."""

    step: ClassVar[str] = "identify"
    project_id: int
    project_name: str
    pilot: str
    name: str
    interventions: list[dict[str, Any]]
    chain: dict[str, Any]
    eligible: list[str]
    candidates: list[str]


class Estimated(Artefact):
    """Step 2: expected value and investment from a quick twin run of typical stores."""

    step: ClassVar[str] = "estimate"
    days: int
    formats: list[dict[str, Any]]
    expected: dict[str, float]
    investment: dict[str, float]
    finance: dict[str, float | None]


class Reviewed(Artefact):
    """Step 3: pilot and reference stores, their balance, and the power of the design."""

    step: ClassVar[str] = "review"
    pilot_stores: list[str]
    reference_stores: list[str]
    selection: str
    matches: dict[str, list[dict[str, Any]]]
    balance: list[dict[str, Any]]
    mde: dict[str, dict[str, Any]]
    recommendation: dict[str, Any]
    untreated: str


class PilotRun(Artefact):
    """Step 4: the pilot in the twin, and every store's counterfactual."""

    step: ClassVar[str] = "run"
    start_day: int
    days: int
    store_days: dict[str, int]
    pre_period_identical: bool
    panel: str
    covariates_moved: list[str] = []
    """Covariates of the evaluation that differ between the pilot stores' runs with and
    without the intervention (the twin's truth; the adjustment assumes none)."""


class Evaluated(Artefact):
    """Step 5: lifts with CIs and p-values, synthetic control, money, and the truth beside them."""

    step: ClassVar[str] = "evaluate"
    estimates: dict[str, dict[str, Any]]
    costs: dict[str, float]
    finance: dict[str, dict[str, float | None]]
    drivers: list[dict[str, Any]]
    satisfaction: dict[str, Any]


class Decided(Artefact):
    """Step 6: the decision under the pilot's rule and its checks, and the roll-out projection."""

    step: ClassVar[str] = "decide"
    decision: str
    reasons: list[str]
    next_round: list[str]
    warnings: list[dict[str, Any]]
    scaling: dict[str, Any] | None
    projection: list[dict[str, Any]]


KINDS: dict[str, type[Artefact]] = {
    k.step: k for k in (Identified, Estimated, Reviewed, PilotRun, Evaluated, Decided)
}
