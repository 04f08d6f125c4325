"""A change to a chain reaches every store whose value it names, whatever its format."""

import pytest

from scenarios import load
from scenarios.chain import expand, expand_noting
from scenarios.overrides import apply, apply_everywhere

MIXED = {
    "stores": 6,
    "seed": 3,
    "formats": {"supermarket": 0.4, "department": 0.3, "convenience": 0.3},
}


@pytest.fixture
def chain():
    return apply(load("supermarket"), {"chain": MIXED})


def test_a_store_change_reaches_every_format(chain):
    changed = apply(chain, {"arrivals.daily_visitors": 300})
    stores = expand(changed)
    assert len({s.scenario.format for s in stores}) == 3
    assert all(s.scenario.arrivals.daily_visitors == 300 for s in stores)
    # The stores still differ as a chain's stores do (traffic, staffing).
    assert len({s.scenario.arrivals.traffic_factor for s in stores}) > 1


def test_chain_and_store_changes_in_one_set(chain):
    once = apply_everywhere(load("supermarket"), {"arrivals.daily_visitors": 300, "chain": MIXED})
    assert all(s.scenario.arrivals.daily_visitors == 300 for s in expand(once))


def test_stores_that_cannot_take_a_change_are_named_with_the_reason(chain):
    stores, notes = expand_noting(apply(chain, {"checkout.lanes": 7}))
    small = [s.store_id for s in stores if s.scenario.format.value == "convenience"]
    assert small and all(
        s.scenario.checkout.lanes == 7 for s in stores if s.scenario.format.value != "convenience"
    )
    (note,) = notes
    assert note.startswith("checkout.lanes not applied to the convenience stores")
    assert all(i in note for i in small) and "layout.width_m" in note


def test_without_changes_a_chain_is_as_before(chain):
    assert expand_noting(chain)[1] == []
    assert chain.chain.overrides == {}


@pytest.mark.parametrize("name", ["convenience", "specialty", "supermarket"])
def test_a_chain_that_names_no_formats_is_of_the_scenarios_own_format(name):
    # `run convenience --param "chain={stores: 3}"` gave three supermarkets.
    once = apply_everywhere(load(name), {"chain": {"stores": 3}})
    assert {s.scenario.format.value for s in expand(once)} == {name}
    # and stays so through later changes, which re-validate a dump of the scenario
    again = apply(once, {"arrivals.daily_visitors": 300})
    assert {s.scenario.format.value for s in expand(again)} == {name}


def test_a_load_test_chain_is_of_the_scenarios_own_format():
    from twin.loadtest.record import chain_stores

    assert {s.scenario.format.value for s in chain_stores(load("convenience"), 2)} == {
        "convenience"
    }


def test_a_malformed_override_names_the_option_the_user_typed():
    from scenarios.loader import ScenarioError
    from scenarios.overrides import parse_assignment

    with pytest.raises(ScenarioError) as err:
        parse_assignment("=5", "--param")
    assert str(err.value).startswith("invalid scenario --param '=5':")
    with pytest.raises(ScenarioError, match=r"--set 'checkout\.lanes'"):
        parse_assignment("checkout.lanes")
