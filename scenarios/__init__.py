"""Scenarios: the schema, the YAML library, and loading with clear errors."""

from scenarios.loader import ScenarioError, library, load, parse
from scenarios.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "library", "load", "parse"]
