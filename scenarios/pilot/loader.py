"""Read a pilot file, resolve its chain, and check it against the chain's stores.

Errors are listed the way scenario errors are (``field.path = value: what is
allowed``), because the reader is the HQ analyst who wrote the YAML file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scenarios import loader as scenario_loader
from scenarios.chain import StoreSpec, expand
from scenarios.interventions import Cost, costs, resolve
from scenarios.loader import Problem, ScenarioError
from scenarios.overrides import apply
from scenarios.pilot.schema import PilotSpec
from scenarios.schema import Scenario

PILOTS_DIR = Path(__file__).parent.parent / "pilots"


class PilotError(ScenarioError):
    """A pilot file that cannot be used, with every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        super().__init__(source, problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        self.args = (f"invalid pilot file {source}:\n{lines}",)


@dataclass(frozen=True)
class Pilot:
    """A validated pilot file with its chain resolved into stores."""

    spec: PilotSpec
    source: str
    chain: Scenario = field(repr=False)
    stores: tuple[StoreSpec, ...] = field(repr=False)

    @property
    def eligible(self) -> list[StoreSpec]:
        """Stores whose format may take part (as pilot or reference)."""
        return [s for s in self.stores if s.scenario.format in self.spec.stores.formats]

    @property
    def candidates(self) -> list[str]:
        """Store ids the pilot stores are drawn from."""
        return list(self.spec.stores.candidates) or [s.store_id for s in self.eligible]

    def treated(self, start_day: int) -> Scenario:
        """The chain scenario with the pilot's interventions added from ``start_day``."""
        return self.chain.model_copy(
            update={"interventions": [*self.chain.interventions, *self.uses(start_day)]}
        )

    def uses(self, start_day: int) -> list[Any]:
        """The pilot's interventions, each from ``start_day``."""
        return [u.model_copy(update={"start_day": start_day}) for u in self.spec.interventions]

    def cost(self, store: StoreSpec) -> Cost:
        """One-off and monthly cost of the interventions in ``store``; the file's costs win."""
        sc = store.scenario.model_copy(update={"interventions": self.spec.interventions})
        each = costs(sc).values()
        model = Cost(one_off=sum(c.one_off for c in each), monthly=sum(c.monthly for c in each))
        return model.model_copy(update=self.spec.costs.model_dump(exclude_none=True))

    @property
    def digest(self) -> str:
        """A fingerprint of the pilot and its chain; saved steps are reused only if it matches."""
        data = {
            "spec": self.spec.model_dump(mode="json"),
            "chain": self.chain.model_dump(mode="json"),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def library_files() -> list[Path]:
    """The pilot files shipped in ``scenarios/pilots/``."""
    return sorted(PILOTS_DIR.glob("*.yaml"))


def load_pilot(ref: str | Path) -> Pilot:
    """A pilot by library id (``self_checkout``) or YAML path, validated against its chain.

    Raises:
        PilotError: the file is missing, invalid, or does not fit its chain.
    """
    path = Path(ref)
    if not (path.suffix in {".yaml", ".yml"} or path.exists()):
        path = PILOTS_DIR / f"{ref}.yaml"
        if not path.exists():
            known = ", ".join(p.stem for p in library_files())
            raise PilotError(str(ref), [Problem("", None, f"not a pilot id or path; ids: {known}")])
    if not path.is_file():
        raise PilotError(str(ref), [Problem("", None, "no such file")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PilotError(str(path), [Problem("", None, f"not valid YAML: {exc}")]) from None
    return parse_pilot(data, source=str(path), base_dir=path.parent)


def parse_pilot(data: Any, source: str = "<data>", base_dir: Path | None = None) -> Pilot:
    """Validate already-parsed data as a pilot; relative chain paths start at ``base_dir``."""
    if not isinstance(data, dict):
        raise PilotError(source, [Problem("", None, "must be a mapping of pilot fields")])
    try:
        spec = PilotSpec.model_validate(data)
    except ValidationError as exc:
        raise PilotError(source, [_problem(err) for err in exc.errors()]) from None
    chain = _chain(spec, source, base_dir or Path.cwd())
    pilot = Pilot(spec, source, chain, tuple(expand(chain)))
    problems = _fit(pilot)
    if problems:
        raise PilotError(source, problems)
    return pilot


def _problem(err: Any) -> Problem:
    problem = scenario_loader._problem(err)
    if err["type"] != "extra_forbidden":
        return problem
    allowed = scenario_loader._fields_at(PilotSpec, tuple(err["loc"])[:-1])
    return Problem(problem.path, problem.value, f"unknown field; allowed: {', '.join(allowed)}")


def _chain(spec: PilotSpec, source: str, base_dir: Path) -> Scenario:
    ref = spec.chain.scenario
    try:
        if isinstance(ref, dict):
            scenario = scenario_loader.parse(ref, source=f"{source} chain.scenario")
        else:
            local = base_dir / ref
            scenario = scenario_loader.load(local if local.is_file() else ref)
    except ScenarioError as exc:
        raise PilotError(source, _nested("chain.scenario", exc)) from None
    try:
        scenario = apply(scenario, spec.chain.set, source=f"{source} chain.set")
    except ScenarioError as exc:
        raise PilotError(source, _nested("chain.set", exc)) from None
    if scenario.chain is None:
        shown = ref if isinstance(ref, str) else None
        message = "has no chain: block; add one, e.g. chain.set: {chain: {stores: 10}}"
        raise PilotError(source, [Problem("chain.scenario", shown, message)])
    return scenario


def _nested(where: str, exc: ScenarioError) -> list[Problem]:
    return [Problem(where, None, f"{exc.source}: {p}") for p in exc.problems]


def _fit(pilot: Pilot) -> list[Problem]:
    """What the pilot asks of its chain that the chain cannot give."""
    stores = pilot.spec.stores
    eligible = [s.store_id for s in pilot.eligible]
    if not eligible:
        formats = sorted({s.scenario.format.value for s in pilot.stores})
        return [
            Problem("stores.formats", None, f"no store of these formats; the chain has {formats}")
        ]
    problems = [
        Problem(
            f"stores.candidates[{i}]",
            sid,
            f"not an eligible store; eligible: {', '.join(eligible)}",
        )
        for i, sid in enumerate(stores.candidates)
        if sid not in eligible
    ]
    needed = stores.pilot * (1 + stores.references_per_pilot)
    if needed > len(eligible):
        problems.append(
            Problem(
                "stores.references_per_pilot",
                stores.references_per_pilot,
                f"{stores.pilot} pilot stores with {stores.references_per_pilot} references each "
                f"need {needed} eligible stores; the chain has {len(eligible)}",
            )
        )
    try:
        resolve(pilot.treated(pilot.spec.periods.pre_days).model_copy(update={"chain": None}))
    except ValueError as exc:
        problems.append(Problem("interventions", pilot.spec.label, str(exc)))
    return problems
