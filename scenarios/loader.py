"""Find, read and validate scenarios: library ids or paths to YAML files.

Errors name the field path, the bad value and what is allowed, because the
person reading them is a planner editing a YAML file, not a Python developer.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from scenarios.base import FieldProblem
from scenarios.schema import Scenario

LIBRARY_DIR = Path(__file__).parent / "library"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file."""

    path: str
    value: Any
    message: str
    others: tuple[str, ...] = ()
    """Other fields the failed check weighs: changing one of them also fixes it."""

    def __str__(self) -> str:
        where = self.path or "(top level)"
        shown = _short(self.value)
        return f"{where} = {shown}: {self.message}" if shown else f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario that cannot be used, with every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid scenario {source}:\n{lines}")


def library_files() -> list[Path]:
    """The YAML files of the scenario library, sorted by name."""
    return sorted(LIBRARY_DIR.glob("*.yaml"))


def library() -> list[Scenario]:
    """Every scenario in the library, sorted by versioned id."""
    return sorted((_library_file(p) for p in library_files()), key=lambda s: s.versioned_id)


def _library_file(path: Path) -> Scenario:
    """A library file, parsed once per process while it is unchanged.

    A chain of mixed formats loads the library for each store job and the CLI
    several times per command; scenarios are frozen, so one parse can be shared.
    """
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=128)
def _parsed(path: Path, mtime_ns: int, size: int) -> Scenario:
    return load_file(path)


def load(ref: str | Path) -> Scenario:
    """Load a scenario by library id (``supermarket``, ``supermarket-v1``) or YAML path.

    A bare id picks the newest version in the library.

    Raises:
        ScenarioError: the reference is unknown or the file is invalid.
    """
    path = Path(ref)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise ScenarioError(str(ref), [Problem("", None, "no such file")])
        return load_file(path)
    found = [s for s in library() if str(ref) in (s.id, s.versioned_id)]
    if not found:
        known = ", ".join(s.versioned_id for s in library())
        raise ScenarioError(
            str(ref), [Problem("", None, f"not a library id or a YAML path; library ids: {known}")]
        )
    return max(found, key=lambda s: s.version)


def load_file(path: Path) -> Scenario:
    """Read and validate one YAML file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), [Problem("", None, f"not valid YAML: {exc}")]) from exc
    return parse(data, source=str(path))


def parse(data: Any, source: str = "<data>") -> Scenario:
    """Validate already-parsed data (a mapping) as a scenario."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [Problem("", None, "must be a mapping of scenario fields")])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, [_problem(err) for err in exc.errors()]) from None


def _problem(err: Any) -> Problem:
    loc = tuple(err["loc"])
    blamed = (err.get("ctx") or {}).get("error")
    if isinstance(blamed, FieldProblem):
        where = ".".join(p for p in (_dotted(loc), blamed.path) if p)
        others = tuple(".".join(p for p in (_dotted(loc), o) if p) for o in blamed.others)
        return Problem(where, blamed.value, blamed.message, others)
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        allowed = _fields_at(Scenario, loc[:-1])
        if allowed:
            message = f"unknown field; allowed: {', '.join(allowed)}"
    elif err["type"] == "missing":
        message = "required field is missing"
    value = None if err["type"] == "missing" else err.get("input")
    return Problem(_dotted(loc), value, message)


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model found by walking ``loc`` down from ``model``."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        else:
            current = None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(tp: Any) -> Any:
    """Strip Optional/Annotated wrappers so the walk reaches the model class."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        else:
            return tp


def _short(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""  # a whole block: the message says what is wrong with it
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
