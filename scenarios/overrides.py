"""Dotted-path changes to a scenario: ``--set checkout.lanes=6``, what-if variants, interventions.

Every change goes back through validation, so an override is held to the same
rules (and gets the same clear errors) as the YAML file itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from scenarios.loader import Problem, ScenarioError, parse
from scenarios.schema import Scenario


def parse_assignment(text: str, flag: str = "--set") -> tuple[str, Any]:
    """``"a.b=value"`` -> ``("a.b", value)`` with the value read as YAML (numbers, lists...).

    ``flag`` is the option the user typed, so an error names it beside the text.
    """
    path, sep, raw = text.partition("=")
    source = f"{flag} {text!r}"
    if not sep or not path.strip():
        problem = Problem("", None, "expected PATH=VALUE, e.g. checkout.lanes=6")
        raise ScenarioError(source, [problem])
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [Problem(path, raw, f"not a valid value: {exc}")]) from None
    return path.strip(), value


CHAIN_LEVEL = ("chain", "what_if")
"""Top-level fields that describe the chain or the comparison, not its stores."""


def apply(scenario: Scenario, changes: Mapping[str, Any], source: str = "--set") -> Scenario:
    """The scenario with each dotted path set to its value, validated again.

    On a scenario that already has a ``chain:`` block, a change to a store field
    is also kept in ``chain.overrides``, so the chain's stores of other formats
    (built from their own library scenarios) get it too.
    """
    data = scenario.model_dump(mode="json")
    for path, value in changes.items():
        _assign(data, path, value, source)
    if scenario.chain is not None and isinstance(data.get("chain"), dict):
        store_level = {p: v for p, v in changes.items() if p.split(".")[0] not in CHAIN_LEVEL}
        if store_level:
            data["chain"]["overrides"] = {**data["chain"].get("overrides", {}), **store_level}
    try:
        return parse(data, source=source)
    except ScenarioError as exc:
        raise ScenarioError(source, [_as_typed(p, changes) for p in exc.problems]) from None


def _as_typed(problem: Problem, changes: Mapping[str, Any]) -> Problem:
    """The problem blamed on the field the user changed, where its check weighs that field too.

    A check across fields (a mean between its bounds) names one of them; when the
    user typed another, the error names what they typed.
    """
    if problem.path in changes:
        return problem
    typed = next((o for o in problem.others if o in changes), None)
    if typed is None:
        return problem
    rest = tuple(o for o in (problem.path, *problem.others) if o != typed)
    return Problem(typed, changes[typed], problem.message, rest)


def apply_everywhere(
    scenario: Scenario, changes: Mapping[str, Any], source: str = "--set"
) -> Scenario:
    """Like ``apply``, but the chain's own changes go first.

    So a chain set up in the same breath still gives every store change to all
    of its stores, whatever their format (``--set``, ``--param``, what-if blocks).
    """
    first = {p: v for p, v in changes.items() if p.split(".")[0] in CHAIN_LEVEL}
    rest = {p: v for p, v in changes.items() if p not in first}
    scenario = apply(scenario, first, source) if first else scenario
    return apply(scenario, rest, source) if rest or not first else scenario


def _assign(data: dict[str, Any], path: str, value: Any, source: str) -> None:
    node: Any = data
    parts = path.split(".")
    for i, part in enumerate(parts[:-1]):
        key: Any = int(part) if isinstance(node, list) and part.isdigit() else part
        try:
            nxt = node[key]
        except (KeyError, IndexError, TypeError):
            nxt = None
        if nxt is None:
            if isinstance(node, dict):
                node[key] = nxt = {}
            else:
                where = ".".join(parts[: i + 1])
                raise ScenarioError(source, [Problem(where, None, "no such item to change")])
        node = nxt
    last = parts[-1]
    if isinstance(node, list):
        if not last.isdigit() or int(last) >= len(node):
            raise ScenarioError(source, [Problem(path, value, "no such item to change")])
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError(source, [Problem(path, value, "cannot set a field inside a value")])
