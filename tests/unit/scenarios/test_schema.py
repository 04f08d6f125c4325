import json

import pytest
import yaml

from scenarios import ScenarioError, library, load, parse
from scenarios.loader import LIBRARY_DIR
from scenarios.schema import Scenario


def raw(name: str = "supermarket") -> dict:
    return yaml.safe_load((LIBRARY_DIR / f"{name}.yaml").read_text())


def problems(data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse(data, source="test.yaml")
    return [str(p) for p in info.value.problems]


def test_library_has_the_required_ids():
    ids = {s.id for s in library()}
    assert {"supermarket", "convenience"} <= ids
    assert load("supermarket").versioned_id == "supermarket-v1"
    assert load("supermarket-v1") == load("supermarket")


def test_a_path_loads_like_an_id(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text((LIBRARY_DIR / "convenience.yaml").read_text())
    assert load(path) == load("convenience")
    assert load(str(path)) == load("convenience")


def test_scenarios_are_frozen():
    sc = load("supermarket")
    with pytest.raises(Exception, match="frozen"):
        sc.name = "other"


def test_bad_value_names_path_value_and_limit():
    data = raw()
    data["layout"]["zones"][2]["width"] = -3
    (msg,) = problems(data)
    assert msg.startswith("layout.zones[2].width = -3:")
    assert "greater than 0" in msg


def test_bad_choice_lists_the_allowed_values():
    data = raw()
    data["format"] = "hypermarket"
    (msg,) = problems(data)
    assert "format = 'hypermarket'" in msg
    for allowed in ("supermarket", "convenience", "specialty", "department"):
        assert allowed in msg


def test_unknown_field_lists_the_allowed_fields():
    data = raw()
    data["tills"] = {"x": 3}
    data["checkout"]["lane_count"] = 3
    msgs = problems(data)
    top = next(m for m in msgs if m.startswith("tills"))
    assert "unknown field" in top and "layout" in top and "arrivals" in top
    nested = next(m for m in msgs if m.startswith("checkout.lane_count"))
    assert "lanes" in nested and "self_checkout" in nested


def test_missing_field_is_named():
    data = raw()
    del data["arrivals"]["daily_visitors"]
    assert problems(data) == ["arrivals.daily_visitors: required field is missing"]


def test_every_problem_is_reported_at_once():
    data = raw()
    data["arrivals"]["daily_visitors"] = 0
    data["shoppers"]["walking_speed_mps"] = "fast"
    assert len(problems(data)) == 2


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["hours"].update(open="23:00"), "must be after open"),
        (lambda d: d["hours"].update(open=700), "quoted 'HH:MM'"),
        (lambda d: d["shoppers"]["segments"][0].update(share=0.9), "must sum to 1"),
        (
            lambda d: d["shoppers"]["payment_mix"].update(cash=0.5),
            "shoppers.payment_mix: shares must sum to 1",
        ),
        (lambda d: d["layout"]["zones"][0].update(x=100), "outside the floor"),
        (lambda d: d["checkout"].update(lanes=30), "checkout.lanes = 30: 30 lanes"),
        (
            lambda d: d["layout"]["zones"][1]["categories"].append("dairy"),
            "give each category one zone",
        ),
        (lambda d: d["layout"]["zones"][-1]["categories"].pop(), "have no zone"),
        (lambda d: d["catalog"]["categories"].pop(), "the catalog does not have"),
        (lambda d: d["arrivals"].update(hourly_profile=[1] * 23), "at least 24"),
    ],
)
def test_cross_field_rules(edit, expected):
    data = raw()
    edit(data)
    assert any(expected in m for m in problems(data)), problems(data)


def test_cross_field_errors_name_the_field_to_change():
    data = raw()
    data["checkout"]["lanes"] = 30
    (lanes,) = problems(data)
    assert lanes.startswith("checkout.lanes = 30:")
    assert "layout.width_m" in lanes and "use at most" in lanes
    data = raw()
    data["arrivals"]["hourly_profile"] = [0] * 24
    assert problems(data) == ["arrivals.hourly_profile: is zero in every opening hour"]


def test_yaml_syntax_error_is_a_scenario_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load(path)


def test_unknown_id_lists_the_library():
    with pytest.raises(ScenarioError) as info:
        load("hypermarket")
    assert "supermarket-v1" in str(info.value) and "convenience-v1" in str(info.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load(tmp_path / "nope.yaml")


def test_json_schema_exports():
    schema = Scenario.model_json_schema()
    text = json.dumps(schema)
    assert schema["additionalProperties"] is False
    assert "hourly_profile" in text and "payment_s" in text
