"""A promotion the services' rule refuses names the field to change, in the scenario's words."""

import pytest

from scenarios import ScenarioError, load
from scenarios.overrides import apply


def test_a_saving_above_its_threshold_names_save_cents_without_pydantics_prefix():
    """It read "marketing.promotions[0].spend_save: Value error, save_cents must be below..."."""
    block = {
        "promotions": [
            {
                "kind": "spend_save",
                "name": "x",
                "threshold_cents": 3000,
                "save_cents": 5000,
                "from_day": 0,
                "days": 1,
            }
        ]
    }
    with pytest.raises(ScenarioError) as err:
        apply(load("convenience"), {"marketing": block})
    (problem,) = err.value.problems
    assert problem.path.endswith(".save_cents") and problem.value == 5000
    assert problem.message == "save_cents must be below threshold_cents"
