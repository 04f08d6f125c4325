"""A check across fields names the field the user changed (--param, --set), not its partner."""

import pytest

from scenarios import ScenarioError, load
from scenarios.overrides import apply


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("shoppers.walking_speed_min_mps", 2.0),
        ("shoppers.walking_speed_max_mps", 0.5),
        ("shoppers.walking_speed_mps", 3.0),
    ],
)
def test_walking_speed_error_names_the_field_typed(typed: str, value: float) -> None:
    with pytest.raises(ScenarioError) as err:
        apply(load("convenience"), {typed: value}, source="--param")
    (problem,) = err.value.problems
    assert problem.path == typed
    assert problem.value == value
    assert str(problem).startswith(f"{typed} = {value}:")
    assert "walking_speed_mps" in problem.message  # the mean it weighs stays named


def test_a_file_still_blames_the_mean() -> None:
    data = load("convenience").model_dump(mode="json")
    data["shoppers"]["walking_speed_min_mps"] = 2.0
    from scenarios.loader import parse

    with pytest.raises(ScenarioError) as err:
        parse(data)
    assert err.value.problems[0].path == "shoppers.walking_speed_mps"


def test_a_till_spacing_that_leaves_no_room_names_the_spacing_typed() -> None:
    """It named `checkout.lanes = 2`, which the user never touched."""
    with pytest.raises(ScenarioError) as err:
        apply(load("convenience"), {"layout.tills.spacing_m": 5.0}, source="--param")
    (problem,) = err.value.problems
    assert problem.path == "layout.tills.spacing_m"
    assert "no lane fits" in problem.message and "at most 0" not in problem.message
