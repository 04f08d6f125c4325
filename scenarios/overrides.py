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


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"a.b=value"`` -> ``("a.b", value)`` with the value read as YAML (numbers, lists...)."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError(text, [Problem("", None, "expected PATH=VALUE, e.g. checkout.lanes=6")])
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ScenarioError(text, [Problem(path, raw, f"not a valid value: {exc}")]) from None
    return path.strip(), value


def apply(scenario: Scenario, changes: Mapping[str, Any], source: str = "--set") -> Scenario:
    """The scenario with each dotted path set to its value, validated again."""
    data = scenario.model_dump(mode="json")
    for path, value in changes.items():
        _assign(data, path, value, source)
    return parse(data, source=source)


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
