import pytest
import yaml

from scenarios.pilot import PilotError, load_pilot, parse_pilot
from scenarios.pilot.loader import library_files


def base() -> dict:
    return {
        "id": "trial",
        "name": "A trial",
        "chain": {
            "scenario": "supermarket",
            "set": {"arrivals.daily_visitors": 100, "chain": {"stores": 10, "seed": 1}},
        },
        "interventions": [{"name": "self_checkout", "params": {"stations": 2}}],
    }


def problems(data: dict) -> list[str]:
    with pytest.raises(PilotError) as info:
        parse_pilot(data, source="trial.yaml")
    assert str(info.value).startswith("invalid pilot file trial.yaml:")
    return [str(p) for p in info.value.problems]


def test_every_shipped_pilot_loads_with_enough_stores():
    ids = {p.stem for p in library_files()}
    assert {"self_checkout", "esl_smart_shelf", "targeted_coupons", "smart_cart"} <= ids
    for pid in ids:
        pilot = load_pilot(pid)
        spec = pilot.spec
        assert len(pilot.eligible) >= spec.stores.pilot * (1 + spec.stores.references_per_pilot)
        assert pilot.cost(pilot.eligible[0]).one_off > 0


def test_a_good_file_gets_defaults_and_bundles_costs():
    data = base()
    data["interventions"].append("esl")
    pilot = parse_pilot(data)
    assert pilot.spec.periods.pre_days == 14 and pilot.spec.decision.kpi == "contribution"
    store = pilot.eligible[0]
    sco_only = parse_pilot(base()).cost(store)
    both = pilot.cost(store)
    assert both.one_off > sco_only.one_off and pilot.spec.label == "self_checkout+esl"
    assert [u.start_day for u in pilot.uses(14)] == [14, 14]


def test_costs_in_the_file_override_the_cost_model():
    data = base() | {"costs": {"one_off": 1000}}
    pilot = parse_pilot(data)
    cost = pilot.cost(pilot.eligible[0])
    assert cost.one_off == 1000 and cost.monthly == 2 * 400.0


def test_unknown_field_lists_the_allowed_ones():
    data = base() | {"periods": {"pre_days": 14, "pilot_dayz": 7}}
    (msg,) = problems(data)
    assert msg.startswith("periods.pilot_dayz = 7: unknown field; allowed: pre_days, pilot_days")


def test_bad_kpi_and_bad_value_name_their_paths():
    data = base() | {"kpis": ["contribution", "happiness"], "stores": {"pilot": 0}}
    msgs = problems(data)
    assert any(m.startswith("kpis[1] = 'happiness':") and "'sales'" in m for m in msgs)
    assert any(
        m.startswith("stores.pilot = 0:") and "greater than or equal to 1" in m for m in msgs
    )


def test_unknown_intervention_lists_the_library():
    data = base() | {"interventions": ["robot_butler"]}
    (msg,) = problems(data)
    assert msg.startswith("interventions[0]") and "self_checkout" in msg and "esl" in msg


def test_start_day_is_not_the_files_to_set():
    data = base()
    data["interventions"][0]["start_day"] = 3
    (msg,) = problems(data)
    assert "periods.pre_days" in msg


def test_stores_must_exist_and_be_enough():
    data = base() | {"stores": {"candidates": ["S001", "S999"], "pilot": 2}}
    (msg,) = problems(data)
    assert msg.startswith("stores.candidates[1] = 'S999': not an eligible store; eligible: S001")
    data = base() | {"stores": {"pilot": 4, "references_per_pilot": 2}}
    (msg,) = problems(data)
    assert msg.startswith("stores.references_per_pilot = 2:") and "need 12 eligible" in msg


def test_chain_problems_point_into_the_chain():
    data = base()
    data["chain"]["set"]["arrivals.daily_visitors"] = -5
    (msg,) = problems(data)
    assert msg.startswith("chain.set:") and "arrivals.daily_visitors" in msg
    data = base()
    data["chain"]["set"] = {}
    (msg,) = problems(data)
    assert msg.startswith("chain.scenario = 'supermarket': has no chain: block")


def test_an_intervention_that_cannot_apply_is_refused():
    data = base() | {"interventions": ["ai_loss_prevention"]}
    (msg,) = problems(data)
    assert msg.startswith("interventions = 'ai_loss_prevention':") and "self_checkout" in msg


def test_a_yaml_file_and_its_relative_chain_path(tmp_path):
    chain = yaml.safe_load(library_files()[0].read_text())["chain"]
    assert chain["scenario"] in ("supermarket", "convenience")
    (tmp_path / "store.yaml").write_text(
        (library_files()[0].parent.parent / "library" / "supermarket.yaml").read_text()
    )
    data = base()
    data["chain"]["scenario"] = "store.yaml"
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    assert load_pilot(path).chain.id == "supermarket"
    path.write_text("id: [unclosed")
    with pytest.raises(PilotError, match="not valid YAML"):
        load_pilot(path)
    with pytest.raises(PilotError, match="not a pilot id or path"):
        load_pilot("no_such_pilot")


def test_contribution_is_evaluated_even_when_the_file_does_not_ask_for_it():
    """ROI and payback are priced on contribution: a file judged on margin still gets it."""
    data = {**base(), "kpis": ["gross_margin", "sales"]}
    data["decision"] = {"kpi": "gross_margin"}
    evaluated = [k.value for k in parse_pilot(data).spec.evaluated]
    assert evaluated[:2] == ["gross_margin", "sales"] and "contribution" in evaluated
    assert "contribution" in [k.value for k in load_pilot("spend_save_weekends").spec.evaluated]


def test_step_2_prices_only_the_formats_the_projection_reads():
    from scenarios.pilot.steps import typical_stores

    data = base()
    data["chain"]["set"]["chain"]["formats"] = {"supermarket": 0.7, "convenience": 0.3}
    data["stores"] = {"formats": ["supermarket"], "pilot": 2, "references_per_pilot": 1}
    formats = {s.scenario.format.value for s in typical_stores(parse_pilot(data))}
    assert formats == {"supermarket"}
    data["rollout"] = {"extrapolate_formats": True}
    formats = {s.scenario.format.value for s in typical_stores(parse_pilot(data))}
    assert formats == {"supermarket", "convenience"}
